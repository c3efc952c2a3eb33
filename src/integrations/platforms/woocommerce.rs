//! WooCommerce's REST v3 order (`order.created`, `order.updated`). Line `subtotal` is the price
//! before coupons and `total` after them, both without tax; `subtotal_tax` and `total_tax` are
//! the tax beside them. With `prices_include_tax` the shop's prices contain the tax, so the list
//! price is subtotal + subtotal_tax; either way the buyer paid total + total_tax for the line.

use serde_json::Value;

use super::{PlatformOrder, PlatformRefund, currency, instant, minor, phone, rfc3339, text};
use crate::domain::order::{Payment, PaymentStatus, ShippingLine, TaxMode};
use crate::operations::orders::{CustomerInput, DiscountInput, OrderInput, OrderLineInput};

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
    let tax_mode = TaxMode::included(order["prices_include_tax"].as_bool().unwrap_or(false));
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
        let subtotal_tax = minor(
            &item["subtotal_tax"],
            currency,
            &format!("{field}.subtotal_tax"),
        )?;
        let total = minor(&item["total"], currency, &format!("{field}.total"))?;
        let tax = minor(&item["total_tax"], currency, &format!("{field}.total_tax"))?;
        let list = match tax_mode {
            TaxMode::Inclusive => subtotal + subtotal_tax,
            TaxMode::Exclusive => subtotal,
        };
        // The unit price rounded up, so that quantity × unit is never below the list price.
        let unit = if quantity > 0 {
            (list + quantity - 1) / quantity
        } else {
            0
        };
        let paid = total + tax;
        let before_tax = match tax_mode {
            TaxMode::Inclusive => paid,
            TaxMode::Exclusive => total,
        };
        lines.push(OrderLineInput {
            line_number: Some(index as i64 + 1),
            sku: text(&item["sku"])
                .or_else(|| text(&item["product_id"]).map(|id| format!("wc-{id}")))
                .unwrap_or_else(|| format!("wc-line-{}", index + 1)),
            product_name: text(&item["name"]).unwrap_or_else(|| "—".into()),
            category: None,
            quantity,
            unit_price_minor: unit,
            discount_minor: Some((unit * quantity - before_tax).max(0)),
            tax_minor: Some(tax),
            paid_minor: Some(paid),
            shop_paid_minor: None,
            serial_number: None,
            cost_minor: None,
        });
    }
    let shipping = minor(&order["shipping_total"], currency, "shipping_total")?
        + minor(&order["shipping_tax"], currency, "shipping_tax")?;
    let shipping_lines = order["shipping_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, line)| {
            let field = format!("shipping_lines[{index}]");
            Ok(ShippingLine {
                title: text(&line["method_title"]).unwrap_or_else(|| "—".into()),
                amount_minor: minor(&line["total"], currency, &format!("{field}.total"))?
                    + minor(&line["total_tax"], currency, &format!("{field}.total_tax"))?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let discounts = order["coupon_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, coupon)| {
            let field = format!("coupon_lines[{index}]");
            Ok(DiscountInput {
                kind: "coupon".into(),
                code: text(&coupon["code"]),
                amount_minor: minor(&coupon["discount"], currency, &format!("{field}.discount"))?
                    + match tax_mode {
                        TaxMode::Inclusive => minor(
                            &coupon["discount_tax"],
                            currency,
                            &format!("{field}.discount_tax"),
                        )?,
                        TaxMode::Exclusive => 0,
                    },
                allocated: true,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let status = text(&order["status"]).unwrap_or_default();
    let paid_at = instant(&order["date_paid_gmt"], "date_paid_gmt")?;
    let payment_status = match status.as_str() {
        "pending" | "on-hold" | "failed" | "checkout-draft" => PaymentStatus::Pending,
        "cancelled" if paid_at.is_none() => PaymentStatus::Voided,
        _ => PaymentStatus::Paid,
    };
    let total = minor(&order["total"], currency, "total")?;
    let computed = lines.iter().filter_map(|line| line.paid_minor).sum::<i64>() + shipping;
    let payments = if payment_status == PaymentStatus::Paid && total == computed {
        vec![Payment {
            method: text(&order["payment_method_title"])
                .or_else(|| text(&order["payment_method"]))
                .unwrap_or_else(|| "woocommerce".into()),
            amount_minor: total,
        }]
    } else {
        Vec::new()
    };
    let mut refunds = Vec::new();
    for (index, refund) in order["refunds"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let field = format!("refunds[{index}]");
        refunds.push(PlatformRefund {
            external_id: format!(
                "refund-{}",
                text(&refund["id"]).ok_or(format!("{field}.id is missing"))?
            ),
            order_external_id: external_id.clone(),
            refunded_at: updated_at,
            lines: Vec::new(),
            shipping_minor: 0,
            // WooCommerce writes a refund's total as a negative amount.
            unallocated_minor: minor(&refund["total"], currency, &format!("{field}.total"))?.abs(),
            paid_out_minor: None,
            note: text(&refund["reason"]),
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
        refunds,
        external_id,
        updated_at,
        input: OrderInput {
            order_number: number,
            platform: Some("woocommerce".into()),
            currency: Some(currency.as_str().to_string()),
            placed_at: rfc3339(Some(placed_at)).unwrap_or_default(),
            paid_at: rfc3339(paid_at),
            shipped_at: rfc3339(instant(&order["date_completed_gmt"], "date_completed_gmt")?),
            delivered_at: None,
            shipping_fee_minor: if shipping_lines.is_empty() {
                shipping
            } else {
                0
            },
            invoice_number: None,
            customer: CustomerInput {
                name,
                phone: phone(&billing["phone"]),
                email: text(&billing["email"]),
                address: (!address.is_empty()).then_some(address),
            },
            lines,
            tax_mode: Some(tax_mode),
            payment_status: Some(payment_status),
            discounts,
            payments,
            shipping_lines,
            shop_currency: None,
            shop_total_minor: None,
            cancelled_at: (status == "cancelled")
                .then(|| rfc3339(Some(updated_at)))
                .flatten(),
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
        assert_eq!(order.input.lines[0].discount_minor, Some(100));
        assert_eq!(order.input.lines[0].paid_minor, Some(900));
        assert!(order.updated_at > 0);
        assert!(woocommerce_order(&serde_json::json!({ "id": 1, "currency": "USD" })).is_err());
    }
}
