//! The application: its state, the one router of every front end, and `serve`, which `main` and
//! the tests both use (the tests with the workers off, driving them by hand).

use std::future::Future;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa_axum::router::OpenApiRouter;

use crate::config::Config;
use crate::db::Database;
use crate::error::AppError;
use crate::http::{api, console, hooks, observe, pages, portal};
use crate::operations::notifications::Channels;
pub use crate::state::AppState;

/// The whole HTTP application: API, portal, console, hooks, API docs.
pub fn router(state: AppState) -> Router {
    let (api, document) = OpenApiRouter::new()
        .nest("/api/v1", api::router(state.clone()))
        .split_for_parts();
    let document = api::finish_document(document);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/assets/pages.js", get(pages_script))
        .merge(api)
        .merge(api::document(&document))
        .merge(
            portal::router()
                .layer(DefaultBodyLimit::max(64 * 1024))
                .layer(axum::middleware::from_fn(pages::reject_control)),
        )
        .merge(
            console::router()
                .layer(DefaultBodyLimit::max(256 * 1024))
                .layer(axum::middleware::from_fn(pages::reject_control)),
        )
        .merge(hooks::router().layer(DefaultBodyLimit::max(api::JSON_LIMIT)))
        .merge(api::swagger())
        .merge(observe::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(|_| {
            AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(axum::middleware::from_fn(observe::track))
        .with_state(state)
}

/// Whether this instance runs the background workers (timers, parcel sweep, deliveries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workers {
    Start,
    /// Tests drive the workers by hand, at the time they choose.
    None,
}

/// Serves the app on `listener` (and `/metrics` on `metrics`, when given) until `shutdown`
/// resolves, with the workers when asked; the workers stop with the server, handing back the
/// timers they had claimed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Option<tokio::net::TcpListener>,
    database: Database,
    config: Config,
    workers: Workers,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = AppState::new(database, config);
    let live = state.live.clone();
    let shutdown = async move {
        shutdown.await;
        live.close();
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let handles = match workers {
        Workers::Start => {
            let channels = Channels::from_config(&state.config)?;
            let mut handles =
                crate::jobs::start(&state.database, channels, &state.clock, stopped.clone());
            if let Some(directory) = state.config.backup_dir.clone() {
                let nightly = crate::jobs::backups::Nightly {
                    directory,
                    keep: state.config.backup_keep.max(1),
                    at: state.config.backup_time()?,
                    url: state.config.database_url.clone(),
                };
                handles.push(tokio::spawn(crate::jobs::backups::worker(
                    state.database.clone(),
                    nightly,
                    state.clock.clone(),
                    stopped,
                )));
            }
            handles
        }
        Workers::None => Vec::new(),
    };
    if let Some(metrics) = metrics {
        let private = crate::http::observe::private_router(state.clone());
        let mut stopping = stop.subscribe();
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stopping.wait_for(|stop| *stop).await;
            };
            if let Err(error) = axum::serve(metrics, private)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::warn!(%error, "the metrics address stopped");
            }
        });
    }
    let result = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    let _ = stop.send(true);
    for handle in handles {
        let _ = handle.await;
    }
    Ok(result?)
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.database.ping().await {
        Ok(()) => axum::Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(_) => AppError::Unavailable.into_response(),
    }
}

/// The pages' script (`assets/pages.js`), served from the binary.
async fn pages_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/pages.js"),
    )
        .into_response()
}

/// No inline script, no framing, no sniffing, no referrer to other sites; the API's interactive
/// docs (Swagger UI) alone run inline script.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'";

/// Security headers on every response, and cookies marked `Secure` when the app is reached over
/// HTTPS (its public URL).
async fn security_headers(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let docs = request.uri().path().starts_with("/api/v1/docs");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let policy = if docs {
        DOCS_POLICY
    } else {
        CONTENT_SECURITY_POLICY
    };
    for (name, value) in [
        ("content-security-policy", policy),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
        (
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if state
        .config
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"))
    {
        let cookies: Vec<HeaderValue> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|cookie| match cookie.to_str() {
                Ok(text) if !text.contains("; Secure") => {
                    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie.clone())
                }
                _ => cookie.clone(),
            })
            .collect();
        headers.remove(header::SET_COOKIE);
        for cookie in cookies {
            headers.append(header::SET_COOKIE, cookie);
        }
    }
    response
}

/// An address nobody serves: JSON for programs (the API, webhooks, anything not asking for a
/// page), the error page in the reader's language for a browser; `/` leads to the console.
async fn not_found(request: axum::extract::Request) -> axum::response::Response {
    let path = request.uri().path();
    let wants_page = request
        .headers()
        .get(axum::http::header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if path == "/" && wants_page {
        return crate::http::pages::redirect("/console").into_response();
    }
    if !wants_page || path.starts_with("/api/") || path.starts_with("/hooks/") {
        return AppError::NotFound("route").into_response();
    }
    let language = crate::i18n::Language::choose(
        crate::http::pages::query_language(request.uri().query()),
        request.headers(),
    );
    crate::http::portal::error_page(
        language,
        axum::http::StatusCode::NOT_FOUND,
        "/console".into(),
        None,
    )
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
