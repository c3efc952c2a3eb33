//! Group commit on SQLite. Writes that take a number and then a batch (case creation) are
//! queued to one task, which runs every write waiting at that moment in a single transaction,
//! each inside its own savepoint: one failing write is rolled back alone, and the commit, the
//! most expensive step (the WAL pages it writes), is shared by the whole group.

use sqlx::{AnyPool, Executor};
use tokio::sync::{mpsc, oneshot};

use super::batch::{Batch, Value, bind_all};

/// How many writes one transaction takes at most.
const GROUP_SIZE: usize = 64;

type Build = Box<dyn FnOnce(i64) -> Batch + Send>;

struct Job {
    counter_sql: &'static str,
    counter_values: Vec<Value>,
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

    /// Queues a write: `counter_sql` returns a number, `build` makes the batch from it.
    pub async fn submit(
        &self,
        counter_sql: &'static str,
        counter_values: Vec<Value>,
        build: Build,
    ) -> Result<i64, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Job {
                counter_sql,
                counter_values,
                build,
                reply,
            })
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
    if let Err(error) = connection.execute("BEGIN IMMEDIATE").await {
        for job in jobs {
            let _ = job.reply.send(Err(failed(&error)));
        }
        return;
    }
    let mut written = Vec::with_capacity(jobs.len());
    for Job {
        counter_sql,
        counter_values,
        build,
        reply,
    } in jobs
    {
        let outcome = async {
            let sql = format!("SAVEPOINT write;\n{counter_sql}");
            let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), counter_values)
                .fetch_all(&mut *connection)
                .await?;
            let number: i64 = sqlx::Row::try_get(rows.first().ok_or(sqlx::Error::RowNotFound)?, 0)?;
            let (sql, values) = build(number).joined();
            bind_all(
                sqlx::query(sqlx::AssertSqlSafe(format!("{sql}RELEASE write;"))),
                values,
            )
            .execute(&mut *connection)
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
