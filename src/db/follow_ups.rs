//! Follow-up tasks, and the parcels on their way that may need one.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::columns::JsonText;
use super::{Transaction, new_id};

/// A parcel not delivered and not yet followed up.
#[derive(sqlx::FromRow)]
pub struct WatchedParcel {
    pub id: String,
    pub order_id: String,
    pub case_id: Option<String>,
    pub direction: String,
    pub carrier: String,
    pub tracking_number: String,
    pub shipped_at: Option<i64>,
    pub moved_at: i64,
}

/// The shop's undelivered, unflagged parcels that last moved before `still_since` or left before
/// `shipped_before`, oldest movement first.
pub async fn parcels_to_check(
    pool: &AnyPool,
    shop_id: &ShopId,
    still_since: i64,
    shipped_before: i64,
    limit: i64,
) -> Result<Vec<WatchedParcel>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, order_id, case_id, direction, carrier, tracking_number, shipped_at, moved_at FROM shipments \
         WHERE shop_id = $1 AND delivered_at IS NULL AND flagged_at IS NULL AND moved_at IS NOT NULL \
         AND (moved_at <= $2 OR shipped_at <= $3) \
         AND (case_id IS NULL OR EXISTS (SELECT 1 FROM cases c WHERE c.id = shipments.case_id AND c.is_open = 1)) \
         ORDER BY moved_at LIMIT $4",
    )
    .bind(shop_id)
    .bind(still_since)
    .bind(shipped_before)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The shops with parcels on their way.
pub async fn shops_with_parcels(pool: &AnyPool) -> Result<Vec<ShopId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT shop_id FROM shipments WHERE delivered_at IS NULL AND flagged_at IS NULL",
    )
    .fetch_all(pool)
    .await
}

/// Marks the parcel as followed up; false when another worker did it first.
pub async fn flag_parcel(
    transaction: &mut Transaction,
    shipment_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE shipments SET flagged_at = $1 WHERE id = $2 AND flagged_at IS NULL AND delivered_at IS NULL",
    )
    .bind(now)
    .bind(shipment_id)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct NewFollowUp<'a> {
    pub shop_id: &'a ShopId,
    pub kind: &'a str,
    pub order_id: &'a str,
    pub case_id: Option<&'a str>,
    pub shipment_id: Option<&'a str>,
    pub assignee_id: Option<&'a str>,
    pub detail: &'a serde_json::Value,
    pub due_at: i64,
    pub now: i64,
}

/// Adds the task unless this parcel already has one of this kind; its id if added.
pub async fn insert(
    transaction: &mut Transaction,
    task: &NewFollowUp<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let added = sqlx::query(
        "INSERT INTO follow_ups (id, shop_id, kind, order_id, case_id, shipment_id, assignee_id, detail, due_at, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10) ON CONFLICT DO NOTHING",
    )
    .bind(&id)
    .bind(task.shop_id)
    .bind(task.kind)
    .bind(task.order_id)
    .bind(task.case_id)
    .bind(task.shipment_id)
    .bind(task.assignee_id)
    .bind(task.detail.to_string())
    .bind(task.due_at)
    .bind(task.now)
    .execute(&mut **transaction)
    .await?;
    Ok((added.rows_affected() == 1).then_some(id))
}

/// A follow-up task.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowUp {
    pub id: String,
    /// parcel_stalled, parcel_late
    pub kind: String,
    pub order_id: String,
    pub order_number: String,
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    pub shipment_id: Option<String>,
    pub assignee_id: Option<String>,
    /// The parcel and what was seen of it.
    #[sqlx(try_from = "JsonText<serde_json::Value>")]
    pub detail: serde_json::Value,
    /// Unix microseconds.
    pub due_at: i64,
    /// open, done
    pub status: String,
    pub created_at: i64,
    pub done_at: Option<i64>,
    pub note: Option<String>,
}

const COLUMNS: &str = "f.id, f.kind, f.order_id, o.order_number, f.case_id, c.number AS case_number, \
     f.shipment_id, f.assignee_id, f.detail, f.due_at, f.status, f.created_at, f.done_at, f.note \
     FROM follow_ups f JOIN orders o ON o.id = f.order_id LEFT JOIN cases c ON c.id = f.case_id";

/// The shop's tasks with this status, soonest due first (at most `limit`).
pub async fn list(
    pool: &AnyPool,
    shop_id: &ShopId,
    status: &str,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<FollowUp>, sqlx::Error> {
    // Soonest due first, after the page before it (its last (due_at, id)).
    let (key, id) = after.unwrap_or((i64::MIN, String::new()));
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE f.shop_id = $1 AND f.status = $2 \
         AND (f.due_at > $3 OR (f.due_at = $3 AND f.id > $4)) ORDER BY f.due_at, f.id LIMIT $5"
    )))
    .bind(shop_id)
    .bind(status)
    .bind(key)
    .bind(id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<FollowUp>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE f.shop_id = $1 AND f.id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Closes an open task; false when it was closed already.
pub async fn finish(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
    by: Option<&str>,
    note: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE follow_ups SET status = 'done', done_at = $1, done_by = $2, note = $3 \
         WHERE shop_id = $4 AND id = $5 AND status = 'open'",
    )
    .bind(now)
    .bind(by)
    .bind(note)
    .bind(shop_id)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
