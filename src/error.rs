//! One error type for every request: a stable JSON shape `{"error":{"code","message","details"}}`
//! with the right status. Internal causes are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::domain::lifecycle::TransitionError;
use crate::domain::refund::RefundError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is not well-formed (bad JSON, wrong types, bad query parameters).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// Well-formed, but a value is not acceptable; `details` names the field.
    #[error("{message}")]
    Invalid { message: String, details: Value },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("missing or invalid bearer token")]
    Unauthorized,
    /// An inbound webhook whose signature does not verify (or cannot: no secret is set).
    #[error("{message}")]
    Signature { message: String, details: Value },
    #[error("{0}")]
    Forbidden(String),
    /// The state moved on: a stale version, a key in use, a duplicate.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        details: Value,
    },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Refund(#[from] RefundError),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("this method is not allowed on this path")]
    MethodNotAllowed,
    #[error("the database is busy, try again")]
    Unavailable,
    /// The server lacks something it needs for this (e.g. a font); the message says what.
    #[error("{0}")]
    NotConfigured(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// Ok when `role` has the capability ([`crate::domain::permissions`]), else 403 saying who may.
    pub fn require(
        role: crate::domain::Role,
        capability: crate::domain::permissions::Capability,
    ) -> AppResult<()> {
        crate::domain::permissions::check(role, capability).map_err(AppError::Forbidden)
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            message: message.into(),
            details: json!({ "field": field }),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::BadRequest {
            code: "bad_request",
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } | AppError::Refund(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized | AppError::Signature { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_)
            | AppError::Transition(TransitionError::RoleNotAllowed { .. }) => StatusCode::FORBIDDEN,
            AppError::Conflict { .. } | AppError::Transition(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unavailable | AppError::NotConfigured(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } | AppError::Conflict { code, .. } => code,
            AppError::Invalid { .. } => "invalid",
            AppError::NotFound(_) => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Signature { .. } => "invalid_signature",
            AppError::Forbidden(_) => "forbidden",
            AppError::Transition(TransitionError::NotAllowed { .. }) => "transition_not_allowed",
            AppError::Transition(TransitionError::RoleNotAllowed { .. }) => "role_not_allowed",
            AppError::Transition(TransitionError::ReopenWindowPassed) => "reopen_window_passed",
            AppError::Refund(RefundError::ExceedsPaid { .. }) => "refund_exceeds_paid",
            AppError::Refund(RefundError::NothingLeft { .. }) => "nothing_left_to_refund",
            AppError::Refund(_) => "refund_invalid",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Unavailable => "unavailable",
            AppError::NotConfigured(_) => "not_configured",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn details(&self) -> Value {
        match self {
            AppError::Invalid { details, .. }
            | AppError::Conflict { details, .. }
            | AppError::Signature { details, .. } => details.clone(),
            AppError::Transition(TransitionError::NotAllowed {
                kind,
                status,
                action,
            }) => {
                json!({ "kind": kind, "status": status, "action": action })
            }
            AppError::Transition(TransitionError::RoleNotAllowed { role, action }) => {
                json!({ "role": role, "action": action })
            }
            AppError::Refund(RefundError::ExceedsPaid {
                order_line_id,
                requested_minor,
                remaining_minor,
                paid_minor,
            }) => json!({
                "order_line_id": order_line_id,
                "requested_minor": requested_minor,
                "remaining_minor": remaining_minor,
                "paid_minor": paid_minor,
            }),
            AppError::Refund(
                RefundError::NotPositive { order_line_id }
                | RefundError::LineNotInCase { order_line_id }
                | RefundError::DuplicateLine { order_line_id },
            ) => json!({ "order_line_id": order_line_id }),
            AppError::Refund(RefundError::NothingLeft { paid_minor }) => {
                json!({ "paid_minor": paid_minor, "remaining_minor": 0 })
            }
            _ => Value::Null,
        }
    }

    /// The JSON body sent to clients, with the request's id (the `X-Request-Id` its log lines
    /// carry) when there is one.
    pub fn body(&self) -> Value {
        let mut error =
            json!({ "code": self.code(), "message": self.to_string(), "details": self.details() });
        if let Some(id) = crate::http::observe::request_id() {
            error["request_id"] = json!(id);
        }
        json!({ "error": error })
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::PoolTimedOut => AppError::Unavailable,
            sqlx::Error::Database(database_error)
                if database_error.message().contains("database is locked")
                    || database_error.code().as_deref() == Some("40001") =>
            {
                AppError::Unavailable
            }
            _ => AppError::Internal(error.into()),
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(error: anyhow::Error) -> Self {
        AppError::Internal(error)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(source) = &self {
            tracing::error!(error = ?source, "internal error");
        }
        (self.status(), axum::Json(self.body())).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
