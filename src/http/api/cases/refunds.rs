//! `/api/v1/cases/{id}/refunds` and the return label.

use super::*;

#[utoipa::path(post, path = "/cases/{id}/refunds", operation_id = "refundCase", tag = "refunds", params(("id" = String, Path),
        ("Idempotency-Key" = String, Header, description = "required: the refund runs once per key")),
    request_body = RefundInput,
    responses((status = 201, body = RefundView, description = "executed"), (status = 200, body = RefundView, description = "already executed under this key"),
        (status = 422, description = "more than remains refundable")),
    security(("bearer" = [])))]
pub async fn refund(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    key: Option<axum::Extension<idempotency::RequestKey>>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, axum::Json<RefundView>)> {
    let input: RefundInput = if body.iter().all(u8::is_ascii_whitespace) {
        RefundInput::default()
    } else {
        let Json(value) = parse_json::<RefundInput>(&body)?;
        value
    };
    // The key in the API's own namespace (per token), never one of the app's internal keys.
    let key = key.map(|axum::Extension(key)| key.0).unwrap_or_default();
    match refund_operations::execute(&state.database, &actor, &id, &key, &input).await? {
        RefundOutcome::Executed(refund) => Ok((
            StatusCode::CREATED,
            axum::Json(RefundView::new(&actor.shop, refund)),
        )),
        RefundOutcome::Replayed(refund) => Ok((
            StatusCode::OK,
            axum::Json(RefundView::new(&actor.shop, refund)),
        )),
    }
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> AppResult<Json<T>> {
    let value: Value = serde_json::from_slice(body).map_err(|error| AppError::BadRequest {
        code: "malformed_json",
        message: format!("the body is not valid JSON: {error}"),
    })?;
    serde_json::from_value(value)
        .map(Json)
        .map_err(|error| AppError::BadRequest {
            code: "invalid_json_data",
            message: format!("the JSON does not fit: {error}"),
        })
}

#[utoipa::path(get, path = "/cases/{id}/refunds", operation_id = "listCaseRefunds", tag = "refunds", params(("id" = String, Path), ListQuery),
    responses((status = 200, body = Page<RefundView>)), security(("bearer" = [])))]
pub async fn refunds(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(page): Query<ListQuery>,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Page<RefundView>>> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let records = refund_records::of_case(&state.database.reader, &case.id).await?;
    Ok(axum::Json(Page::slice(
        records,
        page_limit(page.limit)?,
        page.cursor.as_deref(),
        |record| record.id.as_str(),
        |refund| RefundView::new(&actor.shop, refund),
    )?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LabelQuery {
    /// `a4` (default) or `thermal` (100 × 150 mm).
    #[param(pattern = "^(a4|thermal)?$")]
    pub size: Option<String>,
}

#[utoipa::path(get, path = "/cases/{id}/label.pdf", operation_id = "getCaseLabel", tag = "cases",
    params(("id" = String, Path), LabelQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>, description = "the return label"),
        (status = 409, description = "nothing goes back to the shop in this kind of case"),
        (status = 503, description = "no Chinese font installed on the server")),
    security(("bearer" = [])))]
/// The printable return label: case number as Code128, a QR code to the status page, the order,
/// items, customer, the shop's return address and packing instructions.
pub async fn label(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Query(query): Query<LabelQuery>,
) -> AppResult<axum::response::Response> {
    let size = match query
        .size
        .as_deref()
        .map(str::trim)
        .filter(|size| !size.is_empty())
    {
        None => label_document::Size::A4,
        Some(text) => label_document::Size::parse(text).ok_or_else(|| {
            AppError::invalid("size", format!("unknown size '{text}'; use a4 or thermal"))
        })?,
    };
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    crate::http::label_pdf(&state, &actor.shop, &case, size).await
}

#[utoipa::path(post, path = "/refunds/{id}/settle", operation_id = "settleRefund", tag = "refunds", params(("id" = String, Path)),
    request_body = SettleInput,
    responses((status = 200, body = RefundView, description = "the refund as it now is"),
        (status = 409, description = "a paid refund never changes")),
    security(("bearer" = [])))]
/// Marks a refund paid (with the payment's reference) or failed (with the reason): how a shop
/// on the `manual` provider confirms what it paid, and how a failed refund is paid by hand.
pub async fn settle(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<SettleInput>,
) -> AppResult<axum::Json<RefundView>> {
    let refund = match refund_payments::settle(&state.database, &actor, &id, &input).await? {
        Settled::Changed(refund) | Settled::AlreadySo(refund) => refund,
    };
    Ok(axum::Json(RefundView::new(&actor.shop, refund)))
}

#[utoipa::path(post, path = "/refunds/{id}/retry", operation_id = "retryRefund", tag = "refunds", params(("id" = String, Path)),
    responses((status = 200, body = RefundView, description = "sent to the payment service again"),
        (status = 409, description = "only a failed refund of the http provider is sent again")),
    security(("bearer" = [])))]
pub async fn retry(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<RefundView>> {
    let refund = refund_payments::retry(&state.database, &actor, &id).await?;
    Ok(axum::Json(RefundView::new(&actor.shop, refund)))
}
