//! Parcel tracking pushed by Kuaidi100 (快递100, a form with `param` JSON and `sign`) and
//! AfterShip (JSON `tracking_update` webhooks), read into one update per parcel.

use serde_json::Value;

pub use crate::domain::parcels::{ParcelState, TrackingUpdate};

/// Kuaidi100's `param`: `lastResult.state` 3 is 签收 (delivered); 2 疑难, 4 退签, 14 拒签 are
/// problems; the rest are on the way. `data` is newest first; times are China time.
pub fn kuaidi100(param: &Value) -> Result<TrackingUpdate, String> {
    let result = &param["lastResult"];
    let tracking_number = result["nu"]
        .as_str()
        .filter(|number| !number.trim().is_empty())
        .ok_or("lastResult.nu (the tracking number) is missing")?;
    let state = match result["state"].as_str().unwrap_or_default() {
        "3" => ParcelState::Delivered,
        "2" | "4" | "14" => ParcelState::Exception,
        _ => ParcelState::InTransit,
    };
    let newest = result["data"].as_array().and_then(|scans| scans.first());
    let at = newest
        .and_then(|scan| scan["ftime"].as_str().or(scan["time"].as_str()))
        .and_then(|text| text.parse::<jiff::civil::DateTime>().ok())
        .and_then(|local| {
            local
                .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").ok()?)
                .ok()
        })
        .map(|zoned| zoned.timestamp().as_microsecond());
    Ok(TrackingUpdate {
        tracking_number: tracking_number.trim().to_string(),
        carrier: result["com"].as_str().unwrap_or_default().to_string(),
        state,
        at,
        description: newest
            .and_then(|scan| scan["context"].as_str())
            .unwrap_or_default()
            .to_string(),
        expected: None,
    })
}

/// AfterShip's `tracking_update`: `msg.tag` Delivered, Exception/AttemptFail/Expired, or on the way.
pub fn aftership(body: &Value) -> Result<TrackingUpdate, String> {
    let message = &body["msg"];
    let tracking_number = message["tracking_number"]
        .as_str()
        .filter(|number| !number.trim().is_empty())
        .ok_or("msg.tracking_number is missing")?;
    let state = match message["tag"].as_str().unwrap_or_default() {
        "Delivered" => ParcelState::Delivered,
        "Exception" | "AttemptFail" | "Expired" => ParcelState::Exception,
        _ => ParcelState::InTransit,
    };
    let newest = message["checkpoints"]
        .as_array()
        .and_then(|scans| scans.last());
    let at = newest
        .and_then(|scan| scan["checkpoint_time"].as_str())
        .and_then(|text| {
            text.parse::<jiff::Timestamp>()
                .ok()
                .or_else(|| format!("{text}Z").parse().ok())
        })
        .map(|at| at.as_microsecond());
    Ok(TrackingUpdate {
        tracking_number: tracking_number.trim().to_string(),
        carrier: message["slug"].as_str().unwrap_or_default().to_string(),
        state,
        at,
        description: newest
            .and_then(|scan| scan["message"].as_str())
            .unwrap_or_default()
            .to_string(),
        expected: expected_delivery(message),
    })
}

/// The carrier's or AfterShip's estimated delivery date (the tracking's `expected_delivery`,
/// or `courier_estimated_delivery_date` / `aftership_estimated_delivery_date` with their
/// `estimated_delivery_date`, revised by the `edd_revise` event): a time, or a day read at noon
/// UTC so that it stays the same calendar day in the shop's zone.
fn expected_delivery(message: &Value) -> Option<i64> {
    [
        &message["courier_estimated_delivery_date"]["estimated_delivery_date"],
        &message["aftership_estimated_delivery_date"]["estimated_delivery_date"],
        &message["expected_delivery"],
    ]
    .into_iter()
    .filter_map(|value| value.as_str())
    .find_map(|text| {
        text.parse::<jiff::Timestamp>()
            .ok()
            .map(|at| at.as_microsecond())
            .or_else(|| {
                let day: jiff::civil::Date = text.get(..10)?.parse().ok()?;
                let noon = day.at(12, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).ok()?;
                Some(noon.timestamp().as_microsecond())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kuaidi100_signed_is_delivered_in_china_time() {
        let param = json!({ "status": "shutdown", "lastResult": { "state": "3", "com": "shunfeng", "nu": "SF1", "data": [
            { "context": "已签收，签收人：前台", "ftime": "2026-03-01 20:00:00" },
            { "context": "派送中", "ftime": "2026-03-01 09:00:00" }
        ]}});
        let update = kuaidi100(&param).unwrap();
        assert_eq!(update.state, ParcelState::Delivered);
        assert_eq!(update.description, "已签收，签收人：前台");
        let expected: jiff::Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
        assert_eq!(update.at, Some(expected.as_microsecond()));
        assert!(kuaidi100(&json!({ "lastResult": {} })).is_err());
    }

    #[test]
    fn aftership_tags_map_to_states() {
        let body = json!({ "event": "tracking_update", "msg": { "tracking_number": "YT1", "slug": "yto", "tag": "AttemptFail",
            "checkpoints": [{ "checkpoint_time": "2026-03-01T10:00:00+08:00", "message": "无人签收" }] } });
        let update = aftership(&body).unwrap();
        assert_eq!(update.state, ParcelState::Exception);
        assert_eq!(update.carrier, "yto");
        assert_eq!(update.expected, None);
        let revised = json!({ "event": "edd_revise", "msg": { "tracking_number": "YT1", "slug": "yto", "tag": "InTransit",
            "expected_delivery": "2026-03-03",
            "courier_estimated_delivery_date": { "estimated_delivery_date": "2026-03-04" } } });
        let noon: jiff::Timestamp = "2026-03-04T12:00:00Z".parse().unwrap();
        assert_eq!(
            aftership(&revised).unwrap().expected,
            Some(noon.as_microsecond())
        );
    }
}
