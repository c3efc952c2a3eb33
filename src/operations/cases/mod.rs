//! Opening a case, moving it through its lifecycle, editing it, and talking on it.

mod create;
mod messages;
pub use create::*;
pub use messages::*;

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::transitions::version_conflict;
use super::{policy, sla, text_field};
use crate::db::batch::{self, Batch};
use crate::db::cases::{self, CaseLineRecord, CaseRecord, NewCase, NewEvent};
use crate::db::settings;
use crate::db::shops::{self, Actor};
use crate::db::timers::{self, NewTimer, TimerRecord};
use crate::db::{Database, dialect, new_id};
use crate::domain::clocks::{self, Clock, HOUR_MICROS};
use crate::domain::identifiers::{CaseNumber, EmailAddress, PhoneNumber};

use crate::domain::permissions::Capability;
use crate::domain::time::local_date;
use crate::domain::{Action, CaseKind, Priority, Role, Status};
use crate::error::{AppError, AppResult};

/// How long the shop has to answer a new case before it is overdue.

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseLineInput {
    /// The order line's number (1, 2, …) as listed on the order.
    pub line_number: i64,
    /// How many pieces of that line the case concerns; defaults to all of them.
    pub quantity: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCaseInput {
    pub order_number: String,
    /// refund_only, return_and_refund, exchange, repair, consultation or complaint.
    #[schema(pattern = "^(refund_only|return_and_refund|exchange|repair|consultation|complaint)$")]
    pub kind: String,
    /// One of the shop's reason codes (`GET /api/v1/reasons`).
    pub reason_code: String,
    #[schema(min_length = 1, max_length = 4000, pattern = "\\S")]
    pub description: String,
    #[serde(default)]
    pub lines: Vec<CaseLineInput>,
    #[serde(default)]
    pub contact: ContactInput,
    #[schema(pattern = "^(low|normal|high|urgent)$")]
    pub priority: Option<String>,
    pub assignee_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the request came from: api (default), phone, chat, email, portal, platform.
    pub channel: Option<String>,
}

fn parse_kind(text: &str) -> AppResult<CaseKind> {
    CaseKind::parse(text.trim()).ok_or_else(|| {
        let known: Vec<&str> = CaseKind::ALL.iter().map(|kind| kind.as_str()).collect();
        AppError::invalid(
            "kind",
            format!("unknown kind '{text}'; use one of: {}", known.join(", ")),
        )
    })
}

pub fn parse_priority(text: &str) -> AppResult<Priority> {
    Priority::parse(text.trim()).ok_or_else(|| {
        AppError::invalid(
            "priority",
            format!("unknown priority '{text}'; use low, normal, high or urgent"),
        )
    })
}

fn check_tags(tags: &[String]) -> AppResult<Vec<String>> {
    if tags.len() > 20 {
        return Err(AppError::invalid("tags", "at most 20 tags"));
    }
    let mut clean: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim();
        if tag.is_empty() || tag.chars().count() > 32 {
            return Err(AppError::invalid(
                "tags",
                format!("tag '{tag}' must be 1 to 32 characters"),
            ));
        }
        if !clean.iter().any(|existing| existing == tag) {
            clean.push(tag.to_string());
        }
    }
    Ok(clean)
}

async fn check_assignee(
    database: &Database,
    actor: &Actor,
    assignee_id: Option<&str>,
) -> AppResult<()> {
    if let Some(assignee_id) = assignee_id
        && !shops::is_member(&database.reader, &actor.shop.id, assignee_id).await?
    {
        return Err(AppError::invalid(
            "assignee_id",
            format!("'{assignee_id}' is not a member of this shop's staff"),
        ));
    }
    Ok(())
}

/// The shop's case, or 404 (a case of another shop does not exist for this caller).
pub async fn fetch(database: &Database, actor: &Actor, id: &str) -> AppResult<CaseRecord> {
    cases::get(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("case"))
}

/// A change of assignment, priority or tags. `assignee_id` is `Some(None)` to unassign.
#[derive(Debug, Clone, Default)]
pub struct CaseChanges {
    pub version: i64,
    pub assignee_id: Option<Option<String>>,
    pub priority: Option<String>,
    pub tags: Option<Vec<String>>,
    /// The reason corrected (one of the shop's active reasons); the policy's decision made when
    /// the case opened stays as it was.
    pub reason_code: Option<String>,
}

pub async fn update(
    database: &Database,
    actor: &Actor,
    id: &str,
    changes: &CaseChanges,
) -> AppResult<CaseRecord> {
    AppError::require(actor.role, Capability::EditCases)?;
    let priority = changes
        .priority
        .as_deref()
        .map(parse_priority)
        .transpose()?;
    let tags = changes.tags.as_deref().map(check_tags).transpose()?;
    if let Some(Some(assignee_id)) = &changes.assignee_id {
        check_assignee(database, actor, Some(assignee_id)).await?;
    }
    let shop = &actor.shop;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &shop.id, id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    if case.version != changes.version {
        return Err(version_conflict(&case, changes.version));
    }
    let assignee_id = match &changes.assignee_id {
        Some(assignee_id) => assignee_id.clone(),
        None => case.assignee_id.clone(),
    };
    let priority = priority.unwrap_or(case.priority);
    let tags = tags.unwrap_or_else(|| case.tags.clone());
    let reason_code = match changes.reason_code.as_deref().map(str::trim) {
        Some(code) if code != case.reason_code => {
            let reasons = crate::db::shops::list_reasons(&database.reader, &shop.id).await?;
            if !reasons
                .iter()
                .any(|reason| reason.code == code && reason.active)
            {
                return Err(AppError::invalid(
                    "reason_code",
                    format!("unknown reason code '{code}'; see GET /api/v1/reasons"),
                ));
            }
            code.to_string()
        }
        _ => case.reason_code.clone(),
    };
    let mut data = json!({});
    if reason_code != case.reason_code {
        data["reason_code"] = json!({ "from": case.reason_code, "to": reason_code });
    }
    if assignee_id != case.assignee_id {
        data["assignee_id"] = json!({ "from": case.assignee_id, "to": assignee_id });
    }
    if priority != case.priority {
        data["priority"] = json!({ "from": case.priority, "to": priority });
    }
    if tags != case.tags {
        data["tags"] = json!({ "from": case.tags, "to": tags });
    }
    if data.as_object().is_some_and(|changes| changes.is_empty()) {
        return Ok(case);
    }
    if !cases::set_fields(
        &mut transaction,
        &shop.id,
        id,
        case.version,
        assignee_id.as_deref(),
        priority,
        &tags,
        &reason_code,
        now,
    )
    .await?
    {
        return Err(version_conflict(&case, changes.version));
    }
    cases::insert_event(
        &mut transaction,
        &NewEvent {
            shop_id: &shop.id,
            case_id: id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action: "updated",
            from_status: None,
            to_status: None,
            data,
        },
    )
    .await?;
    transaction.commit().await?;
    fetch(database, actor, id).await
}

/// The statuses a filter may name, besides the groups `open` and `ended`.
pub fn parse_status(text: &str) -> AppResult<Status> {
    Status::parse(text.trim())
        .ok_or_else(|| AppError::invalid("status", format!("unknown status '{text}'")))
}
