//! Quality audits: rounds drawn once per shop and half-month; audits scored once, disputed
//! once, answered once; calibrations by a second auditor.

use sqlx::AnyPool;

use super::columns::JsonText;
use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;

/// Each agent's cases that ended in `[start, end)`, not cancelled: (agent, case).
pub async fn ended_by_agent(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT assignee_id, id FROM cases WHERE shop_id = $1 AND ended_at >= $2 AND ended_at < $3 \
         AND status <> 'cancelled' AND assignee_id IS NOT NULL ORDER BY id",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoundRecord {
    pub id: String,
    pub period: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub seed: i64,
    pub drawn_by: Option<String>,
    pub drawn_at: i64,
}

pub struct NewRound<'a> {
    pub shop_id: &'a ShopId,
    pub period: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub seed: i64,
    pub drawn_by: Option<&'a str>,
    pub now: i64,
}

/// Records the round; none when the half-month was drawn already.
pub async fn insert_round(
    transaction: &mut Transaction,
    round: &NewRound<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO audit_rounds (id, shop_id, period, starts_at, ends_at, seed, drawn_by, drawn_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (shop_id, period) DO NOTHING",
    )
    .bind(&id)
    .bind(round.shop_id)
    .bind(round.period)
    .bind(round.starts_at)
    .bind(round.ends_at)
    .bind(round.seed)
    .bind(round.drawn_by)
    .bind(round.now)
    .execute(&mut **transaction)
    .await?;
    Ok((inserted.rows_affected() > 0).then_some(id))
}

pub async fn round(
    pool: &AnyPool,
    shop_id: &ShopId,
    period: &str,
) -> Result<Option<RoundRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, period, starts_at, ends_at, seed, drawn_by, drawn_at FROM audit_rounds WHERE shop_id = $1 AND period = $2",
    )
    .bind(shop_id)
    .bind(period)
    .fetch_optional(pool)
    .await
}

/// Adds a sampled case to the round.
pub async fn insert(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    round_id: &str,
    case_id: &str,
    agent_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audits (id, shop_id, round_id, case_id, agent_id, state, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)",
    )
    .bind(new_id())
    .bind(shop_id)
    .bind(round_id)
    .bind(case_id)
    .bind(agent_id)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: String,
    pub round_id: String,
    pub period: String,
    pub case_id: String,
    pub case_number: String,
    pub agent_id: String,
    pub state: String,
    pub auditor_id: Option<String>,
    #[sqlx(try_from = "JsonText<serde_json::Value>")]
    pub scores: serde_json::Value,
    pub total: Option<i64>,
    pub comment: Option<String>,
    pub scored_at: Option<i64>,
    pub dispute: Option<String>,
    pub disputed_at: Option<i64>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub final_total: Option<i64>,
    pub calibrates: Option<String>,
}

const COLUMNS: &str = "a.id, a.round_id, r.period, a.case_id, c.number AS case_number, a.agent_id, a.state, a.auditor_id, \
    a.scores, a.total, a.comment, a.scored_at, a.dispute, a.disputed_at, a.answer, a.answered_by, a.answered_at, \
    a.final_total, a.calibrates";

const FROM: &str =
    "FROM audits a JOIN audit_rounds r ON r.id = a.round_id JOIN cases c ON c.id = a.case_id";

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<AuditRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} WHERE a.id = $1 AND a.shop_id = $2"
    )))
    .bind(id)
    .bind(shop_id)
    .fetch_optional(pool)
    .await
}

/// The round's audits (the agent's only, when given), calibrations after what they calibrate.
pub async fn list(
    pool: &AnyPool,
    shop_id: &ShopId,
    round_id: &str,
    agent_id: Option<&str>,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} WHERE a.shop_id = $1 AND a.round_id = $2 AND ($3 IS NULL OR a.agent_id = $3) \
         ORDER BY a.agent_id, c.number, a.calibrates IS NOT NULL, a.created_at"
    )))
    .bind(shop_id)
    .bind(round_id)
    .bind(agent_id)
    .fetch_all(pool)
    .await
}

pub struct Scoring<'a> {
    pub auditor_id: &'a str,
    pub scores: &'a serde_json::Value,
    pub total: i64,
    pub comment: &'a str,
    pub now: i64,
}

/// Scores an open audit; false when it was scored already.
pub async fn score(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    id: &str,
    scoring: &Scoring<'_>,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE audits SET state = 'scored', auditor_id = $1, scores = $2, total = $3, comment = $4, scored_at = $5 \
         WHERE id = $6 AND shop_id = $7 AND state = 'open'",
    )
    .bind(scoring.auditor_id)
    .bind(scoring.scores.to_string())
    .bind(scoring.total)
    .bind(scoring.comment)
    .bind(scoring.now)
    .bind(id)
    .bind(shop_id)
    .execute(&mut **transaction)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// A second auditor's scoring of the audited case; none when this auditor scored it already.
pub async fn calibrate(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    original: &AuditRecord,
    scoring: &Scoring<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO audits (id, shop_id, round_id, case_id, agent_id, state, auditor_id, scores, total, comment, scored_at, calibrates, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'scored', $6, $7, $8, $9, $10, $11, $10) ON CONFLICT (round_id, case_id, auditor_id) DO NOTHING",
    )
    .bind(&id)
    .bind(shop_id)
    .bind(&original.round_id)
    .bind(&original.case_id)
    .bind(&original.agent_id)
    .bind(scoring.auditor_id)
    .bind(scoring.scores.to_string())
    .bind(scoring.total)
    .bind(scoring.comment)
    .bind(scoring.now)
    .bind(&original.id)
    .execute(&mut **transaction)
    .await?;
    Ok((inserted.rows_affected() > 0).then_some(id))
}

/// The audited agent disputes a scored audit, once; false otherwise.
pub async fn dispute(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    id: &str,
    agent_id: &str,
    text: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE audits SET state = 'disputed', dispute = $1, disputed_at = $2 \
         WHERE id = $3 AND shop_id = $4 AND agent_id = $5 AND state = 'scored' AND dispute IS NULL AND calibrates IS NULL",
    )
    .bind(text)
    .bind(now)
    .bind(id)
    .bind(shop_id)
    .bind(agent_id)
    .execute(&mut **transaction)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// A supervisor answers the dispute: the total kept or changed; false unless it was disputed.
pub async fn answer(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    id: &str,
    by: &str,
    text: &str,
    final_total: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE audits SET state = 'settled', answer = $1, answered_by = $2, answered_at = $3, final_total = $4 \
         WHERE id = $5 AND shop_id = $6 AND state = 'disputed'",
    )
    .bind(text)
    .bind(by)
    .bind(now)
    .bind(final_total)
    .bind(id)
    .bind(shop_id)
    .execute(&mut **transaction)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// The QA score of each audit scored in `[start, end)` (after a dispute, its final total):
/// (agent, total). Calibrations are left out.
pub async fn totals(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT agent_id, COALESCE(final_total, total) FROM audits WHERE shop_id = $1 AND scored_at >= $2 AND scored_at < $3 \
         AND calibrates IS NULL AND total IS NOT NULL",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}
