//! Photos and videos on a case: checked from their bytes, stripped of location, stored with a
//! timeline event in one transaction.

use super::cases::Visibility;
use serde_json::json;

use crate::db::Database;
use crate::db::attachments::{self, NewAttachment};
use crate::db::cases::{self, CaseRecord, NewEvent};
use crate::db::shops::Actor;
use crate::domain::media::{self, FILES_LIMIT, Media, Refusal};
use crate::error::{AppError, AppResult};

/// A file as it arrived.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A file that passed the checks, ready to store.
pub struct Checked {
    pub media: Media,
    pub file_name: String,
    pub content: Vec<u8>,
}

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    /// More files than a case may hold.
    TooMany { limit: usize },
    /// One file is refused.
    File { file_name: String, refusal: Refusal },
}

impl UploadError {
    pub fn into_app_error(self) -> AppError {
        match self {
            UploadError::TooMany { limit } => AppError::invalid(
                "files",
                format!("a case holds at most {limit} files; remove some and try again"),
            ),
            UploadError::File { file_name, refusal } => {
                let reason = match refusal {
                    Refusal::UnknownType => "is not a JPEG, PNG or WebP photo nor an MP4, MOV or WebM video (judged from its content, not its name)".to_string(),
                    Refusal::TooLarge { kind, limit_bytes } => format!(
                        "is larger than the {} MB allowed for a {}",
                        limit_bytes / (1024 * 1024),
                        kind.as_str()
                    ),
                    Refusal::Damaged => "is damaged (its structure cannot be read)".to_string(),
                };
                AppError::invalid("files", format!("'{file_name}' {reason}"))
            }
        }
    }
}

/// Checks every file before any is stored; `already` files are on the case.
pub fn check(uploads: Vec<Upload>, already: usize) -> Result<Vec<Checked>, UploadError> {
    if uploads.len() + already > FILES_LIMIT {
        return Err(UploadError::TooMany { limit: FILES_LIMIT });
    }
    uploads
        .into_iter()
        .map(|upload| {
            let file_name = clean_name(&upload.file_name);
            match media::accept(&upload.bytes) {
                Ok((media, content)) => Ok(Checked {
                    media,
                    file_name,
                    content,
                }),
                Err(refusal) => Err(UploadError::File { file_name, refusal }),
            }
        })
        .collect()
}

/// A file name safe to show and to send back in a header: no path, no control characters,
/// at most 120 characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|character| !character.is_control() && *character != '"')
        .take(120)
        .collect();
    if cleaned.trim().is_empty() {
        "file".into()
    } else {
        cleaned.trim().to_string()
    }
}

/// Stores checked files on the case with one timeline event.
pub async fn store(
    database: &Database,
    actor: &Actor,
    case: &CaseRecord,
    files: &[Checked],
    visibility: Visibility,
) -> AppResult<Vec<String>> {
    // What a customer uploads is theirs to see; staff choose.
    let visibility = if actor.role.is_staff() {
        visibility
    } else {
        Visibility::Customer
    };
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let mut ids = Vec::with_capacity(files.len());
    for file in files {
        ids.push(
            attachments::insert(
                &mut transaction,
                &NewAttachment {
                    shop_id: &actor.shop.id,
                    case_id: &case.id,
                    kind: file.media.kind.as_str(),
                    content_type: file.media.content_type,
                    file_name: &file.file_name,
                    content: &file.content,
                    author_role: actor.role.as_str(),
                    author_id: actor.staff_id.as_deref(),
                    visibility: visibility.as_str(),
                    now,
                },
            )
            .await?,
        );
    }
    cases::insert_event(
        &mut transaction,
        &NewEvent {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action: "attached",
            from_status: None,
            to_status: None,
            data: json!({
                "attachments": ids,
                "file_names": files.iter().map(|file| file.file_name.as_str()).collect::<Vec<_>>(),
                "visibility": visibility.as_str(),
            }),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(ids)
}

/// How many files the case holds now.
pub async fn count(database: &Database, case: &CaseRecord) -> AppResult<usize> {
    let count = attachments::count_for_case(&database.reader, &case.id).await?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}
