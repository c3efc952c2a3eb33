//! Suppliers and repair centres, their scorecards, and the send-outs of repair cases to them
//! (docs/REPAIRS.md).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{Authenticated, Json, Path, Query};
use super::views::{Page, after, page_limit};
use crate::error::AppResult;
use crate::operations::send_outs::{
    self, BackInput, FindingInput, ResultInput, SendOutInput, SendOutView,
};
use crate::operations::suppliers::{self, SupplierInput, SupplierScorecard, SupplierView};
use crate::state::AppState;

#[utoipa::path(get, path = "/suppliers", operation_id = "listSuppliers", tag = "repairs",
    responses((status = 200, body = Page<SupplierView>, description = "the shop's suppliers and repair centres, by name")),
    security(("bearer" = [])))]
/// The shop's suppliers and repair centres.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> AppResult<axum::Json<Page<SupplierView>>> {
    let found = suppliers::list(&state.database, &actor).await?;
    Ok(axum::Json(Page::whole(
        found
            .into_iter()
            .map(|record| suppliers::view(&actor.shop, record))
            .collect(),
    )))
}

#[utoipa::path(post, path = "/suppliers", operation_id = "createSupplier", tag = "repairs",
    request_body = SupplierInput,
    responses((status = 201, body = SupplierView, description = "kept"), (status = 403),
        (status = 409, description = "the shop has a supplier of that name (`supplier_name_taken`)"),
        (status = 422)),
    security(("bearer" = [])))]
/// Adds a supplier, brand service centre or the shop's own workshop.
pub async fn create(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<SupplierInput>,
) -> AppResult<(StatusCode, axum::Json<SupplierView>)> {
    let record = suppliers::create(&state.database, &actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(suppliers::view(&actor.shop, record)),
    ))
}

#[utoipa::path(get, path = "/suppliers/{id}", operation_id = "getSupplier", tag = "repairs",
    params(("id" = String, Path)),
    responses((status = 200, body = SupplierView), (status = 404)),
    security(("bearer" = [])))]
/// One supplier.
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<SupplierView>> {
    let record = suppliers::get(&state.database, &actor, &id).await?;
    Ok(axum::Json(suppliers::view(&actor.shop, record)))
}

#[utoipa::path(put, path = "/suppliers/{id}", operation_id = "replaceSupplier", tag = "repairs",
    params(("id" = String, Path)), request_body = SupplierInput,
    responses((status = 200, body = SupplierView), (status = 403), (status = 404),
        (status = 409, description = "changed meanwhile (`version_conflict`) or the name is taken"),
        (status = 422)),
    security(("bearer" = [])))]
/// Replaces a supplier's fields, with the version read.
pub async fn replace(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<SupplierInput>,
) -> AppResult<axum::Json<SupplierView>> {
    let record = suppliers::update(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(suppliers::view(&actor.shop, record)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// The first day sent (YYYY-MM-DD, the shop's zone).
    pub from: Option<String>,
    /// The last day sent.
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/suppliers/{id}/scorecard", operation_id = "supplierScorecard", tag = "repairs",
    params(("id" = String, Path), PeriodQuery),
    responses((status = 200, body = SupplierScorecard, description = "turnaround, on-time share, confirmation and repeat-fault rates"),
        (status = 404), (status = 422)),
    security(("bearer" = [])))]
/// How a supplier does: turnaround median and p90, on-time share, confirmation rate,
/// repeat-fault rate, over the send-outs sent in the period.
pub async fn scorecard(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> AppResult<axum::Json<SupplierScorecard>> {
    Ok(axum::Json(
        suppliers::score(
            &state.database,
            &actor,
            &id,
            query.from.as_deref(),
            query.to.as_deref(),
        )
        .await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SendOutQuery {
    /// Only those still away (default true).
    pub open: Option<bool>,
    pub supplier_id: Option<String>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/send-outs", operation_id = "listSendOuts", tag = "repairs",
    params(SendOutQuery),
    responses((status = 200, body = Page<SendOutView>, description = "newest first"), (status = 422)),
    security(("bearer" = [])))]
/// Items sent to suppliers: those still away, or all.
pub async fn list_send_outs(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<SendOutQuery>,
) -> AppResult<axum::Json<Page<SendOutView>>> {
    let limit = page_limit(query.limit)?;
    let found = crate::db::suppliers::list(
        &state.database.reader,
        &actor.shop.id,
        query.open.unwrap_or(true),
        query.supplier_id.as_deref(),
        after(query.cursor.as_deref())?,
        limit,
    )
    .await?;
    let page = Page::of(
        found,
        limit,
        |record| (record.sent_at, record.id.as_str()),
        |record| record,
    );
    let mut items = Vec::new();
    for record in page.items {
        items.push(send_outs::view(&state.database, &actor.shop, record).await?);
    }
    Ok(axum::Json(Page {
        items,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/send-outs", operation_id = "createSendOut", tag = "repairs",
    request_body = SendOutInput,
    responses((status = 201, body = SendOutView, description = "sent: the cases are at the supplier"),
        (status = 403), (status = 409, description = "a case changed meanwhile, or cannot go to a supplier now"),
        (status = 422)),
    security(("bearer" = [])))]
/// Sends one or more diagnosing repair cases to a supplier in one parcel.
pub async fn create_send_out(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<SendOutInput>,
) -> AppResult<(StatusCode, axum::Json<SendOutView>)> {
    let record = send_outs::create(&state.database, &actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(send_outs::view(&state.database, &actor.shop, record).await?),
    ))
}

#[utoipa::path(get, path = "/send-outs/{id}", operation_id = "getSendOut", tag = "repairs",
    params(("id" = String, Path)),
    responses((status = 200, body = SendOutView), (status = 404)),
    security(("bearer" = [])))]
/// One send-out.
pub async fn show_send_out(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<SendOutView>> {
    let record = send_outs::get(&state.database, &actor, &id).await?;
    Ok(axum::Json(
        send_outs::view(&state.database, &actor.shop, record).await?,
    ))
}

#[utoipa::path(post, path = "/send-outs/{id}/finding", operation_id = "recordSendOutFinding", tag = "repairs",
    params(("id" = String, Path)), request_body = FindingInput,
    responses((status = 200, body = SendOutView, description = "recorded; the customers are told"),
        (status = 404), (status = 409, description = "changed meanwhile, or it has its finding"), (status = 422)),
    security(("bearer" = [])))]
/// The supplier's finding: the fault confirmed, not confirmed or not reproducible.
pub async fn finding(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<FindingInput>,
) -> AppResult<axum::Json<SendOutView>> {
    let record = send_outs::finding(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(
        send_outs::view(&state.database, &actor.shop, record).await?,
    ))
}

#[utoipa::path(post, path = "/send-outs/{id}/result", operation_id = "recordSendOutResult", tag = "repairs",
    params(("id" = String, Path)), request_body = ResultInput,
    responses((status = 200, body = SendOutView, description = "recorded; charges booked, the parcel back watched"),
        (status = 404), (status = 409, description = "changed meanwhile, or it has its result"), (status = 422)),
    security(("bearer" = [])))]
/// The supplier's result: what it did, the parts, its charges or credits, the parcel back.
pub async fn result(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<ResultInput>,
) -> AppResult<axum::Json<SendOutView>> {
    let record = send_outs::result(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(
        send_outs::view(&state.database, &actor.shop, record).await?,
    ))
}

#[utoipa::path(post, path = "/send-outs/{id}/back", operation_id = "receiveSendOut", tag = "repairs",
    params(("id" = String, Path)), request_body = BackInput,
    responses((status = 200, body = SendOutView, description = "back at the shop; the cases diagnose again"),
        (status = 404), (status = 409, description = "changed meanwhile, or back already"), (status = 422)),
    security(("bearer" = [])))]
/// The item is back from the supplier.
pub async fn back(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<BackInput>,
) -> AppResult<axum::Json<SendOutView>> {
    let record = send_outs::back(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(
        send_outs::view(&state.database, &actor.shop, record).await?,
    ))
}
