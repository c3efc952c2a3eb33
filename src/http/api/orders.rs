//! `/api/v1/orders…`, `/api/v1/customers…` and `/api/v1/reasons` handlers.

use crate::domain::identifiers::ShopId;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cases::{CaseListQuery, case_filter, case_page};
use super::extract::{Authenticated, Json, Path, Query};
use super::views::{
    CaseView, CustomerView, ListQuery, OrderLineView, OrderView, Page, ReasonView, ShipmentView,
    after, page_limit,
};
use crate::db::customers::{self};
use crate::db::orders::{self, Outcome};
use crate::db::shops::{self};
use crate::domain::layouts::SavedLayout;
use crate::error::{AppError, AppResult};
use crate::http::Export;
use crate::operations::import::{self, ImportReport};
use crate::operations::lists;
use crate::operations::orders::{self as order_operations, CustomerInput, OrderInput};
use crate::state::AppState;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Serialize, ToSchema)]
pub struct StoredOrder {
    pub outcome: Outcome,
    pub order: OrderView,
}

async fn order_view(
    state: &AppState,
    shop: &shops::Shop,
    order: orders::OrderRecord,
) -> AppResult<OrderView> {
    let reader = &state.database.reader;
    let (lines, shipments, platform_refunds) = tokio::try_join!(
        orders::lines(reader, &order.id),
        crate::db::shipments::for_order(reader, &order.id),
        crate::db::platform_refunds::of_order(reader, &order.id),
    )?;
    let mut view = OrderView::new(shop, order);
    view.platform_refunds = Some(
        platform_refunds
            .into_iter()
            .map(|refund| super::views::PlatformRefundView::new(shop, refund))
            .collect(),
    );
    view.lines = Some(lines.into_iter().map(OrderLineView::from).collect());
    view.shipments = Some(
        shipments
            .into_iter()
            .map(|shipment| ShipmentView::new(shop, shipment))
            .collect(),
    );
    Ok(view)
}

#[utoipa::path(post, path = "/orders", operation_id = "createOrder", tag = "orders", request_body = OrderInput,
    responses((status = 201, body = StoredOrder, description = "created"), (status = 200, body = StoredOrder, description = "updated or unchanged")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<OrderInput>,
) -> AppResult<(StatusCode, axum::Json<StoredOrder>)> {
    let order = order_operations::check(&actor, &input, state.clock.now())?;
    let (id, outcome) = order_operations::store(&state.database, &actor, &order).await?;
    let record = orders::get(&state.database.reader, &actor.shop.id, &id)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    let status = if outcome == Outcome::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        axum::Json(StoredOrder {
            outcome,
            order: order_view(&state, &actor.shop, record).await?,
        }),
    ))
}

#[utoipa::path(post, path = "/orders/import", operation_id = "importOrders", tag = "orders",
    request_body(description = "a CSV (UTF-8, UTF-16 or GBK) or XLSX file: the import's own layout, one row per order line, or a platform's export as it comes (docs/PLATFORMS.md); as application/octet-stream the file's own bytes say which; as multipart/form-data one or two files (Taobao's order report and item report together)",
        content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "application/octet-stream"), (Vec<u8> = "multipart/form-data"))),
    responses((status = 200, body = ImportReport)), security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    request: axum::extract::Request,
) -> AppResult<axum::Json<ImportReport>> {
    let (fields, files) = super::extract::uploaded(
        &state,
        request,
        2,
        "send one file (or Taobao's order report and item report together)",
    )
    .await?;
    // A mapping for a layout no platform's matches: `map` (a JSON object, header → column),
    // `platform`, and `save_as` to keep it in the shop's settings.
    let mapping = match fields.get("map").map(|text| text.trim()).filter(|text| !text.is_empty()) {
        Some(text) => Some(SavedLayout {
            name: fields
                .get("save_as")
                .map(|name| name.trim().to_string())
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| "mapping".into()),
            platform: fields
                .get("platform")
                .map(|platform| platform.trim().to_string())
                .filter(|platform| !platform.is_empty()),
            columns: serde_json::from_str(text).map_err(|error| {
                AppError::invalid(
                    "map",
                    format!("map is a JSON object of header → column, e.g. {{\"付款时间\": \"paid_at\"}}: {error}"),
                )
            })?,
        }),
        None => None,
    };
    let uploads: Vec<import::Upload> = files
        .into_iter()
        .map(|(name, bytes)| import::Upload { name, bytes })
        .collect();
    let save = fields.contains_key("save_as");
    Ok(axum::Json(
        import::run(&state.database, &actor, &uploads, mapping, save).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// A substring of the order number, buyer name or phone (orders); name, phone or e-mail (customers).
    pub q: Option<String>,
    pub customer_id: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// json (default), csv (UTF-8 with a BOM) or xlsx: a file of everything that matches
    /// (page and cursor aside), sent as it is read.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

fn search(query: &SearchQuery) -> AppResult<Option<String>> {
    match query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) if q.chars().count() > 100 => {
            Err(AppError::invalid("q", "q is longer than 100 characters"))
        }
        other => Ok(other.map(str::to_lowercase)),
    }
}

#[utoipa::path(get, path = "/orders", operation_id = "listOrders", tag = "orders", params(SearchQuery),
    responses((status = 200, content((Page<OrderView> = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "a page of orders, newest first; as a file, every order that matches")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    let export = Export::parse(query.format.as_deref())?;
    let q = search(&query)?;
    if export != Export::Json {
        let table = lists::orders(&state.database, &actor, q, query.customer_id.clone());
        return crate::http::table_file(export, table).await;
    }
    let limit = page_limit(query.limit)?;
    let after = after(query.cursor.as_deref())?;
    let records = orders::list(
        &state.database.reader,
        state.database.backend,
        &actor.shop.id,
        q.as_deref(),
        query.customer_id.as_deref(),
        after,
        limit,
    )
    .await?;
    Ok(axum::Json(Page::of(
        records,
        limit,
        |order| (order.placed_at, order.id.as_str()),
        |order| OrderView::new(&actor.shop, order),
    ))
    .into_response())
}

#[utoipa::path(get, path = "/orders/{id}", operation_id = "getOrder", tag = "orders", params(("id" = String, Path, description = "the order's id or its order number")),
    responses((status = 200, body = OrderView), (status = 404)), security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<OrderView>> {
    let order = find_order(&state, &actor.shop.id, &id).await?;
    Ok(axum::Json(order_view(&state, &actor.shop, order).await?))
}

async fn find_order(
    state: &AppState,
    shop_id: &ShopId,
    id: &str,
) -> AppResult<orders::OrderRecord> {
    crate::operations::orders::find(&state.database, shop_id, id).await
}

#[utoipa::path(get, path = "/orders/{id}/cases", operation_id = "listOrderCases", tag = "orders", params(("id" = String, Path), CaseListQuery),
    responses((status = 200, body = Page<CaseView>)), security(("bearer" = [])))]
pub async fn cases_of_order(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Query(query): Query<CaseListQuery>,
) -> AppResult<axum::Json<Page<CaseView>>> {
    let order = find_order(&state, &actor.shop.id, &id).await?;
    let mut filter = case_filter(&actor, &query, state.clock.now())?;
    filter.order_id = Some(order.id);
    if query.sort.is_none() {
        filter.sort = crate::db::case_list::CaseSort::CreatedAtDescending;
    }
    Ok(axum::Json(case_page(&state, &actor, &filter).await?))
}

#[utoipa::path(get, path = "/customers", operation_id = "listCustomers", tag = "customers", params(SearchQuery),
    responses((status = 200, content((Page<CustomerView> = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "a page of customers, newest first; as a file, every customer that matches")),
    security(("bearer" = [])))]
pub async fn list_customers(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    let export = Export::parse(query.format.as_deref())?;
    let q = search(&query)?;
    if export != Export::Json {
        let table = lists::customers(&state.database, &actor, q);
        return crate::http::table_file(export, table).await;
    }
    let limit = page_limit(query.limit)?;
    let after = after(query.cursor.as_deref())?;
    let records = customers::list(
        &state.database.reader,
        state.database.backend,
        &actor.shop.id,
        q.as_deref(),
        after,
        limit,
    )
    .await?;
    Ok(axum::Json(Page::of(
        records,
        limit,
        |customer| (customer.created_at, customer.id.as_str()),
        CustomerView::from,
    ))
    .into_response())
}

#[utoipa::path(get, path = "/customers/{id}", operation_id = "getCustomer", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = CustomerView), (status = 404)), security(("bearer" = [])))]
pub async fn show_customer(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<CustomerView>> {
    Ok(axum::Json(
        customers::get(&state.database.reader, &actor.shop.id, &id)
            .await?
            .ok_or(AppError::NotFound("customer"))?
            .into(),
    ))
}

#[utoipa::path(get, path = "/reasons", params(ListQuery), operation_id = "listReasons", tag = "cases",
    responses((status = 200, body = Page<ReasonView>)), security(("bearer" = [])))]
pub async fn reasons(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(page): Query<ListQuery>,
) -> AppResult<axum::Json<Page<ReasonView>>> {
    let records = shops::list_reasons(&state.database.reader, &actor.shop.id).await?;
    Ok(axum::Json(Page::slice(
        records,
        page_limit(page.limit)?,
        page.cursor.as_deref(),
        |record| record.code.as_str(),
        ReasonView::from,
    )?))
}

#[utoipa::path(post, path = "/customers", operation_id = "createCustomer", tag = "customers", request_body = CustomerInput,
    responses((status = 201, body = CustomerView, description = "added"),
        (status = 200, body = CustomerView, description = "a customer with this phone or e-mail exists")),
    security(("bearer" = [])))]
pub async fn create_customer(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<CustomerInput>,
) -> AppResult<(StatusCode, axum::Json<CustomerView>)> {
    let (id, created) = order_operations::store_customer(&state.database, &actor, &input).await?;
    let customer = customers::get(&state.database.reader, &actor.shop.id, &id)
        .await?
        .ok_or(AppError::NotFound("customer"))?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        axum::Json(customer.into()),
    ))
}

#[utoipa::path(get, path = "/orders/import/template.csv", operation_id = "getOrderImportTemplate", tag = "orders",
    responses((status = 200, content_type = "text/csv", body = String, description = "the import template: headers and an example line")),
    security(("bearer" = [])))]
/// The CSV template for `POST /orders/import` (and `aftersale import orders`).
pub async fn import_template(Authenticated(_actor): Authenticated) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"orders-template.csv\"",
            ),
        ],
        crate::operations::import::template_csv(),
    )
        .into_response()
}
