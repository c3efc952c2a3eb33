//! Follow-up visits: the open ones (soonest due first) or the done ones, and an outcome
//! recorded; customer tiers set one by one or from a file.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use super::views::{Page, after, page_limit};
use crate::error::{AppError, AppResult};
use crate::http::Export;
use crate::operations::tiers::{self, TierReport};
use crate::operations::visits::{self as operations, VisitOutcomeInput, VisitView};
use crate::state::AppState;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitQuery {
    /// open (default: soonest due first) or done (newest first).
    #[param(pattern = "^(open|done)$")]
    pub state: Option<String>,
    /// Only the caller's visits and those nobody has.
    pub mine: Option<bool>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// json (default), csv (UTF-8 with a BOM) or xlsx: every visit of the list, as a file.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/visits", operation_id = "listVisits", tag = "reports", params(VisitQuery),
    responses((status = 200, content((Page<VisitView> = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "the visits, with their scripts; as a file, every one"),
        (status = 403), (status = 422)),
    security(("bearer" = [])))]
/// The follow-up visits (回访) the shop's rules made: to call, or called.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<VisitQuery>,
) -> AppResult<Response> {
    let export = Export::parse(query.format.as_deref())?;
    let open = match query.state.as_deref().unwrap_or("open") {
        "open" => true,
        "done" => false,
        other => {
            return Err(AppError::invalid(
                "state",
                format!("unknown state '{other}'; use open or done"),
            ));
        }
    };
    if export != Export::Json {
        let table = operations::export(&state.database, &actor, open, query.mine.unwrap_or(false))?;
        return crate::http::table_file(export, table).await;
    }
    let limit = page_limit(query.limit)?;
    let found = operations::list(
        &state.database,
        &actor,
        open,
        query.mine.unwrap_or(false),
        after(query.cursor.as_deref())?,
        limit,
    )
    .await?;
    let shop = actor.shop.clone();
    Ok(axum::Json(Page::of(
        found,
        limit,
        |visit| {
            (
                if open {
                    visit.due_at
                } else {
                    visit.done_at.unwrap_or(0)
                },
                visit.id.as_str(),
            )
        },
        |visit| operations::view(&shop, &visit),
    ))
    .into_response())
}

#[utoipa::path(post, path = "/visits/{id}/outcome", operation_id = "recordVisit", tag = "reports",
    params(("id" = String, Path)), request_body = VisitOutcomeInput,
    responses((status = 200, body = VisitView, description = "recorded; an issue found opened a case"),
        (status = 404), (status = 409, description = "recorded meanwhile"), (status = 422)),
    security(("bearer" = [])))]
/// Records a visit's outcome: reached, not reached (tried again tomorrow until the shop's
/// attempts are used), or an issue found (a case opens on the order).
pub async fn outcome(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<VisitOutcomeInput>,
) -> AppResult<axum::Json<VisitView>> {
    let visit = operations::record(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(operations::view(&actor.shop, &visit)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    /// normal, vip, svip or the shop's own word (letters, digits, _).
    pub tier: String,
}

#[utoipa::path(put, path = "/customers/{id}/tier", operation_id = "setCustomerTier", tag = "customers",
    params(("id" = String, Path)), request_body = TierInput,
    responses((status = 204, description = "set"), (status = 404), (status = 422)),
    security(("bearer" = [])))]
/// Sets a customer's tier (VIP care: the policy's extra days, SLA targets, visits).
pub async fn set_tier(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<TierInput>,
) -> AppResult<StatusCode> {
    tiers::set(&state.database, &actor, &id, &input.tier).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/customers/tiers", operation_id = "importCustomerTiers", tag = "customers",
    request_body(description = "a CSV (UTF-8 or GBK) or XLSX file: phone (手机号) or email (邮箱), and tier (会员等级)",
        content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/octet-stream"), ("multipart/form-data"))),
    responses((status = 200, body = TierReport, description = "how many customers were updated, not found, each refused row"),
        (status = 403), (status = 422)),
    security(("bearer" = [])))]
/// Sets many customers' tiers from a file (a member list exported from the platform or a CRM).
pub async fn import_tiers(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    request: axum::extract::Request,
) -> AppResult<axum::Json<TierReport>> {
    let (_, mut files) =
        super::extract::uploaded(&state, request, 1, "send one member file").await?;
    let bytes = files.remove(0).1;
    Ok(axum::Json(
        tiers::import(&state.database, &actor, &bytes).await?,
    ))
}
