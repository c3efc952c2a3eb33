//! Orders with their lines.

use crate::domain::identifiers::ShopId;
use serde::Serialize;
use sqlx::AnyPool;

use super::{Backend, Transaction, customers, dialect, new_id};
use crate::domain::order::NewOrder;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderRecord {
    pub id: String,
    pub order_number: String,
    pub platform: String,
    pub customer_id: Option<String>,
    pub currency: String,
    pub total_minor: i64,
    pub shipping_fee_minor: i64,
    pub placed_at: i64,
    pub paid_at: Option<i64>,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub invoice_number: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderLineRecord {
    pub id: String,
    pub line_number: i64,
    pub sku: String,
    pub product_name: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub paid_minor: i64,
    pub serial_number: Option<String>,
    /// Refunded so far on this line, by all cases of the order.
    pub refunded_minor: i64,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

const ORDER_COLUMNS: &str = "id, order_number, platform, customer_id, currency, total_minor, shipping_fee_minor, \
    placed_at, paid_at, shipped_at, delivered_at, invoice_number, created_at";

/// Stores an order: new, changed, or exactly as it was. Lines are matched by line number;
/// lines already stored and absent from `order` are kept (cases may point at them).
pub async fn upsert(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    order: &NewOrder,
    now: i64,
) -> Result<(String, Outcome), sqlx::Error> {
    let existing = find_by_number_in(transaction, shop_id, order.order_number.as_str()).await?;
    let customer_id = if order.customer.name.trim().is_empty()
        && order.customer.phone.is_none()
        && order.customer.email.is_none()
    {
        existing
            .as_ref()
            .and_then(|existing| existing.customer_id.clone())
    } else {
        Some(
            customers::find_or_insert(transaction, shop_id, &order.customer, now)
                .await?
                .0,
        )
    };
    let search_text = dialect::search_text(&[
        Some(order.order_number.as_str()),
        Some(&order.customer.name),
        order.customer.phone.as_ref().map(|phone| phone.as_str()),
    ]);
    let (order_id, mut outcome) = match &existing {
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO orders (id, shop_id, order_number, platform, customer_id, currency, total_minor, \
                 shipping_fee_minor, placed_at, paid_at, shipped_at, delivered_at, invoice_number, search_text, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
            )
            .bind(&id)
            .bind(shop_id)
            .bind(order.order_number.as_str())
            .bind(&order.platform)
            .bind(&customer_id)
            .bind(order.currency.as_str())
            .bind(order.shipping_fee_minor)
            .bind(order.placed_at)
            .bind(order.paid_at)
            .bind(order.shipped_at)
            .bind(order.delivered_at)
            .bind(&order.invoice_number)
            .bind(&search_text)
            .bind(now)
            .execute(&mut **transaction)
            .await?;
            (id, Outcome::Created)
        }
        Some(existing) => {
            let same = existing.platform == order.platform
                && existing.customer_id == customer_id
                && existing.currency == order.currency.as_str()
                && existing.shipping_fee_minor == order.shipping_fee_minor
                && existing.placed_at == order.placed_at
                && existing.paid_at == order.paid_at
                && existing.shipped_at == order.shipped_at
                && existing.delivered_at == order.delivered_at
                && existing.invoice_number == order.invoice_number;
            if !same {
                sqlx::query(
                    "UPDATE orders SET platform = $1, customer_id = $2, currency = $3, shipping_fee_minor = $4, \
                     placed_at = $5, paid_at = $6, shipped_at = $7, delivered_at = $8, invoice_number = $9, \
                     search_text = $10, updated_at = $11 WHERE id = $12",
                )
                .bind(&order.platform)
                .bind(&customer_id)
                .bind(order.currency.as_str())
                .bind(order.shipping_fee_minor)
                .bind(order.placed_at)
                .bind(order.paid_at)
                .bind(order.shipped_at)
                .bind(order.delivered_at)
                .bind(&order.invoice_number)
                .bind(&search_text)
                .bind(now)
                .bind(&existing.id)
                .execute(&mut **transaction)
                .await?;
            }
            (
                existing.id.clone(),
                if same {
                    Outcome::Unchanged
                } else {
                    Outcome::Updated
                },
            )
        }
    };
    let stored = lines_in(transaction, &order_id).await?;
    for line in &order.lines {
        match stored
            .iter()
            .find(|stored| stored.line_number == line.line_number)
        {
            None => {
                sqlx::query(
                    "INSERT INTO order_lines (id, order_id, shop_id, line_number, sku, product_name, category, quantity, \
                     unit_price_minor, paid_minor, serial_number) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(new_id())
                .bind(&order_id)
                .bind(shop_id)
                .bind(line.line_number)
                .bind(&line.sku)
                .bind(&line.product_name)
                .bind(&line.category)
                .bind(line.quantity)
                .bind(line.unit_price_minor)
                .bind(line.paid_minor)
                .bind(&line.serial_number)
                .execute(&mut **transaction)
                .await?;
                if outcome == Outcome::Unchanged {
                    outcome = Outcome::Updated;
                }
            }
            Some(stored) => {
                let same = stored.sku == line.sku
                    && stored.product_name == line.product_name
                    && stored.category == line.category
                    && stored.quantity == line.quantity
                    && stored.unit_price_minor == line.unit_price_minor
                    && stored.paid_minor == line.paid_minor
                    && stored.serial_number == line.serial_number;
                if !same {
                    sqlx::query(
                        "UPDATE order_lines SET sku = $1, product_name = $2, category = $3, quantity = $4, \
                         unit_price_minor = $5, paid_minor = $6, serial_number = $7 WHERE id = $8",
                    )
                    .bind(&line.sku)
                    .bind(&line.product_name)
                    .bind(&line.category)
                    .bind(line.quantity)
                    .bind(line.unit_price_minor)
                    .bind(line.paid_minor.max(stored.refunded_minor))
                    .bind(&line.serial_number)
                    .bind(&stored.id)
                    .execute(&mut **transaction)
                    .await?;
                    if outcome == Outcome::Unchanged {
                        outcome = Outcome::Updated;
                    }
                }
            }
        }
    }
    if outcome != Outcome::Unchanged {
        sqlx::query(
            "UPDATE orders SET total_minor = shipping_fee_minor + \
             (SELECT CAST(COALESCE(SUM(paid_minor), 0) AS BIGINT) FROM order_lines WHERE order_id = $1) WHERE id = $1",
        )
        .bind(&order_id)
        .execute(&mut **transaction)
        .await?;
    }
    Ok((order_id, outcome))
}

async fn find_by_number_in(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    order_number: &str,
) -> Result<Option<OrderRecord>, sqlx::Error> {
    let sql =
        format!("SELECT {ORDER_COLUMNS} FROM orders WHERE shop_id = $1 AND order_number = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(order_number)
        .fetch_optional(&mut **transaction)
        .await
}

const LINE_SQL: &str = "SELECT l.id, l.line_number, l.sku, l.product_name, l.category, l.quantity, l.unit_price_minor, \
    l.paid_minor, l.serial_number, (SELECT CAST(COALESCE(SUM(r.amount_minor), 0) AS BIGINT) FROM refund_lines r \
    WHERE r.order_line_id = l.id) AS refunded_minor FROM order_lines l WHERE l.order_id = $1 ORDER BY l.line_number";

/// The order's lines with what has been refunded on each, read inside a transaction.
pub async fn lines_in(
    transaction: &mut Transaction,
    order_id: &str,
) -> Result<Vec<OrderLineRecord>, sqlx::Error> {
    sqlx::query_as(LINE_SQL)
        .bind(order_id)
        .fetch_all(&mut **transaction)
        .await
}

pub async fn lines(pool: &AnyPool, order_id: &str) -> Result<Vec<OrderLineRecord>, sqlx::Error> {
    sqlx::query_as(LINE_SQL)
        .bind(order_id)
        .fetch_all(pool)
        .await
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<OrderRecord>, sqlx::Error> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE shop_id = $1 AND id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn find_by_number(
    pool: &AnyPool,
    shop_id: &ShopId,
    order_number: &str,
) -> Result<Option<OrderRecord>, sqlx::Error> {
    let sql =
        format!("SELECT {ORDER_COLUMNS} FROM orders WHERE shop_id = $1 AND order_number = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(order_number)
        .fetch_optional(pool)
        .await
}

/// Locks the order row until the transaction ends (PostgreSQL); refunds on one order queue here.
/// Locks the order's row for the transaction; returns the order's currency (its money's unit).
pub async fn lock(
    transaction: &mut Transaction,
    backend: Backend,
    order_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let sql = format!(
        "SELECT currency FROM orders WHERE id = $1{}",
        backend.for_update()
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(order_id)
        .fetch_optional(&mut **transaction)
        .await
}

/// A page of orders, newest placed first; `query` matches order number, buyer name or phone.
pub async fn list(
    pool: &AnyPool,
    backend: Backend,
    shop_id: &ShopId,
    query: Option<&str>,
    customer_id: Option<&str>,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<OrderRecord>, sqlx::Error> {
    let mut sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE shop_id = $1");
    let mut parameter = 2;
    if query.is_some() {
        sql.push_str(&format!(
            " AND {}",
            backend.contains("search_text", parameter)
        ));
        parameter += 1;
    }
    if customer_id.is_some() {
        sql.push_str(&format!(" AND customer_id = ${parameter}"));
        parameter += 1;
    }
    if after.is_some() {
        sql.push_str(&format!(
            " AND (placed_at < ${parameter} OR (placed_at = ${parameter} AND id < ${}))",
            parameter + 1
        ));
        parameter += 2;
    }
    sql.push_str(&format!(
        " ORDER BY placed_at DESC, id DESC LIMIT ${parameter}"
    ));
    let mut statement = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(shop_id);
    if let Some(query) = query {
        statement = statement.bind(query.trim().to_lowercase());
    }
    if let Some(customer_id) = customer_id {
        statement = statement.bind(customer_id);
    }
    if let Some((placed_at, id)) = after {
        statement = statement.bind(placed_at).bind(id);
    }
    statement.bind(limit).fetch_all(pool).await
}

/// The order was delivered at `at` (the first delivery scan dates it; a later one does not).
pub async fn mark_delivered(
    transaction: &mut Transaction,
    order_id: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET delivered_at = $1 WHERE id = $2 AND delivered_at IS NULL")
        .bind(at)
        .bind(order_id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}
