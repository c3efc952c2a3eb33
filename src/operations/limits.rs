//! Guessing limits for the two doors people can knock on without an account being theirs: the
//! console's sign-in and the portal's order lookup. Counted in the database (they hold across
//! instances and restarts), counted before the guess is evaluated (simultaneous guesses cannot
//! all slip through), and shaped so that no one can lock another person out:
//! - per source address, a hard limit (one address cannot guess much);
//! - per account (or order) and source, a hard limit (the owner, elsewhere, is not affected);
//! - per account (or order) from everywhere, no lock-out but a growing delay, which slows a
//!   guesser spread over many addresses without shutting the owner out.

use std::net::IpAddr;
use std::time::Duration;

use crate::db::{Database, limits};
use crate::domain::identifiers::ShopId;

/// The window every limit counts in.
pub const WINDOW_MICROS: i64 = 15 * 60 * 1_000_000;
/// Sign-in attempts per address in the window.
pub const SIGN_IN_PER_SOURCE: i64 = 20;
/// Sign-in attempts for one account from one address in the window.
pub const SIGN_IN_PER_ACCOUNT_AND_SOURCE: i64 = 5;
/// Portal lookups per address in the window.
pub const LOOKUPS_PER_SOURCE: i64 = 20;
/// Lookups of one order from one address in the window.
pub const LOOKUPS_PER_ORDER_AND_SOURCE: i64 = 10;
/// Failures on one account or order from everywhere before each attempt is slowed down.
pub const SLOW_AFTER: i64 = 10;

/// What to do with an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Evaluate it, after this delay.
    Slow(Duration),
    /// Refuse it unevaluated (429).
    Refuse,
}

fn delay_for(failures: i64) -> Verdict {
    if failures < SLOW_AFTER {
        Verdict::Go
    } else {
        // One more second per failure beyond the threshold, at most five.
        Verdict::Slow(Duration::from_secs(
            (failures - SLOW_AFTER + 1).clamp(1, 5) as u64
        ))
    }
}

async fn attempt(
    database: &Database,
    source_bucket: &str,
    source_limit: i64,
    pair_bucket: &str,
    pair_limit: i64,
    failures_bucket: &str,
) -> Result<Verdict, sqlx::Error> {
    let from_source = limits::hit(database, source_bucket, WINDOW_MICROS).await?;
    let from_pair = limits::hit(database, pair_bucket, WINDOW_MICROS).await?;
    if from_source > source_limit || from_pair > pair_limit {
        return Ok(Verdict::Refuse);
    }
    let failures = limits::hits(database, failures_bucket, WINDOW_MICROS).await?;
    Ok(delay_for(failures))
}

fn sign_in_buckets(email: &str, source: IpAddr) -> (String, String, String) {
    let email = email.trim().to_lowercase();
    (
        format!("sign-in|source|{source}"),
        format!("sign-in|pair|{email}|{source}"),
        format!("sign-in|failures|{email}"),
    )
}

/// Counts a sign-in attempt and says whether to evaluate it.
pub async fn sign_in_attempt(
    database: &Database,
    email: &str,
    source: IpAddr,
) -> Result<Verdict, sqlx::Error> {
    let (source_bucket, pair, failures) = sign_in_buckets(email, source);
    attempt(
        database,
        &source_bucket,
        SIGN_IN_PER_SOURCE,
        &pair,
        SIGN_IN_PER_ACCOUNT_AND_SOURCE,
        &failures,
    )
    .await
}

/// After the attempt: a failure is counted against the account; a success clears the account's
/// count from this address.
pub async fn sign_in_outcome(
    database: &Database,
    email: &str,
    source: IpAddr,
    succeeded: bool,
) -> Result<(), sqlx::Error> {
    let (_, pair, failures) = sign_in_buckets(email, source);
    if succeeded {
        limits::clear(database, &pair).await
    } else {
        limits::hit(database, &failures, WINDOW_MICROS)
            .await
            .map(drop)
    }
}

fn lookup_buckets(
    shop_id: &ShopId,
    order_number: &str,
    source: IpAddr,
) -> (String, String, String) {
    let order = order_number.trim().to_lowercase();
    (
        format!("lookup|source|{shop_id}|{source}"),
        format!("lookup|pair|{shop_id}|{order}|{source}"),
        format!("lookup|failures|{shop_id}|{order}"),
    )
}

/// Counts a portal lookup and says whether to evaluate it.
pub async fn lookup_attempt(
    database: &Database,
    shop_id: &ShopId,
    order_number: &str,
    source: IpAddr,
) -> Result<Verdict, sqlx::Error> {
    let (source_bucket, pair, failures) = lookup_buckets(shop_id, order_number, source);
    attempt(
        database,
        &source_bucket,
        LOOKUPS_PER_SOURCE,
        &pair,
        LOOKUPS_PER_ORDER_AND_SOURCE,
        &failures,
    )
    .await
}

/// After the lookup, as [`sign_in_outcome`].
pub async fn lookup_outcome(
    database: &Database,
    shop_id: &ShopId,
    order_number: &str,
    source: IpAddr,
    succeeded: bool,
) -> Result<(), sqlx::Error> {
    let (_, pair, failures) = lookup_buckets(shop_id, order_number, source);
    if succeeded {
        limits::clear(database, &pair).await
    } else {
        limits::hit(database, &failures, WINDOW_MICROS)
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_slow_down_and_never_lock() {
        assert_eq!(delay_for(0), Verdict::Go);
        assert_eq!(delay_for(SLOW_AFTER - 1), Verdict::Go);
        assert_eq!(delay_for(SLOW_AFTER), Verdict::Slow(Duration::from_secs(1)));
        assert_eq!(delay_for(1_000), Verdict::Slow(Duration::from_secs(5)));
    }
}
