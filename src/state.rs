//! What every handler can reach: the database, the configuration and the
//! clock. Its own module, so that the front ends and the app that assembles them do not import
//! each other.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Database;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub database: Database,
    pub config: Arc<Config>,
    pub clock: Clock,
}

impl AppState {
    pub fn new(database: Database, config: Config) -> AppState {
        let clock = Clock::with_offset_hours(config.clock_offset_hours);
        AppState {
            database: database.with_clock(clock.clone()),
            config: Arc::new(config),
            clock,
        }
    }
}
