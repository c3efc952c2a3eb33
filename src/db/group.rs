//! Group commit on SQLite for writes that take the next number of a shop's day (case
//! creation). They are queued to one task, which takes every write waiting at that moment and
//! commits them in one transaction, sending the whole group as one statement batch: the
//! numbers are handed out in order from the day's counters (remembered from the last group, read
//! when unknown), the batches and the counters' new values written, then COMMIT. The commit (the
//! WAL pages it writes) and the round trip to SQLite's thread are shared by the group, and the
//! task keeps the writer connection while writes keep coming. If the group's batch fails, it is
//! rolled back, the counters are forgotten, and each write is retried alone inside a savepoint
//! (reading its number afresh), so one bad write fails alone.

use crate::domain::identifiers::ShopId;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use sqlx::{AnyPool, Executor, pool::PoolConnection};
use tokio::sync::{mpsc, oneshot};

use super::batch::{Batch, bind_all};
use super::cases::NEXT_SEQUENCE_SQL;

/// How many writes one transaction takes at most.
const GROUP_SIZE: usize = 64;

/// How long the committer keeps the writer while writes keep coming, before letting the
/// other writers (transitions, workers) have their turn.
const HOLD: Duration = Duration::from_millis(20);

/// Makes a write's batch from its number; callable again if the group has to be retried.
type Build = Box<dyn Fn(i64) -> Batch + Send + Sync>;

struct Job {
    shop_id: String,
    day: String,
    build: Build,
    reply: oneshot::Sender<Result<i64, sqlx::Error>>,
}

#[derive(Clone)]
pub struct GroupCommitter {
    sender: mpsc::UnboundedSender<Job>,
}

impl std::fmt::Debug for GroupCommitter {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("GroupCommitter")
    }
}

fn failed(error: &sqlx::Error) -> sqlx::Error {
    sqlx::Error::Protocol(format!("the group transaction failed: {error}"))
}

impl GroupCommitter {
    /// Starts the task that owns the queue; it writes through `writer`.
    pub fn start(writer: AnyPool) -> GroupCommitter {
        let (sender, mut receiver) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            let mut known = Counters::new();
            while let Some(first) = receiver.recv().await {
                let mut connection = match writer.acquire().await {
                    Ok(connection) => connection,
                    Err(error) => {
                        let _ = first.reply.send(Err(failed(&error)));
                        continue;
                    }
                };
                // The connection is kept while writes keep coming, up to HOLD: handing it back
                // to the pool and taking it again costs a task switch per group.
                let held_since = Instant::now();
                let mut next = Some(first);
                while let Some(first) = next.take() {
                    let mut jobs = vec![first];
                    while jobs.len() < GROUP_SIZE {
                        match receiver.try_recv() {
                            Ok(job) => jobs.push(job),
                            Err(_) => break,
                        }
                    }
                    commit_group(&mut connection, jobs, &mut known).await;
                    if held_since.elapsed() < HOLD {
                        next = receiver.try_recv().ok();
                    }
                }
            }
        });
        GroupCommitter { sender }
    }

    /// Queues a write: it gets the next number of `shop_id`'s `day`, and `build` makes its
    /// batch from that number. Returns the number once committed.
    pub async fn submit(
        &self,
        shop_id: &ShopId,
        day: &str,
        build: Build,
    ) -> Result<i64, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            shop_id: shop_id.to_string(),
            day: day.to_string(),
            build,
            reply,
        };
        self.sender
            .send(job)
            .map_err(|_| sqlx::Error::Protocol("the group committer has stopped".into()))?;
        answer
            .await
            .map_err(|_| sqlx::Error::Protocol("the group committer dropped a write".into()))?
    }
}

async fn commit_group(
    connection: &mut PoolConnection<sqlx::Any>,
    jobs: Vec<Job>,
    known: &mut Counters,
) {
    match whole_group(connection, &jobs, known).await {
        Ok(numbers) => {
            for (job, number) in jobs.into_iter().zip(numbers) {
                let _ = job.reply.send(Ok(number));
            }
        }
        Err(_) => {
            known.clear();
            let _ = connection.execute("ROLLBACK").await;
            one_by_one(connection, jobs).await;
        }
    }
}

/// The day's last numbers as this committer left them, per (shop, day).
type Counters = HashMap<(String, String), i64>;

/// The whole group in one transaction and one round trip (two when a day's counter is not
/// known yet); the caller rolls back on error. The counters are remembered between groups:
/// if another instance took numbers meanwhile, the first of ours is already a case's number
/// (UNIQUE (shop_id, number)), the group fails, and the caller forgets them.
async fn whole_group(
    connection: &mut PoolConnection<sqlx::Any>,
    jobs: &[Job],
    known: &mut Counters,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for job in jobs {
        let key = (job.shop_id.clone(), job.day.clone());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut begin = String::from("BEGIN IMMEDIATE;\n");
    let unknown: Vec<&(String, String)> = keys
        .iter()
        .filter(|key| !known.contains_key(*key))
        .collect();
    if !unknown.is_empty() {
        for (index, _) in unknown.iter().enumerate() {
            let shop = index * 2 + 1;
            let day = shop + 1;
            begin.push_str(&format!(
                "SELECT {index} AS key, COALESCE((SELECT value FROM case_counters WHERE shop_id = ${shop} AND day = ${day}), 0) AS value;\n"
            ));
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(begin)).persistent(false);
        for (shop_id, day) in &unknown {
            query = query.bind(shop_id.clone()).bind(day.clone());
        }
        for row in query.fetch_all(&mut **connection).await? {
            let index: i64 = sqlx::Row::try_get(&row, 0)?;
            let value: i64 = sqlx::Row::try_get(&row, 1)?;
            known.insert(unknown[index as usize].clone(), value);
        }
        begin = String::new();
    }
    let mut counters: Counters = keys
        .into_iter()
        .map(|key| {
            let value = known[&key];
            (key, value)
        })
        .collect();
    let mut numbers = Vec::with_capacity(jobs.len());
    let mut group = Batch::new();
    for job in jobs {
        let counter = counters
            .entry((job.shop_id.clone(), job.day.clone()))
            .or_insert(0);
        *counter += 1;
        numbers.push(*counter);
        group.append((job.build)(*counter));
    }
    for ((shop_id, day), value) in &counters {
        group.push(
            "INSERT INTO case_counters (shop_id, day, value) VALUES ($1, $2, $3) \
             ON CONFLICT (shop_id, day) DO UPDATE SET value = excluded.value",
            vec![
                shop_id.as_str().into(),
                day.as_str().into(),
                (*value).into(),
            ],
        );
    }
    // One statement per table for the whole group: the same text for every group of the same
    // kind of writes, compiled once.
    let (sql, values) = group.set_based();
    bind_all(
        sqlx::query(sqlx::AssertSqlSafe(format!("{begin}{sql}COMMIT;"))),
        values,
    )
    .execute(&mut **connection)
    .await?;
    if known.len() > 1024 {
        known.clear();
    }
    known.extend(counters);
    Ok(numbers)
}

/// Each write in its own savepoint of one transaction: a failing write is rolled back alone.
async fn one_by_one(connection: &mut PoolConnection<sqlx::Any>, jobs: Vec<Job>) {
    if let Err(error) = connection.execute("BEGIN IMMEDIATE").await {
        for job in jobs {
            let _ = job.reply.send(Err(failed(&error)));
        }
        return;
    }
    let mut written = Vec::with_capacity(jobs.len());
    for Job {
        shop_id,
        day,
        build,
        reply,
    } in jobs
    {
        let outcome = async {
            let sql = format!("SAVEPOINT write;\n{NEXT_SEQUENCE_SQL}");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(shop_id)
                .bind(day)
                .fetch_all(&mut **connection)
                .await?;
            let number: i64 = sqlx::Row::try_get(rows.first().ok_or(sqlx::Error::RowNotFound)?, 0)?;
            let (sql, values) = build(number).joined();
            // A text made for this write only: not kept in the statement cache.
            bind_all(
                sqlx::query(sqlx::AssertSqlSafe(format!("{sql}RELEASE write;"))).persistent(false),
                values,
            )
            .execute(&mut **connection)
            .await?;
            Ok::<i64, sqlx::Error>(number)
        }
        .await;
        match outcome {
            Ok(number) => written.push((reply, number)),
            Err(error) => {
                let _ = connection
                    .execute("ROLLBACK TO write; RELEASE write;")
                    .await;
                let _ = reply.send(Err(error));
            }
        }
    }
    match connection.execute("COMMIT").await {
        Ok(_) => {
            for (reply, number) in written {
                let _ = reply.send(Ok(number));
            }
        }
        Err(error) => {
            let _ = connection.execute("ROLLBACK").await;
            for (reply, _) in written {
                let _ = reply.send(Err(failed(&error)));
            }
        }
    }
}
