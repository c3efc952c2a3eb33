//! Orders with their lines.

use crate::domain::identifiers::ShopId;
use serde::Serialize;
use sqlx::AnyPool;

use super::columns::{Flag, JsonText};
use super::{Backend, Transaction, customers, dialect, new_id};
use crate::domain::order::{MoneyDetail, NewOrder, NewOrderLine};

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
    /// The buyer's phone as a platform masked it (138****5678).
    pub contact_masked: Option<String>,
    pub created_at: i64,
    /// inclusive or exclusive.
    pub tax_mode: String,
    pub discount_minor: i64,
    pub tax_minor: i64,
    /// paid, pending or voided.
    pub payment_status: String,
    pub shop_currency: Option<String>,
    pub shop_total_minor: Option<i64>,
    #[sqlx(try_from = "JsonText<MoneyDetail>")]
    pub money_detail: MoneyDetail,
    pub cancelled_at: Option<i64>,
    /// Cancelled or fully refunded before it went out: the warehouse must not ship it.
    #[sqlx(try_from = "Flag")]
    pub do_not_ship: bool,
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
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub paid_minor: i64,
    pub shop_paid_minor: Option<i64>,
    pub serial_number: Option<String>,
    /// What one unit cost the shop.
    pub cost_minor: Option<i64>,
    /// Refunded so far on this line, by all cases of the order and on the platform.
    pub refunded_minor: i64,
    /// Units claimed by open cases about goods that have not paid them back yet (read when a
    /// case is opened; 0 elsewhere).
    #[sqlx(default)]
    pub open_units: i64,
    /// Units paid back: by any case, the first time it refunded them, and on the platform
    /// (read when a case is opened; 0 elsewhere).
    #[sqlx(default)]
    pub refunded_units: i64,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

pub(super) const ORDER_COLUMNS: &str = "id, order_number, platform, customer_id, currency, total_minor, shipping_fee_minor, \
    placed_at, paid_at, shipped_at, delivered_at, invoice_number, contact_masked, created_at, tax_mode, discount_minor, tax_minor, \
    payment_status, shop_currency, shop_total_minor, money_detail, cancelled_at, do_not_ship";

/// SQL for what has been refunded on order line `l` so far: by cases, and on the platform.
macro_rules! refunded_on_line {
    () => {
        "((SELECT CAST(COALESCE(SUM(r.amount_minor), 0) AS BIGINT) FROM refund_lines r \
         WHERE r.order_line_id = l.id) + (SELECT CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT) \
         FROM platform_refund_lines p WHERE p.order_line_id = l.id))"
    };
}
pub(crate) use refunded_on_line;

/// Several orders in one transaction. Those the shop does not have yet are written together
/// (`order_batches`), behind one savepoint; those stored exactly as they arrive are left alone;
/// the others, and all of them if the write of the new ones fails, go one by one, each behind
/// its own savepoint: an order that fails is rolled back alone and reported in its place, the
/// others stay (an import's batch).
pub async fn upsert_many(
    transaction: &mut Transaction,
    backend: Backend,
    shop_id: &ShopId,
    orders: &[&NewOrder],
    now: i64,
) -> Result<Vec<Result<(String, Outcome), sqlx::Error>>, sqlx::Error> {
    let numbers: Vec<&str> = orders
        .iter()
        .map(|order| order.order_number.as_str())
        .collect();
    let stored = super::order_batches::stored(transaction, backend, shop_id, &numbers).await?;
    let mut outcomes: Vec<Option<Result<(String, Outcome), sqlx::Error>>> =
        orders.iter().map(|_| None).collect();
    let pairs: Vec<(usize, (&NewOrder, &OrderRecord))> = (0..orders.len())
        .filter_map(|index| Some((index, (orders[index], stored.get(numbers[index])?))))
        .collect();
    let compared: Vec<(&NewOrder, &OrderRecord)> = pairs.iter().map(|(_, pair)| *pair).collect();
    let same = super::order_batches::unchanged(transaction, backend, shop_id, &compared).await?;
    for ((index, (_, record)), same) in pairs.iter().zip(same) {
        if same {
            outcomes[*index] = Some(Ok((record.id.clone(), Outcome::Unchanged)));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let fresh: Vec<usize> = (0..orders.len())
        .filter(|&index| !stored.contains_key(numbers[index]) && seen.insert(numbers[index]))
        .collect();
    if !fresh.is_empty() {
        sqlx::query("SAVEPOINT new_orders")
            .execute(&mut **transaction)
            .await?;
        let chosen: Vec<&NewOrder> = fresh.iter().map(|&index| orders[index]).collect();
        match super::order_batches::insert(transaction, backend, shop_id, &chosen, now).await {
            Ok(ids) => {
                for (&index, id) in fresh.iter().zip(ids) {
                    outcomes[index] = Some(Ok((id, Outcome::Created)));
                }
            }
            Err(error) => {
                tracing::debug!(%error, "the batch of new orders failed; writing them one by one");
                sqlx::query("ROLLBACK TO SAVEPOINT new_orders")
                    .execute(&mut **transaction)
                    .await?;
            }
        }
        sqlx::query("RELEASE SAVEPOINT new_orders")
            .execute(&mut **transaction)
            .await?;
    }
    let mut results = Vec::with_capacity(orders.len());
    for (order, done) in orders.iter().zip(outcomes) {
        if let Some(outcome) = done {
            results.push(outcome);
            continue;
        }
        sqlx::query("SAVEPOINT one_order")
            .execute(&mut **transaction)
            .await?;
        let outcome = upsert(transaction, shop_id, order, now).await;
        let end = if outcome.is_ok() {
            "RELEASE SAVEPOINT one_order"
        } else {
            "ROLLBACK TO SAVEPOINT one_order"
        };
        sqlx::query(end).execute(&mut **transaction).await?;
        if outcome.is_err() {
            sqlx::query("RELEASE SAVEPOINT one_order")
                .execute(&mut **transaction)
                .await?;
        }
        results.push(outcome);
    }
    Ok(results)
}

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
                 created_at, updated_at, contact_masked) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)",
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
            .bind(&order.contact_masked)
            .execute(&mut **transaction)
            .await?;
            store_money(transaction, &id, order).await?;
            (id, Outcome::Created)
        }
        Some(existing) => {
            let same = same_order(existing, order, customer_id.as_deref());
            if !same {
                sqlx::query(
                    "UPDATE orders SET platform = $1, customer_id = $2, currency = $3, shipping_fee_minor = $4, \
                     placed_at = $5, paid_at = $6, shipped_at = $7, delivered_at = $8, invoice_number = $9, \
                     search_text = $10, updated_at = $11, contact_masked = $13 WHERE id = $12",
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
                .bind(&order.contact_masked)
                .execute(&mut **transaction)
                .await?;
                store_money(transaction, &existing.id, order).await?;
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
                     unit_price_minor, paid_minor, serial_number, discount_minor, tax_minor, shop_paid_minor, cost_minor) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
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
                .bind(line.discount_minor)
                .bind(line.tax_minor)
                .bind(line.shop_paid_minor)
                .bind(line.cost_minor)
                .execute(&mut **transaction)
                .await?;
                if outcome == Outcome::Unchanged {
                    outcome = Outcome::Updated;
                }
            }
            Some(stored) => {
                if !same_line(stored, line) {
                    sqlx::query(
                        "UPDATE order_lines SET sku = $1, product_name = $2, category = $3, quantity = $4, \
                         unit_price_minor = $5, paid_minor = $6, serial_number = $7, discount_minor = $9, \
                         tax_minor = $10, shop_paid_minor = $11, cost_minor = $12 WHERE id = $8",
                    )
                    .bind(&line.sku)
                    .bind(&line.product_name)
                    .bind(&line.category)
                    .bind(line.quantity)
                    .bind(line.unit_price_minor)
                    .bind(line.paid_minor.max(stored.refunded_minor))
                    .bind(&line.serial_number)
                    .bind(&stored.id)
                    .bind(line.discount_minor)
                    .bind(line.tax_minor)
                    .bind(line.shop_paid_minor)
                    .bind(line.cost_minor)
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

/// Whether the stored order is what `order` says, with `customer_id` as its customer (its
/// lines are compared by [`same_line`]).
pub(super) fn same_order(
    existing: &OrderRecord,
    order: &NewOrder,
    customer_id: Option<&str>,
) -> bool {
    existing.platform == order.platform
        && existing.customer_id.as_deref() == customer_id
        && existing.currency == order.currency.as_str()
        && existing.shipping_fee_minor == order.shipping_fee_minor
        && existing.placed_at == order.placed_at
        && existing.paid_at == order.paid_at
        && existing.shipped_at == order.shipped_at
        && existing.delivered_at == order.delivered_at
        && existing.invoice_number == order.invoice_number
        && existing.contact_masked == order.contact_masked
        && same_money(existing, order)
}

/// Whether a stored line is what `line` says.
pub(super) fn same_line(stored: &OrderLineRecord, line: &NewOrderLine) -> bool {
    stored.sku == line.sku
        && stored.product_name == line.product_name
        && stored.category == line.category
        && stored.quantity == line.quantity
        && stored.unit_price_minor == line.unit_price_minor
        && stored.paid_minor == line.paid_minor
        && stored.discount_minor == line.discount_minor
        && stored.tax_minor == line.tax_minor
        && stored.shop_paid_minor == line.shop_paid_minor
        && stored.serial_number == line.serial_number
        && stored.cost_minor == line.cost_minor
}

/// Whether the stored order's money is what `order` says (a cancellation, once recorded, stays).
fn same_money(existing: &OrderRecord, order: &NewOrder) -> bool {
    existing.tax_mode == order.tax_mode.as_str()
        && existing.discount_minor
            == order
                .detail
                .discounts
                .iter()
                .map(|discount| discount.amount_minor)
                .sum::<i64>()
        && existing.tax_minor == order.lines.iter().map(|line| line.tax_minor).sum::<i64>()
        && existing.payment_status == order.payment_status.as_str()
        && existing.shop_currency.as_deref()
            == order
                .shop_money
                .as_ref()
                .map(|money| money.currency.as_str())
        && existing.shop_total_minor == order.shop_money.map(|money| money.total_minor)
        && existing.money_detail == order.detail
        && (order.cancelled_at.is_none() || existing.cancelled_at.is_some())
}

async fn store_money(
    transaction: &mut Transaction,
    order_id: &str,
    order: &NewOrder,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET tax_mode = $1, discount_minor = $2, tax_minor = $3, payment_status = $4, \
         shop_currency = $5, shop_total_minor = $6, money_detail = $7, cancelled_at = COALESCE(cancelled_at, $8) \
         WHERE id = $9",
    )
    .bind(order.tax_mode.as_str())
    .bind(order.detail.discounts.iter().map(|discount| discount.amount_minor).sum::<i64>())
    .bind(order.lines.iter().map(|line| line.tax_minor).sum::<i64>())
    .bind(order.payment_status.as_str())
    .bind(order.shop_money.as_ref().map(|money| money.currency.as_str()))
    .bind(order.shop_money.map(|money| money.total_minor))
    .bind(serde_json::to_string(&order.detail).unwrap_or_else(|_| "{}".into()))
    .bind(order.cancelled_at)
    .bind(order_id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
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

/// A line's columns read from `order_lines l`, with what has been refunded on it.
pub(super) const LINE_COLUMNS: &str = concat!(
    "l.id, l.line_number, l.sku, l.product_name, l.category, l.quantity, l.unit_price_minor, \
     l.discount_minor, l.tax_minor, l.paid_minor, l.shop_paid_minor, l.serial_number, l.cost_minor, ",
    refunded_on_line!(),
    " AS refunded_minor"
);

const LINE_SQL: &str = concat!(
    "SELECT l.id, l.line_number, l.sku, l.product_name, l.category, l.quantity, l.unit_price_minor, \
     l.discount_minor, l.tax_minor, l.paid_minor, l.shop_paid_minor, l.serial_number, l.cost_minor, ",
    refunded_on_line!(),
    " AS refunded_minor FROM order_lines l WHERE l.order_id = $1 ORDER BY l.line_number"
);

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

/// What a refund needs to know of its order, read as the order's row is locked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LockedOrder {
    pub currency: String,
    pub tax_mode: String,
    pub payment_status: String,
    pub shipping_fee_minor: i64,
    pub shop_currency: Option<String>,
    pub shipped_at: Option<i64>,
    pub cancelled_at: Option<i64>,
}

/// Locks the order's row until the transaction ends (PostgreSQL; SQLite has one writer):
/// refunds on one order queue here.
pub async fn lock(
    transaction: &mut Transaction,
    backend: Backend,
    order_id: &str,
) -> Result<Option<LockedOrder>, sqlx::Error> {
    let sql = format!(
        "SELECT currency, tax_mode, payment_status, shipping_fee_minor, shop_currency, shipped_at, cancelled_at \
         FROM orders WHERE id = $1{}",
        backend.for_update()
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
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

/// Delivery cost paid back on the order so far, by cases and on the platform; `executor` is a
/// pool or a transaction (`&mut **transaction`).
pub async fn shipping_refunded<'e, E>(executor: E, order_id: &str) -> Result<i64, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "SELECT (SELECT CAST(COALESCE(SUM(r.shipping_minor), 0) AS BIGINT) FROM refunds r JOIN cases c \
         ON c.id = r.case_id WHERE c.order_id = $1) + (SELECT CAST(COALESCE(SUM(p.shipping_minor), 0) AS BIGINT) \
         FROM platform_refunds p WHERE p.order_id = $1)",
    )
    .bind(order_id)
    .fetch_one(executor)
    .await
}

/// Flags the order "do not ship" unless it went out already (a ship date or a parcel to the
/// customer); whether the flag was newly set.
pub async fn flag_do_not_ship(
    transaction: &mut Transaction,
    order_id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE orders SET do_not_ship = 1 WHERE id = $1 AND do_not_ship = 0 AND shipped_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = orders.id AND s.direction = 'to_customer')",
    )
    .bind(order_id)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
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
