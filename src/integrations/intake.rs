//! Order webhooks applied in groups. Platforms send orders by the thousand, and each alone
//! costs a transaction of a dozen round trips (on SQLite to its thread) and a commit (on
//! PostgreSQL a flush to disk). The deliveries waiting
//! at a moment are queued to one task, which applies them together in one transaction
//! ([`orders::apply`]: one read per kind for all of them, new orders written together, every
//! log entry in one batch) and answers each after the commit. Two deliveries of the same
//! platform order never share a group: the later one waits for the next, so versions apply in
//! the order they came. If a group fails, its arrivals are applied one by one, so a bad one
//! fails alone. One task per instance; on PostgreSQL, instances' groups lock their platform
//! orders and contacts, so two instances never apply the same order at once.

use std::collections::{HashSet, VecDeque};

use tokio::sync::{mpsc, oneshot};

use super::orders::{self, Arrival, Done};
use crate::db::Database;
use crate::error::{AppError, AppResult};

/// How many deliveries one transaction takes at most.
const GROUP_SIZE: usize = 64;

struct Job {
    arrival: Arrival,
    reply: oneshot::Sender<AppResult<Done>>,
}

#[derive(Clone)]
pub struct Intake {
    sender: mpsc::UnboundedSender<Job>,
}

impl Intake {
    /// Starts the task that applies what is queued, through `database`.
    pub fn start(database: Database) -> Intake {
        let (sender, mut receiver) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            let mut waiting: VecDeque<Job> = VecDeque::new();
            loop {
                if waiting.is_empty() {
                    match receiver.recv().await {
                        Some(job) => waiting.push_back(job),
                        None => break,
                    }
                }
                while let Ok(job) = receiver.try_recv() {
                    waiting.push_back(job);
                }
                let group = take_group(&mut waiting);
                run(&database, group).await;
            }
        });
        Intake { sender }
    }

    /// Applies `arrival` with the others waiting; what came of it, once committed.
    pub async fn submit(&self, arrival: Arrival) -> AppResult<Done> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Job { arrival, reply })
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the order intake has stopped")))?;
        answer.await.map_err(|_| {
            AppError::Internal(anyhow::anyhow!("the order intake dropped a delivery"))
        })?
    }
}

/// The next group: up to [`GROUP_SIZE`] jobs from the front, each platform order once; the
/// rest wait, in the order they came.
fn take_group(waiting: &mut VecDeque<Job>) -> Vec<Job> {
    let mut group = Vec::new();
    let mut later = VecDeque::new();
    let mut orders = HashSet::new();
    while let Some(job) = waiting.pop_front() {
        let (shop, source, external_id) = job.arrival.key();
        let key = (
            shop.to_string(),
            source.to_string(),
            external_id.to_string(),
        );
        if group.len() < GROUP_SIZE && orders.insert(key) {
            group.push(job);
        } else {
            later.push_back(job);
        }
    }
    *waiting = later;
    group
}

async fn run(database: &Database, group: Vec<Job>) {
    let (arrivals, replies): (Vec<Arrival>, Vec<_>) = group
        .into_iter()
        .map(|job| (job.arrival, job.reply))
        .unzip();
    if arrivals.len() > 1 {
        match orders::apply(database, &arrivals).await {
            Ok(done) => {
                for (reply, done) in replies.into_iter().zip(done) {
                    let _ = reply.send(Ok(done));
                }
                return;
            }
            Err(error) => {
                tracing::debug!(%error, "a group of order deliveries failed; applying them one by one");
            }
        }
    }
    for (arrival, reply) in arrivals.iter().zip(replies) {
        let _ = reply.send(orders::apply_one(database, arrival).await);
    }
}
