//! Background work that must survive restarts: the clocks' timers (and, once a minute, the
//! parcels that stalled or ran late). Rows in the database are
//! the queue; any number of server instances run a worker; each timer fires once.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::db::Database;
use crate::db::timers;
use crate::domain::time::now_micros;
use crate::operations::clocks::{self, Fired};

/// How long a claimed timer stays with its worker before another may take it over.
pub const LEASE_MICROS: i64 = 60_000_000;
/// A timer that failed is tried again this much later …
pub const RETRY_MICROS: i64 = 60_000_000;
/// … up to this many attempts; then it is left as `failed` for a person to look at.
pub const MAX_ATTEMPTS: i64 = 5;
const BATCH: i64 = 50;
/// How often the worker looks for parcels that stalled or ran late.
const PARCEL_SWEEP_MICROS: i64 = 60_000_000;

/// The time the workers go by: the real time plus an offset (zero unless a drill or test moves it).
#[derive(Clone, Default)]
pub struct WorkerClock {
    offset_micros: Arc<AtomicI64>,
}

impl WorkerClock {
    pub fn with_offset_hours(hours: i64) -> WorkerClock {
        let clock = WorkerClock::default();
        clock
            .offset_micros
            .store(hours * 3_600_000_000, Ordering::Relaxed);
        clock
    }

    pub fn now(&self) -> i64 {
        now_micros() + self.offset_micros.load(Ordering::Relaxed)
    }
}

/// A name unique to this worker, for leases.
pub fn worker_name() -> String {
    format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple())
}

/// Claims and fires every timer due at `now`; returns what each did. Errors on one timer put it
/// back for a retry and do not stop the others.
pub async fn run_due(database: &Database, worker: &str, now: i64) -> anyhow::Result<Vec<Fired>> {
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
            match clocks::fire(database, worker, timer, now).await {
                Ok(fired) => done.push(fired),
                Err(error) if timer.attempts >= MAX_ATTEMPTS => {
                    tracing::error!(timer = %timer.id, %error, "timer failed {MAX_ATTEMPTS} times; giving up");
                    timers::give_up(&database.writer, &timer.id, &error.to_string(), now).await?;
                }
                Err(error) => {
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

/// Runs the worker until the process ends: fires what is due, then sleeps until the next timer
/// (at most a second, so timers added by other instances are seen quickly).
pub fn spawn(database: Database, clock: WorkerClock) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let worker = worker_name();
        let mut parcels_checked: Option<i64> = None;
        loop {
            if let Err(error) = run_due(&database, &worker, clock.now()).await {
                tracing::warn!(%error, "timer worker");
            }
            // Stalled and late parcels: looked for once a minute.
            if parcels_checked.is_none_or(|at| clock.now() - at >= PARCEL_SWEEP_MICROS) {
                parcels_checked = Some(clock.now());
                if let Err(error) = crate::operations::parcels::sweep(&database, clock.now()).await
                {
                    tracing::warn!(%error, "parcel sweep");
                }
            }
            let wait = match timers::next_due(&database.reader).await {
                Ok(Some(due)) => (due - clock.now()).clamp(10_000, 1_000_000),
                _ => 1_000_000,
            };
            tokio::time::sleep(Duration::from_micros(wait as u64)).await;
        }
    })
}
