//! Units by serial number: the order line that sold one, the units sent in its place, and the
//! cases on the line.

use sqlx::AnyPool;

use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;

/// An order line with a serial number, and its order's dates.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SoldLine {
    pub order_line_id: String,
    pub line_number: i64,
    pub serial_number: String,
    pub sku: String,
    pub product_name: String,
    pub order_id: String,
    pub order_number: String,
    pub placed_at: i64,
    pub delivered_at: Option<i64>,
}

const SOLD: &str = "SELECT l.id AS order_line_id, l.line_number, l.serial_number, l.sku, l.product_name, \
    o.id AS order_id, o.order_number, o.placed_at, o.delivered_at \
    FROM order_lines l JOIN orders o ON o.id = l.order_id";

/// The order line that sold this serial, or the one a replacement with it went out on.
pub async fn line_of(
    pool: &AnyPool,
    shop_id: &ShopId,
    serial: &str,
) -> Result<Option<SoldLine>, sqlx::Error> {
    let sold: Option<SoldLine> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SOLD} WHERE l.shop_id = $1 AND l.serial_number = $2 ORDER BY o.placed_at DESC LIMIT 1"
    )))
    .bind(shop_id)
    .bind(serial)
    .fetch_optional(pool)
    .await?;
    if sold.is_some() {
        return Ok(sold);
    }
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SOLD} WHERE l.id = (SELECT order_line_id FROM units WHERE shop_id = $1 AND serial_number = $2)"
    )))
    .bind(shop_id)
    .bind(serial)
    .fetch_optional(pool)
    .await
}

/// A unit sent in place of another.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Replacement {
    pub serial_number: String,
    pub case_id: String,
    pub case_number: String,
    pub replaces: String,
    pub shipped_at: i64,
    pub delivered_at: Option<i64>,
}

/// The units sent on an order line, in the order they went out.
pub async fn replacements(
    pool: &AnyPool,
    order_line_id: &str,
) -> Result<Vec<Replacement>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.serial_number, u.case_id, c.number AS case_number, u.replaces, u.shipped_at, u.delivered_at \
         FROM units u JOIN cases c ON c.id = u.case_id WHERE u.order_line_id = $1 ORDER BY u.shipped_at, u.id",
    )
    .bind(order_line_id)
    .fetch_all(pool)
    .await
}

/// A case on an order line.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LineCase {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub status: String,
    pub reason_code: String,
    pub created_at: i64,
}

pub async fn cases_on_line(
    pool: &AnyPool,
    order_line_id: &str,
) -> Result<Vec<LineCase>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.number, c.kind, c.status, c.reason_code, c.created_at FROM cases c \
         JOIN case_lines cl ON cl.case_id = c.id WHERE cl.order_line_id = $1 ORDER BY c.created_at, c.id",
    )
    .bind(order_line_id)
    .fetch_all(pool)
    .await
}

/// The serial of the last unit sent on a line, if any was.
pub async fn latest_on_line(
    transaction: &mut Transaction,
    order_line_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT serial_number FROM units WHERE order_line_id = $1 ORDER BY shipped_at DESC, id DESC LIMIT 1",
    )
    .bind(order_line_id)
    .fetch_optional(&mut **transaction)
    .await
}

/// A replacement sent; false when the serial is known in the shop already.
pub async fn insert(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    (serial, order_line_id, case_id, replaces): (&str, &str, &str, &str),
    now: i64,
) -> Result<bool, sqlx::Error> {
    let known: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM order_lines WHERE shop_id = $1 AND serial_number = $2 LIMIT 1",
    )
    .bind(shop_id)
    .bind(serial)
    .fetch_optional(&mut **transaction)
    .await?;
    if known.is_some() {
        return Ok(false);
    }
    let done = sqlx::query(
        "INSERT INTO units (id, shop_id, serial_number, order_line_id, case_id, replaces, shipped_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT DO NOTHING",
    )
    .bind(new_id())
    .bind(shop_id)
    .bind(serial)
    .bind(order_line_id)
    .bind(case_id)
    .bind(replaces)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The customer received the case's replacement: its warranty starts again now.
pub async fn delivered(
    transaction: &mut Transaction,
    case_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE units SET delivered_at = $1 WHERE case_id = $2 AND delivered_at IS NULL")
        .bind(now)
        .bind(case_id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}
