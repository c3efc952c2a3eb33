//! What every handler can reach: the database, the token cache, the configuration and the
//! clock. Its own module, so that the front ends and the app that assembles them do not import
//! each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Database;
use crate::db::shops::Actor;

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

/// Recently seen tokens, so a busy client does not cost a database read per request. Entries
/// live a few seconds, so a revoked token stops working almost at once.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Instant, Actor)>>,
}

const TOKEN_TTL: Duration = Duration::from_secs(5);

impl TokenCache {
    pub fn get(&self, hash: &str) -> Option<Actor> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(hash)
            .filter(|(at, _)| at.elapsed() < TOKEN_TTL)
            .map(|(_, actor)| actor.clone())
    }

    pub fn put(&self, hash: String, actor: Actor) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (at, _)| at.elapsed() < TOKEN_TTL);
            }
            entries.insert(hash, (Instant::now(), actor));
        }
    }
}
