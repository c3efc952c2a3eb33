//! The command line: `serve` (the default), `migrate`, `backup`, `restore`, `doctor`, `demo`, `import orders`, `admin …`,
//! `policy evaluate`, `bench`, `audit verify`. `main.rs` parses and calls [`run`]; each subcommand is a file.

mod admin;
mod import;
mod operate;
mod serve;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::db::{Database, shops};
use crate::{bench, demo};

#[derive(Parser)]
#[command(
    name = "aftersale",
    version,
    about = "After-sales service for online shops"
)]
pub struct Cli {
    /// A TOML configuration file (also APP_CONFIG); APP_* variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// sqlite://PATH (embedded, the default) or postgres://USER@HOST/DATABASE (also APP_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web server and the workers (the default command).
    Serve {
        /// Where to listen (also APP_BIND; default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Do not load demo data into an empty database (also APP_DEMO=false).
        #[arg(long)]
        no_demo: bool,
        /// Load the demo into an empty database even on an address other machines reach
        /// (by default only on a loopback address such as 127.0.0.1).
        #[arg(long, conflicts_with = "no_demo")]
        demo: bool,
    },
    /// Brings the database schema up to date.
    Migrate,
    /// Writes a consistent backup (attachments included) while the app serves.
    Backup {
        /// The new file (a SQLite database, or a pg_dump archive for PostgreSQL).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restores a backup into an empty database (a new SQLite path, or an empty PostgreSQL
    /// database), migrated to this release.
    Restore {
        /// A file written by `aftersale backup` (or the nightly backup).
        file: std::path::PathBuf,
    },
    /// Checks the configuration and its surroundings and says what to fix.
    Doctor,
    /// Loads the demo shop, staff, orders and cases.
    Demo,
    /// Imports data from files.
    Import {
        #[command(subcommand)]
        what: import::ImportCommand,
    },
    /// Shops, staff and API tokens.
    Admin {
        #[command(subcommand)]
        what: admin::AdminCommand,
    },
    /// The policy engine (see docs/POLICY.md).
    Policy {
        #[command(subcommand)]
        what: PolicyCommand,
    },
    /// Measures the hot paths over HTTP on a large shop (see docs/BENCHMARKS.md).
    Bench(bench::Options),
    /// The audit log of each shop's setup.
    Audit {
        #[command(subcommand)]
        what: AuditCommand,
    },
    /// The learned suggestions of a case's reason and kind (see docs/TRIAGE.md).
    Triage {
        #[command(subcommand)]
        what: TriageCommand,
    },
}

#[derive(Subcommand)]
enum TriageCommand {
    /// Measures the starting model on a labelled file (`text<TAB>reason<TAB>kind` per line):
    /// top-1 and top-3 accuracy per class and the confusion tables, for reasons and for kinds.
    /// Lines the model was trained on are left out (and counted).
    Evaluate {
        /// The labelled file, e.g. data/triage/labelled.tsv (its held-out quarter is what remains).
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Checks every shop's chain of entries (or one shop's): exits 1 and names the first entry
    /// that was changed or removed.
    Verify {
        /// Only this shop (its slug).
        #[arg(long)]
        shop: Option<String>,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Reads one JSON request (or an array of them) on stdin and writes the decision(s) as JSON.
    Evaluate,
}

impl Cli {
    /// The configuration: defaults → file → `APP_*` variables → this command line's flags.
    pub fn config(&self) -> anyhow::Result<Config> {
        let mut config = Config::load(self.config.as_deref())?;
        if let Some(url) = &self.database_url {
            config.database_url = url.clone();
        }
        if let Some(Command::Serve { bind, no_demo, .. }) = &self.command {
            if let Some(bind) = bind {
                config.bind = *bind;
            }
            if *no_demo {
                config.demo = false;
            }
        }
        Ok(config)
    }
}

/// Runs the command the line names.
pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve {
        bind: None,
        no_demo: false,
        demo: false,
    }) {
        Command::Serve { demo, .. } => serve::run(config, demo).await,
        Command::Migrate => {
            open(&config).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Backup { to } => operate::backup(&config, &to).await,
        Command::Restore { file } => operate::restore(&config, &file).await,
        Command::Doctor => operate::doctor(&config).await,
        Command::Demo => {
            let database = open(&config).await?;
            let logins = demo::load(&database).await?;
            println!("Demo data loaded (shop '{}').", demo::SHOP_SLUG);
            logins.print(&format!("http://{}", config.bind));
            Ok(())
        }
        Command::Import { what } => import::run(open(&config).await?, what).await,
        Command::Admin { what } => admin::run(open(&config).await?, what).await,
        Command::Bench(options) => bench::run(options).await,
        Command::Triage {
            what: TriageCommand::Evaluate { file },
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            print!(
                "{}",
                crate::operations::suggestions::evaluate(&text).map_err(anyhow::Error::msg)?
            );
            Ok(())
        }
        Command::Audit {
            what: AuditCommand::Verify { shop },
        } => {
            let database = open(&config).await?;
            let checked = crate::operations::audit::verify(&database, shop.as_deref()).await?;
            let mut broken = false;
            for shop in checked {
                match shop.result {
                    Ok(count) => println!("{}: {count} entries, chain intact", shop.slug),
                    Err(found) => {
                        broken = true;
                        println!(
                            "{}: BROKEN at entry {}: {}",
                            shop.slug, found.sequence, found.why
                        );
                    }
                }
            }
            if broken {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Policy {
            what: PolicyCommand::Evaluate,
        } => {
            let mut input = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)
                .context("reading the request from stdin")?;
            let now = jiff::Timestamp::from_microsecond(crate::clock::system_micros())?;
            let (output, all_decided) = crate::domain::policy::evaluate_json(&input, now);
            println!("{output}");
            if !all_decided {
                std::process::exit(2);
            }
            Ok(())
        }
    }
}

/// The database, migrated.
async fn open(config: &Config) -> anyhow::Result<Database> {
    let database = Database::connect(&config.database_url)
        .await
        .with_context(|| format!("opening {}", config.database_display()))?;
    database.migrate().await?;
    Ok(database)
}

async fn find_shop(database: &Database, slug: &str) -> anyhow::Result<shops::Shop> {
    shops::find_shop_by_slug(&database.reader, slug)
        .await?
        .with_context(|| format!("no shop '{slug}' (add one with `aftersale admin shop add`)"))
}
