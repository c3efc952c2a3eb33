//! Counting periods the way each rule's text counts: "N days after X" starts the day after X and
//! ends at 24:00 of day N (CN-R6, EU-R3, UK-R1/R2/R3); "N days beginning with X" counts day X as
//! day 1 (UK-R6); months from a date for guarantee periods; working days that skip the calendar's
//! holidays (US-R1); and JD's hours counted only inside a daily 09:00–18:00 window (CN-P23).

use jiff::{
    ToSpan, Zoned,
    civil::{Date, DateTime, Time},
    tz::TimeZone,
};

use serde::Serialize;
use utoipa::ToSchema;

use super::decision::{Deadline, Text};
use crate::domain::calendar::WorkingCalendar;

/// How a period's text counts it; every deadline says which (`counting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// "N days after X": X is not counted; day 1 is the next day.
    #[default]
    DaysAfter,
    /// "N days beginning with X": X is day 1.
    DaysBeginningWith,
    /// "N working days after X": only the calendar's working days count.
    WorkingDaysAfter,
    /// "N months (or years) from X": the same date N months on.
    Months,
    /// A moment: N hours (possibly inside a daily window) from X.
    Hours,
}

/// A period of days after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayPeriod {
    /// Day 1: the day after the event.
    pub first_day: Date,
    /// Day N as counted.
    pub counted_last_day: Date,
    /// The last day after any rest-day extension.
    pub last_day: Date,
    pub counting: Counting,
}

impl DayPeriod {
    /// `days` days counted from the day after `event`.
    pub fn after(event: Date, days: i64) -> DayPeriod {
        let first_day = event.saturating_add(1.day());
        let counted_last_day = event.saturating_add(days.days());
        DayPeriod {
            first_day,
            counted_last_day,
            last_day: counted_last_day,
            counting: Counting::DaysAfter,
        }
    }

    /// `days` days beginning with `event` (the event's day is day 1).
    pub fn beginning_with(event: Date, days: i64) -> DayPeriod {
        let counted_last_day = event.saturating_add((days - 1).max(0).days());
        DayPeriod {
            first_day: event,
            counted_last_day,
            last_day: counted_last_day,
            counting: Counting::DaysBeginningWith,
        }
    }

    /// `days` working days after `event`: the days that are not working days are skipped.
    pub fn working_days_after(event: Date, days: i64, calendar: &WorkingCalendar) -> DayPeriod {
        let mut day = event;
        let mut counted = 0;
        while counted < days {
            day = day.saturating_add(1.day());
            if calendar.is_working_day(day) {
                counted += 1;
            }
        }
        DayPeriod {
            first_day: event.saturating_add(1.day()),
            counted_last_day: day,
            last_day: day,
            counting: Counting::WorkingDaysAfter,
        }
    }

    /// From `first_day` to the same date `months` months on.
    pub fn months(first_day: Date, months: i64) -> DayPeriod {
        let end = add_months(first_day, months);
        DayPeriod {
            first_day,
            counted_last_day: end,
            last_day: end,
            counting: Counting::Months,
        }
    }

    /// The same period ending on another day (counted as `counting`).
    pub fn ending(self, last_day: Date) -> DayPeriod {
        DayPeriod {
            counted_last_day: last_day,
            last_day,
            ..self
        }
    }

    /// Moves a last day that is not a working day to the next working day.
    pub fn extended(self, calendar: &WorkingCalendar) -> DayPeriod {
        DayPeriod {
            last_day: calendar.next_working_day(self.counted_last_day),
            ..self
        }
    }

    pub fn was_extended(&self) -> bool {
        self.last_day != self.counted_last_day
    }

    /// The day an act is judged by: its own day when it happened; once the period is over
    /// without it, `today` (so `met` is false as soon as the deadline passes); else none yet.
    pub fn judged(&self, act: Option<Date>, today: Date) -> Option<Date> {
        act.or((today > self.last_day).then_some(today))
    }

    /// Kept if the act happened on or before the last day (local dates).
    pub fn contains(&self, act: Date) -> bool {
        act <= self.last_day
    }
}

/// Midnight starting the day after `last_day`: the first moment that is too late.
pub fn end_of_day(last_day: Date, zone: &TimeZone) -> Zoned {
    last_day
        .saturating_add(1.day())
        .to_datetime(Time::midnight())
        .to_zoned(zone.clone())
        .unwrap_or_else(|_| Zoned::new(jiff::Timestamp::UNIX_EPOCH, zone.clone()))
}

/// The date `months` months after `date` (clamped to the month's end, e.g. 01-31 + 1 → 02-28).
pub fn add_months(date: Date, months: i64) -> Date {
    date.saturating_add(months.months())
}

/// Adds `minutes` counted only between `opens` and `closes` each day (every day counts).
/// JD's example: 14:01 + 4 h in 09:00–18:00 → 09:01 the next day.
pub fn add_window_minutes(start: &Zoned, minutes: i64, opens: Time, closes: Time) -> Zoned {
    let zone = start.time_zone().clone();
    let mut cursor: DateTime = start.datetime();
    let mut left = minutes;
    for _ in 0..10_000 {
        let day = cursor.date();
        let open = day.to_datetime(opens);
        let close = day.to_datetime(closes);
        if cursor < open {
            cursor = open;
        }
        if cursor >= close {
            cursor = day.saturating_add(1.day()).to_datetime(opens);
            continue;
        }
        let available = cursor
            .until(close)
            .map(|span| span.get_hours() as i64 * 60 + span.get_minutes())
            .unwrap_or(0);
        if left <= available {
            cursor = cursor.saturating_add(left.minutes());
            break;
        }
        left -= available;
        cursor = day.saturating_add(1.day()).to_datetime(opens);
    }
    cursor.to_zoned(zone).unwrap_or_else(|_| start.clone())
}

/// Writes a day period as a deadline.
pub fn deadline(
    name: &str,
    period: &DayPeriod,
    zone: &TimeZone,
    act: Option<Date>,
    ids: &[&str],
    explanation: Text,
) -> Deadline {
    Deadline {
        name: name.into(),
        starts: Some(period.first_day.to_string()),
        last_day: period.last_day.to_string(),
        ends_before: format_zoned(&end_of_day(period.last_day, zone)),
        met: act.map(|date| period.contains(date)),
        counting: period.counting,
        rules: super::decision::rules(ids),
        explanation,
    }
}

/// A deadline that is a moment rather than a day.
pub fn moment_deadline(
    name: &str,
    ends: &Zoned,
    act: Option<&Zoned>,
    ids: &[&str],
    explanation: Text,
) -> Deadline {
    Deadline {
        name: name.into(),
        starts: None,
        last_day: ends.date().to_string(),
        ends_before: format_zoned(ends),
        met: act.map(|moment| moment.timestamp() <= ends.timestamp()),
        counting: Counting::Hours,
        rules: super::decision::rules(ids),
        explanation,
    }
}

pub fn format_zoned(moment: &Zoned) -> String {
    moment.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn shanghai(text: &str) -> Zoned {
        text.parse::<DateTime>()
            .unwrap()
            .to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
            .unwrap()
    }

    #[test]
    fn the_event_day_is_not_counted() {
        let period = DayPeriod::after(date(2026, 6, 1), 7);
        assert_eq!(period.first_day, date(2026, 6, 2));
        assert_eq!(period.last_day, date(2026, 6, 8));
        assert!(period.contains(date(2026, 6, 8)));
        assert!(!period.contains(date(2026, 6, 9)));
    }

    #[test]
    fn a_sunday_end_moves_to_monday_when_extended() {
        let calendar = WorkingCalendar::china();
        let period = DayPeriod::after(date(2026, 3, 1), 7).extended(&calendar);
        assert_eq!(period.counted_last_day, date(2026, 3, 8));
        assert_eq!(period.last_day, date(2026, 3, 9));
        assert!(period.was_extended());
    }

    #[test]
    fn jd_window_hours() {
        let nine = time(9, 0, 0, 0);
        let six = time(18, 0, 0, 0);
        let due = add_window_minutes(&shanghai("2026-06-01T14:01"), 240, nine, six);
        assert_eq!(
            due.datetime(),
            "2026-06-02T09:01".parse::<DateTime>().unwrap()
        );
        let due = add_window_minutes(&shanghai("2026-06-01T10:00"), 240, nine, six);
        assert_eq!(
            due.datetime(),
            "2026-06-01T14:00".parse::<DateTime>().unwrap()
        );
        let due = add_window_minutes(&shanghai("2026-06-01T20:00"), 240, nine, six);
        assert_eq!(
            due.datetime(),
            "2026-06-02T13:00".parse::<DateTime>().unwrap()
        );
    }

    #[test]
    fn beginning_with_counts_the_event_day() {
        // UK-R6: 14 days beginning with Monday 2026-06-01 end on Sunday 06-14.
        let period = DayPeriod::beginning_with(date(2026, 6, 1), 14);
        assert_eq!(period.first_day, date(2026, 6, 1));
        assert_eq!(period.last_day, date(2026, 6, 14));
        assert!(period.contains(date(2026, 6, 14)));
        assert!(!period.contains(date(2026, 6, 15)));
        assert_eq!(
            DayPeriod::after(date(2026, 6, 1), 14).last_day,
            date(2026, 6, 15)
        );
    }

    #[test]
    fn months_clamp_to_the_month_end() {
        assert_eq!(add_months(date(2026, 1, 31), 1), date(2026, 2, 28));
        assert_eq!(add_months(date(2026, 3, 16), 12), date(2027, 3, 16));
    }
}
