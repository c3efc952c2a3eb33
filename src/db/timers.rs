//! Durable timers: one row per running clock. A worker claims due rows with a lease
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer makes the claim atomic) and
//! finishes each in the same transaction as the change it makes, so each fires once.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::Transaction;
use super::batch::Batch;
use super::columns::ListText;
use super::dialect::Backend;
use crate::domain::clocks::Clock;
use crate::domain::{Action, Status};

/// A timer as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TimerRecord {
    pub id: String,
    pub shop_id: ShopId,
    pub case_id: String,
    #[sqlx(try_from = "String")]
    pub clock: Clock,
    pub rule: String,
    #[sqlx(try_from = "ListText<Action>")]
    pub steps: Vec<Action>,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub due_at: i64,
    pub attempts: i64,
}

pub struct NewTimer<'a> {
    pub id: &'a str,
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub clock: Clock,
    pub rule: &'a str,
    pub steps: &'a [Action],
    pub status: Status,
    pub due_at: i64,
    pub now: i64,
}

const INSERT: &str = "INSERT INTO timers (id, shop_id, case_id, clock, rule, steps, status, due_at, state, attempts, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9)";

fn steps_text(steps: &[Action]) -> String {
    steps
        .iter()
        .map(|step| step.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Adds a timer to a batch (case creation).
pub fn push_insert(batch: &mut Batch, timer: &NewTimer<'_>) {
    batch.push(
        INSERT,
        vec![
            timer.id.into(),
            timer.shop_id.into(),
            timer.case_id.into(),
            timer.clock.as_str().into(),
            timer.rule.into(),
            steps_text(timer.steps).into(),
            timer.status.as_str().into(),
            timer.due_at.into(),
            timer.now.into(),
        ],
    );
}

pub async fn insert(
    transaction: &mut Transaction,
    timer: &NewTimer<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(INSERT)
        .bind(timer.id)
        .bind(timer.shop_id)
        .bind(timer.case_id)
        .bind(timer.clock.as_str())
        .bind(timer.rule)
        .bind(steps_text(timer.steps))
        .bind(timer.status.as_str())
        .bind(timer.due_at)
        .bind(timer.now)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Stops the case's running platform clocks (its status changed), or its SLA clocks. A clock
/// that had not started firing has nothing left to do or to show and is not kept; one being
/// fired (by this change itself, or by another worker, whose hold then fails) is marked
/// cancelled, and the firing one then marked fired.
pub async fn cancel_for_case(
    transaction: &mut Transaction,
    case_id: &str,
    sla: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    // The platforms' deadlines are neither: they stand until the platform's record or the
    // dispute moves on.
    let which = if sla {
        "LIKE 'sla%'"
    } else {
        "NOT LIKE 'sla%' AND clock NOT IN ('platform_deadline', 'dispute_deadline')"
    };
    let mut batch = super::batch::Batch::new();
    batch.push(
        &format!("DELETE FROM timers WHERE case_id = $1 AND state = 'pending' AND clock {which}"),
        vec![case_id.into()],
    );
    batch.push(
        &format!(
            "UPDATE timers SET state = 'cancelled', finished_at = $1, outcome = 'the case moved on' \
             WHERE case_id = $2 AND state = 'running' AND clock {which}"
        ),
        vec![now.into(), case_id.into()],
    );
    let backend = super::Backend::of(transaction);
    batch.execute(transaction, backend).await
}

const COLUMNS: &str = "id, shop_id, case_id, clock, rule, steps, status, due_at, attempts";

/// Claims up to `limit` due timers for `worker` until `lease_until`: pending ones whose time has
/// come, and running ones whose lease ran out (their worker died).
pub async fn claim_due(
    pool: &AnyPool,
    backend: Backend,
    worker: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<TimerRecord>, sqlx::Error> {
    let sql = backend.claim(
        "timers",
        "state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1",
        "(state = 'pending' AND due_at <= $3) OR (state = 'running' AND locked_until < $3)",
        "due_at",
        4,
        COLUMNS,
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(worker)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// Locks the timer inside the firing transaction; `None` if another worker took it over or it
/// was cancelled meanwhile.
pub async fn hold(
    transaction: &mut Transaction,
    backend: Backend,
    id: &str,
    worker: &str,
) -> Result<Option<TimerRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM timers WHERE id = $1 AND state = 'running' AND locked_by = $2{}",
        backend.for_update()
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(worker)
        .fetch_optional(&mut **transaction)
        .await
}

/// Ends a timer: `fired` (it acted), `skipped` (nothing to do any more) or `failed`.
pub async fn finish(
    transaction: &mut Transaction,
    id: &str,
    state: &str,
    outcome: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE timers SET state = $1, outcome = $2, finished_at = $3, locked_by = NULL, locked_until = NULL WHERE id = $4",
    )
    .bind(state)
    .bind(outcome)
    .bind(now)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Puts a timer that could not act back, to try again at `retry_at`.
pub async fn retry_later(
    pool: &AnyPool,
    id: &str,
    retry_at: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE timers SET state = 'pending', due_at = $1, outcome = $2, locked_by = NULL, locked_until = NULL \
         WHERE id = $3 AND state = 'running'",
    )
    .bind(retry_at)
    .bind(error)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Hands back the timers `worker` claimed and did not finish (it is stopping): pending again,
/// due as they were, the claim not counted as an attempt. Returns how many.
pub async fn release(pool: &AnyPool, worker: &str) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE timers SET state = 'pending', locked_by = NULL, locked_until = NULL, attempts = attempts - 1 \
         WHERE state = 'running' AND locked_by = $1",
    )
    .bind(worker)
    .execute(pool)
    .await?;
    Ok(result.rows_affected())
}

/// Stops trying a timer that failed too often; it stays in the table as `failed` with the error.
pub async fn give_up(pool: &AnyPool, id: &str, error: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE timers SET state = 'failed', outcome = $1, finished_at = $2, locked_by = NULL, locked_until = NULL \
         WHERE id = $3 AND state = 'running'",
    )
    .bind(error)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// The case's running clocks, soonest first.
pub async fn pending_for_case(
    pool: &AnyPool,
    case_id: &str,
) -> Result<Vec<TimerRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM timers WHERE case_id = $1 AND state IN ('pending', 'running') ORDER BY due_at"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id)
        .fetch_all(pool)
        .await
}

/// The soonest pending timer, to know how long the worker may sleep.
pub async fn next_due(pool: &AnyPool) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MIN(due_at) FROM timers WHERE state = 'pending'")
        .fetch_one(pool)
        .await
}

/// Moves the case's pending clock of this kind to `due_at`; false when it has none pending.
pub async fn move_pending(
    transaction: &mut Transaction,
    case_id: &str,
    clock: Clock,
    due_at: i64,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE timers SET due_at = $1 WHERE case_id = $2 AND clock = $3 AND state = 'pending'",
    )
    .bind(due_at)
    .bind(case_id)
    .bind(clock.as_str())
    .execute(&mut **transaction)
    .await?;
    Ok(moved.rows_affected() > 0)
}

/// Whether a clock of this kind already fired on the case, or is firing now (an SLA target
/// breaches once).
pub async fn fired_before(
    transaction: &mut Transaction,
    case_id: &str,
    clock: Clock,
) -> Result<bool, sqlx::Error> {
    let fired: Option<String> = sqlx::query_scalar(
        "SELECT id FROM timers WHERE case_id = $1 AND clock = $2 AND state IN ('fired', 'running') LIMIT 1",
    )
    .bind(case_id)
    .bind(clock.as_str())
    .fetch_optional(&mut **transaction)
    .await?;
    Ok(fired.is_some())
}

/// Forgets timers that ended without acting (`skipped`: nothing was left to do; `cancelled`:
/// the case moved on, as earlier versions kept them) before `before`, a batch at a time; fired and failed ones are kept (a clock
/// fires once per case, and failures are for people to read). The number forgotten.
pub async fn expire_finished(database: &super::Database, before: i64) -> Result<u64, sqlx::Error> {
    super::delete_in_batches(
        database,
        "DELETE FROM timers WHERE id IN (SELECT id FROM timers \
         WHERE state IN ('cancelled', 'skipped') AND finished_at < $1 LIMIT 5000)",
        before,
    )
    .await
}

/// Drops the case's pending timers of one clock (a platform's deadline replaced or met).
pub async fn drop_pending(
    transaction: &mut Transaction,
    case_id: &str,
    clock: Clock,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM timers WHERE case_id = $1 AND clock = $2 AND state = 'pending'")
        .bind(case_id)
        .bind(clock.as_str())
        .execute(&mut **transaction)
        .await?;
    Ok(())
}
