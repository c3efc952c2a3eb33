//! Signed tokens that let a customer into their order in the portal: the browser's sign-in
//! cookie and the links sent in notifications. A token names the shop, the order and when it
//! expires, signed with HMAC-SHA256 under a key every instance shares through the database.

use crate::domain::identifiers::ShopId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::db::shops::Shop;
use crate::db::{Database, secrets};
use crate::domain::signing::hmac_sha256;
use crate::error::{AppError, AppResult};

/// The server's signing key, created once and shared through the database by every instance.
async fn key(database: &Database) -> AppResult<Vec<u8>> {
    let value = match secrets::get(&database.reader, "portal").await? {
        Some(value) => value,
        None => {
            let fresh: [u8; 32] = rand::random();
            secrets::get_or_put(
                &database.writer,
                "portal",
                &hex::encode(fresh),
                database.clock.now(),
            )
            .await?
        }
    };
    hex::decode(value).map_err(|error| AppError::Internal(error.into()))
}

/// `message` with its signature: `base64url(message).hex(HMAC)`.
async fn signed(database: &Database, message: &str) -> AppResult<String> {
    let signature = hmac_sha256(&key(database).await?, message.as_bytes());
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(message),
        hex::encode(signature)
    ))
}

/// The message a token carries, if its signature is genuine.
async fn opened(database: &Database, value: &str) -> AppResult<Option<String>> {
    let Some((encoded, signature)) = value.split_once('.') else {
        return Ok(None);
    };
    let Ok(message) = URL_SAFE_NO_PAD.decode(encoded) else {
        return Ok(None);
    };
    let expected = hex::encode(hmac_sha256(&key(database).await?, &message));
    if !crate::domain::signing::same(expected.as_bytes(), signature.as_bytes()) {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&message).into_owned()))
}

/// A token for this order in this shop, valid for `lifetime_micros`: the cookie's value, and
/// the last part of a signed link.
pub async fn sign(
    database: &Database,
    shop_id: &ShopId,
    order_id: &str,
    lifetime_micros: i64,
) -> AppResult<String> {
    let expires = database.clock.now() + lifetime_micros;
    let message = format!("{shop_id}|{order_id}|{expires}");
    signed(database, &message).await
}

/// How long a link sent in a notification signs the customer in.
pub const LINK_MICROS: i64 = 30 * 24 * 3_600_000_000;

/// A link that signs the customer in to the order and opens the case (when given), for
/// notifications; valid for [`LINK_MICROS`].
pub async fn signed_link(
    database: &Database,
    shop: &Shop,
    order_id: &str,
    case_number: Option<&str>,
    base_url: &str,
) -> AppResult<String> {
    let token = sign(database, &shop.id, order_id, LINK_MICROS).await?;
    let case = case_number
        .map(|number| {
            format!(
                "?{}",
                serde_urlencoded::to_string([("case", number)]).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    Ok(format!(
        "{}/portal/{}/enter/{token}{case}",
        base_url.trim_end_matches('/'),
        shop.slug
    ))
}

/// The order a token signs in to, if it is genuine, for this shop and not expired.
pub async fn verify(
    database: &Database,
    shop_id: &ShopId,
    value: &str,
) -> AppResult<Option<String>> {
    let Some(text) = opened(database, value).await? else {
        return Ok(None);
    };
    let parts: Vec<&str> = text.split('|').collect();
    match parts.as_slice() {
        [shop, order, expires]
            if *shop == shop_id.as_str()
                && expires
                    .parse::<i64>()
                    .is_ok_and(|at| at > database.clock.now()) =>
        {
            Ok(Some(order.to_string()))
        }
        _ => Ok(None),
    }
}

/// A survey's link token: names the shop and the survey and expires with it. It opens the
/// survey's page and nothing else (an order's token has three parts, this one four).
pub async fn sign_survey(
    database: &Database,
    shop_id: &ShopId,
    survey_id: &str,
    expires: i64,
) -> AppResult<String> {
    let message = format!("survey|{shop_id}|{survey_id}|{expires}");
    signed(database, &message).await
}

/// The survey a link token names, if it is genuine and for this shop (an expired survey is
/// still named: its page says it has closed).
pub async fn verify_survey(
    database: &Database,
    shop_id: &ShopId,
    value: &str,
) -> AppResult<Option<String>> {
    let Some(text) = opened(database, value).await? else {
        return Ok(None);
    };
    match text.split('|').collect::<Vec<_>>().as_slice() {
        ["survey", shop, survey, _] if *shop == shop_id.as_str() => Ok(Some(survey.to_string())),
        _ => Ok(None),
    }
}

/// The link to a survey's page.
pub async fn survey_link(
    database: &Database,
    shop: &Shop,
    survey_id: &str,
    expires: i64,
    base_url: &str,
) -> AppResult<String> {
    let token = sign_survey(database, &shop.id, survey_id, expires).await?;
    Ok(format!(
        "{}/portal/{}/survey/{token}",
        base_url.trim_end_matches('/'),
        shop.slug
    ))
}
