//! Orders in from Shopify and WooCommerce: the sample payloads (tests/fixtures/payloads, from
//! shared/data) and Shopify-shaped orders delivered to the real endpoints, signed as the
//! platforms sign them; bad signatures, duplicates, late older versions and malformed bodies.

mod common;

use base64::Engine;
use common::{ADMIN, AGENT, SUPERVISOR, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn signature(secret: &str, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(aftersale::domain::signing::hmac_sha256(
        secret.as_bytes(),
        body,
    ))
}

async fn deliver(
    app: &TestApp,
    source: &str,
    topic: &str,
    body: &[u8],
    signed_with: &str,
) -> (StatusCode, Value) {
    let (signature_header, topic_header) = match source {
        "shopify" => ("X-Shopify-Hmac-Sha256", "X-Shopify-Topic"),
        _ => ("X-WC-Webhook-Signature", "X-WC-Webhook-Topic"),
    };
    let response = app
        .client
        .post(app.url(&format!("/hooks/shop/{source}")))
        .header(signature_header, signature(signed_with, body))
        .header(topic_header, topic)
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

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
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/integrations/shopify",
            ADMIN,
            Some(json!({ "secret": secret })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = deliver(&app, "shopify", "orders/create", &body, "not-the-secret").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, log) = app.get("/api/v1/inbound", SUPERVISOR).await;
    assert_eq!(log, json!([]), "unverified payloads are not kept");

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
    assert_eq!(failed.as_array().unwrap().len(), 1);
    let (status, replayed) = app
        .post(
            &format!(
                "/api/v1/inbound/{}/replay",
                failed[0]["id"].as_str().unwrap()
            ),
            SUPERVISOR,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replayed["status"], "failed");

    // The refund webhook sample is verified and recorded, not applied.
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/payloads/shopify-refund-webhook.json"
    ))
    .unwrap();
    let (status, answer) = deliver(&app, "shopify", "refunds/create", &sample, secret).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], "ignored");
}

#[tokio::test]
async fn the_woocommerce_sample_order_is_stored() {
    let app = TestApp::start().await;
    let secret = "wc-webhook-secret";
    app.call(
        Method::PUT,
        "/api/v1/integrations/woocommerce",
        ADMIN,
        Some(json!({ "secret": secret })),
    )
    .await;
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
