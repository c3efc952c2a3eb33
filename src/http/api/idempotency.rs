//! `Idempotency-Key` on POST requests: the first request with a key runs and its response is
//! stored; a retry with the same key and the same request gets the stored response again
//! (marked `Idempotent-Replayed: true`); the same key with a different request is refused; a
//! retry while the first is still running gets 409 and should try again shortly.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::IMPORT_LIMIT;
use crate::db::idempotency::{self, Stored};
use crate::domain::signing::token_hash;
use crate::error::AppError;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";

pub async fn honour(State(state): State<AppState>, request: Request, next: Next) -> Response {
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
    let Some(token) = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::to_string)
    else {
        return next.run(request).await;
    };
    if key.trim().is_empty() || key.len() > 200 {
        return AppError::BadRequest {
            code: "invalid_idempotency_key",
            message: "Idempotency-Key must be 1 to 200 characters".into(),
        }
        .into_response();
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, IMPORT_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::PayloadTooLarge(IMPORT_LIMIT).into_response(),
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b" ");
    hasher.update(parts.uri.path());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());
    let scope = token_hash(&token);
    match idempotency::claim(&state.database, &scope, &key, &request_hash).await {
        Err(error) => AppError::from(error).into_response(),
        Ok(Some(Stored::InProgress { .. })) => AppError::Conflict {
            code: "idempotency_key_in_progress",
            message: "a request with this Idempotency-Key is still running; retry in a moment"
                .into(),
            details: json!({ "key": key }),
        }
        .into_response(),
        Ok(Some(Stored::Done {
            request_hash: stored_hash,
            ..
        })) if stored_hash != request_hash => AppError::Invalid {
            message: "this Idempotency-Key was already used for a different request".into(),
            details: json!({ "key": key, "code": "idempotency_key_reused" }),
        }
        .into_response(),
        Ok(Some(Stored::Done { status, body, .. })) => {
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
        Ok(None) => {
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
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
