//! `Idempotency-Key` on POST requests: the first request with a key runs and its response is
//! stored; a retry with the same key and the same request gets the stored response again
//! (marked `Idempotent-Replayed: true`); the same key with a different request is refused; a
//! retry while the first is still running gets 409 and should try again shortly.
//!
//! Keys belong to one caller (token) and one endpoint of one shop, and are claimed only after
//! authentication. A running request holds its key by a lease it renews; if it dies (a crash),
//! a retry after the lease runs it again, and the operation finds what the first run wrote by
//! the same key (refunds, case creation), so each effect happens once.

use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::gate::{Caller, body_limit};
use crate::db::idempotency::{self, Claim};
use crate::error::AppError;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";

/// The client's key as operations store it: in the API's own namespace, per token, so it can
/// never be one of the app's internal keys (`offer:…`, `timer:…`, `console:…`) or another
/// client's.
#[derive(Clone, Debug)]
pub struct RequestKey(pub String);

impl RequestKey {
    pub fn new(token_id: &str, key: &str) -> RequestKey {
        RequestKey(format!("api:{token_id}:{}", key.trim()))
    }

    /// The key as the client sent it, from the stored form.
    pub fn client_part(stored: &str) -> &str {
        stored
            .strip_prefix("api:")
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, key)| key)
            .unwrap_or(stored)
    }
}

pub async fn honour(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request
        .headers()
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
    else {
        return next.run(request).await;
    };
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return next.run(request).await;
    };
    if key.trim().is_empty() || key.len() > 200 {
        return AppError::BadRequest {
            code: "invalid_idempotency_key",
            message: "Idempotency-Key must be 1 to 200 characters".into(),
        }
        .into_response();
    }
    request
        .extensions_mut()
        .insert(RequestKey::new(&caller.token_id, &key));
    let limit = body_limit(request.method(), request.uri().path());
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::PayloadTooLarge(limit).into_response(),
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b" ");
    hasher.update(parts.uri.path());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());
    let scope = format!(
        "{}|{}|POST {}",
        caller.actor.shop.id,
        caller.token_id,
        parts.uri.path()
    );
    let lease_seconds = state.config.idempotency_lease_seconds.max(1);
    let lease_micros = lease_seconds as i64 * 1_000_000;
    let claim =
        idempotency::claim(&state.database, &scope, &key, &request_hash, lease_micros).await;
    match claim {
        Err(error) => AppError::from(error).into_response(),
        Ok(Claim::InProgress { .. }) => AppError::Conflict {
            code: "idempotency_key_in_progress",
            message: format!(
                "a request with this Idempotency-Key is still running; retry in a moment \
                 (a request that stopped answering frees its key within {lease_seconds} s)"
            ),
            details: json!({ "key": key, "retry_after_seconds": lease_seconds }),
        }
        .into_response(),
        Ok(Claim::Done {
            request_hash: stored_hash,
            ..
        }) if stored_hash != request_hash => AppError::Invalid {
            message: "this Idempotency-Key was already used for a different request".into(),
            details: json!({ "key": key, "code": "idempotency_key_reused" }),
        }
        .into_response(),
        Ok(Claim::Done { status, body, .. }) => {
            let mut response =
                (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            response
        }
        Ok(Claim::Held { recovered }) => {
            if recovered {
                tracing::info!(%key, "recovering an Idempotency-Key whose request stopped answering");
            }
            let running = next.run(Request::from_parts(parts, Body::from(bytes)));
            let response = hold_while(running, &state, &scope, &key, lease_micros).await;
            let status = response.status();
            if status.is_server_error() || status == StatusCode::CONFLICT {
                // Nothing was done, or the outcome is unknown: let a retry run again.
                let _ = idempotency::release(&state.database, &scope, &key).await;
                return response;
            }
            let (parts, body) = response.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).to_string();
            if let Err(error) =
                idempotency::complete(&state.database, &scope, &key, status.as_u16(), &text).await
            {
                tracing::warn!(?error, "could not store an idempotent response");
                let _ = idempotency::release(&state.database, &scope, &key).await;
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

/// Runs the request, renewing the key's lease a few times per lease while it runs.
async fn hold_while(
    running: impl Future<Output = Response>,
    state: &AppState,
    scope: &str,
    key: &str,
    lease_micros: i64,
) -> Response {
    let every = Duration::from_micros((lease_micros / 3).max(100_000) as u64);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tokio::pin!(running);
    loop {
        tokio::select! {
            response = &mut running => return response,
            _ = ticks.tick() => {
                if let Err(error) = idempotency::renew(&state.database, scope, key, lease_micros).await {
                    tracing::warn!(%error, "could not renew an Idempotency-Key's lease");
                }
            }
        }
    }
}
