//! Parcels: to the customer (an order's shipments) and back to the shop (a case's returns),
//! each with its latest scan.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::{Transaction, new_id};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShipmentRecord {
    pub id: String,
    pub order_id: String,
    pub case_id: Option<String>,
    /// to_customer or to_shop
    pub direction: String,
    pub carrier: String,
    pub tracking_number: String,
    pub status: String,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub last_scan: Option<String>,
    /// What the carrier's push calls the carrier (e.g. `shunfeng`), beside what was typed.
    pub carrier_code: Option<String>,
    /// When the newest scan applied happened.
    pub scanned_at: Option<i64>,
    /// The window it should arrive in, and what that rests on (`domain::arrival::Basis`).
    pub expected_from: Option<i64>,
    pub expected_to: Option<i64>,
    pub expected_basis: Option<String>,
}

const COLUMNS: &str = "SELECT id, order_id, case_id, direction, carrier, tracking_number, status, \
                       shipped_at, delivered_at, last_scan, carrier_code, scanned_at, expected_from, \
                       expected_to, expected_basis FROM shipments";

/// The order's parcels, oldest first.
pub async fn for_order(pool: &AnyPool, order_id: &str) -> Result<Vec<ShipmentRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE order_id = $1 ORDER BY created_at, id"
    )))
    .bind(order_id)
    .fetch_all(pool)
    .await
}

/// One of the shop's shipments.
pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<ShipmentRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The shop's shipments with this tracking number (a parcel may be on more than one order).
pub async fn by_tracking_number(
    pool: &AnyPool,
    shop_id: &ShopId,
    tracking_number: &str,
) -> Result<Vec<ShipmentRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE shop_id = $1 AND tracking_number = $2"
    )))
    .bind(shop_id)
    .bind(tracking_number)
    .fetch_all(pool)
    .await
}

/// Whether the order has a parcel with this tracking number already.
pub async fn exists(
    transaction: &mut Transaction,
    order_id: &str,
    tracking_number: &str,
) -> Result<bool, sqlx::Error> {
    let known: Option<String> =
        sqlx::query_scalar("SELECT id FROM shipments WHERE order_id = $1 AND tracking_number = $2")
            .bind(order_id)
            .bind(tracking_number)
            .fetch_optional(&mut **transaction)
            .await?;
    Ok(known.is_some())
}

pub struct NewShipment<'a> {
    pub order_id: &'a str,
    pub case_id: Option<&'a str>,
    pub direction: &'a str,
    pub carrier: &'a str,
    pub tracking_number: &'a str,
    pub status: &'a str,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

pub async fn insert(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    shipment: &NewShipment<'_>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO shipments (id, shop_id, order_id, case_id, direction, carrier, tracking_number, status, \
         shipped_at, delivered_at, created_at, moved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(shop_id)
    .bind(shipment.order_id)
    .bind(shipment.case_id)
    .bind(shipment.direction)
    .bind(shipment.carrier)
    .bind(shipment.tracking_number)
    .bind(shipment.status)
    .bind(shipment.shipped_at)
    .bind(shipment.delivered_at)
    .bind(now)
    .bind(shipment.shipped_at.unwrap_or(now))
    .execute(&mut **transaction)
    .await?;
    Ok(id)
}

/// A scan newer than any applied before: the parcel's state, latest description and the
/// carrier's own name for itself. A scan is movement, so the parcel may be followed up again if
/// it stalls anew; a delivery dates the parcel's arrival once.
pub async fn record_scan(
    transaction: &mut Transaction,
    id: &str,
    state: &str,
    delivered: bool,
    at: i64,
    description: &str,
    carrier_code: Option<&str>,
) -> Result<(), sqlx::Error> {
    let sql = if delivered {
        "UPDATE shipments SET status = $1, delivered_at = COALESCE(delivered_at, $2), last_scan = $3, \
         moved_at = $2, flagged_at = NULL, scanned_at = $2, carrier_code = COALESCE($5, carrier_code) WHERE id = $4"
    } else {
        "UPDATE shipments SET status = $1, last_scan = $3, flagged_at = NULL, scanned_at = $2, \
         carrier_code = COALESCE($5, carrier_code), \
         moved_at = CASE WHEN moved_at IS NULL OR moved_at < $2 THEN $2 ELSE moved_at END WHERE id = $4"
    };
    sqlx::query(sql)
        .bind(state)
        .bind(at)
        .bind(description)
        .bind(id)
        .bind(carrier_code)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// A person saw the case's parcels arrive (the shop received the return, or the customer
/// confirmed the replacement): those going `direction` are delivered now, if not already.
pub async fn mark_arrived(
    transaction: &mut Transaction,
    case_id: &str,
    direction: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE shipments SET status = 'delivered', delivered_at = $1, flagged_at = NULL \
         WHERE case_id = $2 AND direction = $3 AND delivered_at IS NULL",
    )
    .bind(now)
    .bind(case_id)
    .bind(direction)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected())
}

/// One past delivery to a customer: the carrier as typed, the address it went to, how long it
/// took.
#[derive(Debug, sqlx::FromRow)]
pub struct PastDelivery {
    pub carrier: String,
    pub address: Option<String>,
    pub transit: i64,
}

/// The shop's latest `limit` deliveries to customers, newest first.
pub async fn delivery_history(
    pool: &AnyPool,
    shop_id: &ShopId,
    limit: i64,
) -> Result<Vec<PastDelivery>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT s.carrier, c.address, s.delivered_at - s.shipped_at AS transit FROM shipments s \
         JOIN orders o ON o.id = s.order_id LEFT JOIN customers c ON c.id = o.customer_id \
         WHERE s.shop_id = $1 AND s.direction = 'to_customer' AND s.delivered_at IS NOT NULL \
         AND s.shipped_at IS NOT NULL ORDER BY s.delivered_at DESC LIMIT {limit}"
    )))
    .bind(shop_id)
    .fetch_all(pool)
    .await
}

/// Where the order goes: its customer's address.
pub async fn destination(pool: &AnyPool, order_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT c.address FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_optional(pool)
    .await
    .map(Option::flatten)
}

/// The window the parcel should arrive in.
pub async fn set_expected(
    transaction: &mut Transaction,
    id: &str,
    expected: (i64, i64, &str),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE shipments SET expected_from = $1, expected_to = $2, expected_basis = $3 WHERE id = $4",
    )
    .bind(expected.0)
    .bind(expected.1)
    .bind(expected.2)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
