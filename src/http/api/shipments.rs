//! Parcels added and scanned by hand, and the follow-up tasks stalled or late parcels open.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use super::views::{FollowUpView, Page, ShipmentView, after, page_limit};
use crate::db::follow_ups::{self};
use crate::domain::permissions::Capability;
use crate::error::{AppError, AppResult};
use crate::operations::shipments::{self, ScanInput, ShipmentInput};
use crate::state::AppState;

#[utoipa::path(post, path = "/orders/{id}/shipments", operation_id = "createOrderShipment", tag = "orders",
    params(("id" = String, Path)), request_body = ShipmentInput,
    responses((status = 201, body = ShipmentView), (status = 422, description = "a bad field")),
    security(("bearer" = [])))]
/// Adds a parcel to an order by hand: the original delivery, a replacement, a customer's return.
/// It is watched like any other: stalled or late, it opens a follow-up.
pub async fn add(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<ShipmentInput>,
) -> AppResult<(StatusCode, axum::Json<ShipmentView>)> {
    let shipment = shipments::add(&state.database, &actor, &id, &input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ShipmentView::new(&actor.shop, shipment)),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScanOutcome {
    /// applied, unchanged
    pub status: String,
    pub detail: String,
}

#[utoipa::path(post, path = "/shipments/{id}/scans", operation_id = "createShipmentScan", tag = "orders",
    params(("id" = String, Path)), request_body = ScanInput,
    responses((status = 200, body = ScanOutcome), (status = 422, description = "a bad field")),
    security(("bearer" = [])))]
/// Records what the carrier said, by hand: a delivered return moves its case to received.
pub async fn scan(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<ScanInput>,
) -> AppResult<axum::Json<ScanOutcome>> {
    let (status, detail) = shipments::scan(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(ScanOutcome {
        status: status.into(),
        detail,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// open (default) or done
    #[param(pattern = "^(open|done)?$")]
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

#[utoipa::path(get, path = "/follow-ups", operation_id = "listFollowUps", tag = "orders", params(FollowUpQuery),
    responses((status = 200, body = Page<FollowUpView>)), security(("bearer" = [])))]
/// The shop's follow-up tasks, soonest due first.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<FollowUpQuery>,
) -> AppResult<axum::Json<Page<FollowUpView>>> {
    let status = query
        .status
        .as_deref()
        .filter(|status| !status.is_empty())
        .unwrap_or("open");
    if !matches!(status, "open" | "done") {
        return Err(AppError::invalid(
            "status",
            format!("unknown status '{status}'; use open or done"),
        ));
    }
    AppError::require(actor.role, Capability::HandleParcels)?;
    let limit = page_limit(query.limit)?;
    let tasks = follow_ups::list(
        &state.database.reader,
        &actor.shop.id,
        status,
        after(query.cursor.as_deref())?,
        limit,
    )
    .await?;
    Ok(axum::Json(Page::of(
        tasks,
        limit,
        |task| (task.due_at, task.id.as_str()),
        |task| FollowUpView::new(&actor.shop, task),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneInput {
    /// What was found or done, e.g. "快递员已确认明天派送".
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/follow-ups/{id}/done", operation_id = "completeFollowUp", tag = "orders",
    params(("id" = String, Path)), request_body = DoneInput,
    responses((status = 200, body = FollowUpView), (status = 409, description = "done already")),
    security(("bearer" = [])))]
/// Marks a follow-up done.
pub async fn done(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<DoneInput>,
) -> AppResult<axum::Json<FollowUpView>> {
    let task = shipments::finish(&state.database, &actor, &id, input.note.as_deref()).await?;
    Ok(axum::Json(FollowUpView::new(&actor.shop, task)))
}
