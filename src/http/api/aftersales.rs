//! The platforms' after-sales records, mirrored: a connector posts each message it gets
//! (Taobao TMC `taobao_refund_*`, Pinduoduo's increment list) and reads the record back.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::{Authenticated, Json, Path};
use crate::db::aftersales::{self, AftersaleRecord};
use crate::db::shops::Shop;
use crate::domain::aftersales::Stage;
use crate::domain::time::format_in_zone;
use crate::error::{AppError, AppResult};
use crate::operations::aftersales::{self as operations, AftersaleMessage, RefundImportReport};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AftersaleView {
    pub id: String,
    pub platform: String,
    pub refund_id: String,
    pub order_id: String,
    /// The order's open case it is linked to, if there was one.
    pub case_id: Option<String>,
    /// awaiting_shop, refused_by_shop, awaiting_return, awaiting_buyer, awaiting_receipt,
    /// platform_deciding, refunding, refunded, completed, closed.
    pub stage: String,
    /// The platform's own status, as it last said it.
    pub platform_status: String,
    pub version: i64,
    pub phase: Option<String>,
    pub amount_minor: Option<i64>,
    /// The platform's deadline for the shop's next step.
    pub deadline_at: Option<String>,
    /// What the shop must now do on the platform, if anything.
    pub todo: Option<AftersaleTodoView>,
    pub created_at: String,
    pub updated_at: String,
    /// What the last message did: applied, older or duplicate (on the answer to a post).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Every message received, in the order it came (on `GET`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<AftersaleMessageView>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AftersaleTodoView {
    /// answer_request, confirm_return, watch_buyer or submit_evidence.
    pub code: String,
    pub text_zh: String,
    pub text_en: String,
    /// By when, when the platform set a deadline.
    pub due_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AftersaleMessageView {
    pub received_at: String,
    pub platform_status: String,
    pub version: i64,
    /// applied, older or duplicate.
    pub outcome: String,
}

impl AftersaleView {
    fn new(shop: &Shop, record: AftersaleRecord) -> AftersaleView {
        let zone = &shop.time_zone;
        let todo = Stage::parse(&record.stage)
            .and_then(Stage::todo)
            .map(|(code, zh, en)| AftersaleTodoView {
                code: code.into(),
                text_zh: zh.into(),
                text_en: en.into(),
                due_at: record.deadline_at.map(|at| format_in_zone(at, zone)),
            });
        AftersaleView {
            todo,
            id: record.id,
            platform: record.platform,
            refund_id: record.external_id,
            order_id: record.order_id,
            case_id: record.case_id,
            stage: record.stage,
            platform_status: record.platform_status,
            version: record.version,
            phase: record.phase,
            amount_minor: record.amount_minor,
            deadline_at: record.deadline_at.map(|at| format_in_zone(at, zone)),
            created_at: format_in_zone(record.created_at, zone),
            updated_at: format_in_zone(record.updated_at, zone),
            outcome: None,
            messages: None,
        }
    }
}

#[utoipa::path(post, path = "/aftersales", operation_id = "receiveAftersaleMessage", tag = "orders",
    request_body = AftersaleMessage,
    responses((status = 200, body = AftersaleView, description = "the record as it stands after the message"),
        (status = 422, description = "an unknown platform or status, an order not in the shop")),
    security(("bearer" = [])))]
/// One message about a platform's after-sales record (a Taobao/Tmall refund, a Pinduoduo
/// after-sales order): the record is kept with its newest state whatever order messages come in
/// (a late or repeated one changes nothing), linked to the order's open case.
pub async fn receive(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(message): Json<AftersaleMessage>,
) -> AppResult<(StatusCode, axum::Json<AftersaleView>)> {
    let received = operations::receive(&state.database, &actor, &message).await?;
    let mut view = AftersaleView::new(&actor.shop, received.record);
    view.outcome = Some(received.outcome.into());
    Ok((StatusCode::OK, axum::Json(view)))
}

#[utoipa::path(get, path = "/aftersales/{id}", operation_id = "getAftersale", tag = "orders",
    params(("id" = String, Path)), responses((status = 200, body = AftersaleView)),
    security(("bearer" = [])))]
/// A platform's after-sales record with every message received about it.
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<AftersaleView>> {
    let record = aftersales::get(&state.database.reader, &actor.shop.id, &id)
        .await?
        .ok_or(AppError::NotFound("after-sales record"))?;
    let messages = aftersales::messages(&state.database.reader, &record.id).await?;
    let mut view = AftersaleView::new(&actor.shop, record);
    view.messages = Some(
        messages
            .into_iter()
            .map(|message| AftersaleMessageView {
                received_at: format_in_zone(message.received_at, &actor.shop.time_zone),
                platform_status: message.platform_status,
                version: message.version,
                outcome: message.outcome,
            })
            .collect(),
    );
    Ok(axum::Json(view))
}

#[utoipa::path(post, path = "/aftersales/import", operation_id = "importAftersales", tag = "orders",
    request_body(description = "Taobao/Tmall's refund export (退款管理 → 导出) as it comes: CSV, GBK or UTF-8",
        content((String = "text/csv"), (Vec<u8> = "application/octet-stream"))),
    responses((status = 200, body = RefundImportReport)), security(("bearer" = [])))]
/// A platform's refund export, each row kept as a message about its refund (the newest state
/// wins, as with messages posted one by one); each bad row reported.
pub async fn import(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<axum::Json<RefundImportReport>> {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !(content_type.starts_with("text/csv")
        || content_type.starts_with("application/octet-stream"))
    {
        return Err(AppError::UnsupportedMediaType(
            "send the refund export as text/csv or application/octet-stream".into(),
        ));
    }
    Ok(axum::Json(
        operations::import_refunds(&state.database, &actor, &body).await?,
    ))
}
