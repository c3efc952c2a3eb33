//! Timers survive the process: the server is killed (SIGKILL) with a timer due, and one that a
//! dead worker had claimed; after a restart each fires exactly once. On PostgreSQL two server
//! processes run the worker at the same time.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TOKEN: &str = "demo-agent-token";

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(database_url: &str, offset_hours: i64) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("APP_DATABASE_URL", database_url)
        .env("APP_CLOCK_OFFSET_HOURS", offset_hours.to_string())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let started = Instant::now();
    while !client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .is_ok_and(|response| response.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server
}

async fn call(base: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut request = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

async fn open_refund_case(base: &str, number: &str) -> String {
    call(
        base,
        reqwest::Method::POST,
        "/api/v1/orders",
        Some(json!({
            "order_number": number, "platform": "taobao", "placed_at": "2026-11-20 10:00",
            "customer": { "name": "韩梅梅", "phone": "13700137000" },
            "lines": [{ "sku": "R-1", "product_name": "台灯", "quantity": 1, "unit_price_minor": 12900 }]
        })),
    )
    .await;
    let case = call(
        base,
        reqwest::Method::POST,
        "/api/v1/cases",
        Some(
            json!({ "order_number": number, "kind": "refund_only", "reason_code": "no_reason",
                     "description": "不想要了", "lines": [{ "line_number": 1 }] }),
        ),
    )
    .await;
    assert!(
        case["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|clock| clock["clock"] == "refund_unanswered"),
        "{case}"
    );
    case["id"].as_str().unwrap().to_string()
}

async fn refund_events(base: &str, id: &str) -> usize {
    let events = call(
        base,
        reqwest::Method::GET,
        &format!("/api/v1/cases/{id}/events"),
        None,
    )
    .await;
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["action"] == "refund")
        .count()
}

async fn wait_refunded(base: &str, ids: &[String]) {
    let started = Instant::now();
    for id in ids {
        loop {
            let case = call(
                base,
                reqwest::Method::GET,
                &format!("/api/v1/cases/{id}"),
                None,
            )
            .await;
            if case["status"] == "refunded" {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "case {id} never fired: {case}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn database_url() -> (String, Option<std::path::PathBuf>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let (base, _) = server.rsplit_once('/').unwrap();
            let name = format!("aftersale_test_{}", uuid::Uuid::now_v7().simple());
            (format!("{base}/{name}"), None)
        }
        _ => {
            let directory = std::env::temp_dir().join(format!(
                "aftersale-restart-{}",
                uuid::Uuid::now_v7().simple()
            ));
            (
                format!("sqlite://{}/app.db", directory.display()),
                Some(directory),
            )
        }
    }
}

#[tokio::test]
async fn timers_fire_once_after_a_kill_and_restart() {
    let (url, directory) = database_url().await;
    let postgres = directory.is_none();
    let first = start(&url, 0).await;
    let due = open_refund_case(&first.base, "RESTART-1").await;
    let claimed = open_refund_case(&first.base, "RESTART-2").await;
    // Killed without warning, the timers still pending.
    drop(first);

    // A worker that claimed the second timer and died before finishing it.
    let database = aftersale::db::Database::connect(&url).await.unwrap();
    let lease = aftersale::domain::time::now_micros() + 3_600_000_000;
    sqlx::query("UPDATE timers SET state = 'running', locked_by = 'dead-worker', locked_until = $1 WHERE case_id = $2")
        .bind(lease)
        .bind(&claimed)
        .execute(&database.writer)
        .await
        .unwrap();
    database.writer.close().await;
    database.reader.close().await;

    // Restarted 49 hours "later" (the lease of the dead worker has run out by then); on
    // PostgreSQL as two instances at once.
    let second = start(&url, 49).await;
    let third = if postgres {
        Some(start(&url, 49).await)
    } else {
        None
    };
    let ids = vec![due.clone(), claimed.clone()];
    wait_refunded(&second.base, &ids).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for id in &ids {
        assert_eq!(refund_events(&second.base, id).await, 1, "case {id}");
    }
    drop(third);
    drop(second);
    // And once more: a restart finds nothing left to do.
    let fourth = start(&url, 100).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for id in &ids {
        assert_eq!(refund_events(&fourth.base, id).await, 1, "case {id}");
    }
    drop(fourth);
    if let Some(directory) = directory {
        let _ = std::fs::remove_dir_all(directory);
    }
}
