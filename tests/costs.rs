//! The cost ledger walked end to end: a return whose freight the shop pays and whose goods are
//! scrapped, an exchange and a repair whose parcels out cost their freight, a complaint
//! compensated with a coupon, a dispute's penalty, entries typed from a carrier's bill and a
//! correction that leaves the original in place. SQLite here, PostgreSQL with TEST_DATABASE_URL.

mod common;

use common::{AGENT, INSPECTOR, SUPERVISOR, TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn defaults(app: &TestApp) {
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({ "costs": {
                "return_freight_minor": 1000,
                "outbound_freight_minor": 800,
                "freight_by_carrier": { "顺丰": 1500 },
                "labour_per_hour_minor": 6000,
                "label_minor": 200,
                "refurbish_percent": 40
            } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// An order whose lines carry their cost price: EP-1 cost ¥80.00, TS-2 cost ¥20.00 a unit.
async fn order(app: &TestApp, number: &str) {
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": number, "platform": "tmall", "placed_at": "2026-11-01 10:00",
                "delivered_at": "2026-11-03 15:30",
                "customer": { "name": "王小明", "phone": "13800138000" },
                "lines": [
                    { "sku": "EP-1", "product_name": "蓝牙耳机", "quantity": 1, "unit_price_minor": 19900, "cost_minor": 8000 },
                    { "sku": "TS-2", "product_name": "纯棉T恤", "quantity": 2, "unit_price_minor": 5000, "paid_minor": 9000, "cost_minor": 2000 }
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["order"]["lines"][0]["cost_minor"], 8000, "{body}");
}

async fn ledger(app: &TestApp, id: &str) -> Value {
    let (status, body) = app.get(&format!("/api/v1/cases/{id}/costs"), AGENT).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// (kind, payer, amount, sku) of each entry, in the order booked.
fn entries(ledger: &Value) -> Vec<(String, String, i64, Option<String>)> {
    ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["kind"].as_str().unwrap().to_string(),
                entry["payer"].as_str().unwrap().to_string(),
                entry["amount_minor"].as_i64().unwrap(),
                entry["sku"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn entry(
    kind: &str,
    payer: &str,
    amount: i64,
    sku: Option<&str>,
) -> (String, String, i64, Option<String>) {
    (kind.into(), payer.into(), amount, sku.map(str::to_string))
}

#[tokio::test]
async fn a_defective_return_books_its_freight_and_its_scrapped_goods_at_cost() {
    let app = TestApp::start().await;
    defaults(&app).await;
    order(&app, "CL-1").await;
    let case = app
        .case("CL-1", "return_and_refund", "耳机有杂音，T恤开线")
        .await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(
        case["policy"]["freight"]["return"], "seller",
        "a defect: the shop pays the return ({})",
        case["policy"]["freight"]
    );
    for (token, action, extra) in [
        (AGENT, "approve", json!({})),
        (
            AGENT,
            "ship_return",
            json!({ "carrier": "顺丰", "tracking_number": "SF1001" }),
        ),
        (INSPECTOR, "receive", json!({})),
        (INSPECTOR, "inspect_pass", json!({ "disposition": "scrap" })),
    ] {
        let (status, body) = app.act(id, token, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let (status, body) = app.refund(id, "CL-1-refund", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let books = ledger(&app, id).await;
    assert_eq!(
        entries(&books),
        vec![
            entry("label", "shop", 200, None),
            entry("return_freight", "shop", 1500, None),
            entry("write_off", "shop", 8000, Some("EP-1")),
            entry("write_off", "shop", 4000, Some("TS-2")),
        ]
    );
    assert_eq!(books["totals"]["shop_cost_minor"], 13700);
    assert_eq!(books["refunded_minor"], 28900, "beside what was refunded");
    assert_eq!(books["currency"], "CNY");

    // The carrier's bill says ¥18.00: a correction of +3.00; the default entry stays.
    let original = books["entries"][1]["id"].as_str().unwrap().to_string();
    let costs = format!("/api/v1/cases/{id}/costs");
    let (status, body) = app
        .post(
            &costs,
            AGENT,
            json!({ "corrects": original, "amount_minor": 300 }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a correction says why: {body}"
    );
    assert_eq!(body["error"]["details"]["field"], "note");
    let (status, body) = app
        .post(
            &costs,
            AGENT,
            json!({ "corrects": original, "amount_minor": 300, "note": "顺丰账单 SF1001 ¥18.00" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["entries"][1]["amount_minor"], 1500,
        "the original is untouched"
    );
    assert_eq!(
        body["entries"][1]["corrected_by"][0],
        body["entries"][4]["id"]
    );
    assert_eq!(body["entries"][4]["kind"], "return_freight");
    assert_eq!(body["entries"][4]["corrects"], original.as_str());
    assert_eq!(body["totals"]["shop_cost_minor"], 14000);

    // Replaying the case's own moves books nothing twice: the automatic entries have sources.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM costs WHERE case_id = $1")
        .bind(id)
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    assert_eq!(stored, 5);
    let (_, events) = app
        .get(&format!("/api/v1/cases/{id}/events?limit=100"), AGENT)
        .await;
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event["action"] == "cost_corrected"),
        "the correction is on the timeline"
    );
}

#[tokio::test]
async fn restocked_and_refurbished_goods_recover_their_value() {
    let app = TestApp::start().await;
    defaults(&app).await;
    order(&app, "CL-2").await;
    let case = app.case("CL-2", "return_and_refund", "不想要了").await;
    let id = case["id"].as_str().unwrap();
    for (token, action, extra) in [
        (AGENT, "approve", json!({})),
        (INSPECTOR, "receive", json!({})),
        (
            INSPECTOR,
            "inspect_pass",
            json!({ "disposition": "refurbish" }),
        ),
    ] {
        let (status, body) = app.act(id, token, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let books = ledger(&app, id).await;
    assert_eq!(
        entries(&books),
        vec![
            entry("write_off", "shop", 8000, Some("EP-1")),
            entry("recovered", "shop", 3200, Some("EP-1")),
            entry("write_off", "shop", 4000, Some("TS-2")),
            entry("recovered", "shop", 1600, Some("TS-2")),
        ],
        "refurbished: 40 % of the cost price comes back"
    );
    assert_eq!(books["totals"]["shop_cost_minor"], 12000 - 4800);
    assert_eq!(books["totals"]["recovered_minor"], 4800);
    assert_eq!(books["entries"][1]["shop_cost_minor"], -3200);
}

#[tokio::test]
async fn an_exchange_and_a_repair_book_the_freight_out_and_typed_costs() {
    let app = TestApp::start().await;
    defaults(&app).await;
    order(&app, "CL-3").await;
    let exchange = app.case("CL-3", "exchange", "尺码不对").await;
    let id = exchange["id"].as_str().unwrap();
    for (token, action, extra) in [
        (AGENT, "approve", json!({})),
        (INSPECTOR, "receive", json!({})),
        (
            INSPECTOR,
            "inspect_pass",
            json!({ "disposition": "restock" }),
        ),
        (
            AGENT,
            "ship_replacement",
            json!({ "carrier": "中通", "tracking_number": "ZT3001" }),
        ),
    ] {
        let (status, body) = app.act(id, token, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let books = ledger(&app, id).await;
    assert_eq!(
        entries(&books).last().unwrap(),
        &entry("outbound_freight", "shop", 800, None),
        "中通 has no figure of its own: the default"
    );
    assert_eq!(
        books["totals"]["shop_cost_minor"], 800,
        "restocked goods cost nothing but the freight"
    );

    order(&app, "CL-4").await;
    let repair = app.case("CL-4", "repair", "开不了机").await;
    let id = repair["id"].as_str().unwrap();
    let costs = format!("/api/v1/cases/{id}/costs");
    for (body, expected) in [
        (
            json!({ "kind": "repair_parts", "amount_minor": 2500, "sku": "EP-1", "note": "电池" }),
            2500,
        ),
        (json!({ "kind": "repair_labour", "hours": 1.5 }), 9000),
        (
            json!({ "kind": "supplier_charge", "amount_minor": 3000, "note": "品牌维修点检测费" }),
            3000,
        ),
        (
            json!({ "kind": "supplier_credit", "amount_minor": 3000, "note": "故障属实，品牌承担" }),
            3000,
        ),
        (
            json!({ "kind": "return_freight", "payer": "customer", "amount_minor": 1200 }),
            1200,
        ),
    ] {
        let (status, answer) = app.post(&costs, INSPECTOR, body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}: {answer}");
        assert_eq!(
            answer["entries"].as_array().unwrap().last().unwrap()["amount_minor"],
            expected
        );
    }
    for (token, action, extra) in [
        (AGENT, "approve", json!({})),
        (AGENT, "receive", json!({})),
        (AGENT, "diagnose", json!({})),
        (AGENT, "mark_repaired", json!({})),
        (
            AGENT,
            "ship_back",
            json!({ "carrier": "顺丰", "tracking_number": "SF4001" }),
        ),
    ] {
        let (status, body) = app.act(id, token, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let books = ledger(&app, id).await;
    assert_eq!(
        books["totals"],
        json!({
            "shop_cost_minor": 2500 + 9000 + 3000 - 3000 + 1500,
            "shop_paid_minor": 2500 + 9000 + 3000 + 1500,
            "recovered_minor": 3000,
            "others_paid_minor": 1200,
        })
    );
    assert_eq!(
        books["entries"][4]["shop_cost_minor"], 0,
        "the customer paid it"
    );

    // What cannot be booked is refused with the field to fix.
    for (body, field) in [
        (json!({ "kind": "bribe", "amount_minor": 100 }), "kind"),
        (
            json!({ "kind": "label", "amount_minor": 0 }),
            "amount_minor",
        ),
        (
            json!({ "kind": "label", "amount_minor": -5 }),
            "amount_minor",
        ),
        (
            json!({ "kind": "label", "amount_minor": 100, "payer": "nobody" }),
            "payer",
        ),
        (json!({ "kind": "label", "hours": 2 }), "amount_minor"),
        (
            json!({ "corrects": "missing", "amount_minor": 100, "note": "?" }),
            "corrects",
        ),
    ] {
        let (status, answer) = app.post(&costs, AGENT, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(
            answer["error"]["details"]["field"], field,
            "{body}: {answer}"
        );
    }
    let (status, body) = app.get(&costs, common::OTHER_SHOP).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another shop's case: {body}");
    assert_eq!(error_code(&body), "not_found");
}

#[tokio::test]
async fn compensation_accepted_and_a_platform_penalty_are_costs() {
    let app = TestApp::start().await;
    order(&app, "CL-5").await;
    let case = app.case("CL-5", "complaint", "快递太慢，客服态度差").await;
    let id = case["id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{id}/compensations"),
            AGENT,
            json!({ "kind": "coupon", "amount_minor": 1000, "detail": "QUAN-2026-10" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{id}/compensations"),
            AGENT,
            json!({ "kind": "partial_refund", "amount_minor": 500 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, dispute) = app
        .post(
            &format!("/api/v1/cases/{id}/disputes"),
            AGENT,
            json!({ "reason": "买家投诉服务态度" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dispute}");
    let (status, decided) = app
        .post(
            &format!("/api/v1/disputes/{}/steps", dispute["id"].as_str().unwrap()),
            AGENT,
            json!({ "step": "decided", "outcome": "buyer", "penalty_minor": 2000, "version": dispute["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    let books = ledger(&app, id).await;
    assert_eq!(
        entries(&books),
        vec![
            entry("compensation", "shop", 1000, None),
            entry("compensation", "shop", 500, None),
            entry("platform_penalty", "shop", 2000, None),
        ]
    );
    assert_eq!(books["entries"][0]["note"], "coupon: QUAN-2026-10");
    assert_eq!(books["totals"]["shop_cost_minor"], 3500);
    assert_eq!(books["refunded_minor"], 500, "the goodwill money went back");
}

#[tokio::test]
async fn cost_reports_add_up_to_the_ledgers_to_the_minor_unit() {
    let app = TestApp::start().await;
    defaults(&app).await;
    let mut ledgers = 0;
    let mut cases = Vec::new();
    for (index, kind) in ["return_and_refund", "repair", "complaint", "repair"]
        .iter()
        .enumerate()
    {
        let number = format!("CR-{index}");
        order(&app, &number).await;
        let case = app.case(&number, kind, "报表").await;
        let id = case["id"].as_str().unwrap().to_string();
        for body in [
            json!({ "kind": "repair_parts", "amount_minor": 1000 + index as i64, "sku": "TS-2" }),
            json!({ "kind": "label", "amount_minor": 300 }),
            json!({ "kind": "supplier_credit", "amount_minor": 120 }),
            json!({ "kind": "return_freight", "payer": "customer", "amount_minor": 999 }),
        ] {
            let (status, answer) = app
                .post(&format!("/api/v1/cases/{id}/costs"), AGENT, body)
                .await;
            assert_eq!(status, StatusCode::CREATED, "{answer}");
        }
        if index == 0 {
            let agent: String =
                sqlx::query_scalar("SELECT id FROM staff WHERE email = 'agent@test.local'")
                    .fetch_one(&app.database.reader)
                    .await
                    .unwrap();
            let (status, body) = app
                .call(
                    reqwest::Method::PATCH,
                    &format!("/api/v1/cases/{id}"),
                    AGENT,
                    Some(json!({ "assignee_id": agent, "version": case["version"] })),
                )
                .await;
            assert!(status.is_success(), "{body}");
        }
        ledgers += ledger(&app, &id).await["totals"]["shop_cost_minor"]
            .as_i64()
            .unwrap();
        cases.push(id);
    }
    for by in [
        "cost_kind",
        "case_kind",
        "reason",
        "sku",
        "category",
        "agent",
        "month",
        "payer",
        "case",
    ] {
        let (status, report) = app
            .get(&format!("/api/v1/reports/costs?by={by}"), AGENT)
            .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let groups: i64 = report["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|group| group["shop_cost_minor"].as_i64().unwrap())
            .sum();
        assert_eq!(groups, ledgers, "by {by}: {report}");
        assert_eq!(report["totals"][0]["shop_cost_minor"], ledgers);
        assert_eq!(report["totals"][0]["cases"], 4);
        assert_eq!(report["totals"][0]["sales_minor"], 4 * 28900);
    }
    assert_eq!(ledgers, 4 * (1000 + 300 - 120) + 6);
    let (_, by_product) = app.get("/api/v1/reports/costs?by=sku", AGENT).await;
    assert_eq!(by_product["groups"][0]["key"], "TS-2", "named on the parts");
    assert_eq!(by_product["groups"][0]["shop_cost_minor"], 4006);
    assert_eq!(
        by_product["groups"][1]["key"], "EP-1",
        "the case's first line otherwise"
    );
    let (_, by_agent) = app.get("/api/v1/reports/costs?by=agent", AGENT).await;
    assert!(
        by_agent["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|group| group["name"] == "agent@test.local"),
        "{by_agent}"
    );
    let (_, by_month) = app.get("/api/v1/reports/costs?by=month", AGENT).await;
    let share = by_month["repair_share"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (share["repairs"].clone(), share["cases"].clone()),
        (json!(2), json!(3)),
        "{by_month}"
    );
    assert_eq!(share["share_bp"], 6667);
    let (_, top) = app
        .get("/api/v1/reports/costs?by=case&limit=2", AGENT)
        .await;
    assert_eq!(
        top["groups"].as_array().unwrap().len(),
        2,
        "the costliest two"
    );
    for (query, field) in [
        ("by=colour", "by"),
        ("limit=0", "limit"),
        ("from=yesterday", "from"),
        ("format=pdf", "format"),
    ] {
        let (status, body) = app
            .get(&format!("/api/v1/reports/costs?{query}"), AGENT)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"]["details"]["field"], field, "{query}: {body}");
    }
    let csv = app
        .client
        .get(app.url("/api/v1/reports/costs?by=case_kind&format=csv"))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("\u{feff}group,name,currency"), "{csv}");
    assert!(csv.contains("repair,,CNY,2,8,"), "{csv}");
    let xlsx = app
        .client
        .get(app.url("/api/v1/reports/costs?format=xlsx"))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
}

#[tokio::test]
async fn compensation_above_the_caps_waits_for_a_supervisor() {
    let app = TestApp::start().await;
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({ "costs": {
                "compensation_cap_per_case_minor": 2000,
                "compensation_cap_per_agent_month_minor": 2500
            } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    order(&app, "CP-1").await;
    let case = app.case("CP-1", "complaint", "快递太慢").await;
    let id = case["id"].as_str().unwrap();
    let compensations = format!("/api/v1/cases/{id}/compensations");
    // Within the caps: given at once, a coupon code of the shop's own, with its last day.
    let (status, coupon) = app
        .post(
            &compensations,
            AGENT,
            json!({ "kind": "coupon", "amount_minor": 1500, "valid_until": "2027-01-31" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{coupon}");
    assert_eq!(coupon["state"], "accepted");
    assert!(
        coupon["detail"].as_str().unwrap().starts_with('Q'),
        "{coupon}"
    );
    assert_eq!(coupon["valid_until"], "2027-01-31");
    // ¥15 + ¥10 is above the ¥20 per case: it waits, books nothing, and blocks another offer.
    let (status, waiting) = app
        .post(
            &compensations,
            AGENT,
            json!({ "kind": "partial_refund", "amount_minor": 1000 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{waiting}");
    assert_eq!(waiting["state"], "pending_approval");
    assert_eq!(ledger(&app, id).await["totals"]["shop_cost_minor"], 1500);
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{id}/offers"),
            AGENT,
            json!({ "kind": "points", "amount_minor": 100, "detail": "100 积分" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let approval = format!(
        "/api/v1/cases/{id}/offers/{}/approval",
        waiting["id"].as_str().unwrap()
    );
    let (status, body) = app.post(&approval, AGENT, json!({ "approve": true })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app
        .post(&approval, SUPERVISOR, json!({ "approve": false }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a refusal says why: {body}"
    );
    let (status, approved) = app
        .post(&approval, SUPERVISOR, json!({ "approve": true }))
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(
        approved["state"], "accepted",
        "given directly: accepted once approved"
    );
    assert!(approved["approved_by"].is_string());
    assert!(approved["refund_id"].is_string(), "its money went back");
    let books = ledger(&app, id).await;
    assert_eq!(books["totals"]["shop_cost_minor"], 2500);
    assert_eq!(books["refunded_minor"], 1000);
    let (status, body) = app
        .post(&approval, SUPERVISOR, json!({ "approve": true }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "once: {body}");

    // The agent gave ¥25 this month, the cap: an offer of ¥1 on another case waits; refused,
    // the customer never sees it.
    order(&app, "CP-2").await;
    let other = app.case("CP-2", "complaint", "客服态度差").await;
    let other_id = other["id"].as_str().unwrap();
    let (status, waiting) = app
        .post(
            &format!("/api/v1/cases/{other_id}/offers"),
            AGENT,
            json!({ "kind": "gift", "amount_minor": 100, "detail": "保温杯" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{waiting}");
    assert_eq!(waiting["state"], "pending_approval");
    let (status, refused) = app
        .post(
            &format!(
                "/api/v1/cases/{other_id}/offers/{}/approval",
                waiting["id"].as_str().unwrap()
            ),
            SUPERVISOR,
            json!({ "approve": false, "note": "本月补偿已超额" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refused}");
    assert_eq!(refused["state"], "refused");
    let cookie = app.portal_session("CP-2", "13800138000").await;
    let html = reqwest::Client::new()
        .get(app.url(&format!(
            "/portal/shop/cases/{}",
            other["number"].as_str().unwrap()
        )))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("保温杯"), "never offered to the customer");
    let cookie = app.portal_session("CP-1", "13800138000").await;
    let html = reqwest::Client::new()
        .get(app.url(&format!(
            "/portal/shop/cases/{}",
            case["number"].as_str().unwrap()
        )))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("有效期至"), "the coupon's last day: {html}");
    assert!(html.contains("2027-01-31"));
    // A supervisor's own offers are not capped.
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{other_id}/compensations"),
            SUPERVISOR,
            json!({ "kind": "points", "amount_minor": 5000, "detail": "5000 积分" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["state"], "accepted");
}

#[tokio::test]
async fn goodwill_that_fits_is_suggested_with_its_rule() {
    let app = TestApp::start().await;
    order(&app, "GW-1").await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "GW-1", "kind": "complaint", "reason_code": "late_delivery",
                    "description": "快递五天没动", "lines": [{ "line_number": 1 }, { "line_number": 2 }],
                    "contact": { "name": "王小明", "phone": "13800138000" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let (_, shown) = app
        .get(
            &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    let suggestion = &shown["suggested_compensation"][0];
    assert_eq!(suggestion["kind"], "coupon", "{shown}");
    assert_eq!(suggestion["rule"], "GW-1");
    assert_eq!(
        suggestion["amount_minor"], 1400,
        "5 % of ¥289.00, whole yuan"
    );
    assert!(
        suggestion["explanation"]["zh-CN"]
            .as_str()
            .unwrap()
            .contains("物流延误")
    );
    // A change of mind gets nothing suggested.
    let plain = app.case("GW-1", "consultation", "怎么用").await;
    let (_, shown) = app
        .get(
            &format!("/api/v1/cases/{}", plain["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(shown["suggested_compensation"], json!([]), "{shown}");
}
