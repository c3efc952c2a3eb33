//! `aftersale serve`: the web server and the workers, with the demo loaded into an empty
//! database unless asked not to; prints where to go and the demo logins.

use anyhow::Context;

use crate::app::{self, Workers};
use crate::config::Config;
use crate::db::{Database, shops};
use crate::demo;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let database = super::open(&config).await?;
    if config.demo && shops::count_shops(&database.reader).await? == 0 {
        println!("Loading demo data…");
        demo::load(&database).await?;
    }
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("binding {}", config.bind))?;
    banner(&database, &config, listener.local_addr()?).await?;
    app::serve(listener, database, config, Workers::Start, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

async fn banner(
    database: &Database,
    config: &Config,
    address: std::net::SocketAddr,
) -> anyhow::Result<()> {
    println!(
        "aftersale is running at http://{address}  (database: {})",
        config.database_display()
    );
    println!("  health:     http://{address}/healthz");
    println!("  API docs:   http://{address}/api/v1/docs");
    println!("  console:    http://{address}/console  (staff: sign in with a demo login below)");
    println!("  portal:     http://{address}/portal   (demo: order DEMO240008, phone 13800138001)");
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
    if config.smtp_url.is_none() {
        println!("  e-mail:     off (set APP_SMTP_URL, e.g. smtp://127.0.0.1:2525, to send it)");
    }
    Ok(())
}
