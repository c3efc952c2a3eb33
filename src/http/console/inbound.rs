//! What the platforms and carriers sent (orders, returns, tracking) and what came of it, for
//! supervisors and admins; a delivery that failed can be applied again.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::form::{Empty, Posted};
use super::{Frame, PageError, PageResult, Staff};
use crate::domain::permissions::{Capability, allows};
use crate::error::AppError;
use crate::http::pages::{minutes, render};
use crate::state::AppState;

/// One delivery as a row.
pub struct Row {
    pub id: String,
    pub received: String,
    pub source: String,
    pub topic: String,
    pub status: String,
    pub status_name: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "console/inbound.html")]
struct InboundPage {
    frame: Frame,
    rows: Vec<Row>,
}

fn managers_only(staff: &Staff) -> Result<(), PageError> {
    if allows(staff.role(), Capability::SeeInbound) {
        Ok(())
    } else {
        Err(AppError::Forbidden(staff.language.text("inbound-managers-only")).into())
    }
}

pub(super) async fn inbound_page(State(state): State<AppState>, staff: Staff) -> PageResult {
    managers_only(&staff)?;
    let zone = &staff.actor.shop.time_zone;
    let records = crate::db::inbound::list(
        &state.database.reader,
        &staff.actor.shop.id,
        None,
        None,
        100,
    )
    .await?;
    let rows = records
        .into_iter()
        .map(|record| Row {
            received: minutes(record.received_at, zone),
            status_name: staff
                .language
                .text_or(&format!("inbound-status-{}", record.status), &record.status),
            detail: record.detail.unwrap_or_default(),
            id: record.id,
            source: record.source,
            topic: record.topic,
            status: record.status,
        })
        .collect();
    let view = InboundPage {
        frame: Frame::new(&state, &staff, "inbound").await?,
        rows,
    };
    Ok(render(&view, StatusCode::OK, staff.language))
}

/// Applies a delivery again, then back to the list (where its new status shows).
pub(super) async fn replay(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, .. }: Posted<Empty>,
) -> PageResult {
    managers_only(&staff)?;
    crate::integrations::replay(&state.database, &staff.actor, &id).await?;
    Ok(crate::http::pages::redirect("/console/inbound").into_response())
}
