//! The application: its state, the one router of every front end, and `serve`, which `main` and
//! the tests both use (the tests with the workers off, driving them by hand).

use std::future::Future;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa_axum::router::OpenApiRouter;

use crate::config::Config;
use crate::db::Database;
use crate::error::AppError;
use crate::http::{api, console, hooks, portal};
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
        .merge(api)
        .merge(api::document(&document))
        .merge(portal::router().layer(DefaultBodyLimit::max(64 * 1024)))
        .merge(console::router().layer(DefaultBodyLimit::max(256 * 1024)))
        .merge(hooks::router().layer(DefaultBodyLimit::max(api::JSON_LIMIT)))
        .merge(api::swagger())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(|_| {
            AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .with_state(state)
}

/// Whether this instance runs the background workers (timers, parcel sweep, deliveries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workers {
    Start,
    /// Tests drive the workers by hand, at the time they choose.
    None,
}

/// Serves the app on `listener` until `shutdown` resolves, with the workers when asked; the
/// workers stop with the server.
pub async fn serve(
    listener: tokio::net::TcpListener,
    database: Database,
    config: Config,
    workers: Workers,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = AppState::new(database, config);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let handles = match workers {
        Workers::Start => {
            let channels = Channels::from_config(&state.config)?;
            crate::jobs::start(&state.database, channels, &state.clock, stopped)
        }
        Workers::None => Vec::new(),
    };
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

async fn healthz(State(state): State<AppState>) -> Response {
    match state.database.ping().await {
        Ok(()) => axum::Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(_) => AppError::Unavailable.into_response(),
    }
}

async fn not_found() -> AppError {
    AppError::NotFound("route")
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
