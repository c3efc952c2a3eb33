//! No case waits forever and none says what is not true: each waiting state has a clock that
//! moves the case on exactly once, a customer's answer hands the case back to the shop, and a
//! parcel a person received is no longer "in transit". Time is moved by passing `now` to the
//! workers, never by sleeping.

mod common;

use aftersale::jobs;
use aftersale::operations::clocks::Fired;
use common::{AGENT, TestApp, error_code};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;

fn now() -> i64 {
    aftersale::clock::system_micros()
}

/// What the clocks did at `at`, SLA breaches and skips left out.
async fn run(app: &TestApp, at: i64) -> Vec<Fired> {
    jobs::run_due(&app.database, "worker", at)
        .await
        .unwrap()
        .into_iter()
        .filter(|fired| *fired != Fired::Breached && !matches!(fired, Fired::Skipped(_)))
        .collect()
}

async fn shown(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/cases/{id}"), AGENT).await.1
}

async fn events(app: &TestApp, id: &str, action: &str) -> Vec<Value> {
    let (_, body) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    let list = body["items"].as_array().cloned();
    list.unwrap_or_default()
        .into_iter()
        .filter(|event| event["action"] == action)
        .collect()
}

/// The parcel with this tracking number on the case's order, as the API shows it.
async fn parcel(app: &TestApp, case: &Value, tracking_number: &str) -> Value {
    let order_id = case["order_id"].as_str().unwrap();
    let (_, order) = app.get(&format!("/api/v1/orders/{order_id}"), AGENT).await;
    order["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|parcel| parcel["tracking_number"] == tracking_number)
        .cloned()
        .unwrap_or_else(|| panic!("no parcel {tracking_number}: {order}"))
}

async fn unshipped_order(app: &TestApp, number: &str) {
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": number, "platform": "taobao", "placed_at": "2026-11-20 10:00",
                "customer": { "name": "李雷", "phone": "13900139000" },
                "lines": [{ "sku": "S-1", "product_name": "保温杯", "quantity": 1, "unit_price_minor": 8800 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The customer writes on the case page of the portal, as a customer would.
async fn customer_writes(app: &TestApp, order: &str, phone: &str, number: &str, text: &str) {
    let cookie = app.portal_session(order, phone).await;
    let token = app
        .portal_form_token(&cookie, &format!("/portal/shop/cases/{number}"))
        .await;
    let sent = client()
        .post(app.url(&format!(
            "/portal/shop/cases/{number}/messages?csrf={token}"
        )))
        .header(COOKIE, &cookie)
        .form(&[("body", text)])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_silent_customer_is_reminded_once_then_the_conversation_closes_and_an_answer_hands_it_back()
 {
    let app = TestApp::start().await;
    app.order("LC-1").await;
    let case = app.case("LC-1", "complaint", "客服态度不好").await;
    let (id, number) = (
        case["id"].as_str().unwrap(),
        case["number"].as_str().unwrap(),
    );
    let (status, body) = app.act(id, AGENT, "wait_on_customer", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let start = now();
    assert!(run(&app, start + 47 * HOUR).await.is_empty());
    let reminded = run(&app, start + 49 * HOUR).await;
    assert_eq!(reminded.len(), 1, "{reminded:?}");
    assert!(matches!(&reminded[0], Fired::Waited(words) if words.contains("reminded")));
    assert_eq!(shown(&app, id).await["status"], "waiting_on_customer");
    assert_eq!(events(&app, id, "reminded").await.len(), 1);
    assert!(
        run(&app, start + 60 * HOUR).await.is_empty(),
        "reminded twice"
    );

    // The customer answers: back to the shop, marked, the abandon clock stopped.
    customer_writes(&app, "LC-1", "13800138000", number, "我一直在等你们的答复").await;
    let answered = shown(&app, id).await;
    assert_eq!(answered["status"], "waiting_on_shop");
    assert!(answered["customer_waiting_since"].is_string(), "{answered}");
    let handed_back = events(&app, id, "wait_on_shop").await;
    assert_eq!(handed_back.len(), 1);
    assert_eq!(handed_back[0]["actor_role"], "system");
    assert!(
        run(&app, start + 200 * HOUR).await.is_empty(),
        "{id} closed while the shop owes an answer"
    );

    // Closing over the unanswered message asks first.
    let (status, body) = app.act(id, AGENT, "resolve", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "customer_unanswered");
    // The shop answers and waits again; silence this time ends the conversation.
    let (status, _) = app
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            AGENT,
            json!({ "body": "已为您核实，请问还需要什么帮助？" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(shown(&app, id).await["customer_waiting_since"].is_null());
    let (status, body) = app.act(id, AGENT, "wait_on_customer", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let again = now();
    assert_eq!(run(&app, again + 49 * HOUR).await.len(), 1);
    assert!(run(&app, again + 49 * HOUR + 71 * HOUR).await.is_empty());
    let closed = run(&app, again + 49 * HOUR + 73 * HOUR).await;
    assert_eq!(
        closed,
        vec![Fired::Acted(vec![
            aftersale::domain::Action::Resolve,
            aftersale::domain::Action::Close
        ])]
    );
    assert_eq!(shown(&app, id).await["status"], "closed");
    assert!(
        run(&app, again + 60 * DAY).await.is_empty(),
        "moved on twice"
    );
    assert_eq!(events(&app, id, "close").await.len(), 1);
}

#[tokio::test]
async fn an_agreed_refund_is_paid_and_the_case_closes_a_week_later_once() {
    let app = TestApp::start().await;
    unshipped_order(&app, "LC-2").await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "LC-2", "kind": "refund_only", "reason_code": "no_reason",
                    "description": "不想要了", "lines": [{ "line_number": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();
    let (status, body) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let clock = body["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|clock| clock["clock"] == "approved_not_refunded")
        .cloned();
    assert!(clock.is_some(), "an approved refund has a clock: {body}");
    let start = now();
    assert!(run(&app, start + 23 * HOUR).await.is_empty());
    assert_eq!(
        run(&app, start + 25 * HOUR).await,
        vec![Fired::Acted(vec![aftersale::domain::Action::Refund])]
    );
    assert_eq!(shown(&app, id).await["status"], "refunded");
    assert!(run(&app, start + (25 + 167) * HOUR).await.is_empty());
    // The shop pays by hand (the `manual` provider): until it says so, the case stays open.
    let put_off = run(&app, start + (25 + 169) * HOUR).await;
    assert!(
        matches!(put_off.as_slice(), [Fired::Waited(words)] if words.contains("not paid")),
        "{put_off:?}"
    );
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    let refunds = refunds["items"].as_array().cloned().unwrap();
    let refund_id = refunds[0]["id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/refunds/{refund_id}/settle"),
            common::SUPERVISOR,
            json!({ "status": "succeeded", "reference": "BANK-LC2" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Everything went back: another refund says so in words.
    let (status, body) = app.refund(id, "again-LC2", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "nothing_left_to_refund");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nothing is left to refund")
    );
    assert_eq!(
        run(&app, start + (25 + 169 + 25) * HOUR).await,
        vec![Fired::Acted(vec![aftersale::domain::Action::Close])]
    );
    let closed = shown(&app, id).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["clocks"], json!([]));
    let close = events(&app, id, "close").await;
    assert_eq!(close.len(), 1);
    assert_eq!(close[0]["actor_role"], "system");
    assert!(run(&app, start + 90 * DAY).await.is_empty());
}

#[tokio::test]
async fn an_outcome_is_not_closed_while_the_customer_waits_for_an_answer() {
    let app = TestApp::start().await;
    app.order("LC-3").await;
    let case = app.case("LC-3", "consultation", "发票怎么开").await;
    let (id, number) = (
        case["id"].as_str().unwrap(),
        case["number"].as_str().unwrap(),
    );
    let (status, _) = app.act(id, AGENT, "resolve", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let start = now();
    customer_writes(
        &app,
        "LC-3",
        "13800138000",
        number,
        "还有一个问题：能开专票吗？",
    )
    .await;
    let put_off = run(&app, start + 169 * HOUR).await;
    assert!(
        matches!(put_off.as_slice(), [Fired::Waited(words)] if words.contains("unanswered")),
        "{put_off:?}"
    );
    assert_eq!(shown(&app, id).await["status"], "resolved");
    // Closing by hand asks first, and goes ahead when told to.
    let (status, body) = app.act(id, AGENT, "close", json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "customer_unanswered".to_string())
    );
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            AGENT,
            json!({ "body": "可以，请在订单页申请。" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        run(&app, start + 194 * HOUR).await,
        vec![Fired::Acted(vec![aftersale::domain::Action::Close])]
    );
    assert_eq!(shown(&app, id).await["status"], "closed");
}

#[tokio::test]
async fn closing_anyway_over_an_unanswered_message_is_possible_when_said() {
    let app = TestApp::start().await;
    app.order("LC-4").await;
    let case = app.case("LC-4", "complaint", "物流太慢").await;
    let (id, number) = (
        case["id"].as_str().unwrap(),
        case["number"].as_str().unwrap(),
    );
    customer_writes(&app, "LC-4", "13800138000", number, "谢谢，已经收到了").await;
    let (status, body) = app
        .act(id, AGENT, "resolve", json!({ "close_unanswered": true }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "resolved");
}

#[tokio::test]
async fn an_exchange_return_that_never_arrives_is_chased_and_a_received_parcel_raises_no_alarm() {
    let app = TestApp::start().await;
    app.order("LC-5").await;
    let case = app.case("LC-5", "exchange", "尺码不对").await;
    let id = case["id"].as_str().unwrap();
    app.act(id, AGENT, "approve", json!({})).await;
    let (status, body) = app
        .act(
            id,
            AGENT,
            "ship_return",
            json!({ "carrier": "顺丰", "tracking_number": "SFLC5" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let start = now();
    assert!(run(&app, start + 239 * HOUR).await.is_empty());
    let chased = run(&app, start + 241 * HOUR).await;
    assert!(
        matches!(chased.as_slice(), [Fired::Waited(words)] if words.contains("follow-up")),
        "{chased:?}"
    );
    let (_, tasks) = app.get("/api/v1/follow-ups", AGENT).await;
    let tasks = tasks["items"].as_array().cloned().unwrap();
    let chase: Vec<&Value> = tasks
        .iter()
        .filter(|task| task["kind"] == "return_not_arrived")
        .collect();
    assert_eq!(chase.len(), 1, "{tasks:?}");
    assert_eq!(chase[0]["case_id"], id);
    assert_eq!(events(&app, id, "return_not_arrived").await.len(), 1);
    assert!(
        run(&app, start + 400 * HOUR).await.is_empty(),
        "chased twice"
    );

    // Received by hand: the parcel is delivered, and the parcel watch leaves it alone.
    let (status, body) = app.act(id, AGENT, "receive", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let parcel = parcel(&app, &case, "SFLC5").await;
    assert_eq!(parcel["status"], "delivered", "{parcel}");
    let opened = aftersale::operations::parcels::sweep(&app.database, start + 30 * DAY)
        .await
        .unwrap();
    let (_, tasks) = app.get("/api/v1/follow-ups", AGENT).await;
    let parcel_tasks = tasks["items"].as_array().cloned().unwrap();
    assert_eq!(opened, 0, "{parcel_tasks:?}");
}

#[tokio::test]
async fn a_repaired_item_confirmed_by_the_clock_is_delivered_and_closes() {
    let app = TestApp::start().await;
    app.order("LC-6").await;
    let case = app.case("LC-6", "repair", "开不了机").await;
    let id = case["id"].as_str().unwrap();
    for (action, extra) in [
        ("approve", json!({})),
        ("receive", json!({})),
        ("diagnose", json!({})),
        ("mark_repaired", json!({})),
        (
            "ship_back",
            json!({ "carrier": "中通", "tracking_number": "ZTLC6" }),
        ),
    ] {
        let (status, body) = app.act(id, AGENT, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    // The customer sees the repaired item's parcel on the case page.
    let cookie = app.portal_session("LC-6", "13800138000").await;
    let html = client()
        .get(app.url(&format!(
            "/portal/shop/cases/{}",
            case["number"].as_str().unwrap()
        )))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("寄给您的包裹")
            && html.contains("中通")
            && html.contains("ZTLC6")
            && html.contains("运输中"),
        "{html}"
    );
    let start = now();
    assert_eq!(
        run(&app, start + 241 * HOUR).await,
        vec![Fired::Acted(vec![
            aftersale::domain::Action::ConfirmDelivery,
            aftersale::domain::Action::Close
        ])]
    );
    let parcel = parcel(&app, &case, "ZTLC6").await;
    assert_eq!(parcel["status"], "delivered");
    assert_eq!(
        aftersale::operations::parcels::sweep(&app.database, start + 40 * DAY)
            .await
            .unwrap(),
        0
    );
}

/// The demo tells a true story: each reason fits its product and kind, a parcel each way at
/// most, cases overdue and customers waiting for an answer, and once the workers run, the SLA
/// breaches and the follow-ups of returns that never arrived — so every view has something.
#[tokio::test]
async fn the_demo_shows_something_true_in_every_view() {
    let app = TestApp::start().await;
    aftersale::demo::load(&app.database).await.unwrap();
    let reader = &app.database.reader;
    let demo = "JOIN shops s ON s.id = c.shop_id WHERE s.slug = 'demo'";
    // What does not fit: a size on a kettle, a repair of a T-shirt.
    let misfits: Vec<(String, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.kind, c.reason_code, l.product_name FROM cases c \
         JOIN case_lines cl ON cl.case_id = c.id JOIN order_lines l ON l.id = cl.order_line_id {demo} \
         AND ((c.reason_code = 'size_colour' AND l.sku NOT IN ('TS-032', 'SH-420')) \
           OR (c.kind IN ('repair') AND l.sku IN ('TS-032', 'SH-420')) \
           OR (c.kind = 'exchange' AND c.reason_code NOT IN ('size_colour', 'wrong_item', 'quality')))"
    )))
    .fetch_all(reader)
    .await
    .unwrap();
    assert!(misfits.is_empty(), "{misfits:?}");
    let doubled: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT case_id, direction FROM shipments WHERE case_id IS NOT NULL \
         GROUP BY case_id, direction HAVING COUNT(*) > 1) doubled",
    )
    .fetch_one(reader)
    .await
    .unwrap();
    assert_eq!(doubled, 0, "a case with two parcels the same way");
    let count = |condition: &str| {
        let sql = format!("SELECT COUNT(*) FROM cases c {demo} AND {condition}");
        async move {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .fetch_one(reader)
                .await
                .unwrap()
        }
    };
    let now = now();
    assert!(
        count(&format!("c.is_open = 1 AND c.due_at < {now}")).await >= 3,
        "overdue"
    );
    // The "due soon" view: due within a day, or overdue (which of the fresh cases fall within
    // a day depends on the working calendar and today's weekday).
    assert!(
        count(&format!("c.is_open = 1 AND c.due_at < {}", now + 24 * HOUR)).await >= 3,
        "due soon"
    );
    assert!(
        count("c.customer_waiting_since IS NOT NULL").await >= 2,
        "customers waiting"
    );
    let articles: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE status = 'published'")
            .fetch_one(reader)
            .await
            .unwrap();
    assert_eq!(articles, 14, "the help centre's starter articles");
    // The workers' first round: the overdue first answers are breaches, the lost returns
    // follow-ups.
    jobs::run_due(&app.database, "worker", now).await.unwrap();
    aftersale::operations::parcels::sweep(&app.database, now)
        .await
        .unwrap();
    assert!(
        count("c.sla_breached IS NOT NULL").await >= 3,
        "SLA breaches"
    );
    let tasks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follow_ups")
        .fetch_one(reader)
        .await
        .unwrap();
    assert!(tasks >= 2, "{tasks} follow-ups");
}

/// A month of the demo shop with nobody at work: every clock fires when due and the parcel watch
/// runs every six hours. No closed case gets a parcel follow-up, no delivered parcel is chased,
/// and nothing the system does is said twice.
#[tokio::test]
async fn a_simulated_month_of_the_demo_shop_raises_no_false_alarm_and_says_nothing_twice() {
    let app = TestApp::start().await;
    aftersale::demo::load(&app.database).await.unwrap();
    let start = now();
    let mut fired = 0;
    for step in 0..(30 * 4) {
        let at = start + step * 6 * HOUR;
        fired += jobs::run_due(&app.database, "worker", at)
            .await
            .unwrap()
            .len();
        aftersale::operations::parcels::sweep(&app.database, at)
            .await
            .unwrap();
    }
    let reader = &app.database.reader;
    let tasks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follow_ups")
        .fetch_one(reader)
        .await
        .unwrap();
    let on_ended: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM follow_ups f JOIN cases c ON c.id = f.case_id \
         WHERE c.ended_at IS NOT NULL AND c.ended_at <= f.created_at",
    )
    .fetch_one(reader)
    .await
    .unwrap();
    let on_delivered: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM follow_ups f JOIN shipments s ON s.id = f.shipment_id \
         WHERE s.delivered_at IS NOT NULL AND s.delivered_at <= f.created_at",
    )
    .fetch_one(reader)
    .await
    .unwrap();
    assert_eq!(on_ended, 0, "follow-ups for cases already ended");
    assert_eq!(on_delivered, 0, "follow-ups for parcels already delivered");

    // Everything the system said, by case and what it said.
    let rows: Vec<(Option<String>, String, String)> =
        sqlx::query_as("SELECT case_id, topic, payload FROM outbox")
            .fetch_all(reader)
            .await
            .unwrap();
    let mut said = std::collections::HashMap::new();
    for (case_id, topic, payload) in &rows {
        let payload: Value = serde_json::from_str(payload).unwrap();
        if payload["actor_role"] != "system" && !payload["parcel"].is_object() {
            continue;
        }
        // One notice per breached target, per parcel and concern, per move.
        let what = format!(
            "{topic} {} {} {} {} {}",
            payload["action"],
            payload["to_status"],
            payload["data"]["target"],
            payload["parcel"]["tracking_number"],
            payload["data"]["shipment"]["tracking_number"],
        );
        *said.entry((case_id.clone(), what)).or_insert(0) += 1;
    }
    let repeated: Vec<_> = said.iter().filter(|(_, count)| **count > 1).collect();
    assert!(repeated.is_empty(), "said more than once: {repeated:?}");
    let still_open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c JOIN shops s ON s.id = c.shop_id WHERE s.slug = 'demo' AND c.is_open = 1",
    )
    .fetch_one(reader)
    .await
    .unwrap();
    println!(
        "a month of the demo shop: {fired} clocks fired, {tasks} follow-up tasks, {} system notices, {still_open} cases still open",
        said.len()
    );
}

/// A refund topped up moves the close to a week after the last refund: one clock runs, moved
/// rather than doubled, and the case closes once.
#[tokio::test]
async fn a_topped_up_refund_moves_the_close_to_a_week_after_the_last_refund() {
    let app = TestApp::start().await;
    app.order("LC-7").await;
    let case = app.case("LC-7", "refund_only", "少发了配件").await;
    let id = case["id"].as_str().unwrap();
    let (status, body) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let settle = |refund: Value| {
        let app = &app;
        async move {
            let refund_id = refund["id"].as_str().unwrap().to_string();
            let (status, body) = app
                .post(
                    &format!("/api/v1/refunds/{refund_id}/settle"),
                    common::SUPERVISOR,
                    json!({ "status": "succeeded", "reference": format!("BANK-{refund_id}") }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    let part = json!({ "lines": [{ "line_number": 1, "amount_minor": 5000 }] });
    let (status, first) = app.refund(id, "lc7-1", part.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    settle(first).await;
    let first_close = shown(&app, id).await["clocks"][0]["fires_at"].clone();
    // The shop pays some more: the close moves with it.
    let (status, second) = app.refund(id, "lc7-2", part).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    settle(second).await;
    let clocks = shown(&app, id).await["clocks"].clone();
    let closes: Vec<&Value> = clocks
        .as_array()
        .unwrap()
        .iter()
        .filter(|clock| clock["clock"] == "auto_close")
        .collect();
    assert_eq!(closes.len(), 1, "{clocks}");
    assert!(closes[0]["fires_at"].as_str() >= first_close.as_str());
    let start = now();
    assert!(run(&app, start + 167 * HOUR).await.is_empty());
    assert_eq!(
        run(&app, start + 169 * HOUR).await,
        vec![Fired::Acted(vec![aftersale::domain::Action::Close])]
    );
    assert!(run(&app, start + 60 * DAY).await.is_empty(), "closed twice");
    assert_eq!(events(&app, id, "close").await.len(), 1);
}
