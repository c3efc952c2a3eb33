//! Suppliers and repair centres, and the send-outs of cases to them.

use sqlx::AnyPool;

use super::columns::{Flag, JsonText};
use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;
use crate::domain::suppliers::{Finding, FreightPayer, RepairResult, SupplierKind};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupplierRecord {
    pub id: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: SupplierKind,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    #[sqlx(try_from = "JsonText<Vec<String>>")]
    pub handles: Vec<String>,
    pub confirm_days: i64,
    pub repair_days: i64,
    #[sqlx(try_from = "String")]
    pub outbound_payer: FreightPayer,
    #[sqlx(try_from = "String")]
    pub return_payer: FreightPayer,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const SUPPLIER_COLUMNS: &str = "id, name, kind, contact_name, phone, email, address, handles, \
    confirm_days, repair_days, outbound_payer, return_payer, active, version, created_at, updated_at";

/// A supplier's fields as written.
pub struct SupplierFields<'a> {
    pub name: &'a str,
    pub kind: SupplierKind,
    pub contact_name: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub address: Option<&'a str>,
    pub handles: &'a [String],
    pub confirm_days: i64,
    pub repair_days: i64,
    pub outbound_payer: FreightPayer,
    pub return_payer: FreightPayer,
    pub active: bool,
}

pub async fn insert_supplier(
    pool: &AnyPool,
    shop_id: &ShopId,
    fields: &SupplierFields<'_>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO suppliers (id, shop_id, name, kind, contact_name, phone, email, address, handles, \
         confirm_days, repair_days, outbound_payer, return_payer, active, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15)",
    )
    .bind(&id)
    .bind(shop_id)
    .bind(fields.name)
    .bind(fields.kind.as_str())
    .bind(fields.contact_name)
    .bind(fields.phone)
    .bind(fields.email)
    .bind(fields.address)
    .bind(serde_json::to_string(fields.handles).unwrap_or_default())
    .bind(fields.confirm_days)
    .bind(fields.repair_days)
    .bind(fields.outbound_payer.as_str())
    .bind(fields.return_payer.as_str())
    .bind(i64::from(fields.active))
    .bind(now)
    .execute(pool)
    .await?;
    Ok(id)
}

/// Replaces a supplier's fields if it is still at `version`; false when it moved on.
pub async fn update_supplier(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
    version: i64,
    fields: &SupplierFields<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE suppliers SET name = $1, kind = $2, contact_name = $3, phone = $4, email = $5, address = $6, \
         handles = $7, confirm_days = $8, repair_days = $9, outbound_payer = $10, return_payer = $11, active = $12, \
         version = version + 1, updated_at = $13 WHERE shop_id = $14 AND id = $15 AND version = $16",
    )
    .bind(fields.name)
    .bind(fields.kind.as_str())
    .bind(fields.contact_name)
    .bind(fields.phone)
    .bind(fields.email)
    .bind(fields.address)
    .bind(serde_json::to_string(fields.handles).unwrap_or_default())
    .bind(fields.confirm_days)
    .bind(fields.repair_days)
    .bind(fields.outbound_payer.as_str())
    .bind(fields.return_payer.as_str())
    .bind(i64::from(fields.active))
    .bind(now)
    .bind(shop_id)
    .bind(id)
    .bind(version)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn supplier(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<SupplierRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUPPLIER_COLUMNS} FROM suppliers WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The shop's suppliers by name (a shop has tens, not thousands).
pub async fn suppliers(
    pool: &AnyPool,
    shop_id: &ShopId,
) -> Result<Vec<SupplierRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUPPLIER_COLUMNS} FROM suppliers WHERE shop_id = $1 ORDER BY name, id"
    )))
    .bind(shop_id)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SendOutRecord {
    pub id: String,
    pub supplier_id: String,
    pub supplier_name: String,
    pub stage: String,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub return_carrier: Option<String>,
    pub return_tracking_number: Option<String>,
    pub note: Option<String>,
    pub finding: Option<String>,
    pub report: Option<String>,
    #[sqlx(try_from = "JsonText<Vec<String>>")]
    pub photos: Vec<String>,
    pub found_at: Option<i64>,
    pub result: Option<String>,
    pub result_note: Option<String>,
    #[sqlx(try_from = "JsonText<serde_json::Value>")]
    pub parts: serde_json::Value,
    pub result_at: Option<i64>,
    pub back_at: Option<i64>,
    pub sent_at: i64,
    pub confirm_due_at: i64,
    pub repair_due_at: i64,
    pub confirm_overdue_at: Option<i64>,
    pub repair_overdue_at: Option<i64>,
    pub version: i64,
}

const SEND_OUT_COLUMNS: &str = "s.id, s.supplier_id, p.name AS supplier_name, s.stage, s.carrier, \
    s.tracking_number, s.return_carrier, s.return_tracking_number, s.note, s.finding, s.report, s.photos, \
    s.found_at, s.result, s.result_note, s.parts, s.result_at, s.back_at, s.sent_at, s.confirm_due_at, \
    s.repair_due_at, s.confirm_overdue_at, s.repair_overdue_at, s.version \
    FROM send_outs s JOIN suppliers p ON p.id = s.supplier_id";

pub struct NewSendOut<'a> {
    pub shop_id: &'a ShopId,
    pub supplier_id: &'a str,
    pub case_ids: &'a [String],
    pub carrier: Option<&'a str>,
    pub tracking_number: Option<&'a str>,
    pub note: Option<&'a str>,
    pub due: (i64, i64),
    pub actor_id: Option<&'a str>,
    pub now: i64,
}

pub async fn insert_send_out(
    transaction: &mut Transaction,
    send_out: &NewSendOut<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO send_outs (id, shop_id, supplier_id, stage, carrier, tracking_number, note, photos, parts, \
         sent_at, confirm_due_at, repair_due_at, actor_id, version, created_at, updated_at) \
         VALUES ($1, $2, $3, 'sent', $4, $5, $6, '[]', '[]', $7, $8, $9, $10, 1, $7, $7)",
    )
    .bind(&id)
    .bind(send_out.shop_id)
    .bind(send_out.supplier_id)
    .bind(send_out.carrier)
    .bind(send_out.tracking_number)
    .bind(send_out.note)
    .bind(send_out.now)
    .bind(send_out.due.0)
    .bind(send_out.due.1)
    .bind(send_out.actor_id)
    .execute(&mut **transaction)
    .await?;
    for case_id in send_out.case_ids {
        sqlx::query(
            "INSERT INTO send_out_cases (send_out_id, case_id, shop_id) VALUES ($1, $2, $3)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(send_out.shop_id)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(id)
}

pub async fn send_out(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<SendOutRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEND_OUT_COLUMNS} WHERE s.shop_id = $1 AND s.id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The same, read inside a transaction (after a change, before it commits).
pub async fn send_out_in(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<SendOutRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEND_OUT_COLUMNS} WHERE s.shop_id = $1 AND s.id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(&mut **transaction)
    .await
}

/// The case ids a send-out carries, in the order they were added.
pub async fn cases_of(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    send_out_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT case_id FROM send_out_cases WHERE send_out_id = $1 ORDER BY case_id")
        .bind(send_out_id)
        .fetch_all(executor)
        .await
}

/// A case's send-outs, newest first.
pub async fn of_case(
    pool: &AnyPool,
    shop_id: &ShopId,
    case_id: &str,
) -> Result<Vec<SendOutRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEND_OUT_COLUMNS} WHERE s.shop_id = $1 AND s.id IN \
         (SELECT send_out_id FROM send_out_cases WHERE case_id = $2) ORDER BY s.sent_at DESC, s.id"
    )))
    .bind(shop_id)
    .bind(case_id)
    .fetch_all(pool)
    .await
}

/// The shop's send-outs, newest first: those still away (`open`) or all, after the page
/// before it (its last (sent_at, id)).
pub async fn list(
    pool: &AnyPool,
    shop_id: &ShopId,
    open: bool,
    supplier_id: Option<&str>,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<SendOutRecord>, sqlx::Error> {
    let (key, id) = after.unwrap_or((i64::MAX, String::new()));
    let open = if open { " AND s.back_at IS NULL" } else { "" };
    let supplier = if supplier_id.is_some() {
        " AND s.supplier_id = $5"
    } else {
        ""
    };
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEND_OUT_COLUMNS} WHERE s.shop_id = $1{open}{supplier} \
         AND (s.sent_at < $2 OR (s.sent_at = $2 AND s.id > $3)) ORDER BY s.sent_at DESC, s.id LIMIT $4"
    )))
    .bind(shop_id)
    .bind(key)
    .bind(id)
    .bind(limit);
    if let Some(supplier_id) = supplier_id {
        query = query.bind(supplier_id);
    }
    query.fetch_all(pool).await
}

/// The supplier's finding, if the send-out is still at `version` and has none.
pub async fn set_finding(
    transaction: &mut Transaction,
    id: &str,
    version: i64,
    finding: Finding,
    report: Option<&str>,
    photos: &[String],
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE send_outs SET finding = $1, report = $2, photos = $3, found_at = $4, \
         stage = CASE WHEN result IS NULL THEN $1 ELSE stage END, version = version + 1, updated_at = $4 \
         WHERE id = $5 AND version = $6 AND finding IS NULL AND back_at IS NULL",
    )
    .bind(finding.as_str())
    .bind(report)
    .bind(serde_json::to_string(photos).unwrap_or_default())
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What the supplier did and the parcel it sent back, if still at `version` with no result.
pub struct SetResult<'a> {
    pub result: RepairResult,
    pub note: Option<&'a str>,
    pub parts: &'a serde_json::Value,
    pub return_carrier: Option<&'a str>,
    pub return_tracking_number: Option<&'a str>,
}

pub async fn set_result(
    transaction: &mut Transaction,
    id: &str,
    version: i64,
    given: &SetResult<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE send_outs SET result = $1, result_note = $2, parts = $3, return_carrier = $4, \
         return_tracking_number = $5, result_at = $6, stage = $1, version = version + 1, updated_at = $6 \
         WHERE id = $7 AND version = $8 AND result IS NULL AND back_at IS NULL",
    )
    .bind(given.result.as_str())
    .bind(given.note)
    .bind(given.parts.to_string())
    .bind(given.return_carrier)
    .bind(given.return_tracking_number)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The item is back at the shop.
pub async fn set_back(
    transaction: &mut Transaction,
    id: &str,
    version: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE send_outs SET back_at = $1, stage = 'back', version = version + 1, updated_at = $1 \
         WHERE id = $2 AND version = $3 AND back_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A send-out away that may have missed a target by `now`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Away {
    pub id: String,
    pub shop_id: ShopId,
    pub found_at: Option<i64>,
    pub confirm_due_at: i64,
    pub repair_due_at: i64,
    pub confirm_overdue_at: Option<i64>,
    pub repair_overdue_at: Option<i64>,
}

/// Send-outs not back whose confirmation target has passed by `now` (at most `limit`).
pub async fn away_past_target(
    pool: &AnyPool,
    now: i64,
    limit: i64,
) -> Result<Vec<Away>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, shop_id, found_at, confirm_due_at, repair_due_at, confirm_overdue_at, repair_overdue_at \
         FROM send_outs WHERE back_at IS NULL AND confirm_due_at <= $1 AND repair_overdue_at IS NULL \
         AND (confirm_overdue_at IS NULL OR repair_due_at <= $1) ORDER BY confirm_due_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Marks the target as followed up; false when another worker did it first.
pub async fn mark_overdue(
    transaction: &mut Transaction,
    id: &str,
    repair: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let sql = if repair {
        "UPDATE send_outs SET repair_overdue_at = $1 WHERE id = $2 AND repair_overdue_at IS NULL AND back_at IS NULL"
    } else {
        "UPDATE send_outs SET confirm_overdue_at = $1 WHERE id = $2 AND confirm_overdue_at IS NULL AND back_at IS NULL"
    };
    let done = sqlx::query(sql)
        .bind(now)
        .bind(id)
        .execute(&mut **transaction)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// One case's send-out as the scorecard reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutcomeRow {
    pub order_id: String,
    pub sent_at: i64,
    pub repair_due_at: i64,
    pub finding: Option<String>,
    pub result: Option<String>,
    pub back_at: Option<i64>,
}

/// The supplier's send-outs sent in [from, to), one row per case.
pub async fn outcomes(
    pool: &AnyPool,
    shop_id: &ShopId,
    supplier_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<OutcomeRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.order_id, s.sent_at, s.repair_due_at, s.finding, s.result, s.back_at \
         FROM send_outs s JOIN send_out_cases sc ON sc.send_out_id = s.id JOIN cases c ON c.id = sc.case_id \
         WHERE s.shop_id = $1 AND s.supplier_id = $2 AND s.sent_at >= $3 AND s.sent_at < $4 \
         ORDER BY s.sent_at",
    )
    .bind(shop_id)
    .bind(supplier_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}
