//! Satisfaction surveys: rounds drawn once per shop and period, surveys answered once.

use sqlx::AnyPool;

use super::columns::JsonText;
use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;
use crate::domain::surveys::Stratum;

/// A case that ended in a period (not cancelled): who it was for, its stratum.
#[derive(Debug, sqlx::FromRow)]
pub struct EndedCase {
    pub id: String,
    pub customer_key: String,
    pub kind: String,
    pub channel: String,
}

/// The cases that ended in `[start, end)`, except those the customer cancelled.
pub async fn ended_cases(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<EndedCase>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, COALESCE(customer_id, contact_email, contact_phone, id) AS customer_key, kind, channel \
         FROM cases WHERE shop_id = $1 AND ended_at >= $2 AND ended_at < $3 AND status <> 'cancelled' ORDER BY id",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}

/// The customers surveyed since `since` (any survey, answered or not).
pub async fn surveyed_customers(
    pool: &AnyPool,
    shop_id: &ShopId,
    since: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT customer_key FROM surveys WHERE shop_id = $1 AND created_at >= $2",
    )
    .bind(shop_id)
    .bind(since)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoundRecord {
    pub id: String,
    pub period: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub ended: i64,
    #[sqlx(try_from = "JsonText<Vec<Stratum>>")]
    pub strata: Vec<Stratum>,
    pub seed: i64,
    pub drawn_by: Option<String>,
    pub drawn_at: i64,
}

const ROUND_COLUMNS: &str =
    "id, period, starts_at, ends_at, ended, strata, seed, drawn_by, drawn_at";

pub struct NewRound<'a> {
    pub shop_id: &'a ShopId,
    pub period: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub ended: i64,
    pub strata: &'a [Stratum],
    pub seed: i64,
    pub drawn_by: Option<&'a str>,
    pub now: i64,
}

/// Records the round; none when the period was drawn already (by another request or instance).
pub async fn insert_round(
    transaction: &mut Transaction,
    round: &NewRound<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO survey_rounds (id, shop_id, period, starts_at, ends_at, ended, strata, seed, drawn_by, drawn_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (shop_id, period) DO NOTHING",
    )
    .bind(&id)
    .bind(round.shop_id)
    .bind(round.period)
    .bind(round.starts_at)
    .bind(round.ends_at)
    .bind(round.ended)
    .bind(serde_json::to_string(round.strata).unwrap_or_else(|_| "[]".into()))
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
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ROUND_COLUMNS} FROM survey_rounds WHERE shop_id = $1 AND period = $2"
    )))
    .bind(shop_id)
    .bind(period)
    .fetch_optional(pool)
    .await
}

/// The shop's rounds, the newest first.
pub async fn rounds(pool: &AnyPool, shop_id: &ShopId) -> Result<Vec<RoundRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ROUND_COLUMNS} FROM survey_rounds WHERE shop_id = $1 ORDER BY starts_at DESC LIMIT 60"
    )))
    .bind(shop_id)
    .fetch_all(pool)
    .await
}

pub struct NewSurvey<'a> {
    pub shop_id: &'a ShopId,
    pub round_id: Option<&'a str>,
    pub case_id: &'a str,
    pub customer_key: &'a str,
    pub reason: &'a str,
    pub stratum: &'a str,
    pub ask_by: &'a str,
    pub now: i64,
    pub send_at: i64,
    pub expires_at: i64,
}

/// Records a survey to send (or call); none when the case has one for this reason already.
pub async fn insert(
    transaction: &mut Transaction,
    survey: &NewSurvey<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO surveys (id, shop_id, round_id, case_id, customer_key, reason, stratum, ask_by, state, created_at, send_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9, $10, $11) ON CONFLICT (case_id, reason) DO NOTHING",
    )
    .bind(&id)
    .bind(survey.shop_id)
    .bind(survey.round_id)
    .bind(survey.case_id)
    .bind(survey.customer_key)
    .bind(survey.reason)
    .bind(survey.stratum)
    .bind(survey.ask_by)
    .bind(survey.now)
    .bind(survey.send_at)
    .bind(survey.expires_at)
    .execute(&mut **transaction)
    .await?;
    Ok((inserted.rows_affected() > 0).then_some(id))
}

/// A survey with what its page and the results need of its case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SurveyRecord {
    pub id: String,
    pub shop_id: ShopId,
    pub round_id: Option<String>,
    pub case_id: String,
    pub case_number: String,
    pub case_kind: String,
    pub reason_code: String,
    pub assignee_id: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub reason: String,
    pub stratum: String,
    pub ask_by: String,
    pub state: String,
    pub score: Option<i64>,
    pub comment: Option<String>,
    #[sqlx(try_from = "JsonText<serde_json::Value>")]
    pub answers: serde_json::Value,
    pub answered_via: Option<String>,
    pub answered_by: Option<String>,
    pub created_at: i64,
    pub send_at: i64,
    pub expires_at: i64,
    pub answered_at: Option<i64>,
    /// The case's first product (its SKU and name).
    pub sku: Option<String>,
    pub product_name: Option<String>,
}

const SURVEY_COLUMNS: &str = "s.id, s.shop_id, s.round_id, s.case_id, c.number AS case_number, c.kind AS case_kind, \
    c.reason_code, c.assignee_id, c.contact_name, c.contact_phone, s.reason, s.stratum, s.ask_by, s.state, s.score, s.comment, s.answers, \
    s.answered_via, s.answered_by, s.created_at, s.send_at, s.expires_at, s.answered_at, \
    (SELECT l.sku FROM case_lines cl JOIN order_lines l ON l.id = cl.order_line_id WHERE cl.case_id = s.case_id ORDER BY l.line_number LIMIT 1) AS sku, \
    (SELECT l.product_name FROM case_lines cl JOIN order_lines l ON l.id = cl.order_line_id WHERE cl.case_id = s.case_id ORDER BY l.line_number LIMIT 1) AS product_name";

/// One survey of the shop (a token names the shop it was signed for).
pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<SurveyRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys s JOIN cases c ON c.id = s.case_id WHERE s.id = $1 AND s.shop_id = $2"
    )))
    .bind(id)
    .bind(shop_id)
    .fetch_optional(pool)
    .await
}

/// What a list of surveys is narrowed to.
#[derive(Debug, Default)]
pub struct Filter<'a> {
    pub round_id: Option<&'a str>,
    /// Milestone surveys created in `[start, end)`.
    pub milestones_between: Option<(i64, i64)>,
    pub state: Option<&'a str>,
    pub case_id: Option<&'a str>,
}

/// The shop's surveys by the filter, the oldest first (at most `limit`).
pub async fn list(
    pool: &AnyPool,
    shop_id: &ShopId,
    filter: &Filter<'_>,
    limit: i64,
) -> Result<Vec<SurveyRecord>, sqlx::Error> {
    let (start, end) = filter.milestones_between.unwrap_or((0, 0));
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys s JOIN cases c ON c.id = s.case_id WHERE s.shop_id = $1 \
         AND ($2 IS NULL OR s.round_id = $2) \
         AND ($3 = 0 OR (s.reason = 'milestone' AND s.created_at >= $4 AND s.created_at < $5)) \
         AND ($6 IS NULL OR s.state = $6) AND ($7 IS NULL OR s.case_id = $7) \
         ORDER BY s.created_at, s.id LIMIT $8"
    )))
    .bind(shop_id)
    .bind(filter.round_id)
    .bind(i64::from(filter.milestones_between.is_some()))
    .bind(start)
    .bind(end)
    .bind(filter.state)
    .bind(filter.case_id)
    .bind(limit)
    .bind(shop_id)
    .fetch_all(pool)
    .await
}

pub struct Answer<'a> {
    pub score: i64,
    pub comment: &'a str,
    pub answers: &'a serde_json::Value,
    pub via: &'a str,
    pub by: Option<&'a str>,
    pub now: i64,
}

/// Records the answer once: false when the survey was answered already or has expired.
pub async fn answer(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    id: &str,
    answer: &Answer<'_>,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE surveys SET state = 'answered', score = $1, comment = $2, answers = $3, answered_via = $4, answered_by = $5, answered_at = $6 \
         WHERE id = $7 AND shop_id = $8 AND state IN ('waiting', 'sent') AND expires_at > $6",
    )
    .bind(answer.score)
    .bind(answer.comment)
    .bind(answer.answers.to_string())
    .bind(answer.via)
    .bind(answer.by)
    .bind(answer.now)
    .bind(id)
    .bind(shop_id)
    .execute(&mut **transaction)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// Marks a waiting survey sent; false when another instance did it first.
pub async fn mark_sent(transaction: &mut Transaction, id: &str) -> Result<bool, sqlx::Error> {
    let updated =
        sqlx::query("UPDATE surveys SET state = 'sent' WHERE id = $1 AND state = 'waiting'")
            .bind(id)
            .execute(&mut **transaction)
            .await?;
    Ok(updated.rows_affected() > 0)
}

/// Surveys past their last day without an answer become `expired`.
pub async fn expire(pool: &AnyPool, now: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE surveys SET state = 'expired' WHERE state IN ('waiting', 'sent') AND expires_at <= $1",
    )
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected())
}

/// A delivered replacement or repaired item.
#[derive(Debug, sqlx::FromRow)]
pub struct Delivered {
    pub shop_id: ShopId,
    pub case_id: String,
    pub customer_key: String,
    pub kind: String,
    pub channel: String,
    pub delivered_at: i64,
}

/// Cases whose item went (back) to the customer (a replacement, a part sent again, a repaired
/// item) and arrived between `since` and `until`, without a milestone survey yet.
pub async fn delivered_items(
    pool: &AnyPool,
    shop_id: &ShopId,
    since: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<Delivered>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.shop_id, c.id AS case_id, COALESCE(c.customer_id, c.contact_email, c.contact_phone, c.id) AS customer_key, \
         c.kind, c.channel, MAX(p.delivered_at) AS delivered_at \
         FROM shipments p JOIN cases c ON c.id = p.case_id \
         WHERE p.shop_id = $4 AND p.direction = 'to_customer' AND p.delivered_at >= $1 AND p.delivered_at < $2 AND c.kind IN ('exchange', 'repair', 'reship') \
         AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.case_id = c.id AND s.reason = 'milestone') \
         GROUP BY c.shop_id, c.id, c.customer_id, c.contact_email, c.contact_phone, c.kind, c.channel LIMIT $3",
    )
    .bind(since)
    .bind(until)
    .bind(limit)
    .bind(shop_id)
    .fetch_all(pool)
    .await
}
