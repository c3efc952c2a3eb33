//! The after-sales department's figures (docs/MANAGEMENT.md, "KPIs"): what a set of cases
//! says about speed, SLA, reopening and outcomes. Pure: the caller gives the cases' times.

use serde::Serialize;
use utoipa::ToSchema;

/// One case as the figures need it (unix µs; minutes of working time where the SLA counts them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTimes {
    pub id: String,
    pub kind: String,
    pub assignee_id: Option<String>,
    pub reason_code: String,
    pub created_at: i64,
    pub ended_at: Option<i64>,
    pub cancelled: bool,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// Working minutes from opening to resolution, the SLA's pauses left out.
    pub business_minutes: Option<i64>,
    /// The case had an SLA target …
    pub has_target: bool,
    /// … and missed one.
    pub breached: bool,
    pub reopened: bool,
}

/// A duration's middle and its 90th percentile, in minutes, over `count` cases.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Spread {
    pub count: u64,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
}

/// The `share` (0–1) percentile of `values`, linearly interpolated between the closest ranks
/// (the definition spreadsheets call PERCENTILE.INC).
pub fn percentile(values: &mut [f64], share: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let position = share.clamp(0.0, 1.0) * (values.len() - 1) as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    Some(values[low] + (values[high] - values[low]) * (position - low as f64))
}

pub fn spread(mut minutes: Vec<f64>) -> Spread {
    Spread {
        count: minutes.len() as u64,
        median_minutes: percentile(&mut minutes, 0.5),
        p90_minutes: percentile(&mut minutes, 0.9),
    }
}

/// The figures of a set of cases over a period `[start, end)`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figures {
    /// Cases opened in the period.
    pub opened: u64,
    /// Cases ended in the period (closed, rejected, cancelled).
    pub ended: u64,
    /// Of the cases opened in the period, the first staff answer after opening (wall time).
    pub first_response: Spread,
    /// Of the cases ended in the period (not cancelled), opening to resolution (wall time) …
    pub resolution: Spread,
    /// … and in working minutes, the SLA's pauses (waiting on the customer) left out.
    pub resolution_business: Spread,
    /// Ended cases with an SLA target, and those that met every target.
    pub sla_cases: u64,
    pub sla_met: u64,
    /// Met as a share of those with a target, in basis points (1 % = 100).
    pub sla_attainment_bp: Option<i64>,
    /// Ended cases that had been reopened, and their share of the ended.
    pub reopened: u64,
    pub reopen_rate_bp: Option<i64>,
    /// Repairs among the cases about goods opened in the period, in basis points.
    pub repairs: u64,
    pub goods_cases: u64,
    pub repair_share_bp: Option<i64>,
}

/// Kinds about goods (a repair is one outcome among them).
pub const GOODS: [&str; 5] = [
    "refund_only",
    "return_and_refund",
    "exchange",
    "repair",
    "reship",
];

fn share(part: u64, whole: u64) -> Option<i64> {
    (whole > 0).then(|| ((part as i128 * 20_000 / whole as i128 + 1) / 2) as i64)
}

const MINUTE: f64 = 60_000_000.0;

pub fn figures(cases: &[&CaseTimes], start: i64, end: i64) -> Figures {
    let opened: Vec<&&CaseTimes> = cases
        .iter()
        .filter(|case| (start..end).contains(&case.created_at))
        .collect();
    let ended: Vec<&&CaseTimes> = cases
        .iter()
        .filter(|case| case.ended_at.is_some_and(|at| (start..end).contains(&at)))
        .collect();
    let served: Vec<&&&CaseTimes> = ended.iter().filter(|case| !case.cancelled).collect();
    let first_response = spread(
        opened
            .iter()
            .filter_map(|case| {
                case.first_response_at
                    .map(|at| (at - case.created_at) as f64 / MINUTE)
            })
            .collect(),
    );
    let resolution = spread(
        served
            .iter()
            .filter_map(|case| {
                case.resolved_at
                    .or(case.ended_at)
                    .map(|at| (at - case.created_at) as f64 / MINUTE)
            })
            .collect(),
    );
    let resolution_business = spread(
        served
            .iter()
            .filter_map(|case| case.business_minutes.map(|minutes| minutes as f64))
            .collect(),
    );
    let targeted: Vec<&&&CaseTimes> = served
        .iter()
        .filter(|case| case.has_target)
        .copied()
        .collect();
    let sla_met = targeted.iter().filter(|case| !case.breached).count() as u64;
    let reopened = ended.iter().filter(|case| case.reopened).count() as u64;
    let goods: Vec<&&CaseTimes> = opened
        .iter()
        .filter(|case| GOODS.contains(&case.kind.as_str()))
        .copied()
        .collect();
    let repairs = goods.iter().filter(|case| case.kind == "repair").count() as u64;
    Figures {
        opened: opened.len() as u64,
        ended: ended.len() as u64,
        first_response,
        resolution,
        resolution_business,
        sla_cases: targeted.len() as u64,
        sla_met,
        sla_attainment_bp: share(sla_met, targeted.len() as u64),
        reopened,
        reopen_rate_bp: share(reopened, ended.len() as u64),
        repairs,
        goods_cases: goods.len() as u64,
        repair_share_bp: share(repairs, goods.len() as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000;

    fn case(
        id: &str,
        kind: &str,
        created: i64,
        response: Option<i64>,
        ended: Option<i64>,
    ) -> CaseTimes {
        CaseTimes {
            id: id.into(),
            kind: kind.into(),
            assignee_id: None,
            reason_code: "quality".into(),
            created_at: created,
            ended_at: ended,
            cancelled: false,
            first_response_at: response,
            resolved_at: ended,
            business_minutes: None,
            has_target: true,
            breached: false,
            reopened: false,
        }
    }

    #[test]
    fn percentiles_interpolate_between_ranks() {
        assert_eq!(percentile(&mut [], 0.5), None);
        assert_eq!(percentile(&mut [7.0], 0.9), Some(7.0));
        assert_eq!(percentile(&mut [4.0, 1.0, 3.0, 2.0], 0.5), Some(2.5));
        // 10 values 1..10: the 90th percentile sits at rank 8.1 → 9.1.
        let mut values: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((percentile(&mut values, 0.9).unwrap() - 9.1).abs() < 1e-9);
    }

    #[test]
    fn figures_of_a_hand_counted_period() {
        let day = 24 * HOUR;
        let mut cases = [
            // Opened and ended in the period: answered after 1 h and 3 h, ended after 10 h, 20 h.
            case("a", "return_and_refund", 0, Some(HOUR), Some(10 * HOUR)),
            case("b", "repair", HOUR, Some(4 * HOUR), Some(21 * HOUR)),
            // Opened in the period, still open, never answered.
            case("c", "complaint", 2 * HOUR, None, None),
            // Opened before the period, ended in it after 2 days; it missed a target and had been
            // reopened.
            case("d", "exchange", -day, Some(-day + HOUR), Some(day)),
            // Cancelled in the period: counted as ended, not as served.
            case("e", "refund_only", 3 * HOUR, None, Some(5 * HOUR)),
        ];
        cases[3].breached = true;
        cases[3].reopened = true;
        cases[4].cancelled = true;
        let all: Vec<&CaseTimes> = cases.iter().collect();
        let figures = figures(&all, 0, 7 * day);
        assert_eq!((figures.opened, figures.ended), (4, 4));
        assert_eq!(figures.first_response.count, 2);
        assert_eq!(figures.first_response.median_minutes, Some(120.0));
        // Served: a (600 min), b (1200), d (2880): median 1200, p90 at rank 1.8 → 1200 + 0.8 × 1680.
        assert_eq!(figures.resolution.count, 3);
        assert_eq!(figures.resolution.median_minutes, Some(1200.0));
        assert!((figures.resolution.p90_minutes.unwrap() - 2544.0).abs() < 1e-9);
        assert_eq!((figures.sla_cases, figures.sla_met), (3, 2));
        assert_eq!(figures.sla_attainment_bp, Some(6667));
        assert_eq!((figures.reopened, figures.reopen_rate_bp), (1, Some(2500)));
        // Goods opened in the period: a, b, e; one repair.
        assert_eq!((figures.repairs, figures.goods_cases), (1, 3));
        assert_eq!(figures.repair_share_bp, Some(3333));
    }
}
