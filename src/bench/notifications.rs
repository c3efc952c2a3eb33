//! The benchmark's notification part: webhook intake over HTTP (signed Shopify orders) and the
//! delivery worker in process (signed webhooks to a receiver on loopback; e-mail to a real SMTP
//! server when Debian's python3-aiosmtpd is there).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use base64::Engine;
use serde_json::json;

use crate::db::Database;
use crate::db::{deliveries, synthetic};
use crate::domain::signing::hmac_sha256;
use crate::operations::notifications::{Channels, run_once};

pub const SHOPIFY_SECRET: &str = "bench-shopify-secret";

/// A signed Shopify `orders/create` body and its signature header.
pub fn shopify_order(index: usize) -> (String, String) {
    let body = json!({
        "id": 9_000_000 + index, "order_number": format!("SH{index:07}"), "currency": "CNY",
        "created_at": "2026-11-28T10:15:00+08:00", "updated_at": "2026-11-28T10:16:00+08:00",
        "email": "buyer@example.com",
        "customer": { "first_name": "压测", "last_name": "买家", "phone": "13800000000" },
        "line_items": [{ "title": "蓝牙耳机", "sku": "EP-1", "quantity": 1, "price": "199.00", "total_discount": "0.00" }]
    })
    .to_string();
    let signature = base64::engine::general_purpose::STANDARD
        .encode(hmac_sha256(SHOPIFY_SECRET.as_bytes(), body.as_bytes()));
    (body, signature)
}

/// Writes `count` outbox rows (approvals of existing cases, so customers would be e-mailed),
/// then runs the worker until all are delivered; deliveries per second.
async fn drain(
    database: &Database,
    channels: &Channels,
    count: usize,
) -> anyhow::Result<(usize, f64)> {
    synthetic::notification_backlog(database, count, crate::clock::system_micros()).await?;
    let started = Instant::now();
    let mut sent = 0;
    loop {
        let round = run_once(database, channels, crate::clock::system_micros()).await?;
        sent += round.sent;
        if round.dispatched == 0 && round.sent == 0 {
            break;
        }
    }
    Ok((sent, sent as f64 / started.elapsed().as_secs_f64()))
}

/// The delivery worker's throughput: webhooks, then (if an SMTP server can run here) e-mail.
pub async fn delivery(target: &str) -> anyhow::Result<()> {
    let database = Database::connect(target).await?;
    let received = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let received = received.clone();
            move || async move {
                received.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let shop_id = crate::db::shops::find_shop_by_slug(&database.reader, super::SHOP)
        .await?
        .context("the bench shop")?
        .id;
    // Outbox rows left by the measurements above are not part of this figure.
    synthetic::settle_outbox(&database).await?;
    let endpoint = deliveries::insert_endpoint(
        &database.writer,
        &shop_id,
        &format!("http://{address}/hook"),
        "bench-secret",
        &["case.transitioned".to_string()],
        crate::clock::system_micros(),
    )
    .await?;
    // The bench's receiver listens on this machine.
    let channels = Channels::new(None, "bench <bench@localhost>", "http://127.0.0.1:8080")?
        .allowing_private_targets(true)?;
    let (sent, rate) = drain(&database, &channels, 2_000).await?;
    println!(
        "{:<44} c=1   {sent} webhooks signed and delivered   {rate:>8.0}/s (receiver got {})",
        "delivery worker: webhooks (in process)",
        received.load(Ordering::Relaxed)
    );
    deliveries::deactivate_endpoint(&database.writer, &shop_id, &endpoint).await?;
    let sink = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let directory = std::env::temp_dir().join(format!("aftersale-bench-smtp-{port}"));
    std::fs::create_dir_all(&directory)?;
    let child = std::process::Command::new("/usr/bin/python3")
        .arg(&sink)
        .arg(port.to_string())
        .arg(&directory)
        .stdout(std::process::Stdio::piped())
        .spawn();
    match child {
        Ok(mut child) => {
            let mut line = String::new();
            if let Some(stdout) = child.stdout.take() {
                std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
            }
            if line.trim() == "ready" {
                let channels = Channels::new(
                    Some(&format!("smtp://127.0.0.1:{port}")),
                    "bench <bench@localhost>",
                    "http://127.0.0.1:8080",
                )?;
                let (sent, rate) = drain(&database, &channels, 500).await?;
                println!(
                    "{:<44} c=1   {sent} e-mails composed and sent over SMTP   {rate:>8.0}/s",
                    "delivery worker: e-mail (aiosmtpd)"
                );
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        Err(error) => println!("delivery worker: e-mail not measured ({error})"),
    }
    let _ = std::fs::remove_dir_all(&directory);
    database.close().await;
    Ok(())
}
