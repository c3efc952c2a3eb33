//! `/api/v1/integrations/{source}` (the secret a platform signs with) and `/api/v1/inbound`
//! (what the platforms sent: the log, and replay).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use super::views::{Page, after, page_limit, time};
use crate::db::inbound::InboundRecord;
use crate::domain::permissions::Capability;
use crate::error::{AppError, AppResult};
use crate::integrations::{self, SOURCES};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretInput {
    /// The platform's webhook signing secret (Shopify: the app's API secret; WooCommerce: the
    /// webhook's secret), 8–200 characters.
    pub secret: String,
}

#[utoipa::path(put, path = "/integrations/{source}", operation_id = "setIntegrationSecret", tag = "webhooks",
    params(("source" = String, Path, description = "shopify, woocommerce, generic, kuaidi100 or aftership")), request_body = SecretInput,
    responses((status = 204), (status = 403)), security(("bearer" = [])))]
/// Sets the secret that orders posted to `/hooks/{shop}/{source}` must be signed with (admins).
pub async fn set_secret(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(source): Path<String>,
    Json(input): Json<SecretInput>,
) -> AppResult<StatusCode> {
    AppError::require(actor.role, Capability::SetIntegrationSecrets)?;
    if !SOURCES.contains(&source.as_str()) {
        return Err(AppError::NotFound(
            "platform (use shopify, woocommerce, generic, kuaidi100 or aftership)",
        ));
    }
    let secret = input.secret.trim();
    if !(8..=200).contains(&secret.len()) {
        return Err(AppError::invalid(
            "secret",
            "secret must have 8 to 200 characters",
        ));
    }
    integrations::set_secret(&state.database, &actor.shop.id, &source, secret).await?;
    // The secret itself is never written to the log.
    crate::operations::audit::record(
        &state.database,
        &actor,
        "integration.secret_set",
        &source,
        &serde_json::json!({ "source": source }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundView {
    pub id: String,
    pub source: String,
    pub topic: String,
    /// received, applied, unchanged, stale, ignored or failed
    pub status: String,
    /// What happened, or why it failed.
    pub detail: Option<String>,
    pub received_at: String,
    pub body: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboundQuery {
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

fn view(shop: &crate::db::shops::Shop, record: InboundRecord) -> InboundView {
    InboundView {
        received_at: time(shop, record.received_at),
        id: record.id,
        source: record.source,
        topic: record.topic,
        status: record.status,
        detail: record.detail,
        body: record.body,
    }
}

#[utoipa::path(get, path = "/inbound", operation_id = "listInboundDeliveries", tag = "webhooks", params(InboundQuery),
    responses((status = 200, body = Page<InboundView>)), security(("bearer" = [])))]
/// What the platforms sent, newest first.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<InboundQuery>,
) -> AppResult<axum::Json<Page<InboundView>>> {
    AppError::require(actor.role, Capability::SeeInbound)?;
    let limit = page_limit(query.limit)?;
    let status = query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|status| !status.is_empty());
    let records = crate::db::inbound::list(
        &state.database.reader,
        &actor.shop.id,
        status,
        after(query.cursor.as_deref())?,
        limit,
    )
    .await?;
    Ok(axum::Json(Page::of(
        records,
        limit,
        |record| (record.received_at, record.id.as_str()),
        |record| view(&actor.shop, record),
    )))
}

#[utoipa::path(post, path = "/inbound/{id}/replay", operation_id = "replayInboundDelivery", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = InboundView), (status = 404)), security(("bearer" = [])))]
/// Applies a stored delivery again (e.g. after fixing the shop's reasons or settings).
pub async fn replay(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<InboundView>> {
    let record = integrations::replay(&state.database, &actor, &id).await?;
    Ok(axum::Json(view(&actor.shop, record)))
}
