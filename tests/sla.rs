//! SLA per case through the API: targets from the shop's settings, the first response, the
//! clock standing still while the case waits, and a breach (priority up, event, supervisor notice).

mod common;

use aftersale::db::outbox;
use aftersale::jobs;
use common::{AGENT, INSPECTOR, SUPERVISOR, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000_000;

fn now() -> i64 {
    aftersale::clock::system_micros()
}

async fn calendar_hours(app: &TestApp) {
    let settings = json!({"sla": {"hours": "calendar", "targets": [
        {"first_response_hours": 2, "resolution_hours": 10},
        {"kind": "repair", "first_response_hours": 4, "resolution_hours": 48}
    ]}});
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(settings),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn show(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/cases/{id}"), AGENT).await.1
}

fn parse(text: &Value) -> i64 {
    text.as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_microsecond()
}

#[tokio::test]
async fn a_missed_first_response_raises_priority_and_tells_the_supervisor() {
    let app = TestApp::start().await;
    calendar_hours(&app).await;
    app.order("SLA-1").await;
    let before = now();
    let case = app.case("SLA-1", "return_and_refund", "坏了").await;
    let id = case["id"].as_str().unwrap();
    let due = parse(&case["sla"]["first_response_due"]);
    // Shown to the second.
    assert!(
        due >= before + 2 * HOUR - 1_000_000 && due <= now() + 2 * HOUR,
        "{case}"
    );
    assert_eq!(case["due_at"], case["sla"]["first_response_due"]);
    assert!(parse(&case["sla"]["resolution_due"]) >= before + 10 * HOUR - 1_000_000);

    let outcomes = jobs::run_due(&app.database, "w", now() + 3 * HOUR)
        .await
        .unwrap();
    assert!(
        outcomes.contains(&aftersale::operations::clocks::Fired::Breached),
        "{outcomes:?}"
    );
    let shown = show(&app, id).await;
    assert_eq!(shown["priority"], "high");
    assert_eq!(shown["sla"]["breached"], "first_response");
    let clocks: Vec<&Value> = shown["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|clock| &clock["clock"])
        .collect();
    assert!(
        clocks.contains(&&json!("sla_resolution")),
        "the resolution target runs next: {clocks:?}"
    );
    assert!(!clocks.contains(&&json!("sla_first_response")));
    let (_, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    let breach = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["action"] == "sla_breached")
        .unwrap()
        .clone();
    assert_eq!(breach["actor_role"], "system");
    assert_eq!(breach["data"]["target"], "first_response");
    assert_eq!(
        breach["data"]["priority"],
        json!({"from": "normal", "to": "high"})
    );
    let notices: Vec<_> = outbox::for_case(&app.database.reader, id)
        .await
        .unwrap()
        .into_iter()
        .filter(|(audience, _, _)| audience == "supervisor")
        .collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(
        (notices[0].0.as_str(), notices[0].1.as_str()),
        ("supervisor", "sla_breached")
    );
    assert_eq!(notices[0].2["case_number"], shown["number"]);
    let (_, breached) = app.get("/api/v1/cases?sla=breached", SUPERVISOR).await;
    let ids: Vec<&Value> = breached["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| &case["id"])
        .collect();
    assert_eq!(ids, vec![&json!(id)]);
    let (status, _) = app.get("/api/v1/cases?sla=late", SUPERVISOR).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Fires once.
    let again = jobs::run_due(&app.database, "w", now() + 4 * HOUR)
        .await
        .unwrap();
    assert!(
        !again.contains(&aftersale::operations::clocks::Fired::Breached),
        "{again:?}"
    );
}

#[tokio::test]
async fn an_answer_meets_the_first_target_and_waiting_stops_the_clock() {
    let app = TestApp::start().await;
    calendar_hours(&app).await;
    app.order("SLA-2").await;
    let case = app.case("SLA-2", "return_and_refund", "坏了").await;
    let id = case["id"].as_str().unwrap();
    // An internal note is not an answer; a message to the customer is.
    let (status, _) = app
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            AGENT,
            json!({"body": "查一下库存"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(show(&app, id).await["sla"]["first_response_at"].is_null());
    let (status, _) = app
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            AGENT,
            json!({"body": "您好，已收到"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let shown = show(&app, id).await;
    assert!(shown["sla"]["first_response_at"].is_string());
    assert_eq!(
        shown["due_at"], shown["sla"]["resolution_due"],
        "the queue now goes by the resolution target"
    );

    // Approved: waiting for the customer's parcel, the SLA stands still and nothing breaches.
    let (status, _) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let shown = show(&app, id).await;
    assert_eq!(shown["sla"]["paused"], true);
    assert!(
        shown["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|clock| !clock["clock"].as_str().unwrap().starts_with("sla_"))
    );
    let outcomes = jobs::run_due(&app.database, "w", now() + 11 * HOUR)
        .await
        .unwrap();
    assert!(
        !outcomes.contains(&aftersale::operations::clocks::Fired::Breached),
        "{outcomes:?}"
    );
    assert_eq!(show(&app, id).await["priority"], "normal");

    // The parcel arrives: the clock runs again; the refund resolves it and the figures are kept.
    let (status, _) = app
        .act(
            id,
            AGENT,
            "ship_return",
            json!({"carrier": "SF", "tracking_number": "SF100"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.act(id, AGENT, "receive", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shown = show(&app, id).await;
    assert_eq!(shown["sla"]["paused"], false);
    assert!(
        shown["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|clock| clock["clock"] == "sla_resolution")
    );
    let (status, body) = app.act(id, INSPECTOR, "inspect_pass", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.refund(id, "sla-refund-1", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let shown = show(&app, id).await;
    assert!(shown["sla"]["resolved_at"].is_string());
    assert!(shown["sla"]["business_minutes"].as_i64().unwrap() >= 0);
    assert!(shown["sla"]["breached"].is_null());
}
