//! `/api/v1/webhooks` (where the shop's events go) and `/api/v1/deliveries` (what was sent, what
//! failed, replay).

use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use super::views::{ListQuery, Page, after, page_limit, time};
use crate::db::deliveries::{self, DeliveryRecord, Endpoint};
use crate::db::shops::{Actor, Shop};
use crate::domain::notifications::TOPICS;
use crate::domain::permissions::Capability;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

fn managers(actor: &Actor) -> AppResult<()> {
    AppError::require(actor.role, Capability::ManageWebhooks)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointView {
    pub id: String,
    pub url: String,
    pub topics: Vec<String>,
    pub active: bool,
    pub created_at: String,
    /// The signing secret: shown once, when the endpoint is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

fn endpoint_view(shop: &Shop, endpoint: Endpoint, secret: Option<String>) -> EndpointView {
    EndpointView {
        id: endpoint.id,
        url: endpoint.url,
        topics: endpoint.topics,
        active: endpoint.active,
        created_at: time(shop, endpoint.created_at),
        secret,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointInput {
    /// An http(s) address that accepts POSTed JSON.
    pub url: String,
    /// Topics to receive (see the list in docs/API.md); absent or `["*"]` for all.
    #[serde(default)]
    pub topics: Vec<String>,
}

#[utoipa::path(post, path = "/webhooks", operation_id = "createWebhook", tag = "webhooks", request_body = EndpointInput,
    responses((status = 201, body = EndpointView, description = "made; `secret` is shown this once")),
    security(("bearer" = [])))]
/// Sends the shop's events to an address, signed with a new secret.
pub async fn create(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<EndpointInput>,
) -> AppResult<(StatusCode, axum::Json<EndpointView>)> {
    managers(&actor)?;
    let url = input.url.trim();
    // Never an address inside the server's network (docs/SECURITY.md); checked again at delivery.
    crate::integrations::outbound::check_url(url, state.config.allow_private_targets)
        .await
        .map_err(|why| AppError::invalid("url", why))?;
    let topics = if input.topics.is_empty() {
        vec!["*".to_string()]
    } else {
        input.topics.clone()
    };
    if let Some(unknown) = topics
        .iter()
        .find(|topic| topic.as_str() != "*" && !TOPICS.contains(&topic.as_str()))
    {
        return Err(AppError::invalid(
            "topics",
            format!("unknown topic '{unknown}'; use * or: {}", TOPICS.join(", ")),
        ));
    }
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
    );
    let id = deliveries::insert_endpoint(
        &state.database.writer,
        &actor.shop.id,
        url,
        &secret,
        &topics,
        state.clock.now(),
    )
    .await?;
    crate::operations::audit::record(
        &state.database,
        &actor,
        "webhook.created",
        &id,
        &serde_json::json!({ "url": url, "topics": topics }),
    )
    .await?;
    let endpoint = deliveries::endpoint_by_id(&state.database.writer, &id)
        .await?
        .ok_or(AppError::Unavailable)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(endpoint_view(&actor.shop, endpoint, Some(secret))),
    ))
}

#[utoipa::path(get, path = "/webhooks", params(ListQuery), operation_id = "listWebhooks", tag = "webhooks",
    responses((status = 200, body = Page<EndpointView>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(page): Query<ListQuery>,
) -> AppResult<axum::Json<Page<EndpointView>>> {
    managers(&actor)?;
    let records = deliveries::endpoints(&state.database.reader, &actor.shop.id).await?;
    Ok(axum::Json(Page::slice(
        records,
        page_limit(page.limit)?,
        page.cursor.as_deref(),
        |record| record.id.as_str(),
        |endpoint| endpoint_view(&actor.shop, endpoint, None),
    )?))
}

#[utoipa::path(delete, path = "/webhooks/{id}", operation_id = "deleteWebhook", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 204), (status = 404)), security(("bearer" = [])))]
/// Stops sending to the endpoint; what it was sent stays on record.
pub async fn remove(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    managers(&actor)?;
    if deliveries::deactivate_endpoint(&state.database.writer, &actor.shop.id, &id).await? {
        crate::operations::audit::record(
            &state.database,
            &actor,
            "webhook.removed",
            &id,
            &serde_json::json!({}),
        )
        .await?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("webhook endpoint"))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: String,
    /// The event's id: the same in every delivery and retry of it.
    pub event_id: String,
    /// webhook or email
    pub channel: String,
    /// The endpoint id or the e-mail address.
    pub target: String,
    pub topic: String,
    /// pending, sent or dead
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

fn delivery_view(shop: &Shop, delivery: DeliveryRecord) -> DeliveryView {
    DeliveryView {
        id: delivery.id,
        event_id: delivery.outbox_id,
        channel: delivery.channel,
        target: delivery.target,
        topic: delivery.topic,
        state: delivery.state,
        attempts: delivery.attempts,
        next_attempt_at: time(shop, delivery.next_attempt_at),
        last_error: delivery.last_error,
        created_at: time(shop, delivery.created_at),
        sent_at: delivery.sent_at.map(|at| time(shop, at)),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// pending, sent or dead
    #[param(pattern = "^(pending|sent|dead)?$")]
    pub state: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

#[utoipa::path(get, path = "/deliveries", operation_id = "listDeliveries", tag = "webhooks", params(DeliveryQuery),
    responses((status = 200, body = Page<DeliveryView>)), security(("bearer" = [])))]
/// The shop's deliveries, newest first.
pub async fn deliveries_list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<DeliveryQuery>,
) -> AppResult<axum::Json<Page<DeliveryView>>> {
    managers(&actor)?;
    let wanted = query
        .state
        .as_deref()
        .map(str::trim)
        .filter(|state| !state.is_empty());
    if let Some(state) = wanted
        && !matches!(state, "pending" | "sent" | "dead")
    {
        return Err(AppError::invalid(
            "state",
            format!("unknown state '{state}'; use pending, sent or dead"),
        ));
    }
    let limit = page_limit(query.limit)?;
    let records = deliveries::list(
        &state.database.reader,
        &actor.shop.id,
        wanted,
        after(query.cursor.as_deref())?,
        limit,
    )
    .await?;
    Ok(axum::Json(Page::of(
        records,
        limit,
        |delivery| (delivery.created_at, delivery.id.as_str()),
        |delivery| delivery_view(&actor.shop, delivery),
    )))
}

#[utoipa::path(post, path = "/deliveries/{id}/replay", operation_id = "replayDelivery", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = DeliveryView), (status = 404)), security(("bearer" = [])))]
/// Sends a delivery again (a dead one, or one the receiver lost), with the same event id.
pub async fn replay(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<DeliveryView>> {
    managers(&actor)?;
    if !deliveries::replay(
        &state.database.writer,
        &actor.shop.id,
        &id,
        state.clock.now(),
    )
    .await?
    {
        return Err(AppError::NotFound("delivery"));
    }
    let delivery = deliveries::get(&state.database.writer, &actor.shop.id, &id)
        .await?
        .ok_or(AppError::NotFound("delivery"))?;
    Ok(axum::Json(delivery_view(&actor.shop, delivery)))
}
