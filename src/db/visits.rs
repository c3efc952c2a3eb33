//! Follow-up visits: each once per shop, rule and what started it; the candidates the hourly
//! sweep turns into visits; outcomes recorded once per state (optimistic version).

use sqlx::AnyPool;

use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitRecord {
    pub id: String,
    pub rule: String,
    pub trigger_kind: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_tier: Option<String>,
    pub order_id: Option<String>,
    pub order_number: Option<String>,
    pub case_id: Option<String>,
    pub script: String,
    pub assignee_id: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub due_at: i64,
    pub note: Option<String>,
    pub opened_case_id: Option<String>,
    pub done_by: Option<String>,
    pub done_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
}

const SELECT: &str = "SELECT v.id, v.rule, v.trigger_kind, v.customer_id, cu.name AS customer_name, \
     cu.phone AS customer_phone, cu.tier AS customer_tier, v.order_id, o.order_number, v.case_id, v.script, \
     v.assignee_id, v.state, v.attempts, v.due_at, v.note, v.opened_case_id, v.done_by, v.done_at, v.version, \
     v.created_at FROM visits v LEFT JOIN customers cu ON cu.id = v.customer_id \
     LEFT JOIN orders o ON o.id = v.order_id";

pub struct NewVisit<'a> {
    pub shop_id: &'a ShopId,
    pub rule: &'a str,
    pub trigger_kind: &'a str,
    pub source_key: &'a str,
    pub customer_id: Option<&'a str>,
    pub order_id: Option<&'a str>,
    pub case_id: Option<&'a str>,
    pub script: &'a str,
    pub assignee_id: Option<&'a str>,
    pub due_at: i64,
    pub now: i64,
}

/// Stores a visit unless the rule made one for the same start already.
pub async fn insert(pool: &AnyPool, visit: &NewVisit<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO visits (id, shop_id, rule, trigger_kind, source_key, customer_id, order_id, case_id, script, \
         assignee_id, state, attempts, due_at, version, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', 0, $11, 1, $12) \
         ON CONFLICT (shop_id, rule, source_key) DO NOTHING",
    )
    .bind(new_id())
    .bind(visit.shop_id)
    .bind(visit.rule)
    .bind(visit.trigger_kind)
    .bind(visit.source_key)
    .bind(visit.customer_id)
    .bind(visit.order_id)
    .bind(visit.case_id)
    .bind(visit.script)
    .bind(visit.assignee_id)
    .bind(visit.due_at)
    .bind(visit.now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<VisitRecord>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE v.shop_id = $1 AND v.id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The shop's visits: open ones by due time (soonest first), else the done ones newest first;
/// only `assignee`'s (and nobody's) when given.
pub async fn list(
    pool: &AnyPool,
    shop_id: &ShopId,
    open: bool,
    assignee: Option<&str>,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<VisitRecord>, sqlx::Error> {
    let mut sql = format!("{SELECT} WHERE v.shop_id = $1");
    let mut index = 1;
    sql.push_str(if open {
        " AND v.state = 'open'"
    } else {
        " AND v.state <> 'open'"
    });
    if assignee.is_some() {
        index += 1;
        sql.push_str(&format!(
            " AND (v.assignee_id = ${index} OR v.assignee_id IS NULL)"
        ));
    }
    let (key, order) = match open {
        true => ("v.due_at", "ASC"),
        false => ("v.done_at", "DESC"),
    };
    if after.is_some() {
        let (at, id) = (index + 1, index + 2);
        let compare = if open { ">" } else { "<" };
        sql.push_str(&format!(
            " AND ({key} {compare} ${at} OR ({key} = ${at} AND v.id {compare} ${id}))"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY {key} {order}, v.id {order} LIMIT {limit}"
    ));
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(shop_id);
    if let Some(assignee) = assignee {
        query = query.bind(assignee);
    }
    if let Some((at, id)) = after {
        query = query.bind(at).bind(id);
    }
    query.fetch_all(pool).await
}

pub struct Done<'a> {
    pub state: &'a str,
    pub due_at: Option<i64>,
    pub note: Option<&'a str>,
    pub opened_case_id: Option<&'a str>,
    pub by: Option<&'a str>,
    pub now: i64,
}

/// Records an outcome on an open visit at `version`; false when it moved on meanwhile.
pub async fn record(
    transaction: &mut Transaction,
    id: &str,
    version: i64,
    done: &Done<'_>,
) -> Result<bool, sqlx::Error> {
    let ended = done.state != "open";
    let result = sqlx::query(
        "UPDATE visits SET state = $1, attempts = attempts + 1, due_at = COALESCE($2, due_at), \
         note = COALESCE($3, note), opened_case_id = $4, done_by = $5, done_at = $6, version = version + 1 \
         WHERE id = $7 AND version = $8 AND state = 'open'",
    )
    .bind(done.state)
    .bind(done.due_at)
    .bind(done.note)
    .bind(done.opened_case_id)
    .bind(done.by)
    .bind(ended.then_some(done.now))
    .bind(id)
    .bind(version)
    .execute(&mut **transaction)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// An order delivered in `[from, to)`, for a delivery visit.
#[derive(Debug, sqlx::FromRow)]
pub struct DeliveredOrder {
    pub id: String,
    pub order_number: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub product: Option<String>,
}

pub async fn delivered_orders(
    pool: &AnyPool,
    shop_id: &ShopId,
    rule: &str,
    window: (i64, i64),
    min_total: i64,
) -> Result<Vec<DeliveredOrder>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.order_number, o.customer_id, cu.name AS customer_name, \
         (SELECT l.product_name FROM order_lines l WHERE l.order_id = o.id ORDER BY l.line_number LIMIT 1) AS product \
         FROM orders o LEFT JOIN customers cu ON cu.id = o.customer_id \
         WHERE o.shop_id = $1 AND o.delivered_at >= $2 AND o.delivered_at < $3 AND o.total_minor >= $4 \
         AND o.cancelled_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.shop_id = $1 AND v.rule = $5 AND v.source_key = 'delivered:' || o.id) \
         ORDER BY o.delivered_at LIMIT 500",
    )
    .bind(shop_id)
    .bind(window.0)
    .bind(window.1)
    .bind(min_total)
    .bind(rule)
    .fetch_all(pool)
    .await
}

/// A case closed in `[from, to)`, for an after-case visit.
#[derive(Debug, sqlx::FromRow)]
pub struct ClosedCase {
    pub id: String,
    pub kind: String,
    pub order_id: String,
    pub order_number: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub assignee_id: Option<String>,
}

pub async fn closed_cases(
    pool: &AnyPool,
    shop_id: &ShopId,
    rule: &str,
    window: (i64, i64),
) -> Result<Vec<ClosedCase>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.kind, c.order_id, o.order_number, c.customer_id, cu.name AS customer_name, c.assignee_id \
         FROM cases c JOIN orders o ON o.id = c.order_id LEFT JOIN customers cu ON cu.id = c.customer_id \
         WHERE c.shop_id = $1 AND c.status = 'closed' AND c.ended_at >= $2 AND c.ended_at < $3 \
         AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.shop_id = $1 AND v.rule = $4 AND v.source_key = 'case:' || c.id) \
         ORDER BY c.ended_at LIMIT 500",
    )
    .bind(shop_id)
    .bind(window.0)
    .bind(window.1)
    .bind(rule)
    .fetch_all(pool)
    .await
}

/// A customer of a cared-for tier not visited by the rule in this period.
#[derive(Debug, sqlx::FromRow)]
pub struct CaredFor {
    pub id: String,
    pub name: String,
    pub order_id: Option<String>,
    pub order_number: Option<String>,
}

pub async fn cared_for(
    pool: &AnyPool,
    shop_id: &ShopId,
    rule: &str,
    tier: &str,
    period_suffix: &str,
) -> Result<Vec<CaredFor>, sqlx::Error> {
    sqlx::query_as(
        "SELECT cu.id, cu.name, \
         (SELECT o.id FROM orders o WHERE o.customer_id = cu.id ORDER BY o.placed_at DESC LIMIT 1) AS order_id, \
         (SELECT o.order_number FROM orders o WHERE o.customer_id = cu.id ORDER BY o.placed_at DESC LIMIT 1) AS order_number \
         FROM customers cu WHERE cu.shop_id = $1 AND cu.tier = $2 \
         AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.shop_id = $1 AND v.rule = $3 \
             AND v.source_key = 'cadence:' || cu.id || $4) \
         ORDER BY cu.id LIMIT 500",
    )
    .bind(shop_id)
    .bind(tier)
    .bind(rule)
    .bind(period_suffix)
    .fetch_all(pool)
    .await
}
