//! Customers of a shop: found by phone or e-mail when orders arrive, listed and searched.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::columns::JsonText;
use super::{Backend, Transaction, dialect, new_id};
use crate::domain::order::NewCustomer;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerRecord {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub tier: String,
    #[sqlx(try_from = "JsonText<Vec<String>>")]
    pub tags: Vec<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, name, phone, email, address, tier, tags, created_at";

fn search_text_of(customer: &NewCustomer) -> String {
    dialect::search_text(&[
        Some(&customer.name),
        customer.phone.as_ref().map(|phone| phone.as_str()),
        customer.email.as_ref().map(|email| email.as_str()),
    ])
}

/// The shop's customer with this phone (the oldest, if several): one entry of customers_by_phone.
const BY_PHONE: &str =
    "SELECT id FROM customers WHERE shop_id = $1 AND phone = $2 ORDER BY created_at LIMIT 1";
/// The same by e-mail: one entry of customers_by_email.
const BY_EMAIL: &str =
    "SELECT id FROM customers WHERE shop_id = $1 AND email = $2 ORDER BY created_at LIMIT 1";

/// How the database would find a customer by phone and by e-mail (for the tests that keep the
/// lookups on their indexes whatever the statistics).
pub async fn lookup_plans(database: &super::Database) -> Result<Vec<String>, sqlx::Error> {
    let bind = |value: &str| {
        vec![
            super::Bind::Text("shop".into()),
            super::Bind::Text(value.into()),
        ]
    };
    let mut plan = database.plan(BY_PHONE, bind("13800138000")).await?;
    plan.extend(database.plan(BY_EMAIL, bind("a@example.com")).await?);
    Ok(plan)
}

/// Finds the shop's customer with this phone (or else e-mail), filling in what was missing,
/// or adds a new one. Returns the id and whether it is new.
/// On PostgreSQL, holds the shop's customers with these phones and e-mails until the commit
/// (transaction advisory locks, taken in one order), so that two orders of a new customer
/// arriving at the same moment make one customer, not two. SQLite has one writer: nothing to do.
pub async fn lock_contacts(
    transaction: &mut Transaction,
    backend: super::Backend,
    shop_id: &ShopId,
    contacts: &[String],
) -> Result<(), sqlx::Error> {
    if backend != super::Backend::Postgres || contacts.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = contacts
        .iter()
        .map(|contact| format!("{shop_id}:{contact}"))
        .collect();
    // Locks in the order of their keys (PostgreSQL evaluates a volatile select list after the
    // sort), so two transactions never wait for each other crosswise.
    sqlx::query(
        "SELECT pg_advisory_xact_lock(key) FROM (SELECT DISTINCT hashtextextended(contact, 0) AS key \
         FROM jsonb_array_elements_text($1::jsonb) AS contact) AS contacts ORDER BY key",
    )
    .bind(serde_json::json!(keys).to_string())
    .fetch_all(&mut **transaction)
    .await?;
    Ok(())
}

/// The customer's phone and e-mail as stored and looked up (the phone in its national form).
pub(super) fn contacts_of(customer: &NewCustomer) -> (Option<String>, Option<String>) {
    (
        customer
            .phone
            .as_ref()
            .map(|phone| phone.national().to_string()),
        customer
            .email
            .as_ref()
            .map(|email| email.as_str().to_string()),
    )
}

pub async fn find_or_insert(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    customer: &NewCustomer,
    now: i64,
) -> Result<(String, bool), sqlx::Error> {
    let (phone, email) = contacts_of(customer);
    let contacts: Vec<String> = phone.iter().chain(email.iter()).cloned().collect();
    let backend = super::Backend::of(transaction);
    lock_contacts(transaction, backend, shop_id, &contacts).await?;
    let mut existing: Option<String> = None;
    if let Some(phone) = &phone {
        existing = sqlx::query_scalar(BY_PHONE)
            .bind(shop_id)
            .bind(phone)
            .fetch_optional(&mut **transaction)
            .await?;
    }
    if existing.is_none()
        && let Some(email) = &email
    {
        existing = sqlx::query_scalar(BY_EMAIL)
            .bind(shop_id)
            .bind(email)
            .fetch_optional(&mut **transaction)
            .await?;
    }
    if let Some(id) = existing {
        sqlx::query(
            "UPDATE customers SET phone = COALESCE(phone, $1), email = COALESCE(email, $2), \
             address = COALESCE(address, $3) WHERE id = $4 AND (phone IS NULL AND $1 IS NOT NULL \
             OR email IS NULL AND $2 IS NOT NULL OR address IS NULL AND $3 IS NOT NULL)",
        )
        .bind(&phone)
        .bind(&email)
        .bind(&customer.address)
        .bind(&id)
        .execute(&mut **transaction)
        .await?;
        return Ok((id, false));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO customers (id, shop_id, name, phone, email, address, tier, tags, search_text, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'normal', '[]', $7, $8, $8)",
    )
    .bind(&id)
    .bind(shop_id)
    .bind(customer.name.trim())
    .bind(&phone)
    .bind(&email)
    .bind(&customer.address)
    .bind(search_text_of(customer))
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    Ok((id, true))
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<CustomerRecord>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM customers WHERE shop_id = $1 AND id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// A page of customers, newest first, optionally matching `query` as a substring of name,
/// phone or e-mail. `after` is the (created_at, id) of the last row of the previous page.
pub async fn list(
    pool: &AnyPool,
    backend: Backend,
    shop_id: &ShopId,
    query: Option<&str>,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<CustomerRecord>, sqlx::Error> {
    let mut sql = format!("SELECT {COLUMNS} FROM customers WHERE shop_id = $1");
    let mut parameter = 2;
    if query.is_some() {
        sql.push_str(&format!(
            " AND {}",
            backend.contains("search_text", parameter)
        ));
        parameter += 1;
    }
    if after.is_some() {
        sql.push_str(&format!(
            " AND (created_at < ${parameter} OR (created_at = ${parameter} AND id < ${}))",
            parameter + 1
        ));
        parameter += 2;
    }
    sql.push_str(&format!(
        " ORDER BY created_at DESC, id DESC LIMIT ${parameter}"
    ));
    let mut statement = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(shop_id);
    if let Some(query) = query {
        statement = statement.bind(query.trim().to_lowercase());
    }
    if let Some((created_at, id)) = after {
        statement = statement.bind(created_at).bind(id);
    }
    statement.bind(limit).fetch_all(pool).await
}

/// What a customer has bought and had back from the shop, for the panel beside a case: read
/// over at most [`SUMMARY_CAP`] orders and cases, so a customer with a hundred thousand orders
/// costs the page no more than one with a thousand.
#[derive(Debug, Clone, Default)]
pub struct CustomerSummary {
    /// (currency, orders, spent in minor units), one row per currency ordered in.
    pub orders: Vec<(String, i64, i64)>,
    /// (currency, refunds, refunded in minor units); failed payments do not count.
    pub refunds: Vec<(String, i64, i64)>,
    /// How many cases the customer rated, and the stars they gave in all.
    pub ratings: i64,
    pub stars: i64,
    /// More orders or cases than were read: the figures are "at least".
    pub capped: bool,
}

pub const SUMMARY_CAP: i64 = 200;

/// One statement: (what, currency, how many, sum) rows for the orders, refunds, ratings and
/// cases read. (`shop_id || ''` keeps every planner on the customer's own index: the shop's indexes would
/// walk all its rows.)
pub async fn summary(
    pool: &AnyPool,
    shop_id: &ShopId,
    customer_id: &str,
) -> Result<CustomerSummary, sqlx::Error> {
    let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT 'order', currency, COUNT(*), CAST(SUM(total_minor) AS BIGINT) FROM \
           (SELECT currency, total_minor FROM orders WHERE customer_id = $1 AND shop_id || '' = $2 LIMIT $3) read \
           GROUP BY currency \
         UNION ALL SELECT 'refund', refunds.currency, COUNT(*), CAST(SUM(refunds.amount_minor) AS BIGINT) \
           FROM (SELECT id FROM cases WHERE customer_id = $1 AND shop_id || '' = $2 LIMIT $3) read \
           JOIN refunds ON refunds.case_id = read.id WHERE refunds.status <> 'failed' \
           GROUP BY refunds.currency \
         UNION ALL SELECT 'rating', '', COUNT(*), CAST(SUM(ratings.stars) AS BIGINT) \
           FROM (SELECT id FROM cases WHERE customer_id = $1 AND shop_id || '' = $2 LIMIT $3) read \
           JOIN ratings ON ratings.case_id = read.id \
         UNION ALL SELECT 'case', '', COUNT(*), 0 \
           FROM (SELECT id FROM cases WHERE customer_id = $1 AND shop_id || '' = $2 LIMIT $3) read",
    )
    .bind(customer_id)
    .bind(shop_id)
    .bind(SUMMARY_CAP)
    .fetch_all(pool)
    .await?;
    let mut summary = CustomerSummary::default();
    for (what, currency, count, sum) in rows {
        let sum = sum.unwrap_or(0);
        match what.as_str() {
            "order" => summary.orders.push((currency, count, sum)),
            "refund" => summary.refunds.push((currency, count, sum)),
            "rating" => (summary.ratings, summary.stars) = (count, sum),
            _ => summary.capped |= count >= SUMMARY_CAP,
        }
    }
    summary.orders.sort();
    summary.refunds.sort();
    let read: i64 = summary.orders.iter().map(|(_, count, _)| count).sum();
    summary.capped |= read >= SUMMARY_CAP;
    Ok(summary)
}

/// Sets a customer's tier at `now`; false when the shop has no such customer.
pub async fn set_tier(
    pool: &AnyPool,
    shop_id: &ShopId,
    (id, tier): (&str, &str),
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE customers SET tier = $1, updated_at = $4 WHERE shop_id = $2 AND id = $3",
    )
    .bind(tier)
    .bind(shop_id)
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The shop's customer with this phone, else this e-mail (the oldest, as orders find them).
pub async fn by_contact(
    pool: &AnyPool,
    shop_id: &ShopId,
    phone: Option<&str>,
    email: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    for (column, value) in [("phone", phone), ("email", email)] {
        let Some(value) = value else { continue };
        let found: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM customers WHERE shop_id = $1 AND {column} = $2 ORDER BY created_at, id LIMIT 1"
        )))
        .bind(shop_id)
        .bind(value)
        .fetch_optional(pool)
        .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}
