//! The one clock: handlers, operations, storage and workers ask it the time. Real time, or real
//! time moved by an offset for drills and tests (`APP_CLOCK_OFFSET_HOURS`, or [`Clock::advance`]).
//! This is the only place that reads the system time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Clone, Default, Debug)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    pub fn with_offset_hours(hours: i64) -> Clock {
        let clock = Clock::default();
        clock.advance(hours * 3_600_000_000);
        clock
    }

    /// A separate clock `hours` from this one (earlier when negative): what happened then is
    /// recorded at that time. Moving either later does not move the other.
    pub fn shifted_hours(&self, hours: i64) -> Clock {
        let clock = Clock::default();
        clock.advance(self.offset_micros.load(Ordering::Relaxed) + hours * 3_600_000_000);
        clock
    }

    /// Unix microseconds now, by this clock.
    pub fn now(&self) -> i64 {
        system_micros() + self.offset_micros.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every copy of it) forward by `micros`.
    pub fn advance(&self, micros: i64) {
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

/// The system's time in unix microseconds.
#[allow(clippy::disallowed_methods)]
pub fn system_micros() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}
