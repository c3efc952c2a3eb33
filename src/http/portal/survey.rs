//! A satisfaction survey answered through its signed link: the score 1–5, a comment and the
//! shop's own questions, once. The link is the key: no sign-in, nothing else of the order shown.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{LanguageQuery, Page, page, render, shop_by_slug, with_language_cookie};
use crate::db::shops::Shop;
use crate::db::surveys::SurveyRecord;
use crate::domain::surveys::QuestionKind;
use crate::error::AppError;
use crate::i18n::Language;
use crate::operations::surveys::{self as operations, AnswerInput, Refused};
use crate::state::AppState;

/// A question as the page shows it: its field, words and kind, and what was typed.
pub struct Shown {
    pub field: String,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "portal/survey.html")]
struct SurveyPage {
    page: Page,
    action: String,
    intro: String,
    /// What the page says instead of the form: thanks, answered before, closed.
    notice: Option<String>,
    error: Option<String>,
    score: String,
    comment: String,
    questions: Vec<Shown>,
}

async fn open(state: &AppState, slug: &str, token: &str) -> Result<(Shop, SurveyRecord), AppError> {
    let shop = shop_by_slug(&state.database, slug).await?;
    let survey = operations::from_link(&state.database, &shop, token)
        .await?
        .ok_or(AppError::NotFound("survey"))?;
    Ok((shop, survey))
}

/// The page for the survey in `language`, with what was typed and an error, or a notice.
async fn survey_page(
    state: &AppState,
    shop: &Shop,
    survey: &SurveyRecord,
    token: &str,
    language: Language,
    typed: &BTreeMap<String, String>,
    error: Option<String>,
) -> Result<SurveyPage, AppError> {
    let day = |micros: i64| crate::domain::time::local_date(micros, &shop.time_zone).to_string();
    let now = state.database.clock.now();
    let notice = match survey.state.as_str() {
        "answered" => Some(language.text_with(
            "survey-answered",
            "date",
            &day(survey.answered_at.unwrap_or(now)),
        )),
        "expired" => Some(language.text_with("survey-closed", "date", &day(survey.expires_at - 1))),
        _ if survey.expires_at <= now => {
            Some(language.text_with("survey-closed", "date", &day(survey.expires_at - 1)))
        }
        _ => None,
    };
    let settings = crate::db::settings::get(&state.database, &shop.id).await?;
    let questions = settings
        .surveys
        .questions
        .iter()
        .map(|question| Shown {
            field: format!("q_{}", question.key),
            label: match language {
                Language::Chinese => question.zh.clone(),
                Language::English => question.en.clone(),
            },
            kind: match question.kind {
                QuestionKind::Score => "score",
                QuestionKind::YesNo => "yes_no",
                QuestionKind::Text => "text",
            },
            value: typed
                .get(&format!("q_{}", question.key))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let intro = match survey.reason.as_str() {
        "milestone" => "survey-milestone-intro",
        _ => "survey-intro",
    };
    Ok(SurveyPage {
        page: page(state, shop, language).await?,
        action: format!(
            "/portal/{}/survey/{token}?lang={}",
            shop.slug,
            language.code()
        ),
        intro: language.text_with(intro, "number", &survey.case_number),
        notice,
        error,
        score: typed.get("score").cloned().unwrap_or_default(),
        comment: typed.get("comment").cloned().unwrap_or_default(),
        questions,
    })
}

pub(super) async fn show(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let language = Language::choose(query.lang.as_deref(), &headers);
    let (shop, survey) = open(&state, &slug, &token).await?;
    let shown = survey_page(
        &state,
        &shop,
        &survey,
        &token,
        language,
        &BTreeMap::new(),
        None,
    )
    .await?;
    Ok(with_language_cookie(
        render(&shown, StatusCode::OK, language),
        query.lang.as_deref(),
    ))
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let language = Language::choose(query.lang.as_deref(), &headers);
    let (shop, survey) = open(&state, &slug, &token).await?;
    let typed: BTreeMap<String, String> = fields.into_iter().collect();
    let input = AnswerInput {
        score: typed
            .get("score")
            .and_then(|score| score.trim().parse().ok()),
        comment: typed.get("comment").cloned(),
        answers: typed
            .iter()
            .filter_map(|(field, value)| {
                field
                    .strip_prefix("q_")
                    .map(|key| (key.to_string(), serde_json::Value::String(value.clone())))
            })
            .collect(),
    };
    let (status, error) =
        match operations::answer(&state.database, &shop, &survey, &input, None).await? {
            Ok(()) => (StatusCode::OK, None),
            Err(Refused::Invalid(_, key)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Some(language.text(key)))
            }
            Err(Refused::Answered) => (StatusCode::CONFLICT, None),
            Err(Refused::Expired) => (StatusCode::GONE, None),
        };
    let survey = operations::from_link(&state.database, &shop, &token)
        .await?
        .ok_or(AppError::NotFound("survey"))?;
    let mut shown = survey_page(&state, &shop, &survey, &token, language, &typed, error).await?;
    if status == StatusCode::OK {
        shown.notice = Some(language.text("survey-thanks"));
    }
    Ok(render(&shown, status, language))
}
