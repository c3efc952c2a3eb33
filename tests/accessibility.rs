//! Every console and portal page through axe-core in headless Chromium, in both languages, at
//! a laptop's and a phone's viewport: no critical or serious violation is allowed. Screenshots of
//! every page land in target/screenshots/accessibility-*.png.

mod common;
mod webdriver;

use common::{AGENT, SUPERVISOR, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;
use webdriver::Browser;

async fn sign_in(browser: &Browser, app: &TestApp, email: &str) {
    browser.sign_in(&app.url("/login"), email).await;
}

/// Opens each page and collects its violations as "page (language, viewport): violation".
async fn check(
    browser: &Browser,
    app: &TestApp,
    viewport: &str,
    pages: &[(String, String)],
    found: &mut Vec<String>,
) {
    for language in ["zh", "en"] {
        for (name, path) in pages {
            let separator = if path.contains('?') { '&' } else { '?' };
            browser
                .open(&app.url(&format!("{path}{separator}lang={language}")))
                .await;
            for violation in browser.accessibility_violations().await {
                found.push(format!("{name} ({language}, {viewport}): {violation}"));
            }
            browser
                .screenshot(&format!("accessibility-{name}-{language}-{viewport}"))
                .await;
        }
    }
}

#[tokio::test]
async fn no_page_has_a_critical_or_serious_accessibility_violation() {
    let app = TestApp::start().await;
    let order = app.recent_order("A11Y-1").await;
    let order_id = order["order"]["id"].as_str().unwrap().to_string();
    let customer_id = order["order"]["customer_id"].as_str().unwrap().to_string();
    let case = app
        .case("A11Y-1", "return_and_refund", "耳机左边没有声音")
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    let number = case["number"].as_str().unwrap().to_string();
    // A conversation and a change, so the thread has every kind of entry.
    app.call(
        Method::POST,
        &format!("/api/v1/cases/{id}/messages"),
        AGENT,
        Some(json!({ "body": "您好，请寄回。", "visibility": "customer" })),
    )
    .await;
    app.call(
        Method::POST,
        &format!("/api/v1/cases/{id}/messages"),
        AGENT,
        Some(json!({ "body": "买家很着急", "visibility": "internal" })),
    )
    .await;
    app.call(
        Method::POST,
        &format!("/api/v1/cases/{id}/transitions"),
        AGENT,
        Some(json!({ "action": "approve", "version": case["version"] })),
    )
    .await;

    // A cost, so the report has a group, a chart and totals.
    app.call(
        Method::POST,
        &format!("/api/v1/cases/{id}/costs"),
        AGENT,
        Some(json!({ "kind": "label", "amount_minor": 800 })),
    )
    .await;
    // A negative review on the order: its review case, and the reviews page with a row.
    let (_, reviews) = app
        .post(
            "/api/v1/reviews",
            AGENT,
            json!({ "reviews": [{ "order_number": "A11Y-1", "sku": "EP-1", "rating": 1,
                "text": "左耳没声音", "reviewed_at": "2026-11-20 10:00" }] }),
        )
        .await;
    assert_eq!(reviews["cases_opened"], 1, "{reviews}");
    let (_, review_cases) = app.get("/api/v1/cases?kind=review", AGENT).await;
    let review_case = review_cases["items"][0]["id"].as_str().unwrap().to_string();
    // A published article: the knowledge base's pages in the console and the help centre.
    let (status, article) = app
        .post(
            "/api/v1/articles",
            AGENT,
            json!({ "slug": "refund-time", "status": "published", "category": "退款",
                "title_zh": "退款多久到账？", "body_zh": "审核通过后**原路退回**：\n\n- 支付宝：即时\n- 银行卡：3–7 个工作日",
                "title_en": "How long does a refund take?", "body_en": "Back **the way you paid**." }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{article}");
    let article_id = article["id"].as_str().unwrap().to_string();
    // A repair at a supplier, its fault confirmed: the case's send-out part, the suppliers page,
    // and the customer's live repair progress.
    let (_, supplier) = app
        .post(
            "/api/v1/suppliers",
            SUPERVISOR,
            json!({ "name": "授权维修点", "kind": "service_centre", "confirm_days": 3, "repair_days": 10 }),
        )
        .await;
    app.recent_order("A11Y-2").await;
    let (status, repair) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "A11Y-2", "kind": "repair", "reason_code": "not_working",
                "description": "耳机充不进电", "lines": [{ "line_number": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{repair}");
    let repair_id = repair["id"].as_str().unwrap().to_string();
    for (action, extra) in [
        ("approve", json!({})),
        (
            "ship_return",
            json!({ "carrier": "顺丰速运", "tracking_number": "SF-A11Y-R" }),
        ),
        ("receive", json!({})),
        ("diagnose", json!({})),
    ] {
        let (status, body) = app.act(&repair_id, AGENT, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let (_, current) = app.get(&format!("/api/v1/cases/{repair_id}"), AGENT).await;
    let (status, send_out) = app
        .post(
            "/api/v1/send-outs",
            AGENT,
            json!({ "supplier_id": supplier["id"], "cases": [{ "id": repair_id, "version": current["version"] }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{send_out}");
    app.post(
        &format!(
            "/api/v1/send-outs/{}/finding",
            send_out["id"].as_str().unwrap()
        ),
        AGENT,
        json!({ "version": send_out["version"], "finding": "confirmed", "report": "电池鼓包" }),
    )
    .await;
    let repair_number = repair["number"].as_str().unwrap().to_string();
    // A repair waiting for the item, booked at a service point: the portal's booking part and
    // the staff's day view.
    let (status, location) = app
        .post(
            "/api/v1/repair-locations",
            SUPERVISOR,
            json!({ "name": "徐汇服务点", "services": ["drop_in", "pickup"],
                "slots": [{ "start": "09:00", "end": "10:00", "capacity": 2 },
                          { "start": "14:00", "end": "15:00", "capacity": 2 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{location}");
    let (status, waiting) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "A11Y-2", "kind": "repair", "reason_code": "not_working",
                "description": "充电盒不亮", "lines": [{ "line_number": 2, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{waiting}");
    let (_, openings) = app
        .get(
            &format!(
                "/api/v1/repair-locations/{}/openings",
                location["id"].as_str().unwrap()
            ),
            AGENT,
        )
        .await;
    let opening = &openings["items"][0];
    let (status, booked) = app
        .call(
            Method::PUT,
            &format!(
                "/api/v1/cases/{}/appointment",
                waiting["id"].as_str().unwrap()
            ),
            AGENT,
            Some(json!({ "location_id": location["id"], "service": "pickup",
                "day": opening["day"], "start": opening["start"] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{booked}");
    let booked_day = booked["day"].as_str().unwrap().to_string();
    let waiting_number = waiting["number"].as_str().unwrap().to_string();
    let console = |path: &str, name: &str| (name.to_string(), path.to_string());
    let console_pages = vec![
        console("/console", "queue"),
        console(&format!("/console/cases/{id}"), "case"),
        console("/console/orders", "orders"),
        console("/console/orders/import", "import"),
        console(&format!("/console/orders/{order_id}"), "order"),
        console("/console/customers", "customers"),
        console(&format!("/console/customers/{customer_id}"), "customer"),
        console("/console/receiving", "receiving"),
        console("/console/follow-ups", "follow-ups"),
        console("/console/reports/costs?by=month", "cost-report"),
        console("/console/credit-notes", "credit-notes"),
        console("/console/surveys", "surveys"),
        console("/console/dashboard", "dashboard"),
        console("/console/audits", "audits"),
        console("/console/reviews", "reviews"),
        console("/console/visits", "visits"),
        console("/console/suppliers", "suppliers"),
        console(
            &format!("/console/appointments?day={booked_day}"),
            "appointments",
        ),
        console(&format!("/console/cases/{repair_id}"), "repair-case"),
        console("/console/articles", "articles"),
        console("/console/articles/new", "article-new"),
        console(&format!("/console/articles/{article_id}"), "article"),
        console(&format!("/console/cases/{review_case}"), "review-case"),
        console("/console/inbound", "inbound"),
        console("/console/settings", "settings"),
        console("/console/tokens", "tokens"),
        console("/console/audit", "audit"),
        console("/console/no-such-page", "not-found"),
        console("/console/cases/no-such-case", "console-error"),
    ];
    let portal_pages = vec![
        console("/portal/shop", "portal-find"),
        console("/portal/shop/orders/A11Y-1", "portal-order"),
        console(&format!("/portal/shop/cases/{number}"), "portal-case"),
        console("/portal/shop/orders/NOPE", "portal-not-found"),
        console("/help/shop", "help"),
        console("/help/shop?q=%E9%80%80%E6%AC%BE", "help-results"),
        console("/help/shop?q=%E7%81%AB%E6%98%9F", "help-no-results"),
        console("/help/shop/refund-time", "help-article"),
    ];

    let mut found = Vec::new();
    for (viewport, browser) in [
        ("laptop", Browser::laptop().await),
        ("phone", Browser::phone().await),
    ] {
        browser.open(&app.url("/login")).await;
        check(
            &browser,
            &app,
            viewport,
            &[console("/login", "login")],
            &mut found,
        )
        .await;
        sign_in(&browser, &app, "admin@test.local").await;
        check(&browser, &app, viewport, &console_pages, &mut found).await;
        // The customer's pages, with the customer's session.
        let cookie = app.portal_session("A11Y-1", "13800138000").await;
        let (name, value) = cookie.split_once('=').unwrap();
        browser.open(&app.url("/portal/shop")).await;
        browser.add_cookie(name, value).await;
        check(&browser, &app, viewport, &portal_pages, &mut found).await;
        // The repair's own order, with its own session.
        let cookie = app.portal_session("A11Y-2", "13800138000").await;
        let (name, value) = cookie.split_once('=').unwrap();
        browser.add_cookie(name, value).await;
        let repair_page = console(
            &format!("/portal/shop/cases/{repair_number}"),
            "portal-repair",
        );
        let booking_page = console(
            &format!("/portal/shop/cases/{waiting_number}"),
            "portal-appointment",
        );
        check(
            &browser,
            &app,
            viewport,
            &[repair_page, booking_page],
            &mut found,
        )
        .await;
    }
    assert!(
        found.is_empty(),
        "{} accessibility violations:\n{}",
        found.len(),
        found.join("\n")
    );
}
