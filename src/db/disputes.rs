//! Disputes (客服介入) on cases: one row per dispute with its stage, deadline and ruling. Every
//! change is made with the case locked (`cases::get_for_update`) and checks the version read.

use sqlx::AnyPool;

use super::Transaction;
use crate::domain::identifiers::ShopId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisputeRecord {
    pub id: String,
    pub case_id: String,
    pub platform: String,
    pub external_id: Option<String>,
    pub reason: String,
    pub stage: String,
    pub due_at: Option<i64>,
    pub due_rule: Option<String>,
    pub outcome: Option<String>,
    pub penalty_minor: i64,
    pub currency: String,
    pub outcome_note: Option<String>,
    pub opened_at: i64,
    pub decided_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub appeal_until: Option<i64>,
    pub opened_by: Option<String>,
    pub updated_at: i64,
    pub version: i64,
}

const COLUMNS: &str = "id, case_id, platform, external_id, reason, stage, due_at, due_rule, outcome, \
    penalty_minor, currency, outcome_note, opened_at, decided_at, closed_at, appeal_until, opened_by, \
    updated_at, version";

pub struct NewDispute<'a> {
    pub id: &'a str,
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub platform: &'a str,
    pub external_id: Option<&'a str>,
    pub reason: &'a str,
    pub stage: &'a str,
    pub due_at: Option<i64>,
    pub due_rule: Option<&'a str>,
    pub currency: &'a str,
    pub opened_at: i64,
    pub opened_by: Option<&'a str>,
    pub now: i64,
}

/// Adds the dispute; false when the case already has an open one.
pub async fn insert(
    transaction: &mut Transaction,
    dispute: &NewDispute<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO disputes (id, shop_id, case_id, platform, external_id, reason, stage, due_at, due_rule, \
         currency, opened_at, opened_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
    )
    .bind(dispute.id)
    .bind(dispute.shop_id)
    .bind(dispute.case_id)
    .bind(dispute.platform)
    .bind(dispute.external_id)
    .bind(dispute.reason)
    .bind(dispute.stage)
    .bind(dispute.due_at)
    .bind(dispute.due_rule)
    .bind(dispute.currency)
    .bind(dispute.opened_at)
    .bind(dispute.opened_by)
    .bind(dispute.now)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A dispute of the shop.
pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<DisputeRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM disputes WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The same, read inside a transaction (the case is locked by the caller).
pub async fn get_in(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<DisputeRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM disputes WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(&mut **transaction)
    .await
}

/// A case's disputes, oldest first.
pub async fn of_case(pool: &AnyPool, case_id: &str) -> Result<Vec<DisputeRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM disputes WHERE case_id = $1 ORDER BY opened_at, id"
    )))
    .bind(case_id)
    .fetch_all(pool)
    .await
}

/// What a step changes.
pub struct Change<'a> {
    pub stage: &'a str,
    pub due_at: Option<i64>,
    pub due_rule: Option<&'a str>,
    pub outcome: Option<&'a str>,
    pub penalty_minor: i64,
    pub outcome_note: Option<&'a str>,
    pub decided_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub appeal_until: Option<i64>,
    pub now: i64,
}

/// Moves the dispute if it is still at `version`; false when someone moved it first.
pub async fn update(
    transaction: &mut Transaction,
    id: &str,
    version: i64,
    change: &Change<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE disputes SET stage = $1, due_at = $2, due_rule = $3, outcome = $4, penalty_minor = $5, \
         outcome_note = $6, decided_at = $7, closed_at = $8, appeal_until = $9, updated_at = $10, \
         version = version + 1 WHERE id = $11 AND version = $12",
    )
    .bind(change.stage)
    .bind(change.due_at)
    .bind(change.due_rule)
    .bind(change.outcome)
    .bind(change.penalty_minor)
    .bind(change.outcome_note)
    .bind(change.decided_at)
    .bind(change.closed_at)
    .bind(change.appeal_until)
    .bind(change.now)
    .bind(id)
    .bind(version)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The open dispute of a case whose deadline is `due_at` and that still waits on the shop, if
/// any (a dispute deadline's timer checks it before acting).
pub async fn waiting_at(
    transaction: &mut Transaction,
    case_id: &str,
    due_at: i64,
) -> Result<Option<DisputeRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM disputes WHERE case_id = $1 AND stage <> 'closed' AND due_at = $2"
    )))
    .bind(case_id)
    .bind(due_at)
    .fetch_optional(&mut **transaction)
    .await
}
