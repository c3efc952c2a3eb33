//! A case's timeline: events (each that leaves the system also gets its outbox row) and
//! messages.

use super::*;
use crate::domain::identifiers::ShopId;

/// One entry of the timeline.
pub struct NewEvent<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub at: i64,
    pub actor_role: Role,
    pub actor_id: Option<&'a str>,
    /// An [`Action`]'s name, or `created`, `updated`, `message`, `note`.
    pub action: &'a str,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub data: serde_json::Value,
}

pub async fn insert_event(
    transaction: &mut Transaction,
    event: &NewEvent<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO case_events (id, case_id, shop_id, at, actor_role, actor_id, action, from_status, to_status, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(event.case_id)
    .bind(event.shop_id)
    .bind(event.at)
    .bind(event.actor_role.as_str())
    .bind(event.actor_id)
    .bind(event.action)
    .bind(event.from_status.map(Status::as_str))
    .bind(event.to_status.map(Status::as_str))
    .bind(event.data.to_string())
    .execute(&mut **transaction)
    .await?;
    if let Some((topic, payload)) = outgoing(&id, event) {
        sqlx::query(OUTBOX_SQL)
            .bind(&id)
            .bind(event.shop_id)
            .bind(event.case_id)
            .bind(topic)
            .bind(payload)
            .bind(event.at)
            .execute(&mut **transaction)
            .await?;
    }
    Ok(id)
}

/// The outbox row every event that leaves the system gets, in the same transaction; its id is
/// the event's, so receivers can tell a repeat.
pub(super) const OUTBOX_SQL: &str = "INSERT INTO outbox (id, shop_id, case_id, audience, topic, payload, state, attempts, created_at) \
    VALUES ($1, $2, $3, 'event', $4, $5, 'pending', 0, $6)";

pub(super) fn outgoing(id: &str, event: &NewEvent<'_>) -> Option<(&'static str, String)> {
    let topic = crate::domain::notifications::topic(
        event.action,
        event.to_status.map(Status::as_str),
        event.data["status"].as_str(),
    )?;
    let payload = serde_json::json!({
        "event_id": id,
        "case_id": event.case_id,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor_role": event.actor_role,
        "at": event.at,
        "data": event.data,
    });
    Some((topic, payload.to_string()))
}

/// Adds a timeline entry (and its outbox row) to `batch`.
pub fn push_event(batch: &mut Batch, event: &NewEvent<'_>) {
    let id = new_id();
    if let Some((topic, payload)) = outgoing(&id, event) {
        batch.push(
            OUTBOX_SQL,
            vec![
                id.clone().into(),
                event.shop_id.into(),
                event.case_id.into(),
                topic.into(),
                payload.into(),
                event.at.into(),
            ],
        );
    }
    batch.push(
        "INSERT INTO case_events (id, case_id, shop_id, at, actor_role, actor_id, action, from_status, to_status, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        vec![
            id.into(),
            event.case_id.into(),
            event.shop_id.into(),
            event.at.into(),
            event.actor_role.as_str().into(),
            event.actor_id.into(),
            event.action.into(),
            event.from_status.map(Status::as_str).into(),
            event.to_status.map(Status::as_str).into(),
            event.data.to_string().into(),
        ],
    );
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRecord {
    pub id: String,
    pub at: i64,
    pub actor_role: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    #[sqlx(try_from = "JsonText<serde_json::Value>")]
    pub data: serde_json::Value,
}

pub async fn events(pool: &AnyPool, case_id: &str) -> Result<Vec<EventRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, at, actor_role, actor_id, action, from_status, to_status, data FROM case_events \
         WHERE case_id = $1 ORDER BY at, id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRecord {
    pub id: String,
    pub author_role: String,
    pub author_id: Option<String>,
    pub visibility: String,
    pub body: String,
    pub created_at: i64,
}

#[allow(clippy::too_many_arguments)] // one argument per column written
pub async fn insert_message(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    case_id: &str,
    author_role: Role,
    author_id: Option<&str>,
    visibility: &str,
    body: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO case_messages (id, case_id, shop_id, author_role, author_id, visibility, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(shop_id)
    .bind(author_role.as_str())
    .bind(author_id)
    .bind(visibility)
    .bind(body)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    Ok(id)
}

pub async fn messages(
    pool: &AnyPool,
    case_id: &str,
    include_internal: bool,
) -> Result<Vec<MessageRecord>, sqlx::Error> {
    let sql = if include_internal {
        "SELECT id, author_role, author_id, visibility, body, created_at FROM case_messages WHERE case_id = $1 \
         ORDER BY created_at, id"
    } else {
        "SELECT id, author_role, author_id, visibility, body, created_at FROM case_messages WHERE case_id = $1 \
         AND visibility = 'customer' ORDER BY created_at, id"
    };
    sqlx::query_as(sql).bind(case_id).fetch_all(pool).await
}

/// The case's latest event: (id, at, actor role, actor id, action) — what the live case page
/// compares with what it showed.
pub async fn latest_event(
    pool: &AnyPool,
    case_id: &str,
) -> Result<Option<(String, i64, String, Option<String>, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, at, actor_role, actor_id, action FROM case_events \
         WHERE case_id = $1 ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(case_id)
    .fetch_optional(pool)
    .await
}
