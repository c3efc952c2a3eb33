//! Parcels watched on their way: added and scanned by hand, followed up when they stall or run
//! late, with a notice to the agent over a real SMTP server. Time is moved by passing `now`.

mod common;

use aftersale::clock::system_micros as now_micros;
use aftersale::operations::notifications::run_once;
use aftersale::operations::parcels::sweep;
use common::smtp::SmtpSink;
use common::{AGENT, OTHER_SHOP, TestApp, error_code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const DAY: i64 = 24 * 3_600_000_000;

fn rfc3339(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .unwrap()
        .to_string()
}

async fn agent_id(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT id FROM staff WHERE email = 'agent@test.local'")
        .fetch_one(&app.database.reader)
        .await
        .unwrap()
}

/// A return case assigned to the agent, its parcel sent back today.
async fn assigned_return(app: &TestApp, order: &str, tracking: &str) -> Value {
    app.recent_order(order).await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({
                "order_number": order, "kind": "return_and_refund", "reason_code": "quality",
                "description": "屏幕有划痕", "lines": [{ "line_number": 1 }],
                "contact": { "name": "李小红", "phone": "13800138000", "email": format!("buyer-{order}@example.com") }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            AGENT,
            Some(json!({ "version": 1, "assignee_id": agent_id(app).await })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .act(
            id,
            AGENT,
            "ship_return",
            json!({ "carrier": "顺丰速运", "tracking_number": tracking }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    case
}

#[tokio::test]
async fn stalled_and_late_parcels_open_one_follow_up_each_and_tell_the_agent() {
    let app = TestApp::start().await;
    let sink = SmtpSink::start();
    let channels = sink.channels();
    let start = now_micros();
    let case = assigned_return(&app, "PW-1", "SF-PW1").await;
    let case_number = case["number"].as_str().unwrap();

    // The original delivery of another order, added by hand.
    let order = app.order("PW-2").await;
    let order_id = order["order"]["id"].as_str().unwrap();
    let shipments = format!("/api/v1/orders/{order_id}/shipments");
    let (status, body) = app
        .post(
            &shipments,
            AGENT,
            json!({ "direction": "sideways", "carrier": "中通快递", "tracking_number": "ZT-PW2" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("to_customer"),
        "{body}"
    );
    let (status, body) = app
        .post(
            &shipments,
            AGENT,
            json!({ "direction": "to_customer", "carrier": "中通快递", "tracking_number": "ZT-PW2", "case_id": case["id"] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another order's case: {body}"
    );
    let (status, parcel) = app
        .post(
            &shipments,
            AGENT,
            json!({ "direction": "to_customer", "carrier": "中通快递", "tracking_number": "ZT-PW2" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{parcel}");
    assert_eq!(parcel["status"], "in_transit");
    let (status, _) = app
        .post(
            &shipments,
            OTHER_SHOP,
            json!({ "direction": "to_customer", "carrier": "x", "tracking_number": "y" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another shop's order");

    // Two days on, both have only just left.
    assert_eq!(sweep(&app.database, start + 2 * DAY).await.unwrap(), 0);
    // The delivery is scanned on day two (by hand: a call to the carrier).
    let (status, scanned) = app
        .post(
            &format!("/api/v1/shipments/{}/scans", parcel["id"].as_str().unwrap()),
            AGENT,
            json!({ "state": "in_transit", "description": "快件已到达【上海转运中心】", "at": rfc3339(start + 2 * DAY) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{scanned}");
    assert_eq!(scanned["status"], "applied");

    // Day three and a half: the return has not moved for three days; the delivery has.
    assert_eq!(
        sweep(&app.database, start + 3 * DAY + DAY / 2)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        sweep(&app.database, start + 4 * DAY).await.unwrap(),
        0,
        "once"
    );
    // Day five and a half: the delivery left five days ago and is still not there.
    assert_eq!(
        sweep(&app.database, start + 5 * DAY + DAY / 2)
            .await
            .unwrap(),
        1
    );

    let (status, tasks) = app.get("/api/v1/follow-ups", AGENT).await;
    assert_eq!(status, StatusCode::OK);
    let tasks = tasks["items"].as_array().unwrap().clone();
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    let stalled = tasks
        .iter()
        .find(|task| task["kind"] == "parcel_stalled")
        .unwrap();
    assert_eq!(stalled["case_number"], case_number);
    assert_eq!(stalled["assignee_id"], json!(agent_id(&app).await));
    assert_eq!(stalled["detail"]["tracking_number"], "SF-PW1");
    let late = tasks
        .iter()
        .find(|task| task["kind"] == "parcel_late")
        .unwrap();
    assert_eq!(late["order_number"], "PW-2");
    assert_eq!(late["case_id"], Value::Null);
    let (_, events) = app
        .get(
            &format!("/api/v1/cases/{}/events", case["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event["action"] == "parcel_stalled"),
        "{events}"
    );
    let (_, theirs) = app.get("/api/v1/follow-ups", OTHER_SHOP).await;
    assert_eq!(theirs["items"], json!([]));

    // The notices: the assignee hears of the return, the supervisors of the unassigned delivery.
    let round = run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    assert_eq!(round.failed, 0, "{round:?}");
    let mails = sink.messages();
    let to = |address: &str| -> Vec<Value> {
        mails
            .iter()
            .filter(|mail| mail["to"] == json!([address]))
            .cloned()
            .collect()
    };
    let agent_mail = to("agent@test.local");
    assert_eq!(agent_mail.len(), 1, "{mails:?}");
    let subject = agent_mail[0]["subject"].as_str().unwrap();
    assert!(
        subject.contains("3 天没有物流更新") && subject.contains(case_number),
        "{subject}"
    );
    assert!(agent_mail[0]["text"].as_str().unwrap().contains("SF-PW1"));
    // The customer hears first, in plain words, with their case's link.
    let customer_mail: Vec<Value> = to("buyer-pw-1@example.com")
        .into_iter()
        .filter(|mail| mail["subject"].as_str().unwrap().contains("正在跟进"))
        .collect();
    assert_eq!(customer_mail.len(), 1, "{mails:?}");
    let subject = customer_mail[0]["subject"].as_str().unwrap();
    assert!(
        subject.contains("正在跟进") && subject.contains(case_number),
        "{subject}"
    );
    assert!(
        customer_mail[0]["text"]
            .as_str()
            .unwrap()
            .contains("SF-PW1")
    );
    let supervisor_mail = to("supervisor@test.local");
    assert_eq!(supervisor_mail.len(), 1, "{mails:?}");
    assert!(
        supervisor_mail[0]["subject"]
            .as_str()
            .unwrap()
            .contains("PW-2")
    );

    // Done, with what was found; twice is a conflict.
    let path = format!("/api/v1/follow-ups/{}/done", late["id"].as_str().unwrap());
    let (status, done) = app
        .post(&path, AGENT, json!({ "note": "快递员确认明天派送" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "done");
    assert_eq!(done["note"], "快递员确认明天派送");
    let (status, again) = app.post(&path, AGENT, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&again), "already_done");
    let (_, open) = app.get("/api/v1/follow-ups", AGENT).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 1);
    let (_, closed) = app.get("/api/v1/follow-ups?status=done", AGENT).await;
    assert_eq!(closed["items"].as_array().unwrap().len(), 1);
    let (status, _) = app.get("/api/v1/follow-ups?status=maybe", AGENT).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_return_scanned_delivered_by_hand_is_received_and_a_shop_sets_its_own_limits() {
    let app = TestApp::start().await;
    let case = assigned_return(&app, "PW-3", "SF-PW3").await;
    let id = case["id"].as_str().unwrap();
    let (_, order) = app
        .get(
            &format!("/api/v1/orders/{}", case["order_id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    let parcel = order["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|shipment| shipment["tracking_number"] == "SF-PW3")
        .unwrap()
        .clone();
    let scans = format!("/api/v1/shipments/{}/scans", parcel["id"].as_str().unwrap());
    let (status, body) = app
        .post(
            &scans,
            AGENT,
            json!({ "state": "lost", "description": "?" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("delivered"),
        "{body}"
    );
    let (status, _) = app
        .post(
            &scans,
            OTHER_SHOP,
            json!({ "state": "delivered", "description": "已签收" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .post(
            &scans,
            AGENT,
            json!({ "state": "delivered", "description": "已签收，签收人：仓库" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], "received");

    // A delivered parcel is never followed up; a shop's own limit of one day applies.
    let (_, mut settings) = app.get("/api/v1/settings", common::ADMIN).await;
    settings["parcels"] = json!({ "stalled_days": 0, "late_days": 2 });
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings",
            common::ADMIN,
            Some(settings.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("stalled_days"),
        "{body}"
    );
    settings["parcels"] = json!({ "stalled_days": 1, "late_days": 2 });
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings",
            common::ADMIN,
            Some(settings),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let order = app.order("PW-4").await["order"].clone();
    let (status, _) = app
        .post(
            &format!("/api/v1/orders/{}/shipments", order["id"].as_str().unwrap()),
            AGENT,
            json!({ "direction": "to_customer", "carrier": "圆通速递", "tracking_number": "YT-PW4" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        sweep(&app.database, now_micros() + DAY + 60_000_000)
            .await
            .unwrap(),
        1
    );
    let (_, tasks) = app.get("/api/v1/follow-ups", AGENT).await;
    assert_eq!(tasks["items"].as_array().unwrap().len(), 1, "{tasks}");
    assert_eq!(tasks["items"][0]["detail"]["tracking_number"], "YT-PW4");
}
