//! Notifications out. Every change writes its outbox row in its own transaction; here the rows
//! become deliveries (each subscribed webhook endpoint, the customer's e-mail, the supervisors'
//! e-mail), and deliveries are sent: webhooks signed with HMAC-SHA256 and a timestamp, e-mail
//! over SMTP (HTML and text, in the shop's language). A failed send is retried with back-off and
//! given up on (dead) after [`MAX_ATTEMPTS`]; a person can replay it. Every message carries the
//! event's id, the same on every retry, so a receiver can drop repeats.

mod channels;
mod mail;
mod plan;

use futures::future::join_all;

use crate::db::deliveries::{self, DeliveryRecord, NewDelivery};
use crate::db::{Database, outbox};
use crate::domain::notifications::backoff_micros;

pub use channels::Channels;
use plan::{Known, plan};

/// A delivery that failed this many times is dead.
pub const MAX_ATTEMPTS: i64 = 8;
const LEASE_MICROS: i64 = 60_000_000;
/// Deliveries sent per round (up to eight at a time).
const BATCH: i64 = 50;
/// Outbox rows turned into deliveries per transaction: large, so that a burst of events (a
/// flood of new cases) costs the single SQLite writer few commits.
const OUTBOX_BATCH: i64 = 500;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub dispatched: usize,
    pub sent: usize,
    pub failed: usize,
}

/// Turns pending outbox rows into deliveries, then sends the deliveries due at `now`.
pub async fn run_once(database: &Database, channels: &Channels, now: i64) -> anyhow::Result<Round> {
    let mut round = Round::default();
    loop {
        let rows = deliveries::claim_outbox(
            &database.writer,
            database.backend,
            now,
            now + LEASE_MICROS,
            OUTBOX_BATCH,
        )
        .await?;
        // Plan the batch's deliveries (reads only; shops and endpoints read once per batch),
        // then write them and mark the rows in one transaction.
        let mut known = Known::default();
        let mut planned = Vec::new();
        for row in &rows {
            for (channel, target, body) in plan(database, channels, row, &mut known).await? {
                planned.push((row, channel, target, body));
            }
        }
        let mut transaction = database.begin().await?;
        for (row, channel, target, body) in &planned {
            deliveries::insert(
                &mut transaction,
                &NewDelivery {
                    shop_id: &row.shop_id,
                    outbox_id: &row.id,
                    channel,
                    target,
                    topic: &row.topic,
                    body,
                    now,
                },
            )
            .await?;
        }
        // Rows that made deliveries stay while those do (they refer to them); the others are done.
        let delivering: std::collections::HashSet<&str> =
            planned.iter().map(|(row, ..)| row.id.as_str()).collect();
        let (kept, done): (Vec<&str>, Vec<&str>) = rows
            .iter()
            .map(|row| row.id.as_str())
            .partition(|id| delivering.contains(id));
        deliveries::mark_dispatched(&mut transaction, &kept, now).await?;
        outbox::forget(&mut transaction, database.backend, &done).await?;
        transaction.commit().await?;
        round.dispatched += rows.len();
        if (rows.len() as i64) < OUTBOX_BATCH {
            break;
        }
    }
    loop {
        let due = deliveries::claim_due(
            &database.writer,
            database.backend,
            now,
            now + LEASE_MICROS,
            BATCH,
        )
        .await?;
        // Up to eight at a time: a slow receiver does not hold up the others.
        // Each recipient's messages stay in order: a round never sends two to the same target.
        let mut results: Vec<(&DeliveryRecord, anyhow::Result<()>)> = Vec::new();
        let mut remaining: Vec<&DeliveryRecord> = due.iter().collect();
        while !remaining.is_empty() {
            let mut round_targets = std::collections::HashSet::new();
            let (now_sent, later): (Vec<&DeliveryRecord>, Vec<&DeliveryRecord>) =
                remaining.into_iter().partition(|delivery| {
                    round_targets.len() < 8 && round_targets.insert(delivery.target.as_str())
                });
            let sent = join_all(
                now_sent
                    .iter()
                    .map(|delivery| channels.send(database, delivery, now)),
            )
            .await;
            results.extend(now_sent.into_iter().zip(sent));
            remaining = later;
        }
        for (delivery, result) in results {
            match result {
                Ok(()) => {
                    deliveries::mark_sent(&database.writer, &delivery.id, now).await?;
                    crate::metrics::delivery(&delivery.channel, "sent");
                    round.sent += 1;
                }
                Err(error) => {
                    let retry = (delivery.attempts < MAX_ATTEMPTS)
                        .then(|| now + backoff_micros(delivery.attempts));
                    tracing::warn!(delivery = %delivery.id, attempts = delivery.attempts, %error, "delivery failed");
                    deliveries::mark_failed(
                        &database.writer,
                        &delivery.id,
                        &error.to_string(),
                        retry,
                    )
                    .await?;
                    crate::metrics::delivery(
                        &delivery.channel,
                        if retry.is_some() { "failed" } else { "dead" },
                    );
                    round.failed += 1;
                }
            }
        }
        if (due.len() as i64) < BATCH {
            return Ok(round);
        }
    }
}
