//! The case's timeline: its events and messages in order, each saying who, what and the detail.

use crate::db::cases::{EventRecord, MessageRecord};
use crate::http::pages::minutes;
use crate::i18n::Language;

pub struct Entry {
    pub at: String,
    pub who: String,
    pub what: String,
    pub detail: String,
    /// event, message, customer or note
    pub class: &'static str,
}

/// Events and messages, oldest first; `name_of` names a staff member by id.
pub fn entries(
    language: Language,
    zone: &jiff::tz::TimeZone,
    events: &[EventRecord],
    messages: &[MessageRecord],
    name_of: &dyn Fn(&str) -> Option<String>,
) -> Vec<Entry> {
    let who = |role: &str, id: Option<&str>| {
        id.and_then(name_of)
            .unwrap_or_else(|| language.text(&format!("role-{role}")))
    };
    let mut timeline: Vec<(i64, Entry)> = Vec::new();
    for event in events {
        if matches!(event.action.as_str(), "message" | "note") {
            continue;
        }
        timeline.push((
            event.at,
            Entry {
                at: minutes(event.at, zone),
                who: who(&event.actor_role, event.actor_id.as_deref()),
                what: what_happened(language, event),
                detail: detail(language, &event.data),
                class: "event",
            },
        ));
    }
    for message in messages {
        let internal = message.visibility == "internal";
        let from_customer = message.author_role == "customer";
        timeline.push((
            message.created_at,
            Entry {
                at: minutes(message.created_at, zone),
                who: who(&message.author_role, message.author_id.as_deref()),
                what: language.text(match (internal, from_customer) {
                    (true, _) => "console-note",
                    (false, true) => "console-from-customer",
                    (false, false) => "console-reply",
                }),
                detail: message.body.clone(),
                class: match (internal, from_customer) {
                    (true, _) => "note",
                    (false, true) => "customer",
                    (false, false) => "message",
                },
            },
        ));
    }
    timeline.sort_by_key(|(at, _)| *at);
    timeline.into_iter().map(|(_, entry)| entry).collect()
}

fn what_happened(language: Language, event: &EventRecord) -> String {
    let action = language.text_or(&format!("event-{}", event.action), &event.action);
    match (&event.from_status, &event.to_status) {
        (Some(from), Some(to)) => format!(
            "{action} · {} → {}",
            language.text(&format!("staff-status-{from}")),
            language.text(&format!("staff-status-{to}"))
        ),
        _ => action,
    }
}

fn detail(language: Language, data: &serde_json::Value) -> String {
    let mut detail = Vec::new();
    for field in ["reason", "note", "comment", "text"] {
        if let Some(text) = data[field].as_str() {
            detail.push(text.to_string());
        }
    }
    if let Some(disposition) = data["disposition"].as_str() {
        detail.push(language.text(&format!("disposition-{disposition}")));
    }
    // A refund's or offer's amount, in the currency it was in.
    if let (Some(minor), Some(code)) = (data["amount_minor"].as_i64(), data["currency"].as_str())
        && let Ok(currency) = crate::domain::Currency::parse(code)
    {
        detail.push(crate::domain::Money::new(minor, currency).to_string());
    }
    if let Some(stars) = data["stars"].as_i64() {
        detail.push(format!("{stars} ★"));
    }
    if let Some(shipment) = data.get("shipment") {
        detail.push(format!(
            "{} {}",
            shipment["carrier"].as_str().unwrap_or_default(),
            shipment["tracking_number"].as_str().unwrap_or_default()
        ));
    }
    detail.join(" · ")
}
