//! What the KPIs read: the cases opened or ended in a period with their times, and the period's
//! ratings, survey answers, refunds, costs, products, reasons and carriers.

use sqlx::AnyPool;

use crate::domain::identifiers::ShopId;
use crate::domain::kpis::CaseTimes;

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: String,
    kind: String,
    assignee_id: Option<String>,
    reason_code: String,
    created_at: i64,
    ended_at: Option<i64>,
    status: String,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    sla_business_minutes: Option<i64>,
    has_target: i64,
    breached: i64,
    reopened: i64,
}

const CASE_COLUMNS: &str = "c.id, c.kind, c.assignee_id, c.reason_code, c.created_at, c.ended_at, c.status, \
    c.first_response_at, c.resolved_at, c.sla_business_minutes, \
    CASE WHEN c.sla_first_response_due IS NOT NULL OR c.sla_resolution_due IS NOT NULL THEN 1 ELSE 0 END AS has_target, \
    CASE WHEN c.sla_breached IS NOT NULL THEN 1 ELSE 0 END AS breached, \
    CASE WHEN EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = 'reopen') THEN 1 ELSE 0 END AS reopened";

/// The cases opened in `[start, end)` and those opened before it that ended in it.
pub async fn cases(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<CaseTimes>, sqlx::Error> {
    let opened: Vec<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases c WHERE c.shop_id = $1 AND c.created_at >= $2 AND c.created_at < $3"
    )))
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await?;
    let ended: Vec<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases c WHERE c.shop_id = $1 AND c.ended_at >= $2 AND c.ended_at < $3 AND c.created_at < $2"
    )))
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await?;
    Ok(opened
        .into_iter()
        .chain(ended)
        .map(|row| CaseTimes {
            cancelled: row.status == "cancelled",
            id: row.id,
            kind: row.kind,
            assignee_id: row.assignee_id,
            reason_code: row.reason_code,
            created_at: row.created_at,
            ended_at: row.ended_at,
            first_response_at: row.first_response_at,
            resolved_at: row.resolved_at,
            business_minutes: row.sla_business_minutes,
            has_target: row.has_target != 0,
            breached: row.breached != 0,
            reopened: row.reopened != 0,
        })
        .collect())
}

/// A score given in the period (a rating or a survey answer) and the case's agent.
#[derive(Debug, sqlx::FromRow)]
pub struct Score {
    pub score: i64,
    pub assignee_id: Option<String>,
}

/// The customers' ratings of their cases made in the period.
pub async fn ratings(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<Score>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.stars AS score, c.assignee_id FROM ratings r JOIN cases c ON c.id = r.case_id \
         WHERE r.shop_id = $1 AND r.created_at >= $2 AND r.created_at < $3",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}

/// The survey answers given in the period.
pub async fn survey_scores(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<Score>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.score, c.assignee_id FROM surveys s JOIN cases c ON c.id = s.case_id \
         WHERE s.shop_id = $1 AND s.state = 'answered' AND s.answered_at >= $2 AND s.answered_at < $3",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}

/// Money refunded in the period (paid or being confirmed as paid), per currency and agent.
#[derive(Debug, sqlx::FromRow)]
pub struct Refunded {
    pub currency: String,
    pub assignee_id: Option<String>,
    pub amount_minor: i64,
    pub refunds: i64,
}

pub async fn refunds(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<Refunded>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.currency, c.assignee_id, CAST(SUM(r.amount_minor) AS BIGINT) AS amount_minor, COUNT(*) AS refunds \
         FROM refunds r JOIN cases c ON c.id = r.case_id \
         WHERE r.shop_id = $1 AND r.created_at >= $2 AND r.created_at < $3 AND r.status NOT IN ('requested', 'processing', 'failed') \
         GROUP BY r.currency, c.assignee_id",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}

/// What after-sales cost the shop in the period (the cost ledger), per currency.
pub async fn costs(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT currency, CAST(SUM(shop_cost_minor) AS BIGINT) FROM costs WHERE shop_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY currency",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}

/// Cases opened in the period per reason and product (a case about two products counts for each).
#[derive(Debug, sqlx::FromRow)]
pub struct ReasonProduct {
    pub reason_code: String,
    pub sku: String,
    pub product_name: String,
    pub cases: i64,
}

pub async fn reasons_by_product(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<ReasonProduct>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.reason_code, l.sku, MAX(l.product_name) AS product_name, COUNT(DISTINCT c.id) AS cases \
         FROM cases c JOIN case_lines cl ON cl.case_id = c.id JOIN order_lines l ON l.id = cl.order_line_id \
         WHERE c.shop_id = $1 AND c.created_at >= $2 AND c.created_at < $3 GROUP BY c.reason_code, l.sku",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}

/// The carriers that delivered the orders of the cases opened in the period: cases per carrier.
pub async fn carriers(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.carrier, COUNT(DISTINCT c.id) FROM cases c JOIN shipments s ON s.order_id = c.order_id AND s.direction = 'to_customer' AND s.case_id IS NULL \
         WHERE c.shop_id = $1 AND c.created_at >= $2 AND c.created_at < $3 GROUP BY s.carrier ORDER BY 2 DESC, 1 LIMIT 10",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}

/// Follow-up visits closed in the period: (who recorded the outcome, the outcome, how many).
pub async fn visits(
    pool: &AnyPool,
    shop_id: &ShopId,
    start: i64,
    end: i64,
) -> Result<Vec<(Option<String>, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT done_by, state, COUNT(*) FROM visits WHERE shop_id = $1 AND state IN ('reached', 'not_reached', 'issue_found') \
         AND done_at >= $2 AND done_at < $3 GROUP BY done_by, state",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}
