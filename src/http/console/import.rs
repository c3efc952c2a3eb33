//! Importing orders from the console: a platform's export as it comes (or two, Taobao's order
//! and item reports), the report by row; a file whose layout is not recognised gets a mapping
//! step — each of its headers given one of the import's columns, saved under a name for next
//! time. The file waits in the mapping form (up to a few megabytes), so it is not chosen twice.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;

use super::{Frame, PageResult, Staff};
use crate::domain::layouts::{IMPORT_COLUMNS, SavedLayout};
use crate::http::console::error_text;
use crate::http::console::rows::Choice;
use crate::http::pages::{read_multipart, render};
use crate::operations::import::{ImportReport, Upload, headers, run};
use crate::state::AppState;

/// The largest file kept in the mapping form rather than chosen again.
const KEPT_BYTES: usize = 8 * 1024 * 1024;

/// One header of the file and the column it is mapped to.
pub struct MappedHeader {
    pub index: usize,
    pub header: String,
    pub column: String,
}

/// The mapping step: the file's headers, the columns, the file itself.
pub struct Mapping {
    pub headers: Vec<MappedHeader>,
    pub file_name: String,
    /// The file, base64, when small enough to keep; else it is chosen again.
    pub kept: String,
    pub save_as: String,
    pub platform: String,
}

#[derive(Template)]
#[template(path = "console/import.html")]
struct ImportPage {
    frame: Frame,
    error: String,
    report: Option<ImportReport>,
    mapping: Option<Mapping>,
    columns: Vec<Choice>,
    platforms: Vec<Choice>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    error: String,
    report: Option<ImportReport>,
    mapping: Option<Mapping>,
    status: StatusCode,
) -> PageResult {
    let language = staff.language;
    let view = ImportPage {
        frame: Frame::new(state, staff, "orders").await?,
        error,
        report,
        mapping,
        columns: IMPORT_COLUMNS
            .iter()
            .map(|column| Choice {
                code: column.to_string(),
                name: column.to_string(),
            })
            .collect(),
        platforms: Choice::named(language, "platform", crate::domain::order::PLATFORMS),
    };
    Ok(render(&view, status, language))
}

pub(super) async fn import_page(State(state): State<AppState>, staff: Staff) -> PageResult {
    page(&state, &staff, String::new(), None, None, StatusCode::OK).await
}

/// Runs the import; a layout not recognised (or a mapping that does not fit) shows the mapping
/// step with the file's headers.
pub(super) async fn import(
    State(state): State<AppState>,
    staff: Staff,
    multipart: axum::extract::Multipart,
) -> PageResult {
    let language = staff.language;
    let (fields, files) = match read_multipart(multipart).await {
        Ok(read) => read,
        Err(reason) => {
            let error = format!("{} ({reason})", language.text("console-import-unreadable"));
            return page(&state, &staff, error, None, None, StatusCode::BAD_REQUEST).await;
        }
    };
    staff.check_csrf(fields.get("csrf").map(String::as_str))?;
    let mut uploads: Vec<Upload> = files
        .into_iter()
        .filter(|file| !file.bytes.is_empty())
        .map(|file| Upload {
            name: Some(file.file_name),
            bytes: file.bytes,
        })
        .collect();
    // The file kept by the mapping step comes back with the mapping.
    if uploads.is_empty()
        && let Some(kept) = fields.get("kept").filter(|kept| !kept.is_empty())
        && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(kept)
    {
        uploads.push(Upload {
            name: fields.get("file_name").cloned(),
            bytes,
        });
    }
    if uploads.is_empty() {
        let error = language.text("console-import-no-file");
        return page(
            &state,
            &staff,
            error,
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let field = |name: &str| {
        fields
            .get(name)
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
    };
    // A mapping sent: `header_N` names the file's header, `column_N` its column.
    let mut columns = std::collections::BTreeMap::new();
    for index in 0..500 {
        let (Some(header), Some(column)) = (
            field(&format!("header_{index}")),
            field(&format!("column_{index}")),
        ) else {
            continue;
        };
        columns.insert(header, column);
    }
    let mapping = (!columns.is_empty()).then(|| SavedLayout {
        name: field("save_as").unwrap_or_else(|| "mapping".into()),
        platform: field("platform"),
        columns,
    });
    let save = field("save_as").is_some() && mapping.is_some();
    let mapped = mapping.clone();
    match run(&state.database, &staff.actor, &uploads, mapping, save).await {
        Ok(report) => {
            page(
                &state,
                &staff,
                String::new(),
                Some(report),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(error) => {
            let text = error_text(language, &error);
            // The mapping step, for a single file whose headers can be read.
            let step = match uploads.as_slice() {
                [upload] => headers(upload).ok().map(|names| Mapping {
                    headers: names
                        .into_iter()
                        .enumerate()
                        .map(|(index, header)| MappedHeader {
                            column: mapped
                                .as_ref()
                                .and_then(|mapping| mapping.columns.get(&header).cloned())
                                .unwrap_or_default(),
                            index,
                            header,
                        })
                        .collect(),
                    file_name: upload.name.clone().unwrap_or_default(),
                    kept: if upload.bytes.len() <= KEPT_BYTES {
                        base64::engine::general_purpose::STANDARD.encode(&upload.bytes)
                    } else {
                        String::new()
                    },
                    save_as: field("save_as").unwrap_or_default(),
                    platform: field("platform").unwrap_or_default(),
                }),
                _ => None,
            };
            page(&state, &staff, text, None, step, error.status()).await
        }
    }
}
