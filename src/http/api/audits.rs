//! Quality audits: draw a half-month's sample, list it, score, dispute, answer.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use crate::error::AppResult;
use crate::operations::audits::{
    self as operations, AnswerInput, AuditView, DisputeInput, ScoreInput,
};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditDrawInput {
    /// The half-month: 2026-11-a (the 1st to the 15th) or 2026-11-b (the 16th to the end);
    /// default the one before today's. It must be over.
    #[serde(default)]
    pub period: Option<String>,
    /// Draw with this seed (the same seed draws the same sample).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub seed: Option<u64>,
}

/// A half-month's audits, read whole.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditView>,
    /// Always null: a half-month's audits come in one page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The half-month (2026-11-a or 2026-11-b); default the one before today's.
    pub period: Option<String>,
    /// json (default), csv (UTF-8 with a BOM) or xlsx.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

async fn list_of(
    state: &AppState,
    actor: &crate::db::shops::Actor,
    period: Option<&str>,
) -> AppResult<AuditList> {
    let found = operations::list(&state.database, actor, period).await?;
    Ok(AuditList {
        items: found
            .iter()
            .map(|audit| operations::view(actor, audit))
            .collect(),
        next_cursor: None,
    })
}

#[utoipa::path(post, path = "/audits/rounds", operation_id = "drawAudits", tag = "reports",
    request_body = AuditDrawInput,
    responses((status = 201, body = AuditList, description = "the half-month drawn: each agent's sample"),
        (status = 200, body = AuditList, description = "drawn before: those audits"),
        (status = 403), (status = 422, description = "a half-month to fix (unknown, or not over)")),
    security(("bearer" = [])))]
/// Draws a half-month's quality audits (supervisors): the shop's number of cases per agent, at
/// random from each agent's cases that ended in it (not cancelled). Drawn once.
pub async fn draw(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<AuditDrawInput>,
) -> AppResult<(StatusCode, axum::Json<AuditList>)> {
    let (period, drawn) =
        operations::draw(&state.database, &actor, input.period.as_deref(), input.seed).await?;
    let status = if drawn {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        axum::Json(list_of(&state, &actor, Some(&period)).await?),
    ))
}

#[utoipa::path(get, path = "/audits", operation_id = "listAudits", tag = "reports", params(AuditQuery),
    responses((status = 200, content((AuditList = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "the half-month's audits (an agent's own for an agent)"),
        (status = 422, description = "a half-month to fix")),
    security(("bearer" = [])))]
/// A half-month's audits: supervisors see all, an agent their own.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<AuditQuery>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let export = crate::http::Export::parse(query.format.as_deref())?;
    let list = list_of(&state, &actor, query.period.as_deref()).await?;
    Ok(match export {
        crate::http::Export::Json => axum::Json(list).into_response(),
        crate::http::Export::Csv => crate::http::csv_file("audits", operations::csv(&list.items)),
        crate::http::Export::Xlsx => {
            crate::http::xlsx_file("audits", operations::xlsx(&list.items)?)
        }
    })
}

#[utoipa::path(post, path = "/audits/{id}/scores", operation_id = "scoreAudit", tag = "reports",
    params(("id" = String, Path)), request_body = ScoreInput,
    responses((status = 200, body = AuditView, description = "the audit scored, or a second auditor's calibration of it"),
        (status = 403), (status = 404), (status = 409, description = "scored by you already"),
        (status = 422, description = "a criterion missing, unknown or out of 0–100")),
    security(("bearer" = [])))]
/// Scores an audit against the shop's scorecard (each criterion 0–100; the total is their
/// weighted mean). A second auditor scoring the same audit adds a calibration.
pub async fn score(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<ScoreInput>,
) -> AppResult<axum::Json<AuditView>> {
    let audit = operations::score(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(operations::view(&actor, &audit)))
}

#[utoipa::path(post, path = "/audits/{id}/dispute", operation_id = "disputeAudit", tag = "reports",
    params(("id" = String, Path)), request_body = DisputeInput,
    responses((status = 200, body = AuditView, description = "the audit disputed"),
        (status = 403, description = "not your audit"), (status = 404),
        (status = 409, description = "not scored yet, or disputed already (once only)"), (status = 422)),
    security(("bearer" = [])))]
/// The audited agent disputes the score, once, saying why.
pub async fn dispute(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<DisputeInput>,
) -> AppResult<axum::Json<AuditView>> {
    let audit = operations::dispute(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(operations::view(&actor, &audit)))
}

#[utoipa::path(post, path = "/audits/{id}/answer", operation_id = "answerAuditDispute", tag = "reports",
    params(("id" = String, Path)), request_body = AnswerInput,
    responses((status = 200, body = AuditView, description = "the dispute answered: the total kept or changed"),
        (status = 403), (status = 404), (status = 409, description = "not disputed, or answered already"), (status = 422)),
    security(("bearer" = [])))]
/// A supervisor answers an agent's dispute, keeping the total or setting a new one.
pub async fn answer(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<AnswerInput>,
) -> AppResult<axum::Json<AuditView>> {
    let audit = operations::answer(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(operations::view(&actor, &audit)))
}
