//! An import of uploaded files, for every front end: each file read (its format from its name or
//! its bytes; a mapping given, else a platform's layout or one of the shop's saved ones), Taobao's
//! two reports joined, the rows stored; a mapping given a name is saved for next time.

use super::read::{Format, header_row};
use super::{ImportReport, combine, import, read, save_layout};
use crate::db::Database;
use crate::db::shops::Actor;
use crate::domain::layouts::SavedLayout;
use crate::error::{AppError, AppResult};

/// One uploaded file: its name (or content type) when known, and its bytes.
pub struct Upload {
    pub name: Option<String>,
    pub bytes: Vec<u8>,
}

impl Upload {
    fn format(&self) -> Format {
        self.name
            .as_deref()
            .and_then(Format::from_name)
            .unwrap_or_else(|| Format::from_bytes(&self.bytes))
    }
}

/// Imports one file, or Taobao's order and item reports together. `save` keeps `mapping` in
/// the shop's settings under its name (a setup change: supervisors and admins).
pub async fn run(
    database: &Database,
    actor: &Actor,
    uploads: &[Upload],
    mapping: Option<SavedLayout>,
    save: bool,
) -> AppResult<ImportReport> {
    if uploads.is_empty() || uploads.len() > 2 {
        return Err(AppError::invalid(
            "file",
            "send one file (or Taobao's order report and item report together)",
        ));
    }
    let saved = crate::db::settings::load(&database.reader, &actor.shop.id)
        .await?
        .import_layouts;
    let mut sheets = Vec::new();
    for upload in uploads {
        sheets.push(read(
            &upload.bytes,
            upload.format(),
            mapping.as_ref(),
            &saved,
        )?);
    }
    if let Some(mapping) = mapping.filter(|_| save) {
        save_layout(database, actor, mapping).await?;
    }
    let layouts: Vec<String> = sheets
        .iter()
        .filter_map(|sheet| sheet.read_as.clone())
        .collect();
    let rows = combine(sheets)?;
    let mut report = import(database, actor, &rows, &|_| {}).await;
    report.layouts = layouts;
    Ok(report)
}

/// The header row of an uploaded file, for a person to map its columns.
pub fn headers(upload: &Upload) -> AppResult<Vec<String>> {
    header_row(&upload.bytes, upload.format())
}
