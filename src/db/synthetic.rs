//! What the benchmark reads and writes beside the server: how far its shop has grown, the
//! database's size per table, the disk's raw commit ceiling (in scratch tables dropped after),
//! and a backlog of notifications for the delivery worker's benchmark.

use std::time::{Duration, Instant};

use crate::domain::identifiers::ShopId;

use super::{Backend, Database};

/// An approval event for each of the newest `count` cases, pending in the outbox, each case with
/// its own customer's e-mail (a customer's messages go one after another, as in a shop).
pub async fn notification_backlog(
    database: &Database,
    count: usize,
    now: i64,
) -> Result<(), sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, shop_id FROM cases ORDER BY created_at DESC LIMIT {count}"
    )))
    .fetch_all(&database.reader)
    .await?;
    let mut transaction = database.begin().await?;
    for (index, (id, shop_id)) in rows.iter().enumerate() {
        sqlx::query("UPDATE cases SET contact_email = $1 WHERE id = $2")
            .bind(format!("buyer{index}@example.com"))
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        let payload = serde_json::json!({ "event_id": "", "case_id": id, "action": "approve",
            "from_status": "submitted", "to_status": "approved", "actor_role": "agent", "at": now, "data": {} });
        sqlx::query(
            "INSERT INTO outbox (id, shop_id, case_id, audience, topic, payload, state, attempts, created_at) \
             VALUES ($1, $2, $3, 'event', 'case.transitioned', $4, 'pending', 0, $5)",
        )
        .bind(super::new_id())
        .bind(shop_id)
        .bind(id)
        .bind(payload.to_string())
        .bind(now)
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await
}

/// Marks every pending outbox row dispatched (left over from earlier measurements).
pub async fn settle_outbox(database: &Database) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET state = 'dispatched' WHERE state = 'pending'")
        .execute(&database.writer)
        .await?;
    Ok(())
}

/// The shop's cases opened on the benchmark's own orders (BO…), and those orders.
pub async fn counts(database: &Database, shop_id: &ShopId) -> Result<(i64, i64), sqlx::Error> {
    let cases = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases JOIN orders ON orders.id = cases.order_id \
         WHERE cases.shop_id = $1 AND orders.order_number LIKE 'BO%'",
    )
    .bind(shop_id)
    .fetch_one(&database.reader)
    .await?;
    let orders = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE shop_id = $1 AND order_number LIKE 'BO%'",
    )
    .bind(shop_id)
    .fetch_one(&database.reader)
    .await?;
    Ok((cases, orders))
}

/// Every case of every shop.
pub async fn all_cases(database: &Database) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(&database.reader)
        .await
}

/// The database's bytes in use, and the largest tables and indexes with theirs (an index's
/// bytes are counted with its table on PostgreSQL).
pub async fn sizes(database: &Database) -> Result<(i64, Vec<(String, i64)>), sqlx::Error> {
    match database.backend {
        Backend::Sqlite => {
            let used: i64 = sqlx::query_scalar(
                "SELECT (page_count - freelist_count) * page_size \
                 FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()",
            )
            .fetch_one(&database.reader)
            .await?;
            let parts = sqlx::query_as(
                "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 14",
            )
            .fetch_all(&database.reader)
            .await
            .unwrap_or_default();
            Ok((used, parts))
        }
        Backend::Postgres => {
            let used: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&database.reader)
                .await?;
            let parts = sqlx::query_as(
                "SELECT relname::TEXT, pg_total_relation_size(relid) FROM pg_statio_user_tables \
                 ORDER BY 2 DESC LIMIT 14",
            )
            .fetch_all(&database.reader)
            .await?;
            Ok((used, parts))
        }
    }
}

/// The disk's raw commit ceiling: one thread committing transactions of one case-sized row, one
/// event row and one job row each, for `during`, in scratch tables dropped afterwards (SQLite
/// with the server's own settings: WAL, synchronous=NORMAL). Transactions per second.
pub async fn commit_ceiling(database: &Database, during: Duration) -> Result<f64, sqlx::Error> {
    let tables = [
        "bench_raw_cases (id TEXT PRIMARY KEY, shop_id TEXT, number TEXT, status TEXT, description TEXT, search_text TEXT, created_at BIGINT)",
        "bench_raw_events (id TEXT PRIMARY KEY, case_id TEXT, action TEXT, data TEXT, at BIGINT)",
        "bench_raw_jobs (id TEXT PRIMARY KEY, case_id TEXT, due_at BIGINT, state TEXT)",
    ];
    for table in tables {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE IF NOT EXISTS {table}"
        )))
        .execute(&database.writer)
        .await?;
    }
    let description = "收到货后发现外包装破损，使用两天后无法开机，申请退款";
    let started = Instant::now();
    let mut count = 0u64;
    while started.elapsed() < during {
        let id = super::new_id();
        let mut transaction = database.begin().await?;
        sqlx::query("INSERT INTO bench_raw_cases VALUES ($1, 'shop', $2, 'submitted', $3, $4, $5)")
            .bind(&id)
            .bind(format!("AS-20261206-{count:06}"))
            .bind(description)
            .bind(format!(
                "as-20261206-{count:06} bo00012345 王伟 13800138000 {description}"
            ))
            .bind(count as i64)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("INSERT INTO bench_raw_events VALUES ($1, $2, 'created', '{\"kind\":\"refund_only\"}', $3)")
            .bind(super::new_id())
            .bind(&id)
            .bind(count as i64)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("INSERT INTO bench_raw_jobs VALUES ($1, $2, $3, 'pending')")
            .bind(super::new_id())
            .bind(&id)
            .bind(count as i64)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        count += 1;
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    for table in ["bench_raw_cases", "bench_raw_events", "bench_raw_jobs"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {table}")))
            .execute(&database.writer)
            .await?;
    }
    Ok(rate)
}

/// Up to `limit` case ids of the shop with no cost entry yet, oldest first (what the cost
/// benchmark books on, through the API).
pub async fn cases_without_costs(
    database: &Database,
    shop_id: &ShopId,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT c.id FROM cases c WHERE c.shop_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM costs x WHERE x.case_id = c.id) ORDER BY c.created_at, c.id LIMIT $2",
    )
    .bind(shop_id)
    .bind(limit)
    .fetch_all(&database.reader)
    .await
}

/// The shop's cost entries.
pub async fn cost_entries(database: &Database, shop_id: &ShopId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM costs WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_one(&database.reader)
        .await
}

/// Every cost entry of the shop as (kind, payer, amount, currency), for the benchmark's
/// reconciliation of the reports with the ledger.
pub async fn cost_rows(
    database: &Database,
    shop_id: &ShopId,
) -> Result<Vec<(String, String, i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT kind, payer, amount_minor, currency FROM costs WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_all(&database.reader)
        .await
}
