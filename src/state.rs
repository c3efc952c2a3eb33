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

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub database: Database,
    pub tokens: Arc<TokenCache>,
    pub config: Arc<Config>,
    pub clock: Clock,
}

impl AppState {
    pub fn new(database: Database, config: Config) -> AppState {
        let clock = Clock::with_offset_hours(config.clock_offset_hours);
        AppState {
            database: database.with_clock(clock.clone()),
            tokens: Arc::new(TokenCache::default()),
            config: Arc::new(config),
            clock,
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
