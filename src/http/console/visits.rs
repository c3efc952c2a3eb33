//! The follow-up visits page (回访): the open visits, soonest due first, each with its customer,
//! order, script and a form for the outcome (an issue found opens a case); the last done ones.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::form::Posted;
use super::{Frame, PageResult, Staff};
use crate::db::visits::VisitRecord;
use crate::error::AppError;
use crate::http::pages::{minutes, render};
use crate::operations::visits::{self as operations, VisitOutcomeInput};
use crate::state::AppState;

pub struct VisitRow {
    pub id: String,
    pub rule: String,
    pub customer: String,
    pub tier: String,
    pub order_id: String,
    pub order_number: String,
    pub script: String,
    pub due: String,
    pub overdue: bool,
    pub attempts: i64,
    pub version: i64,
    pub state: String,
    pub note: String,
    pub opened_case_id: String,
    pub done: String,
}

#[derive(Template)]
#[template(path = "console/visits.html")]
struct VisitsPage {
    frame: Frame,
    open: Vec<VisitRow>,
    done: Vec<VisitRow>,
    notice: Option<String>,
    error: Option<String>,
}

fn row(staff: &Staff, visit: VisitRecord, now: i64) -> VisitRow {
    let language = staff.language;
    let zone = &staff.actor.shop.time_zone;
    VisitRow {
        customer: [visit.customer_name.clone(), visit.customer_phone.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        tier: visit
            .customer_tier
            .as_deref()
            .filter(|tier| *tier != "normal")
            .map(|tier| language.text_or(&format!("tier-{tier}"), tier))
            .unwrap_or_default(),
        order_id: visit.order_id.clone().unwrap_or_default(),
        order_number: visit.order_number.clone().unwrap_or_default(),
        due: minutes(visit.due_at, zone),
        overdue: visit.state == "open" && visit.due_at < now,
        state: language.text(&format!("visit-state-{}", visit.state)),
        note: visit.note.clone().unwrap_or_default(),
        opened_case_id: visit.opened_case_id.clone().unwrap_or_default(),
        done: visit
            .done_at
            .map(|at| minutes(at, zone))
            .unwrap_or_default(),
        attempts: visit.attempts,
        version: visit.version,
        script: visit.script,
        rule: visit.rule,
        id: visit.id,
    }
}

async fn page(
    state: &AppState,
    staff: &Staff,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let now = state.clock.now();
    let open = operations::list(&state.database, &staff.actor, true, false, None, 200).await?;
    let done = operations::list(&state.database, &staff.actor, false, false, None, 30).await?;
    let shown = VisitsPage {
        frame: Frame::new(state, staff, "visits").await?,
        open: open
            .into_iter()
            .map(|visit| row(staff, visit, now))
            .collect(),
        done: done
            .into_iter()
            .map(|visit| row(staff, visit, now))
            .collect(),
        notice,
        error,
    };
    Ok(render(&shown, status, staff.language))
}

pub(super) async fn visits_page(State(state): State<AppState>, staff: Staff) -> PageResult {
    page(&state, &staff, None, None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct OutcomeForm {
    outcome: Option<String>,
    version: Option<i64>,
    note: Option<String>,
}

/// Records a visit's outcome from its row.
pub(super) async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, form }: Posted<OutcomeForm>,
) -> PageResult {
    let input = VisitOutcomeInput {
        outcome: form.outcome.unwrap_or_default(),
        version: form.version.unwrap_or_default(),
        note: form.note.filter(|note| !note.trim().is_empty()),
        ..VisitOutcomeInput::default()
    };
    match operations::record(&state.database, &staff.actor, &id, &input).await {
        Ok(visit) => {
            let notice = staff.language.text_with(
                "visit-recorded",
                "name",
                visit.customer_name.as_deref().unwrap_or_default(),
            );
            page(&state, &staff, Some(notice), None, StatusCode::OK).await
        }
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let status = error.status();
            let error = super::error_text(staff.language, &error);
            page(&state, &staff, None, Some(error), status).await
        }
        Err(error) => Err(error.into()),
    }
}
