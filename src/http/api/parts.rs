//! Spare parts: the shop's list with stock, a part used on a case, the genuine-part rate
//! (docs/REPAIRS.md, "Parts").

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use super::views::Page;
use crate::error::AppResult;
use crate::operations::parts::{
    self as operations, GenuineRate, PartInput, PartUsed, PartView, UseInput,
};
use crate::state::AppState;

#[utoipa::path(get, path = "/parts", operation_id = "listParts", tag = "repairs",
    responses((status = 200, body = Page<PartView>, description = "the shop's parts by number, those to reorder marked `low`")),
    security(("bearer" = [])))]
/// The shop's spare parts with their stock.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> AppResult<axum::Json<Page<PartView>>> {
    let found = operations::list(&state.database, &actor).await?;
    Ok(axum::Json(Page::whole(
        found.into_iter().map(operations::view).collect(),
    )))
}

#[utoipa::path(post, path = "/parts", operation_id = "createPart", tag = "repairs",
    request_body = PartInput,
    responses((status = 201, body = PartView), (status = 403),
        (status = 409, description = "the number is taken (`part_number_taken`)"), (status = 422)),
    security(("bearer" = [])))]
/// Adds a spare part: number, name, genuine or not, cost, stock, reorder level.
pub async fn create(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<PartInput>,
) -> AppResult<(StatusCode, axum::Json<PartView>)> {
    let record = operations::create(&state.database, &actor, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(operations::view(record))))
}

#[utoipa::path(get, path = "/parts/{id}", operation_id = "getPart", tag = "repairs",
    params(("id" = String, Path)),
    responses((status = 200, body = PartView), (status = 404)),
    security(("bearer" = [])))]
/// One part.
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<PartView>> {
    Ok(axum::Json(operations::view(
        operations::get(&state.database, &actor, &id).await?,
    )))
}

#[utoipa::path(put, path = "/parts/{id}", operation_id = "replacePart", tag = "repairs",
    params(("id" = String, Path)), request_body = PartInput,
    responses((status = 200, body = PartView), (status = 403), (status = 404),
        (status = 409, description = "changed meanwhile, or the number is taken"), (status = 422)),
    security(("bearer" = [])))]
/// Replaces a part's fields (a stock count, a new cost), with the version read.
pub async fn replace(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<PartInput>,
) -> AppResult<axum::Json<PartView>> {
    let record = operations::update(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(operations::view(record)))
}

#[utoipa::path(post, path = "/cases/{id}/parts", operation_id = "useCasePart", tag = "repairs",
    params(("id" = String, Path)), request_body = UseInput,
    responses((status = 200, body = PartUsed, description = "taken from stock, its cost booked"),
        (status = 404), (status = 409, description = "not enough in stock (`out_of_stock`)"), (status = 422)),
    security(("bearer" = [])))]
/// A part from the shop's stock fitted on the case.
pub async fn use_part(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<UseInput>,
) -> AppResult<axum::Json<PartUsed>> {
    Ok(axum::Json(
        operations::use_part(&state.database, &actor, &id, &input).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// YYYY-MM (default this month, the shop's zone).
    pub month: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GenuineReport {
    pub month: String,
    pub suppliers: Vec<GenuineRate>,
}

#[utoipa::path(get, path = "/reports/genuine-parts", operation_id = "genuinePartRates", tag = "repairs",
    params(MonthQuery),
    responses((status = 200, body = GenuineReport, description = "per supplier (none: the shop's workshop)"), (status = 422)),
    security(("bearer" = [])))]
/// The genuine-part rate per supplier in a month: parts fitted, genuine ones, their share.
pub async fn genuine(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<MonthQuery>,
) -> AppResult<axum::Json<GenuineReport>> {
    let (month, suppliers) =
        operations::genuine_rates(&state.database, &actor, query.month.as_deref()).await?;
    Ok(axum::Json(GenuineReport { month, suppliers }))
}
