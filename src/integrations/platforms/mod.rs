//! Sales platforms' payloads (Shopify REST Order and Refund, WooCommerce REST v3 order, this
//! API's generic format) read into the shop's order input, with the platform's id, last-change
//! time, parcels and the refunds made on the platform.

mod shopify;
mod woocommerce;

use serde_json::Value;

use crate::domain::{Currency, Money};
use crate::operations::orders::OrderInput;

pub use shopify::{PlatformReturn, shopify_order, shopify_refund, shopify_return};
pub use woocommerce::woocommerce_order;

/// An order as a platform sent it: its input, the platform's id, when it last changed.
pub struct PlatformOrder {
    pub input: OrderInput,
    pub external_id: String,
    /// Unix microseconds.
    pub updated_at: i64,
    /// The platform's id of each line, in order (line number = position + 1).
    pub line_ids: Vec<String>,
    /// The parcels the order went out in, as far as the platform knows them.
    pub parcels: Vec<Parcel>,
    /// The refunds made on the platform so far (Shopify `refunds[]`, WooCommerce `refunds`).
    pub refunds: Vec<PlatformRefund>,
}

/// A refund made on the platform itself: money that went back without this product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformRefund {
    /// The platform's id of the refund; a refund is recorded once per id.
    pub external_id: String,
    /// The platform's id of the order.
    pub order_external_id: String,
    /// Unix microseconds.
    pub refunded_at: i64,
    pub lines: Vec<RefundedLine>,
    /// Delivery cost paid back.
    pub shipping_minor: i64,
    /// The whole amount, when the platform gives it without lines (WooCommerce): spread over
    /// the lines by what is left on each.
    pub unallocated_minor: i64,
    /// What the platform's payment transactions paid back, when it says (Shopify): money beyond
    /// the lines and the delivery (an adjustment) is spread over the lines too.
    pub paid_out_minor: Option<i64>,
    pub note: Option<String>,
}

/// One line of a platform refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundedLine {
    /// The platform's id of the order line (the line number for the generic format).
    pub line_id: String,
    /// Units returned or cancelled with it (0 for money only).
    pub quantity: i64,
    /// The amount back for the line, before tax.
    pub amount_minor: i64,
    /// The tax back with it.
    pub tax_minor: i64,
}

/// A parcel of an order on its way to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parcel {
    pub carrier: String,
    pub tracking_number: String,
    /// Unix microseconds.
    pub shipped_at: Option<i64>,
}

pub(super) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A decimal amount ("19.90", or a number) in minor units of `currency`.
pub(super) fn minor(value: &Value, currency: Currency, field: &str) -> Result<i64, String> {
    let text = text(value).unwrap_or_else(|| "0".into());
    Money::parse_decimal(&text, currency)
        .map(|money| money.amount_minor)
        .map_err(|error| format!("{field}: '{text}' is not an amount ({error})"))
}

/// RFC 3339, or a time without zone read as UTC (WooCommerce's `_gmt` fields).
pub(super) fn instant(value: &Value, field: &str) -> Result<Option<i64>, String> {
    let Some(text) = text(value) else {
        return Ok(None);
    };
    let parsed = text
        .parse::<jiff::Timestamp>()
        .or_else(|_| format!("{text}Z").parse::<jiff::Timestamp>())
        .map_err(|error| format!("{field}: '{text}' is not a time ({error})"))?;
    Ok(Some(parsed.as_microsecond()))
}

pub(super) fn rfc3339(micros: Option<i64>) -> Option<String> {
    micros.and_then(|micros| {
        jiff::Timestamp::from_microsecond(micros)
            .ok()
            .map(|at| at.to_string())
    })
}

/// A phone number only if it looks like one; a platform's placeholder ("123") is dropped
/// rather than refusing the order.
pub(super) fn phone(value: &Value) -> Option<String> {
    text(value).filter(|phone| crate::domain::identifiers::PhoneNumber::parse(phone).is_ok())
}

pub(super) fn currency(value: &Value) -> Result<Currency, String> {
    let code = text(value).ok_or("currency is missing")?;
    Currency::parse(&code).map_err(|error| format!("currency '{code}': {error}"))
}

/// Any other platform's order, in this API's own format:
/// `{"id": "…", "updated_at": "RFC 3339", "order": { …as POST /api/v1/orders… },
/// "shipments": [{"carrier", "tracking_number", "shipped_at"}],
/// "refunds": [{"id", "refunded_at", "lines": [{"line_number", "quantity", "amount_minor"}],
/// "shipping_minor", "amount_minor", "note"}]}` (shipments and refunds optional; a refund's
/// `amount_minor` is money not tied to lines, spread over them).
pub fn generic_order(body: &Value) -> Result<PlatformOrder, String> {
    let external_id = text(&body["id"]).ok_or("id (the platform's order id) is missing")?;
    let updated_at = instant(&body["updated_at"], "updated_at")?.ok_or("updated_at is missing")?;
    let input: OrderInput =
        serde_json::from_value(body["order"].clone()).map_err(|error| format!("order: {error}"))?;
    let mut parcels = Vec::new();
    for (index, shipment) in body["shipments"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let field = format!("shipments[{index}]");
        parcels.push(Parcel {
            carrier: text(&shipment["carrier"]).ok_or(format!("{field}.carrier is missing"))?,
            tracking_number: text(&shipment["tracking_number"])
                .ok_or(format!("{field}.tracking_number is missing"))?,
            shipped_at: instant(&shipment["shipped_at"], &format!("{field}.shipped_at"))?,
        });
    }
    let mut refunds = Vec::new();
    for (index, refund) in body["refunds"].as_array().into_iter().flatten().enumerate() {
        let field = format!("refunds[{index}]");
        let amount = |value: &Value, name: &str| -> Result<i64, String> {
            match value {
                Value::Null => Ok(0),
                value => value.as_i64().filter(|amount| *amount >= 0).ok_or(format!(
                    "{field}.{name} must be a whole number of minor units, not negative"
                )),
            }
        };
        let mut lines = Vec::new();
        for (position, line) in refund["lines"].as_array().into_iter().flatten().enumerate() {
            let name = format!("lines[{position}]");
            lines.push(RefundedLine {
                line_id: text(&line["line_number"])
                    .ok_or(format!("{field}.{name}.line_number is missing"))?,
                quantity: amount(&line["quantity"], &format!("{name}.quantity"))?,
                amount_minor: amount(&line["amount_minor"], &format!("{name}.amount_minor"))?,
                tax_minor: 0,
            });
        }
        refunds.push(PlatformRefund {
            external_id: text(&refund["id"]).ok_or(format!("{field}.id is missing"))?,
            order_external_id: external_id.clone(),
            refunded_at: instant(&refund["refunded_at"], &format!("{field}.refunded_at"))?
                .unwrap_or(updated_at),
            lines,
            shipping_minor: amount(&refund["shipping_minor"], "shipping_minor")?,
            unallocated_minor: amount(&refund["amount_minor"], "amount_minor")?,
            paid_out_minor: None,
            note: text(&refund["note"]),
        });
    }
    Ok(PlatformOrder {
        line_ids: (1..=input.lines.len())
            .map(|number| number.to_string())
            .collect(),
        parcels,
        refunds,
        external_id,
        updated_at,
        input,
    })
}
