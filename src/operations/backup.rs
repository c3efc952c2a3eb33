//! Backups (docs/OPERATIONS.md): `aftersale backup --to FILE` while the app serves, `aftersale
//! restore FILE` into an empty database, and the nightly backup with its retention. Attachments
//! are rows of the database, so a backup holds them too.
//!
//! SQLite: one consistent copy of the database (`VACUUM INTO`, while writers go on), itself a
//! SQLite file. PostgreSQL: `pg_dump --format=custom` (one snapshot), restored by `pg_restore`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::db::Database;
use crate::db::dialect::Backend;

/// A backup made: where, and how large.
#[derive(Debug, Clone)]
pub struct Made {
    pub file: PathBuf,
    pub bytes: u64,
}

/// Writes a backup of `database` (reached at `url`) to `file`, which must not exist. The copy is
/// written beside it and renamed when whole, so a file by that name is always a whole backup.
pub async fn backup(database: &Database, url: &str, file: &Path) -> anyhow::Result<Made> {
    if file.exists() {
        bail!(
            "{} already exists: choose a new file name (a backup never overwrites one)",
            file.display()
        );
    }
    if let Some(parent) = file.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the folder {}", parent.display()))?;
    }
    let partial = partial_name(file);
    let _ = std::fs::remove_file(&partial);
    let written = match database.backend {
        Backend::Sqlite => {
            let path = partial
                .to_str()
                .context("the backup's path must be UTF-8")?;
            database
                .copy_into(path)
                .await
                .with_context(|| format!("copying the database into {}", partial.display()))
        }
        Backend::Postgres => {
            run(tokio::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(&partial)
                .arg(format!("--dbname={url}")))
            .await
        }
    };
    if let Err(error) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    std::fs::rename(&partial, file)
        .with_context(|| format!("renaming {} to {}", partial.display(), file.display()))?;
    let bytes = std::fs::metadata(file)?.len();
    Ok(Made {
        file: file.to_path_buf(),
        bytes,
    })
}

/// What a backup file is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sqlite,
    PostgresDump,
}

pub fn format_of(file: &Path) -> anyhow::Result<Format> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut opened =
        std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let read = opened.read(&mut head)?;
    if read == 16 && &head == b"SQLite format 3\0" {
        Ok(Format::Sqlite)
    } else if read >= 5 && &head[..5] == b"PGDMP" {
        Ok(Format::PostgresDump)
    } else {
        bail!(
            "{} is not a backup made by `aftersale backup` (neither a SQLite database nor a pg_dump archive)",
            file.display()
        )
    }
}

/// Restores `file` into the database at `url`, which must be empty (a SQLite file that does not
/// exist yet, or a PostgreSQL database without tables), then migrates it to this release.
pub async fn restore(url: &str, file: &Path) -> anyhow::Result<Database> {
    let format = format_of(file)?;
    let backend = Backend::from_url(url)?;
    match (format, backend) {
        (Format::Sqlite, Backend::Sqlite) => {
            let target = crate::db::sqlite_file(url);
            for path in [
                target.clone(),
                append(&target, "-wal"),
                append(&target, "-shm"),
            ] {
                if path.exists() {
                    bail!(
                        "{} already exists: restore into a new path (set APP_DATABASE_URL to it) or move the old database away first; nothing was changed",
                        path.display()
                    );
                }
            }
            if let Some(parent) = target.parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent)?;
            }
            let partial = partial_name(&target);
            std::fs::copy(file, &partial)
                .with_context(|| format!("copying {} to {}", file.display(), partial.display()))?;
            std::fs::rename(&partial, &target)?;
        }
        (Format::PostgresDump, Backend::Postgres) => {
            let database = Database::connect(url).await?;
            if !database.is_blank().await? {
                bail!(
                    "the database at {url} already has tables: restore into a new, empty database (createdb …) and point APP_DATABASE_URL at it; nothing was changed"
                );
            }
            database.writer.close().await;
            run(tokio::process::Command::new("pg_restore")
                .args([
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                ])
                .arg(format!("--dbname={url}"))
                .arg(file))
            .await?;
        }
        (Format::Sqlite, Backend::Postgres) | (Format::PostgresDump, Backend::Sqlite) => bail!(
            "{} is a {} backup and the target is {}: restore into the same kind of database it was made from",
            file.display(),
            if format == Format::Sqlite {
                "SQLite"
            } else {
                "PostgreSQL"
            },
            if backend == Backend::Sqlite {
                "SQLite"
            } else {
                "PostgreSQL"
            },
        ),
    }
    let database = Database::connect(url).await?;
    database
        .migrate()
        .await
        .context("bringing the restored database up to this release")?;
    Ok(database)
}

/// The nightly backup's file name for a day and time (`aftersale-20261206-0330.db`).
pub fn nightly_name(backend: Backend, stamp: &str) -> String {
    let extension = match backend {
        Backend::Sqlite => "db",
        Backend::Postgres => "dump",
    };
    format!("aftersale-{stamp}.{extension}")
}

/// Deletes the oldest nightly backups in `directory` beyond the newest `keep`; the names deleted.
pub fn prune(directory: &Path, keep: usize) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(directory)
        .with_context(|| format!("reading {}", directory.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            name.starts_with("aftersale-") && (name.ends_with(".db") || name.ends_with(".dump"))
        })
        .collect();
    // The names carry the date and time, so they sort as made.
    names.sort();
    let excess = names.len().saturating_sub(keep);
    let old: Vec<String> = names.into_iter().take(excess).collect();
    for name in &old {
        std::fs::remove_file(directory.join(name))
            .with_context(|| format!("deleting the old backup {name}"))?;
    }
    Ok(old)
}

fn append(path: &Path, suffix: &str) -> PathBuf {
    let mut text = path.as_os_str().to_owned();
    text.push(suffix);
    PathBuf::from(text)
}

fn partial_name(file: &Path) -> PathBuf {
    append(file, ".partial")
}

/// Runs a PostgreSQL tool; its error output becomes the error.
async fn run(command: &mut tokio::process::Command) -> anyhow::Result<()> {
    let program = command.as_std().get_program().to_string_lossy().to_string();
    let output = command.output().await.with_context(|| {
        format!("running {program} (install the PostgreSQL client: apt install postgresql-client)")
    })?;
    if !output.status.success() {
        bail!(
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
