//! The working calendar in the console: the years it knows (shipped with the binary, or the
//! shop's own), a warning on every manager's page for a year the clocks reach that nobody has
//! published, and a year added or replaced from the State Council's notice, typed as lines.

use std::collections::HashMap;

use jiff::civil::{Date, Weekday};

use crate::domain::calendar::{CalendarFile, HolidayFile, WorkingCalendar, YearFile};
use crate::domain::settings::ShopSettings;
use crate::error::AppError;
use crate::i18n::Language;

/// One year the calendar knows.
pub struct KnownYear {
    pub year: i16,
    /// The shop's own (else shipped with the binary).
    pub own: bool,
}

pub fn known_years(settings: &ShopSettings) -> Vec<KnownYear> {
    let own: Vec<i16> = settings
        .sla
        .calendar
        .as_ref()
        .map(|file| {
            file.years
                .keys()
                .filter_map(|year| year.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    settings
        .sla
        .calendar()
        .years()
        .into_iter()
        .map(|year| KnownYear {
            year,
            own: own.contains(&year),
        })
        .collect()
}

/// The warning for the years the shop's clocks reach without a published calendar, if any.
pub fn warning(language: Language, settings: &ShopSettings, today: Date) -> Option<String> {
    let missing = settings.sla.calendar().unknown_years(today);
    if missing.is_empty() {
        return None;
    }
    let years = missing
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(if language == Language::Chinese {
            "、"
        } else {
            ", "
        });
    Some(language.text_with("console-calendar-missing", "text", &years))
}

fn invalid(language: Language, key: &str, values: &[(&str, &str)], field: &str) -> AppError {
    AppError::Invalid {
        message: language.text_args(key, values),
        details: serde_json::json!({ "field": field, "sentence": true }),
    }
}

fn date(language: Language, text: &str, field: &str) -> Result<Date, AppError> {
    text.parse::<Date>().map_err(|_| {
        invalid(
            language,
            "settings-calendar-date-invalid",
            &[("text", text)],
            field,
        )
    })
}

/// A year from the form into the shop's calendar: `year`, `holidays` (one per line: name,
/// first day, last day — the last may be left out for a single day) and `makeup` (the
/// weekend days worked, 调休).
pub fn apply(
    language: Language,
    settings: &mut ShopSettings,
    fields: &HashMap<String, String>,
) -> Result<(), AppError> {
    let typed = |name: &str| fields.get(name).map(|text| text.trim()).unwrap_or_default();
    let year_text = typed("year");
    let year: i16 = year_text
        .parse()
        .ok()
        .filter(|year| (2000..=2100).contains(year))
        .ok_or_else(|| {
            invalid(
                language,
                "settings-calendar-year-invalid",
                &[("text", year_text)],
                "year",
            )
        })?;
    let in_year = |day: Date| (day.year() - year).abs() <= 1;
    let mut holidays = Vec::new();
    for (index, line) in typed("holidays").lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let number = (index + 1).to_string();
        let words: Vec<&str> = line
            .split(|character: char| {
                character.is_whitespace() || matches!(character, '至' | '～' | '~' | ',' | '，')
            })
            .filter(|word| !word.is_empty())
            .collect();
        // The name is every word before the first that starts with a digit, the dates are the
        // rest ("Spring Festival 2027-02-06 2027-02-13").
        let first_date = words
            .iter()
            .position(|word| word.starts_with(|character: char| character.is_ascii_digit()))
            .unwrap_or(words.len());
        let (name, dates) = (words[..first_date].join(" "), &words[first_date..]);
        let (start, end) = match dates {
            [one] => (
                date(language, one, "holidays")?,
                date(language, one, "holidays")?,
            ),
            [start, end] => (
                date(language, start, "holidays")?,
                date(language, end, "holidays")?,
            ),
            _ => {
                return Err(invalid(
                    language,
                    "settings-calendar-line-invalid",
                    &[("n", &number), ("text", line)],
                    "holidays",
                ));
            }
        };
        if end < start {
            return Err(invalid(
                language,
                "settings-calendar-reversed",
                &[("n", &number), ("text", line)],
                "holidays",
            ));
        }
        if !in_year(start) || start.year() != year && end.year() != year {
            return Err(invalid(
                language,
                "settings-calendar-outside-year",
                &[("text", line), ("detail", &year.to_string())],
                "holidays",
            ));
        }
        holidays.push(HolidayFile {
            name,
            name_en: String::new(),
            start,
            end,
        });
    }
    if holidays.is_empty() {
        return Err(invalid(
            language,
            "settings-calendar-empty",
            &[],
            "holidays",
        ));
    }
    let mut makeup_workdays = Vec::new();
    for word in typed("makeup")
        .split(|character: char| {
            character.is_whitespace() || matches!(character, ',' | '，' | '、')
        })
        .filter(|word| !word.is_empty())
    {
        let day = date(language, word, "makeup")?;
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            return Err(invalid(
                language,
                "settings-calendar-not-weekend",
                &[("text", word)],
                "makeup",
            ));
        }
        if day.year() != year {
            return Err(invalid(
                language,
                "settings-calendar-outside-year",
                &[("text", word), ("detail", &year.to_string())],
                "makeup",
            ));
        }
        makeup_workdays.push(day);
    }
    let mut file = settings.sla.calendar.take().unwrap_or(CalendarFile {
        years: Default::default(),
    });
    file.years.insert(
        year.to_string(),
        YearFile {
            holidays,
            makeup_workdays,
        },
    );
    WorkingCalendar::from_file(&file).map_err(|message| AppError::Invalid {
        message,
        details: serde_json::json!({ "field": "holidays" }),
    })?;
    settings.sla.calendar = Some(file);
    Ok(())
}
