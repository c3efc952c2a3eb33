//! Group commit on SQLite for writes that take the next number of a shop's day (case
//! creation). They are queued to one task, which takes every write waiting at that moment and
//! commits them in one transaction, sending the whole group as one statement batch: the day's
//! counters are read once, the numbers handed out in order, the batches and the counters'
//! new values written, then COMMIT. The commit (the WAL pages it writes) and the round trips to
//! SQLite's thread are shared by the group. If the group's batch fails, it is rolled back and
//! each write is retried alone inside a savepoint, so one bad write fails alone.

use std::collections::HashMap;

use sqlx::{AnyPool, Executor, pool::PoolConnection};
use tokio::sync::{mpsc, oneshot};

use super::batch::{Batch, bind_all};
use super::cases::NEXT_SEQUENCE_SQL;

/// How many writes one transaction takes at most.
const GROUP_SIZE: usize = 64;

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
            while let Some(first) = receiver.recv().await {
                let mut jobs = vec![first];
                while jobs.len() < GROUP_SIZE {
                    match receiver.try_recv() {
                        Ok(job) => jobs.push(job),
                        Err(_) => break,
                    }
                }
                commit_group(&writer, jobs).await;
            }
        });
        GroupCommitter { sender }
    }

    /// Queues a write: it gets the next number of `shop_id`'s `day`, and `build` makes its
    /// batch from that number. Returns the number once committed.
    pub async fn submit(&self, shop_id: &str, day: &str, build: Build) -> Result<i64, sqlx::Error> {
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

async fn commit_group(writer: &AnyPool, jobs: Vec<Job>) {
    let mut connection = match writer.acquire().await {
        Ok(connection) => connection,
        Err(error) => {
            for job in jobs {
                let _ = job.reply.send(Err(failed(&error)));
            }
            return;
        }
    };
    if jobs.len() == 1 {
        one_by_one(&mut connection, jobs).await;
        return;
    }
    match whole_group(&mut connection, &jobs).await {
        Ok(numbers) => {
            for (job, number) in jobs.into_iter().zip(numbers) {
                let _ = job.reply.send(Ok(number));
            }
        }
        Err(_) => {
            let _ = connection.execute("ROLLBACK").await;
            one_by_one(&mut connection, jobs).await;
        }
    }
}

/// The whole group in one transaction and two round trips; the caller rolls back on error.
async fn whole_group(
    connection: &mut PoolConnection<sqlx::Any>,
    jobs: &[Job],
) -> Result<Vec<i64>, sqlx::Error> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for job in jobs {
        let key = (job.shop_id.clone(), job.day.clone());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut counters: HashMap<(String, String), i64> = HashMap::new();
    let mut begin = String::from("BEGIN IMMEDIATE;\n");
    for (index, _) in keys.iter().enumerate() {
        let shop = index * 2 + 1;
        let day = shop + 1;
        begin.push_str(&format!(
            "SELECT {index} AS key, COALESCE((SELECT value FROM case_counters WHERE shop_id = ${shop} AND day = ${day}), 0) AS value;\n"
        ));
    }
    let mut query = sqlx::query(sqlx::AssertSqlSafe(begin)).persistent(false);
    for (shop_id, day) in &keys {
        query = query.bind(shop_id.clone()).bind(day.clone());
    }
    for row in query.fetch_all(&mut **connection).await? {
        let index: i64 = sqlx::Row::try_get(&row, 0)?;
        let value: i64 = sqlx::Row::try_get(&row, 1)?;
        counters.insert(keys[index as usize].clone(), value);
    }
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
        sqlx::query(sqlx::AssertSqlSafe(format!("{sql}COMMIT;"))),
        values,
    )
    .execute(&mut **connection)
    .await?;
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
