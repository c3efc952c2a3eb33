//! `/api/v1/audit`: who changed the shop's setup, when and what (supervisors and admins).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Query};
use super::views::{Page, after, page_limit, time};
use crate::domain::audit::Entry;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// 1, 2, 3 … per shop, without gaps.
    pub sequence: i64,
    pub at: String,
    pub actor_role: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    /// settings.saved, staff.invited, staff.role_changed, staff.removed, token.created,
    /// token.revoked, webhook.created, webhook.removed, integration.secret_set, reason.saved
    pub action: String,
    pub target: String,
    /// What changed: before and after per section, or the new record's fields.
    #[schema(value_type = Object)]
    pub changes: Value,
    /// SHA-256 over the previous entry's hash and this entry (`aftersale audit verify`).
    pub hash: String,
    pub previous_hash: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

#[utoipa::path(get, path = "/audit", operation_id = "listAuditEntries", tag = "policy", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntryView>, description = "newest first"),
        (status = 403, description = "only supervisors and admins read the audit log")),
    security(("bearer" = [])))]
/// The shop's audit log, newest first.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<AuditQuery>,
) -> AppResult<axum::Json<Page<AuditEntryView>>> {
    let limit = page_limit(query.limit)?;
    let before = after(query.cursor.as_deref())?.map(|(sequence, _)| sequence);
    let entries = crate::operations::audit::page(&state.database, &actor, before, limit).await?;
    Ok(axum::Json(Page::of(
        entries,
        limit,
        |entry| (entry.sequence, ""),
        |entry: Entry| AuditEntryView {
            sequence: entry.sequence,
            at: time(&actor.shop, entry.at),
            actor_role: entry.actor_role,
            actor_id: entry.actor_id,
            actor_name: entry.actor_name,
            action: entry.action,
            target: entry.target,
            changes: serde_json::from_str(&entry.changes).unwrap_or_default(),
            hash: entry.hash,
            previous_hash: entry.previous_hash,
        },
    )))
}
