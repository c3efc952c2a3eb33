//! What the app does, once for every entry point: the HTTP API, the CLI and the demo data all
//! call these. Each operation checks its input, asks the domain, and persists the result and
//! its timeline event in one transaction.

pub mod aftersales;
pub mod answers;
pub mod appointments;
pub mod arrival;
pub mod attachments;
pub mod audit;
pub mod audits;
pub mod backup;
pub mod cases;
pub mod checklist;
pub mod clocks;
pub mod cost_reports;
pub mod costs;
pub mod credit_documents;
pub mod disputes;
pub mod doctor;
pub mod evidence;
pub mod exports;
pub mod import;
pub mod invoices;
pub mod knowledge;
pub mod kpis;
pub mod labels;
pub mod limits;
pub mod lists;
pub mod notifications;
pub mod offers;
pub mod orders;
pub mod parcels;
pub mod parts;
pub mod platform_refunds;
pub mod policy;
pub mod portal_tokens;
pub mod progress;
pub mod ratings;
pub mod refund_payments;
pub mod refunds;
pub mod refusals;
pub mod replacements;
pub mod replies;
pub mod reviews;
pub mod schedules;
pub mod send_outs;
pub mod settings;
pub mod shipments;
pub mod shops;
pub mod sla;
pub mod suggestions;
pub mod suppliers;
pub mod surveys;
pub mod tiers;
pub mod tokens;
pub mod transitions;
pub mod units;
pub mod visits;

use crate::error::AppError;

/// A timeline event by `actor` that moves nothing (an offer, a payment's outcome, a message).
pub(crate) async fn record_event(
    transaction: &mut crate::db::Transaction,
    actor: &crate::db::shops::Actor,
    case_id: &str,
    action: &str,
    data: serde_json::Value,
    now: i64,
) -> Result<(), AppError> {
    crate::db::cases::insert_event(
        transaction,
        &crate::db::cases::NewEvent {
            shop_id: &actor.shop.id,
            case_id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action,
            from_status: None,
            to_status: None,
            data,
        },
    )
    .await?;
    Ok(())
}

/// A write a unique key may refuse: that refusal becomes `taken()` (a 409 naming the value),
/// any other failure stays what it is.
pub(crate) fn unless_taken<T>(
    written: Result<T, sqlx::Error>,
    taken: impl FnOnce() -> AppError,
) -> Result<T, AppError> {
    written.map_err(|error| match crate::db::is_unique_violation(&error) {
        true => taken(),
        false => error.into(),
    })
}

/// A record changed since the caller read it: 409 `version_conflict` naming what it is.
pub(crate) fn changed_meanwhile(what: &str, expected: i64, current: i64) -> AppError {
    AppError::Conflict {
        code: "version_conflict",
        message: format!(
            "the {what} changed since you read it (version {expected}, now {current}); read it again"
        ),
        details: serde_json::json!({ "expected_version": expected, "current_version": current }),
    }
}

/// A text field: trimmed, required non-empty when `required`, at most `maximum` characters.
pub fn text_field(
    field: &str,
    value: Option<&str>,
    required: bool,
    maximum: usize,
) -> Result<Option<String>, AppError> {
    let value = value.map(str::trim).filter(|value| !value.is_empty());
    match value {
        None if required => Err(AppError::invalid(field, format!("{field} is required"))),
        None => Ok(None),
        Some(value) if value.chars().count() > maximum => Err(AppError::invalid(
            field,
            format!("{field} is longer than {maximum} characters"),
        )),
        Some(value) => Ok(Some(value.to_string())),
    }
}

/// A period given as days in the shop's zone (YYYY-MM-DD, both included; either may be left
/// out): its bounds in microseconds, [from, to).
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    zone: &jiff::tz::TimeZone,
) -> Result<(i64, i64), AppError> {
    let day = |field: &str, text: Option<&str>| -> Result<Option<jiff::civil::Date>, AppError> {
        text.map(str::trim)
            .filter(|text| !text.is_empty())
            .map(|text| {
                text.parse::<jiff::civil::Date>().map_err(|_| {
                    AppError::invalid(field, format!("'{text}' is not a day like 2026-11-01"))
                })
            })
            .transpose()
    };
    let start = |date: jiff::civil::Date| {
        date.to_zoned(zone.clone())
            .map(|zoned| zoned.timestamp().as_microsecond())
            .unwrap_or(0)
    };
    let from = day("from", from)?.map(start).unwrap_or(0);
    let to = match day("to", to)? {
        Some(date) => date
            .tomorrow()
            .map(start)
            .map_err(|_| AppError::invalid("to", "the day is out of range"))?,
        None => i64::MAX,
    };
    if to <= from {
        return Err(AppError::invalid("to", "the period ends before it starts"));
    }
    Ok((from, to))
}
