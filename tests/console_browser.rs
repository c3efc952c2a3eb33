//! The staff console in a real browser (headless Chromium over WebDriver, a laptop's window):
//! an agent and an inspector take a return from submitted to closed through the pages; a
//! refused action says why and keeps what was typed; a form posted without its CSRF token is
//! refused. Screenshots land in target/screenshots/.

mod common;
mod webdriver;

use common::{AGENT, SUPERVISOR, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use webdriver::Browser;

async fn sign_in(browser: &Browser, app: &TestApp, email: &str) {
    browser.open(&app.url("/console")).await;
    browser.wait_for_url("/login").await;
    browser.type_into("#email", email).await;
    browser.type_into("#password", "password1").await;
    browser.submit("form button[type=submit]").await;
    browser.wait_for_url("/console").await;
}

async fn sign_out(browser: &Browser) {
    browser.submit("#sign-out").await;
    browser.wait_for_url("/login").await;
}

async fn status_of(app: &TestApp, id: &str) -> Value {
    let (_, case) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    case["status"].clone()
}

/// No message key shows instead of its text.
async fn assert_translated(browser: &Browser) {
    let text = browser
        .script("return document.body.innerText")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string();
    for prefix in [
        "console-",
        "staff-status-",
        "action-",
        "event-",
        "field-",
        "priority-",
        "role-",
        "receiving-",
        "due-",
        "audit-",
    ] {
        assert!(
            !text.split_whitespace().any(|word| word.starts_with(prefix)),
            "an untranslated {prefix}… key on the page:\n{text}"
        );
    }
}

#[tokio::test]
async fn a_return_goes_from_submitted_to_closed_through_the_console() {
    let app = TestApp::start().await;
    let sop = json!({ "sop": [{ "category": "quality", "steps": [
        { "code": "photos", "text": "请买家上传问题部位照片", "before": ["approve"] }
    ]}]});
    let (status, body) = app
        .call(Method::PATCH, "/api/v1/settings", SUPERVISOR, Some(sop))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.recent_order("CON-1").await;
    let case = app
        .case("CON-1", "return_and_refund", "耳机左边没有声音")
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    let number = case["number"].as_str().unwrap().to_string();
    let browser = Browser::laptop().await;

    // A wrong password is refused with the e-mail kept.
    browser.open(&app.url("/login")).await;
    browser.type_into("#email", "agent@test.local").await;
    browser.type_into("#password", "wrong-password").await;
    browser.submit("form button[type=submit]").await;
    browser.wait_for_text(".error", "不正确").await;
    assert_eq!(browser.value("#email").await, "agent@test.local");

    sign_in(&browser, &app, "agent@test.local").await;
    let queue = browser.text("#cases").await;
    assert!(
        queue.contains(&number) && queue.contains("待审核"),
        "{queue}"
    );
    assert_translated(&browser).await;
    browser.screenshot("console-queue").await;

    browser
        .click(&format!("a[href='/console/cases/{id}']"))
        .await;
    browser.wait_for_url(&format!("/console/cases/{id}")).await;
    browser.wait_for_text("#order", "蓝牙耳机").await;
    assert_translated(&browser).await;

    // Rejecting without a reason is refused next to the form; the note typed stays.
    browser
        .type_into("#action-reject textarea[name=note]", "再确认一下")
        .await;
    browser
        .submit_confirmed("#action-reject button[type=submit]", true)
        .await;
    let refusal = browser.text("#action-reject .error").await;
    assert!(refusal.contains("原因"), "{refusal}");
    assert_eq!(
        browser.value("#action-reject textarea[name=note]").await,
        "再确认一下"
    );
    assert_eq!(status_of(&app, &id).await, "submitted");
    browser.screenshot("console-refused-action").await;

    // Approval waits for the SOP step, and says which.
    browser.submit("#action-approve button[type=submit]").await;
    let held = browser.text("#action-approve .error").await;
    assert!(held.contains("请买家上传问题部位照片"), "{held}");
    assert_eq!(status_of(&app, &id).await, "submitted");
    browser.screenshot("console-checklist-holds").await;
    browser.submit("#step-photos button[type=submit]").await;
    browser.wait_for_text("#checklist", "☑").await;

    // Approve; the customer's parcel is recorded by the agent here.
    browser.submit("#action-approve button[type=submit]").await;
    assert_eq!(status_of(&app, &id).await, "approved");
    browser.type_into("#ship_return-carrier", "顺丰速运").await;
    browser
        .type_into("#ship_return-tracking", "SF7788990011")
        .await;
    browser
        .submit("#action-ship_return button[type=submit]")
        .await;
    assert_eq!(status_of(&app, &id).await, "return_shipped");

    // A reply from a template, and an internal note.
    browser
        .type_into("#reply-body", "您好，包裹到了我们会尽快检查。")
        .await;
    browser.submit("#reply button[type=submit]").await;
    browser.type_into("#note-body", "买家很着急").await;
    browser.submit("#note-form button[type=submit]").await;
    let timeline = browser.text("#timeline").await;
    assert!(
        timeline.contains("您好，包裹到了") && timeline.contains("买家很着急"),
        "{timeline}"
    );

    // The inspector scans the tracking number at the warehouse.
    sign_out(&browser).await;
    sign_in(&browser, &app, "inspector@test.local").await;
    browser.open(&app.url("/console/receiving")).await;
    browser.wait_for_text("body", &number).await;
    browser.type_into("#code", "SF7788990011").await;
    browser
        .submit("form[action='/console/receiving'] button")
        .await;
    browser.wait_for_url(&format!("/console/cases/{id}")).await;
    browser
        .type_into("#action-receive textarea[name=note]", "外包装完好")
        .await;
    browser.submit("#action-receive button[type=submit]").await;
    assert_eq!(status_of(&app, &id).await, "received");
    // The parcel's condition, photographed.
    let photo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/photo-with-location.jpg");
    browser.choose_file("#upload", &photo).await;
    browser.submit("#files button[type=submit]").await;
    assert!(browser.try_find("#files img").await.is_some());
    browser
        .script("document.getElementById('inspect_pass-disposition').value = 'restock'")
        .await;
    browser
        .submit("#action-inspect_pass button[type=submit]")
        .await;
    assert_eq!(status_of(&app, &id).await, "inspected");
    browser.wait_for_text("#timeline", "重新入库").await;

    // The agent refunds what is left and closes the case.
    sign_out(&browser).await;
    sign_in(&browser, &app, "agent@test.local").await;
    browser
        .open(&app.url(&format!("/console/cases/{id}")))
        .await;
    assert_eq!(browser.value("#amount_1").await, "199.00");
    // A refund asks first, with the amount; refused, nothing is paid.
    let question = browser
        .submit_confirmed("#refund button[type=submit]", false)
        .await;
    assert!(question.contains("¥299.00"), "{question}");
    assert_eq!(status_of(&app, &id).await, "inspected");
    browser
        .submit_confirmed("#refund button[type=submit]", true)
        .await;
    assert_eq!(status_of(&app, &id).await, "refunded");
    browser.wait_for_text("#notice", "退款已记录").await;
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert_eq!(refunds["items"][0]["amount_minor"], 29900, "{refunds}");
    let question = browser
        .submit_confirmed("#action-close button[type=submit]", true)
        .await;
    assert!(question.contains("关闭"), "{question}");
    assert_eq!(status_of(&app, &id).await, "closed");
    browser.wait_for_text("#status", "已关闭").await;
    browser.screenshot("console-case-closed").await;

    // A post without the CSRF token, with a valid session, changes nothing.
    let forged = app
        .client
        .post(app.url(&format!("/console/cases/{id}/actions")))
        .header("Cookie", browser.cookie_header().await)
        .form(&[("action", "reopen"), ("version", "99")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, &id).await, "closed");

    // In English too.
    browser
        .open(&app.url(&format!("/console/cases/{id}?lang=en")))
        .await;
    browser.wait_for_text("#status", "Closed").await;
    assert_translated(&browser).await;
    browser.open(&app.url("/console?status=ended")).await;
    browser.wait_for_text("#cases", "Closed").await;
    assert_translated(&browser).await;
    browser.screenshot("console-queue-english").await;
}

#[tokio::test]
async fn every_console_page_renders_in_both_languages() {
    let app = TestApp::start().await;
    let order = app.recent_order("ALL-1").await;
    let case = app.case("ALL-1", "repair", "屏幕闪烁").await;
    let id = case["id"].as_str().unwrap();
    let order_id = order["order"]["id"].as_str().unwrap();
    let customer_id = order["order"]["customer_id"].as_str().unwrap();
    let browser = Browser::laptop().await;
    sign_in(&browser, &app, "admin@test.local").await;
    let pages = [
        ("queue", "/console".to_string()),
        ("case", format!("/console/cases/{id}")),
        ("orders", "/console/orders".to_string()),
        ("order", format!("/console/orders/{order_id}")),
        ("customers", "/console/customers".to_string()),
        ("customer", format!("/console/customers/{customer_id}")),
        ("receiving", "/console/receiving".to_string()),
        ("settings", "/console/settings".to_string()),
        ("tokens", "/console/tokens".to_string()),
        ("audit", "/console/audit".to_string()),
    ];
    for language in ["en", "zh"] {
        browser
            .open(&app.url(&format!("/console?lang={language}")))
            .await;
        for (name, path) in &pages {
            browser.open(&app.url(path)).await;
            assert_eq!(
                browser.script("return document.documentElement.lang").await,
                if language == "en" { "en-US" } else { "zh-CN" },
                "{path}"
            );
            assert_translated(&browser).await;
            browser
                .screenshot(&format!("console-{name}-{language}"))
                .await;
        }
    }
}
