//! A case's cost ledger: read it, book an entry or a correction.

use axum::extract::State;
use axum::http::StatusCode;

use super::extract::{Authenticated, Json, Path};
use crate::error::AppResult;
use crate::operations::costs::{self as operations, CostInput, Ledger};
use crate::state::AppState;

#[utoipa::path(get, path = "/cases/{id}/costs", operation_id = "getCaseCosts", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 200, body = Ledger, description = "the entries, what each costs the shop, the sums and what was refunded"),
        (status = 404)),
    security(("bearer" = [])))]
/// The case's cost ledger (staff).
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Ledger>> {
    Ok(axum::Json(
        operations::ledger(&state.database, &actor, &id).await?,
    ))
}

#[utoipa::path(post, path = "/cases/{id}/costs", operation_id = "recordCaseCost", tag = "cases",
    params(("id" = String, Path)), request_body = CostInput,
    responses((status = 201, body = Ledger, description = "the ledger with the new entry"),
        (status = 404), (status = 422, description = "a kind, payer or amount to fix")),
    security(("bearer" = [])))]
/// Books a cost on the case (the carrier's bill, parts, labour by the hour, a supplier's charge
/// or credit), or corrects an entry with a new one (`corrects`; the original stays).
pub async fn record(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<CostInput>,
) -> AppResult<(StatusCode, axum::Json<Ledger>)> {
    operations::record(&state.database, &actor, &id, &input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(operations::ledger(&state.database, &actor, &id).await?),
    ))
}
