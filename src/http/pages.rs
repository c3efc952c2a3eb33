//! What the server-rendered pages (the customer portal and the staff console) share: rendering
//! a template with its language, and times as people read them.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use std::collections::HashMap;

use axum::extract::Multipart;

use crate::domain::media::Refusal;
use crate::error::AppError;
use crate::i18n::Language;
use crate::operations::attachments::{Upload, UploadError};

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

/// The value of cookie `name`.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

/// The `lang=` of a query string, if there is one.
pub fn query_language(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
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

/// A form sent as multipart/form-data: its text fields and its files (empty file inputs are
/// skipped). `Err` carries the reason the body could not be read (e.g. too large).
pub async fn read_multipart(
    mut multipart: Multipart,
) -> Result<(HashMap<String, String>, Vec<Upload>), String> {
    let mut fields = HashMap::new();
    let mut files = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(error.body_text()),
        };
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                if crate::http::api::has_control(&file_name) {
                    return Err(CONTROL_REFUSAL.into());
                }
                let bytes = field.bytes().await.map_err(|error| error.body_text())?;
                if !bytes.is_empty() {
                    files.push(Upload {
                        file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let text = field.text().await.map_err(|error| error.body_text())?;
                if crate::http::api::has_control(&text) {
                    return Err(CONTROL_REFUSAL.into());
                }
                fields.insert(name, text);
            }
        }
    }
    Ok((fields, files))
}

/// An upload refusal in the reader's language.
pub fn upload_error_text(language: Language, error: &UploadError) -> String {
    match error {
        UploadError::TooMany { limit } => {
            language.text_with("portal-files-too-many", "number", &limit.to_string())
        }
        UploadError::File { file_name, refusal } => {
            let key = match refusal {
                Refusal::UnknownType => "portal-file-unknown",
                Refusal::TooLarge { .. } => "portal-file-too-large",
                Refusal::Damaged => "portal-file-damaged",
            };
            language.text_with(key, "name", file_name)
        }
    }
}

/// Who is asking: the socket's peer, or the client a trusted proxy names in `X-Forwarded-For`
/// (`APP_TRUSTED_PROXIES`); what the guessing limits count by.
pub struct ClientAddress(pub std::net::IpAddr);

impl axum::extract::FromRequestParts<crate::state::AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        use crate::domain::network::{Range, client_address};
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip())
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let trusted: Vec<Range> = state
            .config
            .trusted_proxies
            .iter()
            .filter_map(|range| Range::parse(range))
            .collect();
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok());
        Ok(ClientAddress(client_address(peer, forwarded, &trusted)))
    }
}

/// What a page says about text with control characters, in both languages.
pub const CONTROL_REFUSAL: &str = "输入中含有控制字符（例如 NUL），请删除后再提交。 \
     The text contains control characters (such as NUL); remove them and send again.";

/// Refuses control characters in a page's URL and in a URL-encoded form before any handler
/// sees them (multipart forms are checked by [`read_multipart`]): a 400 that says what to fix.
pub async fn reject_control(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let refused = || {
        let html = format!(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>400</title>\
             <main><h1>400</h1><p>{CONTROL_REFUSAL}</p><p><a href=\"javascript:history.back()\">返回 / Back</a></p></main></html>"
        );
        (StatusCode::BAD_REQUEST, Html(html)).into_response()
    };
    if crate::http::api::url_has_control(&request.uri().to_string()) {
        return refused();
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "表单过大 / The form is too large",
        )
            .into_response();
    };
    if form_urlencoded::parse(&bytes).any(|(name, value)| {
        crate::http::api::has_control(&name) || crate::http::api::has_control(&value)
    }) {
        return refused();
    }
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}

/// A 303 redirect to `target`, or a 400 when the target cannot be a header (CR, LF and other
/// control characters), instead of the panic `axum::response::Redirect::to` would give.
pub fn redirect(target: &str) -> Redirect {
    Redirect(HeaderValue::from_str(target).ok())
}

pub struct Redirect(Option<HeaderValue>);

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        match self.0 {
            Some(location) => {
                (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
            }
            None => (StatusCode::BAD_REQUEST, CONTROL_REFUSAL).into_response(),
        }
    }
}
