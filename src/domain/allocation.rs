//! Splitting an amount exactly: an order-level discount or tax over the lines, a line's price
//! over its units. Largest remainder: every part is the exact share rounded down, and the minor
//! units still missing go to the parts with the largest remainders (the earliest part on a tie),
//! so the parts always add up to the whole, to the minor unit.

/// `total` split over `weights` in proportion; all-zero weights split it evenly. Parts are never
/// negative when `total` and the weights are not.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let weights: Vec<i128> = if weights.iter().all(|weight| *weight <= 0) {
        vec![1; weights.len()]
    } else {
        weights
            .iter()
            .map(|weight| i128::from((*weight).max(0)))
            .collect()
    };
    let sum: i128 = weights.iter().sum();
    let total_wide = i128::from(total);
    let mut parts: Vec<(i64, i128)> = weights
        .iter()
        .map(|weight| {
            let exact = total_wide * weight;
            (
                i64::try_from(exact.div_euclid(sum)).unwrap_or(0),
                exact.rem_euclid(sum),
            )
        })
        .collect();
    let missing = total - parts.iter().map(|(part, _)| part).sum::<i64>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|index| std::cmp::Reverse(parts[*index].1));
    for index in order
        .into_iter()
        .take(usize::try_from(missing).unwrap_or(0))
    {
        parts[index].0 += 1;
    }
    parts.into_iter().map(|(part, _)| part).collect()
}

/// The most `units` of a line of `quantity` units that cost `paid` in all can have cost: the
/// line's price split over its units by largest remainder, the dearer units first. Claims on
/// separate units may each take a dearer unit, so what is still left on the line caps them too
/// (`refund::CaseLine::ceiling_minor`).
pub fn paid_for_units(paid: i64, quantity: i64, units: i64) -> i64 {
    if quantity <= 0 || units <= 0 {
        return 0;
    }
    let units = units.min(quantity);
    let base = paid.div_euclid(quantity);
    let odd = paid.rem_euclid(quantity);
    base * units + odd.min(units)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_discount_goes_over_the_lines_in_proportion() {
        // 满100减10 over 60.00 + 30.00 + 10.00.
        assert_eq!(allocate(1000, &[6000, 3000, 1000]), vec![600, 300, 100]);
        // 10.00 over three equal lines: the odd fen to the first.
        assert_eq!(allocate(1000, &[1, 1, 1]), vec![334, 333, 333]);
        assert_eq!(allocate(5, &[0, 0]), vec![3, 2]);
        assert_eq!(allocate(0, &[10, 20]), vec![0, 0]);
        assert!(allocate(7, &[]).is_empty());
    }

    #[test]
    fn units_cost_their_share_of_the_line() {
        // Two units for 99.99: one is at most 50.00, both are 99.99.
        assert_eq!(paid_for_units(9999, 2, 1), 5000);
        assert_eq!(paid_for_units(9999, 2, 2), 9999);
        assert_eq!(paid_for_units(9999, 2, 3), 9999);
        assert_eq!(paid_for_units(100, 3, 1), 34);
        assert_eq!(paid_for_units(100, 0, 1), 0);
    }

    proptest! {
        #[test]
        fn parts_always_add_up(total in 0_i64..1_000_000_000_000, weights in proptest::collection::vec(0_i64..1_000_000_000, 1..30)) {
            let parts = allocate(total, &weights);
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            prop_assert!(parts.iter().all(|part| *part >= 0));
            // No part is more than one minor unit away from its exact share.
            let sum: i128 = weights.iter().map(|weight| i128::from(*weight)).sum();
            if sum > 0 {
                for (part, weight) in parts.iter().zip(&weights) {
                    let exact = i128::from(total) * i128::from(*weight);
                    prop_assert!((i128::from(*part) * sum - exact).abs() < sum);
                }
            }
        }

        #[test]
        fn all_the_units_cost_the_line_and_fewer_cost_their_share(paid in 0_i64..10_000_000, quantity in 1_i64..50, units in 0_i64..60) {
            let share = paid_for_units(paid, quantity, units);
            if units >= quantity {
                prop_assert_eq!(share, paid);
            } else {
                // Never below the exact share, and what the other units cost is never more than
                // what is left of the line.
                let exact = i128::from(paid) * i128::from(units.max(0));
                prop_assert!(i128::from(share) * i128::from(quantity) >= exact);
                prop_assert!(share + paid_for_units(paid, quantity, quantity - units.max(0)) >= paid);
                prop_assert!(share <= paid);
            }
        }
    }
}
