//! Orders in from sales platforms: `POST /hooks/{shop}/shopify`, `/hooks/{shop}/woocommerce` and
//! `/hooks/{shop}/generic` (any other platform, in this API's own order format); parcels' news
//! from `/hooks/{shop}/kuaidi100` and `/hooks/{shop}/aftership`.
//! A payload is verified with the shop's secret for that source (HMAC-SHA256 of the raw body,
//! base64, in `X-Shopify-Hmac-Sha256` / `X-WC-Webhook-Signature` / `X-Aftersale-Hmac-Sha256`;
//! MD5 `sign` for Kuaidi100): a bad signature is 401 and
//! nothing is kept. A verified one is logged in `inbound_deliveries`, then applied: the same
//! order delivered twice, or an older version after a newer one, ends as one order in its newest
//! state. A malformed one is answered 422 with the reason and stays in the log to replay.

pub mod platforms;
pub mod returns;
pub mod tracking;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use sqlx::Row;

use crate::api::AppState;
use crate::db::shops::{self, Actor, Shop};
use crate::db::{Database, new_id};
use crate::domain::Role;
use crate::domain::signing::hmac_sha256;
use crate::domain::time::now_micros;
use crate::error::{AppError, AppResult};
use platforms::PlatformOrder;

/// The platforms that post orders here.
pub const SOURCES: &[&str] = &[
    "shopify",
    "woocommerce",
    "generic",
    "kuaidi100",
    "aftership",
];

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/hooks/{shop}/{source}", axum::routing::post(receive))
}

fn secret_name(source: &str, shop_id: &str) -> String {
    format!("inbound:{source}:{shop_id}")
}

/// Sets the secret a platform signs its webhooks with for this shop.
pub async fn set_secret(
    database: &Database,
    shop_id: &str,
    source: &str,
    secret: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
    )
    .bind(secret_name(source, shop_id))
    .bind(secret)
    .bind(now_micros())
    .execute(&database.writer)
    .await?;
    Ok(())
}

async fn secret(database: &Database, shop_id: &str, source: &str) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
            .bind(secret_name(source, shop_id))
            .fetch_optional(&database.reader)
            .await?,
    )
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .trim()
}

/// Whether `signature` is base64(HMAC-SHA256(secret, body)), compared in constant time.
pub fn verified(secret: &str, body: &[u8], signature: &str) -> bool {
    let expected =
        base64::engine::general_purpose::STANDARD.encode(hmac_sha256(secret.as_bytes(), body));
    crate::domain::signing::same(expected.as_bytes(), signature.as_bytes())
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

async fn receive(
    State(state): State<AppState>,
    Path((slug, source)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    if !SOURCES.contains(&source.as_str()) {
        return Err(AppError::NotFound(
            "platform (use shopify, woocommerce, generic, kuaidi100 or aftership)",
        ));
    }
    let shop = shops::find_shop_by_slug(&state.database.reader, &slug)
        .await?
        .ok_or(AppError::NotFound("shop"))?;
    // WooCommerce pings a new webhook with a form body before it signs anything.
    if source == "woocommerce" && body.starts_with(b"webhook_id=") {
        return Ok(answer(StatusCode::OK, json!({ "status": "pong" })));
    }
    let Some(secret) = secret(&state.database, &shop.id, &source).await? else {
        return Err(AppError::Unauthorized);
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
        return Err(AppError::Unauthorized);
    }
    let text = text.replace('\0', "");
    let id = new_id();
    sqlx::query(
        "INSERT INTO inbound_deliveries (id, shop_id, source, topic, body, status, received_at) VALUES ($1, $2, $3, $4, $5, 'received', $6)",
    )
    .bind(&id)
    .bind(&shop.id)
    .bind(&source)
    .bind(topic)
    .bind(&text)
    .bind(now_micros())
    .execute(&state.database.writer)
    .await?;
    let (status, detail) = process(&state.database, &shop, &id, &source, topic, &text).await?;
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
    Ok(answer(code, reply))
}

/// The inbound log is for supervisors and admins.
pub fn managers_only(role: Role) -> AppResult<()> {
    if matches!(role, Role::Supervisor | Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only supervisors and admins see inbound deliveries".into(),
        ))
    }
}

/// Applies a stored delivery again (after fixing the shop's reasons or settings, or once the
/// order a return needs has come in); supervisors and admins. Returns it as it now stands.
pub async fn replay(
    database: &Database,
    actor: &Actor,
    id: &str,
) -> AppResult<crate::db::inbound::InboundRecord> {
    managers_only(actor.role)?;
    let stored = crate::db::inbound::get(&database.writer, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("inbound delivery"))?;
    process(
        database,
        &actor.shop,
        id,
        &stored.source,
        &stored.topic,
        &stored.body,
    )
    .await?;
    crate::db::inbound::get(&database.writer, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("inbound delivery"))
}

/// Applies a logged delivery (again, for a replay) and records the outcome on it.
pub async fn process(
    database: &Database,
    shop: &Shop,
    id: &str,
    source: &str,
    topic: &str,
    body: &str,
) -> AppResult<(&'static str, String)> {
    let outcome = apply(database, shop, source, topic, body).await;
    let (status, detail) = match outcome {
        Ok(done) => done,
        Err(AppError::Invalid { message, .. }) => ("failed", message),
        Err(AppError::BadRequest { message, .. }) => ("failed", message),
        Err(other) => return Err(other),
    };
    sqlx::query(
        "UPDATE inbound_deliveries SET status = $1, detail = $2, processed_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(&detail)
    .bind(now_micros())
    .bind(id)
    .execute(&database.writer)
    .await?;
    Ok((status, detail))
}

async fn apply(
    database: &Database,
    shop: &Shop,
    source: &str,
    topic: &str,
    body: &str,
) -> AppResult<(&'static str, String)> {
    if topic == "tracking" {
        let payload: Value = serde_json::from_str(body).map_err(|error| {
            AppError::bad_request(format!("the tracking push is not JSON: {error}"))
        })?;
        let update = match source {
            "kuaidi100" => tracking::kuaidi100(&payload),
            _ => tracking::aftership(&payload),
        }
        .map_err(|message| AppError::invalid("body", message))?;
        return crate::operations::parcels::record(database, shop, &update).await;
    }
    if (source, topic) == ("shopify", "returns/request") {
        let payload: Value = serde_json::from_str(body)
            .map_err(|error| AppError::bad_request(format!("the body is not JSON: {error}")))?;
        let request = platforms::shopify_return(&payload)
            .map_err(|message| AppError::invalid("body", message))?;
        return returns::open_case(database, shop, source, &request).await;
    }
    let is_order = matches!(
        (source, topic),
        (
            "shopify",
            "orders/create" | "orders/updated" | "orders/paid" | "orders/fulfilled"
        ) | ("woocommerce", "order.created" | "order.updated")
            | ("generic", "order")
    );
    if !is_order {
        return Ok((
            "ignored",
            format!("topic '{topic}' is not handled; kept for the record"),
        ));
    }
    let payload: Value = serde_json::from_str(body)
        .map_err(|error| AppError::bad_request(format!("the body is not JSON: {error}")))?;
    let order = match source {
        "shopify" => platforms::shopify_order(&payload),
        "generic" => platforms::generic_order(&payload),
        _ => platforms::woocommerce_order(&payload),
    }
    .map_err(|message| AppError::invalid("body", message))?;
    apply_order(database, shop, source, &order).await
}

/// Stores the order unless a newer version of it was applied already.
async fn apply_order(
    database: &Database,
    shop: &Shop,
    source: &str,
    order: &PlatformOrder,
) -> AppResult<(&'static str, String)> {
    let actor = Actor {
        shop: shop.clone(),
        role: Role::System,
        staff_id: None,
    };
    let checked = crate::operations::orders::check(&actor, &order.input)?;
    let mut transaction = database.begin().await?;
    sqlx::query(
        "INSERT INTO inbound_orders (shop_id, source, external_id, source_updated_at) VALUES ($1, $2, $3, -1) \
         ON CONFLICT (shop_id, source, external_id) DO NOTHING",
    )
    .bind(&shop.id)
    .bind(source)
    .bind(&order.external_id)
    .execute(&mut *transaction)
    .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT source_updated_at FROM inbound_orders WHERE shop_id = $1 AND source = $2 AND external_id = $3{}",
        database.backend.for_update()
    )))
    .bind(&shop.id)
    .bind(source)
    .bind(&order.external_id)
    .fetch_one(&mut *transaction)
    .await?;
    let applied: i64 = row.try_get(0)?;
    let number = checked.order_number.as_str().to_string();
    if applied > order.updated_at {
        return Ok((
            "stale",
            format!("order {number}: a newer version was applied already"),
        ));
    }
    let (order_id, mut outcome) =
        crate::db::orders::upsert(&mut transaction, &shop.id, &checked).await?;
    // Parcels not seen before join the order (and are watched from then on).
    for parcel in &order.parcels {
        let known: Option<String> = sqlx::query_scalar(
            "SELECT id FROM shipments WHERE order_id = $1 AND tracking_number = $2",
        )
        .bind(&order_id)
        .bind(&parcel.tracking_number)
        .fetch_optional(&mut *transaction)
        .await?;
        if known.is_none() {
            crate::db::orders::insert_shipment(
                &mut transaction,
                &shop.id,
                &crate::db::orders::NewShipment {
                    order_id: &order_id,
                    case_id: None,
                    direction: "to_customer",
                    carrier: &parcel.carrier,
                    tracking_number: &parcel.tracking_number,
                    status: crate::domain::parcels::ParcelState::InTransit.as_str(),
                    shipped_at: parcel.shipped_at,
                    delivered_at: None,
                },
            )
            .await?;
            if outcome == crate::db::orders::Outcome::Unchanged {
                outcome = crate::db::orders::Outcome::Updated;
            }
        }
    }
    sqlx::query(
        "UPDATE inbound_orders SET source_updated_at = $1, order_id = $2, line_ids = $6 WHERE shop_id = $3 AND source = $4 AND external_id = $5",
    )
    .bind(order.updated_at)
    .bind(&order_id)
    .bind(&shop.id)
    .bind(source)
    .bind(&order.external_id)
    .bind(serde_json::to_string(&order.line_ids).unwrap_or_else(|_| "[]".into()))
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(match outcome {
        crate::db::orders::Outcome::Unchanged => ("unchanged", format!("order {number} as it was")),
        _ => ("applied", format!("order {number} stored")),
    })
}
