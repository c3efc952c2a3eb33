//! Storage: one code path for SQLite and PostgreSQL through sqlx's `AnyPool`, with the few
//! differences kept in [`dialect`]. SQL lives in one file per aggregate.

pub mod aftersales;
pub mod appointments;
pub mod articles;
pub mod attachments;
pub mod audit;
pub mod audits;
pub mod backlog;
pub mod backups;
pub mod batch;
pub mod case_list;
pub mod cases;
pub mod checks;
pub mod columns;
pub mod cost_reports;
pub mod costs;
pub mod customers;
pub mod deliveries;
pub mod dialect;
pub mod disputes;
pub mod follow_ups;
pub mod group;
pub mod idempotency;
pub mod inbound;
pub mod invitations;
pub mod invoices;
pub mod kpis;
pub mod limits;
pub mod offers;
pub mod order_batches;
pub mod orders;
pub mod outbox;
pub mod packed;
pub mod parts;
pub mod platform_refunds;
pub mod ratings;
pub mod refunds;
pub mod reply_variants;
pub mod report_runs;
pub mod reviews;
pub mod secrets;
pub mod settings;
pub mod shipments;
pub mod shops;
pub mod staff_sessions;
pub mod stock;
pub mod suggestion_models;
pub mod suppliers;
pub mod surveys;
pub mod synthetic;
pub mod timers;
pub mod tokens;
pub mod units;
pub mod visits;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;

use crate::clock::Clock;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor};

pub use dialect::Backend;

/// A write transaction on either backend.
pub type Transaction = sqlx::Transaction<'static, Any>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The database: a pool for reads and a pool for writes. On SQLite the writer holds a single
/// connection, so writes queue in the pool instead of failing with SQLITE_BUSY; on PostgreSQL
/// both are the same pool.
#[derive(Clone, Debug)]
pub struct Database {
    pub reader: AnyPool,
    pub writer: AnyPool,
    pub backend: Backend,
    /// SQLite only: the queue that commits case creations in groups.
    pub group: Option<group::GroupCommitter>,
    /// SQLite only: the connection that checkpoints the WAL in the background.
    checkpoints: Option<AnyPool>,
    /// Shops' settings, read at most every few seconds (they are read on every change).
    pub settings: settings::Cache,
    /// Each shop's knowledge-base search index on this instance.
    pub knowledge: articles::Indexes,
    /// The time every write is stamped with (the app's one clock: [`Database::with_clock`]).
    pub clock: Clock,
}

impl Database {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating a SQLite file if needed.
    pub async fn connect(url: &str) -> anyhow::Result<Database> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        match backend {
            Backend::Sqlite => {
                let url = sqlite_url(url)?;
                let options = AnyConnectOptions::from_str(&url)?;
                // The writer leaves copying the WAL back into the database to a connection of
                // its own (every 100 ms, without blocking writes). It checkpoints itself only as
                // a backstop, rarely: under steady writes the WAL cannot restart while readers
                // use it, and past the threshold every commit would try again, each with an
                // fsync. Readers look up pages only in the frames not yet copied back, so a long
                // WAL does not slow them; it is cut back to 64 MB once it restarts.
                let writer = sqlite_pool(
                    1,
                    "PRAGMA wal_autocheckpoint = 100000; PRAGMA journal_size_limit = 67108864; PRAGMA cache_size = -32000;",
                )
                .connect_with(options.clone())
                .await?;
                let readers = std::thread::available_parallelism()
                    .map_or(4, |count| count.get() * 2)
                    .max(4);
                let reader = sqlite_pool(readers as u32, "")
                    .connect_with(options.clone())
                    .await?;
                let checkpoints = sqlite_pool(1, "").connect_with(options).await?;
                spawn_checkpoints(checkpoints.clone());
                let group = Some(group::GroupCommitter::start(writer.clone()));
                Ok(Database {
                    reader,
                    writer,
                    backend,
                    group,
                    checkpoints: Some(checkpoints),
                    settings: settings::Cache::default(),
                    knowledge: articles::Indexes::default(),
                    clock: Clock::default(),
                })
            }
            Backend::Postgres => {
                ensure_postgres_database(url).await?;
                // Four connections a core (8 to 32): more only queue inside PostgreSQL, on
                // the same cores, and lengthen the slowest requests (at 16 concurrent queue
                // pages on 2 cores, 32 connections gave p99 59 ms, 8 gave 22 ms).
                let connections = std::thread::available_parallelism()
                    .map_or(8, |count| count.get() * 4)
                    .clamp(8, 32);
                let pool = AnyPoolOptions::new()
                    .max_connections(connections as u32)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await
                    .with_context(|| "cannot connect to PostgreSQL")?;
                Ok(Database {
                    reader: pool.clone(),
                    writer: pool,
                    backend,
                    group: None,
                    checkpoints: None,
                    settings: settings::Cache::default(),
                    knowledge: articles::Indexes::default(),
                    clock: Clock::default(),
                })
            }
        }
    }

    /// The same database going by `clock` (the app's, shared with every copy of it).
    pub fn with_clock(mut self, clock: Clock) -> Database {
        self.clock = clock;
        self
    }

    /// One round trip to the database (the health check).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.reader)
            .await
            .map(|_| ())
    }

    /// SQLite only: a consistent copy of the whole database into the new file `path`
    /// (`VACUUM INTO`, on a reader: the writers go on while it copies one snapshot).
    pub async fn copy_into(&self, path: &str) -> Result<(), sqlx::Error> {
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.reader)
            .await?;
        Ok(())
    }

    /// Whether the database has no tables yet (nothing to lose by restoring into it).
    pub async fn is_blank(&self) -> Result<bool, sqlx::Error> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
            Backend::Postgres => {
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
            }
        };
        let tables: i64 = sqlx::query_scalar(sql).fetch_one(&self.reader).await?;
        Ok(tables == 0)
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let known = self.known_schema_version();
        if let Some(applied) = self.schema_version().await?
            && applied > known
        {
            anyhow::bail!(
                "this database's schema is version {applied}, newer than this aftersale {} knows \
                 (up to {known}): it was upgraded by a newer release. Run that release (or newer), \
                 or restore a backup made before the upgrade (docs/OPERATIONS.md, \"Upgrade\"). \
                 Nothing was changed.",
                env!("CARGO_PKG_VERSION")
            );
        }
        migrator
            .run(&self.writer)
            .await
            .context("migrating the database")?;
        Ok(())
    }

    /// The newest migration applied to this database (`None` before the first).
    pub async fn schema_version(&self) -> anyhow::Result<Option<i64>> {
        let exists = match self.backend {
            Backend::Sqlite => {
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        let tables: i64 = sqlx::query_scalar(exists).fetch_one(&self.reader).await?;
        if tables == 0 {
            return Ok(None);
        }
        Ok(
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.reader)
                .await?,
        )
    }

    /// The newest migration this binary knows.
    pub fn known_schema_version(&self) -> i64 {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .iter()
            .map(|migration| migration.version)
            .max()
            .unwrap_or(0)
    }

    /// Keeps the planner's statistics current, so no plan falls off a cliff as a shop grows:
    /// SQLite analyses every table whose size changed a lot since it was last analysed
    /// (`PRAGMA optimize`, each analysis bounded by `analysis_limit`); PostgreSQL analyses the
    /// `tables` a bulk change just touched (autovacuum's autoanalyze does the rest).
    pub async fn optimize(&self, tables: &[&str]) -> Result<(), sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::raw_sql("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002")
                    .execute(&self.writer)
                    .await?;
            }
            Backend::Postgres if !tables.is_empty() => {
                let names = tables
                    .iter()
                    .filter(|name| {
                        name.chars()
                            .all(|character| character.is_ascii_lowercase() || character == '_')
                    })
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ANALYZE {names}")))
                    .execute(&self.writer)
                    .await?;
            }
            Backend::Postgres => {}
        }
        Ok(())
    }

    /// PostgreSQL with autovacuum turned off (as it can be, and is on the machines this is
    /// measured on): what autovacuum would do, for the server's tables — `ANALYZE` a table
    /// changed by more than 10 % (+50 rows) since its last statistics, `VACUUM (ANALYZE)` one
    /// with more than 20 % (+50) dead rows. Run once a minute by the timer worker; with
    /// autovacuum on, and on SQLite, it does nothing. The tables it tended.
    pub async fn tend(&self) -> Result<Vec<String>, sqlx::Error> {
        if self.backend != Backend::Postgres {
            return Ok(Vec::new());
        }
        let due: Vec<(String, bool)> = sqlx::query_as(
            "SELECT relname::TEXT, n_dead_tup > 50 + 0.2 * n_live_tup FROM pg_stat_user_tables \
             WHERE current_setting('autovacuum') = 'off' AND schemaname = current_schema() \
               AND (n_dead_tup > 50 + 0.2 * n_live_tup OR n_mod_since_analyze > 50 + 0.1 * n_live_tup)",
        )
        .fetch_all(&self.reader)
        .await?;
        let mut tended = Vec::with_capacity(due.len());
        for (table, vacuum) in due {
            let name = format!("\"{}\"", table.replace('"', "\"\""));
            let sql = if vacuum {
                format!("VACUUM (ANALYZE) {name}")
            } else {
                format!("ANALYZE {name}")
            };
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&self.writer)
                .await?;
            tended.push(table);
        }
        Ok(tended)
    }

    /// How the database would run `sql` (its plan, one line per step), for the tests that
    /// keep the hot queries on their indexes.
    pub(crate) async fn plan(
        &self,
        sql: &str,
        binds: Vec<Bind>,
    ) -> Result<Vec<String>, sqlx::Error> {
        let explain = match self.backend {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            Backend::Postgres => format!("EXPLAIN {sql}"),
        };
        let mut statement = sqlx::query(sqlx::AssertSqlSafe(explain));
        for bind in binds {
            statement = match bind {
                Bind::Text(text) => statement.bind(text),
                Bind::Number(number) => statement.bind(number),
            };
        }
        let rows = statement.fetch_all(&self.reader).await?;
        Ok(rows
            .iter()
            .map(|row| {
                use sqlx::Row;
                match self.backend {
                    Backend::Sqlite => row.try_get::<String, _>("detail").unwrap_or_default(),
                    Backend::Postgres => row.try_get::<String, _>(0).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE).
    pub async fn begin(&self) -> Result<Transaction, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.writer.begin().await,
        }
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.close().await;
        }
    }
}

/// A value bound to a statement built as it grows.
pub(crate) enum Bind {
    Text(String),
    Number(i64),
}

fn sqlite_pool(max_connections: u32, pragmas: &'static str) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(1)
        // A local file's connection cannot go stale: no ping before each use (a round trip to
        // the connection's thread that every request paid).
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |connection, _| {
            Box::pin(async move {
                connection
                    .execute(sqlx::AssertSqlSafe(format!(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                         PRAGMA cache_size = -8000; PRAGMA temp_store = MEMORY; {pragmas}"
                    )))
                    .await?;
                Ok(())
            })
        })
}

/// Checkpoints the WAL on a connection of its own four times a second (PASSIVE: it copies what
/// no reader still needs and never blocks the writer or the readers), until it is closed.
fn spawn_checkpoints(connection: AnyPool) {
    tokio::spawn(async move {
        while !connection.is_closed() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&connection)
                .await
                && !connection.is_closed()
            {
                tracing::warn!(%error, "WAL checkpoint");
            }
        }
    });
}

/// The file a `sqlite://PATH?…` URL names.
pub fn sqlite_file(url: &str) -> std::path::PathBuf {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    std::path::PathBuf::from(path.split('?').next().unwrap_or(path))
}

/// `sqlite://data/aftersale.db` → the same with `mode=rwc`, its folder created.
fn sqlite_url(url: &str) -> anyhow::Result<String> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let file = sqlite_file(url);
    if let Some(parent) = file.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let separator = if path.contains('?') { '&' } else { '?' };
    Ok(format!("sqlite://{path}{separator}mode=rwc"))
}

/// Runs `sql`, a `DELETE` of at most 5,000 rows bound to `before`, again until it deletes fewer
/// (50 times at most: the rest waits for the next hour); the number of rows deleted.
pub(crate) async fn delete_in_batches(
    database: &Database,
    sql: &'static str,
    before: i64,
) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    for _ in 0..50 {
        let batch = sqlx::query(sql)
            .bind(before)
            .execute(&database.writer)
            .await?
            .rows_affected();
        deleted += batch;
        if batch < 5000 {
            break;
        }
    }
    Ok(deleted)
}

/// A new id: a UUIDv7 (time-ordered, 74 random bits) written as 22 base-62 digits instead of
/// 36 hexadecimal ones with dashes: 14 bytes less in every row and index entry that holds an
/// id (several per case, event, timer, line). The digits are in ASCII order (0-9A-Za-z) and
/// the width fixed, so ids sort as their time does. Ids made before are longer and stay valid.
pub fn new_id() -> String {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut value = uuid::Uuid::now_v7().as_u128();
    let mut text = [b'0'; 22];
    for digit in text.iter_mut().rev() {
        *digit = DIGITS[(value % 62) as usize];
        value /= 62;
    }
    text.iter().map(|&digit| digit as char).collect()
}

/// Whether an error is a unique-constraint violation (both backends).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(database_error) => {
            database_error.is_unique_violation()
                || database_error.code().as_deref() == Some("23505")
                || database_error
                    .message()
                    .contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// Creates the PostgreSQL database named in `url` (UTF-8, C.UTF-8 collation) if it does not
/// exist. Best effort: when the name is unusual or the server refuses, connecting reports it.
async fn ensure_postgres_database(url: &str) -> anyhow::Result<()> {
    let (address, parameters) = url
        .split_once('?')
        .map_or((url, None), |(address, parameters)| {
            (address, Some(parameters))
        });
    let Some((server, name)) = address.rsplit_once('/') else {
        return Ok(());
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '_')
    {
        return Ok(());
    }
    let maintenance = match parameters {
        Some(parameters) => format!("{server}/postgres?{parameters}"),
        None => format!("{server}/postgres"),
    };
    let Ok(admin) = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&maintenance)
        .await
    else {
        return Ok(());
    };
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1::BIGINT FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_optional(&admin)
            .await?;
    if exists.is_none() {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )))
        .execute(&admin)
        .await
        .with_context(|| format!("creating the database {name}"))?;
    }
    admin.close().await;
    Ok(())
}

#[cfg(test)]
mod id_tests {
    use super::new_id;

    #[test]
    fn ids_are_short_unique_and_sort_as_they_were_made() {
        let ids: Vec<String> = (0..2_000).map(|_| new_id()).collect();
        assert!(ids.iter().all(|id| {
            id.len() == 22
                && id
                    .chars()
                    .all(|character| character.is_ascii_alphanumeric())
        }));
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, ids, "unique, and in the order they were made");
    }
}
