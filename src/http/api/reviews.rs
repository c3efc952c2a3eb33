//! Reviews: bring them in (a list, or a platform's export file), list and export them, give an
//! unmatched one its order, record the buyer's answer, write and post the explanation reply,
//! the statistics per product and month.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use super::views::{Page, after, page_limit};
use crate::db::reviews::Filter;
use crate::domain::reviews::ProductMonth;
use crate::error::{AppError, AppResult};
use crate::http::Export;
use crate::operations::reviews::{self as operations, ReviewInput, ReviewReport, ReviewView};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewsInput {
    /// 1 to 1,000 reviews; each is stored once (by the platform's id, else its order and product).
    pub reviews: Vec<ReviewInput>,
}

#[utoipa::path(post, path = "/reviews", operation_id = "recordReviews", tag = "reviews",
    request_body = ReviewsInput,
    responses((status = 200, body = ReviewReport, description = "what became of each: created, unchanged, revised, the cases opened, the rows refused"),
        (status = 403), (status = 422)),
    security(("bearer" = [])))]
/// Records reviews from a connector or the shop's own site: each matched to its order; a medium
/// or negative one opens a `review` case; one sent again unchanged changes nothing, one changed
/// is a revision on its case's timeline.
pub async fn record(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<ReviewsInput>,
) -> AppResult<axum::Json<ReviewReport>> {
    if input.reviews.is_empty() || input.reviews.len() > 1000 {
        return Err(AppError::invalid(
            "reviews",
            "send 1 to 1,000 reviews at a time",
        ));
    }
    let inputs = input
        .reviews
        .into_iter()
        .enumerate()
        .map(|(index, review)| (index + 1, Ok(review)))
        .collect();
    Ok(axum::Json(
        operations::record(&state.database, &actor, inputs, "own_store").await?,
    ))
}

#[utoipa::path(post, path = "/reviews/import", operation_id = "importReviews", tag = "reviews",
    request_body(description = "a review export as it comes: Taobao/Tmall 评价, JD 评价, Judge.me (Shopify) or the import's own columns; CSV (UTF-8 or GBK) or XLSX, sent as its bytes or as one multipart file",
        content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/octet-stream"), ("multipart/form-data"))),
    responses((status = 200, body = ReviewReport, description = "the layout read, what became of each row, each refused row with its reason"),
        (status = 403), (status = 415), (status = 422, description = "a file this import cannot read")),
    security(("bearer" = [])))]
/// Imports a platform's review export; a second import of the same file changes nothing.
pub async fn import(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    request: axum::extract::Request,
) -> AppResult<axum::Json<ReviewReport>> {
    let (_, mut files) =
        super::extract::uploaded(&state, request, 1, "send one review export file").await?;
    let bytes = files.remove(0).1;
    Ok(axum::Json(
        operations::import(&state.database, &actor, &bytes).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// positive, medium or negative (as it is now).
    #[param(pattern = "^(positive|medium|negative)$")]
    pub grade: Option<String>,
    pub platform: Option<String>,
    /// The product (SKU, or title when the export had no code).
    pub product: Option<String>,
    /// The first day, YYYY-MM-DD in the shop's zone.
    pub from: Option<String>,
    /// The last day, included.
    pub to: Option<String>,
    /// Only explanations written and not yet posted on the platform.
    pub to_post: Option<bool>,
    /// Only reviews whose order was not found.
    pub unmatched: Option<bool>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// 1 to 200 (default 50); an export takes everything that matches.
    pub limit: Option<i64>,
    /// json (default), csv (UTF-8 with a BOM) or xlsx.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/reviews", operation_id = "listReviews", tag = "reviews", params(ReviewQuery),
    responses((status = 200, content((Page<ReviewView> = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "the reviews, newest first; as a file, every one that matches")),
    security(("bearer" = [])))]
/// The shop's reviews, newest first, with the filters applied (staff); CSV or XLSX for posting
/// the explanations on the platform.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<ReviewQuery>,
) -> AppResult<Response> {
    let format = Export::parse(query.format.as_deref())?;
    let (from, to) = crate::operations::period(
        query.from.as_deref(),
        query.to.as_deref(),
        &actor.shop.time_zone,
    )?;
    let filter = Filter {
        grade: query.grade.clone(),
        platform: query.platform.clone(),
        product: query.product.clone(),
        from: (from > 0).then_some(from),
        to: (to < i64::MAX).then_some(to),
        to_post: query.to_post.unwrap_or(false),
        unmatched: query.unmatched.unwrap_or(false),
    };
    if format != Export::Json {
        let table = operations::export(&state.database, &actor, &filter)?;
        return crate::http::table_file(format, table).await;
    }
    let limit = page_limit(query.limit)?;
    let found = operations::list(
        &state.database,
        &actor,
        &filter,
        after(query.cursor.as_deref())?,
        limit,
    )
    .await?;
    let shop = actor.shop.clone();
    Ok(axum::Json(Page::of(
        found,
        limit,
        |review| (review.reviewed_at, review.id.as_str()),
        |review| operations::view(&shop, &review),
    ))
    .into_response())
}

#[utoipa::path(get, path = "/reviews/{id}", operation_id = "getReview", tag = "reviews",
    params(("id" = String, Path)),
    responses((status = 200, body = ReviewView), (status = 404)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<ReviewView>> {
    let review = operations::get(&state.database, &actor, &id).await?;
    Ok(axum::Json(operations::view(&actor.shop, &review)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewOrderInput {
    pub order_number: String,
}

#[utoipa::path(post, path = "/reviews/{id}/order", operation_id = "linkReviewOrder", tag = "reviews",
    params(("id" = String, Path)), request_body = ReviewOrderInput,
    responses((status = 200, body = ReviewView, description = "linked; its case opened"),
        (status = 404), (status = 409, description = "it has its case already"), (status = 422)),
    security(("bearer" = [])))]
/// Gives a review whose order was not found its order: its case opens.
pub async fn link_order(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<ReviewOrderInput>,
) -> AppResult<axum::Json<ReviewView>> {
    let review = operations::link_order(&state.database, &actor, &id, &input.order_number).await?;
    Ok(axum::Json(operations::view(&actor.shop, &review)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewOutcomeInput {
    /// revised (the buyer changed the review), declined (an explanation follows) or unreachable.
    #[schema(pattern = "^(revised|declined|unreachable)$")]
    pub outcome: String,
}

#[utoipa::path(post, path = "/reviews/{id}/outcome", operation_id = "recordReviewOutcome", tag = "reviews",
    params(("id" = String, Path)), request_body = ReviewOutcomeInput,
    responses((status = 200, body = ReviewView), (status = 404), (status = 422)),
    security(("bearer" = [])))]
/// Records what the buyer said when contacted (on the case's timeline).
pub async fn outcome(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<ReviewOutcomeInput>,
) -> AppResult<axum::Json<ReviewView>> {
    let review = operations::record_outcome(&state.database, &actor, &id, &input.outcome).await?;
    Ok(axum::Json(operations::view(&actor.shop, &review)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewExplanationInput {
    /// The reply, 1 to 500 characters; or leave it out and name a `template`.
    #[serde(default)]
    pub text: Option<String>,
    /// One of the shop's explanation templates (settings `reviews`), filled for this review.
    #[serde(default)]
    pub template: Option<String>,
}

#[utoipa::path(post, path = "/reviews/{id}/explanation", operation_id = "explainReview", tag = "reviews",
    params(("id" = String, Path)), request_body = ReviewExplanationInput,
    responses((status = 200, body = ReviewView), (status = 404),
        (status = 409, description = "posted already: kept as posted"), (status = 422)),
    security(("bearer" = [])))]
/// Stores the explanation reply (评价解释) for posting on the platform: the text given, or the
/// shop's template filled in.
pub async fn explain(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<ReviewExplanationInput>,
) -> AppResult<axum::Json<ReviewView>> {
    let text = match (input.text, input.template) {
        (Some(text), _) => text,
        (None, Some(template)) => {
            operations::draft(&state.database, &actor, &id, &template).await?
        }
        (None, None) => {
            return Err(AppError::invalid(
                "text",
                "give the explanation's text or a template's name",
            ));
        }
    };
    let review = operations::explain(&state.database, &actor, &id, &text).await?;
    Ok(axum::Json(operations::view(&actor.shop, &review)))
}

#[utoipa::path(post, path = "/reviews/{id}/posted", operation_id = "markReviewExplanationPosted", tag = "reviews",
    params(("id" = String, Path)),
    responses((status = 200, body = ReviewView), (status = 404),
        (status = 409, description = "no explanation yet, or marked before")),
    security(("bearer" = [])))]
/// Marks the explanation as posted on the platform (it is kept as posted from then on).
pub async fn posted(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<ReviewView>> {
    let review = operations::mark_posted(&state.database, &actor, &id).await?;
    Ok(axum::Json(operations::view(&actor.shop, &review)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// The first day, YYYY-MM-DD in the shop's zone (default: everything).
    pub from: Option<String>,
    /// The last day, included.
    pub to: Option<String>,
}

/// Per product and month.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewStatistics {
    pub items: Vec<ProductMonth>,
    /// Always null: the statistics come in one page.
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/reviews/statistics", operation_id = "getReviewStatistics", tag = "reviews",
    params(StatisticsQuery),
    responses((status = 200, body = ReviewStatistics, description = "per product and month: reviews, mean stars, grades, the improved ones"),
        (status = 422)),
    security(("bearer" = [])))]
/// Review statistics per product and month (DSR-style mean stars, 好评/中评/差评 counts, how
/// many medium or negative reviews were revised upward).
pub async fn statistics(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<StatisticsQuery>,
) -> AppResult<axum::Json<ReviewStatistics>> {
    let (from, to) = crate::operations::period(
        query.from.as_deref(),
        query.to.as_deref(),
        &actor.shop.time_zone,
    )?;
    Ok(axum::Json(ReviewStatistics {
        items: operations::statistics(&state.database, &actor, from, to).await?,
        next_cursor: None,
    }))
}
