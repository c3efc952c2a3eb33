//! Repair appointments (docs/REPAIRS.md, "Appointments"): a location's services and daily slots,
//! the days it is open (the working calendar less its own blackout days), the slots a customer
//! may still book, and the calendar file (.ics) of a booking. Pure.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::WorkingCalendar;
use super::case::wire_names;

/// How the item gets to the repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// The customer brings it to the service point.
    DropIn,
    /// A courier picks it up at the customer's (上门取件).
    Pickup,
    /// A technician comes to repair it where it is.
    OnSite,
}

wire_names!(Service {
    DropIn => "drop_in",
    Pickup => "pickup",
    OnSite => "on_site",
});

/// A daily slot: when it starts and ends (HH:MM, the shop's zone) and how many it takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub start: String,
    pub end: String,
    pub capacity: i64,
}

fn time(text: &str) -> Option<Time> {
    let (hour, minute) = text.trim().split_once(':')?;
    Time::new(hour.parse().ok()?, minute.parse().ok()?, 0, 0).ok()
}

/// The slots checked: times as HH:MM, each ending after it starts, capacity 1–100, none
/// overlapping, at most 24; sorted by start. The message names the slot to fix.
pub fn check_slots(slots: &[Slot]) -> Result<Vec<Slot>, String> {
    if slots.is_empty() || slots.len() > 24 {
        return Err("give 1 to 24 daily slots, e.g. {\"start\": \"09:00\", \"end\": \"10:00\", \"capacity\": 2}".into());
    }
    let mut checked: Vec<(Time, Time, Slot)> = Vec::new();
    for slot in slots {
        let (Some(start), Some(end)) = (time(&slot.start), time(&slot.end)) else {
            return Err(format!(
                "slot {}–{}: write the times as HH:MM, e.g. 09:00",
                slot.start, slot.end
            ));
        };
        if end <= start {
            return Err(format!(
                "slot {}–{}: it must end after it starts",
                slot.start, slot.end
            ));
        }
        if !(1..=100).contains(&slot.capacity) {
            return Err(format!(
                "slot {}–{}: capacity must be 1 to 100",
                slot.start, slot.end
            ));
        }
        let normal = Slot {
            start: start.strftime("%H:%M").to_string(),
            end: end.strftime("%H:%M").to_string(),
            capacity: slot.capacity,
        };
        checked.push((start, end, normal));
    }
    checked.sort_by_key(|(start, _, _)| *start);
    if let Some(pair) = checked.windows(2).find(|pair| pair[1].0 < pair[0].1) {
        return Err(format!(
            "slots {}–{} and {}–{} overlap",
            pair[0].2.start, pair[0].2.end, pair[1].2.start, pair[1].2.end
        ));
    }
    Ok(checked.into_iter().map(|(_, _, slot)| slot).collect())
}

/// When a slot of `day` starts and ends, in microseconds.
pub fn bounds(day: Date, slot: &Slot, zone: &TimeZone) -> Option<(i64, i64)> {
    let at = |text: &str| {
        day.to_datetime(time(text)?)
            .to_zoned(zone.clone())
            .ok()
            .map(|zoned| zoned.timestamp().as_microsecond())
    };
    Some((at(&slot.start)?, at(&slot.end)?))
}

/// Whether the location is open on `day`: a working day of the calendar, not one of its own
/// blackout days.
pub fn open_on(day: Date, calendar: &WorkingCalendar, blackout: &[Date]) -> bool {
    calendar.is_working_day(day) && !blackout.contains(&day)
}

/// The slots one may book from `now` over the next `days` days: open days only, starting at
/// least `lead_micros` after now. (day, slot, start, end)
pub fn offered(
    slots: &[Slot],
    calendar: &WorkingCalendar,
    blackout: &[Date],
    zone: &TimeZone,
    now: i64,
    days: i64,
    lead_micros: i64,
) -> Vec<(Date, Slot, i64, i64)> {
    let today = super::time::local_date(now, zone);
    let mut found = Vec::new();
    for offset in 0..days {
        let Ok(day) = today.checked_add(jiff::Span::new().days(offset)) else {
            break;
        };
        if !open_on(day, calendar, blackout) {
            continue;
        }
        for slot in slots {
            if let Some((start, end)) = bounds(day, slot, zone)
                && start >= now + lead_micros
            {
                found.push((day, slot.clone(), start, end));
            }
        }
    }
    found
}

fn ics_time(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// Text for an iCalendar property: backslash, semicolon, comma and newlines escaped.
fn ics_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// A booking as a calendar file (RFC 5545): one event, UTC times, its id stable across
/// reschedules so a calendar replaces it (the sequence counts the changes).
pub fn ics(
    id: &str,
    (start, end): (i64, i64),
    summary: &str,
    place: &str,
    sequence: i64,
    now: i64,
) -> String {
    [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//aftersale//repairs//ZH".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{id}@aftersale"),
        format!("SEQUENCE:{sequence}"),
        format!("DTSTAMP:{}", ics_time(now)),
        format!("DTSTART:{}", ics_time(start)),
        format!("DTEND:{}", ics_time(end)),
        format!("SUMMARY:{}", ics_text(summary)),
        format!("LOCATION:{}", ics_text(place)),
        "BEGIN:VALARM".into(),
        "TRIGGER:-PT2H".into(),
        "ACTION:DISPLAY".into(),
        format!("DESCRIPTION:{}", ics_text(summary)),
        "END:VALARM".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ]
    .join("\r\n")
        + "\r\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(start: &str, end: &str, capacity: i64) -> Slot {
        Slot {
            start: start.into(),
            end: end.into(),
            capacity,
        }
    }

    #[test]
    fn slots_are_checked_and_sorted() {
        let checked = check_slots(&[slot("14:00", "15:00", 2), slot("9:00", "10:00", 1)]).unwrap();
        assert_eq!(checked[0].start, "09:00");
        assert!(
            check_slots(&[slot("10:00", "09:00", 1)])
                .unwrap_err()
                .contains("end after")
        );
        assert!(
            check_slots(&[slot("9:00", "10:30", 1), slot("10:00", "11:00", 1)])
                .unwrap_err()
                .contains("overlap")
        );
        assert!(check_slots(&[slot("nine", "10:00", 1)]).is_err());
        assert!(check_slots(&[slot("09:00", "10:00", 0)]).is_err());
        assert!(check_slots(&[]).is_err());
    }

    #[test]
    fn only_open_days_and_slots_far_enough_ahead_are_offered() {
        let zone = TimeZone::get("Asia/Shanghai").unwrap();
        let calendar = WorkingCalendar::china();
        // Friday 2026-12-04, 10:30 in Shanghai.
        let now = jiff::civil::date(2026, 12, 4)
            .at(10, 30, 0, 0)
            .to_zoned(zone.clone())
            .unwrap()
            .timestamp()
            .as_microsecond();
        let slots = [slot("09:00", "10:00", 1), slot("14:00", "15:00", 1)];
        let blackout = [jiff::civil::date(2026, 12, 8)];
        let offered = offered(&slots, &calendar, &blackout, &zone, now, 5, 3_600_000_000);
        let days: Vec<String> = offered
            .iter()
            .map(|(day, slot, _, _)| format!("{day} {}", slot.start))
            .collect();
        // Today's 09:00 is past; the weekend is closed; the 8th is a blackout day.
        assert_eq!(
            days,
            ["2026-12-04 14:00", "2026-12-07 09:00", "2026-12-07 14:00"]
        );
        let (start, end) = (offered[0].2, offered[0].3);
        assert_eq!(end - start, 3_600_000_000);
    }

    #[test]
    fn the_calendar_file_holds_one_event_in_utc() {
        let zone = TimeZone::get("Asia/Shanghai").unwrap();
        let day = jiff::civil::date(2026, 12, 7);
        let bounds = bounds(day, &slot("09:00", "10:00", 1), &zone).unwrap();
        let file = ics(
            "A1",
            bounds,
            "维修预约, 售后单 AS-1",
            "上海市; 徐汇区",
            2,
            bounds.0,
        );
        assert!(file.contains("DTSTART:20261207T010000Z\r\n"), "{file}");
        assert!(file.contains("SUMMARY:维修预约\\, 售后单 AS-1"));
        assert!(file.contains("LOCATION:上海市\\; 徐汇区"));
        assert!(file.contains("SEQUENCE:2") && file.ends_with("END:VCALENDAR\r\n"));
    }
}
