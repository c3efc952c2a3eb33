//! `POST /hooks/{shop}/{source}`: what platforms and carriers push. The signature is checked
//! with the shop's secret for that source (a bad one is 401 and nothing is kept), the delivery
//! is logged and applied by [`crate::integrations::receive`]; a malformed one is answered 422
//! with the reason and stays in the log to replay.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::db::{inbound, new_id, shops};
use crate::error::{AppError, AppResult};
use crate::integrations::{self, SOURCES, secret, verified};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/hooks/{shop}/{source}", axum::routing::post(receive))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .trim()
}

async fn receive(
    State(state): State<AppState>,
    Path((slug, source)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    if !SOURCES.contains(&source.as_str()) {
        return Err(AppError::NotFound(
            "platform (use shopify, woocommerce, generic, kuaidi100, aftership or payments)",
        ));
    }
    let shop = shops::find_shop_by_slug(&state.database.reader, &slug)
        .await?
        .ok_or(AppError::NotFound("shop"))?;
    // WooCommerce pings a new webhook with a form body before it signs anything.
    if source == "woocommerce" && body.starts_with(b"webhook_id=") {
        return Ok(axum::Json(json!({ "status": "pong" })).into_response());
    }
    let Some(secret) = secret(&state.database, &shop.id, &source).await? else {
        return Err(AppError::Signature {
            message: format!(
                "this shop has no secret for {source}, so the signature cannot be checked: an admin sets it with PUT /api/v1/integrations/{source}"
            ),
            details: json!({ "source": source, "secret_set": false }),
        });
    };
    let (valid, topic, text) = match source.as_str() {
        "kuaidi100" => {
            // A form: `param` (JSON) and `sign` = MD5(param + secret), upper-case hex.
            let form: std::collections::HashMap<String, String> =
                serde_urlencoded::from_bytes(&body).unwrap_or_default();
            let param = form.get("param").cloned().unwrap_or_default();
            let expected = hex::encode(<md5::Md5 as md5::Digest>::digest(
                format!("{param}{secret}").as_bytes(),
            ));
            let sign = form.get("sign").map(String::as_str).unwrap_or_default();
            (
                expected.eq_ignore_ascii_case(sign.trim()),
                "tracking",
                param,
            )
        }
        "aftership" => (
            verified(&secret, &body, header(&headers, "aftership-hmac-sha256")),
            "tracking",
            String::from_utf8_lossy(&body).to_string(),
        ),
        "generic" => (
            verified(&secret, &body, header(&headers, "x-aftersale-hmac-sha256")),
            "order",
            String::from_utf8_lossy(&body).to_string(),
        ),
        // The shop's payment service answering a refund request.
        "payments" => (
            verified(&secret, &body, header(&headers, "x-aftersale-hmac-sha256")),
            "refund.outcome",
            String::from_utf8_lossy(&body).to_string(),
        ),
        "shopify" => (
            verified(&secret, &body, header(&headers, "x-shopify-hmac-sha256")),
            header(&headers, "x-shopify-topic"),
            String::from_utf8_lossy(&body).to_string(),
        ),
        _ => (
            verified(&secret, &body, header(&headers, "x-wc-webhook-signature")),
            header(&headers, "x-wc-webhook-topic"),
            String::from_utf8_lossy(&body).to_string(),
        ),
    };
    if !valid {
        let signed_by = match source.as_str() {
            "kuaidi100" => "the form field sign (MD5 of param and the secret, hex)",
            "aftership" => "the aftership-hmac-sha256 header (base64 HMAC-SHA256 of the body)",
            "shopify" => "the x-shopify-hmac-sha256 header (base64 HMAC-SHA256 of the body)",
            "woocommerce" => "the x-wc-webhook-signature header (base64 HMAC-SHA256 of the body)",
            _ => "the x-aftersale-hmac-sha256 header (base64 HMAC-SHA256 of the body)",
        };
        return Err(AppError::Signature {
            message: format!(
                "the signature does not match: {signed_by} must be made with this shop's {source} secret"
            ),
            details: json!({ "source": source, "secret_set": true }),
        });
    }
    let text = text.replace('\0', "");
    let id = new_id();
    let delivery = inbound::NewDelivery {
        id: id.clone(),
        shop_id: shop.id.clone(),
        source: source.clone(),
        topic: topic.to_string(),
        body: text,
        received_at: state.clock.now(),
    };
    let (status, detail) =
        integrations::receive(&state.database, &state.intake, &shop, delivery).await?;
    let code = if status == "failed" {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut reply = json!({ "id": id, "status": status, "detail": detail });
    if source == "kuaidi100" {
        // What Kuaidi100 reads to stop pushing the same update again.
        let ok = status != "failed";
        reply["result"] = json!(ok);
        reply["returnCode"] = json!(if ok { "200" } else { "500" });
        reply["message"] = json!(if ok { "成功" } else { "失败" });
    }
    Ok((code, axum::Json(reply)).into_response())
}
