//! Which events leave the system, under which topic, and which of them the customer is told
//! about. Pure: the outbox writes what this says.

/// Whether a refund event's money is out: a refund still to be paid (`requested`) or waiting
/// for the payment service (`processing`) is not; older events carry no status and were paid.
pub fn money_is_out(refund_status: Option<&str>) -> bool {
    !matches!(refund_status, Some("requested" | "processing" | "failed"))
}

/// The topic of a case event, or `None` for events that stay inside (internal notes, checklist
/// ticks). `refund_status` is the status a refund event carries.
pub fn topic(
    action: &str,
    to_status: Option<&str>,
    refund_status: Option<&str>,
) -> Option<&'static str> {
    Some(match action {
        "refund" if !money_is_out(refund_status) => "refund.requested",
        "refund_retried" => "refund.requested",
        "refund_paid" => "refund.succeeded",
        "refund_failed" => "refund.failed",
        "created" => "case.created",
        "updated" => "case.updated",
        "message" => "message.created",
        "rated" => "case.rated",
        "attached" => "case.attachment_added",
        "sla_breached" => "case.sla_breached",
        "offer_made" => "offer.made",
        "offer_accepted" | "offer_declined" | "offer_withdrawn" => "offer.answered",
        "refund" => "refund.executed",
        "platform_refund" => "refund.platform",
        // For a connector: what the shop must now do on the platform, and a deadline missed.
        "platform_aftersale" => "aftersale.updated",
        "platform_deadline_missed" => "aftersale.deadline_missed",
        "dispute_opened" => "dispute.opened",
        "dispute_deadline_missed" => "dispute.deadline_missed",
        action if action.starts_with("dispute_") => "dispute.updated",
        "tracking" => "shipment.updated",
        "parcel_stalled" | "parcel_late" | "return_not_arrived" | "reship_not_sent" => {
            "shipment.delayed"
        }
        "parcel_reached_buyer" | "parcel_coming_back" => "shipment.updated",
        "reminded" => "case.reminded",
        "fault_confirmed"
        | "fault_not_confirmed"
        | "fault_not_reproducible"
        | "supplier_result"
        | "supplier_returned" => "repair.updated",
        "send_out_overdue" => "repair.overdue",
        "appointment_booked"
        | "appointment_moved"
        | "appointment_cancelled"
        | "appointment_reminder" => "repair.appointment",
        "note" | "checked" | "unchecked" => return None,
        _ if to_status.is_some() => "case.transitioned",
        _ => return None,
    })
}

/// The moments the customer hears about (by e-mail): a name for the message, from the event.
/// A refund is told when its money has gone out, not when it is decided.
pub fn customer_moment(
    action: &str,
    author_role: &str,
    refund_status: Option<&str>,
) -> Option<&'static str> {
    Some(match action {
        "refund" if !money_is_out(refund_status) => return None,
        "refund_paid" => "refunded",
        "created" => "received",
        "approve" => "approved",
        "reject" => "rejected",
        "receive" => "return_arrived",
        "refund" => "refunded",
        "ship_replacement" => "replacement_shipped",
        "ship_back" => "shipped_back",
        // A repair at a supplier: where it went, whether the fault was confirmed, back.
        "send_to_vendor" => "at_supplier",
        "fault_confirmed" => "fault_confirmed",
        "fault_not_confirmed" => "fault_not_confirmed",
        "fault_not_reproducible" => "fault_not_reproducible",
        "vendor_return" | "supplier_returned" => "back_from_supplier",
        "appointment_booked" | "appointment_moved" => "appointment_booked",
        "appointment_cancelled" => "appointment_cancelled",
        "appointment_reminder" => "appointment_reminder",
        "close" => "closed",
        "reminded" => "reminder",
        "offer_made" => "offer",
        // Spoken first: the shop noticed the parcel before the customer had to ask.
        "parcel_stalled" | "parcel_late" => "parcel_delayed",
        "message" if author_role != "customer" => "message",
        _ => return None,
    })
}

/// Every topic a webhook may subscribe to.
pub const TOPICS: &[&str] = &[
    "case.created",
    "case.updated",
    "case.transitioned",
    "case.rated",
    "case.attachment_added",
    "case.sla_breached",
    "case.reminded",
    "message.created",
    "offer.made",
    "offer.answered",
    "refund.executed",
    "refund.requested",
    "refund.succeeded",
    "refund.failed",
    "refund.platform",
    "aftersale.updated",
    "aftersale.deadline_missed",
    "dispute.opened",
    "dispute.updated",
    "dispute.deadline_missed",
    "order.do_not_ship",
    "shipment.updated",
    "shipment.delayed",
    "repair.updated",
    "repair.overdue",
    "repair.appointment",
];

/// How long to wait before attempt `attempt` + 1 after a failure: 10 s doubling, at most an hour.
pub fn backoff_micros(attempt: i64) -> i64 {
    let seconds = 10i64.saturating_mul(1i64 << attempt.clamp(1, 20).saturating_sub(1));
    seconds.min(3_600) * 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_events_stay_inside() {
        assert_eq!(topic("note", None, None), None);
        assert_eq!(topic("checked", None, None), None);
        assert_eq!(
            topic("approve", Some("approved"), None),
            Some("case.transitioned")
        );
        assert_eq!(
            topic("refund", Some("refunded"), None),
            Some("refund.executed")
        );
        assert_eq!(
            topic("refund", Some("refunded"), Some("requested")),
            Some("refund.requested")
        );
        assert_eq!(
            topic("created", Some("submitted"), None),
            Some("case.created")
        );
        for action in ["created", "updated", "message", "refund", "offer_made"] {
            assert!(TOPICS.contains(&topic(action, Some("x"), None).unwrap()));
        }
    }

    #[test]
    fn the_customer_hears_of_the_shop_not_of_themselves() {
        assert_eq!(customer_moment("message", "agent", None), Some("message"));
        assert_eq!(customer_moment("message", "customer", None), None);
        assert_eq!(customer_moment("close", "system", None), Some("closed"));
        assert_eq!(customer_moment("updated", "agent", None), None);
        assert_eq!(customer_moment("refund", "agent", Some("requested")), None);
        assert_eq!(
            customer_moment("refund", "agent", Some("succeeded")),
            Some("refunded")
        );
        assert_eq!(
            customer_moment("refund_paid", "system", None),
            Some("refunded")
        );
        assert_eq!(
            customer_moment("reminded", "system", None),
            Some("reminder")
        );
        assert_eq!(
            customer_moment("parcel_late", "system", None),
            Some("parcel_delayed")
        );
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(backoff_micros(1), 10_000_000);
        assert_eq!(backoff_micros(2), 20_000_000);
        assert_eq!(backoff_micros(4), 80_000_000);
        assert_eq!(backoff_micros(30), 3_600_000_000);
    }
}
