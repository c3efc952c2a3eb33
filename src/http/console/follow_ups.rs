//! Follow-ups: the parcels that stalled or ran late, to chase with the carrier and tell the
//! customer about first; marked done with what was found.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::form::Posted;
use super::{Frame, PageResult, Staff};
use serde::Deserialize;

use crate::db::follow_ups::{self, FollowUp};
use crate::error::AppError;
use crate::http::pages::{minutes, render};
use crate::operations::shipments;
use crate::state::AppState;

/// One task as a row: what, which parcel, for which order or case, by when.
pub struct Row {
    pub id: String,
    pub kind: String,
    pub parcel: String,
    pub order_id: String,
    pub order_number: String,
    pub case_id: String,
    pub case_number: String,
    pub due: String,
    pub overdue: bool,
    pub done: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "console/follow_ups.html")]
struct FollowUpsPage {
    frame: Frame,
    open: Vec<Row>,
    done: Vec<Row>,
    error: Option<String>,
}

fn row(staff: &Staff, task: FollowUp, now: i64) -> Row {
    let zone = &staff.actor.shop.time_zone;
    let detail = &task.detail;
    let parcel = format!(
        "{} {} · {}",
        detail["carrier"].as_str().unwrap_or_default(),
        detail["tracking_number"].as_str().unwrap_or_default(),
        staff.language.text_with(
            &format!("follow-ups-days-{}", task.kind),
            "days",
            &detail["days"].to_string()
        ),
    );
    Row {
        kind: staff
            .language
            .text(&format!("follow-up-kind-{}", task.kind)),
        parcel,
        order_id: task.order_id,
        order_number: task.order_number,
        case_id: task.case_id.unwrap_or_default(),
        case_number: task.case_number.unwrap_or_default(),
        due: minutes(task.due_at, zone),
        overdue: task.status == "open" && task.due_at < now,
        done: task.done_at.map(|at| minutes(at, zone)).unwrap_or_default(),
        note: task.note.unwrap_or_default(),
        id: task.id,
    }
}

async fn page(state: &AppState, staff: &Staff, error: Option<String>) -> PageResult {
    let now = state.clock.now();
    let reader = &state.database.reader;
    let shop_id = &staff.actor.shop.id;
    let rows = |tasks: Vec<FollowUp>| -> Vec<Row> {
        tasks
            .into_iter()
            .map(|task| row(staff, task, now))
            .collect()
    };
    let view = FollowUpsPage {
        frame: Frame::new(state, staff, "follow-ups").await?,
        open: rows(follow_ups::list(reader, shop_id, "open", None, 200).await?),
        done: rows(follow_ups::list(reader, shop_id, "done", None, 20).await?),
        error,
    };
    let status = match view.error {
        Some(_) => StatusCode::CONFLICT,
        None => StatusCode::OK,
    };
    Ok(render(&view, status, staff.language))
}

pub(super) async fn follow_ups_page(State(state): State<AppState>, staff: Staff) -> PageResult {
    page(&state, &staff, None).await
}

#[derive(Deserialize)]
pub(super) struct DoneForm {
    note: Option<String>,
}

/// Marks a task done, with the note typed next to it.
pub(super) async fn done(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, form }: Posted<DoneForm>,
) -> PageResult {
    let note = form.note.as_deref();
    match shipments::finish(&state.database, &staff.actor, &id, note).await {
        Ok(_) => Ok(crate::http::pages::redirect("/console/follow-ups").into_response()),
        Err(AppError::Conflict { .. }) => {
            let error = staff.language.text("follow-ups-already-done");
            page(&state, &staff, Some(error)).await
        }
        Err(other) => Err(other.into()),
    }
}
