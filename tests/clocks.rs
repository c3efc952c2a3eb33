//! The clocks act on their own: each due timer fires once, as the system, with an event naming
//! the clock and rule; a case that moved on stops its clock. Time is moved by passing `now` to
//! the worker, never by sleeping.

mod common;

use aftersale::jobs;
use aftersale::operations::clocks::Fired;
use common::{AGENT, SUPERVISOR, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000_000;

fn now() -> i64 {
    aftersale::clock::system_micros()
}

async fn unshipped_order(app: &TestApp, number: &str, platform: &str) {
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": number, "platform": platform, "placed_at": "2026-11-20 10:00",
                "customer": { "name": "李雷", "phone": "13900139000" },
                "lines": [{ "sku": "S-1", "product_name": "保温杯", "quantity": 1, "unit_price_minor": 8800 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn open_case(app: &TestApp, number: &str, kind: &str, reason: &str) -> Value {
    let (status, body) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": number, "kind": kind, "reason_code": reason,
                    "description": "test", "lines": [{ "line_number": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// The platform clocks of a case view (SLA clocks left out).
fn platform_clocks(case: &Value) -> Vec<Value> {
    case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|clock| !clock["clock"].as_str().unwrap().starts_with("sla_"))
        .cloned()
        .collect()
}

/// What the worker did, SLA breaches left out.
fn acted(outcomes: Vec<Fired>) -> Vec<Fired> {
    outcomes
        .into_iter()
        .filter(|outcome| *outcome != Fired::Breached && !matches!(outcome, Fired::Skipped(_)))
        .collect()
}

async fn events(app: &TestApp, case_id: &str) -> Vec<Value> {
    let (_, body) = app
        .get(&format!("/api/v1/cases/{case_id}/events"), AGENT)
        .await;
    body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_unanswered_refund_request_is_refunded_once_when_its_clock_runs_out() {
    let app = TestApp::start().await;
    unshipped_order(&app, "CLK-1", "taobao").await;
    let case = open_case(&app, "CLK-1", "refund_only", "no_reason").await;
    let id = case["id"].as_str().unwrap();
    // The new case shows its clock and the policy decision.
    let clock = &platform_clocks(&case)[0];
    assert_eq!(clock["clock"], "refund_unanswered");
    assert_eq!(clock["actions"], json!(["refund"]));
    assert!(clock["rule"].as_str().unwrap().contains("taobao"));
    assert_eq!(case["policy"]["requested"]["remedy"], "refund_only");
    assert_eq!(case["policy"]["requested"]["allowed"], true);
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["clocks"], case["clocks"]);
    assert_eq!(shown["policy"], case["policy"]);

    let started = now();
    let early = acted(
        jobs::run_due(&app.database, "worker-a", started + 47 * HOUR)
            .await
            .unwrap(),
    );
    assert!(early.is_empty(), "fired before its time: {early:?}");
    let fired = acted(
        jobs::run_due(&app.database, "worker-a", started + 49 * HOUR)
            .await
            .unwrap(),
    );
    assert_eq!(
        fired,
        vec![Fired::Acted(vec![aftersale::domain::Action::Refund])]
    );
    let again = acted(
        jobs::run_due(&app.database, "worker-b", started + 100 * HOUR)
            .await
            .unwrap(),
    );
    assert!(again.is_empty(), "fired twice: {again:?}");

    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], "refunded");
    // Refunded, the case now waits only for its close (docs/POLICY.md, "Every waiting state").
    let running = platform_clocks(&shown);
    assert_eq!(running.len(), 1, "{running:?}");
    assert_eq!(running[0]["clock"], "auto_close");
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    let refunds = refunds["items"].as_array().cloned().unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount_minor"], 8800);
    let refund_events: Vec<Value> = events(&app, id)
        .await
        .into_iter()
        .filter(|event| event["action"] == "refund")
        .collect();
    assert_eq!(refund_events.len(), 1);
    assert_eq!(refund_events[0]["actor_role"], "system");
    assert_eq!(refund_events[0]["data"]["clock"], "refund_unanswered");
    assert!(
        refund_events[0]["data"]["rule"]
            .as_str()
            .unwrap()
            .contains("CN-B3")
    );
}

#[tokio::test]
async fn a_case_that_moves_on_stops_its_clock_and_starts_the_next() {
    let app = TestApp::start().await;
    unshipped_order(&app, "CLK-2", "tmall").await;
    let case = open_case(&app, "CLK-2", "return_and_refund", "quality").await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(platform_clocks(&case)[0]["clock"], "return_unanswered");
    let (status, approved) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    let running = platform_clocks(&shown);
    assert_eq!(running.len(), 1);
    assert_eq!(running[0]["clock"], "return_not_shipped");
    assert_eq!(running[0]["actions"], json!(["cancel"]));

    // After six days nothing; after eight the unshipped return is closed by the clock, and the
    // old "unanswered" clock never fires.
    let started = now();
    assert!(
        acted(
            jobs::run_due(&app.database, "w", started + 6 * 24 * HOUR)
                .await
                .unwrap()
        )
        .is_empty()
    );
    let fired = acted(
        jobs::run_due(&app.database, "w", started + 8 * 24 * HOUR)
            .await
            .unwrap(),
    );
    assert_eq!(
        fired,
        vec![Fired::Acted(vec![aftersale::domain::Action::Cancel])]
    );
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], "cancelled");
    let actions: Vec<Value> = events(&app, id)
        .await
        .iter()
        .map(|event| event["action"].clone())
        .collect();
    assert_eq!(
        actions,
        vec![json!("created"), json!("approve"), json!("cancel")]
    );
}

#[tokio::test]
async fn the_shop_sets_its_own_waits_and_escalation() {
    let app = TestApp::start().await;
    let settings = json!({
        "jurisdiction": "CN",
        "policy": { "no_reason_days": 15 },
        "clocks": { "default": { "return_unanswered": { "hours": 2, "action": "escalate" } } }
    });
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            AGENT,
            Some(settings.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(settings),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, shown) = app.get("/api/v1/settings", AGENT).await;
    assert_eq!(shown["policy"]["no_reason_days"], 15);

    unshipped_order(&app, "CLK-3", "jd").await;
    let case = open_case(&app, "CLK-3", "exchange", "quality").await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(case["clocks"][0]["actions"], json!(["escalate"]));
    assert_eq!(case["clocks"][0]["rule"], "shop setting (jd)");
    let fired = jobs::run_due(&app.database, "w", now() + 3 * HOUR)
        .await
        .unwrap();
    assert_eq!(fired.len(), 1);
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], "escalated");

    // A policy narrower than the law, and a nonsense clock, are refused with the reason.
    for (bad, field) in [
        (json!({ "policy": { "no_reason_days": 3 } }), "policy"),
        (
            json!({ "policy": { "excluded_categories": ["clothing"] } }),
            "policy",
        ),
        (
            json!({ "clocks": { "default": { "return_not_shipped": { "hours": 0 } } } }),
            "clocks",
        ),
        (
            json!({ "clocks": { "default": { "forever": {} } } }),
            "clocks",
        ),
    ] {
        let (status, body) = app
            .call(
                reqwest::Method::PATCH,
                "/api/v1/settings",
                SUPERVISOR,
                Some(bad.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} → {body}");
        assert!(
            body["error"]["details"]["field"]
                .as_str()
                .unwrap()
                .starts_with(field),
            "{body}"
        );
    }
}

#[tokio::test]
async fn concurrent_workers_fire_each_timer_exactly_once() {
    let app = TestApp::start().await;
    let mut ids = Vec::new();
    for index in 0..24 {
        let number = format!("CLK-C{index}");
        unshipped_order(&app, &number, "taobao").await;
        let case = open_case(&app, &number, "refund_only", "no_reason").await;
        ids.push(case["id"].as_str().unwrap().to_string());
    }
    // Several workers; on PostgreSQL each has its own connection pool, like separate instances.
    let url = common::test_database_url();
    let due = now() + 49 * HOUR;
    let mut workers = Vec::new();
    for worker in 0..4 {
        let database = match &url {
            Some(_) => {
                let address = app.database_url.clone();
                aftersale::db::Database::connect(&address).await.unwrap()
            }
            None => app.database.clone(),
        };
        workers.push(tokio::spawn(async move {
            let name = format!("worker-{worker}");
            let mut fired = 0;
            for _ in 0..5 {
                fired += jobs::run_due(&database, &name, due)
                    .await
                    .unwrap()
                    .iter()
                    .filter(|outcome| matches!(outcome, Fired::Acted(_)))
                    .count();
            }
            fired
        }));
    }
    let mut total = 0;
    for worker in workers {
        total += worker.await.unwrap();
    }
    assert_eq!(total, ids.len());
    for id in &ids {
        let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
        assert_eq!(shown["status"], "refunded");
        let refunds = events(&app, id)
            .await
            .into_iter()
            .filter(|event| event["action"] == "refund")
            .count();
        assert_eq!(refunds, 1, "case {id}");
    }
}

#[tokio::test]
async fn a_timer_that_keeps_failing_is_retried_then_left_as_failed() {
    let app = TestApp::start().await;
    unshipped_order(&app, "CLK-F", "tmall").await;
    let case = open_case(&app, "CLK-F", "return_and_refund", "quality").await;
    let id = case["id"].as_str().unwrap();
    // A clock whose action the state machine refuses from this status.
    sqlx::query("UPDATE timers SET steps = 'close', due_at = 0 WHERE case_id = $1 AND clock = 'return_unanswered'")
        .bind(id)
        .execute(&app.database.writer)
        .await
        .unwrap();
    let mut at = now();
    for _ in 0..jobs::MAX_ATTEMPTS + 2 {
        jobs::run_due(&app.database, "w", at).await.unwrap();
        at += jobs::RETRY_MICROS + 1;
    }
    let (state, attempts): (String, i64) = sqlx::query_as(
        "SELECT state, attempts FROM timers WHERE case_id = $1 AND clock = 'return_unanswered'",
    )
    .bind(id)
    .fetch_one(&app.database.reader)
    .await
    .unwrap();
    assert_eq!((state.as_str(), attempts), ("failed", jobs::MAX_ATTEMPTS));
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(
        shown["status"], "submitted",
        "a failing clock changes nothing"
    );
}

/// A clock the case stopped (it moved on) is not kept; the ones that fired stay (a clock fires
/// once per case), and so do those still running, through the hourly retirement.
#[tokio::test]
async fn stopped_clocks_are_not_kept_and_fired_ones_stay() {
    let app = TestApp::start().await;
    unshipped_order(&app, "CLK-R", "tmall").await;
    let case = open_case(&app, "CLK-R", "return_and_refund", "quality").await;
    let id = case["id"].as_str().unwrap().to_string();
    let count = |clock: &'static str, state: &'static str| {
        let database = app.database.clone();
        let id = id.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM timers WHERE case_id = $1 AND clock LIKE $2 AND state LIKE $3",
            )
            .bind(id)
            .bind(clock)
            .bind(state)
            .fetch_one(&database.reader)
            .await
            .unwrap()
        }
    };
    assert_eq!(count("return_unanswered", "pending").await, 1);
    let (status, _) = app.act(&id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        count("return_unanswered", "%").await,
        0,
        "approving stopped the unanswered clock, and it is gone"
    );
    let pending = count("%", "pending").await;
    assert!(pending >= 1, "the approved return's own clocks run");
    let started = now();
    // The unshipped return's clock fires on day 8 and stays.
    jobs::run_due(&app.database, "w", started + 8 * 24 * HOUR)
        .await
        .unwrap();
    let fired = count("%", "fired").await;
    assert!(fired >= 1, "the clock that fired is kept as fired");
    jobs::retire(&app.database, started + 40 * 24 * HOUR)
        .await
        .unwrap();
    assert_eq!(
        count("%", "fired").await,
        fired,
        "a fired clock is kept: it fires once per case"
    );
    assert_eq!(count("%", "cancelled").await, 0);
}
