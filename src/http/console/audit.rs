//! The audit page (supervisors and admins): who changed the shop's setup, when and what, and
//! the kept versions of the settings, each restorable. The same operations as the API.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::form::{Empty, Posted};
use super::{Frame, PageResult, Staff};
use crate::domain::permissions::{Capability, allows};
use crate::http::pages::{minutes, render};
use crate::operations::{audit, settings};
use crate::state::AppState;

/// Entries per page.
const PAGE: i64 = 50;

pub struct EntryRow {
    pub sequence: i64,
    pub at: String,
    pub who: String,
    pub action: String,
    pub target: String,
    /// What changed, as compact JSON.
    pub changes: String,
}

pub struct VersionRow {
    pub version: i64,
    pub at: String,
    pub who: String,
    pub how: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    frame: Frame,
    entries: Vec<EntryRow>,
    /// The sequence to show older entries before, when there are more.
    older: Option<i64>,
    versions: Vec<VersionRow>,
    can_restore: bool,
    restored: Option<i64>,
}

#[derive(Deserialize, Default)]
pub(super) struct AuditQuery {
    before: Option<i64>,
    restored: Option<i64>,
}

pub(super) async fn audit_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<AuditQuery>,
) -> PageResult {
    let zone = &staff.actor.shop.time_zone;
    let language = staff.language;
    let entries = audit::page(&state.database, &staff.actor, query.before, PAGE).await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|entry| entry.sequence))
        .flatten();
    let entries = entries
        .into_iter()
        .map(|entry| EntryRow {
            sequence: entry.sequence,
            at: minutes(entry.at, zone),
            who: entry
                .actor_name
                .unwrap_or_else(|| language.text(&format!("role-{}", entry.actor_role))),
            action: language.text_or(
                &format!("audit-{}", entry.action.replace('.', "-")),
                &entry.action,
            ),
            target: entry.target,
            changes: entry.changes,
        })
        .collect();
    let versions = settings::versions(&state.database, &staff.actor, None, 20)
        .await?
        .into_iter()
        .map(|version| VersionRow {
            version: version.version,
            at: minutes(version.changed_at, zone),
            who: version.changed_by_name.unwrap_or_default(),
            how: how_text(language, &version.how),
        })
        .collect();
    let view = AuditPage {
        frame: Frame::new(&state, &staff, "audit").await?,
        entries,
        older,
        versions,
        can_restore: allows(staff.role(), Capability::ManageSettings),
        restored: query.restored,
    };
    Ok(render(&view, StatusCode::OK, staff.language))
}

/// How a version came about, in the reader's language ("restored from version 3" …).
fn how_text(language: crate::i18n::Language, how: &str) -> String {
    match how.strip_prefix("restored from version ") {
        Some(version) => language.text_with("audit-how-restored", "number", version),
        None => language.text_or(&format!("audit-how-{}", how.replace(' ', "-")), how),
    }
}

/// Makes a kept version of the settings current again (itself kept as a new version).
pub(super) async fn restore(
    State(state): State<AppState>,
    Path(version): Path<i64>,
    Posted { staff, .. }: Posted<Empty>,
) -> PageResult {
    settings::restore(&state.database, &staff.actor, version).await?;
    Ok(crate::http::pages::redirect(&format!("/console/audit?restored={version}")).into_response())
}
