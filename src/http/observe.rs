//! Watching the app: every request gets an id (the proxy's `X-Request-Id`, or a new one), sent
//! back in the `X-Request-Id` header and in every JSON error body, and carried by every log line
//! the request writes; every answered request is counted for `/metrics`, which is served with a
//! token on the app's address or without one on its own address (docs/OPERATIONS.md).

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tracing::Instrument;

use crate::error::AppError;
use crate::state::AppState;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being answered, if any.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

const HEADER: &str = "x-request-id";

/// An id from the proxy is kept when it is short and plain (nginx's `$request_id` is 32 hex
/// digits); anything else is replaced, so a log line never carries what a client made up.
fn usable(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let plain = (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'));
    plain.then(|| text.to_string())
}

/// Gives the request its id and span, answers it, counts it and logs failures.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(HEADER)
        .and_then(usable)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
    // Known methods only: a label value per made-up method would let anyone grow the metrics.
    let method = match request.method().as_str() {
        known @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => known,
        _ => "other",
    }
    .to_string();
    // `/api/v1/cases/{id}` is labelled `/api/v1/cases/:id`: braces inside a label value trip
    // some text-format parsers.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .replace('{', ":")
        .replace('}', "");
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(request).instrument(span.clone()))
        .await;
    let took = started.elapsed();
    let status = response.status();
    crate::metrics::request(&method, &route, status.as_u16(), took);
    span.in_scope(|| {
        let millis = took.as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::warn!(target: "aftersale::access", status = status.as_u16(), millis, "request failed");
        } else {
            tracing::debug!(target: "aftersale::access", status = status.as_u16(), millis, "request answered");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

/// `/metrics` on the app's own address, for a scraper holding the metrics token.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(guarded))
}

/// `/metrics` (and `/healthz`) alone, for a separate address only the scraper reaches.
pub fn private_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(open))
        .route("/healthz", get(crate::app::healthz))
        .with_state(state)
}

async fn guarded(State(state): State<AppState>, request: Request) -> Response {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return AppError::NotFound("route").into_response();
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !crate::domain::signing::same(given.trim().as_bytes(), token.as_bytes()) {
        return AppError::Unauthorized.into_response();
    }
    open(State(state)).await
}

async fn open(State(state): State<AppState>) -> Response {
    let database = &state.database;
    let backlog = match crate::db::backlog::read(&database.reader, state.clock.now()).await {
        Ok(backlog) => backlog,
        Err(error) => {
            tracing::warn!(%error, "reading the backlog for /metrics");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
                .into_response();
        }
    };
    let usage = |pool: &sqlx::AnyPool| crate::metrics::PoolUse {
        open: pool.size(),
        idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
    };
    (
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        crate::metrics::render(backlog, usage(&database.writer), usage(&database.reader)),
    )
        .into_response()
}
