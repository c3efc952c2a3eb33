//! Three instances on one PostgreSQL behind nginx (docs/OPERATIONS.md, "Scale out"): clients
//! create cases and refund them through the proxy, with retries under the same `Idempotency-Key`
//! as a client does; one instance is killed (SIGKILL) in the middle while clocks are falling due.
//! Every acknowledged case and refund is there exactly once, and every clock fired exactly once.
//! Runs on PostgreSQL (`TEST_DATABASE_URL`) with nginx installed (`scripts/test` installs it);
//! on SQLite, one instance is the design, and the test says so and returns.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{AGENT, TestApp, process};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Proxy {
    child: Child,
    directory: std::path::PathBuf,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

/// nginx in front of `upstreams`, configured as docs/OPERATIONS.md shows (without TLS).
async fn nginx(upstreams: &[String]) -> (Proxy, String) {
    let directory =
        std::env::temp_dir().join(format!("aftersale-nginx-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(directory.join("logs")).unwrap();
    let port = process::free_port();
    let servers: String = upstreams
        .iter()
        .map(|base| {
            format!(
                "        server {} max_fails=1 fail_timeout=5s;\n",
                base.trim_start_matches("http://")
            )
        })
        .collect();
    let configuration = format!(
        "worker_processes 1;\n\
         pid {dir}/nginx.pid;\n\
         error_log {dir}/logs/error.log warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n\
             access_log off;\n\
             client_body_temp_path {dir}/body;\n\
             proxy_temp_path {dir}/proxy;\n\
             upstream aftersale {{\n{servers}        keepalive 16;\n    }}\n\
             server {{\n\
                 listen 127.0.0.1:{port};\n\
                 location / {{\n\
                     proxy_pass http://aftersale;\n\
                     proxy_http_version 1.1;\n\
                     proxy_set_header Connection \"\";\n\
                     proxy_set_header Host $host;\n\
                     proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                     proxy_set_header X-Request-Id $request_id;\n\
                     proxy_next_upstream error timeout;\n\
                 }}\n\
             }}\n\
         }}\n",
        dir = directory.display(),
    );
    let file = directory.join("nginx.conf");
    std::fs::write(&file, configuration).unwrap();
    let program = if std::path::Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    };
    let child = Command::new(program)
        .args(["-p", &directory.display().to_string(), "-c"])
        .arg(&file)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .spawn()
        .expect("nginx (scripts/test installs nginx-light)");
    let base = format!("http://127.0.0.1:{port}");
    process::wait_until_healthy(&base).await;
    (Proxy { child, directory }, base)
}

/// Sends a request until an answer that is not the proxy's (502/503/504), a broken connection
/// or a key still held by a request that died with its instance (409
/// `idempotency_key_in_progress`: its lease frees it within 30 s), as a client with an
/// `Idempotency-Key` does; the final status and body.
async fn persist(
    client: &reqwest::Client,
    request: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
) -> (StatusCode, Value) {
    let started = Instant::now();
    loop {
        if let Ok(response) = request(client).send().await
            && !matches!(
                response.status(),
                StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            )
        {
            let status = response.status();
            let body = response.json().await.unwrap_or(Value::Null);
            if !(status == StatusCode::CONFLICT
                && body["error"]["code"] == "idempotency_key_in_progress")
            {
                return (status, body);
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "no answer in 90 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// One client: creates a refund-only case, approves it, refunds ¥10 of it, again and again;
/// returns the acknowledged cases with their refund's id.
async fn client_loop(
    base: String,
    client_number: usize,
    stop: Arc<AtomicBool>,
) -> Vec<(String, String)> {
    let http = reqwest::Client::new();
    let mut done = Vec::new();
    let mut index = 0;
    while !stop.load(Ordering::Relaxed) {
        index += 1;
        let key = format!("create-{client_number}-{index}");
        // Each round its own order (its units can be claimed once); posting it again changes
        // nothing.
        let order = format!("N{client_number}-{index}");
        let (status, body) = persist(&http, |http| {
            http.post(format!("{base}/api/v1/orders"))
                .bearer_auth(AGENT)
                .json(&json!({
                    "order_number": order, "platform": "tmall",
                    "placed_at": "2026-11-01 10:00", "delivered_at": "2026-11-03 15:30",
                    "customer": { "name": "王小明", "phone": "13800138000" },
                    "lines": [
                        { "sku": "EP-1", "product_name": "蓝牙耳机", "quantity": 1, "unit_price_minor": 19900 },
                        { "sku": "TS-2", "product_name": "纯棉T恤", "quantity": 2, "unit_price_minor": 5000 }
                    ]
                }))
        })
        .await;
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {body}"
        );
        let (status, case) = persist(&http, |http| {
            http.post(format!("{base}/api/v1/cases"))
                .bearer_auth(AGENT)
                .header("Idempotency-Key", &key)
                .json(&json!({
                    "order_number": order, "kind": "refund_only",
                    "reason_code": "quality", "description": format!("多实例 {key}"),
                    "lines": [{ "line_number": 2, "quantity": 1 }],
                    "contact": { "name": "王小明", "phone": "13800138000" }
                }))
        })
        .await;
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {case}"
        );
        let id = case["id"].as_str().unwrap().to_string();
        let (status, approved) = persist(&http, |http| {
            http.post(format!("{base}/api/v1/cases/{id}/transitions"))
                .bearer_auth(AGENT)
                .json(&json!({ "action": "approve", "version": case["version"] }))
        })
        .await;
        // A retried approval whose first try went through finds the version moved on.
        assert!(
            status == StatusCode::OK || status == StatusCode::CONFLICT,
            "{status} {approved}"
        );
        let refund_key = format!("refund-{client_number}-{index}");
        let (status, refund) = persist(&http, |http| {
            http.post(format!("{base}/api/v1/cases/{id}/refunds"))
                .bearer_auth(AGENT)
                .header("Idempotency-Key", &refund_key)
                .json(&json!({ "lines": [{ "line_number": 2, "amount_minor": 1000 }] }))
        })
        .await;
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {refund}"
        );
        done.push((id, refund["id"].as_str().unwrap().to_string()));
    }
    done
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_behind_nginx_lose_nothing_and_fire_each_clock_once() {
    if common::test_database_url().is_none() {
        eprintln!("several instances share PostgreSQL: run with TEST_DATABASE_URL (CI does)");
        return;
    }
    let app = TestApp::start().await;
    const CLIENTS: usize = 4;
    // Untouched cases whose first-response clocks fall due while the load runs.
    app.order("SLA").await;
    let mut waiting = Vec::new();
    for index in 0..30 {
        let case = app
            .case("SLA", "complaint", &format!("等待回复 {index}"))
            .await;
        waiting.push(case["id"].as_str().unwrap().to_string());
    }

    let mut instances = Vec::new();
    for _ in 0..3 {
        instances.push(process::start(&app.database_url, &[("APP_DEMO", "false")]).await);
    }
    let bases: Vec<String> = instances.iter().map(|server| server.base.clone()).collect();
    let (_proxy, base) = nginx(&bases).await;

    let now = common::now();
    for (index, id) in waiting.iter().enumerate() {
        sqlx::query(
            "UPDATE timers SET due_at = $1 WHERE case_id = $2 AND clock = 'sla_first_response' AND state = 'pending'",
        )
        .bind(now + 1_000_000 + index as i64 * 100_000)
        .bind(id)
        .execute(&app.database.writer)
        .await
        .unwrap();
    }

    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|client| tokio::spawn(client_loop(base.clone(), client, stop.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    instances[1].kill();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.unwrap());
    }
    assert!(
        acknowledged.len() >= 8,
        "only {} rounds",
        acknowledged.len()
    );

    // Every acknowledged case once, with exactly the one refund it was acknowledged with.
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT c.description, r.id, r.amount_minor FROM cases c JOIN refunds r ON r.case_id = c.id \
         WHERE c.description LIKE '多实例 %'",
    )
    .fetch_all(&app.database.reader)
    .await
    .unwrap();
    let mut refunds_by_case: HashMap<String, Vec<String>> = HashMap::new();
    for (_, refund, amount) in &rows {
        assert_eq!(*amount, 1000);
        let case: (String,) = sqlx::query_as("SELECT case_id FROM refunds WHERE id = $1")
            .bind(refund)
            .fetch_one(&app.database.reader)
            .await
            .unwrap();
        refunds_by_case
            .entry(case.0)
            .or_default()
            .push(refund.clone());
    }
    let descriptions: Vec<(String,)> =
        sqlx::query_as("SELECT description FROM cases WHERE description LIKE '多实例 %'")
            .fetch_all(&app.database.reader)
            .await
            .unwrap();
    let mut seen = std::collections::HashSet::new();
    for (description,) in &descriptions {
        assert!(
            seen.insert(description.clone()),
            "case '{description}' made twice"
        );
    }
    for (case, refund) in &acknowledged {
        assert_eq!(
            refunds_by_case.get(case),
            Some(&vec![refund.clone()]),
            "case {case}: its refunds"
        );
    }

    // Every clock fired once: by the instances alive, and the killed one's claims once their
    // lease ran out (60 s).
    let started = Instant::now();
    loop {
        let left: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM timers WHERE clock = 'sla_first_response' AND state IN ('pending', 'running') \
             AND case_id IN (SELECT id FROM cases WHERE description LIKE '等待回复 %')",
        )
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
        if left == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{left} clocks never fired"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    for id in &waiting {
        let breaches: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM case_events WHERE case_id = $1 AND action = 'sla_breached'",
        )
        .bind(id)
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
        assert_eq!(
            breaches, 1,
            "case {id}: the first-response clock fired {breaches} times"
        );
        let state: String = sqlx::query_scalar(
            "SELECT state FROM timers WHERE case_id = $1 AND clock = 'sla_first_response'",
        )
        .bind(id)
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
        assert_eq!(state, "fired");
    }
}
