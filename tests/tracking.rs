//! Tracking pushed by Kuaidi100 and AfterShip, signed as they sign: the return parcel's news on
//! its case, and a return delivered to the shop received by the system.

mod common;

use base64::Engine;
use common::{ADMIN, AGENT, SUPERVISOR, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn shipped_return(app: &TestApp, order: &str, tracking: &str) -> String {
    app.recent_order(order).await;
    let case = app.case(order, "return_and_refund", "不想要了").await;
    let id = case["id"].as_str().unwrap().to_string();
    let (status, body) = app.act(&id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .act(
            &id,
            AGENT,
            "ship_return",
            json!({ "carrier": "顺丰速运", "tracking_number": tracking }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

async fn kuaidi100(app: &TestApp, param: &Value, salt: &str) -> (StatusCode, Value) {
    let param = param.to_string();
    let sign = format!(
        "{:X}",
        <md5::Md5 as md5::Digest>::digest(format!("{param}{salt}").as_bytes())
    );
    let response = app
        .client
        .post(app.url("/hooks/shop/kuaidi100"))
        .form(&[("param", param.as_str()), ("sign", sign.as_str())])
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn push(state: &str, number: &str, context: &str) -> Value {
    json!({
        "status": if state == "3" { "shutdown" } else { "polling" },
        "billstatus": "got", "message": "", "autoCheck": "0", "comOld": "", "comNew": "",
        "lastResult": { "message": "ok", "state": state, "status": "200", "condition": "F00", "ischeck": if state == "3" { "1" } else { "0" },
            "com": "shunfeng", "nu": number,
            "data": [{ "context": context, "time": "2026-12-01 20:00:00", "ftime": "2026-12-01 20:00:00" }] }
    })
}

async fn status_of(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/cases/{id}"), AGENT).await.1["status"].clone()
}

#[tokio::test]
async fn a_return_delivered_to_the_shop_is_received() {
    let app = TestApp::start().await;
    let salt = "kuaidi100-salt";
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/integrations/kuaidi100",
            ADMIN,
            Some(json!({ "secret": salt })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let id = shipped_return(&app, "TR-1", "SF7001").await;

    // On the way: news on the case, the case waits.
    let (status, answer) = kuaidi100(
        &app,
        &push("0", "SF7001", "快件已到达【杭州转运中心】"),
        salt,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"], true);
    assert_eq!(answer["returnCode"], "200");
    assert_eq!(status_of(&app, &id).await, "return_shipped");

    // A forged push is refused and changes nothing.
    let (status, _) = kuaidi100(&app, &push("3", "SF7001", "已签收"), "wrong-salt").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(status_of(&app, &id).await, "return_shipped");

    // Signed for at the shop: received by the system, once.
    let (_, answer) = kuaidi100(&app, &push("3", "SF7001", "已签收，签收人：仓库"), salt).await;
    assert_eq!(answer["status"], "applied", "{answer}");
    assert_eq!(status_of(&app, &id).await, "received");
    let (_, again) = kuaidi100(&app, &push("3", "SF7001", "已签收，签收人：仓库"), salt).await;
    assert_eq!(again["status"], "unchanged");
    let (_, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|action| **action == "tracking")
            .count(),
        2,
        "{actions:?}"
    );
    let receive = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["action"] == "receive")
        .unwrap();
    assert_eq!(receive["actor_role"], "system");
    let (_, order) = app.get("/api/v1/orders/TR-1", AGENT).await;
    let shipment = &order["shipments"][0];
    assert_eq!(shipment["status"], "delivered", "{order}");

    // A parcel nobody here knows is kept as ignored.
    let (status, answer) = kuaidi100(&app, &push("3", "NOPE123", "已签收"), salt).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["status"], "ignored");
    let (_, log) = app.get("/api/v1/inbound", SUPERVISOR).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn aftership_updates_are_verified_and_applied() {
    let app = TestApp::start().await;
    let secret = "aftership-webhook-secret";
    app.call(
        Method::PUT,
        "/api/v1/integrations/aftership",
        ADMIN,
        Some(json!({ "secret": secret })),
    )
    .await;
    let id = shipped_return(&app, "TR-2", "YT9001").await;
    let body = json!({
        "event": "tracking_update", "event_id": "e-1", "is_tracking_first_tag": true,
        "msg": { "id": "t-1", "tracking_number": "YT9001", "slug": "yto", "tag": "Delivered",
            "checkpoints": [
                { "checkpoint_time": "2026-12-01T09:00:00+08:00", "message": "运输中", "tag": "InTransit" },
                { "checkpoint_time": "2026-12-01T18:00:00+08:00", "message": "已签收", "tag": "Delivered" }
            ] }
    })
    .to_string();
    let sign = |secret: &str| {
        base64::engine::general_purpose::STANDARD.encode(aftersale::domain::signing::hmac_sha256(
            secret.as_bytes(),
            body.as_bytes(),
        ))
    };
    let send = |signature: String| {
        app.client
            .post(app.url("/hooks/shop/aftership"))
            .header("aftership-hmac-sha256", signature)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
    };
    assert_eq!(
        send(sign("other")).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status_of(&app, &id).await, "return_shipped");
    let response = send(sign(secret)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(status_of(&app, &id).await, "received");
}

fn push_at(state: &str, number: &str, context: &str, time: &str) -> Value {
    let mut push = push(state, number, context);
    push["lastResult"]["data"][0]["time"] = json!(time);
    push["lastResult"]["data"][0]["ftime"] = json!(time);
    push
}

/// How many events of the case left the system under `topic` (webhooks, customer mail).
async fn sent(app: &TestApp, case_id: &str, topic: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE case_id = $1 AND topic = $2")
        .bind(case_id)
        .bind(topic)
        .fetch_one(&app.database.reader)
        .await
        .unwrap()
}

#[tokio::test]
async fn late_and_repeated_scans_never_move_a_parcel_back_and_the_typed_carrier_stays() {
    let app = TestApp::start().await;
    let salt = "kuaidi100-salt";
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/integrations/kuaidi100",
            ADMIN,
            Some(json!({ "secret": salt })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let id = shipped_return(&app, "TR-9", "SF7009").await;
    let on_the_way = push_at(
        "0",
        "SF7009",
        "快件已到达【杭州转运中心】",
        "2026-12-01 08:00:00",
    );
    let (_, answer) = kuaidi100(&app, &on_the_way, salt).await;
    assert_eq!(answer["status"], "applied", "{answer}");
    let delivered = push_at("3", "SF7009", "已签收，签收人：仓库", "2026-12-02 10:00:00");
    let (_, answer) = kuaidi100(&app, &delivered, salt).await;
    assert_eq!(answer["status"], "applied", "{answer}");
    assert_eq!(status_of(&app, &id).await, "received");
    let before = sent(&app, &id, "shipment.updated").await;
    assert_eq!(before, 2);

    // An older scan arrives late, twice; then the delivered scan is resent.
    let late = push_at("0", "SF7009", "快件已从【上海】发出", "2026-12-01 06:00:00");
    let (_, answer) = kuaidi100(&app, &late, salt).await;
    assert_eq!(answer["status"], "unchanged", "{answer}");
    kuaidi100(&app, &late, salt).await;
    let (_, answer) = kuaidi100(&app, &delivered, salt).await;
    assert_eq!(answer["status"], "unchanged", "{answer}");

    let (_, order) = app.get("/api/v1/orders/TR-9", AGENT).await;
    let parcel = &order["shipments"][0];
    assert_eq!(parcel["status"], "delivered", "{order}");
    assert_eq!(parcel["carrier"], "顺丰速运", "what was typed stays");
    assert_eq!(parcel["carrier_code"], "shunfeng");
    assert_eq!(parcel["last_scan"], "已签收，签收人：仓库");
    assert_eq!(status_of(&app, &id).await, "received");
    assert_eq!(
        sent(&app, &id, "shipment.updated").await,
        before,
        "nobody is told again"
    );
    let (_, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    let events = events["items"].as_array().cloned().unwrap();
    let count = |action: &str| {
        events
            .iter()
            .filter(|event| event["action"] == action)
            .count()
    };
    assert_eq!(count("tracking"), 2);
    assert_eq!(
        count("tracking_late"),
        2,
        "the late scan is on the timeline"
    );
    assert_eq!(count("receive"), 1);
}

#[tokio::test]
async fn a_return_received_by_hand_is_delivered_and_never_followed_up() {
    let app = TestApp::start().await;
    let id = shipped_return(&app, "TR-10", "SF7010").await;
    let (status, body) = app.act(&id, AGENT, "receive", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, order) = app.get("/api/v1/orders/TR-10", AGENT).await;
    assert_eq!(order["shipments"][0]["status"], "delivered", "{order}");
    let month_later = aftersale::clock::system_micros() + 30 * 24 * 3_600_000_000;
    let opened = aftersale::operations::parcels::sweep(&app.database, month_later)
        .await
        .unwrap();
    assert_eq!(opened, 0);
    assert_eq!(sent(&app, &id, "shipment.delayed").await, 0);
}
