//! The `aftersale` binary: a thin command line over the library.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use aftersale::db::{Database, shops};
use aftersale::domain::Role;
use aftersale::operations::shops as shop_setup;
use aftersale::{api, bench, demo};

const DEFAULT_DATABASE: &str = "sqlite://data/aftersale.db";

#[derive(Parser)]
#[command(
    name = "aftersale",
    version,
    about = "After-sales service for online shops"
)]
struct Cli {
    /// sqlite://PATH (embedded, the default) or postgres://USER@HOST/DATABASE.
    #[arg(long, env = "APP_DATABASE_URL", default_value = DEFAULT_DATABASE, global = true)]
    database_url: String,
    /// For drills and tests: the timer worker acts as if it were this many hours later.
    #[arg(
        long,
        env = "APP_CLOCK_OFFSET_HOURS",
        default_value_t = 0,
        global = true,
        hide = true
    )]
    clock_offset_hours: i64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web server (the default command).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Do not load demo data into an empty database.
        #[arg(long)]
        no_demo: bool,
    },
    /// Brings the database schema up to date.
    Migrate,
    /// Loads the demo shop, staff, orders and cases.
    Demo,
    /// Imports data from files.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Shops, staff and API tokens.
    Admin {
        #[command(subcommand)]
        what: AdminCommand,
    },
    /// The policy engine (see docs/POLICY.md).
    Policy {
        #[command(subcommand)]
        what: PolicyCommand,
    },
    /// Measures the hot paths over HTTP on a large shop (see docs/BENCHMARKS.md).
    Bench(bench::Options),
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Reads one JSON request (or an array of them) on stdin and writes the decision(s) as JSON.
    Evaluate,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Orders from a CSV or XLSX file, one row per order line.
    Orders {
        file: std::path::PathBuf,
        #[arg(long, default_value = demo::SHOP_SLUG)]
        shop: String,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Adds a shop.
    Shop {
        #[command(subcommand)]
        what: ShopCommand,
    },
    /// Adds a staff member to a shop (or updates one with the same e-mail).
    User {
        #[command(subcommand)]
        what: UserCommand,
    },
    /// Creates an API token and prints it once.
    Token {
        #[command(subcommand)]
        what: TokenCommand,
    },
}

#[derive(Subcommand)]
enum ShopCommand {
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// agent, inspector, supervisor or admin.
        #[arg(long)]
        role: String,
        #[arg(long, env = "APP_USER_PASSWORD")]
        password: String,
        #[arg(long, default_value = demo::SHOP_SLUG)]
        shop: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    Create {
        #[arg(long, default_value = demo::SHOP_SLUG)]
        shop: String,
        /// agent, inspector, supervisor, admin or system.
        #[arg(long)]
        role: String,
        /// The staff member the token acts as (optional for system tokens).
        #[arg(long)]
        email: Option<String>,
        #[arg(long, default_value = "api")]
        name: String,
    },
}

fn staff_role(text: &str) -> anyhow::Result<Role> {
    match Role::parse(text) {
        Some(role) if role != Role::Customer => Ok(role),
        _ => bail!("unknown role '{text}': use agent, inspector, supervisor, admin or system"),
    }
}

async fn open(url: &str) -> anyhow::Result<Database> {
    let database = Database::connect(url)
        .await
        .with_context(|| format!("opening {url}"))?;
    database.migrate().await?;
    Ok(database)
}

async fn find_shop(database: &Database, slug: &str) -> anyhow::Result<shops::Shop> {
    shops::find_shop_by_slug(&database.reader, slug)
        .await?
        .with_context(|| format!("no shop '{slug}' (add one with `aftersale admin shop add`)"))
}

/// mimalloc: a queue page allocates and frees thousands of small values (rows, strings, JSON),
/// where glibc's malloc spent a quarter of the time. Built with `override`, it also serves
/// SQLite's own allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "aftersale=info,warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve {
        bind: "127.0.0.1:8080".parse()?,
        no_demo: false,
    });
    match command {
        Command::Serve { bind, no_demo } => {
            let database = open(&cli.database_url).await?;
            let empty = shops::count_shops(&database.reader).await? == 0;
            if empty && !no_demo {
                println!("Loading demo data…");
                demo::load(&database).await?;
            }
            let listener = tokio::net::TcpListener::bind(bind)
                .await
                .with_context(|| format!("binding {bind}"))?;
            let address = listener.local_addr()?;
            println!(
                "aftersale is running at http://{address}  (database: {})",
                cli.database_url
            );
            println!("  health:     http://{address}/healthz");
            println!("  API docs:   http://{address}/api/v1/docs");
            println!(
                "  console:    http://{address}/console  (staff: sign in with a demo login below)"
            );
            println!(
                "  portal:     http://{address}/portal   (demo: order DEMO240008, phone 13800138001)"
            );
            if shops::find_shop_by_slug(&database.reader, demo::SHOP_SLUG)
                .await?
                .is_some()
            {
                println!("  demo logins (password {}):", demo::PASSWORD);
                for (email, name, role, token) in demo::STAFF {
                    println!("    {role:<10} {email:<24} {name}   API token: {token}");
                }
                println!(
                    "  try: curl -H 'Authorization: Bearer demo-agent-token' 'http://{address}/api/v1/cases?status=open'"
                );
            }
            let clock = aftersale::jobs::WorkerClock::with_offset_hours(cli.clock_offset_hours);
            aftersale::jobs::spawn(database.clone(), clock.clone());
            let channels = aftersale::operations::notifications::Channels::from_env()
                .context("APP_SMTP_URL / APP_MAIL_FROM / APP_PUBLIC_URL")?;
            if !channels.sends_email() {
                println!(
                    "  e-mail:     off (set APP_SMTP_URL, e.g. smtp://127.0.0.1:2525, to send it)"
                );
            }
            aftersale::operations::notifications::spawn(database.clone(), channels, clock);
            axum::serve(listener, api::router(api::AppState::new(database)))
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
        Command::Migrate => {
            open(&cli.database_url).await?;
            println!("The database is up to date.");
        }
        Command::Demo => {
            let database = open(&cli.database_url).await?;
            demo::load(&database).await?;
            println!("Demo data loaded (shop '{}').", demo::SHOP_SLUG);
        }
        Command::Import {
            what: ImportCommand::Orders { file, shop },
        } => {
            let database = open(&cli.database_url).await?;
            let shop = find_shop(&database, &shop).await?;
            import_orders(&database, shop, &file).await?;
        }
        Command::Admin { what } => {
            let database = open(&cli.database_url).await?;
            match what {
                AdminCommand::Shop {
                    what: ShopCommand::Add { slug, name },
                } => {
                    let shop = shop_setup::ensure_shop(&database, &slug, &name).await?;
                    println!("Shop '{}' ({}) is ready.", shop.slug, shop.id);
                }
                AdminCommand::User {
                    what:
                        UserCommand::Add {
                            email,
                            name,
                            role,
                            password,
                            shop,
                        },
                } => {
                    let role = staff_role(&role)?;
                    if password.chars().count() < 8 {
                        bail!("the password needs at least 8 characters");
                    }
                    let shop = find_shop(&database, &shop).await?;
                    let id = shop_setup::add_staff(
                        &database,
                        &shop,
                        email.trim(),
                        name.trim(),
                        role,
                        &password,
                    )
                    .await?;
                    println!("{email} is now {role} of '{}' (staff id {id}).", shop.slug);
                }
                AdminCommand::Token {
                    what:
                        TokenCommand::Create {
                            shop,
                            role,
                            email,
                            name,
                        },
                } => {
                    let role = staff_role(&role)?;
                    let shop = find_shop(&database, &shop).await?;
                    let staff_id = match email {
                        Some(email) => {
                            let (id, _) =
                                shops::find_staff_by_email(&database.reader, email.trim())
                                    .await?
                                    .with_context(|| format!("no staff member {email}"))?;
                            if shops::membership_role(&database.reader, &shop.id, &id)
                                .await?
                                .is_none()
                            {
                                bail!("{email} is not a member of '{}'", shop.slug);
                            }
                            Some(id)
                        }
                        None if role == Role::System => None,
                        None => {
                            bail!("a {role} token needs --email of the staff member it acts as")
                        }
                    };
                    let token = format!("as_{}", hex::encode(rand::random::<[u8; 24]>()));
                    shop_setup::add_token(
                        &database,
                        &shop,
                        staff_id.as_deref(),
                        role,
                        &name,
                        &token,
                    )
                    .await?;
                    println!("{token}");
                    eprintln!("Keep it safe: only its hash is stored.");
                }
            }
        }
        Command::Bench(options) => bench::run(options).await?,
        Command::Policy {
            what: PolicyCommand::Evaluate,
        } => {
            let mut input = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)
                .context("reading the request from stdin")?;
            let (output, all_decided) =
                aftersale::domain::policy::evaluate_json(&input, jiff::Timestamp::now());
            println!("{output}");
            if !all_decided {
                std::process::exit(2);
            }
        }
    }
    Ok(())
}

async fn import_orders(
    database: &Database,
    shop: shops::Shop,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    use aftersale::operations::import::{self, Format};
    let format =
        Format::from_name(&file.to_string_lossy()).context("the file must end in .csv or .xlsx")?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let rows = import::read(&bytes, format).map_err(|error| anyhow::anyhow!("{error}"))?;
    let actor = shops::Actor {
        shop,
        role: Role::System,
        staff_id: None,
    };
    let bar = indicatif::ProgressBar::new(rows.len() as u64);
    bar.set_style(indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} rows  {elapsed}",
    )?);
    let report = import::import(database, &actor, &rows, &|done| {
        bar.set_position(done as u64)
    })
    .await;
    bar.finish();
    println!(
        "{} rows: {} orders created, {} updated, {} unchanged, {} rows with errors",
        report.rows,
        report.orders_created,
        report.orders_updated,
        report.orders_unchanged,
        report.errors.len()
    );
    for error in &report.errors {
        println!(
            "  row {}{}: {}",
            error.row,
            error
                .order_number
                .as_deref()
                .map(|number| format!(" ({number})"))
                .unwrap_or_default(),
            error.message
        );
    }
    Ok(())
}
