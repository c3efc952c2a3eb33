//! The platforms' after-sales records mirrored (docs/PLATFORMS.md, "Refund states"): a Taobao
//! refund's every message replayed out of order and twice ends where the platform ended, linked
//! to the order's open case; Pinduoduo's numeric statuses; bad messages are refused with the
//! field; simultaneous first messages make one record.

mod common;

use common::{AGENT, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn taobao(status: &str, version: i64) -> Value {
    json!({
        "platform": "taobao", "refund_id": "RF-1001", "order_number": "TB-A1",
        "status": status, "version": version, "phase": "aftersale",
        "refund_fee": "199.00", "timeout": "2026-12-08 10:00:00"
    })
}

async fn post(app: &TestApp, message: Value) -> (StatusCode, Value) {
    app.post("/api/v1/aftersales", AGENT, message).await
}

#[tokio::test]
async fn a_taobao_refund_replayed_out_of_order_and_twice_ends_where_the_platform_ended() {
    let app = TestApp::start().await;
    app.order("TB-A1").await;
    let case = app.case("TB-A1", "return_and_refund", "耳机没有声音").await;
    let sequence = [
        ("WAIT_SELLER_AGREE", 100),
        ("SELLER_REFUSE_BUYER", 200),
        ("WAIT_SELLER_AGREE", 300),
        ("WAIT_BUYER_RETURN_GOODS", 400),
        ("WAIT_SELLER_CONFIRM_GOODS", 500),
        ("SUCCESS", 600),
    ];
    let arrival = [4, 0, 5, 2, 5, 1, 3, 0];
    let mut outcomes = Vec::new();
    let mut last = Value::Null;
    for index in arrival {
        let (status, record) = post(&app, taobao(sequence[index].0, sequence[index].1)).await;
        assert_eq!(status, StatusCode::OK, "{record}");
        outcomes.push(record["outcome"].as_str().unwrap().to_string());
        last = record;
    }
    assert_eq!(
        outcomes,
        [
            "applied",
            "older",
            "applied",
            "older",
            "duplicate",
            "older",
            "older",
            "older"
        ]
    );
    assert_eq!(last["stage"], "refunded");
    assert_eq!(last["platform_status"], "SUCCESS");
    assert_eq!(last["version"], 600);
    assert_eq!(last["amount_minor"], 19900);
    assert_eq!(last["deadline_at"], "2026-12-08T10:00:00+08:00");
    assert_eq!(last["case_id"], case["id"]);
    assert!(last["todo"].is_null(), "{last}");

    let (_, shown) = app
        .get(
            &format!("/api/v1/aftersales/{}", last["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(shown["messages"].as_array().unwrap().len(), arrival.len());

    // The same messages in the platform's order end in the same place.
    for (status, version) in sequence {
        let mut message = taobao(status, version);
        message["refund_id"] = json!("RF-1002");
        let (code, record) = post(&app, message).await;
        assert_eq!(code, StatusCode::OK, "{record}");
        assert_eq!(record["outcome"], "applied");
        last = record;
    }
    assert_eq!(
        (last["stage"].clone(), last["version"].clone()),
        (json!("refunded"), json!(600))
    );

    // The case's timeline shows the record's moves (not the stale or repeated messages).
    let (_, events) = app
        .get(
            &format!(
                "/api/v1/cases/{}/events?limit=100",
                case["id"].as_str().unwrap()
            ),
            AGENT,
        )
        .await;
    let moves: Vec<String> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["action"] == "platform_aftersale")
        .map(|event| event["data"]["stage"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        moves.iter().filter(|stage| *stage == "refunded").count(),
        2,
        "{moves:?}"
    );
    assert_eq!(moves.len(), 2 + sequence.len(), "{moves:?}");
    // Each move leaves for the shop's connector as a webhook topic of its own.
    let outgoing: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE case_id = $1 AND topic = 'aftersale.updated'",
    )
    .bind(case["id"].as_str().unwrap())
    .fetch_one(&app.database.reader)
    .await
    .unwrap();
    assert_eq!(outgoing as usize, moves.len());
}

#[tokio::test]
async fn pinduoduo_statuses_are_numbers_and_bad_messages_name_their_field() {
    let app = TestApp::start().await;
    app.order("PDD-1").await;
    let message = |status: Value, version: i64| {
        json!({ "platform": "pinduoduo", "refund_id": "9001", "order_number": "PDD-1",
                "status": status, "version": version })
    };
    let (status, record) = post(&app, message(json!(7), 1_764_900_000)).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["stage"], "awaiting_return");
    let (_, record) = post(&app, message(json!("10"), 1_764_990_000)).await;
    assert_eq!(record["stage"], "refunded");
    // The order had no case: the record's first message opened one, a return (the platform
    // waited for the goods), which the record stays linked to.
    let case_id = record["case_id"]
        .as_str()
        .expect("a case opened")
        .to_string();
    let (_, case) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_eq!(case["kind"], "return_and_refund", "{case}");
    assert_eq!(case["channel"], "pinduoduo");

    for (body, field) in [
        (message(json!(99), 1), "status"),
        (
            json!({ "platform": "ebay", "refund_id": "1", "order_number": "PDD-1", "status": "x", "version": 1 }),
            "platform",
        ),
        (
            json!({ "platform": "taobao", "refund_id": "1", "order_number": "NOPE", "status": "SUCCESS", "version": 1 }),
            "order_number",
        ),
        (
            json!({ "platform": "taobao", "refund_id": "1", "order_number": "PDD-1", "status": "SUCCESS", "version": 1, "phase": "later" }),
            "phase",
        ),
    ] {
        let (status, error) = post(&app, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert_eq!(error["error"]["details"]["field"], field, "{error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_first_messages_make_one_record() {
    let app = TestApp::start().await;
    app.order("TB-A1").await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let client = app.client.clone();
        let url = app.url("/api/v1/aftersales");
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(AGENT)
                .json(&taobao("WAIT_SELLER_AGREE", 100))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            (status, body["id"].as_str().unwrap_or_default().to_string())
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        let (status, id) = task.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM aftersales")
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

async fn deadline_timers(app: &TestApp, case_id: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT state, due_at FROM timers WHERE case_id = $1 AND clock = 'platform_deadline' ORDER BY created_at",
    )
    .bind(case_id)
    .fetch_all(&app.database.reader)
    .await
    .unwrap()
}

async fn missed_events(app: &TestApp, case_id: &str) -> usize {
    let (_, events) = app
        .get(&format!("/api/v1/cases/{case_id}/events?limit=100"), AGENT)
        .await;
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["action"] == "platform_deadline_missed")
        .count()
}

#[tokio::test]
async fn the_platform_deadline_is_a_clock_that_fires_once_unless_the_record_moves_on() {
    let app = TestApp::start().await;
    app.order("TB-D1").await;
    let case = app.case("TB-D1", "return_and_refund", "尺码不合适").await;
    let case_id = case["id"].as_str().unwrap();
    let due = common::now() + 3_600_000_000;
    let timeout = jiff::Timestamp::from_microsecond(due).unwrap().to_string();
    let message = |status: &str, version: i64| {
        json!({ "platform": "tmall", "refund_id": "RF-D1", "order_number": "TB-D1",
                "status": status, "version": version, "timeout": timeout })
    };
    let (status, record) = post(&app, message("WAIT_SELLER_AGREE", 100)).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["todo"]["code"], "answer_request", "{record}");
    assert_eq!(record["todo"]["due_at"], record["deadline_at"]);
    assert_eq!(
        deadline_timers(&app, case_id).await,
        vec![("pending".to_string(), due)]
    );
    // The case moving in our system does not stop the platform's deadline.
    let (status, body) = app.act(case_id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(deadline_timers(&app, case_id).await.len(), 1);

    let fired = aftersale::jobs::run_due(&app.database, "worker", due + 1)
        .await
        .unwrap();
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(missed_events(&app, case_id).await, 1);
    let (_, after) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_ne!(after["priority"], case["priority"], "{after}");
    // Once: a later round finds nothing to fire.
    let again = aftersale::jobs::run_due(&app.database, "worker", due + 60_000_000)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(missed_events(&app, case_id).await, 1);

    // A record the shop answered in time: its deadline goes with the newer message.
    app.order("TB-D2").await;
    let other = app.case("TB-D2", "refund_only", "未发货").await;
    let other_id = other["id"].as_str().unwrap();
    let message = |status: &str, version: i64| {
        json!({ "platform": "taobao", "refund_id": "RF-D2", "order_number": "TB-D2",
                "status": status, "version": version, "timeout": timeout })
    };
    post(&app, message("WAIT_SELLER_AGREE", 100)).await;
    assert_eq!(deadline_timers(&app, other_id).await.len(), 1);
    post(&app, message("SUCCESS", 200)).await;
    assert!(deadline_timers(&app, other_id).await.is_empty());
    aftersale::jobs::run_due(&app.database, "worker", due + 1)
        .await
        .unwrap();
    assert_eq!(missed_events(&app, other_id).await, 0);
}

#[tokio::test]
async fn a_refund_the_buyer_opened_on_the_platform_opens_a_case_once() {
    let app = TestApp::start().await;
    app.order("TB-N1").await;
    let message = |status: &str, version: i64| {
        json!({ "platform": "taobao", "refund_id": "RF-N1", "order_number": "TB-N1",
                "status": status, "version": version, "has_good_return": false,
                "reason": "不想要了", "refund_fee": "289.00" })
    };
    let (status, record) = post(&app, message("WAIT_SELLER_AGREE", 100)).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    let case_id = record["case_id"]
        .as_str()
        .expect("a case opened")
        .to_string();
    let (_, case) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_eq!(case["kind"], "refund_only");
    assert_eq!(case["description"], "淘宝/天猫退款 RF-N1：不想要了");
    // The same first message again (a connector's retry) opens no second case.
    let (_, again) = post(&app, message("WAIT_SELLER_AGREE", 100)).await;
    assert_eq!(again["outcome"], "duplicate");
    assert_eq!(again["case_id"], record["case_id"]);
    let (_, cases) = app.get("/api/v1/orders/TB-N1/cases", AGENT).await;
    assert_eq!(cases["items"].as_array().unwrap().len(), 1, "{cases}");

    // A record first heard of when it is already over opens nothing.
    app.order("TB-N2").await;
    let mut over = message("CLOSED", 100);
    over["refund_id"] = json!("RF-N2");
    over["order_number"] = json!("TB-N2");
    let (_, record) = post(&app, over).await;
    assert!(record["case_id"].is_null(), "{record}");
}

#[tokio::test]
async fn a_refund_asked_before_shipping_cannot_be_refused() {
    let app = TestApp::start().await;
    // Not shipped yet: no shipped_at on the order.
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": "TB-S1", "platform": "taobao", "placed_at": "2026-12-01 10:00",
                "customer": { "name": "王小明", "phone": "13800138000" },
                "lines": [{ "sku": "EP-1", "product_name": "蓝牙耳机", "quantity": 1, "unit_price_minor": 19900 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let message = json!({ "platform": "taobao", "refund_id": "RF-S1", "order_number": "TB-S1",
        "status": "WAIT_SELLER_AGREE", "version": 100, "phase": "onsale", "has_good_return": false });
    let (_, record) = post(&app, message).await;
    let case_id = record["case_id"].as_str().unwrap().to_string();
    let (status, body) = app
        .act(&case_id, AGENT, "reject", json!({ "reason": "已经发货" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "platform_forbids_refusal");
    assert_eq!(body["error"]["details"]["refund_id"], "RF-S1");
    // Agreeing is what is left.
    let (status, body) = app.act(&case_id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_taobao_refund_export_is_read_row_by_row_as_messages() {
    let app = TestApp::start().await;
    app.order("TB-E1").await;
    app.order("TB-E2").await;
    let csv = "退款编号,订单编号,支付宝交易号,订单付款时间,商品编码,退款完结时间,买家实际支付金额,宝贝标题,买家退款金额,手工退款/系统退款,是否需要退货,退款的申请时间,退款状态,货物状态,发货物流信息,客服介入状态,卖家真实姓名,买家退款原因,买家退款说明,部分退款/全部退款\r\n\
=\"RF-E1\",=\"TB-E1\",2026112022001,2026-11-01 10:01:00,EP-1,2026-11-06 12:00:00,199.00,蓝牙耳机,199.00,系统退款,否,2026-11-05 09:00:00,退款成功,买家已收到货,,未介入,,质量问题,,全部退款\r\n\
=\"RF-E2\",=\"TB-E2\",2026112022002,2026-11-01 10:01:00,TS-2,,90.00,纯棉T恤,45.00,系统退款,否,2026-11-05 10:00:00,买家已经申请退款，等待卖家同意,买家已收到货,,未介入,,不想要了,,部分退款\r\n\
=\"RF-E3\",=\"NO-SUCH\",2026112022003,2026-11-01 10:01:00,X-1,,9.90,杯子,9.90,系统退款,否,2026-11-05 11:00:00,退款成功,,,未介入,,,,全部退款\r\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(csv);
    let send = || {
        app.client
            .post(app.url("/api/v1/aftersales/import"))
            .bearer_auth(AGENT)
            .header("content-type", "text/csv")
            .body(bytes.to_vec())
            .send()
    };
    let response = send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["rows"], 3, "{report}");
    assert_eq!(report["applied"], 2, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(errors[0]["row"], 4);
    assert_eq!(errors[0]["refund_id"], "RF-E3");
    // The open request opened a refund-only case on its order; the finished one none.
    let (_, cases) = app.get("/api/v1/orders/TB-E2/cases", AGENT).await;
    let opened = &cases["items"][0];
    assert_eq!(opened["kind"], "refund_only", "{cases}");
    let (_, none) = app.get("/api/v1/orders/TB-E1/cases", AGENT).await;
    assert!(none["items"].as_array().unwrap().is_empty(), "{none}");
    // The same export again changes nothing.
    let again: Value = send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (again["applied"].clone(), again["unchanged"].clone()),
        (json!(0), json!(2)),
        "{again}"
    );
}

#[tokio::test]
async fn douyin_and_wechat_records_are_mirrored_and_wechats_overdue_state_fires_at_once() {
    let app = TestApp::start().await;
    app.order("DY-1").await;
    let case = app.case("DY-1", "return_and_refund", "质量问题").await;
    let douyin = |status: i64, version: i64, arbitration: Option<i64>| {
        json!({ "platform": "douyin", "refund_id": "DY-AS-1", "order_number": "DY-1",
                "status": status, "version": version, "cs_status": arbitration })
    };
    for (status, version, arbitration, stage) in [
        (6, 100, None, "awaiting_shop"),
        (7, 200, None, "awaiting_return"),
        (11, 300, None, "awaiting_receipt"),
        (29, 400, Some(1), "refused_by_shop"),
    ] {
        let (code, record) = post(&app, douyin(status, version, arbitration)).await;
        assert_eq!(code, StatusCode::OK, "{record}");
        assert_eq!(record["stage"], stage, "{record}");
        assert_eq!(record["case_id"], case["id"]);
    }
    // 仲裁 1 (客服处理中): the case's dispute opened under the record's id.
    let (_, disputes) = app
        .get(
            &format!("/api/v1/cases/{}/disputes", case["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(disputes[0]["dispute_id"], "DY-AS-1", "{disputes}");
    assert_eq!(disputes[0]["platform"], "douyin");

    app.order("WX-1").await;
    let other = app.case("WX-1", "refund_only", "未收到货").await;
    let other_id = other["id"].as_str().unwrap();
    let (code, record) = post(
        &app,
        json!({ "platform": "wechat", "refund_id": "WX-AS-1", "order_number": "WX-1",
                "status": "MERCHANT_OVERDUE_REFUND", "version": 1733400000 }),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{record}");
    assert_eq!(record["stage"], "awaiting_shop");
    assert!(
        record["deadline_at"].is_string(),
        "overdue: the deadline is now"
    );
    aftersale::jobs::run_due(&app.database, "worker", common::now() + 1_000_000)
        .await
        .unwrap();
    assert_eq!(missed_events(&app, other_id).await, 1);
    let (code, body) = post(
        &app,
        json!({ "platform": "wechat", "refund_id": "WX-AS-1", "order_number": "WX-1",
                "status": "SOMETHING_ELSE", "version": 1733400001 }),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
