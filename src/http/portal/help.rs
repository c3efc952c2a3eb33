//! The shop's help pages (/help/{shop}): its published articles by category, a search, each
//! article with "was this helpful?"; and the search as JSON for the portal's request form,
//! which shows matching articles as the customer types. Open to anyone, no sign-in.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Page, page, render, shop_by_slug};
use crate::error::AppError;
use crate::i18n::Language;
use crate::operations::knowledge::{self as operations, Asking, Feedback, Suggestion};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub(super) struct HelpQuery {
    q: Option<String>,
    product: Option<String>,
    thanks: Option<String>,
    lang: Option<String>,
    language: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/help.html")]
struct HelpPage {
    page: Page,
    question: String,
    searched: bool,
    results: Vec<Suggestion>,
    categories: Vec<(String, Vec<Suggestion>)>,
}

fn language_of(headers: &axum::http::HeaderMap, query: &HelpQuery) -> Language {
    let chosen = query.lang.as_deref().or(query.language.as_deref());
    Language::choose(chosen, headers)
}

/// The help centre: a search, and every published article by category.
pub(super) async fn index(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(query): axum::extract::Query<HelpQuery>,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &shop).await?;
    let language = language_of(&headers, &query);
    let question = query.q.clone().unwrap_or_default().trim().to_string();
    let searched = !question.is_empty();
    let results = if searched {
        let asking = Asking {
            language,
            product: query.product.as_deref(),
            limit: 10,
            keep_misses: true,
        };
        operations::search(&state.database, &shop, &question, asking).await?
    } else {
        Vec::new()
    };
    let categories = if searched {
        Vec::new()
    } else {
        operations::contents(&state.database, &shop, language).await?
    };
    let page = HelpPage {
        page: page(&state, &shop, language).await?,
        question,
        searched,
        results,
        categories,
    };
    Ok(render(&page, StatusCode::OK, language))
}

/// The articles that match what is being typed (no question is kept: it is not finished).
pub(super) async fn suggestions(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(query): axum::extract::Query<HelpQuery>,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &shop).await?;
    let asking = Asking {
        language: language_of(&headers, &query),
        product: query
            .product
            .as_deref()
            .filter(|product| !product.is_empty()),
        limit: 3,
        keep_misses: false,
    };
    let found = operations::search(
        &state.database,
        &shop,
        query.q.as_deref().unwrap_or(""),
        asking,
    )
    .await?;
    let mut response = axum::Json(found).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "portal/article.html")]
struct ArticlePage {
    page: Page,
    slug: String,
    title: String,
    /// The text as HTML (Markdown rendered, raw HTML shown as text).
    body: String,
    category: String,
    reviewed: Option<String>,
    thanks: bool,
}

/// One article, counted as read.
pub(super) async fn article(
    State(state): State<AppState>,
    Path((shop, slug)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(query): axum::extract::Query<HelpQuery>,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &shop).await?;
    let language = language_of(&headers, &query);
    let thanks = query.thanks.is_some();
    let article = operations::published(&state.database, &shop, &slug, !thanks).await?;
    let (title, body) = match language {
        Language::English if !article.title_en.is_empty() => (&article.title_en, &article.body_en),
        _ if article.title_zh.is_empty() => (&article.title_en, &article.body_en),
        _ => (&article.title_zh, &article.body_zh),
    };
    let page = ArticlePage {
        page: page(&state, &shop, language).await?,
        slug: article.slug.clone(),
        title: title.clone(),
        body: crate::domain::knowledge::markdown::to_html(body),
        category: article.category.clone(),
        reviewed: article.reviewed_at.map(|at| {
            crate::http::pages::minutes(at, &shop.time_zone)
                .chars()
                .take(10)
                .collect()
        }),
        thanks,
    };
    Ok(render(&page, StatusCode::OK, language))
}

#[derive(Deserialize)]
pub(super) struct FeedbackForm {
    helpful: String,
}

/// "Was this helpful?": counted, then the article again with a thank-you.
pub(super) async fn feedback(
    State(state): State<AppState>,
    Path((shop, slug)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(query): axum::extract::Query<HelpQuery>,
    axum::Form(form): axum::Form<FeedbackForm>,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &shop).await?;
    let language = language_of(&headers, &query);
    let article = operations::published(&state.database, &shop, &slug, false).await?;
    let said = match form.helpful.as_str() {
        "yes" => Feedback::Helpful,
        "no" => Feedback::NotHelpful,
        _ => {
            return Err(AppError::invalid(
                "helpful",
                language.text("help-feedback-invalid"),
            ));
        }
    };
    operations::feedback(&state.database, &shop, &article.id, said).await?;
    Ok(crate::http::pages::redirect(&format!(
        "/help/{}/{}?thanks=1&lang={}",
        shop.slug,
        slug,
        language.code()
    ))
    .into_response())
}
