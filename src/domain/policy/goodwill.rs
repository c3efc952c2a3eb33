//! Goodwill compensation the shop may offer where it fits (docs/POLICY.md, "Goodwill"): not the
//! law's remedies but what good shops give to keep a customer — a coupon for a late parcel or a
//! rude answer, money back to keep goods with a small flaw instead of sending them back. Each
//! suggestion names its rule (GW-1 …) and says why; the amounts are shares of what was paid for
//! the case's goods, at least one whole unit of the currency. The shop's caps still apply.

use serde::Serialize;
use utoipa::ToSchema;

use super::decision::{Text, text};
use crate::domain::CaseKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Suggestion {
    /// An offer's kind: coupon, points or partial_refund.
    pub kind: &'static str,
    /// In minor units of the order's currency.
    pub amount_minor: i64,
    pub rule: &'static str,
    pub explanation: Text,
}

/// What fits a case of `kind` opened for `reason_code`, whose goods were paid `paid_minor`
/// (`unit_minor`: one whole unit of the currency in minor units, 100 for CNY, 1 for JPY).
pub fn suggest(
    kind: CaseKind,
    reason_code: &str,
    paid_minor: i64,
    unit_minor: i64,
) -> Vec<Suggestion> {
    let share = |percent: i64| {
        let amount = paid_minor.max(0) * percent / 100;
        // Whole units: a coupon of ¥7.35 reads as ¥7.
        (amount / unit_minor.max(1) * unit_minor.max(1)).max(unit_minor.max(1))
    };
    let mut suggestions = Vec::new();
    match reason_code {
        "late_delivery" => suggestions.push(Suggestion {
            kind: "coupon",
            amount_minor: share(5),
            rule: "GW-1",
            explanation: text(
                "物流延误：送一张约为实付 5% 的优惠券表达歉意",
                "A late parcel: a coupon worth about 5 % of what was paid, as an apology",
            ),
        }),
        "service_attitude" => suggestions.push(Suggestion {
            kind: "coupon",
            amount_minor: share(3),
            rule: "GW-2",
            explanation: text(
                "服务态度投诉：道歉并送一张约为实付 3% 的优惠券",
                "A complaint about the service: an apology and a coupon worth about 3 % of what was paid",
            ),
        }),
        "damaged_in_transit" | "not_as_described" | "quality"
            if matches!(kind, CaseKind::ReturnAndRefund | CaseKind::RefundOnly | CaseKind::Exchange) =>
        {
            suggestions.push(Suggestion {
                kind: "partial_refund",
                amount_minor: share(10),
                rule: "GW-3",
                explanation: text(
                    "瑕疵不影响使用时：先提出退 10% 由买家留下商品，省去来回运费和二次销售损失",
                    "A flaw that does not stop the goods being used: offer 10 % back for the customer to keep them, saving the freight both ways and the resale loss",
                ),
            })
        }
        _ => {}
    }
    suggestions.retain(|suggestion| paid_minor > 0 && suggestion.amount_minor < paid_minor);
    suggestions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_gets_what_fits_in_whole_units() {
        let late = suggest(CaseKind::Complaint, "late_delivery", 28900, 100);
        assert_eq!(
            (late[0].kind, late[0].amount_minor, late[0].rule),
            ("coupon", 1400, "GW-1")
        );
        // At least one whole unit; yen have no minor unit.
        assert_eq!(
            suggest(CaseKind::Complaint, "service_attitude", 1000, 100)[0].amount_minor,
            100
        );
        assert_eq!(
            suggest(CaseKind::Complaint, "late_delivery", 5980, 1)[0].amount_minor,
            299
        );
        let flaw = suggest(CaseKind::ReturnAndRefund, "damaged_in_transit", 19900, 100);
        assert_eq!(
            (flaw[0].kind, flaw[0].amount_minor),
            ("partial_refund", 1900)
        );
        // A complaint about a flaw gets no money back suggested; a change of mind gets nothing.
        assert!(suggest(CaseKind::Complaint, "quality", 19900, 100).is_empty());
        assert!(suggest(CaseKind::ReturnAndRefund, "no_reason", 19900, 100).is_empty());
        assert!(suggest(CaseKind::Complaint, "late_delivery", 0, 100).is_empty());
    }
}
