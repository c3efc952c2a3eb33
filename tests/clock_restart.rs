//! Background work survives the process. Timers: the server is killed (SIGKILL) with a timer
//! due, and one that a dead worker had claimed; after a restart each fires exactly once.
//! Notifications: killed with webhook deliveries undelivered (the receiver down), restarted
//! with the receiver back, every event arrives once. On PostgreSQL two server processes run the
//! workers at the same time.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::process::{self, AGENT, SUPERVISOR, Server, token_for_base};

async fn start(database_url: &str, offset_hours: i64) -> Server {
    process::start(
        database_url,
        &[
            ("APP_CLOCK_OFFSET_HOURS", &offset_hours.to_string()),
            // The test's webhook receiver listens on this machine.
            ("APP_ALLOW_PRIVATE_TARGETS", "true"),
        ],
    )
    .await
}

async fn call(base: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut request = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .bearer_auth(token_for_base(base, AGENT));
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
    events["items"]
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

#[tokio::test]
async fn timers_fire_once_after_a_kill_and_restart() {
    let (url, directory) = process::database_url();
    let postgres = directory.is_none();
    let first = start(&url, 0).await;
    let due = open_refund_case(&first.base, "RESTART-1").await;
    let claimed = open_refund_case(&first.base, "RESTART-2").await;
    // Killed without warning, the timers still pending.
    drop(first);

    // A worker that claimed the second timer and died before finishing it.
    let database = aftersale::db::Database::connect(&url).await.unwrap();
    let lease = aftersale::clock::system_micros() + 3_600_000_000;
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

type Received = Arc<Mutex<Vec<String>>>;

/// An HTTP receiver on loopback that answers 503 while `down`, and records the event id of
/// each message it takes while up.
async fn receiver() -> (String, Received, Arc<AtomicBool>) {
    let received: Received = Arc::default();
    let down = Arc::new(AtomicBool::new(true));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let (received, down) = (received.clone(), down.clone());
            move |headers: axum::http::HeaderMap| async move {
                if down.load(Ordering::SeqCst) {
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                let id = headers["x-aftersale-event-id"]
                    .to_str()
                    .unwrap()
                    .to_string();
                received.lock().unwrap().push(id);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), received, down)
}

/// The webhook deliveries not yet sent.
async fn unsent(database: &aftersale::db::Database) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM deliveries WHERE channel = 'webhook' AND state <> 'sent'",
    )
    .fetch_one(&database.reader)
    .await
    .unwrap()
}

#[tokio::test]
async fn undelivered_webhooks_go_out_once_after_a_kill_and_restart() {
    let (url, directory) = process::database_url();
    let postgres = directory.is_none();
    let (hook, received, down) = receiver().await;
    let first = start(&url, 0).await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/webhooks", first.base))
        .bearer_auth(token_for_base(&first.base, SUPERVISOR))
        .json(&json!({ "url": hook, "topics": ["case.created", "case.transitioned"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    let mut cases = Vec::new();
    for number in ["OUTBOX-1", "OUTBOX-2", "OUTBOX-3"] {
        cases.push(open_refund_case(&first.base, number).await);
    }
    // The receiver is down: the first attempts fail; then the server dies with them pending.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(first);
    assert!(received.lock().unwrap().is_empty());

    let database = aftersale::db::Database::connect(&url).await.unwrap();
    let mut expected: Vec<String> = Vec::new();
    for case in &cases {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM outbox WHERE case_id = $1 AND audience = 'event' AND topic = 'case.created'",
        )
        .bind(case)
        .fetch_all(&database.reader)
        .await
        .unwrap();
        assert_eq!(ids.len(), 1, "case {case}");
        expected.extend(ids);
    }

    let failed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM deliveries WHERE channel = 'webhook' AND state = 'pending' AND attempts > 0",
    )
    .fetch_one(&database.reader)
    .await
    .unwrap();
    assert!(failed > 0, "the first attempts were made and failed");

    // Back up, an hour later (past every back-off); on PostgreSQL two instances at once.
    down.store(false, Ordering::SeqCst);
    let second = start(&url, 1).await;
    let third = if postgres {
        Some(start(&url, 1).await)
    } else {
        None
    };
    let started = Instant::now();
    while unsent(&database).await > 0
        || !expected
            .iter()
            .all(|id| received.lock().unwrap().contains(id))
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "still undelivered: {} (received {:?})",
            unsent(&database).await,
            received.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = received.lock().unwrap().clone();
    let mut distinct = got.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(got.len(), distinct.len(), "an event arrived twice: {got:?}");
    let sent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM deliveries WHERE channel = 'webhook' AND state = 'sent'",
    )
    .fetch_one(&database.reader)
    .await
    .unwrap();
    assert_eq!(sent as usize, got.len());
    drop(third);
    drop(second);
    database.writer.close().await;
    database.reader.close().await;
    if let Some(directory) = directory {
        let _ = std::fs::remove_dir_all(directory);
    }
}
