//! Scheduled reports: the shop's KPIs of the week or month just over, e-mailed to its managers
//! once (docs/MANAGEMENT.md, "Scheduled reports").

use jiff::ToSpan;
use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    #[default]
    Off,
    /// On Mondays, the week before (Monday to Sunday).
    Weekly,
    /// On the 1st, the month before.
    Monthly,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    #[serde(default)]
    pub schedule: Schedule,
    /// Who receives it; none: the shop's supervisors and administrators.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// The shop's local hour it goes out at, 0–23 (default 8).
    #[serde(default)]
    pub hour: Option<u8>,
}

impl ReportSettings {
    pub fn hour(&self) -> u8 {
        self.hour.unwrap_or(8)
    }

    pub fn check(&self) -> Result<(), String> {
        if self.hour.is_some_and(|hour| hour > 23) {
            return Err("hour is 0 to 23".into());
        }
        if self.recipients.len() > 20 {
            return Err("at most 20 recipients".into());
        }
        for (index, address) in self.recipients.iter().enumerate() {
            let address = address.trim();
            let valid = address.len() <= 254
                && address
                    .split_once('@')
                    .is_some_and(|(name, host)| !name.is_empty() && host.contains('.'));
            if !valid {
                return Err(format!(
                    "recipients[{index}] '{address}' is not an e-mail address"
                ));
            }
        }
        Ok(())
    }
}

/// A period a report covers: its key (`week:2026-11-23`, `month:2026-11`), first and last day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub key: String,
    pub from: Date,
    pub to: Date,
}

/// The period whose report is due at the shop's local time `now`: the latest week or month
/// that is over and whose sending hour has come (none when the schedule is off).
pub fn due(settings: &ReportSettings, now: DateTime) -> Option<Period> {
    let (start, period) = ended_before(settings.schedule, now.date())?;
    let sending = start.to_datetime(jiff::civil::time(settings.hour() as i8, 0, 0, 0));
    if now >= sending {
        return Some(period);
    }
    // Before the hour on the sending day: the period before, whose hour has long come.
    ended_before(settings.schedule, start.yesterday().ok()?).map(|(_, period)| period)
}

/// The latest period over by `today`, with the day it ended before (its sending day).
fn ended_before(schedule: Schedule, today: Date) -> Option<(Date, Period)> {
    match schedule {
        Schedule::Off => None,
        Schedule::Weekly => {
            let back = i64::from(today.weekday().to_monday_zero_offset());
            let monday = today.checked_sub(back.days()).ok()?;
            let from = monday.checked_sub(7.days()).ok()?;
            let key = format!("week:{from}");
            let to = monday.yesterday().ok()?;
            Some((monday, Period { key, from, to }))
        }
        Schedule::Monthly => {
            let first = today.first_of_month();
            let from = first.checked_sub(1.month()).ok()?;
            let key = format!("month:{}", from.strftime("%Y-%m"));
            let to = first.yesterday().ok()?;
            Some((first, Period { key, from, to }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn settings(schedule: Schedule) -> ReportSettings {
        ReportSettings {
            schedule,
            ..ReportSettings::default()
        }
    }

    #[test]
    fn a_weekly_report_covers_the_week_before_from_monday_at_its_hour() {
        let weekly = settings(Schedule::Weekly);
        // Monday 2026-12-07, 07:59: the last week's report is not due yet; the one before is.
        let early = due(&weekly, date(2026, 12, 7).at(7, 59, 0, 0)).unwrap();
        assert_eq!(early.key, "week:2026-11-23");
        let period = due(&weekly, date(2026, 12, 7).at(8, 0, 0, 0)).unwrap();
        assert_eq!(period.key, "week:2026-11-30");
        assert_eq!(
            (period.from, period.to),
            (date(2026, 11, 30), date(2026, 12, 6))
        );
        // All week long the same period is due (sent once: the key is recorded).
        let sunday = due(&weekly, date(2026, 12, 13).at(23, 0, 0, 0)).unwrap();
        assert_eq!(sunday.key, "week:2026-11-30");
    }

    #[test]
    fn a_monthly_report_covers_the_month_before_from_the_first() {
        let monthly = ReportSettings {
            hour: Some(9),
            ..settings(Schedule::Monthly)
        };
        let period = due(&monthly, date(2027, 1, 1).at(9, 0, 0, 0)).unwrap();
        assert_eq!(period.key, "month:2026-12");
        assert_eq!(
            (period.from, period.to),
            (date(2026, 12, 1), date(2026, 12, 31))
        );
        let before = due(&monthly, date(2027, 1, 1).at(8, 59, 0, 0)).unwrap();
        assert_eq!(before.key, "month:2026-11");
        let march = due(&monthly, date(2028, 3, 15).at(12, 0, 0, 0)).unwrap();
        assert_eq!(
            march.to,
            date(2028, 2, 29),
            "a leap February ends on the 29th"
        );
        assert_eq!(
            due(&settings(Schedule::Off), date(2027, 1, 1).at(9, 0, 0, 0)),
            None
        );
    }

    #[test]
    fn recipients_and_hour_are_checked() {
        let wrong = ReportSettings {
            recipients: vec!["boss@shop.cn".into(), "boss".into()],
            ..settings(Schedule::Weekly)
        };
        assert!(wrong.check().unwrap_err().contains("recipients[1]"));
        let late = ReportSettings {
            hour: Some(24),
            ..settings(Schedule::Weekly)
        };
        assert!(late.check().is_err());
    }
}
