//! Refund arithmetic: what may still be refunded on each order line, across all cases of the
//! order, and whether a requested refund fits.

use super::allocation::paid_for_units;

/// One order line as far as refunds are concerned, over every case of its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineBalance {
    pub order_line_id: String,
    /// What the customer paid for the line, in minor units.
    pub paid_minor: i64,
    /// What has been refunded on it already, by any case.
    pub refunded_minor: i64,
}

impl LineBalance {
    pub fn remaining_minor(&self) -> i64 {
        (self.paid_minor - self.refunded_minor).max(0)
    }

    /// The balance of the units a case claims on a line: what those units cost (their share of
    /// what the whole line cost, `allocation::paid_for_units`) less what the case refunded on
    /// them, and never more than is left on the line after every refund by anyone.
    pub fn for_claim(order_line_id: &str, line: &LineMoney) -> LineBalance {
        let share = paid_for_units(
            line.paid_minor,
            line.ordered_quantity,
            line.claimed_quantity,
        );
        let left = (line.paid_minor - line.refunded_minor).max(0);
        LineBalance {
            order_line_id: order_line_id.to_string(),
            paid_minor: share,
            refunded_minor: line.case_refunded_minor.max(share - left),
        }
    }
}

/// Who pays a refund out.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// The shop pays elsewhere (its platform back office, a bank transfer) and confirms here.
    #[default]
    Manual,
    /// The shop's own payment service, called by a signed webhook, answers with the outcome.
    Http,
}

super::case::wire_names!(Provider {
    Manual => "manual",
    Http => "http",
});

/// Where a refund's money is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Decided, to be paid by the shop (manual provider).
    Requested,
    /// Sent to the shop's payment service, waiting for its answer.
    Processing,
    /// The money went out (with the payment's reference).
    Succeeded,
    /// The payment failed (with the reason); to retry, or to settle by hand.
    Failed,
}

super::case::wire_names!(RefundStatus {
    Requested => "requested",
    Processing => "processing",
    Succeeded => "succeeded",
    Failed => "failed",
});

impl RefundStatus {
    /// The status a new refund starts in: paid already (a reference given), else as its
    /// provider works.
    pub fn first(provider: Provider, paid_already: bool) -> RefundStatus {
        match (paid_already, provider) {
            (true, _) => RefundStatus::Succeeded,
            (false, Provider::Manual) => RefundStatus::Requested,
            (false, Provider::Http) => RefundStatus::Processing,
        }
    }

    /// Whether a refund in this status may become `to`: paid or failed while waiting; a failed
    /// one paid by hand or sent again. A paid refund never changes.
    pub fn may_become(self, to: RefundStatus) -> bool {
        use RefundStatus::*;
        matches!(
            (self, to),
            (Requested | Processing, Succeeded | Failed)
                | (Failed, Succeeded)
                | (Failed, Processing)
        )
    }
}

/// A case's line as far as its money goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineMoney {
    /// What the whole order line cost the buyer.
    pub paid_minor: i64,
    pub ordered_quantity: i64,
    /// The units the case claims.
    pub claimed_quantity: i64,
    /// Refunded on the order line by anyone (cases, the platform).
    pub refunded_minor: i64,
    /// Refunded on it by this case.
    pub case_refunded_minor: i64,
}

/// How many units of a line a new case may still claim: what was bought, less the units open
/// cases claim, less (for a case that pays money back) the units already refunded.
pub fn free_units(bought: i64, open_claimed: i64, refunded_units: i64, pays_back: bool) -> i64 {
    let refunded = if pays_back { refunded_units } else { 0 };
    (bought - open_claimed - refunded).max(0)
}

/// One line of a requested refund.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RefundLine {
    pub order_line_id: String,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error("a refund needs at least one line with an amount")]
    Empty,
    #[error(
        "nothing is left to refund on this case: the {paid_minor} paid for its lines has all gone back already"
    )]
    NothingLeft { paid_minor: i64 },
    #[error("the amount for line {order_line_id} must be more than zero")]
    NotPositive { order_line_id: String },
    #[error("line {order_line_id} is not part of this case")]
    LineNotInCase { order_line_id: String },
    #[error("line {order_line_id} appears more than once in the refund")]
    DuplicateLine { order_line_id: String },
    #[error(
        "line {order_line_id}: {requested_minor} exceeds what can still be refunded ({remaining_minor}, of {paid_minor} paid)"
    )]
    ExceedsPaid {
        order_line_id: String,
        requested_minor: i64,
        remaining_minor: i64,
        paid_minor: i64,
    },
}

/// Checks a refund against the balances of the case's lines; returns the total in minor units.
pub fn check_refund(balances: &[LineBalance], request: &[RefundLine]) -> Result<i64, RefundError> {
    if request.is_empty() {
        return Err(RefundError::Empty);
    }
    let mut total: i64 = 0;
    for (index, line) in request.iter().enumerate() {
        if line.amount_minor <= 0 {
            return Err(RefundError::NotPositive {
                order_line_id: line.order_line_id.clone(),
            });
        }
        if request[..index]
            .iter()
            .any(|earlier| earlier.order_line_id == line.order_line_id)
        {
            return Err(RefundError::DuplicateLine {
                order_line_id: line.order_line_id.clone(),
            });
        }
        let balance = balances
            .iter()
            .find(|balance| balance.order_line_id == line.order_line_id)
            .ok_or_else(|| RefundError::LineNotInCase {
                order_line_id: line.order_line_id.clone(),
            })?;
        if line.amount_minor > balance.remaining_minor() {
            return Err(RefundError::ExceedsPaid {
                order_line_id: line.order_line_id.clone(),
                requested_minor: line.amount_minor,
                remaining_minor: balance.remaining_minor(),
                paid_minor: balance.paid_minor,
            });
        }
        total += line.amount_minor;
    }
    Ok(total)
}

/// A full refund of what remains on each line (what "refund everything" means).
pub fn full_refund(balances: &[LineBalance]) -> Vec<RefundLine> {
    balances
        .iter()
        .filter(|balance| balance.remaining_minor() > 0)
        .map(|balance| RefundLine {
            order_line_id: balance.order_line_id.clone(),
            amount_minor: balance.remaining_minor(),
        })
        .collect()
}

/// `total` spread over the lines in proportion to what each still has to refund (largest
/// remainders take the odd fen); `None` if it is not more than zero or more than is left.
pub fn split_refund(balances: &[LineBalance], total: i64) -> Option<Vec<RefundLine>> {
    let left: i64 = balances.iter().map(LineBalance::remaining_minor).sum();
    if total <= 0 || total > left {
        return None;
    }
    let mut shares: Vec<(usize, i64, i128)> = balances
        .iter()
        .enumerate()
        .map(|(index, balance)| {
            let exact = i128::from(total) * i128::from(balance.remaining_minor());
            let share = exact / i128::from(left);
            (
                index,
                i64::try_from(share).unwrap_or(0),
                exact % i128::from(left),
            )
        })
        .collect();
    let mut missing = total - shares.iter().map(|(_, share, _)| share).sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by_key(|index| std::cmp::Reverse(shares[*index].2));
    for index in order {
        if missing == 0 {
            break;
        }
        if shares[index].1 < balances[index].remaining_minor() {
            shares[index].1 += 1;
            missing -= 1;
        }
    }
    Some(
        shares
            .into_iter()
            .filter(|(_, share, _)| *share > 0)
            .map(|(index, share, _)| RefundLine {
                order_line_id: balances[index].order_line_id.clone(),
                amount_minor: share,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn balance(id: &str, paid: i64, refunded: i64) -> LineBalance {
        LineBalance {
            order_line_id: id.into(),
            paid_minor: paid,
            refunded_minor: refunded,
        }
    }

    fn line(id: &str, amount: i64) -> RefundLine {
        RefundLine {
            order_line_id: id.into(),
            amount_minor: amount,
        }
    }

    #[test]
    fn refusals_name_the_line() {
        let balances = [balance("a", 1000, 400), balance("b", 500, 0)];
        assert_eq!(
            check_refund(&balances, &[line("a", 600), line("b", 500)]),
            Ok(1100)
        );
        assert!(matches!(
            check_refund(&balances, &[line("a", 601)]),
            Err(RefundError::ExceedsPaid {
                remaining_minor: 600,
                ..
            })
        ));
        assert!(matches!(
            check_refund(&balances, &[line("c", 1)]),
            Err(RefundError::LineNotInCase { .. })
        ));
        assert!(matches!(
            check_refund(&balances, &[line("a", 0)]),
            Err(RefundError::NotPositive { .. })
        ));
        assert!(matches!(
            check_refund(&balances, &[line("a", 1), line("a", 1)]),
            Err(RefundError::DuplicateLine { .. })
        ));
        assert_eq!(check_refund(&balances, &[]), Err(RefundError::Empty));
        assert_eq!(full_refund(&balances), vec![line("a", 600), line("b", 500)]);
    }

    #[test]
    fn a_paid_refund_never_changes() {
        use RefundStatus::*;
        assert_eq!(RefundStatus::first(Provider::Manual, false), Requested);
        assert_eq!(RefundStatus::first(Provider::Http, false), Processing);
        assert_eq!(RefundStatus::first(Provider::Http, true), Succeeded);
        assert!(Requested.may_become(Succeeded) && Processing.may_become(Failed));
        assert!(Failed.may_become(Succeeded) && Failed.may_become(Processing));
        for to in [Requested, Processing, Succeeded, Failed] {
            assert!(!Succeeded.may_become(to));
        }
        assert!(!Requested.may_become(Processing));
    }

    #[test]
    fn a_case_for_one_of_two_units_refunds_one_unit() {
        // Two units for 159.80 (79.90 each after the discount); the case claims one.
        let line = LineMoney {
            paid_minor: 15_980,
            ordered_quantity: 2,
            claimed_quantity: 1,
            refunded_minor: 0,
            case_refunded_minor: 0,
        };
        assert_eq!(LineBalance::for_claim("a", &line).remaining_minor(), 7_990);
        // After 50.00 back on this case, 29.90 is left for it.
        let partly = LineMoney {
            refunded_minor: 5_000,
            case_refunded_minor: 5_000,
            ..line
        };
        assert_eq!(
            LineBalance::for_claim("a", &partly).remaining_minor(),
            2_990
        );
        // The platform refunded 150.00 of the line: only 9.80 is left for anyone.
        let platform = LineMoney {
            refunded_minor: 15_000,
            ..line
        };
        assert_eq!(
            LineBalance::for_claim("a", &platform).remaining_minor(),
            980
        );
        assert_eq!(free_units(2, 1, 0, true), 1);
        assert_eq!(free_units(2, 0, 2, true), 0);
        assert_eq!(free_units(2, 0, 2, false), 2);
    }

    proptest! {
        /// Cases claiming units of one line, refunding in any order, never refund more than
        /// the line cost, and none more than its units cost.
        #[test]
        fn claims_never_refund_more_than_the_line(
            paid in 0_i64..1_000_000,
            quantity in 1_i64..6,
            claims in proptest::collection::vec(1_i64..4, 1..5),
            platform in 0_i64..1_000_000,
            attempts in proptest::collection::vec((0_usize..5, 1_i64..600_000), 0..30),
        ) {
            // Each case claims what is still free.
            let mut free = quantity;
            let mut cases: Vec<(i64, i64)> = Vec::new();
            for claim in claims {
                let units = claim.min(free);
                if units > 0 {
                    free -= units;
                    cases.push((units, 0));
                }
            }
            let mut refunded = platform.min(paid);
            for (index, amount) in attempts {
                let Some(&(units, case_refunded)) = cases.get(index) else { continue };
                let balance = LineBalance::for_claim("a", &LineMoney {
                    paid_minor: paid,
                    ordered_quantity: quantity,
                    claimed_quantity: units,
                    refunded_minor: refunded,
                    case_refunded_minor: case_refunded,
                });
                if check_refund(&[balance], &[line("a", amount)]).is_ok() {
                    refunded += amount;
                    cases[index].1 += amount;
                }
            }
            prop_assert!(refunded <= paid);
            for (units, case_refunded) in cases {
                prop_assert!(case_refunded <= paid_for_units(paid, quantity, units));
            }
        }

        /// Whatever refunds are attempted, in whatever order, the accepted ones never add up to
        /// more than was paid on any line.
        #[test]
        fn refunds_never_exceed_what_was_paid(
            paid in proptest::collection::vec(0_i64..100_000, 1..5),
            attempts in proptest::collection::vec((0_usize..5, -100_i64..60_000), 0..40),
        ) {
            let mut balances: Vec<LineBalance> = paid
                .iter()
                .enumerate()
                .map(|(index, paid)| balance(&index.to_string(), *paid, 0))
                .collect();
            for (index, amount) in attempts {
                let request = [line(&index.to_string(), amount)];
                if check_refund(&balances, &request).is_ok() {
                    balances[index].refunded_minor += amount;
                }
            }
            for balance in &balances {
                prop_assert!(balance.refunded_minor <= balance.paid_minor);
                prop_assert!(balance.refunded_minor >= 0);
            }
        }
    }

    #[test]
    fn an_amount_is_spread_in_proportion_to_what_is_left() {
        let balances = vec![
            LineBalance {
                order_line_id: "a".into(),
                paid_minor: 10_000,
                refunded_minor: 0,
            },
            LineBalance {
                order_line_id: "b".into(),
                paid_minor: 5_000,
                refunded_minor: 0,
            },
            LineBalance {
                order_line_id: "c".into(),
                paid_minor: 2_000,
                refunded_minor: 2_000,
            },
        ];
        let lines = split_refund(&balances, 1_001).expect("within what is left");
        assert_eq!(
            lines.iter().map(|line| line.amount_minor).sum::<i64>(),
            1_001
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].amount_minor, 667);
        assert_eq!(lines[1].amount_minor, 334);
        assert!(check_refund(&balances, &lines).is_ok());
        assert_eq!(split_refund(&balances, 15_001), None);
        assert_eq!(split_refund(&balances, 0), None);
    }

    proptest::proptest! {
        #[test]
        fn a_split_always_adds_up_and_fits(paid in proptest::collection::vec((1i64..100_000, 0i64..100_000), 1..6), fraction in 0.0f64..1.0) {
            let balances: Vec<LineBalance> = paid.iter().enumerate().map(|(index, (paid, refunded))| LineBalance {
                order_line_id: index.to_string(), paid_minor: *paid, refunded_minor: (*refunded).min(*paid),
            }).collect();
            let left: i64 = balances.iter().map(LineBalance::remaining_minor).sum();
            let total = ((left as f64) * fraction) as i64 + 1;
            if let Some(lines) = split_refund(&balances, total) {
                proptest::prop_assert_eq!(lines.iter().map(|line| line.amount_minor).sum::<i64>(), total);
                proptest::prop_assert!(check_refund(&balances, &lines).is_ok());
            } else {
                proptest::prop_assert!(total > left);
            }
        }
    }
}
