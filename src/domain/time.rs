//! Times are unix microseconds in storage and RFC 3339 in the shop's time zone at the edge.

use jiff::{Timestamp, tz::TimeZone};

/// A stored time shown in the shop's zone, e.g. `2026-11-22T23:30:00+08:00`.
pub fn format_in_zone(micros: i64, zone: &TimeZone) -> String {
    match Timestamp::from_microsecond(micros) {
        Ok(timestamp) => timestamp
            .to_zoned(zone.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        Err(_) => String::new(),
    }
}

/// The shop's local calendar date of a moment.
pub fn local_date(micros: i64, zone: &TimeZone) -> jiff::civil::Date {
    Timestamp::from_microsecond(micros)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone())
        .date()
}

/// The moment a local calendar day begins in the zone (unix µs).
pub fn start_of_day(day: jiff::civil::Date, zone: &TimeZone) -> i64 {
    day.to_zoned(zone.clone())
        .map(|zoned| zoned.timestamp().as_microsecond())
        .unwrap_or(0)
}

/// Parses a time given by a person or a file: RFC 3339 with an offset, a time with a numeric
/// offset as Shopify exports it (`2026-11-22 14:30:00 -0500`), or a local
/// `YYYY-MM-DD HH:MM[:SS]` / `YYYY/M/D H:MM` / `YYYY-MM-DD` read in the shop's zone.
pub fn parse_time(text: &str, zone: &TimeZone) -> Result<i64, String> {
    let trimmed = text.trim();
    if let Ok(timestamp) = trimmed.parse::<Timestamp>() {
        return Ok(timestamp.as_microsecond());
    }
    if let Ok(zoned) = jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %z", trimmed)
        .and_then(|parsed| parsed.to_timestamp())
    {
        return Ok(zoned.as_microsecond());
    }
    let normalised = padded(&trimmed.replace('/', "-").replace('T', " "));
    let civil = normalised
        .parse::<jiff::civil::DateTime>()
        .or_else(|_| {
            normalised
                .parse::<jiff::civil::Date>()
                .map(|date| date.to_datetime(jiff::civil::Time::midnight()))
        })
        .map_err(|_| format!("'{trimmed}' is not a time (use 2026-11-22 14:30 or RFC 3339)"))?;
    civil
        .to_zoned(zone.clone())
        .map(|zoned| zoned.timestamp().as_microsecond())
        .map_err(|error| format!("'{trimmed}': {error}"))
}

/// `2026-7-2 9:05` → `2026-07-02 09:05`: the date's and time's parts given with one digit (as
/// spreadsheets and some exports write them) padded to two; anything else as it is.
fn padded(text: &str) -> String {
    let (date, time) = match text.split_once(' ') {
        Some((date, time)) => (date, Some(time.trim())),
        None => (text, None),
    };
    let pad = |part: &str| {
        if part.len() == 1 && part.chars().all(|character| character.is_ascii_digit()) {
            format!("0{part}")
        } else {
            part.to_string()
        }
    };
    let date: Vec<String> = date.split('-').map(pad).collect();
    let mut whole = date.join("-");
    if let Some(time) = time {
        let time: Vec<String> = time.split(':').map(pad).collect();
        whole.push(' ');
        whole.push_str(&time.join(":"));
    }
    whole
}

/// Writes every time inside a JSON document (a key ending in `_at` holding unix microseconds)
/// as RFC 3339 in `zone`, as everything else the API shows: event data, follow-up details.
pub fn localise_times(value: &mut serde_json::Value, zone: &TimeZone) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if key.ends_with("_at")
                    && let Some(micros) = item.as_i64()
                {
                    *item = serde_json::Value::String(format_in_zone(micros, zone));
                } else {
                    localise_times(item, zone);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                localise_times(item, zone);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_times_are_read_with_their_offset_or_padded() {
        let shanghai = TimeZone::get("Asia/Shanghai").unwrap();
        let shopify = parse_time("2026-11-22 14:30:00 -0500", &shanghai).unwrap();
        assert_eq!(
            shopify,
            "2026-11-22T19:30:00Z"
                .parse::<Timestamp>()
                .unwrap()
                .as_microsecond()
        );
        let short = parse_time("2026/7/2 9:05", &shanghai).unwrap();
        assert_eq!(
            short,
            "2026-07-02T01:05:00Z"
                .parse::<Timestamp>()
                .unwrap()
                .as_microsecond()
        );
        assert!(parse_time("2026/13/2 9:05", &shanghai).is_err());
    }

    #[test]
    fn local_times_read_in_the_shop_zone() {
        let shanghai = TimeZone::get("Asia/Shanghai").unwrap();
        let micros = parse_time("2026-11-22 08:30", &shanghai).unwrap();
        assert_eq!(
            format_in_zone(micros, &shanghai),
            "2026-11-22T08:30:00+08:00"
        );
        assert_eq!(
            format_in_zone(micros, &TimeZone::UTC),
            "2026-11-22T00:30:00+00:00"
        );
        assert_eq!(
            parse_time("2026/11/22 08:30:00", &shanghai).unwrap(),
            micros
        );
        assert_eq!(
            parse_time("2026-11-22T00:30:00Z", &shanghai).unwrap(),
            micros
        );
        assert_eq!(local_date(micros, &shanghai).to_string(), "2026-11-22");
        assert!(parse_time("yesterday", &shanghai).is_err());
    }

    #[test]
    fn times_inside_documents_are_written_in_the_zone() {
        let shanghai = TimeZone::get("Asia/Shanghai").unwrap();
        let mut data = serde_json::json!({
            "due_at": 1_796_000_000_000_000_i64,
            "shipment": { "shipped_at": 1_796_000_000_000_000_i64, "days": 3 },
            "note": "x", "amount_minor": 500
        });
        localise_times(&mut data, &shanghai);
        assert_eq!(
            data["due_at"],
            format_in_zone(1_796_000_000_000_000, &shanghai)
        );
        assert!(
            data["shipment"]["shipped_at"]
                .as_str()
                .unwrap()
                .ends_with("+08:00")
        );
        assert_eq!(data["shipment"]["days"], 3);
        assert_eq!(data["amount_minor"], 500);
    }
}
