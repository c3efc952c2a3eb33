//! `/api/v1/policy/evaluate` and `/api/v1/settings`: the policy engine, and the shop's own
//! policy and clock settings it layers on.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use super::views::{Page, after, page_limit};
use crate::db::settings::{self, VersionRecord};
use crate::domain::policy::{self, Decision, PolicyRequest};
use crate::domain::settings::ShopSettings;
use crate::error::{AppError, AppResult};
use crate::operations::settings as settings_operations;
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
    responses((status = 200, body = ShopSettings, description = "saved, as a new kept version"),
        (status = 422, description = "a section is missing (PUT replaces the whole document; PATCH changes parts), a value is wrong, or the policy is narrower than the law"),
        (status = 403, description = "only supervisors and admins change settings")),
    security(("bearer" = [])))]
/// Replaces the shop's settings with a complete document: every section must be present (a
/// missing one is an error, never an erasure). Each save is kept as a version.
pub async fn save_settings(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<Value>,
) -> AppResult<axum::Json<ShopSettings>> {
    Ok(axum::Json(
        settings_operations::replace(&state.database, &actor, body).await?,
    ))
}

#[utoipa::path(patch, path = "/settings", operation_id = "patchSettings", tag = "policy",
    request_body(content = Object, description = "a JSON merge patch (RFC 7396): the sections and fields it names change, `null` returns a field to its default", content_type = "application/merge-patch+json"),
    responses((status = 200, body = ShopSettings, description = "the settings after the change, kept as a new version"),
        (status = 422, description = "the result is not valid settings"),
        (status = 403, description = "only supervisors and admins change settings")),
    security(("bearer" = [])))]
/// Changes parts of the shop's settings; the rest stays as it is.
pub async fn patch_settings(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<Value>,
) -> AppResult<axum::Json<ShopSettings>> {
    Ok(axum::Json(
        settings_operations::patch(&state.database, &actor, body).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsVersionView {
    pub version: i64,
    pub changed_at: String,
    /// The staff member who made it (absent: the shop's setup before its first kept change).
    pub changed_by: Option<String>,
    pub changed_by_name: Option<String>,
    /// saved, patched, restored from version n, as it was
    pub how: String,
    /// The whole settings document of this version (on `GET /settings/versions/{version}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub document: Option<Value>,
}

impl SettingsVersionView {
    fn new(shop: &crate::db::shops::Shop, record: VersionRecord, whole: bool) -> Self {
        SettingsVersionView {
            version: record.version,
            changed_at: super::views::time(shop, record.changed_at),
            changed_by: record.changed_by,
            changed_by_name: record.changed_by_name,
            how: record.how,
            document: whole.then(|| serde_json::from_str(&record.document).unwrap_or_default()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

#[utoipa::path(get, path = "/settings/versions", operation_id = "listSettingsVersions", tag = "policy", params(VersionQuery),
    responses((status = 200, body = Page<SettingsVersionView>, description = "kept versions, newest first")),
    security(("bearer" = [])))]
/// Every kept version of the settings, newest first (supervisors and admins).
pub async fn settings_versions(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<VersionQuery>,
) -> AppResult<axum::Json<Page<SettingsVersionView>>> {
    let limit = page_limit(query.limit)?;
    let before = after(query.cursor.as_deref())?.map(|(version, _)| version);
    let records = settings_operations::versions(&state.database, &actor, before, limit).await?;
    Ok(axum::Json(Page::of(
        records,
        limit,
        |record| (record.version, ""),
        |record| SettingsVersionView::new(&actor.shop, record, false),
    )))
}

#[utoipa::path(get, path = "/settings/versions/{version}", operation_id = "getSettingsVersion", tag = "policy",
    params(("version" = i64, Path, minimum = 1)),
    responses((status = 200, body = SettingsVersionView), (status = 404)), security(("bearer" = [])))]
/// One kept version, with its whole document.
pub async fn settings_version(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(version): Path<i64>,
) -> AppResult<axum::Json<SettingsVersionView>> {
    let record = settings_operations::version(&state.database, &actor, version).await?;
    Ok(axum::Json(SettingsVersionView::new(
        &actor.shop,
        record,
        true,
    )))
}

#[utoipa::path(post, path = "/settings/versions/{version}/restore", operation_id = "restoreSettingsVersion", tag = "policy",
    params(("version" = i64, Path, minimum = 1)),
    responses((status = 200, body = ShopSettings, description = "the restored settings, kept as a new version"), (status = 404)),
    security(("bearer" = [])))]
/// Makes a kept version the shop's settings again.
pub async fn restore_settings(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(version): Path<i64>,
) -> AppResult<axum::Json<ShopSettings>> {
    Ok(axum::Json(
        settings_operations::restore(&state.database, &actor, version).await?,
    ))
}
