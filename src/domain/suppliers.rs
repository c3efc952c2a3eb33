//! Suppliers and repair centres, and the send-outs of faulty items to them (docs/REPAIRS.md):
//! the stages a send-out goes through, its turnaround targets and when it missed one, and the
//! supplier's scorecard. Pure.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::wire_names;

pub const DAY_MICROS: i64 = 24 * 3_600_000_000;

/// What a supplier is to the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupplierKind {
    /// The maker or wholesaler the shop buys from.
    Supplier,
    /// A brand's authorised repair centre (官方授权维修点).
    ServiceCentre,
    /// The shop's own workshop.
    Workshop,
}

wire_names!(SupplierKind {
    Supplier => "supplier",
    ServiceCentre => "service_centre",
    Workshop => "workshop",
});

/// Who pays a leg's freight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FreightPayer {
    Shop,
    Supplier,
}

wire_names!(FreightPayer {
    Shop => "shop",
    Supplier => "supplier",
});

/// What the supplier found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// The fault is there and is the maker's (covered).
    Confirmed,
    /// Not a fault the maker answers for (damage by use, water, a part not theirs).
    NotConfirmed,
    /// The fault could not be made to happen.
    NotReproducible,
}

wire_names!(Finding {
    Confirmed => "confirmed",
    NotConfirmed => "not_confirmed",
    NotReproducible => "not_reproducible",
});

impl Finding {
    /// The timeline's word for it (and the customer's notice).
    pub fn event(self) -> &'static str {
        match self {
            Finding::Confirmed => "fault_confirmed",
            Finding::NotConfirmed => "fault_not_confirmed",
            Finding::NotReproducible => "fault_not_reproducible",
        }
    }
}

/// What the supplier did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepairResult {
    Repaired,
    /// A new unit instead of the faulty one.
    Replaced,
    /// It cannot be repaired.
    Unrepairable,
    /// Sent back as it came (no fault, or the repair was declined).
    ReturnedUnrepaired,
}

wire_names!(RepairResult {
    Repaired => "repaired",
    Replaced => "replaced",
    Unrepairable => "unrepairable",
    ReturnedUnrepaired => "returned_unrepaired",
});

/// Where a send-out stands: sent, found (the finding's name), done (the result's name), back.
pub fn stage(finding: Option<Finding>, result: Option<RepairResult>, back: bool) -> &'static str {
    match (back, result, finding) {
        (true, _, _) => "back",
        (false, Some(result), _) => result.as_str(),
        (false, None, Some(finding)) => finding.as_str(),
        (false, None, None) => "sent",
    }
}

/// The targets of a send-out leaving at `sent_at`: the finding within `confirm_days`, the item
/// back within `repair_days` (never before the finding's).
pub fn due_dates(sent_at: i64, confirm_days: i64, repair_days: i64) -> (i64, i64) {
    let confirm = sent_at + confirm_days * DAY_MICROS;
    (confirm, (sent_at + repair_days * DAY_MICROS).max(confirm))
}

/// A target a send-out has missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overdue {
    /// No finding by the confirmation target.
    Confirmation,
    /// Not back by the repair target.
    Repair,
}

impl Overdue {
    pub fn as_str(self) -> &'static str {
        match self {
            Overdue::Confirmation => "confirmation",
            Overdue::Repair => "repair",
        }
    }
}

/// What a send-out still open at `now` has missed and not been followed up for: the repair
/// target first (it includes the confirmation's), else the confirmation.
pub fn overdue(
    found: bool,
    due: (i64, i64),
    followed_up: (bool, bool),
    now: i64,
) -> Option<Overdue> {
    let (confirm_due, repair_due) = due;
    let (confirmation_raised, repair_raised) = followed_up;
    if now >= repair_due && !repair_raised {
        Some(Overdue::Repair)
    } else if !found && now >= confirm_due && !confirmation_raised && !repair_raised {
        Some(Overdue::Confirmation)
    } else {
        None
    }
}

/// A send-out as the scorecard reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub order_id: String,
    pub sent_at: i64,
    pub repair_due_at: i64,
    pub finding: Option<Finding>,
    pub result: Option<RepairResult>,
    pub back_at: Option<i64>,
}

/// A supplier's figures over its send-outs.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Scorecard {
    pub send_outs: u64,
    /// Back at the shop.
    pub back: u64,
    /// Days from sending to back: median and 90th percentile.
    pub turnaround_median_days: Option<f64>,
    pub turnaround_p90_days: Option<f64>,
    /// Share of those back that came back by the repair target (0–1).
    pub on_time_share: Option<f64>,
    /// Share of the findings that confirmed the fault (0–1).
    pub confirmation_rate: Option<f64>,
    /// Share of the repaired or replaced items whose order was sent to this supplier again
    /// afterwards (the fault came back).
    pub repeat_fault_rate: Option<f64>,
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 1000.0).round() / 1000.0)
}

/// The scorecard of `outcomes` (one supplier's send-outs, one per case).
pub fn scorecard(outcomes: &[Outcome]) -> Scorecard {
    let back: Vec<&Outcome> = outcomes.iter().filter(|o| o.back_at.is_some()).collect();
    let mut days: Vec<f64> = back
        .iter()
        .map(|o| (o.back_at.unwrap_or(o.sent_at) - o.sent_at) as f64 / DAY_MICROS as f64)
        .collect();
    let round = |value: Option<f64>| value.map(|days| (days * 10.0).round() / 10.0);
    let on_time = back
        .iter()
        .filter(|o| o.back_at.is_some_and(|at| at <= o.repair_due_at))
        .count();
    let found: Vec<Finding> = outcomes.iter().filter_map(|o| o.finding).collect();
    let confirmed = found.iter().filter(|f| **f == Finding::Confirmed).count();
    let fixed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| {
            matches!(
                o.result,
                Some(RepairResult::Repaired | RepairResult::Replaced)
            )
        })
        .collect();
    let repeated = fixed
        .iter()
        .filter(|fixed| {
            outcomes
                .iter()
                .any(|later| later.order_id == fixed.order_id && later.sent_at > fixed.sent_at)
        })
        .count();
    Scorecard {
        send_outs: outcomes.len() as u64,
        back: back.len() as u64,
        turnaround_median_days: round(super::kpis::percentile(&mut days, 0.5)),
        turnaround_p90_days: round(super::kpis::percentile(&mut days, 0.9)),
        on_time_share: share(on_time, back.len()),
        confirmation_rate: share(confirmed, found.len()),
        repeat_fault_rate: share(repeated, fixed.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_follows_what_is_known() {
        assert_eq!(stage(None, None, false), "sent");
        assert_eq!(stage(Some(Finding::Confirmed), None, false), "confirmed");
        assert_eq!(
            stage(
                Some(Finding::Confirmed),
                Some(RepairResult::Repaired),
                false
            ),
            "repaired"
        );
        assert_eq!(stage(None, Some(RepairResult::Repaired), true), "back");
    }

    #[test]
    fn a_target_missed_is_raised_once_and_the_repair_one_wins() {
        let due = due_dates(0, 3, 10);
        assert_eq!(due, (3 * DAY_MICROS, 10 * DAY_MICROS));
        assert_eq!(due_dates(0, 5, 2), (5 * DAY_MICROS, 5 * DAY_MICROS));
        let day = |n: i64| n * DAY_MICROS;
        assert_eq!(overdue(false, due, (false, false), day(2)), None);
        assert_eq!(
            overdue(false, due, (false, false), day(3)),
            Some(Overdue::Confirmation)
        );
        assert_eq!(overdue(false, due, (true, false), day(4)), None);
        assert_eq!(overdue(true, due, (false, false), day(4)), None);
        assert_eq!(
            overdue(true, due, (true, false), day(10)),
            Some(Overdue::Repair)
        );
        // Both missed at once: one follow-up, for the repair.
        assert_eq!(
            overdue(false, due, (false, false), day(11)),
            Some(Overdue::Repair)
        );
        assert_eq!(overdue(false, due, (false, true), day(12)), None);
    }

    fn outcome(order: &str, sent: i64, back: Option<i64>, finding: Option<Finding>) -> Outcome {
        Outcome {
            order_id: order.into(),
            sent_at: sent * DAY_MICROS,
            repair_due_at: (sent + 10) * DAY_MICROS,
            finding,
            result: finding.map(|_| RepairResult::Repaired),
            back_at: back.map(|day| day * DAY_MICROS),
        }
    }

    #[test]
    fn the_scorecard_counts_turnaround_confirmation_and_repeats() {
        let card = scorecard(&[
            outcome("a", 0, Some(4), Some(Finding::Confirmed)),
            outcome("b", 0, Some(12), Some(Finding::NotReproducible)),
            outcome("a", 20, None, None),
        ]);
        assert_eq!(card.send_outs, 3);
        assert_eq!(card.back, 2);
        assert_eq!(card.turnaround_median_days, Some(8.0));
        assert_eq!(card.turnaround_p90_days, Some(11.2));
        assert_eq!(card.on_time_share, Some(0.5));
        assert_eq!(card.confirmation_rate, Some(0.5));
        // Order a came back after its repair; b did not.
        assert_eq!(card.repeat_fault_rate, Some(0.5));
        let empty = scorecard(&[]);
        assert_eq!((empty.send_outs, empty.on_time_share), (0, None));
    }
}
