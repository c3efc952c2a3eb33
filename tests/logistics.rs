//! Logistics exceptions as kinds, walked end to end: a missing part sent again (补寄) with its
//! own clock for an agreed reship not sent; a refused delivery (拒收退款) and an interception
//! (拦截) whose refund waits for the order's own parcel to come back — paid by the clock once it
//! is back, and raised when the parcel reaches the buyer after all.

mod common;

use common::{AGENT, INSPECTOR, TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An order shipped (not delivered) with its parcel.
async fn shipped_order(app: &TestApp, number: &str, tracking: &str) -> Value {
    let (status, order) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": number, "platform": "taobao", "placed_at": "2026-11-30 10:00",
                "shipped_at": "2026-12-01 09:00",
                "customer": { "name": "王小明", "phone": "13800138000" },
                "lines": [
                    { "sku": "EP-1", "product_name": "蓝牙耳机", "quantity": 1, "unit_price_minor": 19900 },
                    { "sku": "TS-2", "product_name": "纯棉T恤", "quantity": 2, "unit_price_minor": 5000, "paid_minor": 9000 }
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let (status, parcel) = app
        .post(
            &format!(
                "/api/v1/orders/{}/shipments",
                order["order"]["id"].as_str().unwrap()
            ),
            AGENT,
            json!({ "direction": "to_customer", "carrier": "中通", "tracking_number": tracking }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{parcel}");
    json!({ "order": order, "parcel": parcel })
}

async fn open(app: &TestApp, order: &str, kind: &str, reason: &str, text: &str) -> Value {
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": order, "kind": kind, "reason_code": reason, "description": text,
                    "lines": [{ "line_number": 1 }, { "line_number": 2 }],
                    "contact": { "name": "王小明", "phone": "13800138000" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

async fn pending(app: &TestApp, case_id: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT clock, due_at FROM timers WHERE case_id = $1 AND state = 'pending' AND clock NOT LIKE 'sla%' ORDER BY due_at",
    )
    .bind(case_id)
    .fetch_all(&app.database.reader)
    .await
    .unwrap()
}

async fn actions(app: &TestApp, case_id: &str) -> Vec<String> {
    let (_, events) = app
        .get(&format!("/api/v1/cases/{case_id}/events?limit=100"), AGENT)
        .await;
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_missing_part_is_sent_again_on_its_own_clock() {
    let app = TestApp::start().await;
    app.order("LX-1").await;
    let case = open(&app, "LX-1", "reship", "missing_part", "少了充电线").await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(case["status"], "submitted");
    // The shop agrees; two days to send it.
    let (status, body) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let clocks = pending(&app, id).await;
    assert_eq!(clocks.len(), 1, "{clocks:?}");
    assert_eq!(clocks[0].0, "reship_not_sent");
    // Not sent in time: a follow-up task, once.
    let fired = aftersale::jobs::run_due(&app.database, "worker", clocks[0].1 + 1)
        .await
        .unwrap();
    assert_eq!(fired.len(), 1, "{fired:?}");
    let (_, tasks) = app.get("/api/v1/follow-ups", AGENT).await;
    let kinds: Vec<&str> = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["reship_not_sent"], "{tasks}");
    // Nothing is refunded on a reship.
    let (status, body) = app.refund(id, "reship-refund", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Sent, received, closed.
    let (status, body) = app
        .act(
            id,
            AGENT,
            "ship_replacement",
            json!({ "carrier": "顺丰", "tracking_number": "SF2026120601" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "replacement_shipped");
    assert_eq!(pending(&app, id).await[0].0, "replacement_not_confirmed");
    let (status, body) = app.act(id, AGENT, "confirm_delivery", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.act(id, AGENT, "close", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "closed");
    // The shipping leaves through the outbox (the customer is told, a connector hears).
    let words: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM outbox WHERE case_id = $1 ORDER BY created_at, id")
            .bind(id)
            .fetch_all(&app.database.reader)
            .await
            .unwrap();
    assert!(
        words
            .iter()
            .any(|payload| payload.contains("ship_replacement")),
        "{words:?}"
    );
}

#[tokio::test]
async fn a_refused_parcel_is_refunded_once_it_is_back() {
    let app = TestApp::start().await;
    let shipped = shipped_order(&app, "LX-2", "ZT2026120602").await;
    let case = open(
        &app,
        "LX-2",
        "refused_delivery",
        "no_reason",
        "快递到了我拒收了",
    )
    .await;
    let id = case["id"].as_str().unwrap();
    let (status, body) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(pending(&app, id).await[0].0, "return_not_arrived");
    // The carrier says it was refused: the case hears of the parcel starting back.
    let parcel_id = shipped["parcel"]["id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/shipments/{parcel_id}/scans"),
            AGENT,
            json!({ "state": "exception", "description": "收件人拒收，退回寄件人" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        actions(&app, id)
            .await
            .contains(&"parcel_coming_back".to_string())
    );
    // Back at the warehouse: received; a day later the clock pays the refund.
    let (status, body) = app.act(id, INSPECTOR, "receive", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "received");
    let clocks = pending(&app, id).await;
    assert_eq!(clocks[0].0, "approved_not_refunded", "{clocks:?}");
    aftersale::jobs::run_due(&app.database, "worker", clocks[0].1 + 1)
        .await
        .unwrap();
    let (_, refunded) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(refunded["status"], "refunded", "{refunded}");
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    let paid: i64 = refunds["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|refund| refund["amount_minor"].as_i64().unwrap())
        .sum();
    assert_eq!(paid, 19900 + 9000, "{refunds}");
}

#[tokio::test]
async fn an_interception_that_fails_is_raised_and_one_that_works_refunds() {
    let app = TestApp::start().await;
    let shipped = shipped_order(&app, "LX-3", "ZT2026120603").await;
    let case = open(
        &app,
        "LX-3",
        "interception",
        "no_reason",
        "刚下单就发货了，请拦截",
    )
    .await;
    let id = case["id"].as_str().unwrap();
    let (status, body) = app
        .act(id, AGENT, "approve", json!({ "note": "已向中通申请拦截" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Not back in time: a follow-up task to chase the carrier.
    let clocks = pending(&app, id).await;
    assert_eq!(clocks[0].0, "return_not_arrived");
    // The parcel reached the buyer after all: the case is raised for a person.
    let parcel_id = shipped["parcel"]["id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/shipments/{parcel_id}/scans"),
            AGENT,
            json!({ "state": "delivered", "description": "已签收，签收人：本人" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        actions(&app, id)
            .await
            .contains(&"parcel_reached_buyer".to_string())
    );
    let (_, raised) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_ne!(raised["priority"], case["priority"], "{raised}");
    // The shop refunds without waiting (the buyer sends it back another way): allowed.
    let (status, body) = app.refund(id, "intercept-refund", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // An interception cannot go to a replacement.
    let (status, body) = app
        .act(
            id,
            AGENT,
            "ship_replacement",
            json!({ "carrier": "x", "tracking_number": "y" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "transition_not_allowed");
}
