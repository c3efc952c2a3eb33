//! The order's money on real orders: what was paid per line and per unit (discounts allocated
//! by the platform, tax on top or inside), refunds capped by the units a case claims, delivery
//! paid back when a whole order is cancelled before shipping, refunds made on the platform, and
//! orders in two currencies. Real payloads from tests/fixtures/payloads (see SOURCES.md there).

mod common;

use common::hooks::{deliver, set_secret};
use common::{AGENT, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/payloads/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn open_case(app: &TestApp, order: &str, kind: &str, lines: Value) -> (StatusCode, Value) {
    app.post(
        "/api/v1/cases",
        AGENT,
        json!({
            "order_number": order, "kind": kind, "reason_code": "quality",
            "description": "商品有问题", "lines": lines,
            "contact": { "name": "王小明", "phone": "13800138000" }
        }),
    )
    .await
}

async fn approved_case(app: &TestApp, order: &str, kind: &str, lines: Value) -> String {
    let (status, case) = open_case(app, order, kind, lines).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_string();
    let (status, body) = app.act(&id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

#[tokio::test]
async fn a_discounted_shopify_order_is_refunded_at_what_was_paid() {
    let app = TestApp::start().await;
    set_secret(&app, "shopify", "shpss_test").await;
    let (status, answer) = deliver(
        &app,
        "shopify",
        "orders/create",
        &fixture("shopify-order-discounts.json"),
        "shpss_test",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, order) = app.get("/api/v1/orders/1071", AGENT).await;
    assert_eq!(order["currency"], "HKD");
    // 99.00 − 14.10 − 5.00 and 100.00 − 15.00, plus 22.00 delivery: 186.90, as Shopify says.
    assert_eq!(order["lines"][0]["unit_price_minor"], 9900);
    assert_eq!(order["lines"][0]["discount_minor"], 1910);
    assert_eq!(order["lines"][0]["paid_minor"], 7990);
    assert_eq!(order["lines"][1]["paid_minor"], 8500);
    assert_eq!(order["shipping_fee_minor"], 2200);
    assert_eq!(order["total_minor"], 18690);
    assert_eq!(order["discount_minor"], 3410);
    assert_eq!(order["tax_mode"], "exclusive");
    assert_eq!(order["money"]["discounts"][0]["code"], "0124D");
    assert_eq!(order["money"]["discounts"][0]["amount_minor"], 2910);
    assert_eq!(order["money"]["discounts"][1]["amount_minor"], 500);
    assert_eq!(order["money"]["payments"][0]["method"], "manual");
    assert_eq!(order["money"]["payments"][0]["amount_minor"], 18690);
    assert_eq!(order["money"]["shipping_lines"][0]["amount_minor"], 2200);

    let case = approved_case(&app, "1071", "refund_only", json!([{ "line_number": 1 }])).await;
    // The list price is refused: the customer paid 79.90 for it.
    let (status, refused) = app
        .refund(
            &case,
            "list-price",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 9900 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["code"], "refund_exceeds_paid");
    let (status, refund) = app.refund(&case, "all", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(refund["amount_minor"], 7990);
    assert_eq!(refund["currency"], "HKD");
    assert_eq!(
        refund["shipping_minor"], 0,
        "one line of two: no delivery back"
    );
}

#[tokio::test]
async fn a_case_for_one_of_two_units_refunds_one_unit() {
    let app = TestApp::start().await;
    // Line 2: two T-shirts for 90.00 in all.
    app.order("U1").await;
    let case = approved_case(
        &app,
        "U1",
        "refund_only",
        json!([{ "line_number": 2, "quantity": 1 }]),
    )
    .await;
    // A second case cannot claim both units while one is claimed.
    let (status, refused) = open_case(
        &app,
        "U1",
        "return_and_refund",
        json!([{ "line_number": 2, "quantity": 2 }]),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "units_already_claimed");
    assert_eq!(refused["error"]["details"]["free"], 1);
    let (status, refund) = app.refund(&case, "first", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(refund["amount_minor"], 4500, "one unit of two");
    let (status, again) = app
        .refund(
            &case,
            "second",
            json!({ "lines": [{ "line_number": 2, "amount_minor": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{again}");
    assert_eq!(again["error"]["details"]["remaining_minor"], 0);
    // The other unit is still free; once this case ends, its refunded unit is not.
    let other = approved_case(
        &app,
        "U1",
        "refund_only",
        json!([{ "line_number": 2, "quantity": 1 }]),
    )
    .await;
    let (status, refund) = app.refund(&other, "other", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(refund["amount_minor"], 4500);
    let (_, order) = app.get("/api/v1/orders/U1", AGENT).await;
    assert_eq!(order["lines"][1]["refunded_minor"], 9000);
    let (status, refused) = open_case(
        &app,
        "U1",
        "refund_only",
        json!([{ "line_number": 2, "quantity": 1 }]),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["details"]["refunded"], 2);
    // Repairing a refunded unit is still possible.
    let (status, repair) = open_case(
        &app,
        "U1",
        "repair",
        json!([{ "line_number": 2, "quantity": 1 }]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{repair}");
}

#[tokio::test]
async fn tax_on_top_and_order_discounts_are_kept_exactly() {
    let app = TestApp::start().await;
    let (status, stored) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": "TAX-1", "currency": "USD", "placed_at": "2026-11-20 10:00",
                "tax_mode": "exclusive",
                "customer": { "name": "Ann Lee", "email": "ann@example.com" },
                "discounts": [{ "kind": "threshold", "code": "满100减10", "amount_minor": 1001 }],
                "lines": [
                    { "sku": "A", "product_name": "Mug", "quantity": 1, "unit_price_minor": 6000, "tax_minor": 450 },
                    { "sku": "B", "product_name": "Plate", "quantity": 3, "unit_price_minor": 1000 },
                    { "sku": "C", "product_name": "Spoon", "quantity": 1, "unit_price_minor": 1000 }
                ],
                "shipping_lines": [{ "title": "Standard", "amount_minor": 599 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let order = &stored["order"];
    // 10.01 over 60 : 30 : 10 — the odd cent to the largest remainder.
    let discounts: Vec<i64> = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["discount_minor"].as_i64().unwrap())
        .collect();
    assert_eq!(discounts, vec![601, 300, 100]);
    assert_eq!(order["lines"][0]["paid_minor"], 6000 - 601 + 450);
    assert_eq!(order["tax_minor"], 450);
    assert_eq!(order["shipping_fee_minor"], 599);
    assert_eq!(
        order["total_minor"],
        (6000 - 601 + 450) + (3000 - 300) + (1000 - 100) + 599
    );

    // Payments that do not add up to the total are refused, naming both sums.
    let (status, refused) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": "TAX-2", "placed_at": "2026-11-20 10:00",
                "lines": [{ "sku": "A", "product_name": "杯子", "quantity": 1, "unit_price_minor": 5000 }],
                "payments": [{ "method": "alipay", "amount_minor": 4000 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.to_string().contains("5000"), "{refused}");
}

#[tokio::test]
async fn a_whole_order_cancelled_before_shipping_gets_its_delivery_back_and_is_not_shipped() {
    let app = TestApp::start().await;
    let (status, _) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": "SHIP-1", "placed_at": "2026-11-20 10:00", "paid_at": "2026-11-20 10:01",
                "customer": { "name": "王小明", "phone": "13800138000" },
                "lines": [{ "sku": "A", "product_name": "台灯", "quantity": 1, "unit_price_minor": 21700 }],
                "shipping_fee_minor": 800
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let case = approved_case(&app, "SHIP-1", "refund_only", json!([{ "line_number": 1 }])).await;
    let (status, refund) = app.refund(&case, "cancel", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(refund["amount_minor"], 22500, "¥217 and the ¥8 delivery");
    assert_eq!(refund["shipping_minor"], 800);
    let (_, order) = app.get("/api/v1/orders/SHIP-1", AGENT).await;
    assert_eq!(order["do_not_ship"], true);
}

#[tokio::test]
async fn an_unpaid_order_has_nothing_to_refund() {
    let app = TestApp::start().await;
    let (status, _) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": "PEND-1", "placed_at": "2026-11-20 10:00", "payment_status": "pending",
                "lines": [{ "sku": "A", "product_name": "台灯", "quantity": 1, "unit_price_minor": 21700 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, refused) =
        open_case(&app, "PEND-1", "refund_only", json!([{ "line_number": 1 }])).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "order_not_paid");
}

/// A Shopify order for the refund sample (tests/fixtures/payloads/shopify-refund-webhook.json):
/// its order id, line item id and currency, the rest as Shopify's REST Order documents it.
fn order_for_the_refund_sample() -> Vec<u8> {
    json!({
        "id": 6_273_085_767_965_i64, "order_number": 1031, "name": "#1031",
        "created_at": "2024-08-20T11:00:00-04:00", "updated_at": "2024-08-20T11:00:00-04:00",
        "processed_at": "2024-08-20T11:00:00-04:00",
        "currency": "VND", "presentment_currency": "VND", "taxes_included": false,
        "financial_status": "paid", "total_price": "20", "payment_gateway_names": ["manual"],
        "email": "buyer@example.com",
        "line_items": [{
            "id": 16_014_782_595_357_i64, "title": "T-shirt 1", "quantity": 1, "sku": "",
            "variant_id": 44_392_954_495_261_i64, "price": "20",
            "price_set": { "shop_money": { "amount": "20", "currency_code": "VND" },
                           "presentment_money": { "amount": "20", "currency_code": "VND" } },
            "discount_allocations": [], "tax_lines": []
        }],
        "shipping_lines": [], "fulfillments": []
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn a_refund_made_on_shopify_lowers_the_ceiling_and_stops_shipping() {
    let app = TestApp::start().await;
    set_secret(&app, "shopify", "shpss_test").await;
    let (status, answer) = deliver(
        &app,
        "shopify",
        "orders/create",
        &order_for_the_refund_sample(),
        "shpss_test",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let case = approved_case(&app, "1031", "refund_only", json!([{ "line_number": 1 }])).await;
    let sample = fixture("shopify-refund-webhook.json");
    let (status, answer) = deliver(&app, "shopify", "refunds/create", &sample, "shpss_test").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], "applied");
    // Delivered again: recorded once.
    let (_, again) = deliver(&app, "shopify", "refunds/create", &sample, "shpss_test").await;
    assert_eq!(again["status"], "unchanged");
    let (_, order) = app.get("/api/v1/orders/1031", AGENT).await;
    assert_eq!(order["currency"], "VND");
    assert_eq!(order["lines"][0]["refunded_minor"], 20);
    assert_eq!(order["platform_refunds"][0]["external_id"], "1002961240349");
    assert_eq!(order["platform_refunds"][0]["amount_minor"], 20);
    assert_eq!(
        order["do_not_ship"], true,
        "nothing went out and all came back"
    );
    // The case cannot pay it again.
    let (status, refused) = app.refund(&case, "again", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    // Its timeline says what happened on the platform.
    let (_, events) = app
        .get(&format!("/api/v1/cases/{case}/events"), AGENT)
        .await;
    let platform = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["action"] == "platform_refund")
        .unwrap_or_else(|| panic!("{events}"));
    assert_eq!(platform["data"]["amount_minor"], 20);
    assert_eq!(platform["data"]["currency"], "VND");
}

#[tokio::test]
async fn a_buyer_paying_in_euros_is_refunded_in_euros_with_dollars_kept_beside() {
    let app = TestApp::start().await;
    set_secret(&app, "shopify", "shpss_test").await;
    let set = |eur: &str, usd: &str| {
        json!({ "shop_money": { "amount": usd, "currency_code": "USD" },
                "presentment_money": { "amount": eur, "currency_code": "EUR" } })
    };
    let order = json!({
        "id": 820_982_911_946_154_508_i64, "order_number": 2001, "name": "#2001",
        "created_at": "2026-11-20T10:00:00+01:00", "updated_at": "2026-11-20T10:00:00+01:00",
        "currency": "USD", "presentment_currency": "EUR", "taxes_included": true,
        "financial_status": "paid", "email": "eva@example.de",
        "total_price": "108.00", "total_price_set": set("100.00", "108.00"),
        "line_items": [{
            "id": 1, "title": "Kaffeemühle", "quantity": 2, "sku": "KM-1",
            "price": "54.00", "price_set": set("50.00", "54.00"),
            "discount_allocations": [], "tax_lines": [{ "title": "MwSt", "price": "17.24", "price_set": set("15.97", "17.24") }]
        }],
        "shipping_lines": [], "fulfillments": []
    });
    let (status, answer) = deliver(
        &app,
        "shopify",
        "orders/create",
        order.to_string().as_bytes(),
        "shpss_test",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, stored) = app.get("/api/v1/orders/2001", AGENT).await;
    assert_eq!(stored["currency"], "EUR");
    assert_eq!(stored["total_minor"], 10000);
    assert_eq!(stored["tax_mode"], "inclusive");
    assert_eq!(stored["shop_currency"], "USD");
    assert_eq!(stored["shop_total_minor"], 10800);
    assert_eq!(stored["lines"][0]["shop_paid_minor"], 10800);
    let case = approved_case(
        &app,
        "2001",
        "refund_only",
        json!([{ "line_number": 1, "quantity": 1 }]),
    )
    .await;
    let (status, refund) = app.refund(&case, "eur", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(refund["currency"], "EUR");
    assert_eq!(refund["amount_minor"], 5000);
    assert_eq!(refund["shop_amount_minor"], 5400);
    assert!(
        refund["amount"].as_str().unwrap().contains("50"),
        "{refund}"
    );
}

#[tokio::test]
async fn woocommerce_refunds_in_the_order_are_recorded_once() {
    let app = TestApp::start().await;
    set_secret(&app, "woocommerce", "wc_secret").await;
    let mut order: Value = serde_json::from_slice(&fixture("woocommerce-order.json")).unwrap();
    order["line_items"][0]["quantity"] = json!(2);
    order["line_items"][0]["subtotal"] = json!("40.00");
    order["line_items"][0]["total"] = json!("36.00");
    order["line_items"][0]["total_tax"] = json!("3.60");
    order["total"] = json!("39.60");
    order["total_tax"] = json!("3.60");
    order["refunds"] = json!([{ "id": 31, "reason": "damaged", "total": "-19.80" }]);
    let (status, answer) = deliver(
        &app,
        "woocommerce",
        "order.updated",
        order.to_string().as_bytes(),
        "wc_secret",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, stored) = app.get("/api/v1/orders/15", AGENT).await;
    assert_eq!(stored["lines"][0]["paid_minor"], 3960);
    assert_eq!(stored["lines"][0]["tax_minor"], 360);
    assert_eq!(stored["lines"][0]["refunded_minor"], 1980);
    assert_eq!(stored["platform_refunds"].as_array().unwrap().len(), 1);
    assert_eq!(stored["money"]["payments"][0]["amount_minor"], 3960);
    assert_eq!(stored["do_not_ship"], false, "it was completed and shipped");
    let mut newer = order.clone();
    newer["date_modified_gmt"] = json!("2023-08-17T07:45:57");
    let (_, again) = deliver(
        &app,
        "woocommerce",
        "order.updated",
        newer.to_string().as_bytes(),
        "wc_secret",
    )
    .await;
    assert_eq!(again["status"], "unchanged", "{again}");
    let (_, stored) = app.get("/api/v1/orders/15", AGENT).await;
    assert_eq!(stored["lines"][0]["refunded_minor"], 1980);
}

#[tokio::test]
async fn a_complaint_carries_goodwill_money_and_other_compensation() {
    let app = TestApp::start().await;
    app.order("GW-1").await;
    let case = app.case("GW-1", "complaint", "客服回复太慢").await;
    let id = case["id"].as_str().unwrap();
    // Money on a complaint goes back over the order's lines; the case stays where it is.
    let (status, given) = app
        .post(
            &format!("/api/v1/cases/{id}/compensations"),
            AGENT,
            json!({ "amount_minor": 2000, "note": "抱歉让您久等" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{given}");
    assert_eq!(given["state"], "accepted");
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert_eq!(refunds["items"][0]["amount_minor"], 2000);
    assert_eq!(refunds["items"][0]["currency"], "CNY");
    assert_eq!(
        refunds["items"][0]["status"], "requested",
        "to be paid by the shop"
    );
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], case["status"]);
    // A coupon: recorded with its code and value, no money moves.
    let (status, coupon) = app
        .post(
            &format!("/api/v1/cases/{id}/compensations"),
            AGENT,
            json!({ "kind": "coupon", "detail": "SORRY-10", "amount_minor": 1000 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{coupon}");
    assert_eq!(coupon["detail"], "SORRY-10");
    assert!(coupon["refund_id"].is_null());
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert_eq!(refunds["items"].as_array().unwrap().len(), 1);
    // Points without saying how many are refused; goodwill is never more than was paid.
    let (status, _) = app
        .post(
            &format!("/api/v1/cases/{id}/compensations"),
            AGENT,
            json!({ "kind": "points", "amount_minor": 100 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, refused) = app
        .post(
            &format!("/api/v1/cases/{id}/compensations"),
            AGENT,
            json!({ "amount_minor": 19900 + 9000 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    // An offer for the customer to accept in the portal.
    let (status, offer) = app
        .post(
            &format!("/api/v1/cases/{id}/offers"),
            AGENT,
            json!({ "kind": "gift", "detail": "保温杯一个", "amount_minor": 3500 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{offer}");
    assert_eq!(offer["state"], "open");
}

#[tokio::test]
async fn a_manual_refund_is_to_be_paid_until_confirmed_with_its_reference() {
    let app = TestApp::start().await;
    app.order("MAN-1").await;
    let case = approved_case(&app, "MAN-1", "refund_only", json!([{ "line_number": 1 }])).await;
    let (_, refund) = app.refund(&case, "man-1", json!({})).await;
    assert_eq!(refund["status"], "requested");
    assert_eq!(refund["provider"], "manual");
    let id = refund["id"].as_str().unwrap();
    let settle = format!("/api/v1/refunds/{id}/settle");
    let (status, _) = app
        .post(&settle, AGENT, json!({ "status": "succeeded" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reference is needed"
    );
    let (status, failed) = app
        .post(
            &settle,
            AGENT,
            json!({ "status": "failed", "reason": "账户已注销" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{failed}");
    assert_eq!(failed["status"], "failed");
    // Paid by bank transfer instead.
    let (status, paid) = app
        .post(
            &settle,
            AGENT,
            json!({ "status": "succeeded", "reference": "ICBC-9911", "method": "bank_transfer" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["status"], "succeeded");
    assert_eq!(paid["method"], "bank_transfer");
    assert_eq!(paid["reference"], "ICBC-9911");
    let (status, _) = app
        .post(&format!("/api/v1/refunds/{id}/retry"), AGENT, json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the manual provider has nothing to send"
    );
    let (_, events) = app
        .get(&format!("/api/v1/cases/{case}/events"), AGENT)
        .await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"refund_failed") && actions.contains(&"refund_paid"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_portal_shows_what_was_paid_in_the_orders_currency() {
    let app = TestApp::start().await;
    let (status, _) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": "EU-1", "currency": "EUR", "placed_at": "2026-11-20 10:00",
                "customer": { "name": "Eva Lind", "phone": "13800138000" },
                "discounts": [{ "kind": "code", "code": "WINTER", "amount_minor": 1234 }],
                "lines": [{ "sku": "A", "product_name": "Kaffeemühle", "quantity": 1, "unit_price_minor": 123_456 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let found = client
        .post(app.url("/portal/shop"))
        .form(&[("order_number", "EU-1"), ("contact", "13800138000")])
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), StatusCode::SEE_OTHER);
    let cookie = found.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = client
        .get(app.url("/portal/shop/orders/EU-1"))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("€1,222.22"), "1,234.56 less 12.34: {html}");
    assert!(!html.contains('¥'), "{html}");
}

#[tokio::test]
async fn a_shopify_order_cancelled_before_it_went_out_is_not_shipped() {
    let app = TestApp::start().await;
    set_secret(&app, "shopify", "shpss_test").await;
    let mut order: Value =
        serde_json::from_slice(&fixture("shopify-order-discounts.json")).unwrap();
    let (status, _) = deliver(
        &app,
        "shopify",
        "orders/create",
        order.to_string().as_bytes(),
        "shpss_test",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, before) = app.get("/api/v1/orders/1071", AGENT).await;
    assert_eq!(before["do_not_ship"], false);
    order["cancelled_at"] = json!("2025-01-24T09:00:00-05:00");
    order["updated_at"] = json!("2025-01-24T09:00:01-05:00");
    let (status, answer) = deliver(
        &app,
        "shopify",
        "orders/cancelled",
        order.to_string().as_bytes(),
        "shpss_test",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, after) = app.get("/api/v1/orders/1071", AGENT).await;
    assert!(after["cancelled_at"].is_string(), "{after}");
    assert_eq!(after["do_not_ship"], true);
}
