//! Running it in production: `backup`, `restore` and `doctor` (docs/OPERATIONS.md).

use std::path::Path;

use crate::config::Config;
use crate::operations::backup;
use crate::operations::doctor::{self, Verdict};

/// `aftersale backup --to FILE`: a consistent backup while the app serves.
pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    let database = super::open(config).await?;
    let made = backup::backup(&database, &config.database_url, file).await?;
    println!(
        "备份完成 Backup written: {} ({} bytes)",
        made.file.display(),
        made.bytes
    );
    Ok(())
}

/// `aftersale restore FILE`: into an empty database, migrated to this release.
pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    let database = backup::restore(&config.database_url, file).await?;
    let shops = crate::db::shops::count_shops(&database.reader).await?;
    println!(
        "恢复完成 Restored {} into {} ({shops} shops); start the service on it.",
        file.display(),
        config.database_display()
    );
    Ok(())
}

/// `aftersale doctor`: every check with what to fix; exits 1 when one is a problem.
pub async fn doctor(config: &Config) -> anyhow::Result<()> {
    let now = crate::clock::system_micros();
    let findings = doctor::examine(config, now).await;
    let mut problems = 0;
    for finding in &findings {
        let mark = match finding.verdict {
            Verdict::Ok => "ok  ",
            Verdict::Warning => "WARN",
            Verdict::Problem => {
                problems += 1;
                "FAIL"
            }
        };
        println!("[{mark}] {}: {}", finding.check, finding.detail);
    }
    if problems > 0 {
        println!("{problems} 个问题需要处理 problem(s) to fix before serving.");
        std::process::exit(1);
    }
    println!("可以运行 Ready to serve.");
    Ok(())
}
