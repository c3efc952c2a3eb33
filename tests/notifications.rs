//! Notifications out, against real receivers: an HTTP server on loopback that can be down for a
//! while, and a real SMTP server (aiosmtpd). Time is moved by passing `now` to the worker.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use aftersale::clock::system_micros as now_micros;
use aftersale::domain::signing::webhook_signature;
use aftersale::operations::notifications::{Channels, MAX_ATTEMPTS, run_once};
use axum::http::{HeaderMap, StatusCode};
use common::smtp::SmtpSink;
use common::{AGENT, SUPERVISOR, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

/// What the receiver got: headers and body of each request.
type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// An HTTP receiver on loopback; while `down` is set it answers 503 (and records nothing).
async fn receiver() -> (String, Received, Arc<AtomicBool>) {
    let received: Received = Arc::default();
    let down = Arc::new(AtomicBool::new(false));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let received = received.clone();
            let down = down.clone();
            move |headers: HeaderMap, body: String| async move {
                if down.load(Ordering::SeqCst) {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                received.lock().unwrap().push((headers, body));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), received, down)
}

fn no_email() -> Channels {
    // The tests' receivers listen on this machine.
    Channels::new(None, "店铺 <shop@test.local>", "http://127.0.0.1:8080")
        .unwrap()
        .allowing_private_targets(true)
        .unwrap()
}

async fn subscribe(app: &TestApp, url: &str, topics: Value) -> String {
    let (status, body) = app
        .post(
            "/api/v1/webhooks",
            SUPERVISOR,
            json!({ "url": url, "topics": topics }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    body["secret"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn webhooks_are_signed_retried_and_never_lost() {
    let app = TestApp::start().await;
    let (url, received, down) = receiver().await;
    let secret = subscribe(&app, &url, json!(["*"])).await;
    let (status, body) = app
        .post("/api/v1/webhooks", AGENT, json!({ "url": url }))
        .await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN, "{body}");
    let (status, _) = app
        .post(
            "/api/v1/webhooks",
            SUPERVISOR,
            json!({ "url": "ftp://x", "topics": [] }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .post(
            "/api/v1/webhooks",
            SUPERVISOR,
            json!({ "url": url, "topics": ["case.exploded"] }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);

    app.order("WH-1").await;
    let case = app.case("WH-1", "refund_only", "少发一件").await;
    let id = case["id"].as_str().unwrap();
    let (status, _) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    // An internal note stays inside.
    app.post(
        &format!("/api/v1/cases/{id}/notes"),
        AGENT,
        json!({ "body": "内部备注" }),
    )
    .await;

    // The receiver is down: the attempt fails and waits.
    down.store(true, Ordering::SeqCst);
    let channels = no_email();
    let start = now_micros();
    let round = run_once(&app.database, &channels, start).await.unwrap();
    assert_eq!((round.sent, round.failed), (0, 2), "{round:?}");
    let (_, pending) = app
        .get("/api/v1/deliveries?state=pending", SUPERVISOR)
        .await;
    assert_eq!(pending["items"].as_array().unwrap().len(), 2, "{pending}");
    assert!(
        pending["items"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("503")
    );

    // Back up: nothing is sent before the back-off, then everything once.
    down.store(false, Ordering::SeqCst);
    let round = run_once(&app.database, &channels, start + 5_000_000)
        .await
        .unwrap();
    assert_eq!(round.sent, 0);
    let round = run_once(&app.database, &channels, start + 11_000_000)
        .await
        .unwrap();
    assert_eq!(round.sent, 2);
    let round = run_once(&app.database, &channels, start + 3_600_000_000)
        .await
        .unwrap();
    assert_eq!(round.sent, 0, "nothing twice");
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    let mut topics = Vec::new();
    for (headers, body) in &got {
        let signature = headers["x-aftersale-signature"].to_str().unwrap();
        let timestamp: i64 = signature
            .split(',')
            .next()
            .unwrap()
            .trim_start_matches("t=")
            .parse()
            .unwrap();
        assert_eq!(
            signature,
            webhook_signature(secret.as_bytes(), timestamp, body.as_bytes())
        );
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            event["id"],
            headers["x-aftersale-event-id"].to_str().unwrap()
        );
        assert_eq!(event["data"]["case"]["number"], case["number"]);
        topics.push(event["type"].as_str().unwrap().to_string());
    }
    assert_eq!(topics, ["case.created", "case.transitioned"]);
}

/// Sent deliveries stay in the shop's log for 30 days; an outbox row that no delivery refers to
/// goes after 7; the hourly maintenance forgets them (jobs::retire).
#[tokio::test]
async fn sent_deliveries_and_their_outbox_rows_are_retired() {
    let app = TestApp::start().await;
    let (url, received, _down) = receiver().await;
    subscribe(&app, &url, json!(["case.created"])).await;
    app.order("WH-R").await;
    let case = app.case("WH-R", "refund_only", "少发一件").await;
    let id = case["id"].as_str().unwrap();
    let (status, _) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let count = |sql: &'static str| {
        let database = app.database.clone();
        let id = id.to_string();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(id)
                .fetch_one(&database.reader)
                .await
                .unwrap()
        }
    };
    const OUTBOX: &str = "SELECT COUNT(*) FROM outbox WHERE case_id = $1";
    const UNDISPATCHED: &str =
        "SELECT COUNT(*) FROM outbox WHERE case_id = $1 AND state <> 'dispatched'";
    const DELIVERIES: &str = "SELECT COUNT(*) FROM deliveries d JOIN outbox o ON o.id = d.outbox_id \
         WHERE o.case_id = $1";
    let rows = count(OUTBOX).await;
    assert!(rows >= 2, "created and approved: {rows}");
    let start = now_micros();
    let round = run_once(&app.database, &no_email(), start).await.unwrap();
    assert_eq!(round.sent, 1, "{round:?}");
    assert_eq!(received.lock().unwrap().len(), 1);
    assert_eq!(
        count(OUTBOX).await,
        1,
        "rows that made no delivery are forgotten when dispatched; the sent one's stays"
    );
    assert_eq!(count(UNDISPATCHED).await, 0);
    const DAY: i64 = 24 * 3_600_000_000;
    aftersale::jobs::retire(&app.database, start + 8 * DAY)
        .await
        .unwrap();
    assert_eq!(count(OUTBOX).await, 1, "the delivery still refers to it");
    assert_eq!(count(DELIVERIES).await, 1, "the log keeps it for 30 days");
    let (_, log) = app.get("/api/v1/deliveries", SUPERVISOR).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1, "{log}");
    aftersale::jobs::retire(&app.database, start + 31 * DAY)
        .await
        .unwrap();
    assert_eq!((count(OUTBOX).await, count(DELIVERIES).await), (0, 0));
    let (status, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(
        events["items"].as_array().unwrap().len(),
        2,
        "the timeline keeps everything: {events}"
    );
}

#[tokio::test]
async fn a_dead_delivery_is_replayed_with_the_same_event_id() {
    let app = TestApp::start().await;
    let (url, received, down) = receiver().await;
    subscribe(&app, &url, json!(["refund.executed"])).await;
    app.order("WH-2").await;
    let case = app.case("WH-2", "refund_only", "未收到货").await;
    let id = case["id"].as_str().unwrap();
    // Paid on the platform already: recorded as paid, `refund.executed`.
    let (status, _) = app
        .refund(
            id,
            "wh-2",
            json!({ "paid_reference": "TB-REFUND-20261201-0001" }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED);

    down.store(true, Ordering::SeqCst);
    let channels = no_email();
    let mut now = now_micros();
    for _ in 0..MAX_ATTEMPTS {
        run_once(&app.database, &channels, now).await.unwrap();
        now += 3_600_000_000;
    }
    let (_, dead) = app.get("/api/v1/deliveries?state=dead", SUPERVISOR).await;
    let dead = dead["items"].as_array().unwrap().clone();
    assert_eq!(dead.len(), 1, "only the subscribed topic");
    assert_eq!(dead[0]["topic"], "refund.executed");
    assert_eq!(dead[0]["attempts"], MAX_ATTEMPTS);

    // After a restart (a new connection pool on the same database) and a replay, it arrives.
    down.store(false, Ordering::SeqCst);
    let (status, replayed) = app
        .post(
            &format!(
                "/api/v1/deliveries/{}/replay",
                dead[0]["id"].as_str().unwrap()
            ),
            SUPERVISOR,
            json!({}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{replayed}");
    assert_eq!(replayed["state"], "pending");
    let restarted = aftersale::db::Database::connect(&app.database_url)
        .await
        .unwrap();
    let round = run_once(&restarted, &channels, now_micros()).await.unwrap();
    assert_eq!(round.sent, 1);
    let got = received.lock().unwrap().clone();
    let event: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(event["id"], dead[0]["event_id"]);
    assert_eq!(event["data"]["event"]["data"]["amount_minor"], 28900);

    // A removed endpoint gets nothing more.
    let (_, endpoints) = app.get("/api/v1/webhooks", SUPERVISOR).await;
    assert!(
        endpoints["items"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    let endpoint = endpoints["items"][0]["id"].as_str().unwrap();
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/webhooks/{endpoint}"),
            SUPERVISOR,
            None,
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::NO_CONTENT);
    let (status, _) = app.refund(id, "wh-2b", json!({})).await;
    assert_ne!(status, reqwest::StatusCode::INTERNAL_SERVER_ERROR);
    run_once(&restarted, &channels, now_micros()).await.unwrap();
    assert_eq!(received.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn the_customer_is_told_by_email_in_chinese() {
    let app = TestApp::start().await;
    let sink = SmtpSink::start();
    let channels = sink.channels();
    app.order("ML-1").await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({
                "order_number": "ML-1", "kind": "return_and_refund", "reason_code": "quality",
                "description": "耳机没声音", "lines": [{ "line_number": 1 }],
                "contact": { "name": "王小明", "phone": "13800138000", "email": "buyer@example.com" }
            }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();
    let number = case["number"].as_str().unwrap();
    let (status, _) = app
        .act(
            id,
            AGENT,
            "reject",
            json!({ "reason": "已超过七天无理由退货期" }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    app.post(
        &format!("/api/v1/cases/{id}/notes"),
        AGENT,
        json!({ "body": "不发给买家" }),
    )
    .await;
    app.post(
        &format!("/api/v1/cases/{id}/messages"),
        AGENT,
        json!({ "body": "您好，\n请看拒绝原因。" }),
    )
    .await;

    let round = run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    assert_eq!(round.failed, 0, "{round:?}");
    let mails = sink.messages();
    assert_eq!(mails.len(), 3, "{mails:?}");
    for mail in &mails {
        assert_eq!(mail["to"], json!(["buyer@example.com"]));
        assert!(mail["subject"].as_str().unwrap().contains(number), "{mail}");
        assert!(
            mail["text"]
                .as_str()
                .unwrap()
                .contains("https://shop.example/portal/shop/enter/")
        );
        assert!(mail["html"].as_str().unwrap().contains("王小明"));
    }
    assert!(mail_subject(&mails[0]).contains("已收到"));
    assert!(mail_subject(&mails[1]).contains("未通过"));
    assert!(
        mails[1]["text"]
            .as_str()
            .unwrap()
            .contains("已超过七天无理由退货期")
    );
    assert!(mails[2]["text"].as_str().unwrap().contains("请看拒绝原因"));
    // Each e-mail's Message-ID is its event's id: a resend can be recognised.
    let (_, sent) = app.get("/api/v1/deliveries?state=sent", SUPERVISOR).await;
    let event_ids: Vec<String> = sent["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|delivery| format!("<{}@aftersale>", delivery["event_id"].as_str().unwrap()))
        .collect();
    for mail in &mails {
        assert!(event_ids.contains(&mail["message_id"].as_str().unwrap().to_string()));
    }
}

fn mail_subject(mail: &Value) -> String {
    mail["subject"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_customer_gets_a_text_message_through_the_gateway() {
    let app = TestApp::start().await;
    let (url, received, _) = receiver().await;
    let channels = no_email().with_sms(&url, Some("sms-token"));
    app.order("SMS-1").await;
    let case = app.case("SMS-1", "refund_only", "少发一件").await;
    let id = case["id"].as_str().unwrap();
    let (status, _) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let round = run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    assert_eq!((round.sent, round.failed), (2, 0), "{round:?}");
    let got = received.lock().unwrap().clone();
    let texts: Vec<Value> = got
        .iter()
        .map(|(headers, body)| {
            assert_eq!(headers["authorization"], "Bearer sms-token");
            serde_json::from_str(body).unwrap()
        })
        .collect();
    assert_eq!(texts[0]["to"], "13800138000");
    let number = case["number"].as_str().unwrap();
    assert!(texts[0]["text"].as_str().unwrap().contains(number));
    assert!(texts[0]["text"].as_str().unwrap().contains("已收到"));
    assert!(texts[1]["text"].as_str().unwrap().contains("已同意"));
    assert!(
        texts[1]["text"]
            .as_str()
            .unwrap()
            .contains("/portal/shop/enter/")
    );
    assert_ne!(texts[0]["event_id"], texts[1]["event_id"]);
}

#[tokio::test]
async fn the_payment_service_pays_a_refund_and_only_then_is_the_customer_told() {
    let app = TestApp::start().await;
    // The shop's payment service: a webhook endpoint for refund requests, and the secret it
    // signs its answers with.
    let (url, received, _) = receiver().await;
    let (sms_url, texts, _) = receiver().await;
    let channels = no_email().with_sms(&sms_url, None);
    let signing = subscribe(&app, &url, json!(["refund.requested"])).await;
    let (_, mut settings) = app.get("/api/v1/settings", SUPERVISOR).await;
    settings["refunds"] = json!({ "provider": "http" });
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings",
            common::ADMIN,
            Some(settings),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    common::hooks::set_secret(&app, "payments", "pay-secret").await;

    app.order("PAY-1").await;
    let case = app.case("PAY-1", "refund_only", "未收到货").await;
    let id = case["id"].as_str().unwrap();
    app.act(id, AGENT, "approve", json!({})).await;
    let (status, refund) = app.refund(id, "pay-1", json!({})).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{refund}");
    assert_eq!(refund["status"], "processing");
    assert_eq!(refund["provider"], "http");
    let refund_id = refund["id"].as_str().unwrap().to_string();

    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    let requests = received.lock().unwrap().clone();
    assert_eq!(
        requests.len(),
        1,
        "one signed request to the payment service"
    );
    let (headers, body) = &requests[0];
    assert_eq!(headers["x-aftersale-event"], "refund.requested");
    let signature = headers["x-aftersale-signature"].to_str().unwrap();
    let timestamp: i64 = signature.split(',').next().unwrap()[2..].parse().unwrap();
    assert_eq!(
        signature,
        webhook_signature(signing.as_bytes(), timestamp, body.as_bytes())
    );
    let request: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        request["data"]["event"]["data"]["refund_id"],
        refund_id.as_str()
    );
    assert_eq!(request["data"]["event"]["data"]["amount_minor"], 28900);
    assert_eq!(request["data"]["event"]["data"]["currency"], "CNY");
    let told = |texts: &Received| {
        texts
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, body)| body.contains("退款"))
            .count()
    };
    assert_eq!(told(&texts), 0, "nothing said of money not yet out");

    // The payment fails, then goes again and succeeds.
    let answer = |status: &str, extra: Value| {
        let mut body = json!({ "refund_id": refund_id, "status": status });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body.to_string().into_bytes()
    };
    let post = |body: Vec<u8>| {
        let request = app
            .client
            .post(app.url("/hooks/shop/payments"))
            .header(
                "X-Aftersale-Hmac-Sha256",
                common::hooks::signature("pay-secret", &body),
            )
            .body(body);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(
        post(answer("failed", json!({ "reason": "card expired" }))).await,
        reqwest::StatusCode::OK
    );
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert_eq!(refunds["items"][0]["status"], "failed");
    assert_eq!(refunds["items"][0]["failure"], "card expired");
    let (status, retried) = app
        .post(
            &format!("/api/v1/refunds/{refund_id}/retry"),
            AGENT,
            json!({}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{retried}");
    assert_eq!(retried["status"], "processing");
    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    assert_eq!(received.lock().unwrap().len(), 2, "sent again");
    let paid = answer("succeeded", json!({ "reference": "PAY-778899" }));
    assert_eq!(post(paid.clone()).await, reqwest::StatusCode::OK);
    assert_eq!(
        post(paid).await,
        reqwest::StatusCode::OK,
        "a repeated answer"
    );
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert_eq!(refunds["items"][0]["status"], "succeeded");
    assert_eq!(refunds["items"][0]["reference"], "PAY-778899");
    // A paid refund never changes.
    let (status, _) = app
        .post(
            &format!("/api/v1/refunds/{refund_id}/settle"),
            AGENT,
            json!({ "status": "failed", "reason": "oops" }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CONFLICT);
    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    assert_eq!(told(&texts), 1, "told once, when paid");
}
