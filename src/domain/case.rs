//! The words of a case: its kind, status, the actions on it, priorities and the roles acting.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Implements `as_str`, `parse` and `ALL` for a plain enum whose wire names are snake_case.
/// One small helper instead of five hand-written copies of the same match.
macro_rules! wire_names {
    ($type:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            pub const ALL: &'static [$type] = &[$($type::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($type::$variant => $name),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($name => Some($type::$variant),)+ _ => None }
            }
        }

        /// Reads a stored wire name (rows are read with `#[sqlx(try_from = "String")]`).
        impl TryFrom<String> for $type {
            type Error = String;

            fn try_from(text: String) -> Result<Self, String> {
                $type::parse(&text).ok_or_else(|| format!("unknown {} '{text}'", stringify!($type)))
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_names;

/// What the customer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 仅退款
    RefundOnly,
    /// 退货退款
    ReturnAndRefund,
    /// 换货
    Exchange,
    /// 维修
    Repair,
    /// 咨询
    Consultation,
    /// 投诉
    Complaint,
    /// 补寄: a missing part (缺货/漏发补寄) or a lost parcel sent again; nothing comes back.
    Reship,
    /// 拒收退款: the buyer refused the parcel; the refund waits for it to come back.
    RefusedDelivery,
    /// 拦截退款: the shop has the carrier stop a parcel on its way and bring it back; the refund
    /// follows its return.
    Interception,
    /// 中差评: a medium or negative review followed up (contact, cause, revision or an
    /// explanation reply).
    Review,
}

wire_names!(CaseKind {
    RefundOnly => "refund_only",
    ReturnAndRefund => "return_and_refund",
    Exchange => "exchange",
    Repair => "repair",
    Consultation => "consultation",
    Complaint => "complaint",
    Reship => "reship",
    RefusedDelivery => "refused_delivery",
    Interception => "interception",
    Review => "review",
});

impl CaseKind {
    /// The status a new case of this kind starts in.
    pub fn initial_status(self) -> Status {
        match self {
            CaseKind::Consultation | CaseKind::Complaint | CaseKind::Review => Status::Open,
            _ => Status::Submitted,
        }
    }

    /// Whether the kind is about goods the customer bought (and so needs order lines).
    pub fn concerns_goods(self) -> bool {
        !matches!(
            self,
            CaseKind::Consultation | CaseKind::Complaint | CaseKind::Review
        )
    }

    /// Whether the case pays the goods' price back (so its units cannot be refunded twice).
    pub fn pays_back(self) -> bool {
        matches!(
            self,
            CaseKind::RefundOnly
                | CaseKind::ReturnAndRefund
                | CaseKind::RefusedDelivery
                | CaseKind::Interception
        )
    }

    /// Whether the order's own parcel comes back to the shop (refused, or intercepted) instead
    /// of the customer sending the goods back.
    pub fn brings_parcel_back(self) -> bool {
        matches!(self, CaseKind::RefusedDelivery | CaseKind::Interception)
    }

    /// Whether the goods come back to the shop (and the case has a return label).
    pub fn ships_back(self) -> bool {
        matches!(
            self,
            CaseKind::ReturnAndRefund | CaseKind::Exchange | CaseKind::Repair
        )
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CaseKind::RefundOnly => "仅退款",
            CaseKind::ReturnAndRefund => "退货退款",
            CaseKind::Exchange => "换货",
            CaseKind::Repair => "维修",
            CaseKind::Consultation => "咨询",
            CaseKind::Complaint => "投诉",
            CaseKind::Reship => "补寄",
            CaseKind::RefusedDelivery => "拒收退款",
            CaseKind::Interception => "拦截退款",
            CaseKind::Review => "中差评",
        }
    }
}

/// Where a case stands. Which statuses a kind can reach is decided in [`crate::domain::lifecycle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
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
    Escalated,
    Rejected,
    Cancelled,
    Closed,
}

wire_names!(Status {
    Submitted => "submitted",
    Approved => "approved",
    ReturnShipped => "return_shipped",
    Received => "received",
    Inspected => "inspected",
    InspectionFailed => "inspection_failed",
    Refunded => "refunded",
    ReplacementShipped => "replacement_shipped",
    ReplacementDelivered => "replacement_delivered",
    Diagnosing => "diagnosing",
    AtVendor => "at_vendor",
    Repaired => "repaired",
    NoFaultFound => "no_fault_found",
    ShippedBack => "shipped_back",
    Delivered => "delivered",
    Open => "open",
    WaitingOnCustomer => "waiting_on_customer",
    WaitingOnShop => "waiting_on_shop",
    Resolved => "resolved",
    Escalated => "escalated",
    Rejected => "rejected",
    Cancelled => "cancelled",
    Closed => "closed",
});

impl Status {
    /// Open means someone still has work to do on the case: everything but the three ends.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Cancelled | Status::Rejected)
    }
}

/// A move on a case. Each is guarded by the lifecycle rules and by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Approve,
    Reject,
    Cancel,
    Escalate,
    Reopen,
    ShipReturn,
    Receive,
    InspectPass,
    InspectFail,
    Refund,
    ShipReplacement,
    ConfirmDelivery,
    Diagnose,
    SendToVendor,
    VendorReturn,
    MarkRepaired,
    MarkNoFaultFound,
    ShipBack,
    WaitOnCustomer,
    WaitOnShop,
    Resolve,
    Close,
}

wire_names!(Action {
    Approve => "approve",
    Reject => "reject",
    Cancel => "cancel",
    Escalate => "escalate",
    Reopen => "reopen",
    ShipReturn => "ship_return",
    Receive => "receive",
    InspectPass => "inspect_pass",
    InspectFail => "inspect_fail",
    Refund => "refund",
    ShipReplacement => "ship_replacement",
    ConfirmDelivery => "confirm_delivery",
    Diagnose => "diagnose",
    SendToVendor => "send_to_vendor",
    VendorReturn => "vendor_return",
    MarkRepaired => "mark_repaired",
    MarkNoFaultFound => "mark_no_fault_found",
    ShipBack => "ship_back",
    WaitOnCustomer => "wait_on_customer",
    WaitOnShop => "wait_on_shop",
    Resolve => "resolve",
    Close => "close",
});

/// Who acts. Staff roles come from memberships and API tokens; `Customer` is the buyer acting
/// through self-service; `System` is the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Agent,
    Inspector,
    Supervisor,
    Admin,
    System,
}

wire_names!(Role {
    Customer => "customer",
    Agent => "agent",
    Inspector => "inspector",
    Supervisor => "supervisor",
    Admin => "admin",
    System => "system",
});

impl Role {
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Role::Agent | Role::Inspector | Role::Supervisor | Role::Admin
        )
    }
}

/// How urgent a case is; higher sorts first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

wire_names!(Priority {
    Low => "low",
    Normal => "normal",
    High => "high",
    Urgent => "urgent",
});

impl Priority {
    pub fn rank(self) -> i64 {
        match self {
            Priority::Low => 0,
            Priority::Normal => 1,
            Priority::High => 2,
            Priority::Urgent => 3,
        }
    }

    /// One step more urgent (an SLA breach); urgent stays urgent.
    pub fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Normal,
            Priority::Normal => Priority::High,
            Priority::High | Priority::Urgent => Priority::Urgent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(*status));
            let json = serde_json::to_string(status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(*action));
            let json = serde_json::to_string(action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.as_str()));
        }
        for kind in CaseKind::ALL {
            assert_eq!(CaseKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(Status::parse("nonsense"), None);
    }
}
