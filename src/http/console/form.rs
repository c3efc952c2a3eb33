//! One extractor for every console form post: the signed-in person and the form, read only
//! when its `csrf` field carries the session's token (else 403 and nothing is done).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::{PageError, Staff};
use crate::state::AppState;

/// A form's fields as typed, for forms that show every typed value again when refused.
pub type Fields = std::collections::HashMap<String, String>;

/// A form with nothing in it but the CSRF token (sign out, delete, replay).
#[derive(serde::Deserialize)]
pub struct Empty {}

/// A console form post whose CSRF token matched: who sent it and what they sent.
pub struct Posted<T> {
    pub staff: Staff,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let refused = |status: StatusCode, key: &str| PageError::said(status, key).into_response();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| refused(StatusCode::PAYLOAD_TOO_LARGE, "console-form-too-large"))?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| refused(StatusCode::BAD_REQUEST, "console-form-unreadable"))?;
        let sent = fields
            .iter()
            .find(|(name, _)| name == "csrf")
            .map(|(_, value)| value.as_str());
        staff
            .check_csrf(sent)
            .map_err(IntoResponse::into_response)?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| refused(StatusCode::BAD_REQUEST, "console-form-unreadable"))?;
        Ok(Posted { staff, form })
    }
}
