//! Refunds: one row per executed refund, unique per shop and idempotency key, with its lines.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::{Transaction, new_id};
use crate::domain::refund::RefundLine;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefundRecord {
    pub id: String,
    pub case_id: String,
    pub idempotency_key: String,
    pub amount_minor: i64,
    pub currency: String,
    pub method: String,
    pub status: String,
    pub note: Option<String>,
    pub created_at: i64,
    /// Delivery cost paid back with it (part of `amount_minor`).
    pub shipping_minor: i64,
    /// The same amount in the shop's currency, when the buyer paid in another one.
    pub shop_amount_minor: Option<i64>,
    #[sqlx(skip)]
    pub lines: Vec<RefundLine>,
}

const COLUMNS: &str = "id, case_id, idempotency_key, amount_minor, currency, method, status, note, created_at, \
    shipping_minor, shop_amount_minor";

async fn attach_lines<'e, E>(
    executor: E,
    mut refund: RefundRecord,
) -> Result<RefundRecord, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    refund.lines = sqlx::query_as("SELECT order_line_id, amount_minor FROM refund_lines WHERE refund_id = $1 ORDER BY order_line_id")
        .bind(&refund.id)
        .fetch_all(executor)
        .await?;
    Ok(refund)
}

/// The refund already executed under this key, if any.
/// `connection` is a transaction's (`&mut *transaction`) or a pooled one.
pub async fn find_by_key(
    connection: &mut sqlx::AnyConnection,
    shop_id: &ShopId,
    key: &str,
) -> Result<Option<RefundRecord>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM refunds WHERE shop_id = $1 AND idempotency_key = $2");
    let refund = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(key)
        .fetch_optional(&mut *connection)
        .await?;
    match refund {
        Some(refund) => Ok(Some(attach_lines(&mut *connection, refund).await?)),
        None => Ok(None),
    }
}

pub struct NewRefund<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub idempotency_key: &'a str,
    pub currency: &'a str,
    pub method: &'a str,
    pub note: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub now: i64,
    pub lines: &'a [RefundLine],
    /// The units each line's refund pays back (parallel to `lines`; 0 for money only).
    pub units: &'a [i64],
    pub shipping_minor: i64,
    pub shop_amount_minor: Option<i64>,
}

pub async fn insert(
    transaction: &mut Transaction,
    refund: &NewRefund<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let total: i64 = refund
        .lines
        .iter()
        .map(|line| line.amount_minor)
        .sum::<i64>()
        + refund.shipping_minor;
    sqlx::query(
        "INSERT INTO refunds (id, shop_id, case_id, idempotency_key, amount_minor, currency, method, status, note, \
         actor_id, created_at, shipping_minor, shop_amount_minor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'executed', $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(refund.shop_id)
    .bind(refund.case_id)
    .bind(refund.idempotency_key)
    .bind(total)
    .bind(refund.currency)
    .bind(refund.method)
    .bind(refund.note)
    .bind(refund.actor_id)
    .bind(refund.now)
    .bind(refund.shipping_minor)
    .bind(refund.shop_amount_minor)
    .execute(&mut **transaction)
    .await?;
    for (index, line) in refund.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO refund_lines (refund_id, order_line_id, amount_minor, quantity) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(&line.order_line_id)
        .bind(line.amount_minor)
        .bind(refund.units.get(index).copied().unwrap_or(0))
        .execute(&mut **transaction)
        .await?;
    }
    Ok(id)
}

pub async fn of_case(pool: &AnyPool, case_id: &str) -> Result<Vec<RefundRecord>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM refunds WHERE case_id = $1 ORDER BY created_at, id");
    let found: Vec<RefundRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id)
        .fetch_all(pool)
        .await?;
    let mut refunds = Vec::with_capacity(found.len());
    for refund in found {
        refunds.push(attach_lines(pool, refund).await?);
    }
    Ok(refunds)
}
