//! Refunds: one row per executed refund, unique per shop and idempotency key, with its lines.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::{Transaction, new_id};
use crate::domain::refund::{Provider, RefundLine, RefundStatus};

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
    /// manual or http.
    pub provider: String,
    /// The payment's reference, once paid.
    pub reference: Option<String>,
    /// Why the payment failed, if it did.
    pub failure: Option<String>,
    pub settled_at: Option<i64>,
    #[sqlx(skip)]
    pub lines: Vec<RefundLine>,
}

const COLUMNS: &str = "id, case_id, idempotency_key, amount_minor, currency, method, status, note, created_at, \
    shipping_minor, shop_amount_minor, provider, reference, failure, settled_at";

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
    pub status: RefundStatus,
    pub provider: Provider,
    pub reference: Option<&'a str>,
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
         actor_id, created_at, shipping_minor, shop_amount_minor, provider, reference, settled_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $13, $8, $9, $10, $11, $12, $14, $15, $16)",
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
    .bind(refund.status.as_str())
    .bind(refund.provider.as_str())
    .bind(refund.reference)
    .bind((refund.status == RefundStatus::Succeeded).then_some(refund.now))
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

/// A refund by its id, locked for the transaction (PostgreSQL; SQLite has one writer).
pub async fn lock(
    transaction: &mut Transaction,
    backend: super::Backend,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<RefundRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM refunds WHERE shop_id = $1 AND id = $2{}",
        backend.for_update()
    );
    let refund: Option<RefundRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(id)
        .fetch_optional(&mut **transaction)
        .await?;
    match refund {
        Some(refund) => Ok(Some(attach_lines(&mut **transaction, refund).await?)),
        None => Ok(None),
    }
}

/// Records where the refund's money is now.
pub async fn set_status(
    transaction: &mut Transaction,
    id: &str,
    status: RefundStatus,
    reference: Option<&str>,
    failure: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE refunds SET status = $1, reference = COALESCE($2, reference), failure = $3, \
         settled_at = CASE WHEN $1 = 'succeeded' THEN $4 ELSE settled_at END WHERE id = $5",
    )
    .bind(status.as_str())
    .bind(reference)
    .bind(failure)
    .bind(now)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// How a refund was paid, when a failed one is paid by hand another way.
pub async fn set_method(
    transaction: &mut Transaction,
    id: &str,
    method: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE refunds SET method = $1 WHERE id = $2")
        .bind(method)
        .bind(id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}
