//! Errors reach customers as a page in their language, never as JSON: the portal's handlers
//! answer with [`crate::error::AppError`], and this layer turns any JSON error it produced into
//! an HTML page that says what happened and where to go next.

use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::http::pages::{query_language, render};
use crate::i18n::Language;

#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage {
    language: Language,
    heading: String,
    message: String,
    back: String,
    start: String,
    start_text: String,
    switch: String,
    /// For a failure on our side: the words and the request's id, which the logs carry.
    reference: Option<(String, String)>,
}

/// The portal's layer: JSON errors out of a handler become the error page.
pub async fn html_errors(request: Request, next: Next) -> Response {
    let language = Language::choose(query_language(request.uri().query()), request.headers());
    let start = request
        .uri()
        .path()
        .split('/')
        .nth(2)
        .filter(|slug| !slug.is_empty())
        .map(|slug| format!("/portal/{slug}"))
        .unwrap_or_else(|| "/portal".into());
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !(response.status().is_client_error() || response.status().is_server_error()) || !is_json {
        return response;
    }
    let status = response.status();
    let Ok(body) = axum::body::to_bytes(response.into_body(), 64 * 1024).await else {
        return status.into_response();
    };
    let error: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    error_page(language, status, start, error["error"]["message"].as_str())
}

/// The error page a person reads: what happened in their language, a way back, a way to start.
pub fn error_page(
    language: Language,
    status: StatusCode,
    start: String,
    detail: Option<&str>,
) -> Response {
    let page = ErrorPage {
        language,
        heading: language.text("portal-error-heading"),
        message: message(language, status, detail),
        back: language.text("portal-error-back"),
        start,
        start_text: language.text("portal-error-start"),
        switch: language.text("portal-language"),
        reference: status
            .is_server_error()
            .then(crate::http::observe::request_id)
            .flatten()
            .map(|id| (language.text("portal-error-reference"), id)),
    };
    render(&page, status, language)
}

/// What the customer reads: the words for the kind of error, and in English the detail too.
fn message(language: Language, status: StatusCode, detail: Option<&str>) -> String {
    let key = match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => "portal-error-not-found",
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "portal-error-forbidden",
        StatusCode::TOO_MANY_REQUESTS => "portal-error-too-many",
        StatusCode::PAYLOAD_TOO_LARGE => "portal-error-too-large",
        StatusCode::CONFLICT => "portal-error-conflict",
        status if status.is_server_error() => "portal-error-unavailable",
        _ => "portal-error-invalid",
    };
    let text = language.text(key);
    match (language, detail) {
        (Language::English, Some(detail)) if !status.is_server_error() => {
            format!("{text} ({detail})")
        }
        _ => text,
    }
}
