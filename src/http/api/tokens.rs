//! `/api/v1/tokens`: the shop's API tokens, listed, made and revoked.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{Authenticated, Json, Path, Query};
use super::views::{ListQuery, Page, page_limit, time};
use crate::db::shops::Shop;
use crate::db::tokens::TokenRecord;
use crate::error::AppResult;
use crate::operations::tokens::{self, TokenRequest};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub role: String,
    /// The person it acts for; absent for the shop's own tokens.
    pub staff_email: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// The token itself: shown once, when it is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

fn view(shop: &Shop, record: TokenRecord, token: Option<String>) -> TokenView {
    TokenView {
        id: record.id,
        name: record.name,
        role: record.role,
        staff_email: record.staff_email,
        created_at: time(shop, record.created_at),
        expires_at: record.expires_at.map(|at| time(shop, at)),
        last_used_at: record.last_used_at.map(|at| time(shop, at)),
        revoked_at: record.revoked_at.map(|at| time(shop, at)),
        token,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// What the token is for ("ERP sync").
    pub name: String,
    /// agent, inspector, supervisor or admin; your own role when absent (never more than it).
    pub role: Option<String>,
    /// Days until it stops working (1–3650); never when absent.
    pub expires_in_days: Option<i64>,
    /// The shop's own token, which no person owns and a person leaving does not end (admins).
    #[serde(default)]
    pub for_shop: bool,
}

#[utoipa::path(get, path = "/tokens", tag = "tokens", params(ListQuery), operation_id = "listTokens",
    responses((status = 200, body = Page<TokenView>, description = "every token of the shop for an admin, your own otherwise")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(page): Query<ListQuery>,
) -> AppResult<axum::Json<Page<TokenView>>> {
    let records = tokens::list(&state.database, &actor).await?;
    Ok(axum::Json(Page::slice(
        records,
        page_limit(page.limit)?,
        page.cursor.as_deref(),
        |record| record.id.as_str(),
        |record| view(&actor.shop, record, None),
    )?))
}

#[utoipa::path(post, path = "/tokens", tag = "tokens", operation_id = "createToken", request_body = TokenInput,
    responses((status = 201, body = TokenView, description = "made; `token` is shown this once"),
        (status = 422, description = "a name is missing, or the role is more than yours")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<TokenInput>,
) -> AppResult<(StatusCode, axum::Json<TokenView>)> {
    let issued = tokens::issue(
        &state.database,
        &actor,
        &TokenRequest {
            name: input.name,
            role: input.role,
            expires_in_days: input.expires_in_days,
            for_shop: input.for_shop,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(view(&actor.shop, issued.record, Some(issued.secret))),
    ))
}

#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens", operation_id = "revokeToken",
    params(("id" = String, Path)),
    responses((status = 200, body = TokenView, description = "revoked: it stops working at once"), (status = 404)),
    security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<TokenView>> {
    let record = tokens::revoke(&state.database, &actor, &id).await?;
    Ok(axum::Json(view(&actor.shop, record, None)))
}
