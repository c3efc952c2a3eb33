//! What every handler can reach: the database, the token cache, the configuration and the
//! clock. Its own module, so that the front ends and the app that assembles them do not import
//! each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Database;
use crate::db::tokens::{self, Bearer};
use crate::integrations::intake::Intake;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub database: Database,
    pub tokens: Arc<TokenCache>,
    pub config: Arc<Config>,
    pub clock: Clock,
    /// Who has which case open, and the signal that ends the pages' live streams.
    pub live: Arc<Live>,
    /// The queue that applies order webhooks in groups.
    pub intake: Intake,
}

impl AppState {
    pub fn new(database: Database, config: Config) -> AppState {
        let clock = Clock::with_offset_hours(config.clock_offset_hours);
        let database = database.with_clock(clock.clone());
        let intake = Intake::start(database.clone());
        AppState {
            database,
            tokens: Arc::new(TokenCache::default()),
            config: Arc::new(config),
            clock,
            live: Arc::new(Live::default()),
            intake,
        }
    }
}

/// Tokens seen in the last moments, with the write generation they were read at: a busy client
/// costs no database read per request, and any change to what a token may do on this instance
/// (`db::tokens::powers_changed`) drops them at once; on other instances they last at most
/// [`CACHED_FOR`].
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Instant, u64, Bearer)>>,
}

const CACHED_FOR: Duration = Duration::from_secs(2);

impl TokenCache {
    pub fn get(&self, hash: &str) -> Option<Bearer> {
        let generation = tokens::generation();
        let entries = self.entries.lock().ok()?;
        entries
            .get(hash)
            .filter(|(at, seen, _)| *seen == generation && at.elapsed() < CACHED_FOR)
            .map(|(_, _, bearer)| bearer.clone())
    }

    /// Keeps what was read at `generation` (taken before the read, so a change during it
    /// counts as newer).
    pub fn put(&self, hash: String, generation: u64, bearer: Bearer) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (at, seen, _)| *seen == generation && at.elapsed() < CACHED_FOR);
            }
            entries.insert(hash, (Instant::now(), generation, bearer));
        }
    }
}

/// The case pages open on this instance (case id → session → name and when last seen), and the
/// signal that ends their live streams when the server stops (so a graceful shutdown does not
/// wait on them). Presence is per instance: behind a proxy with several instances a viewer on
/// another one is not listed (never one who is not there).
/// Per case: each session's viewer's name and when the viewer was last seen.
type Viewers = HashMap<String, HashMap<String, (String, Instant)>>;

pub struct Live {
    viewers: Mutex<Viewers>,
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for Live {
    fn default() -> Live {
        Live {
            viewers: Mutex::new(HashMap::new()),
            closing: tokio::sync::watch::channel(false).0,
        }
    }
}

impl Live {
    /// Marks `session` (named `name`) as looking at `case` now.
    pub fn seen(&self, case: &str, session: &str, name: &str) {
        if let Ok(mut viewers) = self.viewers.lock() {
            viewers
                .entry(case.to_string())
                .or_default()
                .insert(session.to_string(), (name.to_string(), Instant::now()));
        }
    }

    pub fn left(&self, case: &str, session: &str) {
        if let Ok(mut viewers) = self.viewers.lock()
            && let Some(sessions) = viewers.get_mut(case)
        {
            sessions.remove(session);
            if sessions.is_empty() {
                viewers.remove(case);
            }
        }
    }

    /// The names of the others looking at `case` (seen in the last half minute), sorted.
    pub fn others(&self, case: &str, session: &str) -> Vec<String> {
        let Ok(viewers) = self.viewers.lock() else {
            return Vec::new();
        };
        let mut names: Vec<String> = viewers
            .get(case)
            .into_iter()
            .flatten()
            .filter(|(other, (_, at))| *other != session && at.elapsed() < Duration::from_secs(30))
            .map(|(_, (name, _))| name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Ends every live stream (the server is stopping).
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }

    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }
}
