//! Service levels: targets for first response and resolution per kind, priority and customer
//! tier, counted in calendar hours or in business hours on a working calendar; paused while the
//! case waits on the customer or on a parcel in transit.

use std::sync::Arc;

use jiff::{
    Span, Timestamp, ToSpan, Zoned,
    civil::{Date, Time},
    tz::TimeZone,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::{CalendarFile, WorkingCalendar};
use super::case::{CaseKind, Priority, Status};

/// A shop's SLA settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaSettings {
    /// The most specific matching target applies; a target without kind/priority/tier matches all.
    #[serde(default = "default_targets")]
    pub targets: Vec<SlaTarget>,
    /// `business` (default): only working hours on working days count; `calendar`: every hour.
    #[serde(default)]
    pub hours: HoursMode,
    /// Working hours each working day, local time.
    #[serde(default = "default_opens")]
    #[schema(value_type = String, example = "09:00")]
    pub opens: Time,
    #[serde(default = "default_closes")]
    #[schema(value_type = String, example = "18:00")]
    pub closes: Time,
    /// The shop's own years (same format as assets/calendar), laid over China's published ones.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub calendar: Option<CalendarFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaTarget {
    #[serde(default)]
    pub kind: Option<CaseKind>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub tier: Option<String>,
    pub first_response_hours: u32,
    pub resolution_hours: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HoursMode {
    #[default]
    Business,
    Calendar,
}

fn default_targets() -> Vec<SlaTarget> {
    let target = |priority, first_response_hours, resolution_hours| SlaTarget {
        kind: None,
        priority,
        tier: None,
        first_response_hours,
        resolution_hours,
    };
    vec![
        target(None, 8, 40),
        target(Some(Priority::High), 4, 24),
        target(Some(Priority::Urgent), 2, 8),
    ]
}

fn default_opens() -> Time {
    Time::constant(9, 0, 0, 0)
}

fn default_closes() -> Time {
    Time::constant(18, 0, 0, 0)
}

impl Default for SlaSettings {
    fn default() -> Self {
        SlaSettings {
            targets: default_targets(),
            hours: HoursMode::Business,
            opens: default_opens(),
            closes: default_closes(),
            calendar: None,
        }
    }
}

impl SlaSettings {
    pub fn check(&self) -> Result<(), String> {
        if self.opens >= self.closes {
            return Err("sla: opens must be before closes".into());
        }
        if self.targets.is_empty() {
            return Err("sla: at least one target is needed".into());
        }
        for (index, target) in self.targets.iter().enumerate() {
            if target.first_response_hours == 0 || target.resolution_hours == 0 {
                return Err(format!("sla.targets[{index}]: hours must be at least 1"));
            }
            if target.first_response_hours > target.resolution_hours {
                return Err(format!(
                    "sla.targets[{index}]: first response must not come after resolution"
                ));
            }
            if target.resolution_hours > 24 * 365 {
                return Err(format!("sla.targets[{index}]: at most 8760 hours"));
            }
        }
        if let Some(calendar) = &self.calendar {
            WorkingCalendar::from_file(calendar)?;
        }
        Ok(())
    }

    /// The target for a case: the matching target with the most fields given.
    pub fn target(&self, kind: CaseKind, priority: Priority, tier: Option<&str>) -> (u32, u32) {
        self.targets
            .iter()
            .filter(|target| {
                target.kind.is_none_or(|each| each == kind)
                    && target.priority.is_none_or(|each| each == priority)
                    && target.tier.as_deref().is_none_or(|each| Some(each) == tier)
            })
            .max_by_key(|target| {
                usize::from(target.kind.is_some())
                    + usize::from(target.priority.is_some())
                    + usize::from(target.tier.is_some())
            })
            .map(|target| (target.first_response_hours, target.resolution_hours))
            .unwrap_or((8, 40))
    }

    /// The working calendar: China's published one with the shop's own years laid over it.
    pub fn calendar(&self) -> Arc<WorkingCalendar> {
        let china = WorkingCalendar::china();
        match &self.calendar {
            Some(file) => china.with(file).map(Arc::new).unwrap_or(china),
            None => china,
        }
    }

    /// The clock that counts this shop's SLA time.
    pub fn working_time(&self, zone: &TimeZone) -> WorkingTime {
        let calendar = self.calendar();
        WorkingTime {
            calendar,
            zone: zone.clone(),
            opens: self.opens,
            closes: self.closes,
            business: self.hours == HoursMode::Business,
        }
    }
}

/// Whether the SLA clock stands still in this status: the case waits on the customer or a parcel.
pub fn paused_in(status: Status) -> bool {
    matches!(
        status,
        Status::WaitingOnCustomer
            | Status::Approved
            | Status::ReturnShipped
            | Status::ReplacementShipped
            | Status::ShippedBack
    )
}

/// Whether the case's outcome has been delivered (the resolution target is met).
pub fn resolved_in(status: Status) -> bool {
    !status.is_open() || matches!(status, Status::Refunded | Status::Resolved)
}

/// A case's SLA figures (read from the case's row as they are named here).
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct SlaState {
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub first_response_due: Option<i64>,
    pub resolution_due: Option<i64>,
    pub paused_at: Option<i64>,
    /// Working minutes spent paused so far.
    pub paused_minutes: i64,
    /// Working minutes from opening to resolution, pauses excluded.
    pub business_minutes: Option<i64>,
    /// `first_response` or `resolution`: the first target missed.
    pub breached: Option<String>,
}

/// The SLA figures after a change that leaves the case in `to`, made by staff or not, at `now`:
/// the first staff response is recorded; entering a waiting status pauses, leaving it resumes
/// and moves every open target by the working time spent waiting; reaching an outcome resolves.
pub fn advance(
    before: &SlaState,
    to: Status,
    by_staff: bool,
    opened_at: i64,
    now: i64,
    working: &WorkingTime,
) -> SlaState {
    let mut state = before.clone();
    if by_staff && state.first_response_at.is_none() {
        state.first_response_at = Some(now);
    }
    let waiting = paused_in(to) && !resolved_in(to);
    if let Some(paused_at) = state.paused_at.filter(|_| !waiting) {
        let paused = working.minutes_between(paused_at, now);
        state.paused_minutes += paused;
        state.paused_at = None;
        if state.first_response_at.is_none() {
            state.first_response_due = state
                .first_response_due
                .map(|due| working.add_minutes(due, paused));
        }
        state.resolution_due = state
            .resolution_due
            .map(|due| working.add_minutes(due, paused));
    }
    if resolved_in(to) {
        if state.resolved_at.is_none() {
            state.resolved_at = Some(now);
            state.business_minutes =
                Some((working.minutes_between(opened_at, now) - state.paused_minutes).max(0));
        }
    } else {
        if state.resolved_at.is_some() {
            // Reopened: the outcome is owed again.
            state.resolved_at = None;
            state.business_minutes = None;
        }
        if waiting && state.paused_at.is_none() {
            state.paused_at = Some(now);
        }
    }
    state
}

/// Counts working minutes in a zone: business hours on working days, or every minute.
#[derive(Debug, Clone)]
pub struct WorkingTime {
    pub calendar: Arc<WorkingCalendar>,
    pub zone: TimeZone,
    pub opens: Time,
    pub closes: Time,
    pub business: bool,
}

impl WorkingTime {
    fn zoned(&self, micros: i64) -> Zoned {
        Timestamp::from_microsecond(micros)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned(self.zone.clone())
    }

    fn at(&self, date: Date, time: Time) -> i64 {
        date.to_datetime(time)
            .to_zoned(self.zone.clone())
            .map(|zoned| zoned.timestamp().as_microsecond())
            .unwrap_or(0)
    }

    /// The working window of a day in unix microseconds, if it is a working day.
    fn window(&self, date: Date) -> Option<(i64, i64)> {
        self.calendar
            .is_working_day(date)
            .then(|| (self.at(date, self.opens), self.at(date, self.closes)))
    }

    /// The moment `minutes` working minutes after `start`.
    pub fn add_minutes(&self, start: i64, minutes: i64) -> i64 {
        if !self.business {
            return start + minutes * 60_000_000;
        }
        let mut left = minutes * 60_000_000;
        let mut date = self.zoned(start).date();
        let mut cursor = start;
        for _ in 0..3700 {
            if let Some((open, close)) = self.window(date) {
                let from = cursor.max(open);
                if from < close {
                    if from + left <= close {
                        return from + left;
                    }
                    left -= close - from;
                }
            }
            date = date.saturating_add(1.day());
            cursor = self.at(date, Time::midnight());
        }
        cursor + left
    }

    /// Working minutes between two moments (0 if `to` is not after `from`).
    pub fn minutes_between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        if !self.business {
            return (to - from) / 60_000_000;
        }
        let mut total = 0_i64;
        let mut date = self.zoned(from).date();
        let last = self.zoned(to).date();
        while date <= last {
            if let Some((open, close)) = self.window(date) {
                let start = from.max(open);
                let end = to.min(close);
                if end > start {
                    total += end - start;
                }
            }
            date = date.saturating_add(Span::new().days(1));
        }
        total / 60_000_000
    }
}

#[cfg(test)]
mod tests;
