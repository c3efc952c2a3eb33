//! The return label of a case, for staff (API) and for the customer (portal) alike.

use crate::db::cases::{self, CaseRecord};
use crate::db::shops::Shop;
use crate::db::{Database, settings};
use crate::documents::label::{self, Label, LabelError, Size};
use crate::error::{AppError, AppResult};

/// The return address the customer agreed to in a negotiation (an accepted `return_address`
/// offer, the latest), if any: it replaces the shop's.
pub async fn return_address(database: &Database, case: &CaseRecord) -> AppResult<Option<String>> {
    Ok(crate::db::offers::for_case(&database.reader, &case.id)
        .await?
        .into_iter()
        .filter(|offer| offer.kind == "return_address" && offer.state == "accepted")
        .max_by_key(|offer| offer.answered_at)
        .and_then(|offer| offer.detail))
}

/// Renders the label; `base_url` is where the portal is reached (for the QR code), `font` a
/// configured font file (`path#index`) tried before the system's CJK fonts.
pub async fn render(
    database: &Database,
    shop: &Shop,
    case: &CaseRecord,
    size: Size,
    base_url: &str,
    font: Option<&str>,
) -> AppResult<Vec<u8>> {
    if !case.kind.ships_back() {
        return Err(AppError::Conflict {
            code: "no_return",
            message: format!(
                "a {} case sends nothing back to the shop, so it has no return label",
                case.kind.as_str()
            ),
            details: serde_json::json!({ "kind": case.kind }),
        });
    }
    let lines = cases::lines(&database.reader, &case.id).await?;
    let shop_settings = settings::get(database, &shop.id).await?;
    let mut items: Vec<(String, i64)> = lines
        .iter()
        .map(|line| (line.product_name.clone(), line.quantity))
        .collect();
    // A repair's paper invoice travels with the item (三包 repairs are claimed with it).
    if let Some(number) = crate::db::invoices::sent_back_with(&database.reader, &case.id).await? {
        items.push((format!("原发票 Original invoice {number}"), 1));
    }
    let document = Label {
        shop_name: shop.name.clone(),
        case_number: case.number.clone(),
        status_url: format!(
            "{}/portal/{}/cases/{}",
            base_url.trim_end_matches('/'),
            shop.slug,
            case.number
        ),
        order_number: case.order_number.clone(),
        items,
        customer_name: case
            .contact_name
            .clone()
            .or(case.customer_name.clone())
            .unwrap_or_default(),
        customer_contact: case
            .contact_phone
            .clone()
            .or(case.contact_email.clone())
            .unwrap_or_default(),
        return_address: return_address(database, case)
            .await?
            .or(shop_settings.return_address.clone()),
    };
    label::render(&document, size, font).map_err(|error| match error {
        LabelError::NoFont => AppError::NotConfigured(error.to_string()),
        other => AppError::Internal(anyhow::anyhow!(other.to_string())),
    })
}
