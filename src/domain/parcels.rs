//! Watching parcels on their way: one that has not moved for some days, or is still not
//! delivered some days after it left, is followed up before the customer has to ask.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a parcel stands, as far as after-sales care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParcelState {
    InTransit,
    Delivered,
    /// A problem: refused, returned to sender, lost, failed attempt.
    Exception,
}

impl ParcelState {
    /// `in_transit`, `delivered` or `exception`.
    pub fn parse(text: &str) -> Option<ParcelState> {
        [
            ParcelState::InTransit,
            ParcelState::Delivered,
            ParcelState::Exception,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ParcelState::InTransit => "in_transit",
            ParcelState::Delivered => "delivered",
            ParcelState::Exception => "exception",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingUpdate {
    pub tracking_number: String,
    pub carrier: String,
    pub state: ParcelState,
    /// When the newest scan happened (unix µs), if the push says.
    pub at: Option<i64>,
    /// The newest scan, in the carrier's words.
    pub description: String,
    /// When the carrier expects to deliver it (unix µs), if the push says.
    pub expected: Option<i64>,
}

const DAY_MICROS: i64 = 24 * 3_600_000_000;

/// A shop's limits, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ParcelWatch {
    /// A parcel without a scan for this many days is stalled (default 3).
    pub stalled_days: u32,
    /// A parcel not delivered this many days after shipping is late (default 5).
    pub late_days: u32,
}

impl Default for ParcelWatch {
    fn default() -> Self {
        ParcelWatch {
            stalled_days: 3,
            late_days: 5,
        }
    }
}

/// Why a parcel needs a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    /// No movement for `stalled_days`.
    Stalled,
    /// Not delivered `late_days` after shipping.
    Late,
}

impl Concern {
    pub fn as_str(self) -> &'static str {
        match self {
            Concern::Stalled => "parcel_stalled",
            Concern::Late => "parcel_late",
        }
    }
}

impl ParcelWatch {
    /// Each limit 1 to 60 days.
    pub fn check(&self) -> Result<(), String> {
        for (field, days) in [
            ("stalled_days", self.stalled_days),
            ("late_days", self.late_days),
        ] {
            if !(1..=60).contains(&days) {
                return Err(format!("parcels.{field} must be 1 to 60 days, not {days}"));
            }
        }
        Ok(())
    }

    /// The earliest last movement at which a parcel counts as stalled at `now`.
    pub fn still_since(&self, now: i64) -> i64 {
        now - i64::from(self.stalled_days) * DAY_MICROS
    }

    /// What is wrong with an undelivered parcel shipped at `shipped_at` and last seen moving at
    /// `moved_at`, if anything. Lateness is named first: it is the customer's complaint.
    pub fn concern(&self, shipped_at: Option<i64>, moved_at: i64, now: i64) -> Option<Concern> {
        if shipped_at.is_some_and(|shipped| shipped <= now - i64::from(self.late_days) * DAY_MICROS)
        {
            Some(Concern::Late)
        } else if moved_at <= self.still_since(now) {
            Some(Concern::Stalled)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parcel_is_late_after_five_days_and_stalled_after_three_still() {
        let watch = ParcelWatch::default();
        let now = 100 * DAY_MICROS;
        assert_eq!(
            watch.concern(Some(now - DAY_MICROS), now - DAY_MICROS, now),
            None
        );
        assert_eq!(
            watch.concern(Some(now - 4 * DAY_MICROS), now - 3 * DAY_MICROS, now),
            Some(Concern::Stalled)
        );
        assert_eq!(
            watch.concern(Some(now - 5 * DAY_MICROS), now - DAY_MICROS, now),
            Some(Concern::Late)
        );
        assert_eq!(
            watch.concern(None, now - 2 * DAY_MICROS, now),
            None,
            "a parcel not yet shipped is not late"
        );
    }

    #[test]
    fn limits_are_checked() {
        assert!(ParcelWatch::default().check().is_ok());
        let zero = ParcelWatch {
            stalled_days: 0,
            late_days: 5,
        };
        assert!(zero.check().unwrap_err().contains("stalled_days"));
    }
}
