//! Repairs with suppliers (docs/REPAIRS.md): the shop's suppliers, two repair cases sent to one
//! in a parcel, the supplier's finding and result with its charges in the ledger, the item
//! back; the targets missed followed up once each (time moved by passing `now`); the customer
//! told by e-mail over a real SMTP server at each stage.

mod common;

use aftersale::clock::system_micros as now_micros;
use aftersale::operations::notifications::run_once;
use aftersale::operations::send_outs::sweep;
use common::smtp::SmtpSink;
use common::{AGENT, OTHER_SHOP, SUPERVISOR, TestApp, error_code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const DAY: i64 = 24 * 3_600_000_000;

/// A repair case received and diagnosing, its customer with an e-mail address.
async fn diagnosing(app: &TestApp, order: &str) -> Value {
    app.order(order).await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({
                "order_number": order, "kind": "repair", "reason_code": "not_working",
                "description": "吹风机插上电没反应", "lines": [{ "line_number": 1 }],
                "contact": { "name": "王小明", "phone": "13800138000", "email": format!("buyer-{}@example.com", order.to_lowercase()) }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();
    for (action, extra) in [
        ("approve", json!({})),
        (
            "ship_return",
            json!({ "carrier": "顺丰速运", "tracking_number": format!("SF-{order}") }),
        ),
        ("receive", json!({})),
        ("diagnose", json!({})),
    ] {
        let (status, body) = app.act(id, AGENT, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    app.get(&format!("/api/v1/cases/{id}"), AGENT).await.1
}

fn subjects(sink: &SmtpSink, to: &str) -> Vec<String> {
    sink.messages()
        .iter()
        .filter(|mail| mail["to"] == json!([to]))
        .map(|mail| format!("{} | {}", mail["subject"], mail["text"]))
        .collect()
}

#[tokio::test]
async fn a_repair_goes_to_the_supplier_and_back_with_every_step_told() {
    let app = TestApp::start().await;
    let sink = SmtpSink::start();
    let channels = sink.channels();

    // The supplier: only supervisors keep the list; the targets must make sense.
    let supplier = json!({
        "name": "飞科售后中心", "kind": "service_centre", "contact_name": "张工",
        "phone": "400-800-1234", "email": "repair@flyco.example", "address": "上海市松江区",
        "handles": ["飞科", "吹风机"], "confirm_days": 3, "repair_days": 10
    });
    let (status, body) = app.post("/api/v1/suppliers", AGENT, supplier.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let mut backwards = supplier.clone();
    backwards["repair_days"] = json!(2);
    let (status, body) = app.post("/api/v1/suppliers", SUPERVISOR, backwards).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("3 days")
    );
    let (status, created) = app
        .post("/api/v1/suppliers", SUPERVISOR, supplier.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["outbound_payer"], "shop");
    assert_eq!(created["return_payer"], "supplier");
    let supplier_id = created["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .post("/api/v1/suppliers", SUPERVISOR, supplier.clone())
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "supplier_name_taken");

    // Two repairs in one parcel.
    let first = diagnosing(&app, "RP-1").await;
    let second = diagnosing(&app, "RP-2").await;
    let cases = json!([
        { "id": first["id"], "version": first["version"] },
        { "id": second["id"], "version": second["version"] }
    ]);
    let stale = json!([
        { "id": first["id"], "version": first["version"].as_i64().unwrap() - 1 },
    ]);
    let (status, body) = app
        .post(
            "/api/v1/send-outs",
            AGENT,
            json!({ "supplier_id": supplier_id, "cases": stale }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/send-outs",
            AGENT,
            json!({ "supplier_id": supplier_id, "cases": cases, "carrier": "顺丰速运" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let sent_at = now_micros();
    let (status, send_out) = app
        .post(
            "/api/v1/send-outs",
            AGENT,
            json!({ "supplier_id": supplier_id, "cases": cases, "carrier": "顺丰速运",
                    "tracking_number": "SF-OUT-1", "note": "两台吹风机，附故障说明" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{send_out}");
    assert_eq!(send_out["stage"], "sent");
    assert_eq!(send_out["cases"].as_array().unwrap().len(), 2);
    for case in send_out["cases"].as_array().unwrap() {
        assert_eq!(case["status"], "at_vendor");
    }
    let id = send_out["id"].as_str().unwrap().to_string();
    // The parcel to the supplier is watched like every parcel, on each case's order.
    let (_, order) = app.get("/api/v1/orders/RP-1", AGENT).await;
    assert!(
        order["shipments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|parcel| parcel["tracking_number"] == "SF-OUT-1"
                && parcel["direction"] == "to_supplier"),
        "{order}"
    );
    // Another shop sees nothing of it.
    let (status, _) = app
        .get(&format!("/api/v1/send-outs/{id}"), OTHER_SHOP)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    let told = subjects(&sink, "buyer-rp-1@example.com");
    assert!(
        told.iter()
            .any(|mail| mail.contains("送厂检测") && mail.contains("飞科售后中心")),
        "{told:#?}"
    );

    // No finding by day 3: one follow-up, however often the clock worker looks.
    assert_eq!(sweep(&app.database, sent_at + 2 * DAY).await.unwrap(), 0);
    assert_eq!(
        sweep(&app.database, sent_at + 3 * DAY + 60_000_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(sweep(&app.database, sent_at + 4 * DAY).await.unwrap(), 0);
    let (_, tasks) = app.get("/api/v1/follow-ups", SUPERVISOR).await;
    let overdue: Vec<&Value> = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|task| task["kind"] == "send_out_overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "{tasks}");
    assert_eq!(overdue[0]["detail"]["missed"], "confirmation");
    let (_, shown) = app.get(&format!("/api/v1/send-outs/{id}"), AGENT).await;
    assert_eq!(shown["overdue"], json!(["confirmation"]));
    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    let staff = subjects(&sink, "supervisor@test.local");
    assert!(
        staff
            .iter()
            .any(|mail| mail.contains("送修超时") && mail.contains("飞科售后中心")),
        "{staff:#?}"
    );

    // The finding: a photo that is not the cases' own is refused; then confirmed.
    let version = shown["version"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/send-outs/{id}/finding"),
            AGENT,
            json!({ "version": version, "finding": "confirmed", "photos": ["nope"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, found) = app
        .post(
            &format!("/api/v1/send-outs/{id}/finding"),
            AGENT,
            json!({ "version": version, "finding": "confirmed", "report": "电机线圈烧毁，属质量问题" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["stage"], "confirmed");
    let (status, body) = app
        .post(
            &format!("/api/v1/send-outs/{id}/finding"),
            AGENT,
            json!({ "version": found["version"], "finding": "not_confirmed" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "send_out_done");
    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    let told = subjects(&sink, "buyer-rp-2@example.com");
    assert!(
        told.iter()
            .any(|mail| mail.contains("确认故障") && mail.contains("电机线圈烧毁")),
        "{told:#?}"
    );

    // The customer follows it live: each stage in plain words, and when the item should be back.
    let cookie = app.portal_session("RP-1", "13800138000").await;
    let page = app
        .client
        .get(app.url(&format!(
            "/portal/shop/cases/{}",
            first["number"].as_str().unwrap()
        )))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let progress = &page[page
        .find("id=\"repair-progress\"")
        .expect("repair progress")..];
    assert!(
        progress.contains("已送厂家检测") && progress.contains("飞科售后中心"),
        "{progress}"
    );
    assert!(
        progress.contains("厂家确认故障") && progress.contains("电机线圈烧毁"),
        "{progress}"
    );
    assert!(progress.contains("前从厂家返回"), "{progress}");

    // The result: parts, a charge on one case, a credit on the other, the parcel back.
    let (status, body) = app
        .post(
            &format!("/api/v1/send-outs/{id}/result"),
            AGENT,
            json!({ "version": found["version"], "result": "repaired",
                    "charges": [{ "kind": "charge", "amount_minor": 3500 }] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "two cases: name one: {body}"
    );
    let (status, done) = app
        .post(
            &format!("/api/v1/send-outs/{id}/result"),
            AGENT,
            json!({ "version": found["version"], "result": "repaired", "note": "更换电机",
                    "parts": [{ "number": "FH-M01", "name": "电机" }],
                    "charges": [
                        { "case_id": first["id"], "kind": "charge", "amount_minor": 3500, "note": "人工费" },
                        { "case_id": second["id"], "kind": "credit", "amount_minor": 1200 }
                    ],
                    "return_carrier": "顺丰速运", "return_tracking_number": "SF-BACK-1" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["stage"], "repaired");
    assert_eq!(done["parts"][0]["genuine"], true);
    let (_, ledger) = app
        .get(
            &format!("/api/v1/cases/{}/costs", first["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(ledger["entries"][0]["kind"], "supplier_charge", "{ledger}");
    assert_eq!(ledger["entries"][0]["shop_cost_minor"], 3500);
    let (_, ledger) = app
        .get(
            &format!("/api/v1/cases/{}/costs", second["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(ledger["entries"][0]["shop_cost_minor"], -1200, "{ledger}");

    // Not back by day 10: the repair target's follow-up, once.
    assert_eq!(
        sweep(&app.database, sent_at + 10 * DAY + 60_000_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(sweep(&app.database, sent_at + 11 * DAY).await.unwrap(), 0);

    // Back at the shop: the cases diagnose again, the customers hear it.
    let (status, back) = app
        .post(
            &format!("/api/v1/send-outs/{id}/back"),
            AGENT,
            json!({ "version": done["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["stage"], "back");
    for case in back["cases"].as_array().unwrap() {
        assert_eq!(case["status"], "diagnosing");
    }
    assert_eq!(sweep(&app.database, sent_at + 30 * DAY).await.unwrap(), 0);
    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    let told = subjects(&sink, "buyer-rp-1@example.com");
    assert!(
        told.iter().any(|mail| mail.contains("已从厂家返回")),
        "{told:#?}"
    );
    // The case carries on: repaired, shipped back to the customer.
    let first_id = first["id"].as_str().unwrap();
    let (status, body) = app.act(first_id, AGENT, "mark_repaired", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, events) = app
        .get(&format!("/api/v1/cases/{first_id}/events?limit=200"), AGENT)
        .await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap())
        .collect();
    for expected in [
        "send_to_vendor",
        "send_out_overdue",
        "fault_confirmed",
        "supplier_result",
        "vendor_return",
        "mark_repaired",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }

    // The scorecard: two items back on time (the clock did not really move), all confirmed.
    let (_, card) = app
        .get(
            &format!("/api/v1/suppliers/{supplier_id}/scorecard"),
            SUPERVISOR,
        )
        .await;
    assert_eq!(card["send_outs"], 2, "{card}");
    assert_eq!(card["back"], 2);
    assert_eq!(card["on_time_share"], 1.0);
    assert_eq!(card["confirmation_rate"], 1.0);
    assert_eq!(card["repeat_fault_rate"], 0.0);
    let (_, list) = app.get("/api/v1/send-outs?open=false", AGENT).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (_, away) = app.get("/api/v1/send-outs", AGENT).await;
    assert_eq!(away["items"], json!([]));

    // A supplier no longer used is kept but offered for nothing new.
    let (status, changed) = app
        .call(
            Method::PUT,
            &format!("/api/v1/suppliers/{supplier_id}"),
            SUPERVISOR,
            Some({
                let mut changed = supplier.clone();
                changed["active"] = json!(false);
                changed["version"] = created["version"].clone();
                changed
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let third = diagnosing(&app, "RP-3").await;
    let (status, body) = app
        .post(
            "/api/v1/send-outs",
            AGENT,
            json!({ "supplier_id": supplier_id, "cases": [{ "id": third["id"], "version": third["version"] }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

/// The same walk in the console: a supervisor adds the repair centre, an agent sends the case
/// from its page, records the finding and the result with a charge, and receives it back; a
/// refused step keeps what was typed.
#[tokio::test]
async fn the_console_sends_a_repair_out_and_follows_it_back() {
    let app = TestApp::start().await;
    let (supervisor, csrf) = app.console_session("supervisor@test.local").await;
    let post = |cookie: &str, path: &str, form: Vec<(&str, String)>| {
        let request = app
            .client
            .post(app.url(path))
            .header(reqwest::header::COOKIE, cookie)
            .form(&form);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.text().await.unwrap())
        }
    };
    let (status, page) = post(
        &supervisor,
        "/console/suppliers",
        vec![
            ("csrf", csrf.clone()),
            ("name", "小米授权维修点".into()),
            ("kind", "service_centre".into()),
            ("handles", "小米，米家".into()),
            ("confirm_days", "5".into()),
            ("repair_days", "2".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("value=\"小米授权维修点\""),
        "what was typed stays"
    );
    let (status, _) = post(
        &supervisor,
        "/console/suppliers",
        vec![
            ("csrf", csrf.clone()),
            ("name", "小米授权维修点".into()),
            ("kind", "service_centre".into()),
            ("handles", "小米，米家".into()),
            ("confirm_days", "2".into()),
            ("repair_days", "7".into()),
        ],
    )
    .await;
    assert!(
        status.is_redirection() || status == StatusCode::OK,
        "{status}"
    );
    let (_, list) = app.get("/api/v1/suppliers", AGENT).await;
    assert_eq!(list["items"][0]["handles"], json!(["小米", "米家"]));
    assert_eq!(list["items"][0]["confirm_days"], 2);

    let case = diagnosing(&app, "RPC-1").await;
    let id = case["id"].as_str().unwrap();
    let (agent, csrf) = app.console_session("agent@test.local").await;
    let (status, page) = app
        .console_get(&agent, &format!("/console/cases/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("id=\"send-out-form\"") && page.contains("小米授权维修点"));
    let supplier_id = list["items"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = post(
        &agent,
        &format!("/console/cases/{id}/send-out"),
        vec![
            ("csrf", csrf.clone()),
            ("version", case["version"].to_string()),
            ("supplier_id", supplier_id.clone()),
            ("carrier", "京东物流".into()),
            ("tracking_number", "JD-OUT-9".into()),
        ],
    )
    .await;
    assert!(
        status.is_redirection() || status == StatusCode::OK,
        "{status}"
    );
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], "at_vendor");
    let (_, send_outs) = app.get("/api/v1/send-outs", AGENT).await;
    let send_out = send_outs["items"][0].clone();
    let path = |step: &str| {
        format!(
            "/console/cases/{id}/send-outs/{}/{step}",
            send_out["id"].as_str().unwrap()
        )
    };
    let (status, _) = post(
        &agent,
        &path("finding"),
        vec![
            ("csrf", csrf.clone()),
            ("version", send_out["version"].to_string()),
            ("finding", "not_reproducible".into()),
            ("report", "连续测试 48 小时未复现".into()),
        ],
    )
    .await;
    assert!(
        status.is_redirection() || status == StatusCode::OK,
        "{status}"
    );
    // A charge that is not an amount is refused, the page keeps it.
    let version = (send_out["version"].as_i64().unwrap() + 1).to_string();
    let (status, page) = post(
        &agent,
        &path("result"),
        vec![
            ("csrf", csrf.clone()),
            ("version", version.clone()),
            ("result", "returned_unrepaired".into()),
            ("charge", "五十".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("value=\"五十\""));
    let (status, _) = post(
        &agent,
        &path("result"),
        vec![
            ("csrf", csrf.clone()),
            ("version", version),
            ("result", "returned_unrepaired".into()),
            ("charge", "50".into()),
            ("charge_kind", "charge".into()),
            ("return_carrier", "京东物流".into()),
            ("return_tracking_number", "JD-BACK-9".into()),
        ],
    )
    .await;
    assert!(
        status.is_redirection() || status == StatusCode::OK,
        "{status}"
    );
    let (_, ledger) = app.get(&format!("/api/v1/cases/{id}/costs"), AGENT).await;
    assert_eq!(ledger["entries"][0]["amount_minor"], 5000, "{ledger}");
    let (_, current) = app
        .get(
            &format!("/api/v1/send-outs/{}", send_out["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    let (status, _) = post(
        &agent,
        &path("back"),
        vec![
            ("csrf", csrf.clone()),
            ("version", current["version"].to_string()),
        ],
    )
    .await;
    assert!(
        status.is_redirection() || status == StatusCode::OK,
        "{status}"
    );
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], "diagnosing");
    let (status, page) = app
        .console_get(&agent, &format!("/console/cases/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("连续测试 48 小时未复现") && page.contains("京东物流 JD-BACK-9"));
    // The suppliers page: the scorecard (one item, back on time, nothing confirmed).
    let (status, page) = app.console_get(&supervisor, "/console/suppliers").await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    let row = &page[page.find("id=\"suppliers\"").unwrap()..];
    assert!(
        row.contains("小米授权维修点") && row.contains("100 %") && row.contains("0 %"),
        "{row}"
    );

    // The unit's serial number, from the order line, is on the case page.
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({ "order_number": "RPC-SN", "platform": "jd", "placed_at": "2026-11-01 10:00",
                "customer": { "name": "王小明", "phone": "13800138000" },
                "lines": [{ "sku": "FH-6276", "product_name": "飞科吹风机", "quantity": 1,
                    "unit_price_minor": 12900, "serial_number": "FH2026110100123" }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "RPC-SN", "kind": "repair", "reason_code": "not_working",
                "description": "吹风机不出热风", "lines": [{ "line_number": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let (_, page) = app
        .console_get(
            &agent,
            &format!("/console/cases/{}", case["id"].as_str().unwrap()),
        )
        .await;
    assert!(
        String::from_utf8(page)
            .unwrap()
            .contains("FH-6276 · SN FH2026110100123")
    );
}

/// Twenty agents send the same case at once: one send-out, the others told it changed.
#[tokio::test]
async fn a_case_goes_out_once_however_many_send_it_at_once() {
    let app = TestApp::start().await;
    let (_, supplier) = app
        .post(
            "/api/v1/suppliers",
            SUPERVISOR,
            json!({ "name": "维修中心", "confirm_days": 2, "repair_days": 5 }),
        )
        .await;
    let case = diagnosing(&app, "RPX-1").await;
    let body = json!({ "supplier_id": supplier["id"],
        "cases": [{ "id": case["id"], "version": case["version"] }] });
    let sends = (0..20).map(|_| app.post("/api/v1/send-outs", AGENT, body.clone()));
    let answers = futures::future::join_all(sends).await;
    let created = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|(status, _)| matches!(*status, StatusCode::CREATED | StatusCode::CONFLICT)),
        "{answers:?}"
    );
    let (_, all) = app.get("/api/v1/send-outs?open=false", AGENT).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
}
