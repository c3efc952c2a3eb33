//! Warehouse receiving: scan (or type) a case number or a parcel's tracking number and the case
//! opens where its parcel is received and inspected; the parcels on their way and the goods
//! waiting for inspection are listed.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::form::Posted;
use super::{Frame, PageResult, Staff};
use serde::Deserialize;

use super::rows::CaseRow;
use crate::db::case_list::{self, CaseFilter, CaseSort};
use crate::db::{cases, staff_sessions};
use crate::domain::Status;
use crate::http::pages::render;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "console/receiving.html")]
struct ReceivingPage {
    frame: Frame,
    code: String,
    error: Option<String>,
    arriving: Vec<CaseRow>,
    to_inspect: Vec<CaseRow>,
}

async fn in_status(
    state: &AppState,
    staff: &Staff,
    status: Status,
) -> Result<Vec<CaseRow>, sqlx::Error> {
    let filter = CaseFilter {
        statuses: vec![status],
        ..CaseFilter::all(CaseSort::UpdatedAt, 50)
    };
    let shop = &staff.actor.shop;
    Ok(case_list::list(
        &state.database.reader,
        state.database.backend,
        &shop.id,
        &filter,
    )
    .await?
    .into_iter()
    .map(|case| CaseRow::new(staff.language, &shop.time_zone, case))
    .collect())
}

async fn page(state: &AppState, staff: &Staff, code: String, error: Option<String>) -> PageResult {
    let view = ReceivingPage {
        frame: Frame::new(state, staff, "receiving").await?,
        code,
        arriving: in_status(state, staff, Status::ReturnShipped).await?,
        to_inspect: in_status(state, staff, Status::Received).await?,
        error,
    };
    let status = if view.error.is_some() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    Ok(render(&view, status, staff.language))
}

pub(super) async fn receiving_page(State(state): State<AppState>, staff: Staff) -> PageResult {
    page(&state, &staff, String::new(), None).await
}

#[derive(Deserialize)]
pub(super) struct ScanForm {
    #[serde(default)]
    code: String,
}

/// The case of a scanned case number or tracking number, opened at its receiving step.
pub(super) async fn find(
    State(state): State<AppState>,
    Posted { staff, form }: Posted<ScanForm>,
) -> PageResult {
    let code = form.code.trim().to_string();
    let shop_id = &staff.actor.shop.id;
    let reader = &state.database.reader;
    let by_number = cases::find_by_number(reader, shop_id, &code.to_uppercase())
        .await?
        .map(|case| case.id);
    let found = match by_number {
        Some(id) => Some(id),
        None => staff_sessions::case_by_tracking(reader, shop_id, &code).await?,
    };
    match found {
        Some(id) => Ok(
            crate::http::pages::redirect(&format!("/console/cases/{id}#actions")).into_response(),
        ),
        None => {
            let error = if code.is_empty() {
                staff.language.text("receiving-empty")
            } else {
                staff
                    .language
                    .text_with("receiving-not-found", "code", &code)
            };
            page(&state, &staff, code, Some(error)).await
        }
    }
}
