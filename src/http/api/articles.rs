//! The knowledge base: articles written and changed, searched (for a chat widget or a
//! marketplace's bot), counted, imported and exported as Markdown files.

use axum::extract::{FromRequest, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use super::views::{Page, after, page_limit};
use crate::domain::knowledge::{ArticleInput, ArticleStatus};
use crate::error::{AppError, AppResult};
use crate::i18n::Language;
use crate::operations::knowledge::{
    self as operations, ArticleView, Asking, Feedback, ImportReport, MissView, Suggestion,
};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Only the articles in this state: draft, published or archived.
    #[param(pattern = "^(draft|published|archived)$")]
    pub status: Option<String>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/articles", operation_id = "listArticles", tag = "knowledge", params(ArticleQuery),
    responses((status = 200, body = Page<ArticleView>, description = "the shop's articles, the last changed first"),
        (status = 422)),
    security(("bearer" = [])))]
/// The knowledge base's articles, with their counters.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<ArticleQuery>,
) -> AppResult<axum::Json<Page<ArticleView>>> {
    let status = match query.status.as_deref() {
        None => None,
        Some(text) => Some(ArticleStatus::parse(text).ok_or_else(|| {
            AppError::invalid(
                "status",
                format!("unknown status '{text}'; use draft, published or archived"),
            )
        })?),
    };
    let limit = page_limit(query.limit)?;
    let found = operations::list(
        &state.database,
        &actor,
        status,
        after(query.cursor.as_deref())?,
        limit,
    )
    .await?;
    let shop = actor.shop.clone();
    Ok(axum::Json(Page::of(
        found,
        limit,
        |article| (article.updated_at, article.id.as_str()),
        |article| operations::view(&shop, &article),
    )))
}

#[utoipa::path(post, path = "/articles", operation_id = "createArticle", tag = "knowledge",
    request_body = ArticleInput,
    responses((status = 201, body = ArticleView, description = "written (published ones are found at once)"),
        (status = 403), (status = 409, description = "the shop has an article at this address"), (status = 422)),
    security(("bearer" = [])))]
/// Writes an article (Markdown, in Chinese, English or both).
pub async fn create(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<ArticleInput>,
) -> AppResult<(StatusCode, axum::Json<ArticleView>)> {
    let article = operations::create(&state.database, &actor, input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(operations::view(&actor.shop, &article)),
    ))
}

#[utoipa::path(get, path = "/articles/{id}", operation_id = "getArticle", tag = "knowledge",
    params(("id" = String, Path)),
    responses((status = 200, body = ArticleView), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<ArticleView>> {
    let article = operations::get(&state.database, &actor, &id).await?;
    Ok(axum::Json(operations::view(&actor.shop, &article)))
}

#[utoipa::path(put, path = "/articles/{id}", operation_id = "replaceArticle", tag = "knowledge",
    params(("id" = String, Path)), request_body = ArticleInput,
    responses((status = 200, body = ArticleView, description = "changed (saving counts as reviewing)"),
        (status = 403), (status = 404), (status = 409, description = "changed meanwhile, or the address is taken"),
        (status = 422)),
    security(("bearer" = [])))]
/// Replaces an article; `version` is the one read.
pub async fn replace(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<ArticleInput>,
) -> AppResult<axum::Json<ArticleView>> {
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "send the version of the article you read"))?;
    let article = operations::replace(&state.database, &actor, (&id, version), input).await?;
    Ok(axum::Json(operations::view(&actor.shop, &article)))
}

#[utoipa::path(post, path = "/articles/{id}/reviewed", operation_id = "reviewArticle", tag = "knowledge",
    params(("id" = String, Path)),
    responses((status = 200, body = ArticleView, description = "marked as checked today"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
/// Says the article is still true as it stands (its "last reviewed" date).
pub async fn reviewed(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<ArticleView>> {
    let article = operations::reviewed(&state.database, &actor, &id).await?;
    Ok(axum::Json(operations::view(&actor.shop, &article)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The question, in the customer's words.
    pub q: String,
    /// The product it is about (name, SKU or category): articles for other products are left out.
    pub product: Option<String>,
    /// zh-CN (default) or en-US: the titles and summaries' language.
    #[param(pattern = "^(zh-CN|en-US)$")]
    pub language: Option<String>,
    /// 1 to 20 (default 5).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/articles/search", operation_id = "searchArticles", tag = "knowledge", params(SearchQuery),
    responses((status = 200, body = Vec<Suggestion>, description = "the published articles that answer it, best first (empty: none; the question is kept for the writers)"),
        (status = 422)),
    security(("bearer" = [])))]
/// Finds the articles that answer a question (words, synonyms, typing mistakes).
pub async fn search(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<SearchQuery>,
) -> AppResult<axum::Json<Vec<Suggestion>>> {
    let language = match query.language.as_deref() {
        None | Some("zh-CN") => Language::Chinese,
        Some("en-US") => Language::English,
        Some(other) => {
            return Err(AppError::invalid(
                "language",
                format!("unknown language '{other}'; use zh-CN or en-US"),
            ));
        }
    };
    let limit = query.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(AppError::invalid("limit", "limit is 1 to 20"));
    }
    let asking = Asking {
        language,
        product: query.product.as_deref(),
        limit,
        keep_misses: true,
    };
    Ok(axum::Json(
        operations::search(&state.database, &actor.shop, &query.q, asking).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    /// helpful, not_helpful, deflected (it answered a request before it became a case) or
    /// inserted (an agent put it in a reply).
    pub feedback: Feedback,
}

#[utoipa::path(post, path = "/articles/{id}/feedback", operation_id = "countArticleFeedback", tag = "knowledge",
    params(("id" = String, Path)), request_body = FeedbackInput,
    responses((status = 204, description = "counted"), (status = 404, description = "no published article"), (status = 422)),
    security(("bearer" = [])))]
/// Counts what a reader said of a published article, or what it did (for a chat widget).
pub async fn feedback(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<FeedbackInput>,
) -> AppResult<StatusCode> {
    operations::feedback(&state.database, &actor.shop, &id, input.feedback).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/articles/misses", operation_id = "listArticleMisses", tag = "knowledge",
    responses((status = 200, body = Vec<MissView>, description = "the 200 questions asked most often that found nothing"),
        (status = 403)),
    security(("bearer" = [])))]
/// The questions that found no article: what to write next.
pub async fn misses(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> AppResult<axum::Json<Vec<MissView>>> {
    Ok(axum::Json(
        operations::misses(&state.database, &actor, 200).await?,
    ))
}

#[utoipa::path(post, path = "/articles/import", operation_id = "importArticles", tag = "knowledge",
    request_body(description = "Markdown files (one per article and language: slug.zh-CN.md, slug.en-US.md) or a ZIP of them, as exported",
        content(("multipart/form-data"), ("application/zip"), ("text/markdown"))),
    responses((status = 200, body = ImportReport, description = "created, updated, unchanged, and each file refused"),
        (status = 403), (status = 415), (status = 422)),
    security(("bearer" = [])))]
/// Imports articles from Markdown files; the same files again change nothing.
pub async fn import(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    request: axum::extract::Request,
) -> AppResult<axum::Json<ImportReport>> {
    let content_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let uploads = if content_type.starts_with("multipart/form-data") {
        let (_, files) = super::extract::uploaded(
            &state,
            request,
            5_000,
            "send 1 to 5,000 Markdown or ZIP files",
        )
        .await?;
        files
            .into_iter()
            .map(|(name, bytes)| (name.unwrap_or_else(|| "article.md".into()), bytes))
            .collect()
    } else {
        let name = match content_type.split(';').next().unwrap_or_default().trim() {
            "text/markdown" | "text/plain" => "article.md",
            "application/zip" | "application/octet-stream" => "articles.zip",
            _ => {
                return Err(AppError::UnsupportedMediaType(
                    "send multipart/form-data, application/zip or text/markdown".into(),
                ));
            }
        };
        let body = axum::body::Bytes::from_request(request, &state)
            .await
            .map_err(|rejection| AppError::bad_request(rejection.body_text()))?;
        vec![(name.to_string(), body.to_vec())]
    };
    Ok(axum::Json(
        operations::import(&state.database, &actor, uploads).await?,
    ))
}

#[utoipa::path(get, path = "/articles/export", operation_id = "exportArticles", tag = "knowledge",
    responses((status = 200, content((Vec<u8> = "application/zip")), description = "every article but the archived ones, as Markdown files"),
        (status = 403)),
    security(("bearer" = [])))]
/// Every article as Markdown files in a ZIP (the import's format).
pub async fn export(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> AppResult<axum::response::Response> {
    let bytes = operations::export(&state.database, &actor).await?;
    Ok(crate::http::download(
        "application/zip",
        &format!("articles-{}.zip", actor.shop.slug),
        bytes,
    ))
}
