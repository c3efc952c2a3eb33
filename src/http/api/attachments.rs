//! `/api/v1/cases/{id}/attachments…`: photos and videos on a case.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Path, Query};
use super::views::{ListQuery, Page, page_limit, time};
use crate::db::attachments::{self, AttachmentRecord};
use crate::db::shops::Shop;
use crate::error::{AppError, AppResult};
use crate::operations::attachments::{self as operations, Upload};
use crate::operations::cases::{self as case_operations, Visibility};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: String,
    /// photo or video
    pub kind: String,
    /// As judged from the content: image/jpeg, image/png, image/webp, video/mp4, video/quicktime, video/webm.
    pub content_type: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// customer, agent, …
    pub author_role: String,
    pub created_at: String,
    /// customer (the customer sees it in the portal) or internal (staff only)
    pub visibility: String,
}

fn view(shop: &Shop, record: AttachmentRecord) -> AttachmentView {
    AttachmentView {
        created_at: time(shop, record.created_at),
        id: record.id,
        kind: record.kind,
        content_type: record.content_type,
        file_name: record.file_name,
        size_bytes: record.size_bytes,
        sha256: record.sha256,
        author_role: record.author_role,
        visibility: record.visibility,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name, for people; its type is judged from the content.
    pub file_name: Option<String>,
    /// `internal` (default: staff only, e.g. inspection photos) or `customer` (shown in the
    /// customer's portal). A customer's own files are always `customer`.
    #[param(pattern = "^(internal|customer)?$")]
    pub visibility: Option<String>,
}

#[utoipa::path(post, path = "/cases/{id}/attachments", operation_id = "uploadCaseAttachments", tag = "cases",
    params(("id" = String, Path), UploadQuery),
    request_body(content = Vec<u8>, description = "the file's bytes: a JPEG, PNG or WebP photo (≤ 10 MB, location data is removed) or an MP4, MOV or WebM video (≤ 30 MB)", content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentView), (status = 422, description = "not an accepted type, too large, or too many files on the case")),
    security(("bearer" = [])))]
/// Adds a photo or video to the case (at most 6 per case).
pub async fn upload(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Query(query): Query<UploadQuery>,
    body: Bytes,
) -> AppResult<(StatusCode, axum::Json<AttachmentView>)> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    if body.is_empty() {
        return Err(AppError::invalid(
            "body",
            "send the file's bytes as the request body",
        ));
    }
    let already = operations::count(&state.database, &case).await?;
    let upload = Upload {
        file_name: query.file_name.unwrap_or_else(|| "file".into()),
        bytes: body.to_vec(),
    };
    let checked =
        operations::check(vec![upload], already).map_err(|error| error.into_app_error())?;
    let visibility = match query.visibility.as_deref().map(str::trim) {
        None | Some("") | Some("internal") => Visibility::Internal,
        Some("customer") => Visibility::Customer,
        Some(other) => {
            return Err(AppError::invalid(
                "visibility",
                format!("unknown visibility '{other}'; use internal or customer"),
            ));
        }
    };
    let ids = operations::store(&state.database, &actor, &case, &checked, visibility).await?;
    let record = attachments::for_case(&state.database.writer, &case.id)
        .await?
        .into_iter()
        .find(|record| ids.contains(&record.id))
        .ok_or(AppError::Unavailable)?;
    Ok((StatusCode::CREATED, axum::Json(view(&actor.shop, record))))
}

#[utoipa::path(get, path = "/cases/{id}/attachments", operation_id = "listCaseAttachments", tag = "cases",
    params(("id" = String, Path), ListQuery),
    responses((status = 200, body = Page<AttachmentView>)), security(("bearer" = [])))]
/// The case's photos and videos, oldest first (without their bytes).
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(page): Query<ListQuery>,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Page<AttachmentView>>> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let records = attachments::for_case(&state.database.reader, &case.id).await?;
    Ok(axum::Json(Page::slice(
        records,
        page_limit(page.limit)?,
        page.cursor.as_deref(),
        |record| record.id.as_str(),
        |record| view(&actor.shop, record),
    )?))
}

#[utoipa::path(get, path = "/cases/{id}/attachments/{attachment_id}", operation_id = "getCaseAttachment", tag = "cases",
    params(("id" = String, Path), ("attachment_id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>, description = "the file, with its checked content type")),
    security(("bearer" = [])))]
/// One file's bytes.
pub async fn download(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, attachment_id)): Path<(String, String)>,
) -> AppResult<axum::response::Response> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let (record, content) = attachments::content(&state.database.reader, &case.id, &attachment_id)
        .await?
        .ok_or(AppError::NotFound("attachment"))?;
    Ok(crate::http::file_response(&record, content))
}
