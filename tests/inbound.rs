//! Orders in from Shopify and WooCommerce: the sample payloads (tests/fixtures/payloads, from
//! shared/data) and Shopify-shaped orders delivered to the real endpoints, signed as the
//! platforms sign them; bad signatures, duplicates, late older versions and malformed bodies.

mod common;

use common::hooks::{deliver, set_secret, signature};
use common::{AGENT, SUPERVISOR, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn shopify_order(updated_at: &str, quantity: i64) -> Vec<u8> {
    json!({
        "id": 5_001_002_003_i64,
        "order_number": 1001,
        "name": "#1001",
        "email": "lin@example.com",
        "created_at": "2026-11-28T10:15:00+08:00",
        "updated_at": updated_at,
        "processed_at": "2026-11-28T10:15:05+08:00",
        "currency": "CNY",
        "customer": { "first_name": "林", "last_name": "小雨", "phone": "+8613912345678" },
        "shipping_address": { "name": "林小雨", "address1": "上海市徐汇区漕溪北路 88 号" },
        "line_items": [
            { "id": 1, "title": "无线耳机 Pro", "sku": "EP-PRO", "quantity": quantity, "price": "399.00", "total_discount": "20.00" },
            { "id": 2, "title": "耳机保护套", "sku": "", "variant_id": 778, "quantity": 1, "price": "29.90", "total_discount": "0.00" }
        ],
        "shipping_lines": [{ "price": "10.00" }]
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn shopify_orders_arrive_once_in_their_newest_state() {
    let app = TestApp::start().await;
    let secret = "shpss_test_secret_123";
    // Nothing is accepted before the shop has a secret, or with a wrong one; nothing is kept.
    let body = shopify_order("2026-11-28T10:16:00+08:00", 1);
    let (status, _) = deliver(&app, "shopify", "orders/create", &body, secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/integrations/shopify",
            SUPERVISOR,
            Some(json!({ "secret": secret })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    set_secret(&app, "shopify", secret).await;
    let (status, _) = deliver(&app, "shopify", "orders/create", &body, "not-the-secret").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, log) = app.get("/api/v1/inbound", SUPERVISOR).await;
    assert_eq!(log["items"], json!([]), "unverified payloads are not kept");

    let (status, answer) = deliver(&app, "shopify", "orders/create", &body, secret).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], "applied");
    let (_, order) = app.get("/api/v1/orders/1001", AGENT).await;
    assert_eq!(order["platform"], "shopify");
    assert_eq!(order["lines"][0]["paid_minor"], 37900);
    assert_eq!(order["lines"][1]["sku"], "shopify-778");

    // The same delivery again changes nothing; a newer version updates; the older one, arriving
    // late, is kept out.
    let (_, again) = deliver(&app, "shopify", "orders/create", &body, secret).await;
    assert_eq!(again["status"], "unchanged", "{again}");
    let newer = shopify_order("2026-11-28T12:00:00+08:00", 2);
    let (_, updated) = deliver(&app, "shopify", "orders/updated", &newer, secret).await;
    assert_eq!(updated["status"], "applied", "{updated}");
    let older = shopify_order("2026-11-28T11:00:00+08:00", 3);
    let (_, late) = deliver(&app, "shopify", "orders/updated", &older, secret).await;
    assert_eq!(late["status"], "stale", "{late}");
    // Each delivery is logged with what came of it (in the transaction that applied it).
    for (status, count) in [
        ("applied", 2),
        ("unchanged", 1),
        ("stale", 1),
        ("received", 0),
    ] {
        let (_, logged) = app
            .get(&format!("/api/v1/inbound?status={status}"), SUPERVISOR)
            .await;
        assert_eq!(
            logged["items"].as_array().unwrap().len(),
            count,
            "{status}: {logged}"
        );
    }
    let (_, order) = app.get("/api/v1/orders/1001", AGENT).await;
    assert_eq!(order["lines"][0]["quantity"], 2);
    let (_, listed) = app.get("/api/v1/orders?q=1001", AGENT).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    // A malformed order is refused with the reason, kept, and can be replayed.
    let broken = json!({ "id": 9, "order_number": 1002, "currency": "CNY", "created_at": "2026-11-28T10:15:00+08:00" })
        .to_string();
    let (status, refused) =
        deliver(&app, "shopify", "orders/create", broken.as_bytes(), secret).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["detail"].as_str().unwrap().contains("line_items"),
        "{refused}"
    );
    let (_, failed) = app.get("/api/v1/inbound?status=failed", SUPERVISOR).await;
    assert_eq!(failed["items"].as_array().unwrap().len(), 1);
    let (status, replayed) = app
        .post(
            &format!(
                "/api/v1/inbound/{}/replay",
                failed["items"][0]["id"].as_str().unwrap()
            ),
            SUPERVISOR,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replayed["status"], "failed");

    // The refund webhook sample is for an order that has not come in: kept, to replay later
    // (tests/order_money.rs applies it).
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/payloads/shopify-refund-webhook.json"
    ))
    .unwrap();
    let (status, answer) = deliver(&app, "shopify", "refunds/create", &sample, secret).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.to_string().contains("has not come in"), "{answer}");
}

#[tokio::test]
async fn the_woocommerce_sample_order_is_stored() {
    let app = TestApp::start().await;
    let secret = "wc-webhook-secret";
    set_secret(&app, "woocommerce", secret).await;
    // The ping WooCommerce sends when a webhook is made.
    let ping = app
        .client
        .post(app.url("/hooks/shop/woocommerce"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("webhook_id=7")
        .send()
        .await
        .unwrap();
    assert_eq!(ping.status(), StatusCode::OK);

    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/payloads/woocommerce-order.json"
    ))
    .unwrap();
    let (status, answer) = deliver(&app, "woocommerce", "order.created", &sample, secret).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], "applied");
    let (_, order) = app.get("/api/v1/orders/15", AGENT).await;
    assert_eq!(order["platform"], "woocommerce");
    assert_eq!(order["currency"], "USD");
    assert_eq!(order["lines"][0]["product_name"], "Pipedream 1442");
    let (status, again) = deliver(&app, "woocommerce", "order.updated", &sample, secret).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["status"], "unchanged");
    let (status, _) = deliver(&app, "woocommerce", "order.created", b"{not json", secret).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = deliver(&app, "amazon", "x", b"{}", secret).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn shopify_return(id: i64, line_item: i64, reason: &str) -> Vec<u8> {
    json!({
        "id": id,
        "admin_graphql_api_id": format!("gid://shopify/Return/{id}"),
        "name": "#1001-R1",
        "status": "requested",
        "order": { "id": 5_001_002_003_i64, "admin_graphql_api_id": "gid://shopify/Order/5001002003" },
        "return_line_items": [{
            "id": 71,
            "fulfillment_line_item": { "id": 81, "line_item": { "id": line_item, "admin_graphql_api_id": format!("gid://shopify/LineItem/{line_item}") } },
            "quantity": 1,
            "return_reason": reason,
            "return_reason_note": "",
            "customer_note": "保护套尺寸偏小，装不进去"
        }],
        "total_return_line_items": 1,
        "exchange_line_items": [],
        "return_shipping_fees": []
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn a_shopify_return_request_opens_one_return_case() {
    let app = TestApp::start().await;
    let secret = "shpss_returns";
    set_secret(&app, "shopify", secret).await;

    // Before its order: refused with the reason, kept to replay.
    let request = shopify_return(9001, 2, "size_too_small");
    let (status, early) = deliver(&app, "shopify", "returns/request", &request, secret).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{early}");
    assert!(
        early["detail"]
            .as_str()
            .unwrap()
            .contains("has not come in"),
        "{early}"
    );
    let (status, _) = deliver(&app, "shopify", "returns/request", &request, "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _) = deliver(
        &app,
        "shopify",
        "orders/create",
        &shopify_order("2026-11-28T10:16:00+08:00", 1),
        secret,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, replayed) = app
        .post(
            &format!("/api/v1/inbound/{}/replay", early["id"].as_str().unwrap()),
            SUPERVISOR,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    assert_eq!(replayed["status"], "applied", "{replayed}");

    // Delivered again: still one case.
    let (status, again) = deliver(&app, "shopify", "returns/request", &request, secret).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["status"], "unchanged", "{again}");

    let (_, orders) = app.get("/api/v1/orders?q=1001", AGENT).await;
    let order_id = orders["items"][0]["id"].as_str().unwrap();
    let (_, cases) = app
        .get(&format!("/api/v1/orders/{order_id}/cases"), AGENT)
        .await;
    let cases = cases["items"].as_array().unwrap();
    assert_eq!(cases.len(), 1, "{cases:?}");
    let (_, case) = app
        .get(
            &format!("/api/v1/cases/{}", cases[0]["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(case["kind"], "return_and_refund");
    assert_eq!(case["reason_code"], "size_colour");
    assert_eq!(case["channel"], "platform");
    assert_eq!(case["description"], "保护套尺寸偏小，装不进去");
    assert_eq!(case["lines"].as_array().unwrap().len(), 1, "{case}");
    assert_eq!(case["lines"][0]["line_number"], 2);
    assert_eq!(case["lines"][0]["quantity"], 1);
    assert!(
        replayed["detail"]
            .as_str()
            .unwrap()
            .contains(case["number"].as_str().unwrap())
    );

    // A line the order does not have is named.
    let (status, stray) = deliver(
        &app,
        "shopify",
        "returns/request",
        &shopify_return(9002, 99, "defective"),
        secret,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stray["detail"].as_str().unwrap().contains("line item 99"),
        "{stray}"
    );
}

#[tokio::test]
async fn any_other_platform_posts_orders_in_the_api_format_signed() {
    let app = TestApp::start().await;
    let secret = "generic-secret";
    set_secret(&app, "generic", secret).await;
    let order = |updated_at: &str, quantity: i64| {
        json!({
            "id": "dy-778899",
            "updated_at": updated_at,
            "order": {
                "order_number": "DY778899", "platform": "douyin", "placed_at": "2026-11-30 09:00",
                "customer": { "name": "周杰", "phone": "13700137000" },
                "lines": [{ "sku": "MUG-1", "product_name": "保温杯", "quantity": quantity, "unit_price_minor": 8900 }]
            }
        })
        .to_string()
        .into_bytes()
    };
    let post = |body: Vec<u8>, signed_with: &'static str| {
        let app = &app;
        async move {
            let response = app
                .client
                .post(app.url("/hooks/shop/generic"))
                .header("X-Aftersale-Hmac-Sha256", signature(signed_with, &body))
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    let (status, _) = post(order("2026-11-30T09:05:00+08:00", 1), "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, first) = post(order("2026-11-30T09:05:00+08:00", 1), secret).await;
    assert_eq!(
        (status, first["status"].clone()),
        (StatusCode::OK, json!("applied")),
        "{first}"
    );
    let (_, newer) = post(order("2026-11-30T10:00:00+08:00", 2), secret).await;
    assert_eq!(newer["status"], "applied");
    let (_, older) = post(order("2026-11-30T09:30:00+08:00", 3), secret).await;
    assert_eq!(older["status"], "stale");
    // Its parcels come with it.
    let mut shipped: Value =
        serde_json::from_slice(&order("2026-11-30T11:00:00+08:00", 2)).unwrap();
    shipped["shipments"] = json!([{ "carrier": "中通快递", "tracking_number": "ZT778899", "shipped_at": "2026-11-30 12:00" }]);
    let (_, with_parcel) = post(shipped.to_string().into_bytes(), secret).await;
    assert_eq!(with_parcel["status"], "applied", "{with_parcel}");
    let mut broken_parcel = shipped.clone();
    broken_parcel["updated_at"] = json!("2026-11-30T12:00:00+08:00");
    broken_parcel["shipments"] = json!([{ "carrier": "中通快递" }]);
    let (status, refused) = post(broken_parcel.to_string().into_bytes(), secret).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("shipments[0].tracking_number"),
        "{refused}"
    );
    let (_, found) = app.get("/api/v1/orders?q=DY778899", AGENT).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let (_, shown) = app
        .get(
            &format!(
                "/api/v1/orders/{}",
                found["items"][0]["id"].as_str().unwrap()
            ),
            AGENT,
        )
        .await;
    assert_eq!(shown["lines"][0]["quantity"], 2);
    assert_eq!(shown["platform"], "douyin");
    assert_eq!(
        shown["shipments"][0]["tracking_number"], "ZT778899",
        "{shown}"
    );

    let broken = json!({ "id": "dy-1", "updated_at": "2026-11-30T10:00:00Z", "order": { "order_number": "X" } })
        .to_string()
        .into_bytes();
    let (status, refused) = post(broken, secret).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["detail"].as_str().unwrap().contains("order:"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_shopify_fulfilment_becomes_a_watched_parcel() {
    let app = TestApp::start().await;
    let secret = "shpss_fulfilment";
    set_secret(&app, "shopify", secret).await;
    let fulfilled = |updated_at: &str| {
        let mut order: Value = serde_json::from_slice(&shopify_order(updated_at, 1)).unwrap();
        order["fulfillments"] = json!([{
            "id": 4_001, "created_at": "2026-11-28T18:00:00+08:00", "status": "success",
            "tracking_company": "SF Express", "tracking_number": "SF100200300",
            "tracking_numbers": ["SF100200300"], "shipment_status": null
        }]);
        order.to_string().into_bytes()
    };
    let (status, first) = deliver(
        &app,
        "shopify",
        "orders/fulfilled",
        &fulfilled("2026-11-28T18:00:05+08:00"),
        secret,
    )
    .await;
    assert_eq!(
        (status, first["status"].clone()),
        (StatusCode::OK, json!("applied")),
        "{first}"
    );
    let (_, again) = deliver(
        &app,
        "shopify",
        "orders/updated",
        &fulfilled("2026-11-28T19:00:00+08:00"),
        secret,
    )
    .await;
    assert_eq!(
        again["status"], "unchanged",
        "the same parcel again: {again}"
    );

    let (_, orders) = app.get("/api/v1/orders?q=1001", AGENT).await;
    let (_, order) = app
        .get(
            &format!(
                "/api/v1/orders/{}",
                orders["items"][0]["id"].as_str().unwrap()
            ),
            AGENT,
        )
        .await;
    let shipments = order["shipments"].as_array().unwrap();
    assert_eq!(shipments.len(), 1, "{order}");
    assert_eq!(shipments[0]["tracking_number"], "SF100200300");
    assert_eq!(shipments[0]["carrier"], "SF Express");
    assert_eq!(shipments[0]["direction"], "to_customer");
    assert_eq!(shipments[0]["shipped_at"], "2026-11-28T18:00:00+08:00");

    // Shipped on 28 November and never scanned: late by now, followed up once.
    let now = aftersale::clock::system_micros();
    assert_eq!(
        aftersale::operations::parcels::sweep(&app.database, now)
            .await
            .unwrap(),
        1
    );
    let (_, tasks) = app.get("/api/v1/follow-ups", AGENT).await;
    assert_eq!(tasks["items"][0]["kind"], "parcel_late");
    assert_eq!(
        tasks["items"][0]["detail"]["tracking_number"],
        "SF100200300"
    );
}

/// Deliveries arriving together are applied together (on SQLite in one transaction): each
/// ends as it would alone — every new order stored, the versions of one order in its newest
/// state, a delivery that cannot be applied refused alone — and each is logged with its outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_arriving_together_end_as_each_alone_would() {
    let app = TestApp::start().await;
    let secret = "shpss_together";
    set_secret(&app, "shopify", secret).await;
    let mut bodies: Vec<Vec<u8>> = (0..30)
        .map(|index| {
            json!({
                "id": 7_000_000 + index, "order_number": 3000 + index, "currency": "CNY",
                "created_at": "2026-11-28T10:15:00+08:00", "updated_at": "2026-11-28T10:16:00+08:00",
                "email": format!("buyer{}@example.com", index % 7),
                "customer": { "first_name": "买家", "last_name": format!("{}", index % 7), "phone": format!("1380000{:04}", index % 7) },
                "line_items": [{ "id": 1, "title": "蓝牙耳机", "sku": "EP-1", "quantity": 1, "price": "199.00", "total_discount": "0.00" }]
            })
            .to_string()
            .into_bytes()
        })
        .collect();
    // Six versions of order 1001, the newest with quantity 6.
    for hour in 10..16 {
        bodies.push(shopify_order(
            &format!("2026-11-28T{hour}:00:00+08:00"),
            hour - 9,
        ));
    }
    // A refund of a line the order does not have: refused, alone.
    let mut bad: Value = serde_json::from_slice(&bodies[0]).unwrap();
    bad["id"] = json!(7_999_999);
    bad["order_number"] = json!(3999);
    bad["refunds"] = json!([{
        "id": 1, "order_id": 7_999_999, "created_at": "2026-11-28T11:00:00+08:00",
        "transactions": [{ "currency": "CNY" }],
        "refund_line_items": [{ "line_item_id": 999, "quantity": 1, "subtotal": "199.00", "total_tax": "0.00" }]
    }]);
    bodies.push(bad.to_string().into_bytes());

    let answers = futures::future::join_all(
        bodies
            .iter()
            .map(|body| deliver(&app, "shopify", "orders/create", body, secret)),
    )
    .await;
    for (index, (status, answer)) in answers.iter().enumerate() {
        if index < 30 {
            assert_eq!(*status, StatusCode::OK, "{answer}");
            assert_eq!(answer["status"], "applied", "{answer}");
        } else if index < 36 {
            assert_eq!(*status, StatusCode::OK, "{answer}");
            assert!(
                ["applied", "stale"].contains(&answer["status"].as_str().unwrap()),
                "{answer}"
            );
        } else {
            assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
            assert!(
                answer["detail"].as_str().unwrap().contains("999"),
                "{answer}"
            );
        }
    }
    for index in 0..30 {
        let (status, order) = app
            .get(&format!("/api/v1/orders/{}", 3000 + index), AGENT)
            .await;
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["lines"][0]["paid_minor"], 19900);
    }
    let (_, order) = app.get("/api/v1/orders/1001", AGENT).await;
    assert_eq!(order["lines"][0]["quantity"], 6, "the newest version wins");
    let (status, _) = app.get("/api/v1/orders/3999", AGENT).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the refused order is not stored"
    );
    // Seven customers, each once, however their orders were grouped.
    let (_, customers) = app.get("/api/v1/customers?q=买家", AGENT).await;
    assert_eq!(
        customers["items"].as_array().unwrap().len(),
        7,
        "{customers}"
    );
    let mut logged = 0;
    for status in ["applied", "stale", "failed"] {
        let (_, items) = app
            .get(
                &format!("/api/v1/inbound?status={status}&limit=100"),
                SUPERVISOR,
            )
            .await;
        logged += items["items"].as_array().unwrap().len();
    }
    assert_eq!(
        logged,
        bodies.len(),
        "every delivery is logged with its outcome"
    );
}
