//! Orders not stored yet, written many at a time (an import's batch): which of a batch's order
//! numbers the shop has already, their customers found with one query per kind of contact, and
//! every customer, order and line written in one statement batch (on SQLite one statement per
//! table, its rows read from JSON). Orders stored before are not written here: they take the
//! careful path of `orders::upsert`, which compares and updates.

use std::collections::HashMap;

use serde_json::json;

use super::batch::Batch;
use super::orders::{
    LINE_COLUMNS, ORDER_COLUMNS, OrderLineRecord, OrderRecord, same_line, same_order,
};
use super::{Backend, Transaction, dialect, new_id};
use crate::domain::identifiers::ShopId;
use crate::domain::order::NewOrder;

fn stored_sql(backend: Backend) -> String {
    format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE shop_id = $1 AND order_number IN ({})",
        backend.json_texts(2)
    )
}

fn lines_sql(backend: Backend) -> String {
    format!(
        "SELECT l.order_id, {LINE_COLUMNS} FROM order_lines l WHERE l.order_id IN ({})",
        backend.json_texts(1)
    )
}

/// The shop's customers with one of the values (a JSON array) in `column`, phone or email. No
/// ORDER BY: sorting in SQL lets a planner without statistics walk the shop's customers by
/// creation instead of looking each value up; the first added is chosen in [`Known::by`].
fn customers_sql(backend: Backend, column: &str) -> String {
    format!(
        "SELECT {column}, id, created_at, CASE WHEN phone IS NULL THEN 0 ELSE 1 END, \
         CASE WHEN email IS NULL THEN 0 ELSE 1 END, CASE WHEN address IS NULL THEN 0 ELSE 1 END \
         FROM customers WHERE shop_id = $1 AND {column} IN ({})",
        backend.json_texts(2)
    )
}

/// How the database would run a batch's reads: its stored orders, their lines, and the
/// customers by phone and by e-mail (for the tests that keep them on their indexes whatever
/// the statistics).
pub async fn lookup_plans(database: &super::Database) -> Result<Vec<String>, sqlx::Error> {
    use super::Bind::Text;
    let backend = database.backend;
    let list = |value: &str| Text(json!([value]).to_string());
    let mut plan = database
        .plan(&stored_sql(backend), vec![Text("shop".into()), list("TB1")])
        .await?;
    plan.extend(
        database
            .plan(&lines_sql(backend), vec![list("order")])
            .await?,
    );
    for (column, value) in [("phone", "13800138000"), ("email", "a@example.com")] {
        plan.extend(
            database
                .plan(
                    &customers_sql(backend, column),
                    vec![Text("shop".into()), list(value)],
                )
                .await?,
        );
    }
    Ok(plan)
}

/// The orders of `numbers` the shop has stored, by number.
pub async fn stored(
    transaction: &mut Transaction,
    backend: Backend,
    shop_id: &ShopId,
    numbers: &[&str],
) -> Result<HashMap<String, OrderRecord>, sqlx::Error> {
    let found: Vec<OrderRecord> = sqlx::query_as(sqlx::AssertSqlSafe(stored_sql(backend)))
        .bind(shop_id)
        .bind(json!(numbers).to_string())
        .fetch_all(&mut **transaction)
        .await?;
    Ok(found
        .into_iter()
        .map(|order| (order.order_number.clone(), order))
        .collect())
}

#[derive(sqlx::FromRow)]
struct LineOf {
    order_id: String,
    #[sqlx(flatten)]
    line: OrderLineRecord,
}

/// Which of the stored orders are exactly what the batch says (`pairs`: what arrived and what
/// is stored), their customers included: those need no write at all. The others take the
/// careful path.
pub async fn unchanged(
    transaction: &mut Transaction,
    backend: Backend,
    shop_id: &ShopId,
    pairs: &[(&NewOrder, &OrderRecord)],
) -> Result<Vec<bool>, sqlx::Error> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = pairs.iter().map(|(_, stored)| stored.id.as_str()).collect();
    let rows: Vec<LineOf> = sqlx::query_as(sqlx::AssertSqlSafe(lines_sql(backend)))
        .bind(json!(ids).to_string())
        .fetch_all(&mut **transaction)
        .await?;
    let mut lines: HashMap<String, Vec<OrderLineRecord>> = HashMap::new();
    for row in rows {
        lines.entry(row.order_id).or_default().push(row.line);
    }
    let orders: Vec<&NewOrder> = pairs.iter().map(|(order, _)| *order).collect();
    let known = Known::find(transaction, backend, shop_id, &orders).await?;
    Ok(pairs
        .iter()
        .map(|(order, stored)| {
            let customer_id = match known.of(order) {
                Lookup::Nobody => stored.customer_id.clone(),
                Lookup::Found(customer) if !customer.would_fill(order) => Some(customer.id.clone()),
                Lookup::Found(_) | Lookup::New => return false,
            };
            let stored_lines = lines.get(&stored.id).map(Vec::as_slice).unwrap_or_default();
            same_order(stored, order, customer_id.as_deref())
                && order.lines.iter().all(|line| {
                    stored_lines.iter().any(|stored| {
                        stored.line_number == line.line_number && same_line(stored, line)
                    })
                })
        })
        .collect())
}

/// A stored customer as a batch finds it: its id and which contacts it has.
struct Customer {
    id: String,
    created_at: i64,
    has_phone: bool,
    has_email: bool,
    has_address: bool,
}

impl Customer {
    /// Whether `customers::find_or_insert` would fill in something it lacks from `order`.
    fn would_fill(&self, order: &NewOrder) -> bool {
        !self.has_phone && order.customer.phone.is_some()
            || !self.has_email && order.customer.email.is_some()
            || !self.has_address && order.customer.address.is_some()
    }
}

/// How the careful path would find an order's customer.
enum Lookup<'a> {
    /// The order names nobody: it keeps the customer it has.
    Nobody,
    Found(&'a Customer),
    /// Nobody stored has its phone or e-mail: a new customer.
    New,
}

/// The shop's customers with the phones and e-mails of a batch of orders, found with one query
/// for each kind of contact: for each value the first one added, as `customers::find_or_insert`
/// finds it (by phone first).
struct Known {
    by_phone: HashMap<String, Customer>,
    by_email: HashMap<String, Customer>,
}

impl Known {
    async fn find(
        transaction: &mut Transaction,
        backend: Backend,
        shop_id: &ShopId,
        orders: &[&NewOrder],
    ) -> Result<Known, sqlx::Error> {
        let phones: Vec<String> = orders.iter().filter_map(|order| phone_of(order)).collect();
        let emails: Vec<String> = orders.iter().filter_map(|order| email_of(order)).collect();
        let contacts: Vec<String> = phones.iter().chain(&emails).cloned().collect();
        super::customers::lock_contacts(transaction, backend, shop_id, &contacts).await?;
        Ok(Known {
            by_phone: Known::by(transaction, backend, shop_id, "phone", &phones).await?,
            by_email: Known::by(transaction, backend, shop_id, "email", &emails).await?,
        })
    }

    async fn by(
        transaction: &mut Transaction,
        backend: Backend,
        shop_id: &ShopId,
        column: &str,
        values: &[String],
    ) -> Result<HashMap<String, Customer>, sqlx::Error> {
        let mut first: HashMap<String, Customer> = HashMap::new();
        if values.is_empty() {
            return Ok(first);
        }
        let rows: Vec<(String, String, i64, i32, i32, i32)> =
            sqlx::query_as(sqlx::AssertSqlSafe(customers_sql(backend, column)))
                .bind(shop_id)
                .bind(json!(values).to_string())
                .fetch_all(&mut **transaction)
                .await?;
        for (value, id, created_at, phone, email, address) in rows {
            let customer = Customer {
                id,
                created_at,
                has_phone: phone == 1,
                has_email: email == 1,
                has_address: address == 1,
            };
            match first.get(&value) {
                Some(earlier)
                    if (earlier.created_at, &earlier.id) <= (created_at, &customer.id) => {}
                _ => {
                    first.insert(value, customer);
                }
            }
        }
        Ok(first)
    }

    fn of(&self, order: &NewOrder) -> Lookup<'_> {
        let (phone, email) = super::customers::contacts_of(&order.customer);
        if order.customer.name.trim().is_empty() && phone.is_none() && email.is_none() {
            return Lookup::Nobody;
        }
        phone
            .and_then(|phone| self.by_phone.get(&phone))
            .or_else(|| email.and_then(|email| self.by_email.get(&email)))
            .map_or(Lookup::New, Lookup::Found)
    }
}

fn phone_of(order: &NewOrder) -> Option<String> {
    super::customers::contacts_of(&order.customer).0
}

fn email_of(order: &NewOrder) -> Option<String> {
    super::customers::contacts_of(&order.customer).1
}

/// A customer the batch adds, filled in by every order of the batch that names it.
struct Added {
    id: String,
    name: String,
    phone: Option<String>,
    search_phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
}

/// Writes `orders` (none of them stored yet, each number once); returns each order's id.
pub async fn insert(
    transaction: &mut Transaction,
    backend: Backend,
    shop_id: &ShopId,
    orders: &[&NewOrder],
    now: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let known = Known::find(transaction, backend, shop_id, orders).await?;

    let mut batch = Batch::new();
    let mut added: Vec<Added> = Vec::new();
    let mut added_by_phone: HashMap<String, usize> = HashMap::new();
    let mut added_by_email: HashMap<String, usize> = HashMap::new();
    let mut ids = Vec::with_capacity(orders.len());
    let mut order_rows = Batch::new();
    for order in orders {
        let customer = &order.customer;
        let (phone, email) = super::customers::contacts_of(&order.customer);
        let customer_id = match known.of(order) {
            Lookup::Nobody => None,
            Lookup::Found(found) => {
                // Known already: fill in what it lacks, as `customers::find_or_insert` does.
                if found.would_fill(order) {
                    batch.push(
                        "UPDATE customers SET phone = COALESCE(phone, $1), email = COALESCE(email, $2), \
                         address = COALESCE(address, $3) WHERE id = $4",
                        vec![
                            phone.as_deref().into(),
                            email.as_deref().into(),
                            customer.address.as_deref().into(),
                            found.id.as_str().into(),
                        ],
                    );
                }
                Some(found.id.clone())
            }
            Lookup::New => {
                let index = phone
                    .as_ref()
                    .and_then(|phone| added_by_phone.get(phone))
                    .or_else(|| email.as_ref().and_then(|email| added_by_email.get(email)))
                    .copied();
                let index = match index {
                    Some(index) => {
                        let known = &mut added[index];
                        if known.phone.is_none() {
                            known.phone.clone_from(&phone);
                            known.search_phone = customer.phone.as_ref().map(|p| p.as_str().into());
                        }
                        if known.email.is_none() {
                            known.email.clone_from(&email);
                        }
                        if known.address.is_none() {
                            known.address.clone_from(&customer.address);
                        }
                        index
                    }
                    None => {
                        added.push(Added {
                            id: new_id(),
                            name: customer.name.trim().to_string(),
                            phone: phone.clone(),
                            search_phone: customer.phone.as_ref().map(|p| p.as_str().into()),
                            email: email.clone(),
                            address: customer.address.clone(),
                        });
                        added.len() - 1
                    }
                };
                if let Some(phone) = &added[index].phone {
                    added_by_phone.insert(phone.clone(), index);
                }
                if let Some(email) = &added[index].email {
                    added_by_email.insert(email.clone(), index);
                }
                Some(added[index].id.clone())
            }
        };
        let id = new_id();
        push_order(
            &mut order_rows,
            shop_id,
            &id,
            customer_id.as_deref(),
            order,
            now,
        );
        ids.push(id);
    }
    let mut customers = Batch::new();
    for customer in &added {
        let search_text = dialect::search_text(&[
            Some(&customer.name),
            customer.search_phone.as_deref(),
            customer.email.as_deref(),
        ]);
        customers.push(
            "INSERT INTO customers (id, shop_id, name, phone, email, address, tier, tags, search_text, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            vec![
                customer.id.as_str().into(),
                shop_id.into(),
                customer.name.as_str().into(),
                customer.phone.as_deref().into(),
                customer.email.as_deref().into(),
                customer.address.as_deref().into(),
                "normal".into(),
                "[]".into(),
                search_text.into(),
                now.into(),
            ],
        );
    }
    customers.append(batch);
    customers.append(order_rows);
    customers.execute_set_based(transaction, backend).await?;
    Ok(ids)
}

/// The order's row (with its money and total) and its lines' rows.
fn push_order(
    batch: &mut Batch,
    shop_id: &ShopId,
    id: &str,
    customer_id: Option<&str>,
    order: &NewOrder,
    now: i64,
) {
    let search_text = dialect::search_text(&[
        Some(order.order_number.as_str()),
        Some(&order.customer.name),
        order.customer.phone.as_ref().map(|phone| phone.as_str()),
    ]);
    batch.push(
        "INSERT INTO orders (id, shop_id, order_number, platform, customer_id, currency, total_minor, \
         shipping_fee_minor, placed_at, paid_at, shipped_at, delivered_at, invoice_number, search_text, \
         created_at, updated_at, tax_mode, discount_minor, tax_minor, payment_status, shop_currency, \
         shop_total_minor, money_detail, cancelled_at, contact_masked) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
        vec![
            id.into(),
            shop_id.into(),
            order.order_number.as_str().into(),
            order.platform.as_str().into(),
            customer_id.into(),
            order.currency.as_str().into(),
            order.total_minor().into(),
            order.shipping_fee_minor.into(),
            order.placed_at.into(),
            order.paid_at.into(),
            order.shipped_at.into(),
            order.delivered_at.into(),
            order.invoice_number.as_deref().into(),
            search_text.into(),
            now.into(),
            order.tax_mode.as_str().into(),
            order
                .detail
                .discounts
                .iter()
                .map(|discount| discount.amount_minor)
                .sum::<i64>()
                .into(),
            order
                .lines
                .iter()
                .map(|line| line.tax_minor)
                .sum::<i64>()
                .into(),
            order.payment_status.as_str().into(),
            order
                .shop_money
                .as_ref()
                .map(|money| money.currency.as_str())
                .into(),
            order.shop_money.map(|money| money.total_minor).into(),
            serde_json::to_string(&order.detail)
                .unwrap_or_else(|_| "{}".into())
                .into(),
            order.cancelled_at.into(),
            order.contact_masked.as_deref().into(),
        ],
    );
    for line in &order.lines {
        batch.push(
            "INSERT INTO order_lines (id, order_id, shop_id, line_number, sku, product_name, category, quantity, \
             unit_price_minor, paid_minor, serial_number, discount_minor, tax_minor, shop_paid_minor, cost_minor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            vec![
                new_id().into(),
                id.into(),
                shop_id.into(),
                line.line_number.into(),
                line.sku.as_str().into(),
                line.product_name.as_str().into(),
                line.category.as_deref().into(),
                line.quantity.into(),
                line.unit_price_minor.into(),
                line.paid_minor.into(),
                line.serial_number.as_deref().into(),
                line.discount_minor.into(),
                line.tax_minor.into(),
                line.shop_paid_minor.into(),
                line.cost_minor.into(),
            ],
        );
    }
}
