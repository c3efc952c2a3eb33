//! Stock per SKU, and an exchange's replacement with the price difference to settle.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::{Authenticated, Json, Path};
use crate::db::stock::{self, ReplacementRecord, StockRecord};
use crate::error::{AppError, AppResult};
use crate::operations::replacements::{
    self as operations, ReplacementInput, SettleDifferenceInput, StockLevel,
};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct StockView {
    pub sku: String,
    pub on_hand: i64,
    /// Held for exchanges approved and not yet sent.
    pub reserved: i64,
    /// On hand less what is held.
    pub free: i64,
}

impl From<StockRecord> for StockView {
    fn from(record: StockRecord) -> StockView {
        StockView {
            free: record.on_hand - record.reserved,
            sku: record.sku,
            on_hand: record.on_hand,
            reserved: record.reserved,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StockSaved {
    /// How many SKUs were set.
    pub saved: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplacementView {
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub currency: String,
    /// The replacement's price less what was paid for the goods sent back: above zero the
    /// customer pays it, below zero it is refunded when the replacement goes out.
    pub difference_minor: i64,
    /// Whether its stock is held.
    pub reserved: bool,
    /// paid, refunded or waived once the difference is settled.
    pub settled: Option<String>,
    pub settled_reference: Option<String>,
    /// Where the customer pays what they owe (the shop's `exchanges.payment_link`, filled in).
    pub payment_link: Option<String>,
}

/// The view with the payment link, from the case's number and the shop's settings.
async fn view(
    state: &AppState,
    actor: &crate::db::shops::Actor,
    case_id: &str,
    record: ReplacementRecord,
) -> AppResult<ReplacementView> {
    let case = crate::operations::cases::fetch(&state.database, actor, case_id).await?;
    let settings = crate::db::settings::get(&state.database, &actor.shop.id).await?;
    let link = operations::payment_link(&settings, &record, &case.number);
    let mut view = ReplacementView::from(record);
    view.payment_link = link;
    Ok(view)
}

impl From<ReplacementRecord> for ReplacementView {
    fn from(record: ReplacementRecord) -> ReplacementView {
        ReplacementView {
            payment_link: None,
            sku: record.sku,
            product_name: record.product_name,
            quantity: record.quantity,
            unit_price_minor: record.unit_price_minor,
            currency: record.currency,
            difference_minor: record.difference_minor,
            reserved: record.reserved == 1,
            settled: record.settled,
            settled_reference: record.settled_reference,
        }
    }
}

#[utoipa::path(put, path = "/stock", operation_id = "setStock", tag = "orders",
    request_body = Vec<StockLevel>, responses((status = 200, body = StockSaved)),
    security(("bearer" = [])))]
/// Sets what is on hand per SKU (what exchanges hold stays held). A SKU never set is not
/// tracked: exchanges to it hold nothing.
pub async fn set(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(levels): Json<Vec<StockLevel>>,
) -> AppResult<axum::Json<StockSaved>> {
    let saved = operations::set_stock(&state.database, &actor, &levels).await?;
    Ok(axum::Json(StockSaved { saved }))
}

#[utoipa::path(get, path = "/stock/{sku}", operation_id = "getStock", tag = "orders",
    params(("sku" = String, Path)), responses((status = 200, body = StockView), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(sku): Path<String>,
) -> AppResult<axum::Json<StockView>> {
    let record = stock::get(&state.database.reader, &actor.shop.id, &sku)
        .await?
        .ok_or(AppError::NotFound("stock"))?;
    Ok(axum::Json(record.into()))
}

#[utoipa::path(put, path = "/cases/{id}/replacement", operation_id = "chooseReplacement", tag = "cases",
    params(("id" = String, Path)), request_body = ReplacementInput,
    responses((status = 200, body = ReplacementView),
        (status = 409, description = "not an exchange, or its replacement went out")),
    security(("bearer" = [])))]
/// Chooses an exchange's replacement (another size, colour or product) with its price: the
/// difference against what was paid is worked out, and once approved its stock is held.
pub async fn choose(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<ReplacementInput>,
) -> AppResult<axum::Json<ReplacementView>> {
    let record = operations::choose(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(view(&state, &actor, &id, record).await?))
}

#[utoipa::path(get, path = "/cases/{id}/replacement", operation_id = "getReplacement", tag = "cases",
    params(("id" = String, Path)), responses((status = 200, body = ReplacementView), (status = 404)),
    security(("bearer" = [])))]
pub async fn read(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<ReplacementView>> {
    let case = crate::operations::cases::fetch(&state.database, &actor, &id).await?;
    let record = stock::replacement(&state.database.reader, &case.id)
        .await?
        .ok_or(AppError::NotFound("replacement"))?;
    Ok(axum::Json(view(&state, &actor, &id, record).await?))
}

#[utoipa::path(post, path = "/cases/{id}/replacement/settle", operation_id = "settleReplacementDifference", tag = "cases",
    params(("id" = String, Path)), request_body = SettleDifferenceInput,
    responses((status = 200, body = ReplacementView),
        (status = 409, description = "nothing owed, or settled already")),
    security(("bearer" = [])))]
/// The customer paid the difference (with the payment's reference), or the shop waives it; the
/// replacement can then go out.
pub async fn settle(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<SettleDifferenceInput>,
) -> AppResult<axum::Json<ReplacementView>> {
    let record = operations::settle(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(view(&state, &actor, &id, record).await?))
}
