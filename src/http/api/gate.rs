//! The API's door, before any body is read: who is calling (the bearer token, with the power its
//! owner has today), whether the body may be as large as it says, and whether the text in the
//! URL and a JSON body is free of control characters.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ATTACHMENT_LIMIT, IMPORT_LIMIT, JSON_LIMIT};
use crate::db::shops::Actor;
use crate::db::tokens;
use crate::domain::signing::token_hash;
use crate::error::AppError;
use crate::state::AppState;

/// The caller, as the door found it; handlers read it through [`super::Authenticated`].
#[derive(Clone)]
pub struct Caller {
    pub actor: Actor,
    pub token_id: String,
}

/// The largest body a route takes: uploads and imports are large, everything else is JSON.
pub fn body_limit(method: &Method, path: &str) -> usize {
    if method != Method::POST {
        return JSON_LIMIT;
    }
    if path.ends_with("/attachments") {
        ATTACHMENT_LIMIT
    } else if path.ends_with("/import") || path.ends_with("/customers/tiers") {
        // Orders, platform after-sales records, reviews, articles, member tiers: files.
        IMPORT_LIMIT
    } else {
        JSON_LIMIT
    }
}

fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

async fn find_bearer(
    state: &AppState,
    hash: String,
    now: i64,
) -> Result<Option<tokens::Bearer>, sqlx::Error> {
    if let Some(bearer) = state.tokens.get(&hash) {
        return Ok(Some(bearer));
    }
    let generation = tokens::generation();
    let found = tokens::bearer(&state.database.reader, &hash, now).await?;
    if let Some(bearer) = &found {
        state.tokens.put(hash, generation, bearer.clone());
    }
    Ok(found)
}

/// Tokens whose last use was written recently, so a busy client does not write on every call.
static TOUCHED: Mutex<Option<HashMap<String, Instant>>> = Mutex::new(None);
const TOUCH_EVERY: Duration = Duration::from_secs(60);

fn needs_touch(token_id: &str) -> bool {
    let mut touched = TOUCHED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let touched = touched.get_or_insert_with(HashMap::new);
    if touched
        .get(token_id)
        .is_some_and(|at| at.elapsed() < TOUCH_EVERY)
    {
        return false;
    }
    if touched.len() > 10_000 {
        touched.retain(|_, at| at.elapsed() < TOUCH_EVERY);
    }
    touched.insert(token_id.to_string(), Instant::now());
    true
}

/// Authenticates every API request before its body is read; refuses a declared body larger than
/// the route takes.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(token) = bearer(&request) else {
        return AppError::Unauthorized.into_response();
    };
    let now = state.clock.now();
    let found = match find_bearer(&state, token_hash(token), now).await {
        Ok(found) => found,
        Err(error) => return AppError::from(error).into_response(),
    };
    let Some(found) = found else {
        return AppError::Unauthorized.into_response();
    };
    if found
        .last_used_at
        .is_none_or(|at| now - at >= TOUCH_EVERY.as_micros() as i64)
        && needs_touch(&found.token_id)
    {
        let database = state.database.clone();
        let token_id = found.token_id.clone();
        tokio::spawn(async move {
            if let Err(error) = tokens::touch(&database, &token_id, now).await {
                tracing::warn!(%error, "could not note a token's last use");
            }
        });
    }
    let limit = body_limit(request.method(), request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return AppError::PayloadTooLarge(limit).into_response();
    }
    request.extensions_mut().insert(Caller {
        actor: found.actor,
        token_id: found.token_id,
    });
    next.run(request).await
}

/// Whether JSON text holds a control character other than tab, line feed and carriage return,
/// written raw or as an escape (`\u0000`, `\b`, `\f`).
pub fn json_has_control(bytes: &[u8]) -> bool {
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => {
                match bytes.get(index + 1) {
                    Some(b'b' | b'f') => return true,
                    Some(b'u') => {
                        let code = bytes
                            .get(index + 2..index + 6)
                            .and_then(|hex| std::str::from_utf8(hex).ok())
                            .and_then(|hex| u32::from_str_radix(hex, 16).ok());
                        if code.is_some_and(is_refused_control) {
                            return true;
                        }
                        index += 6;
                        continue;
                    }
                    _ => {}
                }
                index += 2;
            }
            byte if byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r') => return true,
            _ => index += 1,
        }
    }
    false
}

/// C0 controls but tab, line feed and carriage return; DEL; C1 controls.
pub fn is_refused_control(code: u32) -> bool {
    (code < 0x20 && !matches!(code, 0x09 | 0x0a | 0x0d)) || (0x7f..=0x9f).contains(&code)
}

/// Whether text holds a refused control character.
pub fn has_control(text: &str) -> bool {
    text.chars()
        .any(|character| is_refused_control(character as u32))
}

/// Whether a URL holds any control character once decoded: line breaks and tabs are text in a
/// form's field, never in a path or a query.
pub fn url_has_control(uri: &str) -> bool {
    percent_encoding::percent_decode_str(uri)
        .decode_utf8_lossy()
        .chars()
        .any(char::is_control)
}

/// Refuses control characters in the URL and in a JSON body: no field may hold one (PostgreSQL
/// cannot store NUL at all), so it is a client error, said plainly.
pub async fn reject_control(request: Request, next: Next) -> Response {
    let refused = || {
        AppError::bad_request(
            "text may not contain control characters such as NUL (\\u0000); remove them and send again",
        )
        .into_response()
    };
    if url_has_control(&request.uri().to_string()) {
        return refused();
    }
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().contains("json"));
    if !is_json {
        return next.run(request).await;
    }
    let limit = body_limit(request.method(), request.uri().path());
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return AppError::PayloadTooLarge(limit).into_response();
    };
    if json_has_control(&bytes) {
        return refused();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_raw_and_escaped() {
        assert!(json_has_control(br#"{"a":"x\u0000"}"#));
        assert!(json_has_control(br#"{"a":"\u001B[31m"}"#));
        assert!(json_has_control(br#"{"a":"\b"}"#));
        assert!(json_has_control(b"{\"a\":\"\x01\"}"));
        assert!(json_has_control(br#"{"a":"\u0085"}"#));
        // Line breaks and tabs are text; an escaped backslash before "u0000" is not an escape.
        assert!(!json_has_control(br#"{"a":"line\nnext\ttab\r"}"#));
        assert!(!json_has_control(br#"{"a":"C:\\u0000"}"#));
        assert!(!json_has_control("{\"a\":\"退款 \\u4e2d\"}".as_bytes()));
    }
}
