//! Working calendars: which days are working days, with public holidays and make-up
//! working days (调休). A year the calendar does not cover is *unknown*, never guessed silently.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock};

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// China's calendar for the years the State Council has published (assets/calendar).
pub const CHINA_JSON: &str = include_str!("../../assets/calendar/cn-working-calendar.json");

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    years: BTreeMap<i16, Year>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Year {
    holidays: BTreeSet<Date>,
    makeup_workdays: BTreeSet<Date>,
}

/// The file format: the shared data's shape, also what a shop uploads to edit its calendar.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct CalendarFile {
    pub years: BTreeMap<String, YearFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct YearFile {
    #[serde(default)]
    pub holidays: Vec<HolidayFile>,
    #[serde(default)]
    pub makeup_workdays: Vec<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct HolidayFile {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub start: Date,
    pub end: Date,
}

impl WorkingCalendar {
    /// China's published calendar, shipped with the binary (read once, shared).
    pub fn china() -> Arc<WorkingCalendar> {
        static CHINA: LazyLock<Arc<WorkingCalendar>> = LazyLock::new(|| {
            Arc::new(WorkingCalendar::from_json(CHINA_JSON).expect("the shipped calendar is valid"))
        });
        CHINA.clone()
    }

    /// The United States' federal holidays (5 U.S.C. 6103), computed for 1990–2100: a holiday
    /// on a Saturday is observed the Friday before, on a Sunday the Monday after.
    pub fn united_states() -> Arc<WorkingCalendar> {
        static UNITED_STATES: LazyLock<Arc<WorkingCalendar>> = LazyLock::new(|| {
            let mut years: BTreeMap<i16, Year> = BTreeMap::new();
            for year in 1990..=2100_i16 {
                years.entry(year).or_default();
                for holiday in federal_holidays(year) {
                    years
                        .entry(holiday.year())
                        .or_default()
                        .holidays
                        .insert(holiday);
                }
            }
            Arc::new(WorkingCalendar { years })
        });
        UNITED_STATES.clone()
    }

    /// A calendar that knows only weekends (for jurisdictions without a holiday list).
    pub fn weekends_only() -> Arc<WorkingCalendar> {
        static WEEKENDS: LazyLock<Arc<WorkingCalendar>> =
            LazyLock::new(|| Arc::new(WorkingCalendar::default()));
        WEEKENDS.clone()
    }

    pub fn from_json(json: &str) -> Result<WorkingCalendar, String> {
        let file: CalendarFile =
            serde_json::from_str(json).map_err(|error| format!("calendar: {error}"))?;
        WorkingCalendar::from_file(&file)
    }

    pub fn from_file(file: &CalendarFile) -> Result<WorkingCalendar, String> {
        let mut years = BTreeMap::new();
        for (name, year_file) in &file.years {
            let year: i16 = name
                .parse()
                .map_err(|_| format!("calendar: '{name}' is not a year"))?;
            let mut entry = Year::default();
            for holiday in &year_file.holidays {
                if holiday.end < holiday.start {
                    return Err(format!(
                        "calendar: holiday '{}' ends before it starts",
                        holiday.name
                    ));
                }
                let mut day = holiday.start;
                while day <= holiday.end {
                    entry.holidays.insert(day);
                    day = day.tomorrow().map_err(|error| error.to_string())?;
                }
            }
            entry
                .makeup_workdays
                .extend(year_file.makeup_workdays.iter().copied());
            years.insert(year, entry);
        }
        Ok(WorkingCalendar { years })
    }

    /// This calendar with a shop's own years laid over it: a year the file gives replaces the
    /// shipped one, the others stay (a shop adds 2027 without losing 2025 and 2026).
    pub fn with(&self, file: &CalendarFile) -> Result<WorkingCalendar, String> {
        let own = WorkingCalendar::from_file(file)?;
        let mut years = self.years.clone();
        years.extend(own.years);
        Ok(WorkingCalendar { years })
    }

    /// The years whose holidays are not known that clocks running on `today` reach: this year,
    /// and from 1 November (when the State Council's notice for the next year is due) the next.
    pub fn unknown_years(&self, today: Date) -> Vec<i16> {
        let mut years = vec![today.year()];
        if today.month() >= 11 {
            years.push(today.year() + 1);
        }
        years
            .into_iter()
            .filter(|year| !self.years.contains_key(year))
            .collect()
    }

    /// Whether the calendar has a published list for this date's year.
    pub fn knows(&self, date: Date) -> bool {
        self.years.contains_key(&date.year())
    }

    pub fn years(&self) -> Vec<i16> {
        self.years.keys().copied().collect()
    }

    /// A working day: Monday–Friday unless a holiday, or a make-up working day.
    /// Years the calendar does not know follow the plain week.
    pub fn is_working_day(&self, date: Date) -> bool {
        if let Some(year) = self.years.get(&date.year()) {
            if year.makeup_workdays.contains(&date) {
                return true;
            }
            if year.holidays.contains(&date) {
                return false;
            }
        }
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    pub fn is_holiday(&self, date: Date) -> bool {
        self.years
            .get(&date.year())
            .is_some_and(|year| year.holidays.contains(&date))
    }

    /// The first working day on or after `date`.
    pub fn next_working_day(&self, date: Date) -> Date {
        let mut day = date;
        for _ in 0..60 {
            if self.is_working_day(day) {
                return day;
            }
            day = day.tomorrow().unwrap_or(day);
        }
        day
    }
}

/// The observed federal holidays of a year (New Year's Day observed on 31 December of the year
/// before when 1 January is a Saturday).
fn federal_holidays(year: i16) -> Vec<Date> {
    let nth = |month: i8, weekday: Weekday, n: i32| {
        Date::new(year, month, 1)
            .and_then(|first| first.nth_weekday_of_month(n as i8, weekday))
            .ok()
    };
    let last = |month: i8, weekday: Weekday| {
        Date::new(year, month, 1)
            .and_then(|first| first.nth_weekday_of_month(-1, weekday))
            .ok()
    };
    let observed = |month: i8, day: i8| {
        Date::new(year, month, day)
            .ok()
            .map(|date| match date.weekday() {
                Weekday::Saturday => date.yesterday().unwrap_or(date),
                Weekday::Sunday => date.tomorrow().unwrap_or(date),
                _ => date,
            })
    };
    let mut days = vec![
        observed(1, 1),
        nth(1, Weekday::Monday, 3),
        nth(2, Weekday::Monday, 3),
        last(5, Weekday::Monday),
        observed(7, 4),
        nth(9, Weekday::Monday, 1),
        nth(10, Weekday::Monday, 2),
        observed(11, 11),
        nth(11, Weekday::Thursday, 4),
        observed(12, 25),
    ];
    if year >= 2021 {
        days.push(observed(6, 19));
    }
    days.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn china_knows_holidays_and_makeup_days() {
        let calendar = WorkingCalendar::china();
        assert!(calendar.knows(date(2026, 5, 1)));
        assert!(!calendar.knows(date(2027, 5, 1)));
        // National Day 2025 runs 10-01..10-08; 2025-09-28 (Sunday) and 10-11 (Saturday) are worked.
        assert!(!calendar.is_working_day(date(2025, 10, 3)));
        assert!(calendar.is_working_day(date(2025, 9, 28)));
        assert!(calendar.is_working_day(date(2025, 10, 11)));
        assert!(!calendar.is_working_day(date(2026, 6, 7)));
        assert!(calendar.is_working_day(date(2026, 6, 8)));
        assert_eq!(
            calendar.next_working_day(date(2025, 10, 1)),
            date(2025, 10, 9)
        );
    }

    #[test]
    fn united_states_federal_holidays_as_observed() {
        let calendar = WorkingCalendar::united_states();
        // 2026: Independence Day is a Saturday, observed Friday 07-03 (OPM's 2026 list).
        for day in [
            date(2026, 1, 1),
            date(2026, 1, 19),
            date(2026, 2, 16),
            date(2026, 5, 25),
            date(2026, 6, 19),
            date(2026, 7, 3),
            date(2026, 9, 7),
            date(2026, 10, 12),
            date(2026, 11, 11),
            date(2026, 11, 26),
            date(2026, 12, 25),
        ] {
            assert!(calendar.is_holiday(day), "{day}");
            assert!(!calendar.is_working_day(day), "{day}");
        }
        assert!(calendar.is_working_day(date(2026, 7, 2)));
        assert!(calendar.is_working_day(date(2026, 11, 27)));
        // 2027-12-25 and 2028-01-01 are Saturdays: observed 12-24 and 12-31 of 2027.
        assert!(calendar.is_holiday(date(2027, 12, 24)));
        assert!(calendar.is_holiday(date(2027, 12, 31)));
        assert!(calendar.knows(date(2030, 3, 1)));
    }

    #[test]
    fn a_shop_adds_a_year_without_losing_the_shipped_ones() {
        let china = WorkingCalendar::china();
        assert_eq!(china.unknown_years(date(2026, 10, 31)), Vec::<i16>::new());
        assert_eq!(china.unknown_years(date(2026, 11, 1)), vec![2027]);
        let file: CalendarFile = serde_json::from_str(
            r#"{"years":{"2027":{"holidays":[{"name":"元旦","start":"2027-01-01","end":"2027-01-01"}]}}}"#,
        )
        .unwrap();
        let merged = china.with(&file).unwrap();
        assert!(merged.knows(date(2026, 5, 1)));
        assert!(!merged.is_working_day(date(2027, 1, 1)));
        assert!(!merged.is_working_day(date(2026, 10, 1)));
        assert_eq!(merged.unknown_years(date(2026, 12, 5)), Vec::<i16>::new());
    }

    #[test]
    fn bad_files_are_reported() {
        assert!(WorkingCalendar::from_json("{}").is_err());
        assert!(WorkingCalendar::from_json(r#"{"years":{"x":{}}}"#).is_err());
        let reversed = r#"{"years":{"2026":{"holidays":[{"name":"a","start":"2026-02-02","end":"2026-02-01"}]}}}"#;
        assert!(WorkingCalendar::from_json(reversed).is_err());
    }
}
