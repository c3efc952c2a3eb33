//! The outbox: notifications written in the same transaction as the change that causes them,
//! for delivery workers to send (e-mail, webhooks, SMS).

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::columns::JsonText;
use super::{Transaction, new_id};

pub struct NewMessage<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: Option<&'a str>,
    pub audience: &'a str,
    pub topic: &'a str,
    pub payload: &'a serde_json::Value,
    pub now: i64,
}

pub async fn insert(
    transaction: &mut Transaction,
    message: &NewMessage<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO outbox (id, shop_id, case_id, audience, topic, payload, state, attempts, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7)",
    )
    .bind(&id)
    .bind(message.shop_id)
    .bind(message.case_id)
    .bind(message.audience)
    .bind(message.topic)
    .bind(message.payload.to_string())
    .bind(message.now)
    .execute(&mut **transaction)
    .await?;
    Ok(id)
}

/// The notices waiting for a case, oldest first: (audience, topic, payload).
pub async fn for_case(
    pool: &AnyPool,
    case_id: &str,
) -> Result<Vec<(String, String, serde_json::Value)>, sqlx::Error> {
    let notices: Vec<(String, String, JsonText<serde_json::Value>)> = sqlx::query_as(
        "SELECT audience, topic, payload FROM outbox WHERE case_id = $1 ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    Ok(notices
        .into_iter()
        .map(|(audience, topic, payload)| (audience, topic, payload.0))
        .collect())
}
