//! A unit's place on its order line (docs/REPAIRS.md, "The unit"): the serial sold, then each
//! replacement in the order it went out. A unit is the line's unit from when it was sent (the
//! sold one: always) until the next one was; a case opened in that time is about it. Pure.

/// The serials of a line in order: the sold one (`None`: from the start) and each replacement
/// with when it went out.
pub type Chain<'a> = [(&'a str, Option<i64>)];

/// Where `serial` stands on the line: its place in the chain, from when (None: the start) and
/// until when (None: it is the line's unit now).
pub fn span(chain: &Chain<'_>, serial: &str) -> Option<(usize, Option<i64>, Option<i64>)> {
    let place = chain.iter().position(|(each, _)| *each == serial)?;
    let from = chain[place].1;
    let until = chain.get(place + 1).and_then(|(_, since)| *since);
    Some((place, from, until))
}

/// Whether a case opened at `at` is about the unit of this span. The case that sent the next
/// unit was opened while this one was the line's, so it is this one's too.
pub fn covers(span: (Option<i64>, Option<i64>), at: i64) -> bool {
    let (from, until) = span;
    from.is_none_or(|from| at >= from) && until.is_none_or(|until| at < until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_unit_has_the_cases_of_its_time() {
        let chain = [("A", None), ("B", Some(100)), ("C", Some(200))];
        assert_eq!(span(&chain, "A"), Some((0, None, Some(100))));
        assert_eq!(span(&chain, "B"), Some((1, Some(100), Some(200))));
        assert_eq!(span(&chain, "C"), Some((2, Some(200), None)));
        assert_eq!(span(&chain, "D"), None);
        assert!(covers((None, Some(100)), 50));
        assert!(!covers((None, Some(100)), 100));
        assert!(covers((Some(100), Some(200)), 100));
        assert!(covers((Some(200), None), 10_000));
    }
}
