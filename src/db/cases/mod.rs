//! Cases, their lines, their append-only timeline and their messages.

mod events;
mod sla;
pub use events::*;
pub use sla::*;

use crate::domain::identifiers::ShopId;
use sqlx::{AnyPool, FromRow, Row};

use super::batch::Batch;
use super::columns::JsonText;
use super::orders::OrderLineRecord;
use super::{Backend, Transaction, new_id};
use crate::domain::{CaseKind, Priority, Role, Status};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRecord {
    pub id: String,
    pub shop_id: ShopId,
    pub number: String,
    pub order_id: String,
    pub order_number: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub kind: CaseKind,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub reason_code: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub priority: Priority,
    pub assignee_id: Option<String>,
    #[sqlx(try_from = "JsonText<Vec<String>>")]
    pub tags: Vec<String>,
    pub channel: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub due_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub ended_at: Option<i64>,
    pub version: i64,
    /// The order's sales platform (decides the clocks).
    pub platform: String,
    pub order_shipped_at: Option<i64>,
    /// The order's currency: every amount of the case is in it.
    pub currency: String,
    /// Since when a customer's message has waited for the shop's answer, if one does.
    pub customer_waiting_since: Option<i64>,
}

pub(super) const CASE_COLUMNS: &str = "c.id, c.shop_id, c.number, c.order_id, o.order_number, c.customer_id, cu.name AS customer_name, \
    c.kind, c.status, c.reason_code, c.description, c.priority, c.assignee_id, c.tags, c.channel, c.contact_name, \
    c.contact_phone, c.contact_email, c.due_at, c.created_at, c.updated_at, c.ended_at, c.version, \
    o.platform, COALESCE(o.shipped_at, o.delivered_at) AS order_shipped_at, o.currency, c.customer_waiting_since";
pub(super) const CASE_FROM: &str = "FROM cases c JOIN orders o ON o.id = c.order_id LEFT JOIN customers cu ON cu.id = c.customer_id";

/// The statement that takes the next number of a shop's day: `$1` shop id, `$2` day (YYYYMMDD).
pub const NEXT_SEQUENCE_SQL: &str = "INSERT INTO case_counters (shop_id, day, value) VALUES ($1, $2, 1) \
    ON CONFLICT (shop_id, day) DO UPDATE SET value = case_counters.value + 1 RETURNING value";

pub struct NewCase<'a> {
    pub id: &'a str,
    pub shop_id: &'a ShopId,
    pub number: &'a str,
    pub order_id: &'a str,
    pub customer_id: Option<&'a str>,
    pub kind: CaseKind,
    pub status: Status,
    pub reason_code: &'a str,
    pub description: &'a str,
    pub priority: Priority,
    pub assignee_id: Option<&'a str>,
    pub tags: &'a [String],
    pub channel: &'a str,
    pub contact_name: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    pub due_at: i64,
    pub now: i64,
    pub search_text: &'a str,
    /// The policy engine's decision at creation, as JSON.
    pub policy_decision: Option<&'a str>,
    /// The SLA's resolution target (`due_at` is the first-response target).
    pub resolution_due: i64,
    /// The API client's `Idempotency-Key` (namespaced), so a retry finds this case.
    pub creation_key: Option<&'a str>,
}

/// The case created under an API client's key, if one was.
pub async fn id_by_creation_key(
    pool: &AnyPool,
    shop_id: &ShopId,
    key: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM cases WHERE shop_id = $1 AND creation_key = $2")
        .bind(shop_id)
        .bind(key)
        .fetch_optional(pool)
        .await
}

/// Adds the case's row (and on SQLite its search-index row) to `batch`.
pub fn push_insert(batch: &mut Batch, backend: Backend, case: &NewCase<'_>) {
    batch.push(
        "INSERT INTO cases (id, shop_id, number, order_id, customer_id, kind, status, is_open, reason_code, \
         description, priority, priority_rank, assignee_id, tags, channel, contact_name, contact_phone, \
         contact_email, due_at, created_at, updated_at, ended_at, version, search_text, policy_decision, \
         sla_first_response_due, sla_resolution_due, creation_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, NULL, 1, $21, $22, $19, $23, $24)",
        vec![
            case.id.into(),
            case.shop_id.into(),
            case.number.into(),
            case.order_id.into(),
            case.customer_id.into(),
            case.kind.as_str().into(),
            case.status.as_str().into(),
            i64::from(case.status.is_open()).into(),
            case.reason_code.into(),
            case.description.into(),
            case.priority.as_str().into(),
            case.priority.rank().into(),
            case.assignee_id.into(),
            serde_json::to_string(case.tags).unwrap_or_else(|_| "[]".into()).into(),
            case.channel.into(),
            case.contact_name.into(),
            case.contact_phone.into(),
            case.contact_email.into(),
            case.due_at.into(),
            case.now.into(),
            case.search_text.into(),
            case.policy_decision.into(),
            case.resolution_due.into(),
            case.creation_key.into(),
        ],
    );
    if backend == Backend::Sqlite {
        batch.push(
            "INSERT INTO case_search (rowid, search_text) VALUES ((SELECT rowid FROM cases WHERE id = $1), $2)",
            vec![case.id.into(), case.search_text.into()],
        );
    }
}

/// Adds a case line to `batch`.
pub fn push_line(
    batch: &mut Batch,
    shop_id: &ShopId,
    case_id: &str,
    order_line_id: &str,
    quantity: i64,
) {
    batch.push(
        "INSERT INTO case_lines (id, case_id, shop_id, order_line_id, quantity) VALUES ($1, $2, $3, $4, $5)",
        vec![new_id().into(), case_id.into(), shop_id.into(), order_line_id.into(), quantity.into()],
    );
}

/// What opening a case on an order needs to know, read in one query.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderForCase {
    pub order_id: String,
    pub order_number: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_tier: Option<String>,
    pub platform: String,
    pub currency: String,
    pub total_minor: i64,
    /// paid, pending or voided.
    pub payment_status: String,
    pub shipping_fee_minor: i64,
    pub placed_at: i64,
    pub paid_at: Option<i64>,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
    /// Whether the reason code asked about is one of the shop's active reasons.
    #[sqlx(skip)]
    pub reason_active: bool,
    /// The reason's category (quality, preference, logistics …), if it is active.
    pub reason_category: Option<String>,
    /// The order's lines with what has been refunded on each.
    #[sqlx(skip)]
    pub lines: Vec<OrderLineRecord>,
}

pub async fn order_for_case(
    pool: &AnyPool,
    shop_id: &ShopId,
    order_number: &str,
    reason_code: &str,
) -> Result<Option<OrderForCase>, sqlx::Error> {
    let rows = sqlx::query(concat!(
        "SELECT o.id AS order_id, o.order_number, o.customer_id, cu.name AS customer_name, cu.phone AS customer_phone, \
         cu.tier AS customer_tier, o.platform, o.currency, o.total_minor, o.payment_status, \
         o.shipping_fee_minor, o.placed_at, o.paid_at, o.shipped_at, o.delivered_at, \
         (SELECT MIN(r.category) FROM reasons r WHERE r.shop_id = $1 AND r.code = $3 AND r.active = 1) AS reason_category, \
         l.id, l.line_number, l.sku, l.product_name, l.category, l.quantity, l.unit_price_minor, \
         l.discount_minor, l.tax_minor, l.paid_minor, l.shop_paid_minor, l.serial_number, l.cost_minor, ",
        crate::db::orders::refunded_on_line!(),
        " AS refunded_minor, (SELECT CAST(COALESCE(SUM(cl.quantity), 0) AS BIGINT) FROM case_lines cl \
         JOIN cases c ON c.id = cl.case_id WHERE cl.order_line_id = l.id AND c.is_open = 1 \
         AND c.kind IN ('refund_only', 'return_and_refund', 'exchange', 'repair') AND NOT EXISTS \
         (SELECT 1 FROM refund_lines r JOIN refunds f ON f.id = r.refund_id WHERE f.case_id = c.id \
         AND r.order_line_id = l.id)) AS open_units, \
         ((SELECT CAST(COALESCE(SUM(r.quantity), 0) AS BIGINT) FROM refund_lines r WHERE r.order_line_id = l.id) + \
         (SELECT CAST(COALESCE(SUM(p.quantity), 0) AS BIGINT) FROM platform_refund_lines p WHERE p.order_line_id = l.id)) \
         AS refunded_units FROM orders o LEFT JOIN customers cu ON cu.id = o.customer_id LEFT JOIN order_lines l ON l.order_id = o.id \
         WHERE o.shop_id = $1 AND o.order_number = $2 ORDER BY l.line_number",
    ))
    .bind(shop_id)
    .bind(order_number)
    .bind(reason_code)
    .fetch_all(pool)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut order = OrderForCase::from_row(first)?;
    order.reason_active = order.reason_category.is_some();
    for row in &rows {
        // An order without lines still comes as one row, its line columns NULL.
        if row.try_get::<Option<String>, _>("id")?.is_some() {
            order.lines.push(OrderLineRecord::from_row(row)?);
        }
    }
    Ok(Some(order))
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<CaseRecord>, sqlx::Error> {
    let sql = format!("SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.shop_id = $1 AND c.id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The policy decision stored when the case was opened, as JSON text (unpacked: `packed`).
pub async fn policy_decision(pool: &AnyPool, id: &str) -> Result<Option<String>, sqlx::Error> {
    let decision: Option<Option<String>> =
        sqlx::query_scalar("SELECT policy_decision FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(decision
        .flatten()
        .and_then(|stored| super::packed::unpack(&stored)))
}

/// Reads a case inside a write transaction, locking its row on PostgreSQL.
pub async fn get_for_update(
    transaction: &mut Transaction,
    backend: Backend,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<CaseRecord>, sqlx::Error> {
    let lock = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE OF c",
    };
    let sql = format!("SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.shop_id = $1 AND c.id = $2{lock}");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(id)
        .fetch_optional(&mut **transaction)
        .await
}

pub async fn find_by_number(
    pool: &AnyPool,
    shop_id: &ShopId,
    number: &str,
) -> Result<Option<CaseRecord>, sqlx::Error> {
    let sql = format!("SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.shop_id = $1 AND c.number = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(number)
        .fetch_optional(pool)
        .await
}

/// Moves a case to `status` if it is still at `expected_version`. Returns false when another
/// change came first (the caller reports a conflict).
pub async fn set_status(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    id: &str,
    expected_version: i64,
    status: Status,
    now: i64,
    ended_at: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE cases SET status = $1, is_open = $2, updated_at = $3, ended_at = $4, version = version + 1 \
         WHERE shop_id = $5 AND id = $6 AND version = $7",
    )
    .bind(status.as_str())
    .bind(i64::from(status.is_open()))
    .bind(now)
    .bind(ended_at)
    .bind(shop_id)
    .bind(id)
    .bind(expected_version)
    .execute(&mut **transaction)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Changes the case's kind (an exchange turned into a return and refund) if it is still at
/// `expected_version`.
pub async fn set_kind(
    transaction: &mut Transaction,
    id: &str,
    expected_version: i64,
    kind: crate::domain::CaseKind,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE cases SET kind = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
    )
    .bind(kind.as_str())
    .bind(now)
    .bind(id)
    .bind(expected_version)
    .execute(&mut **transaction)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Changes assignment, priority, tags and reason if the case is still at `expected_version`.
#[allow(clippy::too_many_arguments)] // one argument per column written
pub async fn set_fields(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    id: &str,
    expected_version: i64,
    assignee_id: Option<&str>,
    priority: Priority,
    tags: &[String],
    reason_code: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE cases SET assignee_id = $1, priority = $2, priority_rank = $3, tags = $4, updated_at = $5, \
         version = version + 1, reason_code = $9 WHERE shop_id = $6 AND id = $7 AND version = $8",
    )
    .bind(assignee_id)
    .bind(priority.as_str())
    .bind(priority.rank())
    .bind(serde_json::to_string(tags).unwrap_or_else(|_| "[]".into()))
    .bind(now)
    .bind(shop_id)
    .bind(id)
    .bind(expected_version)
    .bind(reason_code)
    .execute(&mut **transaction)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Raises the priority and adds tags after what a customer wrote, without changing the version
/// (a message must not make an agent's edit fail).
pub async fn flag(
    transaction: &mut Transaction,
    id: &str,
    priority: Priority,
    tags: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET priority = $1, priority_rank = $2, tags = $3 WHERE id = $4")
        .bind(priority.as_str())
        .bind(priority.rank())
        .bind(serde_json::to_string(tags).unwrap_or_else(|_| "[]".into()))
        .bind(id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Marks the case as recently active (a message) without changing its version.
pub async fn touch(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET updated_at = $1 WHERE shop_id = $2 AND id = $3")
        .bind(now)
        .bind(shop_id)
        .bind(id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Marks that a customer's message waits for an answer (kept from the first one unanswered), or
/// that the shop answered (`None`). Does not change the case's version.
pub async fn set_customer_waiting(
    transaction: &mut Transaction,
    id: &str,
    since: Option<i64>,
) -> Result<(), sqlx::Error> {
    let query = match since {
        Some(since) => sqlx::query(
            "UPDATE cases SET customer_waiting_since = COALESCE(customer_waiting_since, $1) WHERE id = $2",
        )
        .bind(since),
        None => sqlx::query("UPDATE cases SET customer_waiting_since = NULL WHERE id = $1"),
    };
    query.bind(id).execute(&mut **transaction).await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseLineRecord {
    pub order_line_id: String,
    pub line_number: i64,
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub ordered_quantity: i64,
    pub paid_minor: i64,
    /// Refunded on the order line by anyone (every case, the platform).
    pub refunded_minor: i64,
    /// Refunded on it by this case.
    pub case_refunded_minor: i64,
    pub unit_price_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    /// The unit's serial number or IMEI, when the order line carries one.
    pub serial_number: Option<String>,
}

impl CaseLineRecord {
    /// What may still go back on this line for this case.
    pub fn balance(&self) -> crate::domain::refund::LineBalance {
        crate::domain::refund::LineBalance::for_claim(
            &self.order_line_id,
            &crate::domain::refund::LineMoney {
                paid_minor: self.paid_minor,
                ordered_quantity: self.ordered_quantity,
                claimed_quantity: self.quantity,
                refunded_minor: self.refunded_minor,
                case_refunded_minor: self.case_refunded_minor,
            },
        )
    }
}

const CASE_LINE_SQL: &str = concat!(
    "SELECT cl.order_line_id, l.line_number, l.sku, l.product_name, cl.quantity, \
     l.quantity AS ordered_quantity, l.paid_minor, ",
    crate::db::orders::refunded_on_line!(),
    " AS refunded_minor, (SELECT CAST(COALESCE(SUM(r.amount_minor), 0) AS BIGINT) FROM refund_lines r \
     JOIN refunds f ON f.id = r.refund_id WHERE r.order_line_id = l.id AND f.case_id = cl.case_id) AS case_refunded_minor, \
     l.unit_price_minor, l.discount_minor, l.tax_minor, l.serial_number \
     FROM case_lines cl JOIN order_lines l ON l.id = cl.order_line_id WHERE cl.case_id = $1 ORDER BY l.line_number"
);

pub async fn lines(pool: &AnyPool, case_id: &str) -> Result<Vec<CaseLineRecord>, sqlx::Error> {
    sqlx::query_as(CASE_LINE_SQL)
        .bind(case_id)
        .fetch_all(pool)
        .await
}

pub async fn lines_in(
    transaction: &mut Transaction,
    case_id: &str,
) -> Result<Vec<CaseLineRecord>, sqlx::Error> {
    sqlx::query_as(CASE_LINE_SQL)
        .bind(case_id)
        .fetch_all(&mut **transaction)
        .await
}

/// The order's cases waiting for its own parcel to come back (refused or intercepted, agreed).
pub async fn waiting_for_parcel(
    pool: &AnyPool,
    order_id: &str,
) -> Result<Vec<CaseRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.order_id = $1 \
         AND c.kind IN ('refused_delivery', 'interception') AND c.status = 'approved'"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(order_id)
        .fetch_all(pool)
        .await
}

/// How many cases of `kind` the order has, cancelled ones left out.
pub async fn count_of_kind(
    pool: &AnyPool,
    order_id: &str,
    kind: crate::domain::CaseKind,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases WHERE order_id = $1 AND kind = $2 AND status <> 'cancelled'",
    )
    .bind(order_id)
    .bind(kind.as_str())
    .fetch_one(pool)
    .await
}

/// Raises a case's priority (an SLA breach), keeping the version.
pub async fn raise_priority(
    transaction: &mut Transaction,
    id: &str,
    priority: Priority,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET priority = $1, priority_rank = $2 WHERE id = $3")
        .bind(priority.as_str())
        .bind(priority.rank())
        .bind(id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Whether the shop has any case at all.
pub async fn any_in_shop(pool: &AnyPool, shop_id: &ShopId) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM cases WHERE shop_id = $1 LIMIT 1")
            .bind(shop_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}
