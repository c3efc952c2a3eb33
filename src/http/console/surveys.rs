//! The satisfaction survey page: a period's round (drawn here by a supervisor), its response
//! rate, the mean score with its 95 % interval, the distribution, the breakdowns, the comments,
//! the customers still to call (an agent records a phone answer), and the list as CSV or XLSX.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::form::Posted;
use super::{Frame, PageResult, Staff};
use crate::domain::permissions::{Capability, allows};
use crate::domain::surveys::Estimate;
use crate::error::AppError;
use crate::http::pages::render;
use crate::i18n::Language;
use crate::operations::surveys::{self as operations, AnswerInput, Group, Refused, Results};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct PeriodForm {
    period: Option<String>,
}

pub struct GroupRow {
    pub name: String,
    pub sampled: u64,
    pub answered: u64,
    pub mean: String,
    pub interval: String,
}

pub struct CallRow {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub contact: String,
    pub reason: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "console/surveys.html")]
struct SurveysPage {
    frame: Frame,
    period: String,
    can_draw: bool,
    error: Option<String>,
    notice: Option<String>,
    results: Option<Results>,
    mean: String,
    interval: String,
    response_rate: String,
    /// (score, count, bar 0–100)
    distribution: Vec<(usize, u64, u64)>,
    breakdowns: Vec<(String, Vec<GroupRow>)>,
    milestones: GroupRow,
    calls: Vec<CallRow>,
    query: String,
    rounds: Vec<String>,
}

fn mean(estimate: &Option<Estimate>) -> String {
    estimate
        .as_ref()
        .map(|estimate| format!("{:.2}", estimate.mean))
        .unwrap_or_else(|| "—".into())
}

fn interval(estimate: &Option<Estimate>) -> String {
    match estimate {
        Some(Estimate {
            low: Some(low),
            high: Some(high),
            ..
        }) => format!("{low:.2}–{high:.2}"),
        _ => "—".into(),
    }
}

fn rows(language: Language, dimension: &str, groups: &[Group]) -> Vec<GroupRow> {
    groups
        .iter()
        .map(|group| GroupRow {
            name: match (&group.key, &group.name) {
                (None, _) => language.text("report-none"),
                (Some(key), _) if dimension == "kind" => language.text(&format!("kind-{key}")),
                (Some(key), name) => name.clone().unwrap_or_else(|| key.clone()),
            },
            sampled: group.sampled,
            answered: group.answered,
            mean: mean(&group.estimate),
            interval: interval(&group.estimate),
        })
        .collect()
}

async fn page(
    state: &AppState,
    staff: &Staff,
    period: Option<String>,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let language = staff.language;
    let (results, error, status) = match error {
        Some(error) => (None, Some(error), StatusCode::UNPROCESSABLE_ENTITY),
        None => match operations::results(&state.database, &staff.actor, period.as_deref()).await {
            Ok(results) => (Some(results), None, StatusCode::OK),
            Err(error @ AppError::Invalid { .. }) => (
                None,
                Some(super::error_text(language, &error)),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(error) => return Err(error.into()),
        },
    };
    let calls = match &results {
        Some(results) => operations::list(
            &state.database,
            &staff.actor,
            Some(results.period.as_str()).filter(|period| !period.is_empty()),
            None,
        )
        .await?
        .into_iter()
        .filter(|survey| matches!(survey.state.as_str(), "waiting" | "sent"))
        .map(|survey| CallRow {
            contact: [survey.contact_name.clone(), survey.contact_phone.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            reason: language.text(&format!("survey-reason-{}", survey.reason)),
            state: language.text(&format!("survey-state-{}", survey.state)),
            id: survey.id,
            case_id: survey.case_id,
            case_number: survey.case_number,
        })
        .collect(),
        None => Vec::new(),
    };
    let rounds = crate::db::surveys::rounds(&state.database.reader, &staff.actor.shop.id)
        .await?
        .into_iter()
        .map(|round| round.period)
        .collect();
    let distribution = results
        .as_ref()
        .map(|results| {
            let widest = results
                .distribution
                .iter()
                .copied()
                .max()
                .unwrap_or(0)
                .max(1);
            results
                .distribution
                .iter()
                .enumerate()
                .map(|(index, count)| (index + 1, *count, count * 100 / widest))
                .collect()
        })
        .unwrap_or_default();
    let breakdowns = results
        .as_ref()
        .map(|results| {
            vec![
                (
                    language.text("survey-by-kind"),
                    rows(language, "kind", &results.by_kind),
                ),
                (
                    language.text("survey-by-reason"),
                    rows(language, "reason", &results.by_reason),
                ),
                (
                    language.text("survey-by-agent"),
                    rows(language, "agent", &results.by_agent),
                ),
                (
                    language.text("survey-by-product"),
                    rows(language, "product", &results.by_product),
                ),
            ]
        })
        .unwrap_or_default();
    let milestones = results
        .as_ref()
        .map(|results| rows(language, "", std::slice::from_ref(&results.milestones)))
        .and_then(|mut rows| rows.pop())
        .unwrap_or(GroupRow {
            name: String::new(),
            sampled: 0,
            answered: 0,
            mean: "—".into(),
            interval: "—".into(),
        });
    let shown_period = results
        .as_ref()
        .map(|results| results.period.clone())
        .filter(|period| !period.is_empty())
        .or(period)
        .unwrap_or_default();
    let shown = SurveysPage {
        frame: Frame::new(state, staff, "surveys").await?,
        can_draw: allows(staff.actor.role, Capability::DrawSurveys),
        error,
        notice,
        mean: results
            .as_ref()
            .map(|results| mean(&results.estimate))
            .unwrap_or_else(|| "—".into()),
        interval: results
            .as_ref()
            .map(|results| interval(&results.estimate))
            .unwrap_or_else(|| "—".into()),
        response_rate: results
            .as_ref()
            .and_then(|results| results.response_rate_bp)
            .map(|points| format!("{}.{:02}%", points / 100, points % 100))
            .unwrap_or_else(|| "—".into()),
        distribution,
        breakdowns,
        milestones,
        calls,
        query: super::reports::query_of(&[("period", &Some(shown_period.clone()))]),
        period: shown_period,
        rounds,
        results,
    };
    Ok(render(&shown, status, language))
}

pub(super) async fn surveys_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(form): Query<PeriodForm>,
) -> PageResult {
    page(&state, &staff, form.period, None, None).await
}

/// Draws the period's round (supervisors).
pub(super) async fn draw(
    State(state): State<AppState>,
    Posted { staff, form }: Posted<PeriodForm>,
) -> PageResult {
    let shop = staff.actor.shop.clone();
    match operations::draw(
        &state.database,
        &shop,
        Some(&staff.actor),
        form.period.as_deref(),
        None,
    )
    .await
    {
        Ok((round, drawn)) => {
            let key = if drawn {
                "survey-drawn"
            } else {
                "survey-drawn-before"
            };
            let notice = staff
                .language
                .text_with(key, "n", &round.sampled.to_string());
            page(&state, &staff, Some(round.period), Some(notice), None).await
        }
        Err(error @ AppError::Invalid { .. }) => {
            let error = super::error_text(staff.language, &error);
            page(&state, &staff, form.period, None, Some(error)).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PhoneForm {
    score: Option<String>,
    comment: Option<String>,
    period: Option<String>,
}

/// Records an answer an agent took by phone.
pub(super) async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, form }: Posted<PhoneForm>,
) -> PageResult {
    let survey = operations::get(&state.database, &staff.actor, &id).await?;
    let input = AnswerInput {
        score: form
            .score
            .as_deref()
            .and_then(|score| score.trim().parse().ok()),
        comment: form.comment.clone(),
        ..AnswerInput::default()
    };
    let language = staff.language;
    let refused = operations::answer(
        &state.database,
        &staff.actor.shop,
        &survey,
        &input,
        Some(&staff.actor),
    )
    .await?;
    let (notice, error) = match refused {
        Ok(()) => (
            Some(language.text_with("survey-recorded", "number", &survey.case_number)),
            None,
        ),
        Err(Refused::Invalid(_, key)) => (None, Some(language.text(key))),
        Err(Refused::Answered) => (
            None,
            Some(language.text_with("survey-answered", "date", "—")),
        ),
        Err(Refused::Expired) => (None, Some(language.text_with("survey-closed", "date", "—"))),
    };
    match error {
        // The results stay on screen; the sentence says what went wrong.
        Some(error) => {
            let mut response = page(&state, &staff, form.period, Some(error), None).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        None => page(&state, &staff, form.period, notice, None).await,
    }
}

/// The period's surveys as a file: `/console/surveys/surveys.csv` or `.xlsx`.
pub(super) async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path(file): Path<String>,
    Query(form): Query<PeriodForm>,
) -> PageResult {
    let found =
        operations::list(&state.database, &staff.actor, form.period.as_deref(), None).await?;
    let name = format!("surveys-{}", form.period.as_deref().unwrap_or("latest"));
    let shop = &staff.actor.shop;
    Ok(match file.as_str() {
        "surveys.csv" => {
            crate::http::csv_file(&name, operations::csv(shop, &found)).into_response()
        }
        "surveys.xlsx" => {
            crate::http::xlsx_file(&name, operations::xlsx(shop, &found)?).into_response()
        }
        _ => return Err(AppError::NotFound("file").into()),
    })
}
