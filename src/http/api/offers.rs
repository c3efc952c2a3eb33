//! `/api/v1/cases/{id}/offers…`: partial-refund offers the customer answers in the portal, and
//! the signed link that takes the customer there.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{Authenticated, Json, Path, Query};
use super::views::{ListQuery, Page, page_limit, time};
use crate::db::offers::{self, OfferRecord};
use crate::db::shops::Shop;
use crate::error::AppResult;
use crate::operations::cases as case_operations;
use crate::operations::offers::{self as operations, Answer, OfferInput};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferView {
    pub id: String,
    /// partial_refund (money back, the goods kept), coupon, points or gift.
    pub kind: String,
    /// The money back, or what the coupon, points or gift are worth, in the order's currency.
    pub amount_minor: i64,
    /// The coupon's code, the points, the gift.
    pub detail: Option<String>,
    pub currency: String,
    pub note: Option<String>,
    /// open, pending_approval (above the shop's caps: a supervisor approves), accepted,
    /// declined, withdrawn or refused (by a supervisor).
    pub state: String,
    /// A coupon's last day.
    pub valid_until: Option<String>,
    /// The supervisor who approved it above the caps.
    pub approved_by: Option<String>,
    pub created_at: String,
    pub answered_at: Option<String>,
    /// The refund paid when the customer accepted.
    pub refund_id: Option<String>,
}

fn view(shop: &Shop, record: OfferRecord) -> OfferView {
    OfferView {
        created_at: time(shop, record.created_at),
        answered_at: record.answered_at.map(|at| time(shop, at)),
        id: record.id,
        kind: record.kind,
        amount_minor: record.amount_minor,
        detail: record.detail,
        currency: record.currency,
        note: record.note,
        state: record.state,
        refund_id: record.refund_id,
        valid_until: record.valid_until,
        approved_by: record.approved_by,
    }
}

#[utoipa::path(post, path = "/cases/{id}/offers", operation_id = "createCaseOffer", tag = "refunds",
    params(("id" = String, Path)), request_body = OfferInput,
    responses((status = 201, body = OfferView),
        (status = 409, description = "not a submitted or approved refund case, or an offer is already open"),
        (status = 422, description = "the amount is not positive or more than is left to refund")),
    security(("bearer" = [])))]
/// Offers the customer a partial refund to keep the goods; the customer accepts or declines in
/// the portal, and accepting pays the refund at once.
pub async fn make(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<OfferInput>,
) -> AppResult<(StatusCode, axum::Json<OfferView>)> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let offer = operations::make(&state.database, &actor, &case.id, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(view(&actor.shop, offer))))
}

#[utoipa::path(post, path = "/cases/{id}/compensations", operation_id = "createCaseCompensation", tag = "refunds",
    params(("id" = String, Path)), request_body = OfferInput,
    responses((status = 201, body = OfferView, description = "given: money paid as a refund, or a coupon, points, a gift recorded"),
        (status = 409, description = "the case is closed"),
        (status = 422, description = "the amount is not positive or more than is left of what was paid")),
    security(("bearer" = [])))]
/// Gives the customer compensation at once (staff): goodwill money on a complaint or
/// consultation, a coupon, points or a gift, each with its value in the order's currency.
pub async fn compensate(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<OfferInput>,
) -> AppResult<(StatusCode, axum::Json<OfferView>)> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let offer = operations::compensate(&state.database, &actor, &case.id, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(view(&actor.shop, offer))))
}

#[utoipa::path(get, path = "/cases/{id}/offers", operation_id = "listCaseOffers", tag = "refunds",
    params(("id" = String, Path), ListQuery),
    responses((status = 200, body = Page<OfferView>)), security(("bearer" = [])))]
/// The case's offers, newest first.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(page): Query<ListQuery>,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Page<OfferView>>> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let records = offers::for_case(&state.database.reader, &case.id).await?;
    Ok(axum::Json(Page::slice(
        records,
        page_limit(page.limit)?,
        page.cursor.as_deref(),
        |record| record.id.as_str(),
        |record| view(&actor.shop, record),
    )?))
}

#[utoipa::path(post, path = "/cases/{id}/offers/{offer_id}/withdraw", operation_id = "withdrawCaseOffer", tag = "refunds",
    params(("id" = String, Path), ("offer_id" = String, Path)),
    responses((status = 200, body = OfferView), (status = 409, description = "the offer is no longer open")),
    security(("bearer" = [])))]
/// Takes back an open offer.
pub async fn withdraw(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, offer_id)): Path<(String, String)>,
) -> AppResult<axum::Json<OfferView>> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let offer = operations::answer(
        &state.database,
        &actor,
        &case.id,
        &offer_id,
        Answer::Withdraw,
    )
    .await?;
    Ok(axum::Json(view(&actor.shop, offer)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortalLink {
    /// Opens the case in the portal, signed in to its order, without the phone number.
    pub url: String,
    pub expires_at: String,
}

#[utoipa::path(post, path = "/cases/{id}/portal-link", operation_id = "createCasePortalLink", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 200, body = PortalLink)), security(("bearer" = [])))]
/// A signed link for the customer (valid 30 days), e.g. to paste into a chat.
pub async fn portal_link(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<PortalLink>> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let base = crate::http::base_url(&state)?;
    let url = crate::operations::portal_tokens::signed_link(
        &state.database,
        &actor.shop,
        &case.order_id,
        Some(&case.number),
        &base,
    )
    .await?;
    let expires = state.clock.now() + crate::operations::portal_tokens::LINK_MICROS;
    Ok(axum::Json(PortalLink {
        url,
        expires_at: time(&actor.shop, expires),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    /// true: the offer goes to the customer (compensation given directly is accepted at once);
    /// false: refused.
    pub approve: bool,
    /// Why it was refused (required then).
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/cases/{id}/offers/{offer_id}/approval", operation_id = "approveCaseOffer", tag = "refunds",
    params(("id" = String, Path), ("offer_id" = String, Path)), request_body = ApprovalInput,
    responses((status = 200, body = OfferView, description = "the offer approved (open, or accepted when given directly) or refused"),
        (status = 403, description = "supervisors and admins approve"),
        (status = 409, description = "the offer does not wait for approval")),
    security(("bearer" = [])))]
/// A supervisor's answer to compensation an agent offered above the shop's caps.
pub async fn approve(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, offer_id)): Path<(String, String)>,
    Json(input): Json<ApprovalInput>,
) -> AppResult<axum::Json<OfferView>> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let offer = operations::approve(
        &state.database,
        &actor,
        &case.id,
        &offer_id,
        input.approve,
        input.note.as_deref(),
    )
    .await?;
    Ok(axum::Json(view(&actor.shop, offer)))
}
