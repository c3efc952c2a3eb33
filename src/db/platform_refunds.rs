//! Refunds made on a platform itself, recorded once per platform refund id against the order's
//! lines; they count in every line's refunded amount (`orders::refunded_on_line!`).

use sqlx::AnyPool;

use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;

pub struct NewPlatformRefund<'a> {
    pub shop_id: &'a ShopId,
    pub order_id: &'a str,
    pub external_id: &'a str,
    pub shipping_minor: i64,
    pub currency: &'a str,
    pub note: Option<&'a str>,
    pub refunded_at: i64,
    pub now: i64,
    /// (order line id, units, amount).
    pub lines: &'a [(String, i64, i64)],
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlatformRefundRecord {
    pub id: String,
    pub external_id: String,
    pub amount_minor: i64,
    pub shipping_minor: i64,
    pub currency: String,
    pub note: Option<String>,
    pub refunded_at: i64,
}

/// Records the refund unless one with the same platform id is recorded; whether it is new.
pub async fn insert(
    transaction: &mut Transaction,
    refund: &NewPlatformRefund<'_>,
) -> Result<bool, sqlx::Error> {
    let known: Option<String> = sqlx::query_scalar(
        "SELECT id FROM platform_refunds WHERE shop_id = $1 AND external_id = $2",
    )
    .bind(refund.shop_id)
    .bind(refund.external_id)
    .fetch_optional(&mut **transaction)
    .await?;
    if known.is_some() {
        return Ok(false);
    }
    let id = new_id();
    let total: i64 = refund
        .lines
        .iter()
        .map(|(_, _, amount)| amount)
        .sum::<i64>()
        + refund.shipping_minor;
    sqlx::query(
        "INSERT INTO platform_refunds (id, shop_id, order_id, external_id, amount_minor, shipping_minor, currency, \
         note, refunded_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(refund.shop_id)
    .bind(refund.order_id)
    .bind(refund.external_id)
    .bind(total)
    .bind(refund.shipping_minor)
    .bind(refund.currency)
    .bind(refund.note)
    .bind(refund.refunded_at)
    .bind(refund.now)
    .execute(&mut **transaction)
    .await?;
    for (order_line_id, quantity, amount) in refund.lines {
        sqlx::query(
            "INSERT INTO platform_refund_lines (platform_refund_id, order_line_id, quantity, amount_minor) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(order_line_id)
        .bind(quantity)
        .bind(amount)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(true)
}

/// The order's platform refunds, oldest first.
pub async fn of_order(
    pool: &AnyPool,
    order_id: &str,
) -> Result<Vec<PlatformRefundRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, external_id, amount_minor, shipping_minor, currency, note, refunded_at \
         FROM platform_refunds WHERE order_id = $1 ORDER BY refunded_at, id",
    )
    .bind(order_id)
    .fetch_all(pool)
    .await
}

/// The ids of the order's open cases.
pub async fn open_cases(
    transaction: &mut Transaction,
    order_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM cases WHERE order_id = $1 AND is_open = 1 ORDER BY created_at, id",
    )
    .bind(order_id)
    .fetch_all(&mut **transaction)
    .await
}
