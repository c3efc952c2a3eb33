//! The platforms' after-sales records mirrored: one row per record with its newest state, and
//! every message received about it.

use sqlx::AnyPool;

use super::dialect::Backend;
use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AftersaleRecord {
    pub id: String,
    pub platform: String,
    pub external_id: String,
    pub order_id: String,
    pub case_id: Option<String>,
    pub stage: String,
    pub platform_status: String,
    pub version: i64,
    pub phase: Option<String>,
    pub amount_minor: Option<i64>,
    pub deadline_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRecord {
    pub received_at: i64,
    pub platform_status: String,
    pub version: i64,
    pub outcome: String,
}

const COLUMNS: &str = "id, platform, external_id, order_id, case_id, stage, platform_status, version, \
    phase, amount_minor, deadline_at, created_at, updated_at";

/// What a message says about a record.
pub struct State<'a> {
    pub stage: &'a str,
    pub platform_status: &'a str,
    pub version: i64,
    pub phase: Option<&'a str>,
    pub amount_minor: Option<i64>,
    pub deadline_at: Option<i64>,
}

/// The record, created from its first message if none was there, locked for the change.
/// Returns it and whether it was just created.
#[allow(clippy::too_many_arguments)]
pub async fn open(
    transaction: &mut Transaction,
    backend: Backend,
    shop_id: &ShopId,
    platform: &str,
    external_id: &str,
    order_id: &str,
    state: &State<'_>,
    now: i64,
) -> Result<(AftersaleRecord, bool), sqlx::Error> {
    let created = sqlx::query(
        "INSERT INTO aftersales (id, shop_id, platform, external_id, order_id, stage, platform_status, version, \
         phase, amount_minor, deadline_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         ON CONFLICT (shop_id, platform, external_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(shop_id)
    .bind(platform)
    .bind(external_id)
    .bind(order_id)
    .bind(state.stage)
    .bind(state.platform_status)
    .bind(state.version)
    .bind(state.phase)
    .bind(state.amount_minor)
    .bind(state.deadline_at)
    .bind(now)
    .execute(&mut **transaction)
    .await?
    .rows_affected()
        == 1;
    let sql = format!(
        "SELECT {COLUMNS} FROM aftersales WHERE shop_id = $1 AND platform = $2 AND external_id = $3{}",
        backend.for_update()
    );
    let record = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(platform)
        .bind(external_id)
        .fetch_one(&mut **transaction)
        .await?;
    Ok((record, created))
}

/// Moves the record to what a newer message says.
pub async fn update(
    transaction: &mut Transaction,
    id: &str,
    state: &State<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE aftersales SET stage = $1, platform_status = $2, version = $3, phase = COALESCE($4, phase), \
         amount_minor = COALESCE($5, amount_minor), deadline_at = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(state.stage)
    .bind(state.platform_status)
    .bind(state.version)
    .bind(state.phase)
    .bind(state.amount_minor)
    .bind(state.deadline_at)
    .bind(now)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

pub async fn link_case(
    transaction: &mut Transaction,
    id: &str,
    case_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE aftersales SET case_id = $1 WHERE id = $2 AND case_id IS NULL")
        .bind(case_id)
        .bind(id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// The order's newest open case, to link a record to.
pub async fn open_case_of(
    transaction: &mut Transaction,
    order_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM cases WHERE order_id = $1 AND is_open = 1 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(order_id)
    .fetch_optional(&mut **transaction)
    .await
}

/// Keeps one message received, with its outcome.
pub async fn add_message(
    transaction: &mut Transaction,
    aftersale_id: &str,
    platform_status: &str,
    version: i64,
    outcome: &str,
    body: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO aftersale_messages (id, aftersale_id, received_at, platform_status, version, outcome, body) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(aftersale_id)
    .bind(now)
    .bind(platform_status)
    .bind(version)
    .bind(outcome)
    .bind(body)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<AftersaleRecord>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM aftersales WHERE shop_id = $1 AND id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The messages received about a record, in the order they came.
pub async fn messages(pool: &AnyPool, id: &str) -> Result<Vec<MessageRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT received_at, platform_status, version, outcome FROM aftersale_messages \
         WHERE aftersale_id = $1 ORDER BY received_at, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

/// The records linked to `case_id` still waiting for the shop with their deadline at `due_at`:
/// (platform, platform id).
pub async fn waiting_on_shop(
    transaction: &mut Transaction,
    case_id: &str,
    due_at: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT platform, external_id FROM aftersales WHERE case_id = $1 AND deadline_at = $2 \
         AND stage IN ('awaiting_shop', 'awaiting_receipt', 'awaiting_shipment', 'refund_instead') \
         ORDER BY external_id",
    )
    .bind(case_id)
    .bind(due_at)
    .fetch_all(&mut **transaction)
    .await
}

/// A record linked to `case_id` the buyer opened before the order shipped (售中, `onsale`) and
/// that waits for the shop: its platform id.
pub async fn unshipped_request_of(
    transaction: &mut Transaction,
    case_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT external_id FROM aftersales WHERE case_id = $1 AND phase = 'onsale' \
         AND stage = 'awaiting_shop' ORDER BY external_id LIMIT 1",
    )
    .bind(case_id)
    .fetch_optional(&mut **transaction)
    .await
}

/// The records linked to a case, oldest first.
pub async fn for_case(pool: &AnyPool, case_id: &str) -> Result<Vec<AftersaleRecord>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM aftersales WHERE case_id = $1 ORDER BY created_at, id");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id)
        .fetch_all(pool)
        .await
}
