//! What the server-rendered pages (the customer portal and the staff console) share: rendering
//! a template with its language, and times as people read them.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppError;
use crate::i18n::Language;

/// The page as HTML with its status and `Content-Language`.
pub fn render(template: &impl Template, status: StatusCode, language: Language) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            response.headers_mut().insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(language.code()),
            );
            response
        }
        Err(error) => AppError::Internal(anyhow::anyhow!("template: {error}")).into_response(),
    }
}

/// `2026-12-02 19:47` in the shop's time zone.
pub fn minutes(micros: i64, zone: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .map(|at| {
            at.to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Percent-encodes everything but letters, digits and `-_.` (for paths and query values).
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.') {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}
