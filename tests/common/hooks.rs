//! Platform webhooks delivered as the platforms send them: signed with the shop's secret.

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{ADMIN, TestApp};

pub fn signature(secret: &str, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(aftersale::domain::signing::hmac_sha256(
        secret.as_bytes(),
        body,
    ))
}

pub async fn deliver(
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

/// What an admin does once per platform: the secret its webhooks are signed with.
pub async fn set_secret(app: &TestApp, source: &str, secret: &str) {
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/integrations/{source}"),
            ADMIN,
            Some(json!({ "secret": secret })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}
