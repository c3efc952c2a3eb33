//! `aftersale serve`: the web server and the workers, with the demo loaded into an empty
//! database unless asked not to; prints where to go and the demo logins.

use anyhow::Context;

use crate::app::{self, Workers};
use crate::config::Config;
use crate::db::{Database, shops};
use crate::demo;

/// `anywhere`: load the demo even when the server is reachable from other machines
/// (`serve --demo`); otherwise only on a loopback address.
pub async fn run(config: Config, anywhere: bool) -> anyhow::Result<()> {
    let database = super::open(&config).await?;
    let mut logins = None;
    if config.demo && shops::count_shops(&database.reader).await? == 0 {
        if config.bind.ip().is_loopback() || anywhere {
            println!("Loading demo data…");
            logins = Some(demo::load(&database).await?);
        } else {
            println!(
                "Not loading the demo: {} is reachable from other machines. Run `aftersale serve --demo` \
                 to load it anyway, or make the first shop with `aftersale admin shop add`.",
                config.bind
            );
        }
    }
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("binding {}", config.bind))?;
    let metrics = match config.metrics_bind {
        Some(address) => Some(
            tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("binding the metrics address {address}"))?,
        ),
        None => None,
    };
    banner(&database, &config, listener.local_addr()?, logins.as_ref()).await?;
    app::serve(
        listener,
        metrics,
        database,
        config,
        Workers::Start,
        stopped(),
    )
    .await
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM (systemd's stop, `kill`): the server then stops taking
/// connections, finishes the requests it has, and its workers hand back what they hold.
async fn stopped() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("stopping: finishing the requests in progress");
}

async fn banner(
    database: &Database,
    config: &Config,
    address: std::net::SocketAddr,
    logins: Option<&demo::Logins>,
) -> anyhow::Result<()> {
    println!(
        "aftersale is running at http://{address}  (database: {})",
        config.database_display()
    );
    println!("  health:     http://{address}/healthz");
    println!("  API docs:   http://{address}/api/v1/docs");
    println!("  console:    http://{address}/console  (staff: sign in with a demo login below)");
    println!("  portal:     http://{address}/portal   (demo: order DEMO240008, phone 13800138001)");
    match logins {
        Some(logins) => logins.print(&format!("http://{address}")),
        None => {
            if shops::find_shop_by_slug(&database.reader, demo::SHOP_SLUG)
                .await?
                .is_some()
            {
                println!(
                    "  demo: its logins were printed when it was loaded; make a new token with \
                     `aftersale admin token create --role agent --email agent@demo.local`"
                );
            }
        }
    }
    if config.public_url.is_none() && !address.ip().is_loopback() {
        println!(
            "  WARNING: APP_PUBLIC_URL is not set: links in e-mails and on labels cannot be made \
             for customers on other machines. Set it to the address customers use (https://…)."
        );
    }
    if let Some(address) = config.metrics_bind {
        println!("  metrics:    http://{address}/metrics");
    } else if config.metrics_token.is_some() {
        println!(
            "  metrics:    http://{address}/metrics  (Authorization: Bearer <APP_METRICS_TOKEN>)"
        );
    }
    if config.smtp_url.is_none() {
        println!("  e-mail:     off (set APP_SMTP_URL, e.g. smtp://127.0.0.1:2525, to send it)");
    }
    Ok(())
}
