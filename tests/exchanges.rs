//! Exchanges for another variant walked end to end: the replacement's price difference settled
//! both ways (the customer pays what is above, gets back what is below), its stock held from the
//! approval and taken when it goes out, a second exchange short of stock turned into a refund
//! with the customer's consent, and Tmall's 请退款 turning the linked exchange into a refund.

mod common;

use common::{AGENT, INSPECTOR, TestApp, error_code};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

/// An exchange of one of the two T-shirts (paid 90.00 for two: 45.00 each).
async fn exchange(app: &TestApp, order: &str) -> Value {
    app.order(order).await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": order, "kind": "exchange", "reason_code": "size_colour",
                    "description": "尺码偏小，想换大一号", "lines": [{ "line_number": 2, "quantity": 1 }],
                    "contact": { "name": "王小明", "phone": "13800138000" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

async fn choose(app: &TestApp, id: &str, sku: &str, price: i64) -> (StatusCode, Value) {
    app.call(
        reqwest::Method::PUT,
        &format!("/api/v1/cases/{id}/replacement"),
        AGENT,
        Some(json!({ "sku": sku, "product_name": "纯棉T恤 L", "unit_price_minor": price })),
    )
    .await
}

async fn stock(app: &TestApp, sku: &str) -> Value {
    app.get(&format!("/api/v1/stock/{sku}"), AGENT).await.1
}

#[tokio::test]
async fn a_dearer_variant_is_paid_for_held_from_the_approval_and_taken_when_sent() {
    let app = TestApp::start().await;
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/stock",
            AGENT,
            Some(json!([{ "sku": "TS-2-L", "on_hand": 1 }])),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let case = exchange(&app, "EX-1").await;
    let id = case["id"].as_str().unwrap();
    let (status, chosen) = choose(&app, id, "TS-2-L", 6000).await;
    assert_eq!(status, StatusCode::OK, "{chosen}");
    assert_eq!(chosen["difference_minor"], 1500, "60.00 − 45.00 paid");
    assert_eq!(chosen["reserved"], false, "held from the approval");
    let (status, body) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(stock(&app, "TS-2-L").await["free"], 0);

    // A second exchange to the same SKU is short: the case hears of it.
    let other = exchange(&app, "EX-2").await;
    let other_id = other["id"].as_str().unwrap();
    choose(&app, other_id, "TS-2-L", 4500).await;
    app.act(other_id, AGENT, "approve", json!({})).await;
    let (_, shown) = app.get(&format!("/api/v1/cases/{other_id}"), AGENT).await;
    assert_ne!(shown["priority"], other["priority"], "raised when short");
    let (_, replacement) = app
        .get(&format!("/api/v1/cases/{other_id}/replacement"), AGENT)
        .await;
    assert_eq!(replacement["reserved"], false);

    // The first: back, inspected; it cannot go out while the customer owes 15.00.
    for (token, action) in [(INSPECTOR, "receive"), (INSPECTOR, "inspect_pass")] {
        let (status, body) = app.act(id, token, action, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let ship = json!({ "carrier": "顺丰", "tracking_number": "SF9001" });
    let (status, body) = app.act(id, AGENT, "ship_replacement", ship.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "difference_unpaid");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("15.00"),
        "{body}"
    );
    let settle = format!("/api/v1/cases/{id}/replacement/settle");
    let (status, body) = app.post(&settle, AGENT, json!({ "how": "paid" })).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the payment's reference: {body}"
    );
    let (status, body) = app
        .post(
            &settle,
            AGENT,
            json!({ "how": "paid", "reference": "ALIPAY-2026120699" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["settled"], "paid");
    let (status, body) = app.post(&settle, AGENT, json!({ "how": "waived" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "once: {body}");
    let (status, body) = app.act(id, AGENT, "ship_replacement", ship).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let level = stock(&app, "TS-2-L").await;
    assert_eq!(
        (level["on_hand"].clone(), level["reserved"].clone()),
        (json!(0), json!(0))
    );

    // The second cannot go out; the customer agrees to a refund instead.
    for (token, action) in [(INSPECTOR, "receive"), (INSPECTOR, "inspect_pass")] {
        app.act(other_id, token, action, json!({})).await;
    }
    let (status, body) = app
        .act(
            other_id,
            AGENT,
            "ship_replacement",
            json!({ "carrier": "顺丰", "tracking_number": "SF9002" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "out_of_stock");
    let (status, offer) = app
        .post(
            &format!("/api/v1/cases/{other_id}/offers"),
            AGENT,
            json!({ "kind": "refund_instead", "amount_minor": 0, "note": "L 码缺货" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{offer}");
    let number = other["number"].as_str().unwrap();
    let cookie = app.portal_session("EX-2", "13800138000").await;
    let page = format!("/portal/shop/cases/{number}");
    let token = app.portal_form_token(&cookie, &page).await;
    let accepted = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(&format!(
            "/portal/shop/cases/{number}/offers/{}?csrf={token}",
            offer["id"].as_str().unwrap()
        )))
        .header(COOKIE, cookie)
        .form(&[("answer", "accept")])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let (_, converted) = app.get(&format!("/api/v1/cases/{other_id}"), AGENT).await;
    assert_eq!(converted["kind"], "return_and_refund", "{converted}");
    assert_eq!(converted["status"], "inspected");
    let (status, refund) = app.refund(other_id, "instead-1", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(refund["amount_minor"], 4500);
}

#[tokio::test]
async fn a_cheaper_variant_gets_the_difference_back_when_it_goes_out() {
    let app = TestApp::start().await;
    let case = exchange(&app, "EX-3").await;
    let id = case["id"].as_str().unwrap();
    let (_, chosen) = choose(&app, id, "TS-2-S", 3000).await;
    assert_eq!(chosen["difference_minor"], -1500);
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{id}/replacement/settle"),
            AGENT,
            json!({ "how": "waived" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing owed: {body}");
    for (token, action) in [
        (AGENT, "approve"),
        (INSPECTOR, "receive"),
        (INSPECTOR, "inspect_pass"),
    ] {
        let (status, body) = app.act(id, token, action, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let (status, body) = app
        .act(
            id,
            AGENT,
            "ship_replacement",
            json!({ "carrier": "顺丰", "tracking_number": "SF9003" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "replacement_shipped");
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    let amounts: Vec<i64> = refunds["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|refund| refund["amount_minor"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, [1500], "{refunds}");
    let (_, replacement) = app
        .get(&format!("/api/v1/cases/{id}/replacement"), AGENT)
        .await;
    assert_eq!(replacement["settled"], "refunded");
}

#[tokio::test]
async fn tmalls_please_refund_turns_the_linked_exchange_into_a_refund() {
    let app = TestApp::start().await;
    let case = exchange(&app, "EX-4").await;
    let id = case["id"].as_str().unwrap();
    let message = |status: &str, version: i64| {
        json!({ "platform": "tmall_exchange", "refund_id": "HH-1", "order_number": "EX-4",
                "status": status, "version": version })
    };
    let (status, record) = app
        .post("/api/v1/aftersales", AGENT, message("1", 100))
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["stage"], "awaiting_shop");
    assert_eq!(record["case_id"], case["id"]);
    let (_, record) = app
        .post("/api/v1/aftersales", AGENT, message("待发出换货商品", 200))
        .await;
    assert_eq!(record["todo"]["code"], "send_goods", "{record}");
    let (_, record) = app
        .post("/api/v1/aftersales", AGENT, message("14", 300))
        .await;
    assert_eq!(record["stage"], "refund_instead", "{record}");
    let (_, converted) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(converted["kind"], "return_and_refund", "{converted}");
}

#[tokio::test]
async fn the_shop_limits_exchanges_per_order_and_links_the_difference_payment() {
    let app = TestApp::start().await;
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            common::SUPERVISOR,
            Some(json!({ "exchanges": {
                "per_order": 1,
                "payment_link": "https://pay.example.com/diff?amount={amount}&currency={currency}&case={case}"
            } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let case = exchange(&app, "EX-5").await;
    let id = case["id"].as_str().unwrap();
    let (_, chosen) = choose(&app, id, "TS-2-L", 6000).await;
    assert_eq!(
        chosen["payment_link"],
        format!(
            "https://pay.example.com/diff?amount=15.00&currency=CNY&case={}",
            case["number"].as_str().unwrap()
        )
    );
    // The other T-shirt exchanged too: one exchange per order is the shop's limit.
    let (status, body) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "EX-5", "kind": "exchange", "reason_code": "size_colour",
                    "description": "另一件也换", "lines": [{ "line_number": 2, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "exchange_limit");
    // A cancelled exchange does not count.
    app.act(id, AGENT, "cancel", json!({})).await;
    let (status, body) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "EX-5", "kind": "exchange", "reason_code": "size_colour",
                    "description": "重新申请换货", "lines": [{ "line_number": 2, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
