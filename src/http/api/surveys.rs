//! Satisfaction surveys: draw a period's round, list its surveys (JSON, CSV, XLSX), read the
//! results, record an answer an agent took by phone.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use crate::error::{AppError, AppResult};
use crate::http::Export;
use crate::operations::surveys::{
    self as operations, AnswerInput, Refused, Results, Round, SurveyView,
};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawInput {
    /// The period: a month (2026-11) or an ISO week (2026-W47); default the one before today's
    /// by the shop's cadence. It must be over.
    #[serde(default)]
    pub period: Option<String>,
    /// Draw with this seed (the same seed draws the same sample); default a random one.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub seed: Option<u64>,
}

#[utoipa::path(post, path = "/surveys/rounds", operation_id = "drawSurveyRound", tag = "reports",
    request_body = DrawInput,
    responses((status = 201, body = Round, description = "the round drawn; its customers are asked at once"),
        (status = 200, body = Round, description = "the period was drawn before: that round"),
        (status = 403), (status = 422, description = "a period to fix (unknown, or not over yet)")),
    security(("bearer" = [])))]
/// Draws a period's satisfaction survey round (supervisors): a random sample of the cases that
/// ended in it, stratified by kind and channel, without cancelled cases and customers surveyed
/// within the quiet days. A period is drawn once.
pub async fn draw(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<DrawInput>,
) -> AppResult<(StatusCode, axum::Json<Round>)> {
    let (round, drawn) = operations::draw(
        &state.database,
        &actor.shop,
        Some(&actor),
        input.period.as_deref(),
        input.seed,
    )
    .await?;
    let status = if drawn {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(round)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SurveyQuery {
    /// The period (2026-11 or 2026-W47); default the one before today's.
    pub period: Option<String>,
    /// waiting, sent, answered or expired.
    #[param(pattern = "^(waiting|sent|answered|expired)$")]
    pub state: Option<String>,
    /// json (default), csv (UTF-8 with a BOM) or xlsx.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

/// A period's surveys: a round is read whole (its size is the shop's share), so there is no
/// next page.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct SurveyList {
    pub items: Vec<SurveyView>,
    /// Always null: the period's surveys come in one page.
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/surveys", operation_id = "listSurveys", tag = "reports", params(SurveyQuery),
    responses((status = 200, content((SurveyList = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "the period's surveys: its round's and its milestone surveys"),
        (status = 422, description = "a period, state or format to fix")),
    security(("bearer" = [])))]
/// The surveys of a period (staff): who was asked, how, and what they answered.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<SurveyQuery>,
) -> AppResult<Response> {
    let format = Export::parse(query.format.as_deref())?;
    let found = operations::list(
        &state.database,
        &actor,
        query.period.as_deref(),
        query.state.as_deref(),
    )
    .await?;
    let name = format!("surveys-{}", query.period.as_deref().unwrap_or("latest"));
    Ok(match format {
        Export::Csv => crate::http::csv_file(&name, operations::csv(&actor.shop, &found)),
        Export::Xlsx => crate::http::xlsx_file(&name, operations::xlsx(&actor.shop, &found)?),
        Export::Json => axum::Json(SurveyList {
            items: found
                .iter()
                .map(|survey| operations::view(&actor.shop, survey))
                .collect(),
            next_cursor: None,
        })
        .into_response(),
    })
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// The period (2026-11 or 2026-W47); default the one before today's.
    pub period: Option<String>,
}

#[utoipa::path(get, path = "/surveys/results", operation_id = "getSurveyResults", tag = "reports",
    params(ResultsQuery),
    responses((status = 200, body = Results, description = "response rate, the mean score with its 95 % interval, the distribution, by kind, reason, agent and product, the comments"),
        (status = 422, description = "a period to fix")),
    security(("bearer" = [])))]
/// A period's satisfaction results (staff).
pub async fn results(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<ResultsQuery>,
) -> AppResult<axum::Json<Results>> {
    Ok(axum::Json(
        operations::results(&state.database, &actor, query.period.as_deref()).await?,
    ))
}

#[utoipa::path(post, path = "/surveys/{id}/answer", operation_id = "answerSurvey", tag = "reports",
    params(("id" = String, Path)), request_body = AnswerInput,
    responses((status = 200, body = SurveyView, description = "the survey with its answer"),
        (status = 404), (status = 409, description = "answered already, or closed"),
        (status = 422, description = "a score or an answer to fix")),
    security(("bearer" = [])))]
/// Records the answer an agent took by phone (once; a link answered first wins).
pub async fn answer(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<AnswerInput>,
) -> AppResult<axum::Json<SurveyView>> {
    let survey = operations::get(&state.database, &actor, &id).await?;
    match operations::answer(&state.database, &actor.shop, &survey, &input, Some(&actor)).await? {
        Ok(()) => {}
        Err(Refused::Invalid(field, key)) => {
            return Err(AppError::invalid(
                &field,
                crate::i18n::Language::English.text(key),
            ));
        }
        Err(Refused::Answered) => {
            return Err(AppError::Conflict {
                code: "survey_answered",
                message: "the survey was answered already (once only)".into(),
                details: serde_json::json!({ "survey_id": id }),
            });
        }
        Err(Refused::Expired) => {
            return Err(AppError::Conflict {
                code: "survey_closed",
                message: "the survey is past its last day".into(),
                details: serde_json::json!({ "survey_id": id }),
            });
        }
    }
    let survey = operations::get(&state.database, &actor, &id).await?;
    Ok(axum::Json(operations::view(&actor.shop, &survey)))
}
