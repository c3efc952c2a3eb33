//! Quality audits in the console: the half-month's audits (a supervisor sees all, an agent their
//! own), drawing them, and an audit's page with the case's timeline beside the scorecard, where
//! an auditor scores (or calibrates), the agent disputes once and a supervisor answers.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::form::Posted;
use super::{Frame, PageResult, Staff};
use crate::db::audits::AuditRecord;
use crate::domain::permissions::{Capability, allows};
use crate::error::AppError;
use crate::http::pages::render;
use crate::i18n::Language;
use crate::operations::audits::{self as operations, AnswerInput, DisputeInput, ScoreInput};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct PeriodForm {
    period: Option<String>,
}

pub struct Row {
    pub id: String,
    pub case_number: String,
    pub agent: String,
    pub state: String,
    pub total: String,
    pub calibration: bool,
}

#[derive(Template)]
#[template(path = "console/audits.html")]
struct AuditsPage {
    frame: Frame,
    period: String,
    can_audit: bool,
    notice: Option<String>,
    error: Option<String>,
    rows: Vec<Row>,
}

fn total_of(audit: &AuditRecord) -> String {
    match (audit.total, audit.final_total) {
        (_, Some(final_total)) => final_total.to_string(),
        (Some(total), None) => total.to_string(),
        _ => "—".into(),
    }
}

async fn names(state: &AppState, staff: &Staff) -> Result<Vec<(String, String)>, AppError> {
    Ok(crate::db::cost_reports::staff_names(&state.database.reader, &staff.actor.shop.id).await?)
}

fn name_of(names: &[(String, String)], id: &str) -> String {
    names
        .iter()
        .find(|(staff_id, _)| staff_id == id)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| id.to_string())
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    period: Option<String>,
    notice: Option<String>,
    refused: Option<String>,
) -> PageResult {
    let language = staff.language;
    let listed = match &refused {
        Some(_) => Ok(Vec::new()),
        None => operations::list(&state.database, &staff.actor, period.as_deref()).await,
    };
    let (found, error, status) = match listed {
        Ok(found) if refused.is_some() => (found, refused, StatusCode::UNPROCESSABLE_ENTITY),
        Ok(found) => (found, None, StatusCode::OK),
        Err(error @ AppError::Invalid { .. }) => (
            Vec::new(),
            Some(super::error_text(language, &error)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(error) => return Err(error.into()),
    };
    let names = names(state, staff).await?;
    let shown = AuditsPage {
        frame: Frame::new(state, staff, "audits").await?,
        can_audit: allows(staff.actor.role, Capability::AuditCases),
        period: found
            .first()
            .map(|audit| audit.period.clone())
            .or(period)
            .unwrap_or_default(),
        notice,
        error,
        rows: found
            .iter()
            .map(|audit| Row {
                id: audit.id.clone(),
                case_number: audit.case_number.clone(),
                agent: name_of(&names, &audit.agent_id),
                state: language.text(&format!("qa-state-{}", audit.state)),
                total: total_of(audit),
                calibration: audit.calibrates.is_some(),
            })
            .collect(),
    };
    Ok(render(&shown, status, language))
}

pub(super) async fn audits_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(form): Query<PeriodForm>,
) -> PageResult {
    list_page(&state, &staff, form.period, None, None).await
}

pub(super) async fn draw(
    State(state): State<AppState>,
    Posted { staff, form }: Posted<PeriodForm>,
) -> PageResult {
    match operations::draw(&state.database, &staff.actor, form.period.as_deref(), None).await {
        Ok((period, drawn)) => {
            let key = if drawn { "qa-drawn" } else { "qa-drawn-before" };
            let notice = staff.language.text(key);
            list_page(&state, &staff, Some(period), Some(notice), None).await
        }
        Err(error @ AppError::Invalid { .. }) => {
            let sentence = super::error_text(staff.language, &error);
            list_page(&state, &staff, form.period, None, Some(sentence)).await
        }
        Err(error) => Err(error.into()),
    }
}

pub struct Line {
    pub key: String,
    pub label: String,
    pub weight: u32,
    pub score: String,
}

pub struct Step {
    pub at: String,
    pub who: String,
    pub what: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "console/quality_audit.html")]
struct AuditPage {
    frame: Frame,
    audit: AuditRecord,
    agent: String,
    state: String,
    lines: Vec<Line>,
    steps: Vec<Step>,
    calibrations: Vec<(String, String)>,
    can_audit: bool,
    is_agent: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn audit_page(
    state: &AppState,
    staff: &Staff,
    id: &str,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let language = staff.language;
    let audit = operations::get(&state.database, &staff.actor, id).await?;
    let settings = crate::db::settings::get(&state.database, &staff.actor.shop.id).await?;
    let names = names(state, staff).await?;
    let zone = &staff.actor.shop.time_zone;
    let steps = crate::db::cases::events(&state.database.reader, &audit.case_id)
        .await?
        .into_iter()
        .map(|event| Step {
            at: crate::domain::time::format_in_zone(event.at, zone),
            who: event
                .actor_id
                .as_deref()
                .map(|id| name_of(&names, id))
                .unwrap_or_else(|| language.text(&format!("role-{}", event.actor_role))),
            what: language.text_or(&format!("action-{}", event.action), &event.action),
            note: ["note", "reason", "comment"]
                .iter()
                .find_map(|key| event.data[key].as_str())
                .unwrap_or_default()
                .to_string(),
        })
        .collect();
    let calibrations = crate::db::audits::list(
        &state.database.reader,
        &staff.actor.shop.id,
        &audit.round_id,
        None,
    )
    .await?
    .into_iter()
    .filter(|other| other.calibrates.as_deref() == Some(audit.id.as_str()))
    .map(|other| {
        (
            other
                .auditor_id
                .as_deref()
                .map(|id| name_of(&names, id))
                .unwrap_or_default(),
            total_of(&other),
        )
    })
    .collect();
    let page = AuditPage {
        frame: Frame::new(state, staff, "audits").await?,
        agent: name_of(&names, &audit.agent_id),
        state: language.text(&format!("qa-state-{}", audit.state)),
        lines: settings
            .audits
            .scorecard()
            .into_iter()
            .map(|criterion| Line {
                score: audit.scores[&criterion.key]
                    .as_u64()
                    .map(|score| score.to_string())
                    .unwrap_or_default(),
                label: match language {
                    Language::Chinese => criterion.zh,
                    Language::English => criterion.en,
                },
                weight: criterion.weight,
                key: criterion.key,
            })
            .collect(),
        steps,
        calibrations,
        can_audit: allows(staff.actor.role, Capability::AuditCases),
        is_agent: staff.actor.staff_id.as_deref() == Some(audit.agent_id.as_str()),
        notice,
        error: error.clone(),
        audit,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(&page, status, language))
}

pub(super) async fn audit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    audit_page(&state, &staff, &id, None, None).await
}

/// The scorecard sent: `score_{key}` fields and a comment.
pub(super) async fn score(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, form }: Posted<BTreeMap<String, String>>,
) -> PageResult {
    let mut scores = BTreeMap::new();
    for (field, value) in &form {
        if let Some(key) = field.strip_prefix("score_")
            && let Ok(score) = value.trim().parse::<u32>()
        {
            scores.insert(key.to_string(), score);
        }
    }
    let input = ScoreInput {
        scores,
        comment: form.get("comment").cloned(),
    };
    respond(
        &state,
        &staff,
        &id,
        operations::score(&state.database, &staff.actor, &id, &input).await,
        "qa-scored",
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct TextForm {
    #[serde(default)]
    text: String,
    total: Option<String>,
}

pub(super) async fn dispute(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, form }: Posted<TextForm>,
) -> PageResult {
    let input = DisputeInput { text: form.text };
    respond(
        &state,
        &staff,
        &id,
        operations::dispute(&state.database, &staff.actor, &id, &input).await,
        "qa-disputed",
    )
    .await
}

pub(super) async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, form }: Posted<TextForm>,
) -> PageResult {
    let input = AnswerInput {
        text: form.text,
        total: form
            .total
            .as_deref()
            .and_then(|total| total.trim().parse().ok()),
    };
    respond(
        &state,
        &staff,
        &id,
        operations::answer(&state.database, &staff.actor, &id, &input).await,
        "qa-answered",
    )
    .await
}

/// The audit's page again, with what happened or what to fix.
async fn respond(
    state: &AppState,
    staff: &Staff,
    id: &str,
    result: Result<AuditRecord, AppError>,
    done: &str,
) -> PageResult {
    match result {
        Ok(_) => audit_page(state, staff, id, Some(staff.language.text(done)), None).await,
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let sentence = super::error_text(staff.language, &error);
            audit_page(state, staff, id, None, Some(sentence)).await
        }
        Err(error) => Err(error.into()),
    }
}
