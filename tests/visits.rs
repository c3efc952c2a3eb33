//! Follow-up visits end to end: the shop's rules (a delivered order above an amount, a closed
//! repair, VIP customers every 90 days) made into visits once each by the hourly sweep, with the
//! script filled in and a due date; an outcome recorded (not reached: tried again tomorrow until
//! the attempts are used; an issue found opens a case; a stale version is refused); tiers set by
//! the API and from a member file. SQLite here, PostgreSQL with TEST_DATABASE_URL.

mod common;

use aftersale::clock::system_micros as now_micros;
use common::{AGENT, SUPERVISOR, TestApp, error_code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000_000;

fn at(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .unwrap()
        .to_string()
}

/// An order delivered `days` ago for 138000000{n}; its body.
async fn delivered(app: &TestApp, number: &str, n: u32, price: i64, days: i64) -> Value {
    let delivered = now_micros() - days * 24 * HOUR;
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": number, "platform": "tmall",
                "placed_at": at(delivered - 72 * HOUR), "delivered_at": at(delivered),
                "customer": { "name": format!("客户{n}"), "phone": format!("1380000{n:04}") },
                "lines": [{ "sku": "TV-1", "product_name": "电视机", "quantity": 1, "unit_price_minor": price }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn open_visits(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get("/api/v1/visits?limit=200", AGENT).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn rules_make_visits_once_and_outcomes_close_them_or_open_a_case() {
    let app = TestApp::start().await;
    let rules = json!({ "visits": { "attempts": 2, "rules": [
        { "name": "大件签收回访", "trigger": "delivered", "min_order_minor": 100000, "after_days": 3, "due_days": 2,
          "script": "{customer_name}您好，{order_number}的{product}安装使用还顺利吗？—{shop_name}" },
        { "name": "VIP 关怀", "trigger": "cadence", "tiers": ["vip"], "every_days": 90,
          "script": "{customer_name}您好，我们是{shop_name}的专属客服。" }
    ]}});
    let (status, body) = app
        .call(Method::PATCH, "/api/v1/settings", SUPERVISOR, Some(rules))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({ "visits": { "rules": [{ "name": "x", "trigger": "cadence", "script": "hi" }] } })),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a cadence without tiers: {body}"
    );

    // Big and delivered four days ago: visited. Small, or delivered yesterday: not (yet).
    let big = delivered(&app, "V-1", 1, 299_900, 4).await;
    delivered(&app, "V-2", 2, 9_900, 4).await;
    delivered(&app, "V-3", 3, 299_900, 1).await;
    // A VIP customer, set by the API; another by a member file.
    let vip = big["order"]["customer_id"].as_str().unwrap().to_string();
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/api/v1/customers/{vip}/tier"),
            AGENT,
            Some(json!({ "tier": "VIP" })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/api/v1/customers/{vip}/tier"),
            AGENT,
            Some(json!({ "tier": "金 牌" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let members = "手机号,会员等级\n13800000002,vip\n13900009999,vip\n13800000003,金 牌\n";
    let response = app
        .client
        .post(app.url("/api/v1/customers/tiers"))
        .bearer_auth(AGENT)
        .header("content-type", "text/csv")
        .body(members)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        (&report["updated"], &report["not_found"]),
        (&json!(1), &json!(1)),
        "{report}"
    );
    assert_eq!(report["errors"][0]["row"], 4, "{report}");

    let made = aftersale::operations::visits::sweep(&app.database, now_micros())
        .await
        .unwrap();
    assert_eq!(made, 3, "one delivery visit, two VIP visits");
    assert_eq!(
        aftersale::operations::visits::sweep(&app.database, now_micros())
            .await
            .unwrap(),
        0,
        "each once"
    );
    let visits = open_visits(&app).await;
    assert_eq!(visits.len(), 3, "{visits:?}");
    let delivery = visits
        .iter()
        .find(|visit| visit["trigger"] == "delivered")
        .unwrap();
    assert_eq!(delivery["order_number"], "V-1");
    assert_eq!(
        delivery["script"],
        "客户1您好，V-1的电视机安装使用还顺利吗？—测试店铺"
    );
    let due: jiff::Timestamp = delivery["due_at"].as_str().unwrap().parse().unwrap();
    assert!((due.as_microsecond() - (now_micros() + 48 * HOUR)).abs() < HOUR);
    assert_eq!(
        visits
            .iter()
            .filter(|visit| visit["trigger"] == "cadence")
            .count(),
        2
    );

    // Not reached twice: the shop allows two attempts, then it closes as not reached.
    let id = delivery["id"].as_str().unwrap();
    let record = |outcome: &str, version: i64, note: Option<&str>| json!({ "outcome": outcome, "version": version, "note": note });
    let (status, once) = app
        .post(
            &format!("/api/v1/visits/{id}/outcome"),
            AGENT,
            record("not_reached", 1, None),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{once}");
    assert_eq!(
        (&once["state"], &once["attempts"]),
        (&json!("open"), &json!(1))
    );
    let (status, stale) = app
        .post(
            &format!("/api/v1/visits/{id}/outcome"),
            AGENT,
            record("reached", 1, None),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(error_code(&stale), "version_conflict");
    let (status, twice) = app
        .post(
            &format!("/api/v1/visits/{id}/outcome"),
            AGENT,
            record("not_reached", 2, None),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{twice}");
    assert_eq!(twice["state"], "not_reached");

    // A VIP customer has a problem: a case opens on their order.
    let vip_visit = visits
        .iter()
        .find(|visit| visit["trigger"] == "cadence" && visit["order_number"] == "V-1")
        .unwrap();
    let vid = vip_visit["id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/visits/{vid}/outcome"),
            AGENT,
            record("issue_found", 1, None),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an issue needs its words: {body}"
    );
    let (status, found) = app
        .post(
            &format!("/api/v1/visits/{vid}/outcome"),
            AGENT,
            record("issue_found", 1, Some("电视机偶尔黑屏")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let case_id = found["opened_case_id"].as_str().unwrap();
    let (_, case) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_eq!(case["kind"], "complaint");
    assert_eq!(case["order_number"], "V-1");
    assert_eq!(open_visits(&app).await.len(), 1);
    let (_, done) = app.get("/api/v1/visits?state=done", AGENT).await;
    assert_eq!(done["items"].as_array().unwrap().len(), 2);

    // The closed visits count in the KPIs, for the shop and for the agent who recorded them …
    let (_, kpis) = app.get("/api/v1/reports/kpis", SUPERVISOR).await;
    assert_eq!(
        kpis["totals"]["visits"],
        json!({ "done": 2, "reached": 0, "not_reached": 1, "issue_found": 1 })
    );
    let agent = app.staff_id("agent@test.local").await;
    let row = kpis["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["agent_id"] == json!(agent))
        .expect("the agent's row");
    assert_eq!(row["kpis"]["visits"]["done"], 2);
    // … and the done list exports as a file, one row each.
    let response = app
        .client
        .get(app.url("/api/v1/visits?state=done&format=csv"))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    let file = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(file.trim_start_matches('\u{feff}').as_bytes());
    let outcomes: Vec<String> = reader
        .records()
        .map(|record| record.unwrap()[8].to_string())
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert!(
        outcomes.contains(&"issue_found".to_string())
            && outcomes.contains(&"not_reached".to_string())
    );
}

#[tokio::test]
async fn a_closed_repair_is_visited_and_its_case_hears_how_the_customer_is() {
    let app = TestApp::start().await;
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({ "visits": { "rules": [
                { "name": "结案回访", "trigger": "case_closed", "kinds": ["complaint"], "after_days": 2,
                  "script": "您好，您反映的问题（{order_number}）现在解决了吗？" }
            ]}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.recent_order("VC-1").await;
    let case = app.case("VC-1", "complaint", "客服回复慢").await;
    let id = case["id"].as_str().unwrap().to_string();
    for action in ["resolve", "close"] {
        let (status, body) = app.act(&id, AGENT, action, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Closed just now: too soon; three days on, visited.
    assert_eq!(
        aftersale::operations::visits::sweep(&app.database, now_micros())
            .await
            .unwrap(),
        0
    );
    let later = app.later(72).await;
    assert_eq!(
        aftersale::operations::visits::sweep(&later.database, later.database.clock.now())
            .await
            .unwrap(),
        1
    );
    let visits = open_visits(&later).await;
    assert_eq!(visits[0]["case_id"], id.as_str());
    assert_eq!(
        visits[0]["script"],
        "您好，您反映的问题（VC-1）现在解决了吗？"
    );
    let vid = visits[0]["id"].as_str().unwrap();
    let (status, body) = later
        .post(
            &format!("/api/v1/visits/{vid}/outcome"),
            AGENT,
            json!({ "outcome": "reached", "version": 1, "note": "已解决，很满意" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, events) = later
        .get(&format!("/api/v1/cases/{id}/events"), AGENT)
        .await;
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event["action"] == "visited"),
        "{events}"
    );
}

#[tokio::test]
async fn the_console_sets_a_tier_and_records_a_visit() {
    let app = TestApp::start().await;
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({ "visits": { "rules": [
                { "name": "VIP 关怀", "trigger": "cadence", "tiers": ["svip"], "script": "{customer_name}您好" }
            ]}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let order = delivered(&app, "VS-1", 7, 5_000, 10).await;
    let customer = order["order"]["customer_id"].as_str().unwrap().to_string();
    let (cookie, form) = app.console_session("agent@test.local").await;
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let (client, url, cookie) = (app.client.clone(), app.url(&path), cookie.clone());
        async move {
            let response = client
                .post(url)
                .header(reqwest::header::COOKIE, cookie)
                .form(&fields)
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let (status, html) = post(
        format!("/console/customers/{customer}/tier"),
        vec![("csrf", form.clone()), ("tier", "金 牌".into())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("金 牌"),
        "the refusal names what was sent: {html}"
    );
    let (status, html) = post(
        format!("/console/customers/{customer}/tier"),
        vec![("csrf", form.clone()), ("tier", "svip".into())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("会员等级已更新"), "{html}");
    assert_eq!(
        aftersale::operations::visits::sweep(&app.database, now_micros())
            .await
            .unwrap(),
        1
    );
    let visits = open_visits(&app).await;
    let id = visits[0]["id"].as_str().unwrap().to_string();
    let page = app
        .client
        .get(app.url("/console/visits"))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("客户7您好") && page.contains("SVIP"),
        "{page}"
    );
    let (status, html) = post(
        format!("/console/visits/{id}/outcome"),
        vec![
            ("csrf", form.clone()),
            ("outcome", "reached".into()),
            ("version", "1".into()),
            ("note", "很满意".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("已记录对 客户7 的回访"), "{html}");
    assert!(open_visits(&app).await.is_empty());
}
