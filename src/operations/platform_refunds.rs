//! Money that went back on the platform itself (Shopify refunds, WooCommerce refunds, the
//! generic hook's refunds) and cancellations: recorded against the order's lines once per
//! platform refund id, shown on the timeline of every open case of the order, lowering every
//! ceiling; an order cancelled or wholly refunded before it went out is flagged "do not ship".

use serde_json::json;

use crate::db::cases::{self, NewEvent};
use crate::db::platform_refunds::{self, NewPlatformRefund};
use crate::db::shops::Shop;
use crate::db::{Backend, Transaction, orders, outbox};
use crate::domain::Role;
use crate::domain::allocation::allocate;
use crate::domain::order::TaxMode;
use crate::error::{AppError, AppResult};
use crate::integrations::platforms::PlatformRefund;

/// Records the refunds not recorded yet; `line_ids` are the platform's line ids in line-number
/// order. Returns how many were new.
pub async fn record(
    transaction: &mut Transaction,
    backend: Backend,
    shop: &Shop,
    order_id: &str,
    line_ids: &[String],
    refunds: &[PlatformRefund],
    now: i64,
) -> AppResult<usize> {
    if refunds.is_empty() {
        return Ok(0);
    }
    let order = orders::lock(transaction, backend, order_id)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    let tax_mode = TaxMode::parse(&order.tax_mode).unwrap_or_default();
    let mut recorded = 0;
    for refund in refunds {
        let order_lines = orders::lines_in(transaction, order_id).await?;
        let mut lines: Vec<(String, i64, i64)> = Vec::new();
        for line in &refund.lines {
            let number = line_ids
                .iter()
                .position(|id| id == &line.line_id)
                .map(|position| position as i64 + 1)
                .ok_or_else(|| {
                    AppError::invalid(
                        "body",
                        format!(
                            "refund {}: line item {} is not on the order",
                            refund.external_id, line.line_id
                        ),
                    )
                })?;
            let order_line = order_lines
                .iter()
                .find(|order_line| order_line.line_number == number)
                .ok_or_else(|| {
                    AppError::invalid(
                        "body",
                        format!(
                            "refund {}: line {number} is not on the order",
                            refund.external_id
                        ),
                    )
                })?;
            let amount = line.amount_minor
                + match tax_mode {
                    TaxMode::Exclusive => line.tax_minor,
                    TaxMode::Inclusive => 0,
                };
            match lines.iter_mut().find(|(id, _, _)| id == &order_line.id) {
                Some(existing) => {
                    existing.1 += line.quantity;
                    existing.2 += amount;
                }
                None => lines.push((order_line.id.clone(), line.quantity, amount)),
            }
        }
        // Money the platform paid out beyond the lines and the delivery (an adjustment).
        let beyond = refund.paid_out_minor.map_or(0, |paid_out| {
            paid_out
                - lines.iter().map(|(_, _, amount)| amount).sum::<i64>()
                - refund.shipping_minor
        });
        let unallocated = refund.unallocated_minor + beyond.max(0);
        if unallocated > 0 && !order_lines.is_empty() {
            // Money without lines: over what is left on each line (what was paid, if nothing is).
            let left: Vec<i64> = order_lines
                .iter()
                .map(|line| (line.paid_minor - line.refunded_minor).max(0))
                .collect();
            let weights = if left.iter().any(|left| *left > 0) {
                left
            } else {
                order_lines.iter().map(|line| line.paid_minor).collect()
            };
            for (line, share) in order_lines.iter().zip(allocate(unallocated, &weights)) {
                if share == 0 {
                    continue;
                }
                match lines.iter_mut().find(|(id, _, _)| id == &line.id) {
                    Some(existing) => existing.2 += share,
                    None => lines.push((line.id.clone(), 0, share)),
                }
            }
        }
        let new = platform_refunds::insert(
            transaction,
            &NewPlatformRefund {
                shop_id: &shop.id,
                order_id,
                external_id: &refund.external_id,
                shipping_minor: refund.shipping_minor,
                currency: &order.currency,
                note: refund.note.as_deref(),
                refunded_at: refund.refunded_at,
                now,
                lines: &lines,
            },
        )
        .await?;
        if !new {
            continue;
        }
        recorded += 1;
        let amount: i64 =
            lines.iter().map(|(_, _, amount)| amount).sum::<i64>() + refund.shipping_minor;
        for case_id in platform_refunds::open_cases(transaction, order_id).await? {
            cases::insert_event(
                transaction,
                &NewEvent {
                    shop_id: &shop.id,
                    case_id: &case_id,
                    at: now,
                    actor_role: Role::System,
                    actor_id: None,
                    action: "platform_refund",
                    from_status: None,
                    to_status: None,
                    data: json!({
                        "external_id": refund.external_id,
                        "amount_minor": amount,
                        "shipping_minor": refund.shipping_minor,
                        "currency": order.currency,
                        "note": refund.note,
                    }),
                },
            )
            .await?;
        }
    }
    Ok(recorded)
}

/// Flags the order "do not ship" when it is cancelled, or everything on it was refunded, and it
/// has not gone out; tells the shop's systems (`order.do_not_ship`) the first time.
pub async fn stop_shipping_if_void(
    transaction: &mut Transaction,
    shop: &Shop,
    order_id: &str,
    order_number: &str,
    cancelled: bool,
    now: i64,
) -> AppResult<bool> {
    let lines = orders::lines_in(transaction, order_id).await?;
    let refunded_all = !lines.is_empty()
        && lines
            .iter()
            .all(|line| line.paid_minor > 0 && line.refunded_minor >= line.paid_minor);
    if !(cancelled || refunded_all) || !orders::flag_do_not_ship(transaction, order_id).await? {
        return Ok(false);
    }
    outbox::insert(
        transaction,
        &outbox::NewMessage {
            shop_id: &shop.id,
            case_id: None,
            audience: "event",
            topic: "order.do_not_ship",
            payload: &json!({
                "action": "do_not_ship",
                "actor_role": "system",
                "data": {
                    "order_id": order_id,
                    "order_number": order_number,
                    "reason": if cancelled { "cancelled" } else { "refunded" },
                },
            }),
            now,
        },
    )
    .await?;
    Ok(true)
}
