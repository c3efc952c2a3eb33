//! Shopify's REST payloads: an order (`orders/create`, `orders/updated`, `orders/cancelled`, …)
//! with its money as Shopify computed it, a refund (`refunds/create`), a return request.
//!
//! Money is read from the `*_set` fields: `presentment_money` is what the buyer paid, in the
//! order's currency; `shop_money` the same in the shop's, kept beside it when they differ.
//! Each line's discount is the sum of its `discount_allocations`, its tax the sum of its
//! `tax_lines`; `taxes_included` says whether prices contain the tax.

use serde_json::Value;

use super::{
    Parcel, PlatformOrder, PlatformRefund, RefundedLine, currency, instant, minor, phone, rfc3339,
    text,
};
use crate::domain::Currency;
use crate::domain::order::{Payment, PaymentStatus, ShippingLine, TaxMode, line_paid};
use crate::operations::orders::{CustomerInput, DiscountInput, OrderInput, OrderLineInput};

/// Which side of a Shopify money set to read.
#[derive(Clone, Copy)]
enum Side {
    /// What the buyer paid, in the order's (presentment) currency.
    Buyer,
    /// The shop's own currency.
    Shop,
}

/// An amount from a `*_set` field (`{shop_money, presentment_money}`), or from the plain field
/// beside it when the set is absent (older payloads; the plain field is in shop money).
fn amount(
    object: &Value,
    name: &str,
    side: Side,
    currency: Currency,
    field: &str,
) -> Result<i64, String> {
    let set = &object[format!("{name}_set")];
    let value = match side {
        Side::Buyer => &set["presentment_money"]["amount"],
        Side::Shop => &set["shop_money"]["amount"],
    };
    if value.is_null() {
        minor(&object[name], currency, field)
    } else {
        minor(value, currency, field)
    }
}

/// The sum of `list[].{name}` amounts (discount allocations, tax lines).
fn sum(
    list: &Value,
    name: &str,
    side: Side,
    currency: Currency,
    field: &str,
) -> Result<i64, String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|entry| amount(entry, name, side, currency, field))
        .sum()
}

/// A line's discount, tax and what was paid for it, on one side.
fn line_money(
    item: &Value,
    side: Side,
    currency: Currency,
    tax_mode: TaxMode,
    field: &str,
) -> Result<(i64, i64, i64, i64), String> {
    let quantity = item["quantity"].as_i64().unwrap_or(0);
    let unit = amount(item, "price", side, currency, &format!("{field}.price"))?;
    let allocations = &item["discount_allocations"];
    let discount = if allocations.as_array().is_some_and(|list| !list.is_empty()) {
        sum(
            allocations,
            "amount",
            side,
            currency,
            &format!("{field}.discount_allocations"),
        )?
    } else {
        amount(
            item,
            "total_discount",
            side,
            currency,
            &format!("{field}.total_discount"),
        )?
    };
    let tax = sum(
        &item["tax_lines"],
        "price",
        side,
        currency,
        &format!("{field}.tax_lines"),
    )?;
    let paid = line_paid(quantity, unit, discount, tax, tax_mode)
        .filter(|paid| *paid >= 0)
        .ok_or(format!(
            "{field}: the discount is more than the line's price"
        ))?;
    Ok((unit, discount, tax, paid))
}

/// A Shopify order (`orders/create`, `orders/updated`, `orders/paid`, `orders/cancelled`, …).
pub fn shopify_order(order: &Value) -> Result<PlatformOrder, String> {
    let external_id = text(&order["id"]).ok_or("id is missing")?;
    let shop_currency = currency(&order["currency"])?;
    let buyer_currency = match text(&order["presentment_currency"]) {
        Some(_) => currency(&order["presentment_currency"])?,
        None => shop_currency,
    };
    let two_currencies = buyer_currency != shop_currency;
    let number = text(&order["order_number"])
        .or_else(|| text(&order["name"]).map(|name| name.trim_start_matches('#').to_string()))
        .ok_or("order_number is missing")?;
    let placed_at = instant(&order["created_at"], "created_at")?.ok_or("created_at is missing")?;
    let updated_at = instant(&order["updated_at"], "updated_at")?.unwrap_or(placed_at);
    let tax_mode = TaxMode::included(order["taxes_included"].as_bool().unwrap_or(false));
    let items = order["line_items"]
        .as_array()
        .ok_or("line_items is missing")?;
    let mut lines = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let field = format!("line_items[{index}]");
        let quantity = item["quantity"]
            .as_i64()
            .ok_or(format!("{field}.quantity is missing"))?;
        let (unit, discount, tax, paid) =
            line_money(item, Side::Buyer, buyer_currency, tax_mode, &field)?;
        let shop_paid = if two_currencies {
            Some(line_money(item, Side::Shop, shop_currency, tax_mode, &field)?.3)
        } else {
            None
        };
        lines.push(OrderLineInput {
            line_number: Some(index as i64 + 1),
            sku: text(&item["sku"])
                .or_else(|| text(&item["variant_id"]).map(|id| format!("shopify-{id}")))
                .unwrap_or_else(|| format!("shopify-line-{}", index + 1)),
            product_name: text(&item["title"])
                .or_else(|| text(&item["name"]))
                .unwrap_or_else(|| "—".into()),
            category: None,
            quantity,
            unit_price_minor: unit,
            discount_minor: Some(discount),
            tax_minor: Some(tax),
            paid_minor: Some(paid),
            shop_paid_minor: shop_paid,
            serial_number: None,
            cost_minor: None,
        });
    }
    let mut shipping_lines = Vec::new();
    let mut shop_shipping = 0;
    for (index, line) in order["shipping_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if line["is_removed"].as_bool() == Some(true) {
            continue;
        }
        let field = format!("shipping_lines[{index}]");
        let paid_on = |side: Side, currency: Currency| -> Result<i64, String> {
            let price =
                if line["discounted_price_set"].is_null() && line["discounted_price"].is_null() {
                    amount(line, "price", side, currency, &format!("{field}.price"))?
                } else {
                    amount(
                        line,
                        "discounted_price",
                        side,
                        currency,
                        &format!("{field}.discounted_price"),
                    )?
                };
            let tax = match tax_mode {
                TaxMode::Inclusive => 0,
                TaxMode::Exclusive => sum(
                    &line["tax_lines"],
                    "price",
                    side,
                    currency,
                    &format!("{field}.tax_lines"),
                )?,
            };
            Ok(price + tax)
        };
        shipping_lines.push(ShippingLine {
            title: text(&line["title"]).unwrap_or_else(|| "—".into()),
            amount_minor: paid_on(Side::Buyer, buyer_currency)?,
        });
        if two_currencies {
            shop_shipping += paid_on(Side::Shop, shop_currency)?;
        }
    }
    let discounts = discounts(order, items, buyer_currency)?;
    let payment_status = match text(&order["financial_status"]).as_deref() {
        Some("pending" | "authorized") => PaymentStatus::Pending,
        Some("voided") => PaymentStatus::Voided,
        _ => PaymentStatus::Paid,
    };
    let computed: i64 = lines.iter().filter_map(|line| line.paid_minor).sum::<i64>()
        + shipping_lines
            .iter()
            .map(|line| line.amount_minor)
            .sum::<i64>();
    let total = amount(
        order,
        "total_price",
        Side::Buyer,
        buyer_currency,
        "total_price",
    )?;
    // The payment is the order's total as Shopify states it, when it agrees with the lines
    // (tips and duties, which this product does not refund, make it differ).
    let payments = if payment_status == PaymentStatus::Paid && total == computed {
        let names: Vec<String> = order["payment_gateway_names"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
            .collect();
        vec![Payment {
            method: if names.is_empty() {
                "shopify".into()
            } else {
                names.join(", ")
            },
            amount_minor: total,
        }]
    } else {
        Vec::new()
    };
    let shop_total_minor = if two_currencies {
        Some(
            lines
                .iter()
                .filter_map(|line| line.shop_paid_minor)
                .sum::<i64>()
                + shop_shipping,
        )
    } else {
        None
    };
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
    let mut refunds = Vec::new();
    for (index, refund) in order["refunds"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let mut refund = refund.clone();
        if refund["order_id"].is_null() {
            refund["order_id"] = Value::String(external_id.clone());
        }
        refunds.push(
            shopify_refund_in(&refund, buyer_currency)
                .map_err(|error| format!("refunds[{index}]: {error}"))?,
        );
    }
    Ok(PlatformOrder {
        line_ids: items.iter().filter_map(|item| text(&item["id"])).collect(),
        parcels: shopify_parcels(order)?,
        refunds,
        external_id,
        updated_at,
        input: OrderInput {
            order_number: number,
            platform: Some("shopify".into()),
            currency: Some(buyer_currency.as_str().to_string()),
            placed_at: rfc3339(Some(placed_at)).unwrap_or_default(),
            paid_at: rfc3339(instant(&order["processed_at"], "processed_at")?),
            shipped_at: rfc3339(shipped_at),
            delivered_at: None,
            shipping_fee_minor: 0,
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
            tax_mode: Some(tax_mode),
            payment_status: Some(payment_status),
            discounts,
            payments,
            shipping_lines,
            shop_currency: two_currencies.then(|| shop_currency.as_str().to_string()),
            shop_total_minor,
            cancelled_at: rfc3339(instant(&order["cancelled_at"], "cancelled_at")?),
        },
    })
}

/// The order's discounts (`discount_applications`), each with the amount Shopify allocated to
/// the lines under its index; the lines' discounts already contain them.
fn discounts(
    order: &Value,
    items: &[Value],
    currency: Currency,
) -> Result<Vec<DiscountInput>, String> {
    let mut found = Vec::new();
    for (index, application) in order["discount_applications"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let mut amount_minor = 0;
        for (position, item) in items.iter().enumerate() {
            for allocation in item["discount_allocations"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if allocation["discount_application_index"].as_u64() == Some(index as u64) {
                    amount_minor += amount(
                        allocation,
                        "amount",
                        Side::Buyer,
                        currency,
                        &format!("line_items[{position}].discount_allocations"),
                    )?;
                }
            }
        }
        if amount_minor == 0 {
            // Applied to shipping only: already taken off the shipping line's price.
            continue;
        }
        let kind = match text(&application["type"]).as_deref() {
            Some("discount_code") => "code",
            Some("automatic") => "automatic",
            Some("script") => "script",
            _ => "manual",
        };
        found.push(DiscountInput {
            kind: kind.into(),
            code: text(&application["code"])
                .or_else(|| text(&application["title"]))
                .or_else(|| text(&application["description"])),
            amount_minor,
            allocated: true,
        });
    }
    Ok(found)
}

/// A Shopify refund (`refunds/create`, or one of an order's `refunds[]`).
pub fn shopify_refund(refund: &Value) -> Result<PlatformRefund, String> {
    // The refund's own currency: its transactions', else its lines' buyer money.
    let code = refund["transactions"]
        .as_array()
        .and_then(|transactions| transactions.first())
        .and_then(|transaction| text(&transaction["currency"]))
        .or_else(|| {
            refund["refund_line_items"]
                .as_array()
                .and_then(|items| items.first())
                .and_then(|item| text(&item["subtotal_set"]["presentment_money"]["currency_code"]))
        });
    let currency = match code {
        Some(code) => {
            Currency::parse(&code).map_err(|error| format!("currency '{code}': {error}"))?
        }
        None => return Err("the refund names no currency (transactions[].currency)".into()),
    };
    shopify_refund_in(refund, currency)
}

fn shopify_refund_in(refund: &Value, currency: Currency) -> Result<PlatformRefund, String> {
    let external_id = text(&refund["id"]).ok_or("id is missing")?;
    let order_external_id = text(&refund["order_id"]).ok_or("order_id is missing")?;
    let refunded_at = instant(&refund["processed_at"], "processed_at")?
        .or(instant(&refund["created_at"], "created_at")?)
        .ok_or("created_at is missing")?;
    let mut lines = Vec::new();
    for (index, item) in refund["refund_line_items"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let field = format!("refund_line_items[{index}]");
        lines.push(RefundedLine {
            line_id: text(&item["line_item_id"])
                .or_else(|| text(&item["line_item"]["id"]))
                .ok_or(format!("{field}.line_item_id is missing"))?,
            quantity: item["quantity"].as_i64().unwrap_or(0).max(0),
            amount_minor: amount(
                item,
                "subtotal",
                Side::Buyer,
                currency,
                &format!("{field}.subtotal"),
            )?,
            tax_minor: amount(
                item,
                "total_tax",
                Side::Buyer,
                currency,
                &format!("{field}.total_tax"),
            )?,
        });
    }
    let mut shipping_minor = 0;
    for (index, line) in refund["refund_shipping_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        shipping_minor += amount(
            line,
            "subtotal_amount",
            Side::Buyer,
            currency,
            &format!("refund_shipping_lines[{index}].subtotal_amount"),
        )?;
    }
    // Older payloads give shipping back as an order adjustment (a negative amount).
    for (index, adjustment) in refund["order_adjustments"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let field = format!("order_adjustments[{index}]");
        if text(&adjustment["kind"]).as_deref() == Some("shipping_refund") {
            shipping_minor += amount(adjustment, "amount", Side::Buyer, currency, &field)?.abs()
                + amount(adjustment, "tax_amount", Side::Buyer, currency, &field)?.abs();
        }
    }
    // The money that really went back: the successful refund transactions.
    let mut paid_out = None;
    for (index, transaction) in refund["transactions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if text(&transaction["kind"]).as_deref() == Some("refund")
            && text(&transaction["status"]).as_deref() == Some("success")
        {
            *paid_out.get_or_insert(0) += minor(
                &transaction["amount"],
                currency,
                &format!("transactions[{index}].amount"),
            )?;
        }
    }
    Ok(PlatformRefund {
        external_id,
        order_external_id,
        refunded_at,
        lines,
        shipping_minor,
        unallocated_minor: 0,
        paid_out_minor: paid_out,
        note: text(&refund["note"]),
    })
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
