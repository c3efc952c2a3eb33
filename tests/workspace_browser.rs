//! The agent's workspace in a real browser (headless Chromium over WebDriver): five cases worked
//! from the keyboard alone, the shortcuts' help, the next case; a change made elsewhere and a
//! second viewer shown live while a case is open.

mod common;
mod webdriver;

use common::{AGENT, SUPERVISOR, TestApp};
use reqwest::Method;
use serde_json::{Value, json};
use webdriver::Browser;

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

async fn sign_in(browser: &Browser, app: &TestApp, email: &str) {
    browser.sign_in(&app.url("/login"), email).await;
}

async fn status_of(app: &TestApp, id: &str) -> Value {
    let (_, case) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    case["status"].clone()
}

/// Waits until the page at `part` has loaded (after a key that navigates).
async fn wait_for_page(browser: &Browser, part: &str) {
    browser.wait_for_url(part).await;
    for _ in 0..100 {
        if browser.script("return document.readyState").await == "complete" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_agent_works_five_cases_from_the_keyboard() {
    let app = TestApp::start().await;
    let mut ids = Vec::new();
    for index in 1..=5 {
        let number = format!("KEY-{index}");
        app.recent_order(&number).await;
        let case = app.case(&number, "return_and_refund", "耳机坏了").await;
        ids.push(case["id"].as_str().unwrap().to_string());
    }
    let browser = Browser::laptop().await;
    sign_in(&browser, &app, "agent@test.local").await;
    browser.open(&app.url("/console?status=submitted")).await;

    // "?" shows the shortcuts, and closes them again.
    browser.keys("?").await;
    assert_eq!(
        browser
            .script("return document.getElementById('shortcuts').open")
            .await,
        true
    );
    let help = browser.text("#shortcuts").await;
    assert!(
        help.contains("下一个工单") && help.contains("写回复"),
        "{help}"
    );
    browser.keys("?").await;

    for round in 0..5 {
        // j selects the first waiting case, o opens it.
        browser.keys("jo").await;
        wait_for_page(&browser, "/console/cases/").await;
        let url = browser.url().await;
        // a goes to the first allowed action (approve); Tab to its button, Enter does it.
        browser.keys("a").await;
        browser.keys(TAB).await;
        browser.keys(ENTER).await;
        wait_for_page(&browser, "done=approve").await;
        browser.wait_for_text("#notice", "同意").await;
        // r puts the cursor in the reply box.
        browser.keys("r").await;
        assert_eq!(
            browser.script("return document.activeElement.id").await,
            "reply-body",
            "round {round}"
        );
        browser
            .keys(&format!("请按退货地址寄回，谢谢。{ENTER}"))
            .await;
        browser.script("document.activeElement.blur()").await;
        // u goes back to the view the agent came from.
        browser.keys("u").await;
        wait_for_page(&browser, "status=submitted").await;
        assert!(!url.contains("status=submitted"));
    }
    for id in &ids {
        assert_eq!(status_of(&app, id).await, "approved", "{id}");
    }
    browser.wait_for_text("body", "没有").await;

    // n from a case goes to another open case.
    browser
        .open(&app.url(&format!("/console/cases/{}", ids[0])))
        .await;
    browser.keys("n").await;
    for _ in 0..50 {
        let url = browser.url().await;
        if !url.contains(&ids[0]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let url = browser.url().await;
    assert!(
        url.contains("/console/cases/") && !url.contains(&ids[0]),
        "{url}"
    );
    browser.screenshot("workspace-keyboard").await;
}

#[tokio::test]
async fn an_open_case_shows_changes_made_elsewhere_and_who_else_is_viewing() {
    let app = TestApp::start().await;
    app.recent_order("LIVE-1").await;
    let case = app.case("LIVE-1", "return_and_refund", "耳机坏了").await;
    let id = case["id"].as_str().unwrap().to_string();
    let browser = Browser::laptop().await;
    sign_in(&browser, &app, "agent@test.local").await;
    browser
        .open(&app.url(&format!("/console/cases/{id}")))
        .await;
    browser.type_into("#reply-body", "正在写的回复").await;

    // A colleague opens the same case on their phone: the first page names them.
    let colleague = Browser::phone().await;
    sign_in(&colleague, &app, "agent2@test.local").await;
    colleague
        .open(&app.url(&format!("/console/cases/{id}")))
        .await;
    browser
        .wait_for_text("#live-viewers", "agent2@test.local")
        .await;
    colleague
        .wait_for_text("#live-viewers", "agent@test.local")
        .await;

    // The supervisor approves it through the API: the page says so and offers a reload,
    // keeping what was being typed.
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/transitions"),
            SUPERVISOR,
            Some(json!({ "action": "approve", "version": case["version"] })),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let said = browser
        .wait_for_text("#live", "supervisor@test.local")
        .await;
    assert!(said.contains("同意") && said.contains("重新加载"), "{said}");
    assert_eq!(browser.value("#reply-body").await, "正在写的回复");
    browser.screenshot("workspace-live-change").await;

    // Reloading shows the change.
    browser.click("#live-reload").await;
    wait_for_page(&browser, &id).await;
    browser.wait_for_text("#status", "已同意").await;
}

#[tokio::test]
async fn on_a_wide_screen_the_queue_stays_beside_the_case() {
    let app = TestApp::start().await;
    let mut numbers = Vec::new();
    for index in 1..=3 {
        let order = format!("SIDE-{index}");
        app.recent_order(&order).await;
        let case = app.case(&order, "return_and_refund", "耳机坏了").await;
        numbers.push(case["number"].as_str().unwrap().to_string());
    }
    let browser = Browser::desktop().await;
    sign_in(&browser, &app, "agent@test.local").await;
    browser
        .open(&app.url("/console?status=submitted&sort=created_at"))
        .await;
    browser.keys("jo").await;
    wait_for_page(&browser, "/console/cases/").await;
    let side = browser.wait_for_text("#queue-side", &numbers[2]).await;
    assert!(
        side.contains(&numbers[0]) && side.contains(&numbers[1]),
        "{side}"
    );
    let current = browser.text("#queue-side a[aria-current]").await;
    assert!(current.contains(&numbers[0]), "{current}");
    browser.screenshot("workspace-queue-beside").await;
    // j opens the case below it in the list, which stays.
    browser.keys("j").await;
    browser.wait_for_text("h1", &numbers[1]).await;
    let current = browser
        .wait_for_text("#queue-side a[aria-current]", &numbers[1])
        .await;
    assert!(current.contains(&numbers[1]));
}
