//! `aftersale doctor`: checks a configuration and its surroundings before (or while) it serves,
//! and says what to fix: the database reachable and migrated, the public URL, SMTP, the label
//! font, disk space, the clock, metrics and backups.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::Config;
use crate::db::Database;
use crate::db::dialect::Backend;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Works, but something should be done (or it is off by choice).
    Warning,
    /// The app cannot do its work this way.
    Problem,
}

#[derive(Debug, Clone)]
pub struct Finding {
    /// What was checked, in Chinese and English (`数据库 database`).
    pub check: &'static str,
    pub verdict: Verdict,
    /// What was found, and for a warning or problem what to do about it.
    pub detail: String,
}

fn finding(check: &'static str, verdict: Verdict, detail: impl Into<String>) -> Finding {
    Finding {
        check,
        verdict,
        detail: detail.into(),
    }
}

/// Below this much free space where the data lives, the check warns; below a tenth, it fails.
const DISK_WARNING_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// Every check, in order; the database ones only once it is reachable.
pub async fn examine(config: &Config, now: i64) -> Vec<Finding> {
    let mut findings = Vec::new();
    let database = database(config, &mut findings).await;
    if let Some(database) = &database {
        schema(database, &mut findings).await;
        clock(database, config, now, &mut findings).await;
        backups(database, config, now, &mut findings).await;
    }
    findings.push(public_url(config));
    findings.push(smtp(config).await);
    findings.push(if crate::documents::label::font_found(config.label_font.as_deref()) {
        finding("标签字体 label font", Verdict::Ok, "a CJK font for return labels is installed")
    } else {
        finding(
            "标签字体 label font",
            Verdict::Problem,
            "no CJK font for return labels: apt install fonts-wqy-microhei (or set label_font = \"/path/font.ttc#0\")",
        )
    });
    findings.push(disk(config));
    findings.push(metrics(config));
    findings
}

async fn database(config: &Config, findings: &mut Vec<Finding>) -> Option<Database> {
    const CHECK: &str = "数据库 database";
    let shown = config.database_display();
    if Backend::from_url(&config.database_url).ok() == Some(Backend::Sqlite) {
        let path = crate::db::sqlite_file(&config.database_url);
        if !path.exists() {
            findings.push(finding(
                CHECK,
                Verdict::Problem,
                format!(
                    "{shown}: the file does not exist yet; `aftersale migrate` (or the service's first start) creates it"
                ),
            ));
            return None;
        }
    }
    match tokio::time::timeout(
        Duration::from_secs(10),
        Database::connect(&config.database_url),
    )
    .await
    {
        Ok(Ok(database)) => match database.ping().await {
            Ok(()) => {
                findings.push(finding(CHECK, Verdict::Ok, format!("{shown} answers")));
                Some(database)
            }
            Err(error) => {
                findings.push(finding(
                    CHECK,
                    Verdict::Problem,
                    format!("{shown} does not answer: {error}"),
                ));
                None
            }
        },
        Ok(Err(error)) => {
            findings.push(finding(
                CHECK,
                Verdict::Problem,
                format!("cannot open {shown}: {error:#} (is the server running, the URL right?)"),
            ));
            None
        }
        Err(_) => {
            findings.push(finding(
                CHECK,
                Verdict::Problem,
                format!("{shown} did not answer within 10 s (firewall? host?)"),
            ));
            None
        }
    }
}

async fn schema(database: &Database, findings: &mut Vec<Finding>) {
    const CHECK: &str = "数据库结构 schema";
    let known = database.known_schema_version();
    findings.push(match database.schema_version().await {
        Ok(Some(applied)) if applied == known => {
            finding(CHECK, Verdict::Ok, format!("migrated (version {applied})"))
        }
        Ok(Some(applied)) if applied > known => finding(
            CHECK,
            Verdict::Problem,
            format!(
                "version {applied} is newer than this release knows ({known}): run the newer release, or restore a backup made before the upgrade"
            ),
        ),
        Ok(Some(applied)) => finding(
            CHECK,
            Verdict::Warning,
            format!(
                "version {applied}, this release brings {known}: `aftersale migrate` (the service also migrates when it starts; back up first)"
            ),
        ),
        Ok(None) => finding(
            CHECK,
            Verdict::Warning,
            "empty: `aftersale migrate` creates the tables (the service also does when it starts)",
        ),
        Err(error) => finding(CHECK, Verdict::Problem, format!("cannot read: {error:#}")),
    });
}

/// The machine's clock against the database's: PostgreSQL's own time, or for SQLite the newest
/// write (a write stamped in the future means this clock went back).
async fn clock(database: &Database, config: &Config, now: i64, findings: &mut Vec<Finding>) {
    const CHECK: &str = "时钟 clock";
    if config.clock_offset_hours != 0 {
        findings.push(finding(
            CHECK,
            Verdict::Warning,
            format!(
                "clock_offset_hours = {}: the workers act as if it were that much later (drills only)",
                config.clock_offset_hours
            ),
        ));
        return;
    }
    let (reference, what) = match database.backend {
        Backend::Postgres => (
            crate::db::backlog::server_time(&database.reader).await.ok(),
            "the database server's clock",
        ),
        Backend::Sqlite => (
            crate::db::backlog::newest_write(&database.reader)
                .await
                .ok()
                .flatten()
                .filter(|newest| *newest > now),
            "the newest write in the database",
        ),
    };
    let skew = reference.map_or(0, |reference| (reference - now).abs());
    findings.push(if skew > 60_000_000 {
        finding(
            CHECK,
            Verdict::Problem,
            format!(
                "this machine's clock is {} s off {what}: clocks and deadlines act at the wrong time; sync it (apt install systemd-timesyncd, or chrony)",
                skew / 1_000_000
            ),
        )
    } else if skew > 2_000_000 {
        finding(
            CHECK,
            Verdict::Warning,
            format!(
                "this machine's clock is {} s off {what}; keep it synced (NTP)",
                skew / 1_000_000
            ),
        )
    } else {
        finding(CHECK, Verdict::Ok, format!("agrees with {what}"))
    });
}

async fn backups(database: &Database, config: &Config, now: i64, findings: &mut Vec<Finding>) {
    const CHECK: &str = "备份 backups";
    let Some(directory) = &config.backup_dir else {
        findings.push(finding(
            CHECK,
            Verdict::Warning,
            "no nightly backup: set backup_dir (and backup_keep, backup_at), or back up with `aftersale backup --to FILE` from cron",
        ));
        return;
    };
    if let Err(error) = writable(directory) {
        findings.push(finding(
            CHECK,
            Verdict::Problem,
            format!(
                "cannot write into {}: {error} (create it, owned by the service's user)",
                directory.display()
            ),
        ));
        return;
    }
    findings.push(match crate::db::backups::latest(&database.reader).await {
        Ok(Some(last)) if last.error.is_some() => finding(
            CHECK,
            Verdict::Problem,
            format!(
                "the backup of {} failed: {}",
                last.day,
                last.error.unwrap_or_default()
            ),
        ),
        Ok(Some(last)) if now - last.started_at > 36 * 3_600_000_000 => finding(
            CHECK,
            Verdict::Warning,
            format!(
                "the last nightly backup is of {}: is the service running at {}?",
                last.day, config.backup_at
            ),
        ),
        Ok(Some(last)) => finding(
            CHECK,
            Verdict::Ok,
            format!(
                "nightly at {} into {}, keeping {}; last: {} ({} bytes)",
                config.backup_at,
                directory.display(),
                config.backup_keep,
                last.file.unwrap_or_else(|| "in progress".into()),
                last.bytes.unwrap_or(0)
            ),
        ),
        Ok(None) => finding(
            CHECK,
            Verdict::Ok,
            format!(
                "nightly at {} into {}, keeping {}; none made yet",
                config.backup_at,
                directory.display(),
                config.backup_keep
            ),
        ),
        Err(error) => finding(CHECK, Verdict::Problem, format!("cannot read: {error:#}")),
    });
}

fn writable(directory: &Path) -> std::io::Result<()> {
    let probe = directory.join(".aftersale-doctor");
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

fn public_url(config: &Config) -> Finding {
    const CHECK: &str = "公开地址 public URL";
    match config.public_url.as_deref() {
        Some(url) if url.starts_with("https://") => finding(CHECK, Verdict::Ok, url.to_string()),
        Some(url) => finding(
            CHECK,
            Verdict::Warning,
            format!(
                "{url} is not HTTPS: customers' links and staff sign-ins travel in clear; put the app behind a proxy with a certificate and set public_url = \"https://…\""
            ),
        ),
        None if config.bind.ip().is_loopback() => finding(
            CHECK,
            Verdict::Warning,
            format!(
                "not set: links in e-mails and on labels point at http://{} (this machine only); set public_url to the address customers use",
                config.bind
            ),
        ),
        None => finding(
            CHECK,
            Verdict::Problem,
            "not set: links in e-mails, labels and portal invitations cannot be made; set public_url = \"https://…\"",
        ),
    }
}

async fn smtp(config: &Config) -> Finding {
    const CHECK: &str = "邮件 SMTP";
    let Some(url) = config.smtp_url.as_deref() else {
        return finding(
            CHECK,
            Verdict::Warning,
            "off: no e-mail is sent (set smtp_url, e.g. smtp://mail.example.com:587?tls=required)",
        );
    };
    let parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(error) => {
            return finding(
                CHECK,
                Verdict::Problem,
                format!("smtp_url is not a URL: {error}"),
            );
        }
    };
    let host = parsed.host_str().unwrap_or_default().to_string();
    let port = parsed
        .port()
        .unwrap_or(if parsed.scheme() == "smtps" { 465 } else { 25 });
    let shown = format!("{host}:{port}");
    match tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(_)) => finding(CHECK, Verdict::Ok, format!("{shown} accepts connections")),
        Ok(Err(error)) => finding(
            CHECK,
            Verdict::Problem,
            format!("cannot reach {shown}: {error}; e-mails wait and are retried"),
        ),
        Err(_) => finding(
            CHECK,
            Verdict::Problem,
            format!("{shown} did not answer within 5 s (firewall?); e-mails wait and are retried"),
        ),
    }
}

fn disk(config: &Config) -> Finding {
    const CHECK: &str = "磁盘 disk";
    let place = match Backend::from_url(&config.database_url) {
        Ok(Backend::Sqlite) => crate::db::sqlite_file(&config.database_url)
            .parent()
            .map(Path::to_path_buf)
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from(".")),
        _ => match &config.backup_dir {
            Some(directory) => directory.clone(),
            None => {
                return finding(
                    CHECK,
                    Verdict::Ok,
                    "the data is in PostgreSQL (watch its server's disk)",
                );
            }
        },
    };
    match rustix::fs::statvfs(&place) {
        Ok(stats) => {
            let free = stats.f_bavail.saturating_mul(stats.f_frsize);
            let shown = format!("{} MB free in {}", free / 1_048_576, place.display());
            if free < DISK_WARNING_BYTES / 10 {
                finding(
                    CHECK,
                    Verdict::Problem,
                    format!("{shown}: free some space now (writes will fail when it is full)"),
                )
            } else if free < DISK_WARNING_BYTES {
                finding(
                    CHECK,
                    Verdict::Warning,
                    format!("{shown}: less than 5 GB left"),
                )
            } else {
                finding(CHECK, Verdict::Ok, shown)
            }
        }
        Err(error) => finding(
            CHECK,
            Verdict::Warning,
            format!("cannot read the free space of {}: {error}", place.display()),
        ),
    }
}

fn metrics(config: &Config) -> Finding {
    const CHECK: &str = "监控 metrics";
    match (config.metrics_bind, config.metrics_token.is_some()) {
        (Some(address), _) => finding(
            CHECK,
            Verdict::Ok,
            format!("http://{address}/metrics (keep that address private)"),
        ),
        (None, true) => finding(
            CHECK,
            Verdict::Ok,
            "/metrics on the app's address, with the metrics token",
        ),
        (None, false) => finding(
            CHECK,
            Verdict::Warning,
            "off: set metrics_token (or metrics_bind) to let Prometheus scrape /metrics",
        ),
    }
}
