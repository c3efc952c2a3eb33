//! Spare parts with their stock, and the parts used on cases.

use sqlx::AnyPool;

use super::columns::Flag;
use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartRecord {
    pub id: String,
    pub number: String,
    pub name: String,
    #[sqlx(try_from = "Flag")]
    pub genuine: bool,
    pub cost_minor: i64,
    pub currency: String,
    pub stock: i64,
    pub reorder_level: i64,
    pub version: i64,
}

const COLUMNS: &str =
    "id, number, name, genuine, cost_minor, currency, stock, reorder_level, version FROM parts";

pub struct PartFields<'a> {
    pub number: &'a str,
    pub name: &'a str,
    pub genuine: bool,
    pub cost_minor: i64,
    pub currency: &'a str,
    pub stock: i64,
    pub reorder_level: i64,
}

pub async fn insert(
    pool: &AnyPool,
    shop_id: &ShopId,
    fields: &PartFields<'_>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO parts (id, shop_id, number, name, genuine, cost_minor, currency, stock, reorder_level, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
    )
    .bind(&id)
    .bind(shop_id)
    .bind(fields.number)
    .bind(fields.name)
    .bind(i64::from(fields.genuine))
    .bind(fields.cost_minor)
    .bind(fields.currency)
    .bind(fields.stock)
    .bind(fields.reorder_level)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(id)
}

/// Replaces a part's fields (its stock counted again) if it is still at `version`.
pub async fn update(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
    version: i64,
    fields: &PartFields<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE parts SET number = $1, name = $2, genuine = $3, cost_minor = $4, currency = $5, stock = $6, \
         reorder_level = $7, version = version + 1, updated_at = $8 WHERE shop_id = $9 AND id = $10 AND version = $11",
    )
    .bind(fields.number)
    .bind(fields.name)
    .bind(i64::from(fields.genuine))
    .bind(fields.cost_minor)
    .bind(fields.currency)
    .bind(fields.stock)
    .bind(fields.reorder_level)
    .bind(now)
    .bind(shop_id)
    .bind(id)
    .bind(version)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<PartRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn by_number(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    number: &str,
) -> Result<Option<PartRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE shop_id = $1 AND number = $2"
    )))
    .bind(shop_id)
    .bind(number)
    .fetch_optional(&mut **transaction)
    .await
}

pub async fn list(pool: &AnyPool, shop_id: &ShopId) -> Result<Vec<PartRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE shop_id = $1 ORDER BY number, id"
    )))
    .bind(shop_id)
    .fetch_all(pool)
    .await
}

/// Takes `quantity` from stock if there are that many; false when there are not.
pub async fn take(
    transaction: &mut Transaction,
    id: &str,
    quantity: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE parts SET stock = stock - $1, version = version + 1, updated_at = $2 WHERE id = $3 AND stock >= $1",
    )
    .bind(quantity)
    .bind(now)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct NewUse<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub part_id: Option<&'a str>,
    pub supplier_id: Option<&'a str>,
    pub number: &'a str,
    pub name: Option<&'a str>,
    pub genuine: bool,
    pub quantity: i64,
    pub month: &'a str,
    pub now: i64,
}

pub async fn record_use(
    transaction: &mut Transaction,
    used: &NewUse<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO part_uses (id, shop_id, case_id, part_id, supplier_id, number, name, genuine, quantity, month, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(used.shop_id)
    .bind(used.case_id)
    .bind(used.part_id)
    .bind(used.supplier_id)
    .bind(used.number)
    .bind(used.name)
    .bind(i64::from(used.genuine))
    .bind(used.quantity)
    .bind(used.month)
    .bind(used.now)
    .execute(&mut **transaction)
    .await?;
    Ok(id)
}

/// Parts used in a month, per supplier (none: the shop's workshop): (supplier id, supplier
/// name, units used, genuine units).
pub async fn genuine_by_supplier(
    pool: &AnyPool,
    shop_id: &ShopId,
    month: &str,
) -> Result<Vec<(Option<String>, Option<String>, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.supplier_id, MIN(s.name), CAST(SUM(u.quantity) AS BIGINT), \
         CAST(SUM(CASE WHEN u.genuine = 1 THEN u.quantity ELSE 0 END) AS BIGINT) \
         FROM part_uses u LEFT JOIN suppliers s ON s.id = u.supplier_id \
         WHERE u.shop_id = $1 AND u.month = $2 GROUP BY u.supplier_id ORDER BY MIN(s.name)",
    )
    .bind(shop_id)
    .bind(month)
    .fetch_all(pool)
    .await
}
