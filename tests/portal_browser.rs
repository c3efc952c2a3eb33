//! The portal in a real browser: headless Chromium at a phone's viewport (390 × 844), driven
//! over WebDriver. A customer finds the order, opens a return with a photo, prints the label,
//! adds the tracking number, accepts an offer and rates the closed case; wrong guesses and
//! fake photos are refused. Screenshots land in target/screenshots/.

mod common;
mod webdriver;

use std::path::PathBuf;

use common::{AGENT, INSPECTOR, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use webdriver::Browser;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The tags of the first TIFF directory of a JPEG's EXIF block.
fn exif_tags(jpeg: &[u8]) -> Vec<u16> {
    let Some(start) = jpeg.windows(6).position(|window| window == b"Exif\0\0") else {
        return Vec::new();
    };
    let tiff = &jpeg[start + 6..];
    let little = &tiff[..2] == b"II";
    let u16_at = |at: usize| {
        let pair = [tiff[at], tiff[at + 1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    };
    let u32_at = |at: usize| {
        let quad = [tiff[at], tiff[at + 1], tiff[at + 2], tiff[at + 3]];
        if little {
            u32::from_le_bytes(quad)
        } else {
            u32::from_be_bytes(quad)
        }
    };
    let first = u32_at(4) as usize;
    (0..u16_at(first) as usize)
        .map(|index| u16_at(first + 2 + index * 12))
        .collect()
}

async fn sign_in(browser: &Browser, app: &TestApp, order: &str, contact: &str) -> String {
    browser.open(&app.url("/portal/shop")).await;
    browser.type_into("#order_number", order).await;
    browser.type_into("#contact", contact).await;
    browser.submit("form button[type=submit]").await;
    browser.url().await
}

/// No horizontal scrolling on a phone: the page fits its 390-pixel width.
async fn assert_fits_the_phone(browser: &Browser) {
    let width = browser
        .script("return document.documentElement.scrollWidth")
        .await;
    assert!(
        width.as_i64().unwrap() <= 390,
        "the page is {width} px wide on a 390 px phone"
    );
}

#[tokio::test]
async fn a_customer_returns_goods_from_a_phone() {
    let app = TestApp::start().await;
    app.recent_order("WEB-1").await;
    let browser = Browser::phone().await;

    // A wrong phone number gets exactly the answer an unknown order gets.
    sign_in(&browser, &app, "NO-SUCH-ORDER", "13800138000").await;
    let unknown = browser.text(".error").await;
    sign_in(&browser, &app, "WEB-1", "13999999999").await;
    let wrong = browser.text(".error").await;
    assert!(!unknown.is_empty());
    assert_eq!(unknown, wrong);
    assert_eq!(
        browser.value("#order_number").await,
        "WEB-1",
        "typed values are kept"
    );
    browser.screenshot("portal-find-refused").await;

    let url = sign_in(&browser, &app, "WEB-1", "13800138000").await;
    assert!(url.ends_with("/portal/shop/orders/WEB-1"), "{url}");
    assert_fits_the_phone(&browser).await;
    // The policy's answer for the order, with the no-reason deadline.
    let rights = browser.text("#rights").await;
    assert!(
        rights.contains("退货退款") && rights.contains("截止"),
        "{rights}"
    );

    // Step by step: the items first, one part at a time.
    assert!(browser.try_find("#step-why[hidden]").await.is_some());
    browser.type_into("#quantity_1", "1").await;
    browser.screenshot("portal-request-items").await;
    browser.click("#step-next").await;
    browser.wait_for_text("#ask-steps li.current", "2").await;
    // The upload limits show before any file is chosen.
    browser.wait_for_text("#files-limits", "10 MB").await;
    browser
        .type_into("#description", "左耳没有声音，右耳正常")
        .await;
    // A draft survives a reload.
    browser.refresh().await;
    assert_eq!(
        browser.value("#description").await,
        "左耳没有声音，右耳正常"
    );
    assert_eq!(browser.value("#quantity_1").await, "1");
    browser.click("#step-next").await;
    browser
        .script("document.getElementById('kind').value = 'return_and_refund'; document.getElementById('kind').dispatchEvent(new Event('change', { bubbles: true })); document.getElementById('reason').value = 'quality';")
        .await;
    // The refund preview: one earphone, what it cost; it is sent back once the shop agrees.
    browser.click("#step-next").await;
    let preview = browser.wait_for_text("#refund-preview", "¥199.00").await;
    assert!(preview.contains("原路退回"), "{preview}");
    assert!(browser.try_find("#send-back[hidden]").await.is_none());
    browser.screenshot("portal-request-preview").await;
    browser.click("#step-next").await;
    let summary = browser.wait_for_text("#ask-summary", "蓝牙耳机 × 1").await;
    assert!(summary.contains("退货退款"), "{summary}");

    // A text file named .jpg is refused; what was typed stays (every part shows again).
    browser.click("#step-back").await;
    browser.click("#step-back").await;
    browser
        .choose_file("#files", &fixture("not-a-photo.jpg"))
        .await;
    browser.click("#step-next").await;
    browser.click("#step-next").await;
    browser.submit("#ask-form button[type=submit]").await;
    let refusal = browser.text("#ask .error").await;
    assert!(refusal.contains("not-a-photo.jpg"), "{refusal}");
    assert_eq!(
        browser.value("#description").await,
        "左耳没有声音，右耳正常"
    );
    browser.screenshot("portal-fake-photo-refused").await;

    // With a real photo the request goes through.
    browser
        .script("document.getElementById('kind').value = 'return_and_refund'; document.getElementById('reason').value = 'quality';")
        .await;
    browser
        .choose_file("#files", &fixture("photo-with-location.jpg"))
        .await;
    browser.submit("#ask-form button[type=submit]").await;
    let case_url = browser.wait_for_url("/portal/shop/cases/").await;
    let number = case_url.rsplit('/').next().unwrap().to_string();
    // The tracker: sent, the shop's answer next.
    let current = browser.text("#tracker li[aria-current=step]").await;
    assert!(current.contains("提交申请"), "{current}");
    assert!(browser.try_find("#files img").await.is_some());
    assert_fits_the_phone(&browser).await;
    browser.screenshot("portal-case-submitted").await;

    // The stored photo has no location; the rest of its EXIF is kept.
    let (_, listed) = app.get(&format!("/api/v1/cases?q={number}"), AGENT).await;
    let id = listed["items"][0]["id"].as_str().unwrap().to_string();
    let (_, files) = app
        .get(&format!("/api/v1/cases/{id}/attachments"), AGENT)
        .await;
    assert_eq!(files["items"][0]["content_type"], "image/jpeg");
    assert_eq!(files["items"][0]["author_role"], "customer");
    let stored = app
        .client
        .get(app.url(&format!(
            "/api/v1/cases/{id}/attachments/{}",
            files["items"][0]["id"].as_str().unwrap()
        )))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let original = std::fs::read(fixture("photo-with-location.jpg")).unwrap();
    assert!(exif_tags(&original).contains(&0x8825));
    assert!(!exif_tags(&stored).contains(&0x8825), "GPS pointer removed");
    assert!(exif_tags(&stored).contains(&0x010F), "Make kept");
    assert!(stored.windows(7).any(|window| window == b"TestCam"));

    // The shop approves; the label is there to print, and the tracking number goes in.
    let (status, _) = app.act(&id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    browser.refresh().await;
    let label = browser
        .attribute("a[href$='label.pdf']", "href")
        .await
        .unwrap();
    let pdf = app
        .client
        .get(app.url(&label))
        .header("Cookie", browser.cookie_header().await)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    browser.type_into("#carrier", "顺丰速运").await;
    browser.type_into("#tracking_number", "SF1234567890").await;
    browser.screenshot("portal-case-approved").await;
    browser.submit("#carrier ~ button[type=submit]").await;
    let (_, case) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(case["status"], "return_shipped", "{case}");

    // Received, inspected, refunded and closed by the shop; the customer rates it.
    for (token, action) in [(INSPECTOR, "receive"), (INSPECTOR, "inspect_pass")] {
        let (status, body) = app.act(&id, token, action, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let (status, _) = app.refund(&id, "web-1-refund", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    // Refunded: the tracker has reached the refund, which shows with how and where it is.
    browser.refresh().await;
    browser
        .wait_for_text("#tracker li[aria-current=step]", "退款")
        .await;
    let refunds = browser.text("#refunds").await;
    assert!(
        refunds.contains("¥199.00") && refunds.contains("原路退回"),
        "{refunds}"
    );
    let (status, _) = app.act(&id, AGENT, "close", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    browser.refresh().await;
    // Closed: every step done.
    let steps = browser
        .script("return Array.from(document.querySelectorAll('#tracker li')).map(li => li.className).join(' ')")
        .await;
    assert_eq!(steps, "done done done done done done", "{steps}");
    browser
        .script("document.getElementById('stars').value = '4'")
        .await;
    browser.type_into("#comment", "处理很快").await;
    browser.submit("#comment ~ button[type=submit]").await;
    assert!(browser.source().await.contains("4 星"));
    assert!(browser.try_find("#comment").await.is_none(), "rated once");
    browser.screenshot("portal-case-rated").await;
    let (_, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event["action"] == "rated" && event["data"]["stars"] == 4),
        "{events}"
    );
}

#[tokio::test]
async fn a_customer_accepts_a_partial_refund_from_a_signed_link() {
    let app = TestApp::start().await;
    app.recent_order("WEB-2").await;
    let case = app.case("WEB-2", "return_and_refund", "耳机有划痕").await;
    let id = case["id"].as_str().unwrap().to_string();
    let (status, offer) = app
        .post(
            &format!("/api/v1/cases/{id}/offers"),
            AGENT,
            json!({ "amount_minor": 3000, "note": "划痕不影响使用，补偿 30 元，商品无需退回" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{offer}");
    let (status, link) = app
        .post(&format!("/api/v1/cases/{id}/portal-link"), AGENT, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{link}");

    // The link signs the customer in without the phone number and opens the case.
    let browser = Browser::phone().await;
    browser.open(link["url"].as_str().unwrap()).await;
    browser
        .wait_for_url(&format!("/cases/{}", case["number"].as_str().unwrap()))
        .await;
    let shown = browser.text("#offer").await;
    assert!(
        shown.contains("¥30.00") && shown.contains("补偿 30 元"),
        "{shown}"
    );
    assert_fits_the_phone(&browser).await;
    browser.screenshot("portal-offer").await;
    browser.submit("#offer button[value=accept]").await;
    assert!(browser.try_find("#offer").await.is_none());

    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    let refunds = refunds["items"].as_array().unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount_minor"], 3000);
    let (_, case) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(case["status"], "refunded");

    // A forged or foreign link signs nobody in.
    browser.open(&app.url("/portal/shop/enter/bm9wZQ.00")).await;
    browser.wait_for_text(".error", "链接").await;
}

#[tokio::test]
async fn a_customer_answers_a_satisfaction_survey_on_a_phone() {
    let app = TestApp::start().await;
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            common::SUPERVISOR,
            Some(json!({ "surveys": { "count": 1, "questions": [
                { "key": "speed", "zh": "处理速度", "en": "Speed", "kind": "score" }
            ] } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.recent_order("WEB-3").await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "WEB-3", "kind": "complaint", "reason_code": "quality",
                "description": "快递员态度不好",
                "contact": { "name": "李小红", "phone": "13800138000", "email": "xiaohong@mail.test" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();
    for action in ["resolve", "close"] {
        let (status, body) = app.act(id, AGENT, action, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let today = jiff::Timestamp::from_microsecond(app.database.clock.now())
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .date();
    let days = i64::from(today.days_in_month() - today.day()) + 2;
    let period = format!("{:04}-{:02}", today.year(), today.month());
    // A month later the round is drawn; the invitation goes out through a real SMTP server.
    let app = app.later(days * 24).await;
    let (status, round) = app
        .post(
            "/api/v1/surveys/rounds",
            common::SUPERVISOR,
            json!({ "period": period }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let smtp = common::smtp::SmtpSink::start();
    aftersale::operations::notifications::run_once(
        &app.database,
        &smtp.channels(),
        app.database.clock.now(),
    )
    .await
    .unwrap();
    let mail = smtp
        .messages()
        .into_iter()
        .find(|mail| mail["subject"].as_str().unwrap().contains("请为售后单"))
        .expect("the invitation");
    let text = mail["text"].as_str().unwrap();
    let start = text.find("https://shop.example").unwrap() + "https://shop.example".len();
    let path: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();

    let browser = Browser::phone().await;
    browser.open(&app.url(&path)).await;
    browser.wait_for_text("h1", "满意度调查").await;
    assert_fits_the_phone(&browser).await;
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    browser.screenshot("portal-survey").await;
    // Sent without a score: the browser itself asks for one (the field is required).
    browser.click("input[name=score][value='4']").await;
    browser.click("input[name=q_speed][value='5']").await;
    browser.type_into("#comment", "客服很耐心").await;
    browser.submit("form button[type=submit]").await;
    browser.wait_for_text("[role=status]", "感谢您的反馈").await;
    assert!(browser.try_find("form").await.is_none());

    let (_, surveys) = app
        .get(&format!("/api/v1/surveys?period={period}"), AGENT)
        .await;
    assert_eq!(
        (
            &surveys["items"][0]["score"],
            &surveys["items"][0]["comment"],
            &surveys["items"][0]["answers"]
        ),
        (&json!(4), &json!("客服很耐心"), &json!({ "speed": 5 }))
    );
    // Opened again, the link says it was answered.
    browser.open(&app.url(&path)).await;
    browser.wait_for_text("[role=status]", "提交过了").await;
}

#[tokio::test]
async fn a_customer_asks_where_the_refund_is_on_a_phone() {
    let app = TestApp::start().await;
    app.order("WEB-Q").await;
    let case = app.case("WEB-Q", "refund_only", "未收到货").await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(
        app.act(id, AGENT, "approve", json!({})).await.0,
        StatusCode::OK
    );
    let (status, refund) = app
        .refund(
            id,
            "web-q",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 19900 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");

    let browser = Browser::phone().await;
    sign_in(&browser, &app, "WEB-Q", "13800138000").await;
    browser.type_into("#question", "退款到哪了").await;
    browser.submit("#answers button[type=submit]").await;
    let answer = browser.text("#answer").await;
    assert!(
        answer.contains(case["number"].as_str().unwrap()) && answer.contains("退款 ¥199.00"),
        "{answer}"
    );
    assert_eq!(browser.value("#question").await, "退款到哪了");
    assert_fits_the_phone(&browser).await;
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    browser.screenshot("portal-answer").await;
}

#[tokio::test]
async fn a_customer_finds_the_answer_while_writing_the_request_on_a_phone() {
    let app = TestApp::start().await;
    let (status, article) = app
        .post(
            "/api/v1/articles",
            AGENT,
            json!({ "slug": "refund-time", "status": "published", "category": "退款",
                "tags": ["退款", "到账"], "title_zh": "退款多久到账？",
                "body_zh": "审核通过后**原路退回**，一般 1-3 个工作日到账。" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{article}");
    app.order("WEB-KB").await;

    let browser = Browser::phone().await;
    sign_in(&browser, &app, "WEB-KB", "13800138000").await;
    browser.type_into("#quantity_1", "1").await;
    browser.click("#step-next").await;
    browser.wait_for_text("#ask-steps li.current", "2").await;
    // As the problem is described, the article that answers it appears under the description.
    browser
        .type_into("#description", "请问退款多久能到账")
        .await;
    let shown = browser
        .wait_for_text("#suggestions", "退款多久到账？")
        .await;
    assert!(shown.contains("这解决了我的问题"), "{shown}");
    assert_fits_the_phone(&browser).await;
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    browser.screenshot("portal-suggestions").await;

    // "This answered my question": done, without a case.
    browser.click("#suggestions button").await;
    browser
        .wait_for_text("#deflected", "没有提交售后申请")
        .await;
    let (_, cases) = app.get("/api/v1/orders/WEB-KB/cases", AGENT).await;
    assert_eq!(cases["items"], json!([]));
    let (_, counted) = app
        .get(
            &format!("/api/v1/articles/{}", article["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(counted["deflections"], 1);

    // The help centre on the phone: the article, readable.
    browser.open(&app.url("/help/shop/refund-time")).await;
    browser
        .wait_for_text("#article-title", "退款多久到账？")
        .await;
    assert_fits_the_phone(&browser).await;
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
}

/// A customer books a repair slot on a phone, moves it to another, then follows the repair at
/// the supplier live on the same page.
#[tokio::test]
async fn a_customer_books_and_moves_a_repair_slot_and_follows_the_repair_on_a_phone() {
    let app = TestApp::start().await;
    let (status, location) = app
        .post(
            "/api/v1/repair-locations",
            common::SUPERVISOR,
            json!({ "name": "徐汇服务点", "address": "漕溪北路 1 号", "services": ["drop_in", "pickup"],
                "slots": [{ "start": "09:00", "end": "10:00", "capacity": 2 },
                          { "start": "14:00", "end": "15:00", "capacity": 2 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{location}");
    app.order("WEB-RP").await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "WEB-RP", "kind": "repair", "reason_code": "not_working",
                "description": "吹风机不出热风", "lines": [{ "line_number": 1 }],
                "contact": { "name": "王小明", "phone": "13800138000" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let number = case["number"].as_str().unwrap();

    let browser = Browser::phone().await;
    sign_in(&browser, &app, "WEB-RP", "13800138000").await;
    browser
        .open(&app.url(&format!("/portal/shop/cases/{number}")))
        .await;
    // Pick-up by courier, the first slot offered.
    browser
        .script("document.querySelector('#appointment-service').value = 'pickup'")
        .await;
    let first = browser.text("#appointment-slot option:nth-child(1)").await;
    browser.submit("#appointment-submit").await;
    let booked = browser
        .wait_for_text("#appointment-booked", "上门取件")
        .await;
    let first_day_time = first.split(" · ").next().unwrap().to_string();
    let first_start = first_day_time.split('–').next().unwrap().to_string();
    assert!(booked.contains(&first_start), "{booked} for {first}");
    assert_fits_the_phone(&browser).await;
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    browser.screenshot("portal-appointment").await;

    // Moved to the second slot offered.
    let second = browser.text("#appointment-slot option:nth-child(2)").await;
    browser
        .script("document.querySelector('#appointment-slot').selectedIndex = 1")
        .await;
    browser.submit("#appointment-submit").await;
    let second_start = second
        .split(" · ")
        .next()
        .unwrap()
        .split('–')
        .next()
        .unwrap()
        .to_string();
    let moved = browser
        .wait_for_text("#appointment-booked", &second_start)
        .await;
    assert!(
        !moved.contains(&first_start) || first_start == second_start,
        "{moved}"
    );
    let (_, shown) = app
        .get(
            &format!("/api/v1/cases/{}/appointment", case["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(shown["version"], 2, "{shown}");

    // The item reaches the shop and goes to the supplier, who confirms the fault.
    let id = case["id"].as_str().unwrap();
    for (action, extra) in [
        ("approve", json!({})),
        (
            "ship_return",
            json!({ "carrier": "顺丰速运", "tracking_number": "SF-WEB-RP" }),
        ),
        ("receive", json!({})),
        ("diagnose", json!({})),
    ] {
        assert_eq!(app.act(id, AGENT, action, extra).await.0, StatusCode::OK);
    }
    let (_, supplier) = app
        .post(
            "/api/v1/suppliers",
            common::SUPERVISOR,
            json!({ "name": "飞科售后中心", "confirm_days": 3, "repair_days": 10 }),
        )
        .await;
    let (_, current) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    let (status, send_out) = app
        .post(
            "/api/v1/send-outs",
            AGENT,
            json!({ "supplier_id": supplier["id"], "cases": [{ "id": id, "version": current["version"] }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{send_out}");
    let (status, _) = app
        .post(
            &format!("/api/v1/send-outs/{}/finding", send_out["id"].as_str().unwrap()),
            AGENT,
            json!({ "version": send_out["version"], "finding": "confirmed", "report": "发热丝断裂" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    browser.refresh().await;
    let progress = browser
        .wait_for_text("#repair-progress", "厂家确认故障")
        .await;
    assert!(
        progress.contains("发热丝断裂") && progress.contains("飞科售后中心"),
        "{progress}"
    );
    assert!(
        browser
            .text("#repair-expected")
            .await
            .contains("前从厂家返回")
    );
    assert_fits_the_phone(&browser).await;
    browser.screenshot("portal-repair-progress").await;
}
