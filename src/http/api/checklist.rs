//! `/api/v1/cases/{id}/checklist…`: the SOP checklist of a case's category and its ticks.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{Authenticated, Json, Path};
use super::views::Page;
use crate::error::AppResult;
use crate::operations::cases as case_operations;
use crate::operations::checklist::{self, StepState};
use crate::state::AppState;

#[utoipa::path(get, path = "/cases/{id}/checklist", operation_id = "getCaseChecklist", tag = "cases", params(("id" = String, Path)),
    responses((status = 200, body = Page<StepState>)), security(("bearer" = [])))]
/// The steps the shop's SOP asks for on this case's reason category, and which are done.
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Page<StepState>>> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    Ok(axum::Json(Page::whole(
        checklist::of_case(&state.database, &case).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickInput {
    /// true to mark the step done, false to undo it.
    pub done: bool,
}

#[utoipa::path(post, path = "/cases/{id}/checklist/{step}", operation_id = "tickCaseChecklistStep", tag = "cases",
    params(("id" = String, Path), ("step" = String, Path)), request_body = TickInput,
    responses((status = 200, body = Page<StepState>), (status = 422, description = "no such step")),
    security(("bearer" = [])))]
/// Ticks a step off (or undoes it); recorded on the timeline.
pub async fn tick(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, step)): Path<(String, String)>,
    Json(input): Json<TickInput>,
) -> AppResult<axum::Json<Page<StepState>>> {
    checklist::tick(&state.database, &actor, &id, &step, input.done).await?;
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    Ok(axum::Json(Page::whole(
        checklist::of_case(&state.database, &case).await?,
    )))
}
