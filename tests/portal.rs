//! The customer portal over HTTP: find an order by its number and the phone or e-mail on it,
//! see its requests, a case's progress and its label; wrong guesses learn nothing and are limited.

mod common;

use common::{AGENT, TestApp};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn find(app: &TestApp, address: &str, order: &str, contact: &str) -> reqwest::Response {
    client()
        .post(app.url("/portal/shop"))
        .header("X-Forwarded-For", address)
        .form(&[("order_number", order), ("contact", contact)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_finds_the_order_and_follows_the_case() {
    let app = TestApp::start().await;
    app.order("PTL-1").await;
    let case = app.case("PTL-1", "return_and_refund", "耳机没有声音").await;
    let number = case["number"].as_str().unwrap();

    let page = client().get(app.url("/portal/shop")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-language"], "zh-CN");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("查询订单") && html.contains("测试店铺"),
        "{html}"
    );
    let english = client()
        .get(app.url("/portal/shop?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Find your order"), "{english}");

    // Unknown order and wrong phone: the same answer, and what was typed is kept.
    let unknown = find(&app, "10.0.0.1", "NOPE-9", "13800138000").await;
    let wrong = find(&app, "10.0.0.1", "PTL-1", "13900000000").await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (unknown, wrong) = (unknown.text().await.unwrap(), wrong.text().await.unwrap());
    assert_eq!(
        unknown.replace("NOPE-9", "X").replace("13800138000", "Y"),
        wrong.replace("PTL-1", "X").replace("13900000000", "Y")
    );
    assert!(
        wrong.contains("value=\"13900000000\""),
        "typed values are kept"
    );

    // The right phone (written differently) signs in to that order.
    let found = find(&app, "10.0.0.1", "PTL-1", "+86 138-0013-8000").await;
    assert_eq!(found.status(), StatusCode::SEE_OTHER);
    assert_eq!(found.headers()[LOCATION], "/portal/shop/orders/PTL-1");
    let cookie = found.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(
        found.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("HttpOnly")
    );
    let order = client()
        .get(app.url("/portal/shop/orders/PTL-1"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(order.status(), StatusCode::OK);
    let html = order.text().await.unwrap();
    assert!(
        html.contains(number) && html.contains("蓝牙耳机") && html.contains("已提交"),
        "{html}"
    );
    // What the customer paid, per item and in all, in the order's currency.
    assert!(
        html.contains("实付 ¥199.00") && html.contains("实付 ¥90.00") && html.contains("¥289.00"),
        "{html}"
    );

    let status = client()
        .get(app.url(&format!("/portal/shop/cases/{number}")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), StatusCode::OK);
    let html = status.text().await.unwrap();
    assert!(
        html.contains("退货退款") && !html.contains("label.pdf"),
        "no label before the shop approves: {html}"
    );
    let (code, body) = app
        .act(case["id"].as_str().unwrap(), AGENT, "approve", json!({}))
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let html = client()
        .get(app.url(&format!("/portal/shop/cases/{number}")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("label.pdf"), "{html}");
    let label = client()
        .get(app.url(&format!(
            "/portal/shop/cases/{number}/label.pdf?size=thermal"
        )))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(label.status(), StatusCode::OK);
    assert!(label.bytes().await.unwrap().starts_with(b"%PDF-"));

    // Without the cookie, or with a forged one, nothing is shown.
    let anonymous = client()
        .get(app.url(&format!("/portal/shop/cases/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    let forged = cookie.replace(|character: char| character.is_ascii_digit(), "0");
    let forged = client()
        .get(app.url("/portal/shop/orders/PTL-1"))
        .header(COOKIE, forged)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);
    // Another order of the shop is not covered by this cookie.
    app.order("PTL-2").await;
    let other = client()
        .get(app.url("/portal/shop/orders/PTL-2"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::SEE_OTHER);
    let _ = AGENT;
}

#[tokio::test]
async fn guessing_is_limited_per_address_and_order_without_locking_the_customer_out() {
    use aftersale::operations::limits::{LOOKUPS_PER_ORDER_AND_SOURCE, LOOKUPS_PER_SOURCE};
    // Behind the operator's proxy (this machine): X-Forwarded-For names the client.
    let app = TestApp::start_with(|config| config.trusted_proxies = vec!["127.0.0.1".into()]).await;
    app.order("PTL-3").await;
    for attempt in 0..LOOKUPS_PER_ORDER_AND_SOURCE {
        let response = find(
            &app,
            "198.51.100.9",
            "PTL-3",
            &format!("1390000{attempt:04}"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Even the right phone is refused now, from this address …
    let blocked = find(&app, "198.51.100.9", "PTL-3", "13800138000").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    // … but the customer, elsewhere, still gets in: a guesser cannot lock them out.
    let customer = find(&app, "203.0.113.77", "PTL-3", "13800138000").await;
    assert_eq!(customer.status(), StatusCode::SEE_OTHER);
    // One address cannot spread its guesses over many orders either.
    for attempt in 0..LOOKUPS_PER_SOURCE {
        let response = find(
            &app,
            "198.51.100.10",
            &format!("NOPE-{attempt}"),
            "13800138000",
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let spread = find(&app, "198.51.100.10", "PTL-3", "13800138000").await;
    assert_eq!(spread.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_forwarded_for_header_from_an_untrusted_client_changes_nothing() {
    use aftersale::operations::limits::LOOKUPS_PER_ORDER_AND_SOURCE;
    let app = TestApp::start().await;
    app.order("PTL-5").await;
    // A direct client rotating X-Forwarded-For is still one address.
    for attempt in 0..LOOKUPS_PER_ORDER_AND_SOURCE {
        let address = format!("198.51.100.{attempt}");
        let response = find(&app, &address, "PTL-5", &format!("1390000{attempt:04}")).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let rotated = find(&app, "198.51.100.200", "PTL-5", "13800138000").await;
    assert_eq!(rotated.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_customer_asks_for_help_and_the_policy_says_what_is_possible() {
    let app = TestApp::start().await;
    app.order("PTL-4").await;
    let found = find(&app, "10.1.1.1", "PTL-4", "13800138000").await;
    let cookie = found.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = app
        .portal_form_token(&cookie, "/portal/shop/orders/PTL-4")
        .await;
    let ask = |fields: Vec<(&'static str, &'static str)>| {
        client()
            .post(app.url(&format!("/portal/shop/orders/PTL-4/requests?csrf={token}")))
            .header(COOKIE, cookie.clone())
            .multipart(
                fields
                    .iter()
                    .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
                        form.text(*name, value.to_string())
                    }),
            )
            .send()
    };
    // Delivered 2026-11-03: a no-reason return is too late now; the reason is shown, the form kept.
    let refused = ask(vec![
        ("kind", "return_and_refund"),
        ("reason", "no_reason"),
        ("quantity_1", "1"),
        ("description", "不想要了"),
    ])
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("这个申请现在无法提交") && html.contains("已超过七天无理由退货期"),
        "{html}"
    );
    assert!(
        html.contains(">不想要了</textarea>") && html.contains("value=\"1\""),
        "typed values are kept"
    );
    let empty = ask(vec![
        ("kind", "exchange"),
        ("reason", "quality"),
        ("description", "坏了"),
    ])
    .await
    .unwrap();
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("请至少选择一件商品"));
    // A faulty item may be exchanged.
    let opened = ask(vec![
        ("kind", "exchange"),
        ("reason", "quality"),
        ("quantity_1", "1"),
        ("description", "左耳没有声音"),
    ])
    .await
    .unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let location = opened.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(location.starts_with("/portal/shop/cases/AS-"), "{location}");
    let page = client()
        .get(app.url(&location))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("换货") && page.contains("已提交"), "{page}");
    let number = location.rsplit('/').next().unwrap();
    let (_, listed) = app.get(&format!("/api/v1/cases?q={number}"), AGENT).await;
    assert_eq!(listed["items"][0]["channel"], "portal");
    assert_eq!(listed["items"][0]["kind"], "exchange");
}

#[tokio::test]
async fn the_customer_adds_the_return_tracking_number_and_writes_to_the_shop() {
    let app = TestApp::start().await;
    app.order("PTL-5").await;
    let case = app.case("PTL-5", "return_and_refund", "屏幕坏了").await;
    let (id, number) = (
        case["id"].as_str().unwrap().to_string(),
        case["number"].as_str().unwrap().to_string(),
    );
    let (status, _) = app.act(&id, AGENT, "approve", serde_json::json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let found = find(&app, "10.2.2.2", "PTL-5", "13800138000").await;
    let cookie = found.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page_url = app.url(&format!("/portal/shop/cases/{number}"));
    let html = client()
        .get(&page_url)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("快递单号") && html.contains("已同意"),
        "{html}"
    );
    let token = app
        .portal_form_token(&cookie, &format!("/portal/shop/cases/{number}"))
        .await;
    let act = |fields: Vec<(&'static str, String)>| {
        client()
            .post(app.url(&format!("/portal/shop/cases/{number}/actions?csrf={token}")))
            .header(COOKIE, cookie.clone())
            .form(&fields)
            .send()
    };
    let missing = act(vec![
        ("action", "ship_return".into()),
        ("carrier", "顺丰".into()),
    ])
    .await
    .unwrap();
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = missing.text().await.unwrap();
    assert!(
        html.contains("tracking_number") && html.contains("value=\"顺丰\""),
        "{html}"
    );
    let shipped = act(vec![
        ("action", "ship_return".into()),
        ("carrier", "顺丰".into()),
        ("tracking_number", "SF1234567890".into()),
    ])
    .await
    .unwrap();
    assert_eq!(shipped.status(), StatusCode::SEE_OTHER);
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], "return_shipped");
    // A second click with the old version changes nothing.
    let stale = act(vec![("action", "cancel".into()), ("version", "1".into())])
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let sent = client()
        .post(app.url(&format!(
            "/portal/shop/cases/{number}/messages?csrf={token}"
        )))
        .header(COOKIE, &cookie)
        .form(&[("body", "已经寄出，请查收")])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let (_, messages) = app
        .get(&format!("/api/v1/cases/{id}/messages"), AGENT)
        .await;
    let bodies = serde_json::to_string(&messages).unwrap();
    assert!(
        bodies.contains("已经寄出，请查收") && bodies.contains("customer"),
        "{bodies}"
    );
    let html = client()
        .get(&page_url)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("已经寄出，请查收") && html.contains("退货已寄出"),
        "{html}"
    );
}

#[tokio::test]
async fn a_closed_case_is_rated_once() {
    let app = TestApp::start().await;
    app.order("PTL-6").await;
    let (status, case) = app
        .post("/api/v1/cases", AGENT, serde_json::json!({"order_number": "PTL-6", "kind": "consultation", "reason_code": "other", "description": "发票怎么开"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let (id, number) = (
        case["id"].as_str().unwrap().to_string(),
        case["number"].as_str().unwrap().to_string(),
    );
    let found = find(&app, "10.3.3.3", "PTL-6", "13800138000").await;
    let cookie = found.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = app
        .portal_form_token(&cookie, &format!("/portal/shop/cases/{number}"))
        .await;
    let rate = |stars: &'static str| {
        client()
            .post(app.url(&format!("/portal/shop/cases/{number}/rating?csrf={token}")))
            .header(COOKIE, cookie.clone())
            .form(&[("stars", stars), ("comment", "客服很耐心")])
            .send()
    };
    // Not before it has ended.
    assert_eq!(
        rate("5").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    for action in ["resolve", "close"] {
        let (status, body) = app.act(&id, AGENT, action, serde_json::json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let page = client()
        .get(app.url(&format!("/portal/shop/cases/{number}")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("为这次服务打分"), "{page}");
    assert_eq!(
        rate("9").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(rate("5").await.unwrap().status(), StatusCode::SEE_OTHER);
    let again = rate("1").await.unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.unwrap().contains("已经评价过"));
    let (_, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    let rated: Vec<&serde_json::Value> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["action"] == "rated")
        .collect();
    assert_eq!(rated.len(), 1);
    assert_eq!(rated[0]["data"]["stars"], 5);
    let page = client()
        .get(app.url(&format!("/portal/shop/cases/{number}")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("您的评价：5 星"), "{page}");
}

#[tokio::test]
async fn every_portal_page_carries_the_shops_branding() {
    let app = TestApp::start().await;
    let branding = serde_json::json!({"branding": {"colour": "#c2410c", "logo_url": "https://example.com/logo.png", "faq_url": "https://example.com/faq"}});
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            common::SUPERVISOR,
            Some(branding),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let html = client()
        .get(app.url("/portal/shop"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("background:#c2410c")
            && html.contains("https://example.com/logo.png")
            && html.contains("https://example.com/faq"),
        "{html}"
    );
    for bad in [
        serde_json::json!({"branding": {"colour": "red"}}),
        serde_json::json!({"branding": {"faq_url": "javascript:alert(1)"}}),
        serde_json::json!({"sla": {"opens": "19:00:00", "closes": "18:00:00"}}),
    ] {
        let (status, _) = app
            .call(
                reqwest::Method::PATCH,
                "/api/v1/settings",
                common::SUPERVISOR,
                Some(bad),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

/// A customer who reaches a page that is not there reads a page in their language, never JSON.
#[tokio::test]
async fn errors_are_pages_in_the_customers_language() {
    let app = TestApp::start().await;
    for (path, language, expected) in [
        ("/portal/no-such-shop", None, "没有找到您要的页面"),
        (
            "/portal/no-such-shop?lang=en",
            None,
            "We could not find that page",
        ),
        (
            "/portal/gone/cases/AS-20260101-999999",
            Some("en-US,en;q=0.9"),
            "Something went wrong",
        ),
        ("/portal/gone/orders/NOT-HERE", Some("zh-CN"), "出错了"),
    ] {
        let mut request = client().get(app.url(path));
        if let Some(language) = language {
            request = request.header("Accept-Language", language);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        let body = response.text().await.unwrap();
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        assert!(body.contains(expected), "{path}: {body}");
    }
    let response = client()
        .get(app.url("/portal/no-such-shop"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["content-language"], "zh-CN");
}

/// The customer's case page as the customer sees it, after finding the order as typed.
async fn case_page_as_customer(app: &TestApp, typed_order: &str, number: &str) -> String {
    let cookie = app.portal_session(typed_order, "13800138000").await;
    client()
        .get(app.url(&format!("/portal/shop/cases/{number}")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_portal_says_what_is_true_for_the_case_and_finds_the_order_as_typed() {
    let app = TestApp::start().await;
    app.order("PTL-TRUE").await;
    // A refund-only request agreed: nothing to send back.
    let refund = app.case("PTL-TRUE", "refund_only", "少发了").await;
    let (status, _) = app
        .act(refund["id"].as_str().unwrap(), AGENT, "approve", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Typed in small letters with spaces, the order is found all the same.
    let html =
        case_page_as_customer(&app, " ptl - true ", refund["number"].as_str().unwrap()).await;
    assert!(
        html.contains("无需寄回商品") && !html.contains("请打印退货标签"),
        "{html}"
    );
    // A refusal gives the shop's reason.
    app.order("PTL-NO").await;
    let refused = app.case("PTL-NO", "return_and_refund", "不想要了").await;
    let (status, body) = app
        .act(
            refused["id"].as_str().unwrap(),
            AGENT,
            "reject",
            json!({ "reason": "商品已拆封使用，影响二次销售" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let html = case_page_as_customer(&app, "ptl-no", refused["number"].as_str().unwrap()).await;
    assert!(
        html.contains("原因：商品已拆封使用，影响二次销售"),
        "{html}"
    );
    // The refusal stops the tracker where it was.
    assert!(html.contains("class=\"stopped\""), "{html}");
    // A return agreed: the customer is told, as "you", what to do by when — and the tracker
    // shows where the case is.
    app.order("PTL-BACK").await;
    let back = app.case("PTL-BACK", "return_and_refund", "不想要了").await;
    let (status, _) = app
        .act(back["id"].as_str().unwrap(), AGENT, "approve", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let html = case_page_as_customer(&app, "ptl-back", back["number"].as_str().unwrap()).await;
    assert!(
        html.contains("请在此之前寄回商品并填写快递单号") && !html.contains("买家逾期"),
        "{html}"
    );
    assert!(
        html.contains("<li class=\"current\" aria-current=\"step\">"),
        "{html}"
    );
}

#[tokio::test]
async fn unknown_addresses_answer_people_with_a_page_and_programs_with_json() {
    let app = TestApp::start().await;
    let root = client()
        .get(app.url("/"))
        .header("Accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(root.status(), StatusCode::SEE_OTHER);
    assert_eq!(root.headers()[LOCATION], "/console");
    let page = client()
        .get(app.url("/no/such/page"))
        .header("Accept", "text/html")
        .header("Accept-Language", "zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<h1>") && html.contains("lang=\"zh-CN\""),
        "{html}"
    );
    let api = client()
        .get(app.url("/api/v1/no-such-thing"))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

/// English chosen on the first page stays English through the sign-in's redirect, the request's
/// redirect and every page after.
#[tokio::test]
async fn the_chosen_language_is_kept_across_pages_and_redirects() {
    let app = TestApp::start().await;
    app.recent_order("LANG-1").await;
    let first = client()
        .get(app.url("/portal/shop?lang=en"))
        .send()
        .await
        .unwrap();
    let mut jar = common::cookies(&first);
    assert!(first.text().await.unwrap().contains("lang=\"en-US\""));
    let found = client()
        .post(app.url("/portal/shop"))
        .header(COOKIE, jar.join("; "))
        .form(&[("order_number", "LANG-1"), ("contact", "13800138000")])
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), StatusCode::SEE_OTHER);
    jar.extend(common::cookies(&found));
    let location = found.headers()[LOCATION].to_str().unwrap().to_string();
    let order = client()
        .get(app.url(&location))
        .header(COOKIE, jar.join("; "))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        order.contains("lang=\"en-US\"") && order.contains("Choose the items"),
        "{order}"
    );
}
