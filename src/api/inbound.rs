//! `/api/v1/integrations/{source}` (the secret a platform signs with) and `/api/v1/inbound`
//! (what the platforms sent: the log, and replay).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::extract::{Authenticated, Json, Path, Query};
use super::views::time;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::integrations::{self, SOURCES};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretInput {
    /// The platform's webhook signing secret (Shopify: the app's API secret; WooCommerce: the
    /// webhook's secret), 8–200 characters.
    pub secret: String,
}

#[utoipa::path(put, path = "/api/v1/integrations/{source}", tag = "webhooks",
    params(("source" = String, Path, description = "shopify, woocommerce, generic, kuaidi100 or aftership")), request_body = SecretInput,
    responses((status = 204), (status = 403)), security(("bearer" = [])))]
/// Sets the secret that orders posted to `/hooks/{shop}/{source}` must be signed with (admins).
pub async fn set_secret(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(source): Path<String>,
    Json(input): Json<SecretInput>,
) -> AppResult<StatusCode> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden(
            "only admins set integration secrets".into(),
        ));
    }
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
}

fn managers(role: Role) -> AppResult<()> {
    if matches!(role, Role::Supervisor | Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only supervisors and admins see inbound deliveries".into(),
        ))
    }
}

const SELECT: &str =
    "SELECT id, source, topic, status, detail, received_at, body FROM inbound_deliveries";

fn view(
    shop: &crate::db::shops::Shop,
    row: &sqlx::any::AnyRow,
) -> Result<InboundView, sqlx::Error> {
    Ok(InboundView {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        topic: row.try_get("topic")?,
        status: row.try_get("status")?,
        detail: row.try_get("detail")?,
        received_at: time(shop, row.try_get("received_at")?),
        body: row.try_get("body")?,
    })
}

#[utoipa::path(get, path = "/api/v1/inbound", tag = "webhooks", params(InboundQuery),
    responses((status = 200, body = Vec<InboundView>)), security(("bearer" = [])))]
/// What the platforms sent, newest first.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<InboundQuery>,
) -> AppResult<axum::Json<Vec<InboundView>>> {
    managers(actor.role)?;
    let limit = super::views::page_limit(query.limit)?;
    let status = query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|status| !status.is_empty());
    let rows = match status {
        Some(status) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE shop_id = $1 AND status = $2 ORDER BY received_at DESC, id DESC LIMIT $3"
            )))
            .bind(&actor.shop.id)
            .bind(status)
            .bind(limit)
            .fetch_all(&state.database.reader)
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE shop_id = $1 ORDER BY received_at DESC, id DESC LIMIT $2"
            )))
            .bind(&actor.shop.id)
            .bind(limit)
            .fetch_all(&state.database.reader)
            .await?
        }
    };
    Ok(axum::Json(
        rows.iter()
            .map(|row| view(&actor.shop, row))
            .collect::<Result<_, _>>()?,
    ))
}

#[utoipa::path(post, path = "/api/v1/inbound/{id}/replay", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = InboundView), (status = 404)), security(("bearer" = [])))]
/// Applies a stored delivery again (e.g. after fixing the shop's reasons or settings).
pub async fn replay(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<InboundView>> {
    managers(actor.role)?;
    let find = || {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE shop_id = $1 AND id = $2"
        )))
        .bind(&actor.shop.id)
        .bind(&id)
    };
    let row = find()
        .fetch_optional(&state.database.writer)
        .await?
        .ok_or(AppError::NotFound("inbound delivery"))?;
    let stored = view(&actor.shop, &row)?;
    integrations::process(
        &state.database,
        &actor.shop,
        &id,
        &stored.source,
        &stored.topic,
        &stored.body,
    )
    .await?;
    let row = find().fetch_one(&state.database.writer).await?;
    Ok(axum::Json(view(&actor.shop, &row)?))
}
