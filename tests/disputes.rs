//! Disputes (客服介入) walked end to end: the platform's deadlines as clocks (JD's 24 hours and
//! 4 office hours, Taobao's 30-day suspension), each step refused when it does not fit, a ruling
//! for the buyer closed by the refund that carries it out, a ruling for the shop ending the case,
//! and the evidence pack read back (pdftotext, pdfimages, the ZIP's entries).

mod common;

use std::io::Read;
use std::process::Command;

use common::{AGENT, INSPECTOR, TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn tool(name: &str, args: &[&str]) -> String {
    let output = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|error| {
            panic!("{name} is needed for this test (apt install poppler-utils): {error}")
        });
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn jd_order(app: &TestApp, number: &str) {
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": number, "platform": "jd", "placed_at": "2026-11-01 10:00",
                "shipped_at": "2026-11-02 09:00", "delivered_at": "2026-11-03 15:30",
                "customer": { "name": "王小明", "phone": "13800138000" },
                "lines": [
                    { "sku": "EP-1", "product_name": "蓝牙耳机", "quantity": 1, "unit_price_minor": 19900 },
                    { "sku": "TS-2", "product_name": "纯棉T恤", "quantity": 2, "unit_price_minor": 5000, "paid_minor": 9000 }
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn step(app: &TestApp, dispute: &Value, body: Value) -> (StatusCode, Value) {
    let mut body = body;
    body["version"] = dispute["version"].clone();
    app.post(
        &format!("/api/v1/disputes/{}/steps", dispute["id"].as_str().unwrap()),
        AGENT,
        body,
    )
    .await
}

async fn timers(app: &TestApp, case_id: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT state, due_at FROM timers WHERE case_id = $1 AND clock = 'dispute_deadline' ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(&app.database.reader)
    .await
    .unwrap()
}

async fn actions(app: &TestApp, case_id: &str) -> Vec<String> {
    let (_, events) = app
        .get(&format!("/api/v1/cases/{case_id}/events?limit=200"), AGENT)
        .await;
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap().to_string())
        .filter(|action| {
            action.starts_with("dispute_") || action == "escalate" || action == "close"
        })
        .collect()
}

async fn disputes_of(app: &TestApp, case_id: &str) -> Value {
    app.get(&format!("/api/v1/cases/{case_id}/disputes"), AGENT)
        .await
        .1
}

fn micros(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_microsecond()
}

#[tokio::test]
async fn a_jd_dispute_runs_on_the_platforms_clocks_and_the_ruling_is_carried_out() {
    let app = TestApp::start().await;
    jd_order(&app, "JD-5001").await;
    let case = app
        .case("JD-5001", "return_and_refund", "耳机左耳没有声音")
        .await;
    let case_id = case["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{case_id}/disputes");

    // An inspector may not open one; a reason is needed.
    let (status, body) = app.post(&path, INSPECTOR, json!({ "reason": "x" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app.post(&path, AGENT, json!({ "reason": " " })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (status, dispute) = app
        .post(
            &path,
            AGENT,
            json!({ "reason": "买家申请京东客服介入：商品质量问题", "dispute_id": "JDJR-778812",
                    "opened_at": "2026-12-07 10:00" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dispute}");
    assert_eq!(dispute["platform"], "jd");
    assert_eq!(dispute["stage"], "open");
    // CN-P22: 24 hours to settle or give evidence.
    assert_eq!(dispute["due_at"], "2026-12-08T10:00:00+08:00");
    assert_eq!(dispute["due_rule"], "CN-P22");
    let codes: Vec<&str> = dispute["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "order",
            "messages",
            "shipping",
            "photos",
            "return",
            "inspection",
            "documents"
        ]
    );
    let (_, escalated) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_eq!(escalated["status"], "escalated");
    assert_eq!(
        timers(&app, case_id).await,
        [("pending".to_string(), micros("2026-12-08T10:00:00+08:00"))]
    );

    // One open dispute per case.
    let (status, body) = app.post(&path, AGENT, json!({ "reason": "again" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "dispute_open");

    // CN-P23: more evidence within 4 hours counted between 09:00 and 18:00.
    let (status, asked) = step(
        &app,
        &dispute,
        json!({ "step": "evidence_requested", "at": "2026-12-07 14:01" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{asked}");
    assert_eq!(asked["due_at"], "2026-12-08T09:01:00+08:00");
    assert_eq!(asked["due_rule"], "CN-P23");
    assert_eq!(
        timers(&app, case_id).await,
        [("pending".to_string(), micros("2026-12-08T09:01:00+08:00"))],
        "the earlier deadline gave way"
    );
    // The version read is checked; a step that does not fit is refused.
    let (status, body) = step(&app, &dispute, json!({ "step": "answered" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "version_conflict");
    let (status, body) = step(&app, &asked, json!({ "step": "resumed" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "dispute_step_refused");
    let (status, body) = step(&app, &asked, json!({ "step": "decided" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // The shop hands its evidence in: nothing waits on it until the platform rules.
    let (status, answered) = step(
        &app,
        &asked,
        json!({ "step": "answered", "note": "已上传检测报告和物流签收记录" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert!(answered["due_at"].is_null());
    assert!(timers(&app, case_id).await.is_empty());

    // The platform rules for the buyer with a penalty: 24 hours to carry it out (CN-P24).
    let (status, decided) = step(
        &app,
        &answered,
        json!({ "step": "decided", "outcome": "buyer", "penalty_minor": 500, "at": "2026-12-09 11:00" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["stage"], "decided");
    assert_eq!(decided["outcome"], "buyer");
    assert_eq!(decided["penalty_minor"], 500);
    assert_eq!(decided["currency"], "CNY");
    assert_eq!(decided["due_at"], "2026-12-10T11:00:00+08:00");
    assert_eq!(decided["due_rule"], "CN-P24");

    // The shop refunds: the escalated case pays, and the ruling's clock finds it carried out.
    let (status, refund) = app.refund(case_id, "dispute-refund", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    let (_, refunded) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_eq!(refunded["status"], "refunded");
    let fired = aftersale::jobs::run_due(
        &app.database,
        "worker",
        micros("2026-12-10T11:00:00+08:00") + 1,
    )
    .await
    .unwrap();
    assert!(!fired.is_empty(), "{fired:?}");
    let (_, closed) = app
        .get(
            &format!("/api/v1/disputes/{}", dispute["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(closed["stage"], "closed", "{closed}");
    assert_eq!(closed["outcome"], "buyer");
    assert!(closed["appeal_until"].is_string());
    assert_eq!(
        actions(&app, case_id).await,
        [
            "escalate",
            "dispute_opened",
            "dispute_evidence_requested",
            "dispute_answered",
            "dispute_decided",
            "dispute_closed"
        ]
    );
    // Each step left for the shop's connector.
    let topics: Vec<String> = sqlx::query_scalar(
        "SELECT topic FROM outbox WHERE case_id = $1 AND topic LIKE 'dispute.%' ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(&app.database.reader)
    .await
    .unwrap();
    assert_eq!(topics.first().map(String::as_str), Some("dispute.opened"));
    assert_eq!(topics.len(), 5, "{topics:?}");
    let (_, listed) = app.get(&path, AGENT).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_taobao_suspension_resumes_a_missed_deadline_raises_the_priority_and_a_ruling_for_the_shop_ends_the_case()
 {
    let app = TestApp::start().await;
    app.order("TB-7001").await;
    let case = app.case("TB-7001", "refund_only", "没收到货").await;
    let case_id = case["id"].as_str().unwrap();
    let (status, dispute) = app
        .post(
            &format!("/api/v1/cases/{case_id}/disputes"),
            AGENT,
            json!({ "reason": "买家申请淘宝小二介入", "opened_at": "2026-12-07 10:00",
                    "due_at": "2026-12-09 10:00" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dispute}");
    assert_eq!(
        dispute["platform"], "tmall",
        "the order's platform by default"
    );
    assert_eq!(dispute["due_at"], "2026-12-09T10:00:00+08:00");
    assert_eq!(dispute["due_rule"], "the platform's notice");

    // Both ask to negotiate: Taobao waits 30 days (CN-P14), then resumes on its own.
    let (status, suspended) = step(
        &app,
        &dispute,
        json!({ "step": "suspended", "at": "2026-12-07 12:00" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{suspended}");
    assert_eq!(suspended["due_at"], "2027-01-06T12:00:00+08:00");
    assert_eq!(suspended["due_rule"], "CN-P14");
    let resumed_at = micros("2027-01-06T12:00:00+08:00") + 1;
    aftersale::jobs::run_due(&app.database, "worker", resumed_at)
        .await
        .unwrap();
    let dispute_path = format!("/api/v1/disputes/{}", dispute["id"].as_str().unwrap());
    let (_, resumed) = app.get(&dispute_path, AGENT).await;
    assert_eq!(resumed["stage"], "open", "{resumed}");
    let due = resumed["due_at"].as_str().unwrap().to_string();

    // Nobody answers in time: the priority rises, once.
    let (_, before) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    for _ in 0..2 {
        aftersale::jobs::run_due(&app.database, "worker", micros(&due) + 1)
            .await
            .unwrap();
    }
    let (_, after) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_ne!(after["priority"], before["priority"]);
    let trail = actions(&app, case_id).await;
    assert_eq!(
        trail
            .iter()
            .filter(|action| *action == "dispute_deadline_missed")
            .count(),
        1,
        "{trail:?}"
    );

    // The platform rules for the shop: the dispute and the case end; the appeal window opens.
    let (status, ruled) = step(
        &app,
        &resumed,
        json!({ "step": "decided", "outcome": "seller", "note": "买家未能举证", "at": "2027-01-08 09:00" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ruled}");
    assert_eq!(ruled["stage"], "closed");
    assert_eq!(ruled["appeal_until"], "2027-01-15T09:00:00+08:00");
    assert!(ruled["due_at"].is_null());
    let (_, ended) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_eq!(ended["status"], "closed", "{ended}");
    // (The clock's events carry the simulated time of the worker's round, so they sort last.)
    let mut trail = actions(&app, case_id).await;
    trail.sort();
    assert_eq!(
        trail,
        [
            "close",
            "dispute_deadline_missed",
            "dispute_decided",
            "dispute_opened",
            "dispute_resumed",
            "dispute_suspended",
            "escalate"
        ]
    );
    // A closed dispute takes no more steps.
    let (status, body) = step(&app, &ruled, json!({ "step": "answered" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[tokio::test]
async fn the_evidence_pack_is_a_readable_pdf_and_a_zip_of_originals() {
    let app = TestApp::start().await;
    jd_order(&app, "JD-6001").await;
    let case = app
        .case("JD-6001", "return_and_refund", "屏幕有划痕，包装破损")
        .await;
    let case_id = case["id"].as_str().unwrap();
    let number = case["number"].as_str().unwrap();
    let photo = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/photo-with-location.jpg"),
    )
    .unwrap();
    let response = app
        .client
        .post(app.url(&format!(
            "/api/v1/cases/{case_id}/attachments?file_name=划痕.jpg"
        )))
        .bearer_auth(AGENT)
        .header("Content-Type", "image/jpeg")
        .body(photo)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{case_id}/messages"),
            AGENT,
            json!({ "body": "您好，已收到您的反馈，请提供开箱视频。" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A partial refund offered and withdrawn before the goods went back.
    let (status, offer) = app
        .post(
            &format!("/api/v1/cases/{case_id}/offers"),
            AGENT,
            json!({ "amount_minor": 3000, "note": "补偿 30 元，商品不用退回" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{offer}");
    let (status, body) = app
        .post(
            &format!(
                "/api/v1/cases/{case_id}/offers/{}/withdraw",
                offer["id"].as_str().unwrap()
            ),
            AGENT,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.act(case_id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .act(
            case_id,
            AGENT,
            "ship_return",
            json!({ "carrier": "顺丰", "tracking_number": "SF1234567890" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, dispute) = app
        .post(
            &format!("/api/v1/cases/{case_id}/disputes"),
            AGENT,
            json!({ "reason": "买家称商品有划痕，申请京东介入", "dispute_id": "JDJR-9001" }),
        )
        .await;
    let present: Vec<(String, bool)> = dispute["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["code"].as_str().unwrap().to_string(),
                item["present"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(present.contains(&("messages".into(), true)), "{present:?}");
    assert!(present.contains(&("photos".into(), true)), "{present:?}");
    assert!(present.contains(&("return".into(), true)), "{present:?}");
    assert!(
        present.contains(&("inspection".into(), false)),
        "{present:?}"
    );

    let id = dispute["id"].as_str().unwrap();
    let fetch = |format: &'static str| {
        app.client
            .get(app.url(&format!("/api/v1/disputes/{id}/evidence?format={format}")))
            .bearer_auth(AGENT)
            .send()
    };
    let response = fetch("pdf").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap().to_vec();
    let directory =
        std::env::temp_dir().join(format!("evidence-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&directory).unwrap();
    let file = directory.join("evidence.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let file = file.to_str().unwrap();
    let text = tool("pdftotext", &[file, "-"]);
    for expected in [
        "平台介入举证材料",
        "JDJR-9001",
        "CN-P22",
        number,
        "JD-6001",
        "蓝牙耳机",
        "屏幕有划痕，包装破损",
        "请提供开箱视频",
        "SF1234567890",
        "划痕.jpg",
        "材料清单",
        "平台介入",
        "协商记录",
        "部分退款",
    ] {
        assert!(
            text.contains(expected),
            "'{expected}' missing from:\n{text}"
        );
    }
    let images = tool("pdfimages", &["-list", file]);
    assert!(
        images.lines().skip(2).count() >= 1,
        "the photo is in the PDF:\n{images}"
    );

    let response = fetch("zip").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    for expected in [
        format!("evidence-{number}.pdf"),
        "photos/01-划痕.jpg".to_string(),
        "timeline.json".to_string(),
        "messages.json".to_string(),
        "checklist.json".to_string(),
        "negotiation.csv".to_string(),
    ] {
        assert!(names.contains(&expected), "{expected} missing: {names:?}");
    }
    let mut negotiation = String::new();
    archive
        .by_name("negotiation.csv")
        .unwrap()
        .read_to_string(&mut negotiation)
        .unwrap();
    assert!(
        negotiation.starts_with('\u{feff}'),
        "a BOM for spreadsheets"
    );
    assert!(
        negotiation.contains("partial_refund,3000,CNY"),
        "{negotiation}"
    );
    assert!(negotiation.contains("withdrawn"), "{negotiation}");
    let mut timeline = String::new();
    archive
        .by_name("timeline.json")
        .unwrap()
        .read_to_string(&mut timeline)
        .unwrap();
    let timeline: Value = serde_json::from_str(&timeline).unwrap();
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event["action"] == "dispute_opened")
    );

    let (status, body) = app
        .get(&format!("/api/v1/disputes/{id}/evidence?format=doc"), AGENT)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn taobaos_customer_service_state_opens_moves_and_ends_the_dispute() {
    let app = TestApp::start().await;
    app.order("TB-CS1").await;
    let case = app.case("TB-CS1", "refund_only", "没收到货").await;
    let case_id = case["id"].as_str().unwrap();
    let message = |status: &str, version: i64, cs: Value| {
        json!({ "platform": "tmall", "refund_id": "RF-CS1", "order_number": "TB-CS1",
                "status": status, "version": version, "cs_status": cs })
    };

    let (status, body) = app
        .post(
            "/api/v1/aftersales",
            AGENT,
            message("WAIT_SELLER_AGREE", 100, json!(1)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        disputes_of(&app, case_id)
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "1: no intervention"
    );

    // 3 客服已经介入: the dispute opens under the refund's id; a repeat changes nothing.
    for version in [200, 200] {
        app.post(
            "/api/v1/aftersales",
            AGENT,
            message("SELLER_REFUSE_BUYER", version, json!(3)),
        )
        .await;
    }
    let listed = disputes_of(&app, case_id).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["dispute_id"], "RF-CS1");
    assert_eq!(listed[0]["platform"], "tmall");
    assert_eq!(listed[0]["stage"], "open");
    // 10 举证中, then 9 支持卖家: the dispute follows and the case ends.
    app.post(
        "/api/v1/aftersales",
        AGENT,
        message("SELLER_REFUSE_BUYER", 300, json!("10")),
    )
    .await;
    assert_eq!(
        disputes_of(&app, case_id).await[0]["stage"],
        "evidence_requested"
    );
    app.post(
        "/api/v1/aftersales",
        AGENT,
        message("CLOSED", 400, json!("支持卖家")),
    )
    .await;
    let ended = disputes_of(&app, case_id).await;
    assert_eq!(ended[0]["stage"], "closed", "{ended}");
    assert_eq!(ended[0]["outcome"], "seller");
    let (_, case) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_eq!(case["status"], "closed", "{case}");
    // A late message from before changes nothing.
    app.post(
        "/api/v1/aftersales",
        AGENT,
        message("SELLER_REFUSE_BUYER", 250, json!(3)),
    )
    .await;
    assert_eq!(
        disputes_of(&app, case_id).await.as_array().unwrap().len(),
        1
    );
}
