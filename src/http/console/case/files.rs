//! Photos and videos on the case page, and the return label.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Typed, shown};
use crate::db::attachments;
use crate::documents::label::Size;
use crate::error::AppError;
use crate::http::console::{PageError, PageResult, Staff};
use crate::http::pages::{read_multipart, upload_error_text};
use crate::operations::attachments as attachment_operations;
use crate::operations::cases as case_operations;
use crate::state::AppState;

/// Photos or videos the staff add (e.g. the condition of a returned parcel), checked from their
/// bytes like the customer's.
pub(in crate::http::console) async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    multipart: axum::extract::Multipart,
) -> PageResult {
    let language = staff.language;
    let (fields, files) = match read_multipart(multipart).await {
        Ok(read) => read,
        Err(reason) => {
            let error = format!("{} ({reason})", language.text("portal-files-unreadable"));
            return refused(&state, &staff, &id, error).await;
        }
    };
    staff.check_csrf(fields.get("csrf").map(String::as_str))?;
    let case = case_operations::fetch(&state.database, &staff.actor, &id).await?;
    if files.is_empty() {
        return refused(&state, &staff, &id, language.text("portal-files-none")).await;
    }
    let already = attachment_operations::count(&state.database, &case).await?;
    match attachment_operations::check(files, already) {
        Ok(checked) => {
            let visibility = match fields.get("visibility").map(String::as_str) {
                Some("customer") => crate::operations::cases::Visibility::Customer,
                _ => crate::operations::cases::Visibility::Internal,
            };
            attachment_operations::store(
                &state.database,
                &staff.actor,
                &case,
                &checked,
                visibility,
            )
            .await?;
            Ok(
                crate::http::pages::redirect(&format!("/console/cases/{id}?done=files#files"))
                    .into_response(),
            )
        }
        Err(error) => refused(&state, &staff, &id, upload_error_text(language, &error)).await,
    }
}

/// The case page again, with why the files were not taken next to the upload form.
async fn refused(state: &AppState, staff: &Staff, id: &str, error: String) -> PageResult {
    let typed = Typed {
        form: "files".into(),
        fields: HashMap::new(),
        error,
    };
    shown(
        state,
        staff,
        id,
        typed,
        String::new(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub(in crate::http::console) async fn attachment(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, attachment_id)): Path<(String, String)>,
) -> PageResult {
    let case = case_operations::fetch(&state.database, &staff.actor, &id).await?;
    let (record, content) = attachments::content(&state.database.reader, &case.id, &attachment_id)
        .await?
        .ok_or(AppError::NotFound("attachment"))?;
    Ok(crate::http::file_response(&record, content))
}

#[derive(Deserialize)]
pub(in crate::http::console) struct LabelQuery {
    size: Option<String>,
}

pub(in crate::http::console) async fn label(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<LabelQuery>,
) -> Result<Response, PageError> {
    let size = Size::parse(query.size.as_deref().unwrap_or("a4")).unwrap_or(Size::A4);
    let case = case_operations::fetch(&state.database, &staff.actor, &id).await?;
    Ok(crate::http::label_pdf(&state, &staff.actor.shop, &case, size).await?)
}
