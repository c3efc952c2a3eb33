//! The state machine of a case: which action moves which kind of case from which status to
//! which, and who may take it. Every move not listed here is refused and changes nothing.

use super::case::{Action, CaseKind, Role, Status};
use CaseKind::*;
use Status::*;

/// How long after closing (or rejection) a case may be reopened.
pub const REOPEN_WINDOW_MICROS: i64 = 15 * 24 * 3600 * 1_000_000;

/// One allowed move: for these kinds, from these statuses, the action leads to `to`.
struct Rule {
    kinds: &'static [CaseKind],
    from: &'static [Status],
    action: Action,
    to: Status,
}

const GOODS: &[CaseKind] = &[
    RefundOnly,
    ReturnAndRefund,
    Exchange,
    Repair,
    Reship,
    RefusedDelivery,
    Interception,
];
/// The order's own parcel comes back (refused by the buyer, or intercepted on its way).
const PARCEL_BACK: &[CaseKind] = &[RefusedDelivery, Interception];
const SHIPPED_BACK_KINDS: &[CaseKind] = &[ReturnAndRefund, Exchange, Repair];
const TALK: &[CaseKind] = &[Consultation, Complaint, Review];
const ALL_KINDS: &[CaseKind] = CaseKind::ALL;

const RULES: &[Rule] = &[
    // Goods: the shop answers the request.
    Rule {
        kinds: GOODS,
        from: &[Submitted],
        action: Action::Approve,
        to: Approved,
    },
    Rule {
        kinds: GOODS,
        from: &[Submitted, Approved, InspectionFailed, Diagnosing],
        action: Action::Reject,
        to: Rejected,
    },
    Rule {
        kinds: GOODS,
        from: &[Submitted, Approved],
        action: Action::Cancel,
        to: Cancelled,
    },
    // Refund only: the money goes out, nothing comes back.
    Rule {
        kinds: &[RefundOnly],
        from: &[Submitted, Approved],
        action: Action::Refund,
        to: Refunded,
    },
    // Goods come back to the shop.
    Rule {
        kinds: SHIPPED_BACK_KINDS,
        from: &[Approved],
        action: Action::ShipReturn,
        to: ReturnShipped,
    },
    Rule {
        kinds: SHIPPED_BACK_KINDS,
        from: &[Approved, ReturnShipped],
        action: Action::Receive,
        to: Received,
    },
    Rule {
        kinds: &[ReturnAndRefund, Exchange],
        from: &[Received],
        action: Action::InspectPass,
        to: Inspected,
    },
    Rule {
        kinds: &[ReturnAndRefund, Exchange],
        from: &[Received],
        action: Action::InspectFail,
        to: InspectionFailed,
    },
    Rule {
        kinds: &[ReturnAndRefund],
        from: &[Inspected, InspectionFailed],
        action: Action::Refund,
        to: Refunded,
    },
    // On proof of sending (EU-R9), or the platform's clock when the shop never confirms receipt.
    Rule {
        kinds: &[ReturnAndRefund],
        from: &[ReturnShipped],
        action: Action::Refund,
        to: Refunded,
    },
    // The shop may refund without the goods coming back: an accepted partial-refund offer (the
    // customer keeps the goods), or goods not worth their return freight.
    Rule {
        kinds: &[ReturnAndRefund],
        from: &[Submitted, Approved],
        action: Action::Refund,
        to: Refunded,
    },
    // A partial refund can be topped up until the lines are fully refunded.
    Rule {
        kinds: &[RefundOnly, ReturnAndRefund],
        from: &[Refunded],
        action: Action::Refund,
        to: Refunded,
    },
    Rule {
        kinds: &[RefundOnly, ReturnAndRefund],
        from: &[Refunded],
        action: Action::Close,
        to: Closed,
    },
    // Refused or intercepted: the order's parcel comes back, then the money goes back (or at
    // once, when the shop does not wait for the parcel).
    Rule {
        kinds: PARCEL_BACK,
        from: &[Approved],
        action: Action::Receive,
        to: Received,
    },
    Rule {
        kinds: PARCEL_BACK,
        from: &[Approved, Received, Refunded],
        action: Action::Refund,
        to: Refunded,
    },
    Rule {
        kinds: PARCEL_BACK,
        from: &[Refunded],
        action: Action::Close,
        to: Closed,
    },
    // Reship: the missing part or a new parcel goes out; nothing comes back.
    Rule {
        kinds: &[Reship],
        from: &[Approved],
        action: Action::ShipReplacement,
        to: ReplacementShipped,
    },
    Rule {
        kinds: &[Reship],
        from: &[ReplacementShipped],
        action: Action::ConfirmDelivery,
        to: ReplacementDelivered,
    },
    Rule {
        kinds: &[Reship],
        from: &[ReplacementDelivered],
        action: Action::Close,
        to: Closed,
    },
    // Exchange: a replacement goes out.
    Rule {
        kinds: &[Exchange],
        from: &[Inspected, InspectionFailed],
        action: Action::ShipReplacement,
        to: ReplacementShipped,
    },
    Rule {
        kinds: &[Exchange],
        from: &[ReplacementShipped],
        action: Action::ConfirmDelivery,
        to: ReplacementDelivered,
    },
    Rule {
        kinds: &[Exchange],
        from: &[ReplacementDelivered],
        action: Action::Close,
        to: Closed,
    },
    // Repair: diagnosis, maybe the supplier, then back to the customer.
    Rule {
        kinds: &[Repair],
        from: &[Received],
        action: Action::Diagnose,
        to: Diagnosing,
    },
    Rule {
        kinds: &[Repair],
        from: &[Diagnosing],
        action: Action::SendToVendor,
        to: AtVendor,
    },
    Rule {
        kinds: &[Repair],
        from: &[AtVendor],
        action: Action::VendorReturn,
        to: Diagnosing,
    },
    Rule {
        kinds: &[Repair],
        from: &[Diagnosing, AtVendor],
        action: Action::MarkRepaired,
        to: Repaired,
    },
    Rule {
        kinds: &[Repair],
        from: &[Diagnosing, AtVendor],
        action: Action::MarkNoFaultFound,
        to: NoFaultFound,
    },
    Rule {
        kinds: &[Repair],
        from: &[Repaired, NoFaultFound],
        action: Action::ShipBack,
        to: ShippedBack,
    },
    Rule {
        kinds: &[Repair],
        from: &[ShippedBack],
        action: Action::ConfirmDelivery,
        to: Delivered,
    },
    Rule {
        kinds: &[Repair],
        from: &[Delivered],
        action: Action::Close,
        to: Closed,
    },
    // Consultations and complaints: a conversation until resolved.
    Rule {
        kinds: TALK,
        from: &[Open, WaitingOnShop],
        action: Action::WaitOnCustomer,
        to: WaitingOnCustomer,
    },
    Rule {
        kinds: TALK,
        from: &[Open, WaitingOnCustomer],
        action: Action::WaitOnShop,
        to: WaitingOnShop,
    },
    Rule {
        kinds: TALK,
        from: &[Open, WaitingOnCustomer, WaitingOnShop],
        action: Action::Resolve,
        to: Resolved,
    },
    Rule {
        kinds: &[Complaint],
        from: &[Open, WaitingOnCustomer, WaitingOnShop],
        action: Action::Refund,
        to: Resolved,
    },
    Rule {
        kinds: TALK,
        from: &[Open, WaitingOnCustomer, WaitingOnShop],
        action: Action::Reject,
        to: Rejected,
    },
    Rule {
        kinds: TALK,
        from: &[Open, WaitingOnCustomer, WaitingOnShop],
        action: Action::Cancel,
        to: Cancelled,
    },
    Rule {
        kinds: TALK,
        from: &[Resolved],
        action: Action::Close,
        to: Closed,
    },
    // Disputes: the platform steps in; its verdict ends the dispute.
    Rule {
        kinds: ALL_KINDS,
        from: &[
            Submitted,
            Approved,
            ReturnShipped,
            Received,
            Inspected,
            InspectionFailed,
            Refunded,
            ReplacementShipped,
            ReplacementDelivered,
            Diagnosing,
            AtVendor,
            Repaired,
            NoFaultFound,
            ShippedBack,
            Delivered,
            Open,
            WaitingOnCustomer,
            WaitingOnShop,
            Resolved,
            Rejected,
        ],
        action: Action::Escalate,
        to: Escalated,
    },
    Rule {
        kinds: &[
            RefundOnly,
            ReturnAndRefund,
            Complaint,
            RefusedDelivery,
            Interception,
        ],
        from: &[Escalated],
        action: Action::Refund,
        to: Refunded,
    },
    Rule {
        kinds: ALL_KINDS,
        from: &[Escalated],
        action: Action::Reject,
        to: Rejected,
    },
    Rule {
        kinds: ALL_KINDS,
        from: &[Escalated],
        action: Action::Close,
        to: Closed,
    },
    // Reopening, within the window (see `REOPEN_WINDOW_MICROS`).
    Rule {
        kinds: GOODS,
        from: &[Closed, Rejected],
        action: Action::Reopen,
        to: Submitted,
    },
    Rule {
        kinds: TALK,
        from: &[Closed, Rejected],
        action: Action::Reopen,
        to: Open,
    },
];

/// Who may take an action. The clock (`System`) may take the automatic moves platforms make.
fn roles_for(action: Action) -> &'static [Role] {
    use Role::*;
    match action {
        Action::Approve => &[Agent, Supervisor, Admin, System],
        Action::Reject => &[Agent, Supervisor, Admin],
        Action::Cancel => &[Customer, Agent, Supervisor, Admin, System],
        Action::Escalate => &[Customer, Agent, Supervisor, Admin, System],
        Action::Reopen => &[Customer, Supervisor, Admin],
        Action::ShipReturn => &[Customer, Agent, Supervisor, Admin],
        // System: the carrier reported the return delivered to the shop.
        Action::Receive => &[Inspector, Agent, Supervisor, Admin, System],
        Action::InspectPass | Action::InspectFail => &[Inspector, Supervisor, Admin],
        Action::Refund => &[Agent, Supervisor, Admin, System],
        Action::ConfirmDelivery => &[Customer, Agent, Supervisor, Admin, System],
        Action::Diagnose | Action::SendToVendor | Action::VendorReturn => {
            &[Inspector, Agent, Supervisor, Admin]
        }
        Action::MarkRepaired | Action::MarkNoFaultFound => &[Inspector, Agent, Supervisor, Admin],
        Action::ShipReplacement | Action::ShipBack => &[Inspector, Agent, Supervisor, Admin],
        Action::WaitOnCustomer | Action::WaitOnShop | Action::Resolve => {
            &[Agent, Supervisor, Admin, System]
        }
        Action::Close => &[Customer, Agent, Supervisor, Admin, System],
    }
}

/// What the guard needs besides kind, status, action and role.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    /// Now, in unix microseconds.
    pub now: i64,
    /// When the case was last closed or rejected, if it was.
    pub ended_at: Option<i64>,
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("action '{action}' is not possible for a {kind} case in status '{status}'")]
    NotAllowed {
        kind: CaseKind,
        status: Status,
        action: Action,
    },
    #[error("role '{role}' may not take action '{action}'")]
    RoleNotAllowed { role: Role, action: Action },
    #[error("the case ended more than 15 days ago and can no longer be reopened")]
    ReopenWindowPassed,
}

/// Decides the status that `action` leads to, or why it may not be taken. Pure: the caller
/// persists the result together with its event.
pub fn next_status(
    kind: CaseKind,
    status: Status,
    action: Action,
    role: Role,
    moment: Moment,
) -> Result<Status, TransitionError> {
    let rule = RULES
        .iter()
        .find(|rule| {
            rule.action == action && rule.kinds.contains(&kind) && rule.from.contains(&status)
        })
        .ok_or(TransitionError::NotAllowed {
            kind,
            status,
            action,
        })?;
    if !roles_for(action).contains(&role) {
        return Err(TransitionError::RoleNotAllowed { role, action });
    }
    if action == Action::Reopen {
        let ended_at = moment.ended_at.unwrap_or(moment.now);
        if moment.now - ended_at > REOPEN_WINDOW_MICROS {
            return Err(TransitionError::ReopenWindowPassed);
        }
    }
    Ok(rule.to)
}

/// The actions `role` may take now on a case of `kind` in `status`, in a stable order.
pub fn allowed_actions(kind: CaseKind, status: Status, role: Role, moment: Moment) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|action| next_status(kind, status, *action, role, moment).is_ok())
        .collect()
}

/// Every status a case of `kind` can ever be in.
pub fn statuses_of(kind: CaseKind) -> Vec<Status> {
    let mut statuses = vec![kind.initial_status()];
    for rule in RULES.iter().filter(|rule| rule.kinds.contains(&kind)) {
        if !statuses.contains(&rule.to) {
            statuses.push(rule.to);
        }
    }
    statuses
}

/// Actions whose taking needs a reason from the actor.
pub fn needs_reason(action: Action) -> bool {
    matches!(
        action,
        Action::Reject | Action::InspectFail | Action::Escalate
    )
}

#[cfg(test)]
mod tests;
