//! What waits in the queues, for `/metrics` and `aftersale doctor`: due timers, outbox rows not
//! yet dispatched, deliveries waiting or dead. Each count reads an index on `state`.

use sqlx::AnyPool;

use crate::metrics::Backlog;

pub async fn read(pool: &AnyPool, now: i64) -> Result<Backlog, sqlx::Error> {
    let (timers_due, outbox, deliveries_pending, deliveries_dead): (i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT \
               (SELECT count(*) FROM timers WHERE (state = 'pending' AND due_at <= $1) OR state = 'running'), \
               (SELECT count(*) FROM outbox WHERE state = 'pending'), \
               (SELECT count(*) FROM deliveries WHERE state = 'pending'), \
               (SELECT count(*) FROM deliveries WHERE state = 'dead')",
        )
        .bind(now)
        .fetch_one(pool)
        .await?;
    Ok(Backlog {
        timers_due,
        outbox,
        deliveries_pending,
        deliveries_dead,
    })
}

/// PostgreSQL's own clock, in microseconds since the epoch.
pub async fn server_time(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT)")
        .fetch_one(pool)
        .await
}

/// When the newest case change was written (by this machine's clock at the time).
pub async fn newest_write(pool: &AnyPool) -> Result<Option<i64>, sqlx::Error> {
    // Per shop, each the last entry of its `cases_by_updated` index.
    sqlx::query_scalar(
        "SELECT max((SELECT max(updated_at) FROM cases WHERE cases.shop_id = shops.id)) FROM shops",
    )
    .fetch_one(pool)
    .await
}
