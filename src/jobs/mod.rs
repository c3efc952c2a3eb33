//! Background work that must survive restarts, every worker of an instance: the clocks' timers
//! (and, once a minute, the parcels that stalled or ran late) and the outbox's deliveries. Rows
//! in the database are the queue; any number of instances run workers; each timer fires once.

pub mod backups;

use std::time::Duration;

use crate::clock::Clock;
use crate::db::Database;
use crate::db::timers;
use crate::operations::clocks::{self, Fired};
use crate::operations::notifications::{self, Channels};

/// Tells the workers to stop: they finish the round they are in and return.
pub type Stop = tokio::sync::watch::Receiver<bool>;

/// How long a claimed timer stays with its worker before another may take it over.
pub const LEASE_MICROS: i64 = 60_000_000;
/// A timer that failed is tried again this much later …
pub const RETRY_MICROS: i64 = 60_000_000;
/// … up to this many attempts; then it is left as `failed` for a person to look at.
pub const MAX_ATTEMPTS: i64 = 5;
const BATCH: i64 = 50;
/// How often the worker looks for parcels that stalled or ran late.
const PARCEL_SWEEP_MICROS: i64 = 60_000_000;

/// A name unique to this worker, for leases.
pub fn worker_name() -> String {
    format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple())
}

/// Claims and fires every timer due at `now`; returns what each did. Errors on one timer put it
/// back for a retry and do not stop the others.
pub async fn run_due(database: &Database, worker: &str, now: i64) -> anyhow::Result<Vec<Fired>> {
    fire_due(database, worker, now, || false).await
}

/// The same, stopping between two timers once `stopping` says so (the claimed rest stay with
/// `worker`, who hands them back with [`timers::release`]).
async fn fire_due(
    database: &Database,
    worker: &str,
    now: i64,
    stopping: impl Fn() -> bool,
) -> anyhow::Result<Vec<Fired>> {
    let mut done = Vec::new();
    loop {
        let claimed = timers::claim_due(
            &database.writer,
            database.backend,
            worker,
            now,
            now + LEASE_MICROS,
            BATCH,
        )
        .await?;
        if claimed.is_empty() {
            return Ok(done);
        }
        for timer in &claimed {
            if stopping() {
                return Ok(done);
            }
            match clocks::fire(database, worker, timer, now).await {
                Ok(fired) => {
                    crate::metrics::timer(match fired {
                        Fired::Skipped(_) => "skipped",
                        _ => "fired",
                    });
                    done.push(fired);
                }
                Err(error) if timer.attempts >= MAX_ATTEMPTS => {
                    crate::metrics::timer("failed");
                    tracing::error!(timer = %timer.id, %error, "timer failed {MAX_ATTEMPTS} times; giving up");
                    timers::give_up(&database.writer, &timer.id, &error.to_string(), now).await?;
                }
                Err(error) => {
                    crate::metrics::timer("retried");
                    tracing::warn!(timer = %timer.id, %error, "timer failed; retrying later");
                    timers::retry_later(
                        &database.writer,
                        &timer.id,
                        now + RETRY_MICROS,
                        &error.to_string(),
                    )
                    .await?;
                }
            }
        }
        if (claimed.len() as i64) < BATCH {
            return Ok(done);
        }
    }
}

/// Starts every worker of this instance: the timers (with the parcel sweep) and the deliveries.
pub fn start(
    database: &Database,
    channels: Channels,
    clock: &Clock,
    stop: Stop,
) -> Vec<tokio::task::JoinHandle<()>> {
    vec![
        tokio::spawn(timer_worker(database.clone(), clock.clone(), stop.clone())),
        tokio::spawn(delivery_worker(
            database.clone(),
            channels,
            clock.clone(),
            stop,
        )),
    ]
}

/// How long a stored `Idempotency-Key` answer is kept (docs/API.md).
pub const IDEMPOTENCY_RETENTION_MICROS: i64 = 24 * 3_600_000_000;
/// Rate-limit windows are at most an hour; older counters are dropped.
const RATE_LIMIT_RETENTION_MICROS: i64 = 2 * 3_600_000_000;

/// Forgets idempotency keys past their retention and rate-limit windows long over.
pub async fn tidy(database: &Database, now: i64) -> anyhow::Result<()> {
    crate::db::idempotency::expire(database, now - IDEMPOTENCY_RETENTION_MICROS).await?;
    crate::db::limits::expire(database, now - RATE_LIMIT_RETENTION_MICROS).await?;
    Ok(())
}

/// How long a timer that ended without acting is kept (docs/POLICY.md, "Clocks").
pub const TIMER_RETENTION_MICROS: i64 = 30 * 24 * 3_600_000_000;

/// How long a sent delivery (mail, webhook) stays in the shop's notification log.
pub const DELIVERY_RETENTION_MICROS: i64 = 30 * 24 * 3_600_000_000;

/// How long an outbox row is kept once turned into deliveries (or found to need none), when no
/// delivery refers to it any more.
pub const OUTBOX_RETENTION_MICROS: i64 = 7 * 24 * 3_600_000_000;

/// The hourly retirement of rows kept only for a while (docs/ARCHITECTURE.md, "Retention"):
/// timers that ended without acting, sent deliveries, dispatched outbox rows.
pub async fn retire(database: &Database, now: i64) -> anyhow::Result<u64> {
    let timers = crate::db::timers::expire_finished(database, now - TIMER_RETENTION_MICROS).await?;
    let outbox = crate::db::outbox::expire_dispatched(
        database,
        now - DELIVERY_RETENTION_MICROS,
        now - OUTBOX_RETENTION_MICROS,
    )
    .await?;
    Ok(timers + outbox)
}

/// How often the planner's statistics are refreshed (SQLite analyses only what changed a lot).
const OPTIMIZE_MICROS: i64 = 3_600_000_000;

/// Once a day, a loud line in the log for each year China's shipped calendar does not know that
/// clocks now reach (a shop may have added it in its settings; the console says which).
fn warn_unknown_years(now: i64, checked: Option<jiff::civil::Date>) -> jiff::civil::Date {
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::from_microsecond(now)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(zone)
        .date();
    if checked != Some(today) {
        for year in crate::domain::calendar::WorkingCalendar::china().unknown_years(today) {
            tracing::warn!(
                year,
                "China's working calendar has no {year}: SLA and platform clocks will count its holidays (元旦, 春节 …) as working days until the State Council's notice for {year} is added (console: Settings → Working calendar, or a newer release)"
            );
        }
    }
    today
}

/// Waits `micros`, or less if the stop signal comes; true when it is time to stop.
async fn pause(stop: &mut Stop, micros: i64) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_micros(micros.max(0) as u64)) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}

/// Fires what is due, then sleeps until the next timer (at most a second, so timers added by
/// other instances are seen quickly); stalled and late parcels are looked for once a minute.
async fn timer_worker(database: Database, clock: Clock, mut stop: Stop) {
    let worker = worker_name();
    let mut parcels_checked: Option<i64> = None;
    let mut calendar_checked: Option<jiff::civil::Date> = None;
    let mut optimized: Option<i64> = None;
    loop {
        if let Err(error) = fire_due(&database, &worker, clock.now(), || *stop.borrow()).await {
            tracing::warn!(%error, "timer worker");
        }
        if *stop.borrow() {
            break;
        }
        if parcels_checked.is_none_or(|at| clock.now() - at >= PARCEL_SWEEP_MICROS) {
            parcels_checked = Some(clock.now());
            if let Err(error) = crate::operations::parcels::sweep(&database, clock.now()).await {
                tracing::warn!(%error, "parcel sweep");
            }
            if let Err(error) = crate::operations::send_outs::sweep(&database, clock.now()).await {
                tracing::warn!(%error, "send-out sweep");
            }
            if let Err(error) =
                crate::operations::appointments::remind(&database, clock.now()).await
            {
                tracing::warn!(%error, "appointment reminders");
            }
            if let Err(error) = tidy(&database, clock.now()).await {
                tracing::warn!(%error, "tidying idempotency keys and rate limits");
            }
            calendar_checked = Some(warn_unknown_years(clock.now(), calendar_checked));
            if let Err(error) = database.tend().await {
                tracing::warn!(%error, "vacuuming and analysing (PostgreSQL without autovacuum)");
            }
            // The planner's statistics: at start, then hourly (and after every import).
            if optimized.is_none_or(|at| clock.now() - at >= OPTIMIZE_MICROS) {
                optimized = Some(clock.now());
                if let Err(error) = database.optimize(&[]).await {
                    tracing::warn!(%error, "refreshing the planner's statistics");
                }
                if let Err(error) = retire(&database, clock.now()).await {
                    tracing::warn!(%error, "retiring finished timers");
                }
                // Survey rounds of the periods just over, milestone surveys, expired links.
                if let Err(error) = crate::operations::surveys::sweep(&database, clock.now()).await
                {
                    tracing::warn!(%error, "surveys");
                }
                // Follow-up visits the shops' rules call for.
                if let Err(error) = crate::operations::visits::sweep(&database, clock.now()).await {
                    tracing::warn!(%error, "visits");
                }
                // Each shop's learned suggestions, retrained daily from its ended cases.
                if let Err(error) =
                    crate::operations::suggestions::retrain(&database, clock.now()).await
                {
                    tracing::warn!(%error, "retraining suggestions");
                }
                // The weekly or monthly reports whose hour has come.
                if let Err(error) =
                    crate::operations::schedules::sweep(&database, clock.now()).await
                {
                    tracing::warn!(%error, "scheduled reports");
                }
            }
        }
        let wait = match timers::next_due(&database.reader).await {
            Ok(Some(due)) => (due - clock.now()).clamp(10_000, 1_000_000),
            _ => 1_000_000,
        };
        if pause(&mut stop, wait).await {
            break;
        }
    }
    // Timers claimed but not fired go back at once, not when their lease runs out.
    match timers::release(&database.writer, &worker).await {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "handed back the timers claimed by this instance"),
        Err(error) => tracing::warn!(%error, "handing back claimed timers"),
    }
}

/// Sends what is due every second, by the workers' clock.
async fn delivery_worker(database: Database, channels: Channels, clock: Clock, mut stop: Stop) {
    loop {
        if let Err(error) = notifications::run_once(&database, &channels, clock.now()).await {
            tracing::warn!(%error, "delivery worker");
        }
        if pause(&mut stop, 1_000_000).await {
            return;
        }
    }
}
