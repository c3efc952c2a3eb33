//! `/api/v1/cases…` handlers.

mod refunds;
mod timeline;
pub use refunds::*;
pub use timeline::*;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use super::idempotency;
use super::views::{
    CaseLineView, CaseView, ClockView, EventView, ListQuery, MessageView, Page, RefundView,
    SlaView, after, page_limit,
};
use crate::db::case_list::{self, AssigneeFilter, CaseFilter, CaseSort};
use crate::db::cases;
use crate::db::refunds as refund_records;
use crate::db::shops::Actor;
use crate::db::timers::{self, TimerRecord};
use crate::documents::label as label_document;
use crate::domain::CaseKind;
use crate::domain::lifecycle::{Moment, allowed_actions};
use crate::error::{AppError, AppResult};
use crate::operations::cases::{self as case_operations, CaseChanges, NewCaseInput, Visibility};
use crate::operations::refund_payments::{self, SettleInput, Settled};
use crate::operations::refunds::{self as refund_operations, RefundInput, RefundOutcome};
use crate::operations::transitions::{self, TransitionInput};
use crate::state::AppState;

/// The full view of one case: lines and the actions the caller may take.
async fn full_view(
    state: &AppState,
    actor: &Actor,
    case: cases::CaseRecord,
) -> AppResult<CaseView> {
    let reader = &state.database.reader;
    let lines = cases::lines(reader, &case.id).await?;
    let decision = cases::policy_decision(reader, &case.id).await?;
    let timers = timers::pending_for_case(reader, &case.id).await?;
    let sla = cases::read_sla(reader, &case.id).await?.unwrap_or_default();
    let now = state.clock.now();
    let mut view = view_with(actor, case, &lines, decision.as_deref(), &timers, now);
    view.sla = Some(SlaView::new(&actor.shop, &sla));
    Ok(view)
}

fn view_with(
    actor: &Actor,
    case: cases::CaseRecord,
    lines: &[cases::CaseLineRecord],
    decision: Option<&str>,
    timers: &[TimerRecord],
    now: i64,
) -> CaseView {
    let moment = Moment {
        now,
        ended_at: case.ended_at,
    };
    let actions = allowed_actions(case.kind, case.status, actor.role, moment);
    let suggested = actor
        .role
        .is_staff()
        .then(|| crate::operations::offers::suggestions(&case, lines));
    let mut view = CaseView::new(&actor.shop, case);
    view.suggested_compensation = suggested;
    view.lines = Some(lines.iter().map(CaseLineView::from).collect());
    view.policy = decision.and_then(|json| serde_json::from_str(json).ok());
    view.clocks = Some(
        timers
            .iter()
            .map(|timer| ClockView::new(&actor.shop, timer))
            .collect(),
    );
    view.allowed_actions = Some(
        actions
            .iter()
            .map(|action| action.as_str().to_string())
            .collect(),
    );
    view
}

#[utoipa::path(post, path = "/cases", operation_id = "createCase", tag = "cases", request_body = NewCaseInput,
    responses((status = 201, body = CaseView), (status = 422, description = "a field is not acceptable")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    key: Option<axum::Extension<idempotency::RequestKey>>,
    Json(input): Json<NewCaseInput>,
) -> AppResult<(StatusCode, axum::Json<CaseView>)> {
    let key = key.map(|axum::Extension(key)| key.0);
    if let Some(key) = &key
        && let Some(case) = case_operations::created_under(&state.database, &actor, key).await?
    {
        // A retry of a request that died after it opened the case: the case, once.
        return Ok((
            StatusCode::OK,
            axum::Json(full_view(&state, &actor, case).await?),
        ));
    }
    let created = case_operations::create(&state.database, &actor, &input, key.as_deref()).await?;
    let sla = cases::SlaState {
        first_response_due: Some(created.case.due_at),
        resolution_due: Some(created.resolution_due),
        ..cases::SlaState::default()
    };
    let mut view = view_with(
        &actor,
        created.case,
        &created.lines,
        created.policy_decision.as_deref(),
        &created.timers,
        state.clock.now(),
    );
    view.sla = Some(SlaView::new(&actor.shop, &sla));
    Ok((StatusCode::CREATED, axum::Json(view)))
}

#[utoipa::path(get, path = "/cases/{id}", operation_id = "getCase", tag = "cases", params(("id" = String, Path)),
    responses((status = 200, body = CaseView), (status = 404)), security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<CaseView>> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    Ok(axum::Json(full_view(&state, &actor, case).await?))
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListQuery {
    /// Comma-separated statuses, or `open` (every unfinished case) or `ended` (closed, cancelled, rejected).
    pub status: Option<String>,
    /// Comma-separated kinds.
    pub kind: Option<String>,
    /// A staff id, `me` or `none`.
    pub assignee: Option<String>,
    pub priority: Option<String>,
    pub reason_code: Option<String>,
    pub customer_id: Option<String>,
    /// Cases opened on or after this day (YYYY-MM-DD, the shop's zone) …
    pub created_from: Option<String>,
    /// … and on or before this one.
    pub created_to: Option<String>,
    /// Cases ended (closed, cancelled, rejected) on or after this day …
    pub ended_from: Option<String>,
    /// … and on or before this one.
    pub ended_to: Option<String>,
    /// `breached`: only cases that missed an SLA target.
    #[param(pattern = "^breached$")]
    pub sla: Option<String>,
    /// Only cases carrying this tag.
    pub tag: Option<String>,
    /// Only cases of orders from this platform (tmall, taobao, jd, pinduoduo, douyin, wechat, shopify, …).
    pub platform: Option<String>,
    /// `soon`: due within the next 24 hours (or overdue); `overdue`: past due.
    #[param(pattern = "^(soon|overdue)?$")]
    pub due: Option<String>,
    /// A substring of the case number, order number, customer name or phone, or description.
    pub q: Option<String>,
    /// due_at (default), created_at or updated_at; prefix `-` for descending.
    #[param(pattern = "^(-?(due_at|created_at|updated_at))?$")]
    pub sort: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// json (default), csv (UTF-8 with a BOM) or xlsx: a file of every case that matches
    /// (page and cursor aside), sent as it is read.
    #[param(pattern = "^(json|csv|xlsx)$")]
    #[serde(default)]
    pub format: Option<String>,
}

fn split(text: &str) -> impl Iterator<Item = &str> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
}

/// The span of two days typed (either may be left out), in the shop's zone.
fn days(
    from: Option<&str>,
    to: Option<&str>,
    zone: &jiff::tz::TimeZone,
) -> AppResult<Option<(i64, i64)>> {
    let from = from.map(str::trim).filter(|day| !day.is_empty());
    let to = to.map(str::trim).filter(|day| !day.is_empty());
    if from.is_none() && to.is_none() {
        return Ok(None);
    }
    crate::operations::period(from, to, zone).map(Some)
}

/// The filter a list query asks for; `now` places "due soon" and "overdue".
pub fn case_filter(actor: &Actor, query: &CaseListQuery, now: i64) -> AppResult<CaseFilter> {
    let mut filter = CaseFilter {
        statuses: Vec::new(),
        open: None,
        kinds: Vec::new(),
        assignee: None,
        priority: None,
        reason_code: query
            .reason_code
            .clone()
            .filter(|code| !code.trim().is_empty()),
        query: None,
        order_id: None,
        customer_id: query.customer_id.clone().filter(|id| !id.trim().is_empty()),
        sla_breached: match query.sla.as_deref().map(str::trim) {
            None | Some("") => false,
            Some("breached") => true,
            Some(other) => {
                return Err(AppError::invalid(
                    "sla",
                    format!("unknown sla filter '{other}'; use sla=breached"),
                ));
            }
        },
        tag: query
            .tag
            .as_deref()
            .map(str::trim)
            .filter(|tag| !tag.is_empty())
            .map(str::to_string),
        platform: query
            .platform
            .as_deref()
            .map(str::trim)
            .filter(|platform| !platform.is_empty())
            .map(str::to_lowercase),
        due_before: match query.due.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("soon") => Some(now + 24 * 3_600_000_000),
            Some("overdue") => Some(now),
            Some(other) => {
                return Err(AppError::invalid(
                    "due",
                    format!("unknown due filter '{other}'; use due=soon or due=overdue"),
                ));
            }
        },
        created_between: days(
            query.created_from.as_deref(),
            query.created_to.as_deref(),
            &actor.shop.time_zone,
        )?,
        ended_between: days(
            query.ended_from.as_deref(),
            query.ended_to.as_deref(),
            &actor.shop.time_zone,
        )?,
        sort: CaseSort::DueAt,
        after: None,
        limit: page_limit(query.limit)?,
    };
    for status in split(query.status.as_deref().unwrap_or_default()) {
        match status {
            "open" => filter.open = Some(true),
            "ended" => filter.open = Some(false),
            other => filter.statuses.push(case_operations::parse_status(other)?),
        }
    }
    for kind in split(query.kind.as_deref().unwrap_or_default()) {
        filter.kinds.push(
            CaseKind::parse(kind)
                .ok_or_else(|| AppError::invalid("kind", format!("unknown kind '{kind}'")))?,
        );
    }
    filter.assignee = match query
        .assignee
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
    {
        None => None,
        Some("none") => Some(AssigneeFilter::Nobody),
        Some("me") => Some(AssigneeFilter::Staff(actor.staff_id.clone().ok_or_else(
            || AppError::invalid("assignee", "this token belongs to no staff member"),
        )?)),
        Some(id) => Some(AssigneeFilter::Staff(id.to_string())),
    };
    if let Some(priority) = query
        .priority
        .as_deref()
        .filter(|text| !text.trim().is_empty())
    {
        filter.priority = Some(case_operations::parse_priority(priority)?);
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if q.chars().count() > 100 {
            return Err(AppError::invalid("q", "q is longer than 100 characters"));
        }
        filter.query = Some(q.to_lowercase());
    }
    if let Some(sort) = query.sort.as_deref().filter(|text| !text.trim().is_empty()) {
        filter.sort = CaseSort::parse(sort.trim()).ok_or_else(|| {
            AppError::invalid("sort", format!("unknown sort '{sort}'; use due_at, created_at or updated_at, with - for descending"))
        })?;
    }
    filter.after = after(query.cursor.as_deref())?;
    Ok(filter)
}

/// Runs a case list and renders the page.
pub async fn case_page(
    state: &AppState,
    actor: &Actor,
    filter: &CaseFilter,
) -> AppResult<Page<CaseView>> {
    let records = case_list::list(
        &state.database.reader,
        state.database.backend,
        &actor.shop.id,
        filter,
    )
    .await?;
    Ok(Page::of(
        records,
        filter.limit,
        |case| (filter.sort.key_of(case), case.id.as_str()),
        |case| CaseView::new(&actor.shop, case),
    ))
}

#[utoipa::path(get, path = "/cases", operation_id = "listCases", tag = "cases", params(CaseListQuery),
    responses((status = 200, content((Page<CaseView> = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "a page of cases; as a file, every case that matches")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<CaseListQuery>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let export = crate::http::Export::parse(query.format.as_deref())?;
    let filter = case_filter(&actor, &query, state.clock.now())?;
    if export != crate::http::Export::Json {
        let table = crate::operations::lists::cases(&state.database, &actor, &filter).await?;
        return crate::http::table_file(export, table).await;
    }
    Ok(axum::Json(case_page(&state, &actor, &filter).await?).into_response())
}

#[utoipa::path(post, path = "/cases/{id}/transitions", operation_id = "transitionCase", tag = "cases", params(("id" = String, Path)),
    request_body = TransitionInput,
    responses((status = 200, body = CaseView), (status = 409, description = "not allowed now, or a stale version"),
        (status = 403, description = "the role may not take this action")),
    security(("bearer" = [])))]
pub async fn transition(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<TransitionInput>,
) -> AppResult<axum::Json<CaseView>> {
    let case = transitions::transition(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(full_view(&state, &actor, case).await?))
}

/// A change to a case: send only what changes, with the version you saw.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub version: i64,
    /// A staff id, or null to unassign.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<String>>,
    #[schema(pattern = "^(low|normal|high|urgent)$")]
    pub priority: Option<String>,
    pub tags: Option<Vec<String>>,
    /// Corrects the reason (one of the shop's active reason codes): the suggestions learn from
    /// it; the policy's decision made when the case opened stays.
    pub reason_code: Option<String>,
}

/// Tells "absent" (None) from "null" (Some(None)).
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

#[utoipa::path(patch, path = "/cases/{id}", operation_id = "updateCase", tag = "cases", params(("id" = String, Path)), request_body = CasePatch,
    responses((status = 200, body = CaseView), (status = 409, description = "a stale version")), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(patch): Json<CasePatch>,
) -> AppResult<axum::Json<CaseView>> {
    let changes = CaseChanges {
        version: patch.version,
        assignee_id: patch.assignee_id,
        priority: patch.priority,
        tags: patch.tags,
        reason_code: patch.reason_code,
    };
    let case = case_operations::update(&state.database, &actor, &id, &changes).await?;
    Ok(axum::Json(full_view(&state, &actor, case).await?))
}
