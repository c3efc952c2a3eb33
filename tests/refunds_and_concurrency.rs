//! Money and state under retries and concurrency: refunds never exceed what was paid, run once
//! per key, and two agents acting at once never both win.

mod common;

use common::*;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn refundable_case(app: &TestApp, order: &str) -> String {
    let case = app.case(order, "refund_only", "未收到货").await;
    let id = case["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.act(&id, AGENT, "approve", json!({})).await.0,
        StatusCode::OK
    );
    id
}

/// An approved refund-only case about one unit of line 2.
async fn unit_case(app: &TestApp, order: &str) -> String {
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({
                "order_number": order, "kind": "refund_only", "reason_code": "quality",
                "description": "一件有破损", "lines": [{ "line_number": 2, "quantity": 1 }],
                "contact": { "name": "王小明", "phone": "13800138000" }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.act(&id, AGENT, "approve", json!({})).await.0,
        StatusCode::OK
    );
    id
}

async fn refunded_total(app: &TestApp, order: &str) -> i64 {
    let (_, order) = app.get(&format!("/api/v1/orders/{order}"), AGENT).await;
    order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["refunded_minor"].as_i64().unwrap())
        .sum()
}

#[tokio::test]
async fn partial_refunds_add_up_to_at_most_what_was_paid() {
    let app = TestApp::start().await;
    app.order("R1").await;
    let id = refundable_case(&app, "R1").await;
    let (status, refund) = app
        .refund(
            &id,
            "k1",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 5000 }], "note": "部分退款" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(refund["amount_minor"], 5000);
    assert_eq!(refund["amount"], "¥50.00");
    let (_, case) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(case["status"], "refunded");
    assert_eq!(case["lines"][0]["refunded_minor"], 5000);

    let (status, body) = app
        .refund(
            &id,
            "k2",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 14901 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "refund_exceeds_paid");
    assert_eq!(body["error"]["details"]["remaining_minor"], 14900);
    let (status, body) = app
        .refund(
            &id,
            "k3",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 0 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .refund(
            &id,
            "k4",
            json!({ "lines": [{ "line_number": 7, "amount_minor": 100 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // No lines: everything that remains, on both lines.
    let (status, rest) = app.refund(&id, "k5", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{rest}");
    assert_eq!(rest["amount_minor"], 14900 + 9000);
    assert_eq!(refunded_total(&app, "R1").await, 19900 + 9000);
    let (status, body) = app.refund(&id, "k6", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // A second case on the same order cannot refund what the first already did.
    let second = app.case("R1", "complaint", "还要补偿").await;
    let (status, body) = app
        .refund(
            second["id"].as_str().unwrap(),
            "k7",
            json!({ "lines": [{ "line_number": 2, "amount_minor": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert_eq!(refunds["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_refund_needs_a_key_and_a_retry_replays_it() {
    let app = TestApp::start().await;
    app.order("R2").await;
    let id = refundable_case(&app, "R2").await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/cases/{id}/refunds")))
        .bearer_auth(AGENT)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_code(&response.json().await.unwrap()),
        "idempotency_key_required"
    );
    let body = json!({ "lines": [{ "line_number": 2, "amount_minor": 3000 }] });
    let (status, first) = app.refund(&id, "retry-1", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, again) = app.refund(&id, "retry-1", body).await;
    assert!(status.is_success(), "{again}");
    assert_eq!(first["id"], again["id"]);
    assert_eq!(refunded_total(&app, "R2").await, 3000);
}

#[tokio::test]
async fn the_same_refund_sent_concurrently_runs_once() {
    let app = TestApp::start().await;
    app.order("R3").await;
    let id = refundable_case(&app, "R3").await;
    let body = json!({ "lines": [{ "line_number": 1, "amount_minor": 10000 }] });
    let results = join_all((0..12).map(|_| app.refund(&id, "double-click", body.clone()))).await;
    let succeeded: Vec<&Value> = results
        .iter()
        .filter(|(status, _)| status.is_success())
        .map(|(_, body)| body)
        .collect();
    assert!(!succeeded.is_empty());
    for (status, body) in &results {
        assert!(
            status.is_success() || *status == StatusCode::CONFLICT,
            "{status} {body}"
        );
    }
    assert!(
        succeeded
            .iter()
            .all(|refund| refund["id"] == succeeded[0]["id"])
    );
    assert_eq!(refunded_total(&app, "R3").await, 10000);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM refunds")
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn concurrent_refunds_with_different_keys_never_exceed_what_was_paid() {
    let app = TestApp::start().await;
    app.order("R4").await;
    // Line 2: two units for 90.00 in all; each case claims one unit, worth 45.00.
    let first = unit_case(&app, "R4").await;
    let second = unit_case(&app, "R4").await;
    // Eight requests of 20.00 over the two cases: each case can take two.
    let requests = (0..8).map(|index| {
        let case = if index % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let app = &app;
        async move {
            app.refund(
                &case,
                &format!("key-{index}"),
                json!({ "lines": [{ "line_number": 2, "amount_minor": 2000 }] }),
            )
            .await
        }
    });
    let results = join_all(requests).await;
    let executed = results
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .count();
    for (status, body) in &results {
        assert!(
            *status == StatusCode::CREATED
                || *status == StatusCode::UNPROCESSABLE_ENTITY
                || *status == StatusCode::SERVICE_UNAVAILABLE,
            "{status} {body}"
        );
    }
    assert_eq!(executed, 4, "{results:?}");
    assert_eq!(refunded_total(&app, "R4").await, 8000);
}

#[tokio::test]
async fn two_agents_acting_at_once_one_wins_the_other_gets_a_conflict() {
    let app = TestApp::start().await;
    for round in 0..5 {
        let order = format!("C1-{round}");
        app.order(&order).await;
        let case = app
            .case(&order, "return_and_refund", &format!("并发 {round}"))
            .await;
        let id = case["id"].as_str().unwrap();
        let path = format!("/api/v1/cases/{id}/transitions");
        let (first, second) = tokio::join!(
            app.post(&path, AGENT, json!({ "action": "approve", "version": 1 })),
            app.post(
                &path,
                AGENT2,
                json!({ "action": "reject", "version": 1, "reason": "不符合条件" })
            ),
        );
        let mut statuses = [first.0, second.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{first:?} {second:?}"
        );
        let winner = if first.0 == StatusCode::OK {
            "approved"
        } else {
            "rejected"
        };
        let (_, now) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
        assert_eq!(now["status"], winner);
        assert_eq!(now["version"], 2);
        let (_, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
        assert_eq!(
            events["items"].as_array().unwrap().len(),
            2,
            "only the winner's move is recorded"
        );
    }
}

#[tokio::test]
async fn many_cases_opened_at_once_all_get_their_own_number() {
    let app = TestApp::start().await;
    app.order("G1").await;
    let created = join_all((0..40).map(|index| {
        let app = &app;
        async move {
            app.case("G1", "consultation", &format!("同时提交 {index}"))
                .await
        }
    }))
    .await;
    let mut numbers: Vec<String> = created
        .iter()
        .map(|case| case["number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 40);
    let sequences: Vec<u32> = numbers
        .iter()
        .map(|number| number.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(sequences, (1..=40).collect::<Vec<u32>>());
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM case_events WHERE action = 'created'")
            .fetch_one(&app.database.reader)
            .await
            .unwrap();
    assert_eq!(events, 40);
    let (_, found) = app.get("/api/v1/cases?q=同时提交 17", AGENT).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}

/// A USD order in a CNY shop is refunded in USD: the offer, the refund, its event and what
/// people read say dollars (they said ¥).
#[tokio::test]
async fn an_order_is_refunded_in_its_own_currency() {
    let app = TestApp::start().await;
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": "US-1",
                "platform": "shopify",
                "currency": "USD",
                "placed_at": "2026-11-01 10:00",
                "delivered_at": "2026-11-03 15:30",
                "customer": { "name": "Ann Lee", "email": "ann@example.com" },
                "lines": [{ "sku": "MUG", "product_name": "Mug", "quantity": 1, "unit_price_minor": 1250 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({
                "order_number": "US-1", "kind": "refund_only", "reason_code": "quality",
                "description": "cracked", "lines": [{ "line_number": 1 }],
                "contact": { "name": "Ann Lee", "email": "ann@example.com" }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();
    let (_, approved) = app.act(id, AGENT, "approve", json!({})).await;
    assert!(approved["status"].is_string(), "{approved}");
    // An offer is in the order's currency too.
    let (status, offer) = app
        .post(
            &format!("/api/v1/cases/{id}/offers"),
            AGENT,
            json!({ "amount_minor": 500, "note": "a goodwill refund" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{offer}");
    assert_eq!(offer["currency"], "USD", "{offer}");
    let offer_id = offer["id"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/cases/{id}/offers/{offer_id}/withdraw"),
            AGENT,
            json!({}),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let (status, refund) = app
        .refund(
            id,
            "usd-1",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 1250 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(refund["currency"], "USD", "{refund}");
    assert_eq!(refund["amount"], "$12.50", "{refund}");
    let (_, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    let refunded = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["action"] == "refund")
        .expect("a refund event");
    assert_eq!(refunded["data"]["currency"], "USD", "{refunded}");
}
