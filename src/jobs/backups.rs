//! The nightly backup (`backup_dir`, `backup_at`, `backup_keep`): each day at the set time one
//! instance (whichever records the day first) writes a backup into the folder and deletes the
//! oldest beyond the number kept.

use std::path::PathBuf;

use crate::clock::Clock;
use crate::db::{Database, backups};
use crate::operations::backup;

use super::{Stop, pause};

pub struct Nightly {
    pub directory: PathBuf,
    pub keep: u32,
    pub at: jiff::civil::Time,
    pub url: String,
}

/// Sleeps until the next `at` in the server's time zone, backs up, and again.
pub async fn worker(database: Database, nightly: Nightly, clock: Clock, mut stop: Stop) {
    let zone = jiff::tz::TimeZone::system();
    let instance = super::worker_name();
    loop {
        let now = clock.now();
        let Some(next) = next_run(now, nightly.at, &zone) else {
            tracing::error!("the nightly backup's next time cannot be computed; no more backups");
            return;
        };
        if pause(&mut stop, next.timestamp().as_microsecond() - now).await {
            return;
        }
        if let Err(error) = once(&database, &nightly, &instance, &clock, &next).await {
            tracing::error!(%error, "nightly backup");
        }
    }
}

/// The first `at` in `zone` after `now` (today's, or else tomorrow's).
pub fn next_run(now: i64, at: jiff::civil::Time, zone: &jiff::tz::TimeZone) -> Option<jiff::Zoned> {
    let here = jiff::Timestamp::from_microsecond(now)
        .ok()?
        .to_zoned(zone.clone());
    let today = here.date().to_datetime(at);
    match today.to_zoned(zone.clone()) {
        Ok(time) if time > here => Some(time),
        _ => today
            .checked_add(jiff::Span::new().days(1))
            .ok()?
            .to_zoned(zone.clone())
            .ok(),
    }
}

/// The backup due at `at`, by `instance`, unless another instance took that day's; true when
/// this one made it.
pub async fn once(
    database: &Database,
    nightly: &Nightly,
    instance: &str,
    clock: &Clock,
    at: &jiff::Zoned,
) -> anyhow::Result<bool> {
    let day = at.date().to_string();
    if !backups::claim(&database.writer, &day, instance, clock.now()).await? {
        return Ok(false);
    }
    let name = backup::nightly_name(database.backend, &at.strftime("%Y%m%d-%H%M").to_string());
    let file = nightly.directory.join(name);
    match backup::backup(database, &nightly.url, &file).await {
        Ok(made) => {
            let path = made.file.display().to_string();
            let bytes = i64::try_from(made.bytes).unwrap_or(i64::MAX);
            backups::finish(&database.writer, &day, Ok((&path, bytes)), clock.now()).await?;
            tracing::info!(file = %path, bytes, "nightly backup written");
            let deleted = backup::prune(&nightly.directory, nightly.keep as usize)?;
            if !deleted.is_empty() {
                tracing::info!(?deleted, "old backups deleted");
            }
        }
        Err(error) => {
            let text = format!("{error:#}");
            backups::finish(&database.writer, &day, Err(&text), clock.now()).await?;
            anyhow::bail!(text);
        }
    }
    Ok(true)
}
