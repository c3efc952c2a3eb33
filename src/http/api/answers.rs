//! 7×24 status answers for a chat widget or a marketplace's customer-service bot: the customer's
//! question about an order, answered from its records (docs/ANSWERS.md).

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{Authenticated, Json};
use crate::error::{AppError, AppResult};
use crate::i18n::Language;
use crate::operations::answers::{self, Answer};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    /// The order the customer asks about (its number or id).
    pub order_number: String,
    /// The question in the customer's words, e.g. 退款到哪了, 什么时候能到, 怎么寄回.
    #[schema(min_length = 1, max_length = 500)]
    pub question: String,
    /// zh-CN or en-US; default from Accept-Language, else the shop's.
    #[serde(default)]
    pub language: Option<String>,
}

#[utoipa::path(post, path = "/answers", operation_id = "answerQuestion", tag = "cases",
    request_body = QuestionInput,
    responses((status = 200, body = Answer, description = "the answer; a question it cannot answer went to the shop (forwarded)"),
        (status = 403), (status = 404, description = "no such order"), (status = 422)),
    security(("bearer" = [])))]
/// Answers a customer's question about an order from its records (the refund, the parcel, the
/// return, the repair, the request's state); what it cannot answer becomes a message on the
/// order's case, or a new consultation, with the question kept.
pub async fn ask(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
    Json(input): Json<QuestionInput>,
) -> AppResult<axum::Json<Answer>> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden(
            "answers are asked through the shop's own token".into(),
        ));
    }
    let order =
        crate::operations::orders::find(&state.database, &actor.shop.id, &input.order_number)
            .await?;
    let language = match input.language.as_deref() {
        Some(text) => Language::parse(text).ok_or_else(|| {
            AppError::invalid(
                "language",
                format!("unknown language '{text}'; use zh-CN or en-US"),
            )
        })?,
        None if headers.contains_key(axum::http::header::ACCEPT_LANGUAGE) => {
            Language::choose(None, &headers)
        }
        None => Language::parse(&actor.shop.locale).unwrap_or(Language::Chinese),
    };
    Ok(axum::Json(
        answers::ask(
            &state.database,
            &actor.shop,
            &order,
            &input.question,
            language,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestionInput {
    /// A request's description, in the customer's words.
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
}

#[utoipa::path(post, path = "/suggestions", operation_id = "suggestReasonAndKind", tag = "cases",
    request_body = SuggestionInput,
    responses((status = 200, body = Object, description = "the three likeliest reasons and kinds with their probability, and which model said so (shop or starting)"),
        (status = 422)),
    security(("bearer" = [])))]
/// What a description suggests: a case's reason and kind, learned from the shop's ended cases
/// (docs/TRIAGE.md, "Learned suggestions").
pub async fn suggest(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<SuggestionInput>,
) -> AppResult<axum::Json<crate::domain::suggestions::Suggestion>> {
    let text = input.text.trim();
    if text.is_empty() || text.chars().count() > 4000 {
        return Err(AppError::invalid(
            "text",
            "send the description: 1 to 4,000 characters",
        ));
    }
    Ok(axum::Json(
        crate::operations::suggestions::suggest(&state.database, &actor.shop.id, text).await?,
    ))
}
