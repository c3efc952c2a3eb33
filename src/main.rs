//! The `aftersale` binary: parses the command line, reads the configuration, runs the command
//! (`aftersale::cli`).

use clap::Parser;

use aftersale::cli::{self, Cli};
use aftersale::config::LogFormat;

/// mimalloc: a queue page allocates and frees thousands of small values (rows, strings, JSON),
/// where glibc's malloc spent a quarter of the time. Built with `override`, it also serves
/// SQLite's own allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = cli.config()?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| config.log.as_str().into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Text => logs.init(),
        // One JSON object per line: time, level, message, fields, and the request's span (its id).
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    cli::run(cli, config).await
}
