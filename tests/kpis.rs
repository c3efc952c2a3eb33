//! The KPI report against a hand-counted fixture: cases opened, answered, resolved, cancelled
//! and reopened at known hours (instances whose clocks run that far ahead), per agent; the
//! dashboard's numbers open the cases behind them; the agents' table as CSV read back.
//! SQLite here, PostgreSQL with TEST_DATABASE_URL.

mod common;

use common::{AGENT, SUPERVISOR, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Opens a case of `kind` on a fresh order and gives it to `assignee`.
async fn opened(app: &TestApp, n: usize, kind: &str, reason: &str, assignee: &str) -> String {
    let number = format!("KPI-{n}");
    app.recent_order(&number).await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": number, "kind": kind, "reason_code": reason,
                "description": "按小时记录的售后单", "lines": [{ "line_number": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            AGENT,
            Some(json!({ "version": case["version"], "assignee_id": assignee })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

async fn answer(app: &TestApp, id: &str) {
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            AGENT,
            json!({ "body": "您好，我们正在处理。" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn act(app: &TestApp, id: &str, action: &str) {
    let extra = match action {
        "cancel" | "reopen" => json!({ "reason": "顾客改主意了" }),
        _ => json!({}),
    };
    // Reopening is a supervisor's (or the customer's) call.
    let token = if action == "reopen" {
        SUPERVISOR
    } else {
        AGENT
    };
    let (status, body) = app.act(id, token, action, extra).await;
    assert_eq!(status, StatusCode::OK, "{action}: {body}");
}

/// A duration in minutes, within a minute of `expected` (the steps take real milliseconds).
fn near(value: &serde_json::Value, expected: f64) {
    let minutes = value.as_f64().unwrap_or(f64::NAN);
    assert!(
        (minutes - expected).abs() < 1.0,
        "{minutes} minutes, not {expected}"
    );
}

fn today(app: &TestApp) -> jiff::civil::Date {
    jiff::Timestamp::from_microsecond(app.database.clock.now())
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .date()
}

#[tokio::test]
async fn the_kpis_of_a_hand_counted_day() {
    let app = TestApp::start().await;
    let (agent, agent2) = (
        app.staff_id("agent@test.local").await,
        app.staff_id("agent2@test.local").await,
    );
    // Hour 0: six cases.
    let a = opened(&app, 1, "complaint", "quality", &agent).await;
    let b = opened(&app, 2, "complaint", "quality", &agent).await;
    let c = opened(&app, 3, "consultation", "damaged_in_transit", &agent).await;
    let d = opened(&app, 4, "repair", "quality", &agent).await;
    let e = opened(&app, 5, "complaint", "damaged_in_transit", &agent2).await;
    let g = opened(&app, 6, "return_and_refund", "quality", &agent).await;
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{g}/costs"),
            AGENT,
            json!({ "kind": "label", "amount_minor": 800 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // g's goods are refunded without a return (¥199.00), and the shop confirms the payment.
    let (status, refund) = app.refund(&g, "kpi-g", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    let (status, body) = app
        .post(
            &format!("/api/v1/refunds/{}/settle", refund["id"].as_str().unwrap()),
            AGENT,
            json!({ "status": "succeeded", "reference": "ALIPAY-2026120612345" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The hours at which each thing happened.
    let at = |hours| app.later(hours);
    let h1 = at(1).await;
    answer(&h1, &e).await; // e: answered after 1 h
    act(&h1, &c, "cancel").await; // c: cancelled by staff after 1 h (their first response)
    let h2 = at(2).await;
    answer(&h2, &a).await; // a: answered after 2 h
    act(&h2, &e, "resolve").await;
    act(&h2, &e, "close").await;
    let h3 = at(3).await;
    act(&h3, &e, "reopen").await; // e: reopened …
    let h4 = at(4).await;
    answer(&h4, &b).await; // b: answered after 4 h
    let h5 = at(5).await;
    act(&h5, &a, "resolve").await; // a: resolved after 5 h
    let h6 = at(6).await;
    act(&h6, &a, "close").await;
    let h7 = at(7).await;
    act(&h7, &e, "resolve").await; // … and resolved again after 7 h
    act(&h7, &e, "close").await;
    let h10 = at(10).await;
    act(&h10, &b, "resolve").await; // b: resolved after 10 h
    act(&h10, &b, "close").await;
    // d (a repair) and g (a return) stay open.
    assert_ne!(d, g);

    let from = today(&app).checked_sub(jiff::Span::new().days(1)).unwrap();
    let to = today(&app).checked_add(jiff::Span::new().days(1)).unwrap();
    let (status, report) = h10
        .get(&format!("/api/v1/reports/kpis?from={from}&to={to}"), AGENT)
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let totals = &report["totals"];
    assert_eq!(
        (totals["opened"].as_u64(), totals["ended"].as_u64()),
        (Some(6), Some(4))
    );
    // First responses (a staff step counts): g's refund at once, c's cancellation and e's answer
    // after 60 min, a's after 120, b's after 240: median 60, p90 at rank 3.6 →
    // 120 + 0.6 × 120 = 192.
    assert_eq!(totals["first_response"]["count"], 5);
    near(&totals["first_response"]["median_minutes"], 60.0);
    near(&totals["first_response"]["p90_minutes"], 192.0);
    // Resolved (not cancelled): 300, 420 (after the reopening), 600 min.
    assert_eq!(totals["resolution"]["count"], 3);
    near(&totals["resolution"]["median_minutes"], 420.0);
    near(&totals["resolution"]["p90_minutes"], 564.0);
    assert_eq!(
        (
            totals["reopened"].as_u64(),
            totals["reopen_rate_bp"].as_i64()
        ),
        (Some(1), Some(2500))
    );
    // Goods opened: the repair and the return; one repair.
    assert_eq!(totals["repair_share_bp"], 5000);
    // Every resolved case met its targets (the defaults: hours, not minutes).
    assert_eq!(totals["sla_cases"], totals["sla_met"]);
    assert_eq!(
        totals["costs"],
        json!([{ "currency": "CNY", "shop_cost_minor": 800, "per_case_minor": 200 }])
    );
    assert_eq!(
        totals["refunded"],
        json!([{ "currency": "CNY", "amount_minor": 19900, "refunds": 1 }])
    );
    // Per agent: agent2 has e alone.
    let agents = report["agents"].as_array().unwrap();
    let second = agents
        .iter()
        .find(|row| row["agent_id"] == json!(agent2))
        .unwrap();
    assert_eq!(
        (
            second["kpis"]["opened"].as_u64(),
            second["kpis"]["ended"].as_u64()
        ),
        (Some(1), Some(1))
    );
    near(&second["kpis"]["resolution"]["median_minutes"], 420.0);
    assert_eq!(second["kpis"]["reopen_rate_bp"], 10000);
    let first = agents
        .iter()
        .find(|row| row["agent_id"] == json!(agent))
        .unwrap();
    assert_eq!(
        (
            first["kpis"]["opened"].as_u64(),
            first["kpis"]["ended"].as_u64()
        ),
        (Some(5), Some(3))
    );
    near(&first["kpis"]["first_response"]["median_minutes"], 90.0);
    // The trend by day adds up; the top reason is quality (four cases).
    assert_eq!(report["interval"], "day");
    let opened: u64 = report["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["opened"].as_u64().unwrap())
        .sum();
    assert_eq!(opened, 6);
    assert_eq!(report["top_reasons"][0]["key"], "quality");
    assert_eq!(report["top_reasons"][0]["cases"], 4);

    // The numbers open the cases behind them: the ended ones of the period, the reasons.
    let (status, ended) = h10
        .get(
            &format!("/api/v1/cases?status=ended&ended_from={from}&ended_to={to}&limit=50"),
            AGENT,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    let mut ids: Vec<&str> = ended["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![a.as_str(), b.as_str(), c.as_str(), e.as_str()];
    expected.sort();
    assert_eq!(ids, expected);
    let (_, none) = h10
        .get(
            &format!(
                "/api/v1/cases?created_to={}&limit=50",
                from.checked_sub(jiff::Span::new().days(1)).unwrap()
            ),
            AGENT,
        )
        .await;
    assert!(none["items"].as_array().unwrap().is_empty(), "{none}");

    // The console's dashboard shows the same figures, linked; the agents' table as CSV.
    let (cookie, _) = h10.console_session("supervisor@test.local").await;
    let client = reqwest::Client::new();
    let html = client
        .get(h10.url(&format!("/console/dashboard?from={from}&to={to}")))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!(
            "/console?status=ended&#38;ended_from={from}&#38;ended_to={to}\">4</a>"
        )),
        "{html}"
    );
    assert!(
        html.contains("60 分钟"),
        "the first response median in words"
    );
    let csv = client
        .get(h10.url(&format!("/console/dashboard/kpis.csv?from={from}&to={to}")))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][0], "*");
    assert_eq!((&rows[0][1], &rows[0][2], &rows[0][3]), ("6", "4", "60.0"));
    assert_eq!(rows.len(), 3, "the shop and two agents");
}
