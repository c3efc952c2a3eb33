//! What the platforms and carriers send, applied: orders from Shopify, WooCommerce and the
//! generic format, Shopify return requests, parcels' news from Kuaidi100 and AfterShip (the
//! HTTP side, `POST /hooks/{shop}/{source}`, is `crate::http::hooks`).
//! A payload is verified with the shop's secret for that source (HMAC-SHA256 of the raw body,
//! base64, in `X-Shopify-Hmac-Sha256` / `X-WC-Webhook-Signature` / `X-Aftersale-Hmac-Sha256`;
//! MD5 `sign` for Kuaidi100): a bad signature is 401 and
//! nothing is kept. A verified one is logged in `inbound_deliveries`, then applied: the same
//! order delivered twice, or an older version after a newer one, ends as one order in its newest
//! state. A malformed one is answered 422 with the reason and stays in the log to replay.

pub mod intake;
pub mod orders;
pub mod outbound;
pub mod platforms;
pub mod returns;
pub mod tracking;

use crate::domain::identifiers::ShopId;
use base64::Engine;
use serde_json::Value;

use crate::db::shops::{Actor, Shop};
use crate::db::{Database, inbound, secrets};
use crate::domain::permissions::Capability;
use crate::domain::signing::hmac_sha256;
use crate::error::{AppError, AppResult};

/// The platforms that post orders here.
pub const SOURCES: &[&str] = &[
    "shopify",
    "woocommerce",
    "generic",
    "kuaidi100",
    "aftership",
    "payments",
];

fn secret_name(source: &str, shop_id: &ShopId) -> String {
    format!("inbound:{source}:{shop_id}")
}

/// Sets the secret a platform signs its webhooks with for this shop.
pub async fn set_secret(
    database: &Database,
    shop_id: &ShopId,
    source: &str,
    secret: &str,
) -> AppResult<()> {
    secrets::put(
        &database.writer,
        &secret_name(source, shop_id),
        secret,
        database.clock.now(),
    )
    .await?;
    Ok(())
}

/// The secret a platform signs its webhooks with for this shop, if one was set.
pub async fn secret(
    database: &Database,
    shop_id: &ShopId,
    source: &str,
) -> AppResult<Option<String>> {
    Ok(secrets::get(&database.reader, &secret_name(source, shop_id)).await?)
}

/// Whether `signature` is base64(HMAC-SHA256(secret, body)), compared in constant time.
pub fn verified(secret: &str, body: &[u8], signature: &str) -> bool {
    let expected =
        base64::engine::general_purpose::STANDARD.encode(hmac_sha256(secret.as_bytes(), body));
    crate::domain::signing::same(expected.as_bytes(), signature.as_bytes())
}

/// Applies a stored delivery again (after fixing the shop's reasons or settings, or once the
/// order a return needs has come in); supervisors and admins. Returns it as it now stands.
pub async fn replay(
    database: &Database,
    actor: &Actor,
    id: &str,
) -> AppResult<crate::db::inbound::InboundRecord> {
    AppError::require(actor.role, Capability::SeeInbound)?;
    let stored = inbound::get(&database.writer, &actor.shop.id, id)
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
    inbound::get(&database.writer, &actor.shop.id, id)
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
    inbound::record_outcome(&database.writer, id, status, &detail, database.clock.now()).await?;
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
    if (source, topic) == ("payments", "refund.outcome") {
        let payload: Value = serde_json::from_str(body)
            .map_err(|error| AppError::bad_request(format!("the body is not JSON: {error}")))?;
        return crate::operations::refund_payments::answer(database, shop, &payload).await;
    }
    if (source, topic) == ("shopify", "refunds/create") {
        let payload: Value = serde_json::from_str(body)
            .map_err(|error| AppError::bad_request(format!("the body is not JSON: {error}")))?;
        let refund = platforms::shopify_refund(&payload)
            .map_err(|message| AppError::invalid("body", message))?;
        return apply_refund(database, shop, source, &refund).await;
    }
    if !orders::is_order(source, topic) {
        return Ok((
            "ignored",
            format!("topic '{topic}' is not handled; kept for the record"),
        ));
    }
    let arrival = orders::read(database, shop, source, body)?;
    orders::apply_one(database, &arrival).await
}

/// Logs a verified delivery and applies it. An order (platforms send them by the thousand) is
/// applied and logged with its outcome in one transaction, with the others waiting at that
/// moment (`intake`); anything else is logged first, then applied. Either way, a delivery that
/// could not be applied stays in the log, to replay.
pub async fn receive(
    database: &Database,
    intake: &intake::Intake,
    shop: &Shop,
    delivery: inbound::NewDelivery,
) -> AppResult<(&'static str, String)> {
    if orders::is_order(&delivery.source, &delivery.topic) {
        let mut arrival = match orders::read(database, shop, &delivery.source, &delivery.body) {
            Ok(arrival) => arrival,
            Err(error) => return orders::settle(database, &delivery, Err(error)).await,
        };
        arrival.delivery = Some(delivery);
        return intake.submit(arrival).await;
    }
    log(database, &delivery).await?;
    process(
        database,
        shop,
        &delivery.id,
        &delivery.source,
        &delivery.topic,
        &delivery.body,
    )
    .await
}

/// Logs a delivery as received, not yet applied.
async fn log(database: &Database, delivery: &inbound::NewDelivery) -> AppResult<()> {
    inbound::insert(
        &database.writer,
        &delivery.id,
        &delivery.shop_id,
        &delivery.source,
        &delivery.topic,
        &delivery.body,
        delivery.received_at,
    )
    .await?;
    Ok(())
}

/// Records a refund made on the platform against the order it came in with.
async fn apply_refund(
    database: &Database,
    shop: &Shop,
    source: &str,
    refund: &platforms::PlatformRefund,
) -> AppResult<(&'static str, String)> {
    let not_yet = || {
        AppError::invalid(
            "body",
            format!(
                "order {} has not come in from {source} yet; replay this delivery once it has",
                refund.order_external_id
            ),
        )
    };
    let known = inbound::external_order(
        &database.reader,
        &shop.id,
        source,
        &refund.order_external_id,
    )
    .await?
    .ok_or_else(not_yet)?;
    let order_id = known.order_id.ok_or_else(not_yet)?;
    let order = crate::db::orders::get(&database.reader, &shop.id, &order_id)
        .await?
        .ok_or_else(not_yet)?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let recorded = crate::operations::platform_refunds::record(
        &mut transaction,
        database.backend,
        shop,
        &order_id,
        &known.line_ids,
        std::slice::from_ref(refund),
        now,
    )
    .await?;
    crate::operations::platform_refunds::stop_shipping_if_void(
        &mut transaction,
        shop,
        &order_id,
        &order.order_number,
        order.cancelled_at.is_some(),
        now,
    )
    .await?;
    transaction.commit().await?;
    Ok(if recorded == 0 {
        (
            "unchanged",
            format!(
                "refund {} on order {} recorded already",
                refund.external_id, order.order_number
            ),
        )
    } else {
        (
            "applied",
            format!(
                "refund {} on order {} recorded",
                refund.external_id, order.order_number
            ),
        )
    })
}
