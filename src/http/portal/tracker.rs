//! The case's progress as steps the customer recognises (submitted → approved → sent back →
//! received → …), each done, current or still to come, with when it was reached.

use crate::db::cases::EventRecord;
use crate::domain::{CaseKind, Status};

/// The steps of a kind of case: the step's name (`portal-step-…`) and the statuses in it.
fn steps(kind: CaseKind) -> &'static [(&'static str, &'static [Status])] {
    use Status::*;
    match kind {
        CaseKind::RefundOnly => &[
            ("submitted", &[Submitted]),
            ("approved", &[Approved]),
            ("refunded", &[Refunded]),
            ("closed", &[Closed]),
        ],
        CaseKind::ReturnAndRefund => &[
            ("submitted", &[Submitted]),
            ("approved", &[Approved]),
            ("return_shipped", &[ReturnShipped]),
            ("received", &[Received, Inspected]),
            ("refunded", &[Refunded]),
            ("closed", &[Closed]),
        ],
        CaseKind::Exchange => &[
            ("submitted", &[Submitted]),
            ("approved", &[Approved]),
            ("return_shipped", &[ReturnShipped]),
            ("received", &[Received, Inspected]),
            ("replacement_shipped", &[ReplacementShipped]),
            ("replacement_delivered", &[ReplacementDelivered]),
            ("closed", &[Closed]),
        ],
        CaseKind::Repair => &[
            ("submitted", &[Submitted]),
            ("approved", &[Approved]),
            ("return_shipped", &[ReturnShipped]),
            ("received", &[Received]),
            (
                "diagnosing",
                &[Diagnosing, AtVendor, Repaired, NoFaultFound],
            ),
            ("shipped_back", &[ShippedBack]),
            ("delivered", &[Delivered]),
            ("closed", &[Closed]),
        ],
        CaseKind::Reship => &[
            ("submitted", &[Submitted]),
            ("approved", &[Approved]),
            ("reshipped", &[ReplacementShipped]),
            ("delivered", &[ReplacementDelivered]),
            ("closed", &[Closed]),
        ],
        CaseKind::RefusedDelivery | CaseKind::Interception => &[
            ("submitted", &[Submitted]),
            ("approved", &[Approved]),
            ("parcel_back", &[Received]),
            ("refunded", &[Refunded]),
            ("closed", &[Closed]),
        ],
        CaseKind::Consultation | CaseKind::Complaint | CaseKind::Review => &[
            ("submitted", &[Open]),
            ("talking", &[WaitingOnCustomer, WaitingOnShop, Escalated]),
            ("resolved", &[Resolved]),
            ("closed", &[Closed]),
        ],
    }
}

/// One step as the page shows it.
pub struct Step {
    /// `portal-step-…`
    pub key: String,
    /// done, current, stopped (the case ended here without going on) or later
    pub state: &'static str,
    /// When it was reached (unix µs), if it was.
    pub at: Option<i64>,
}

/// The steps of `kind` given the case's events (oldest first) and its status now.
pub fn progress(kind: CaseKind, status: Status, events: &[EventRecord]) -> Vec<Step> {
    let steps = steps(kind);
    let index_of = |status: Status| {
        steps
            .iter()
            .position(|(_, statuses)| statuses.contains(&status))
    };
    let mut reached_at: Vec<Option<i64>> = vec![None; steps.len()];
    // Every case starts at the first step, when it was made.
    reached_at[0] = events.first().map(|event| event.at);
    let mut furthest = 0;
    for event in events {
        let Some(index) = event
            .to_status
            .as_deref()
            .and_then(Status::parse)
            .and_then(index_of)
        else {
            continue;
        };
        reached_at[index].get_or_insert(event.at);
        furthest = furthest.max(index);
    }
    // A case that ended early (refused, cancelled, failed its inspection) stops where it got to.
    let (current, stopped) = match index_of(status) {
        Some(index) => (index, false),
        None => (furthest, true),
    };
    steps
        .iter()
        .enumerate()
        .map(|(index, (key, _))| Step {
            key: format!("portal-step-{key}"),
            state: match index.cmp(&current) {
                std::cmp::Ordering::Less => "done",
                std::cmp::Ordering::Equal if stopped => "stopped",
                std::cmp::Ordering::Equal if status == Status::Closed => "done",
                std::cmp::Ordering::Equal => "current",
                std::cmp::Ordering::Greater => "later",
            },
            at: if index <= current {
                reached_at[index]
            } else {
                None
            },
        })
        .collect()
}

/// A stage of a repair in plain words (`portal-repair-…` with the detail), and when it happened.
#[derive(Debug, PartialEq)]
pub struct Stage {
    pub key: String,
    pub detail: String,
    pub at: i64,
}

/// A repair's stages from its events (oldest first): received, diagnosed, at the supplier
/// (whether it confirmed the fault), repaired (what was done, parts), back, shipped back; and
/// the next step's expected date while the item is at a supplier (`portal-repair-expect-…`).
pub fn repair_stages(
    status: Status,
    events: &[EventRecord],
) -> (Vec<Stage>, Option<(&'static str, i64)>) {
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_string();
    let mut stages = Vec::new();
    let mut expected = None;
    for event in events {
        let data = &event.data;
        let (key, detail) = match event.action.as_str() {
            "receive" => ("received".to_string(), String::new()),
            "diagnose" => ("diagnosing".to_string(), String::new()),
            "send_to_vendor" => {
                expected = data["confirm_by"]
                    .as_i64()
                    .map(|at| ("portal-repair-expect-confirm", at));
                ("at_supplier".to_string(), text(&data["supplier"]))
            }
            action @ ("fault_confirmed" | "fault_not_confirmed" | "fault_not_reproducible") => {
                expected = match (expected, data["back_by"].as_i64()) {
                    (_, Some(at)) => Some(("portal-repair-expect-back", at)),
                    (Some((_, _)), None) => events
                        .iter()
                        .rev()
                        .find(|event| event.action == "send_to_vendor")
                        .and_then(|event| event.data["back_by"].as_i64())
                        .map(|at| ("portal-repair-expect-back", at)),
                    (None, None) => None,
                };
                (action.to_string(), text(&data["report"]))
            }
            "supplier_result" => {
                let parts: Vec<String> = data["parts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|part| {
                        part["name"]
                            .as_str()
                            .or(part["number"].as_str())
                            .unwrap_or_default()
                            .to_string()
                    })
                    .filter(|name| !name.is_empty())
                    .collect();
                let detail = [text(&data["note"]), parts.join("、")]
                    .into_iter()
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ");
                (format!("result-{}", text(&data["result"])), detail)
            }
            "vendor_return" | "supplier_returned" => {
                expected = None;
                ("back".to_string(), text(&data["supplier"]))
            }
            "mark_repaired" => ("repaired".to_string(), text(&data["note"])),
            "mark_no_fault_found" => ("no_fault".to_string(), text(&data["note"])),
            "ship_back" => (
                "shipped_back".to_string(),
                format!(
                    "{} {}",
                    text(&data["shipment"]["carrier"]),
                    text(&data["shipment"]["tracking_number"])
                )
                .trim()
                .to_string(),
            ),
            _ => continue,
        };
        stages.push(Stage {
            key: format!("portal-repair-{key}"),
            detail,
            at: event.at,
        });
    }
    if status != Status::AtVendor {
        expected = None;
    }
    (stages, expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(at: i64, to: &str) -> EventRecord {
        EventRecord {
            id: at.to_string(),
            at,
            actor_role: "agent".into(),
            actor_id: None,
            action: "x".into(),
            from_status: None,
            to_status: Some(to.into()),
            data: serde_json::Value::Null,
        }
    }

    fn states(steps: &[Step]) -> Vec<&str> {
        steps.iter().map(|step| step.state).collect()
    }

    #[test]
    fn a_return_on_its_way_back_has_three_steps_done_and_one_current() {
        let events = [
            event(1, "submitted"),
            event(2, "approved"),
            event(3, "return_shipped"),
        ];
        let steps = progress(CaseKind::ReturnAndRefund, Status::ReturnShipped, &events);
        assert_eq!(
            states(&steps),
            ["done", "done", "current", "later", "later", "later"]
        );
        assert_eq!(steps[2].at, Some(3));
        assert_eq!(steps[3].at, None);
    }

    #[test]
    fn a_refused_request_stops_where_it_was_and_a_closed_one_is_all_done() {
        let refused = progress(
            CaseKind::RefundOnly,
            Status::Rejected,
            &[event(1, "submitted"), event(2, "rejected")],
        );
        assert_eq!(states(&refused), ["stopped", "later", "later", "later"]);
        let closed = progress(
            CaseKind::RefundOnly,
            Status::Closed,
            &[
                event(1, "submitted"),
                event(2, "approved"),
                event(3, "refunded"),
                event(4, "closed"),
            ],
        );
        assert_eq!(states(&closed), ["done", "done", "done", "done"]);
    }

    #[test]
    fn every_status_of_every_kind_has_a_place_or_stops() {
        for kind in CaseKind::ALL {
            for status in Status::ALL {
                let steps = progress(*kind, *status, &[event(1, status.as_str())]);
                assert!(
                    steps
                        .iter()
                        .filter(|step| matches!(step.state, "current" | "stopped"))
                        .count()
                        <= 1,
                    "{kind} {status}"
                );
            }
        }
    }

    fn acted(at: i64, action: &str, data: serde_json::Value) -> EventRecord {
        EventRecord {
            action: action.into(),
            data,
            ..event(at, "")
        }
    }

    #[test]
    fn a_repair_at_a_supplier_says_each_stage_and_when_the_next_is_due() {
        let mut events = vec![
            acted(1, "receive", serde_json::Value::Null),
            acted(2, "diagnose", serde_json::Value::Null),
            acted(
                3,
                "send_to_vendor",
                serde_json::json!({ "supplier": "飞科售后", "confirm_by": 10, "back_by": 20 }),
            ),
        ];
        let (stages, expected) = repair_stages(Status::AtVendor, &events);
        assert_eq!(stages.len(), 3);
        assert_eq!(stages[2].key, "portal-repair-at_supplier");
        assert_eq!(stages[2].detail, "飞科售后");
        assert_eq!(expected, Some(("portal-repair-expect-confirm", 10)));
        events.push(acted(
            4,
            "fault_confirmed",
            serde_json::json!({ "report": "电机烧毁" }),
        ));
        events.push(acted(
            5,
            "supplier_result",
            serde_json::json!({ "result": "repaired", "note": "更换电机",
                "parts": [{ "number": "M1", "name": "电机" }] }),
        ));
        let (stages, expected) = repair_stages(Status::AtVendor, &events);
        assert_eq!(stages[3].detail, "电机烧毁");
        assert_eq!(stages[4].key, "portal-repair-result-repaired");
        assert_eq!(stages[4].detail, "更换电机 · 电机");
        assert_eq!(expected, Some(("portal-repair-expect-back", 20)));
        events.push(acted(
            6,
            "vendor_return",
            serde_json::json!({ "supplier": "飞科售后" }),
        ));
        let (stages, expected) = repair_stages(Status::Diagnosing, &events);
        assert_eq!(stages.last().unwrap().key, "portal-repair-back");
        assert_eq!(expected, None);
    }
}
