//! `/api/v1/policy/evaluate` and `/api/v1/settings`: the policy engine, and the shop's own
//! policy and clock settings it layers on.

use axum::extract::State;
use serde_json::Value;

use super::extract::{Authenticated, Json};
use crate::db::settings;
use crate::domain::policy::{self, Decision, PolicyRequest};
use crate::domain::settings::ShopSettings;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[utoipa::path(post, path = "/policy/evaluate", operation_id = "evaluatePolicy", tag = "policy", request_body = PolicyRequest,
    responses((status = 200, body = Decision, description = "the decision, with the rule ids behind each part"),
        (status = 422, description = "a field is not acceptable; the message names it")),
    security(("bearer" = [])))]
/// Decides one request. Without `jurisdiction` or `shop_policy`, the shop's settings fill them in.
pub async fn evaluate(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(mut body): Json<Value>,
) -> AppResult<axum::Json<Decision>> {
    let Some(object) = body.as_object_mut() else {
        return Err(AppError::invalid(
            "body",
            "send one request as a JSON object (docs/POLICY.md)",
        ));
    };
    let shop_settings = settings::get(&state.database, &actor.shop.id).await?;
    if !object.contains_key("jurisdiction") {
        object.insert(
            "jurisdiction".into(),
            serde_json::to_value(shop_settings.jurisdiction).unwrap_or_default(),
        );
    }
    if let Some(zone) = actor
        .shop
        .time_zone
        .iana_name()
        .filter(|_| !object.contains_key("time_zone"))
    {
        object.insert("time_zone".into(), Value::String(zone.to_string()));
    }
    if !object.contains_key("shop_policy") {
        object.insert(
            "shop_policy".into(),
            serde_json::to_value(&shop_settings.policy).unwrap_or_default(),
        );
    }
    let request = policy::read_request(body).map_err(|error| invalid(&error.0))?;
    let now =
        jiff::Timestamp::from_microsecond(state.clock.now()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let decision = policy::evaluate(&request, now).map_err(|error| invalid(&error.0))?;
    Ok(axum::Json(decision))
}

/// A 422 naming the field the engine's message starts with (`items[0].quantity: …`).
fn invalid(message: &str) -> AppError {
    let field = message
        .split_once(':')
        .map(|(field, _)| field)
        .filter(|field| !field.contains(' '))
        .unwrap_or("body");
    AppError::invalid(field, message.to_string())
}

#[utoipa::path(get, path = "/settings", operation_id = "getSettings", tag = "policy",
    responses((status = 200, body = ShopSettings)), security(("bearer" = [])))]
pub async fn show_settings(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> AppResult<axum::Json<ShopSettings>> {
    Ok(axum::Json(
        settings::load(&state.database.reader, &actor.shop.id).await?,
    ))
}

#[utoipa::path(put, path = "/settings", operation_id = "saveSettings", tag = "policy", request_body = ShopSettings,
    responses((status = 200, body = ShopSettings, description = "saved; the findings of an unlawful policy are refused with 422"),
        (status = 403, description = "only supervisors and admins change settings")),
    security(("bearer" = [])))]
/// Replaces the shop's settings. A policy narrower than the law is refused, with the reasons.
pub async fn save_settings(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<Value>,
) -> AppResult<axum::Json<ShopSettings>> {
    let new: ShopSettings = serde_path_to_error::deserialize(body).map_err(|error| {
        AppError::invalid(
            &error.path().to_string(),
            format!("{}: {}", error.path(), error.inner()),
        )
    })?;
    Ok(axum::Json(
        crate::operations::settings::save(&state.database, &actor, new).await?,
    ))
}
