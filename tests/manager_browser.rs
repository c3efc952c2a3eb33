//! The manager's pages in a real browser (headless Chromium over WebDriver): a review export
//! imported on the reviews page and its negative review handled from the case page (the buyer's
//! answer, the explanation from a template, posted); the dashboard's numbers lead to the cases
//! behind them; a QA audit scored on its page. Screenshots land in target/screenshots/.

mod common;
mod webdriver;

use common::{AGENT, SUPERVISOR, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use webdriver::Browser;

#[tokio::test]
async fn a_review_export_is_imported_and_its_negative_review_handled_from_the_case_page() {
    let app = TestApp::start().await;
    app.recent_order("3712345678901234563").await;
    let export = "订单编号,子订单编号,宝贝名称,评价结果,评价内容,评价时间,买家昵称\r\n\
        =\"3712345678901234563\",=\"1\",蓝牙耳机,差评,用了三天左耳就没声音了,2026-11-07 11:00:00,t**3\r\n\
        =\"3712345678901234563\",=\"2\",纯棉T恤,好评,舒服,2026-11-07 11:05:00,t**3\r\n";
    let directory = std::env::temp_dir().join(format!("reviews-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join("taobao-reviews.csv");
    std::fs::write(&path, encoding_rs::GBK.encode(export).0).unwrap();

    let browser = Browser::laptop().await;
    browser
        .sign_in(&app.url("/login"), "agent@test.local")
        .await;
    browser.open(&app.url("/console/reviews")).await;
    browser.choose_file("#review-file", &path).await;
    browser.submit("#review-import button[type=submit]").await;
    let notice = browser.wait_for_text("[role=status]", "新增").await;
    assert!(notice.contains("新增 2 条评价，开了 1 个工单"), "{notice}");
    let statistics = browser.text("#review-statistics").await;
    assert!(
        statistics.contains("蓝牙耳机") && statistics.contains("2026-11"),
        "{statistics}"
    );
    browser.screenshot("reviews-page").await;

    // The negative review's case, from its row.
    browser
        .click("#review-list a[href*='/console/cases/']")
        .await;
    browser.wait_for_url("/console/cases/").await;
    let part = browser.text("#review").await;
    assert!(
        part.contains("差评") && part.contains("用了三天左耳就没声音了"),
        "{part}"
    );
    browser
        .script("document.querySelector('#review-outcome').value = 'declined'")
        .await;
    browser
        .submit("form[action*='/outcome'] button[type=submit]")
        .await;
    browser.wait_for_text("#review", "买家不愿修改").await;
    // The explanation box holds the first template, filled in for this product.
    let draft = browser.value("#review-text").await;
    assert!(draft.contains("蓝牙耳机"), "{draft}");
    browser
        .submit("form[action*='/explanation'] button[type=submit]")
        .await;
    browser
        .submit("form[action*='/posted'] button[type=submit]")
        .await;
    let posted = browser.wait_for_text("#review", "已发布于").await;
    assert!(posted.contains("蓝牙耳机"), "{posted}");
    browser.screenshot("review-case").await;

    let (status, list) = app.get("/api/v1/reviews?grade=negative", AGENT).await;
    assert_eq!(status, StatusCode::OK);
    let review = &list["items"][0];
    assert_eq!(review["outcome"], "declined");
    assert_eq!(review["explanation"].as_str().unwrap(), draft);
    assert!(review["posted_at"].is_string(), "{review}");
}

#[tokio::test]
async fn the_dashboard_leads_to_its_cases_and_a_qa_audit_is_scored_in_the_browser() {
    let app = TestApp::start().await;
    let agent = app.staff_id("agent@test.local").await;
    let mut numbers = Vec::new();
    for n in 0..2 {
        let order = format!("DASH-{n}");
        app.recent_order(&order).await;
        let case = app.case(&order, "complaint", "客服回复太慢").await;
        let id = case["id"].as_str().unwrap().to_string();
        numbers.push(case["number"].as_str().unwrap().to_string());
        let (status, body) = app
            .call(
                reqwest::Method::PATCH,
                &format!("/api/v1/cases/{id}"),
                AGENT,
                Some(json!({ "version": case["version"], "assignee_id": agent })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for action in ["resolve", "close"] {
            let (status, body) = app.act(&id, AGENT, action, json!({})).await;
            assert_eq!(status, StatusCode::OK, "{action}: {body}");
        }
    }

    let browser = Browser::laptop().await;
    browser
        .sign_in(&app.url("/login"), "supervisor@test.local")
        .await;
    browser.open(&app.url("/console/dashboard")).await;
    let tiles = browser.text("#dashboard-tiles").await;
    assert!(!tiles.is_empty());
    assert!(browser.try_find("#dashboard-trend svg").await.is_some());
    browser.screenshot("dashboard").await;
    // The first number that links somewhere opens the cases behind it.
    browser.click("#dashboard-tiles a").await;
    browser.wait_for_url("/console?").await;
    let queue = browser.text("#cases").await;
    assert!(
        numbers.iter().any(|number| queue.contains(number)),
        "{queue}"
    );

    // The half-month is over: its audits are drawn, one scored on its page.
    let (period, hours) = app.half_month_and_hours();
    let later = app.later(hours).await;
    let (status, drawn) = later
        .post(
            "/api/v1/audits/rounds",
            SUPERVISOR,
            json!({ "period": period, "seed": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let audit = drawn["items"][0]["id"].as_str().unwrap().to_string();
    browser
        .sign_in(&later.url("/login"), "supervisor@test.local")
        .await;
    browser
        .open(&later.url(&format!("/console/audits/{audit}")))
        .await;
    let timeline = browser.text("#qa-timeline").await;
    assert!(!timeline.is_empty());
    for (key, score) in [
        ("first_response", "80"),
        ("policy", "100"),
        ("tone", "90"),
        ("sop", "70"),
        ("outcome", "100"),
    ] {
        browser
            .script(&format!(
                "document.querySelector('#score_{key}').value = '{score}'"
            ))
            .await;
    }
    browser
        .type_into("#qa-comment", "首次响应偏慢，其余规范")
        .await;
    browser.submit("#qa-scorecard button[type=submit]").await;
    // 80×20 + 100×25 + 90×20 + 70×15 + 100×20 = 8950 → 89.5, shown rounded as the API keeps it.
    let scored = browser.wait_for_text("#qa-scorecard", "首次响应偏慢").await;
    browser.screenshot("qa-audit").await;
    let (_, listed) = later
        .get(&format!("/api/v1/audits?period={period}"), SUPERVISOR)
        .await;
    let stored = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == audit.as_str())
        .unwrap()
        .clone();
    assert_eq!(stored["state"], "scored", "{stored}");
    let total = stored["total"].as_i64().unwrap();
    assert!(scored.contains(&total.to_string()), "{scored}");
}
