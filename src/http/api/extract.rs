//! Request parts: the caller behind the bearer token, and JSON, path and query extractors whose
//! rejections use the API's error shape.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::JSON_LIMIT;
use super::gate::Caller;
use crate::db::shops::Actor;
use crate::error::AppError;

/// The authenticated caller (found by [`super::gate::authenticate`] before the body was read).
/// Every query a handler makes is filtered by `actor.shop.id`.
pub struct Authenticated(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .map(|caller| Authenticated(caller.actor.clone()))
            .ok_or(AppError::Unauthorized)
    }
}

/// `axum::Json` with the API's errors.
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(JSON_LIMIT),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(
            "send the body as JSON with Content-Type: application/json".into(),
        ),
        _ => match rejection {
            JsonRejection::JsonDataError(error) => AppError::BadRequest {
                code: "invalid_json_data",
                message: format!("the JSON does not fit: {}", error.body_text()),
            },
            JsonRejection::JsonSyntaxError(error) => AppError::BadRequest {
                code: "malformed_json",
                message: format!("the body is not valid JSON: {}", error.body_text()),
            },
            other => AppError::bad_request(other.body_text()),
        },
    }
}

/// `axum::extract::Path` with the API's errors.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    axum::extract::Path<T>: FromRequestParts<S, Rejection = PathRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|rejection| AppError::bad_request(rejection.body_text()))
    }
}

/// `axum::extract::Query` with the API's errors.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    axum::extract::Query<T>: FromRequestParts<S, Rejection = QueryRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|rejection| AppError::BadRequest {
                code: "invalid_query",
                message: rejection.body_text(),
            })
    }
}

/// A file sent as its own bytes, or files of a form: `(form fields, [(name or content type,
/// bytes)])`. As `application/octet-stream` the bytes say what they are; as `text/csv` or XLSX
/// the content type does; as `multipart/form-data` 1 to `most` files with their names.
pub async fn uploaded(
    state: &crate::state::AppState,
    request: axum::extract::Request,
    most: usize,
    too_many: &str,
) -> Result<Uploaded, AppError> {
    let content_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if content_type.starts_with("multipart/form-data") {
        let multipart = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|rejection| AppError::bad_request(rejection.body_text()))?;
        let (fields, files) = crate::http::pages::read_multipart(multipart)
            .await
            .map_err(AppError::bad_request)?;
        if files.is_empty() || files.len() > most {
            return Err(AppError::invalid("file", too_many));
        }
        let files = files
            .into_iter()
            .map(|file| (Some(file.file_name), file.bytes))
            .collect();
        return Ok((fields, files));
    }
    let named = match content_type.starts_with("application/octet-stream") {
        true => None,
        false => {
            crate::operations::import::Format::from_name(&content_type).ok_or_else(|| {
                AppError::UnsupportedMediaType(
                    "send text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, \
                     application/octet-stream or multipart/form-data"
                        .into(),
                )
            })?;
            Some(content_type)
        }
    };
    let body = axum::body::Bytes::from_request(request, state)
        .await
        .map_err(|rejection| AppError::bad_request(rejection.body_text()))?;
    Ok((Default::default(), vec![(named, body.to_vec())]))
}

/// What [`uploaded`] read: the form's fields, and each file's name (or content type) and bytes.
pub type Uploaded = (
    std::collections::HashMap<String, String>,
    Vec<(Option<String>, Vec<u8>)>,
);
