//! Sales platforms' order payloads (Shopify REST Order, WooCommerce REST v3 order) read into the
//! shop's order input, with the platform's id and last-change time.

use serde_json::Value;

use crate::domain::{Currency, Money};
use crate::operations::orders::{CustomerInput, OrderInput, OrderLineInput};

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
}

/// A parcel of an order on its way to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parcel {
    pub carrier: String,
    pub tracking_number: String,
    /// Unix microseconds.
    pub shipped_at: Option<i64>,
}

/// Shopify's fulfilments with a tracking number (`tracking_numbers`, or `tracking_number`).
fn shopify_parcels(order: &Value) -> Result<Vec<Parcel>, String> {
    let mut parcels = Vec::new();
    for (index, fulfillment) in order["fulfillments"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let shipped_at = instant(
            &fulfillment["created_at"],
            &format!("fulfillments[{index}].created_at"),
        )?;
        let carrier = text(&fulfillment["tracking_company"]).unwrap_or_else(|| "—".into());
        let mut numbers: Vec<String> = fulfillment["tracking_numbers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
            .collect();
        if numbers.is_empty() {
            numbers.extend(text(&fulfillment["tracking_number"]));
        }
        for tracking_number in numbers {
            parcels.push(Parcel {
                carrier: carrier.clone(),
                tracking_number,
                shipped_at,
            });
        }
    }
    Ok(parcels)
}

/// A return a customer asked for on the platform (Shopify `returns/request`).
pub struct PlatformReturn {
    pub external_id: String,
    /// The platform's id of the order.
    pub order_external_id: String,
    /// The platform's name for it, e.g. `#1001-R1`.
    pub name: String,
    /// The platform's line id and the quantity to return.
    pub lines: Vec<(String, i64)>,
    /// The platform's reason code (`defective`, `size_too_small`, …).
    pub reason: String,
    /// What the customer wrote.
    pub note: String,
}

impl PlatformReturn {
    /// The shop's reason code closest to the platform's.
    pub fn reason_code(&self) -> &'static str {
        match self.reason.as_str() {
            "defective" => "quality",
            "not_as_described" | "wrong_item" => "not_as_described",
            "size_too_small" | "size_too_large" | "color" | "style" => "size_colour",
            "unwanted" => "no_reason",
            _ => "other",
        }
    }
}

/// A Shopify return request: `order.id`, `return_line_items[].fulfillment_line_item.line_item.id`.
pub fn shopify_return(body: &Value) -> Result<PlatformReturn, String> {
    let external_id = text(&body["id"]).ok_or("id is missing")?;
    let order_external_id = text(&body["order"]["id"])
        .or_else(|| text(&body["order_id"]))
        .ok_or("order.id is missing")?;
    let items = body["return_line_items"]
        .as_array()
        .filter(|items| !items.is_empty())
        .ok_or("return_line_items is missing or empty")?;
    let mut lines = Vec::new();
    let mut reason = String::new();
    let mut notes = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let field = format!("return_line_items[{index}]");
        let line_item = &item["fulfillment_line_item"]["line_item"];
        let line_id = text(&line_item["id"])
            .or_else(|| text(&item["line_item_id"]))
            .ok_or(format!(
                "{field}.fulfillment_line_item.line_item.id is missing"
            ))?;
        let quantity = item["quantity"]
            .as_i64()
            .filter(|quantity| *quantity > 0)
            .ok_or(format!("{field}.quantity is missing"))?;
        lines.push((line_id, quantity));
        if reason.is_empty() {
            reason = text(&item["return_reason"]).unwrap_or_default();
        }
        for note in [&item["customer_note"], &item["return_reason_note"]] {
            if let Some(note) = text(note) {
                notes.push(note);
            }
        }
    }
    Ok(PlatformReturn {
        name: text(&body["name"]).unwrap_or_else(|| external_id.clone()),
        external_id,
        order_external_id,
        lines,
        reason,
        note: notes.join("\n"),
    })
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A decimal amount ("19.90", or a number) in minor units of `currency`.
fn minor(value: &Value, currency: Currency, field: &str) -> Result<i64, String> {
    let text = text(value).unwrap_or_else(|| "0".into());
    Money::parse_decimal(&text, currency)
        .map(|money| money.amount_minor)
        .map_err(|error| format!("{field}: '{text}' is not an amount ({error})"))
}

/// RFC 3339, or a time without zone read as UTC (WooCommerce's `_gmt` fields).
fn instant(value: &Value, field: &str) -> Result<Option<i64>, String> {
    let Some(text) = text(value) else {
        return Ok(None);
    };
    let parsed = text
        .parse::<jiff::Timestamp>()
        .or_else(|_| format!("{text}Z").parse::<jiff::Timestamp>())
        .map_err(|error| format!("{field}: '{text}' is not a time ({error})"))?;
    Ok(Some(parsed.as_microsecond()))
}

fn rfc3339(micros: Option<i64>) -> Option<String> {
    micros.and_then(|micros| {
        jiff::Timestamp::from_microsecond(micros)
            .ok()
            .map(|at| at.to_string())
    })
}

/// A phone number only if it looks like one; a platform's placeholder ("123") is dropped
/// rather than refusing the order.
fn phone(value: &Value) -> Option<String> {
    text(value).filter(|phone| crate::domain::identifiers::PhoneNumber::parse(phone).is_ok())
}

fn currency(value: &Value) -> Result<Currency, String> {
    let code = text(value).ok_or("currency is missing")?;
    Currency::parse(&code).map_err(|error| format!("currency '{code}': {error}"))
}

/// A Shopify order (`orders/create`, `orders/updated`).
pub fn shopify_order(order: &Value) -> Result<PlatformOrder, String> {
    let external_id = text(&order["id"]).ok_or("id is missing")?;
    let currency = currency(&order["currency"])?;
    let number = text(&order["order_number"])
        .or_else(|| text(&order["name"]).map(|name| name.trim_start_matches('#').to_string()))
        .ok_or("order_number is missing")?;
    let placed_at = instant(&order["created_at"], "created_at")?.ok_or("created_at is missing")?;
    let updated_at = instant(&order["updated_at"], "updated_at")?.unwrap_or(placed_at);
    let items = order["line_items"]
        .as_array()
        .ok_or("line_items is missing")?;
    let mut lines = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let field = format!("line_items[{index}]");
        let quantity = item["quantity"]
            .as_i64()
            .ok_or(format!("{field}.quantity is missing"))?;
        let unit = minor(&item["price"], currency, &format!("{field}.price"))?;
        let discount = minor(
            &item["total_discount"],
            currency,
            &format!("{field}.total_discount"),
        )?;
        lines.push(OrderLineInput {
            line_number: Some(index as i64 + 1),
            sku: text(&item["sku"])
                .or_else(|| text(&item["variant_id"]).map(|id| format!("shopify-{id}")))
                .unwrap_or_else(|| format!("shopify-line-{}", index + 1)),
            product_name: text(&item["title"]).unwrap_or_else(|| "—".into()),
            category: None,
            quantity,
            unit_price_minor: unit,
            paid_minor: Some((unit * quantity - discount).max(0)),
            serial_number: None,
        });
    }
    let customer = &order["customer"];
    let address = &order["shipping_address"];
    let name = [&customer["first_name"], &customer["last_name"]]
        .iter()
        .filter_map(|part| text(part))
        .collect::<Vec<_>>()
        .join(" ");
    let shipped_at = order["fulfillments"]
        .as_array()
        .and_then(|fulfillments| fulfillments.first())
        .map(|fulfillment| instant(&fulfillment["created_at"], "fulfillments[0].created_at"))
        .transpose()?
        .flatten();
    Ok(PlatformOrder {
        line_ids: items.iter().filter_map(|item| text(&item["id"])).collect(),
        parcels: shopify_parcels(order)?,
        external_id,
        updated_at,
        input: OrderInput {
            order_number: number,
            platform: Some("shopify".into()),
            currency: Some(currency.as_str().to_string()),
            placed_at: rfc3339(Some(placed_at)).unwrap_or_default(),
            paid_at: rfc3339(instant(&order["processed_at"], "processed_at")?),
            shipped_at: rfc3339(shipped_at),
            delivered_at: None,
            shipping_fee_minor: order["shipping_lines"]
                .as_array()
                .map(|shipping| {
                    shipping
                        .iter()
                        .map(|line| minor(&line["price"], currency, "shipping_lines.price"))
                        .sum::<Result<i64, String>>()
                })
                .transpose()?
                .unwrap_or(0),
            invoice_number: None,
            customer: CustomerInput {
                name: if name.is_empty() {
                    text(&address["name"]).unwrap_or_default()
                } else {
                    name
                },
                phone: phone(&customer["phone"]).or_else(|| phone(&address["phone"])),
                email: text(&order["email"]).or_else(|| text(&customer["email"])),
                address: text(&address["address1"]),
            },
            lines,
        },
    })
}

/// Any other platform's order, in this API's own format:
/// `{"id": "…", "updated_at": "RFC 3339", "order": { …as POST /api/v1/orders… },
/// "shipments": [{"carrier", "tracking_number", "shipped_at"}]}` (shipments optional).
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
    Ok(PlatformOrder {
        line_ids: (1..=input.lines.len())
            .map(|number| number.to_string())
            .collect(),
        parcels,
        external_id,
        updated_at,
        input,
    })
}

/// A WooCommerce order (`order.created`, `order.updated`).
pub fn woocommerce_order(order: &Value) -> Result<PlatformOrder, String> {
    let external_id = text(&order["id"]).ok_or("id is missing")?;
    let currency = currency(&order["currency"])?;
    let number = text(&order["number"]).unwrap_or_else(|| external_id.clone());
    let placed_at = instant(&order["date_created_gmt"], "date_created_gmt")?
        .or(instant(&order["date_created"], "date_created")?)
        .ok_or("date_created_gmt is missing")?;
    let updated_at =
        instant(&order["date_modified_gmt"], "date_modified_gmt")?.unwrap_or(placed_at);
    let items = order["line_items"]
        .as_array()
        .ok_or("line_items is missing")?;
    let mut lines = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let field = format!("line_items[{index}]");
        let quantity = item["quantity"]
            .as_i64()
            .ok_or(format!("{field}.quantity is missing"))?;
        let subtotal = minor(&item["subtotal"], currency, &format!("{field}.subtotal"))?;
        let total = minor(&item["total"], currency, &format!("{field}.total"))?;
        lines.push(OrderLineInput {
            line_number: Some(index as i64 + 1),
            sku: text(&item["sku"])
                .or_else(|| text(&item["product_id"]).map(|id| format!("wc-{id}")))
                .unwrap_or_else(|| format!("wc-line-{}", index + 1)),
            product_name: text(&item["name"]).unwrap_or_else(|| "—".into()),
            category: None,
            quantity,
            unit_price_minor: if quantity > 0 { subtotal / quantity } else { 0 },
            paid_minor: Some(total.min(subtotal)),
            serial_number: None,
        });
    }
    let billing = &order["billing"];
    let name = [&billing["first_name"], &billing["last_name"]]
        .iter()
        .filter_map(|part| text(part))
        .collect::<Vec<_>>()
        .join(" ");
    let address = [&billing["address_1"], &billing["city"], &billing["country"]]
        .iter()
        .filter_map(|part| text(part))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(PlatformOrder {
        line_ids: items.iter().filter_map(|item| text(&item["id"])).collect(),
        parcels: Vec::new(),
        external_id,
        updated_at,
        input: OrderInput {
            order_number: number,
            platform: Some("woocommerce".into()),
            currency: Some(currency.as_str().to_string()),
            placed_at: rfc3339(Some(placed_at)).unwrap_or_default(),
            paid_at: rfc3339(instant(&order["date_paid_gmt"], "date_paid_gmt")?),
            shipped_at: rfc3339(instant(&order["date_completed_gmt"], "date_completed_gmt")?),
            delivered_at: None,
            shipping_fee_minor: minor(&order["shipping_total"], currency, "shipping_total")?,
            invoice_number: None,
            customer: CustomerInput {
                name,
                phone: phone(&billing["phone"]),
                email: text(&billing["email"]),
                address: (!address.is_empty()).then_some(address),
            },
            lines,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_woocommerce_order_reads_with_its_placeholder_phone_dropped() {
        let sample: Value = serde_json::json!({
            "id": 15, "number": "15", "currency": "USD", "date_created_gmt": "2023-08-16T07:45:56",
            "date_modified_gmt": "2023-08-16T07:45:57", "shipping_total": "0.00",
            "billing": { "first_name": "Test", "last_name": "Test", "phone": "123", "email": "user@example.com" },
            "line_items": [{ "name": "Pipedream 1442", "product_id": 14, "quantity": 2, "sku": "", "subtotal": "10.00", "total": "9.00" }]
        });
        let order = woocommerce_order(&sample).unwrap();
        assert_eq!(order.external_id, "15");
        assert_eq!(order.input.customer.phone, None);
        assert_eq!(order.input.lines[0].sku, "wc-14");
        assert_eq!(order.input.lines[0].unit_price_minor, 500);
        assert_eq!(order.input.lines[0].paid_minor, Some(900));
        assert!(order.updated_at > 0);
        assert!(woocommerce_order(&serde_json::json!({ "id": 1, "currency": "USD" })).is_err());
    }
}
