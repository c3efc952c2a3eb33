//! Invoices and credit notes: an order's invoice, an exchange's or repair's invoice change,
//! refunds' credit notes (read, stepped after the tax system, as PDF) and the accountant's
//! list of a period (JSON, CSV or XLSX).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use crate::db::invoices::{CreditNoteRecord, InvoiceChangeRecord, InvoiceRecord};
use crate::db::shops::Shop;
use crate::domain::invoices::{CONFIRMATION_HOURS, CreditLine, CreditState, InvoiceLine};
use crate::domain::time::format_in_zone;
use crate::error::AppResult;
use crate::http::Export;
use crate::operations::credit_documents;
use crate::operations::invoices::{
    self as operations, CreditStepInput, InvoiceChangeInput, InvoiceInput, lapsed,
};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceView {
    pub id: String,
    pub number: String,
    pub issued_on: String,
    pub kind: String,
    pub buyer_title: String,
    pub buyer_tax_id: Option<String>,
    /// The buyer confirmed it for use or booked it: a reversal needs its confirmation.
    pub buyer_booked: bool,
    pub currency: String,
    pub lines: Vec<InvoiceLine>,
    pub total_minor: i64,
    /// current, or replaced (by a re-issue).
    pub state: String,
    /// The invoice this one re-issues.
    pub replaces: Option<String>,
    pub created_at: String,
}

impl InvoiceView {
    fn new(shop: &Shop, record: InvoiceRecord) -> InvoiceView {
        InvoiceView {
            id: record.id,
            number: record.number,
            issued_on: record.issued_on,
            kind: record.kind,
            buyer_title: record.buyer_title,
            buyer_tax_id: record.buyer_tax_id,
            buyer_booked: record.buyer_booked,
            currency: record.currency,
            lines: record.lines,
            total_minor: record.total_minor,
            state: record.state,
            replaces: record.replaces,
            created_at: format_in_zone(record.created_at, &shop.time_zone),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditNoteView {
    pub id: String,
    /// The shop's number, without gaps (CN00000001, …).
    pub number: String,
    pub sequence: i64,
    /// requested, confirmed, issued or cancelled.
    pub state: String,
    pub state_zh: String,
    pub state_en: String,
    /// The 红字发票信息确认单 must be confirmed before the red-letter invoice is issued.
    pub needs_confirmation: bool,
    /// Until when the other party may confirm it (72 hours), while it waits.
    pub confirm_by: Option<String>,
    /// The confirmation form lapsed unconfirmed: renew it.
    pub lapsed: bool,
    pub invoice_number: String,
    pub invoice_kind: String,
    pub buyer_title: String,
    pub buyer_tax_id: Option<String>,
    pub case_id: String,
    pub case_number: String,
    pub order_number: String,
    pub refund_id: String,
    pub currency: String,
    /// The lines reversed, in the original invoice's order (amounts as positive figures: the
    /// credit note reverses them).
    pub lines: Vec<CreditLine>,
    pub total_minor: i64,
    pub tax_minor: i64,
    /// Refunded money on no invoice line.
    pub unmatched_minor: i64,
    pub confirmation_number: Option<String>,
    pub red_invoice_number: Option<String>,
    pub note: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl CreditNoteView {
    fn new(shop: &Shop, record: CreditNoteRecord, now: i64) -> CreditNoteView {
        let zone = &shop.time_zone;
        let lapsed = lapsed(&record, now);
        let waiting = record.needs_confirmation && record.state == CreditState::Requested.as_str();
        let (state_zh, state_en) = CreditState::parse(&record.state)
            .map(CreditState::label)
            .unwrap_or(("", ""));
        CreditNoteView {
            confirm_by: waiting.then(|| {
                format_in_zone(
                    record.requested_at + CONFIRMATION_HOURS * 3_600_000_000,
                    zone,
                )
            }),
            lapsed,
            id: record.id,
            number: record.number,
            sequence: record.sequence,
            state: record.state,
            state_zh: state_zh.into(),
            state_en: state_en.into(),
            needs_confirmation: record.needs_confirmation,
            invoice_number: record.invoice_number,
            invoice_kind: record.invoice_kind,
            buyer_title: record.buyer_title,
            buyer_tax_id: record.buyer_tax_id,
            case_id: record.case_id,
            case_number: record.case_number,
            order_number: record.order_number,
            refund_id: record.refund_id,
            currency: record.currency,
            lines: record.lines,
            total_minor: record.total_minor,
            tax_minor: record.tax_minor,
            unmatched_minor: record.unmatched_minor,
            confirmation_number: record.confirmation_number,
            red_invoice_number: record.red_invoice_number,
            note: record.note,
            version: record.version,
            created_at: format_in_zone(record.created_at, zone),
            updated_at: format_in_zone(record.updated_at, zone),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceChangeView {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub order_number: String,
    pub invoice_number: String,
    /// endorsed, reissued or return_with_item.
    pub kind: String,
    pub new_invoice_number: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
}

impl InvoiceChangeView {
    fn new(shop: &Shop, record: InvoiceChangeRecord) -> InvoiceChangeView {
        InvoiceChangeView {
            id: record.id,
            case_id: record.case_id,
            case_number: record.case_number,
            order_number: record.order_number,
            invoice_number: record.invoice_number,
            kind: record.kind,
            new_invoice_number: record.new_invoice_number,
            note: record.note,
            created_at: format_in_zone(record.created_at, &shop.time_zone),
        }
    }
}

#[utoipa::path(put, path = "/orders/{id}/invoice", operation_id = "setOrderInvoice", tag = "orders",
    params(("id" = String, Path, description = "the order's id or its order number")), request_body = InvoiceInput,
    responses((status = 200, body = InvoiceView, description = "the order's invoice"),
        (status = 404), (status = 409, description = "credit notes reverse the invoice there, or the number is taken"),
        (status = 422, description = "a field to fix")),
    security(("bearer" = [])))]
/// Records the invoice the buyer got for the order (its lines default to the order's). One
/// already there is replaced while no credit note reverses it.
pub async fn set(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<InvoiceInput>,
) -> AppResult<axum::Json<InvoiceView>> {
    let invoice = operations::set(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(InvoiceView::new(&actor.shop, invoice)))
}

#[utoipa::path(get, path = "/orders/{id}/invoices", operation_id = "listOrderInvoices", tag = "orders",
    params(("id" = String, Path, description = "the order's id or its order number")),
    responses((status = 200, body = Vec<InvoiceView>, description = "the current invoice first, then those it replaced"), (status = 404)),
    security(("bearer" = [])))]
pub async fn of_order(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Vec<InvoiceView>>> {
    let invoices = operations::of_order(&state.database, &actor, &id).await?;
    Ok(axum::Json(
        invoices
            .into_iter()
            .map(|invoice| InvoiceView::new(&actor.shop, invoice))
            .collect(),
    ))
}

#[utoipa::path(post, path = "/cases/{id}/invoice-changes", operation_id = "recordInvoiceChange", tag = "cases",
    params(("id" = String, Path)), request_body = InvoiceChangeInput,
    responses((status = 200, body = Vec<InvoiceChangeView>, description = "the case's invoice changes"),
        (status = 404), (status = 409, description = "the order has no invoice recorded"), (status = 422)),
    security(("bearer" = [])))]
/// What an exchange did with the order's invoice (endorsed 背书, or re-issued 换开 with the new
/// one), or a repair's original invoice going back with the item.
pub async fn change(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<InvoiceChangeInput>,
) -> AppResult<axum::Json<Vec<InvoiceChangeView>>> {
    let changes = operations::change(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(
        changes
            .into_iter()
            .map(|change| InvoiceChangeView::new(&actor.shop, change))
            .collect(),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// The first day, YYYY-MM-DD in the shop's zone (default: the beginning).
    pub from: Option<String>,
    /// The last day, included.
    pub to: Option<String>,
    /// Only this case's.
    pub case_id: Option<String>,
    /// json (default), csv (UTF-8 with a BOM) or xlsx.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditNoteList {
    pub credit_notes: Vec<CreditNoteView>,
    /// Endorsements, re-issues and invoices sent back with repairs in the period.
    pub invoice_changes: Vec<InvoiceChangeView>,
}

#[utoipa::path(get, path = "/credit-notes", operation_id = "listCreditNotes", tag = "refunds", params(PeriodQuery),
    responses((status = 200, content((CreditNoteList = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "the period's credit notes by number and invoice changes by time"),
        (status = 422, description = "a day to fix")),
    security(("bearer" = [])))]
/// The accountant's list: a period's credit notes and invoice changes.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<PeriodQuery>,
) -> AppResult<Response> {
    let format = crate::http::Export::parse(query.format.as_deref())?;
    let period = operations::period(
        &state.database,
        &actor,
        query.from.as_deref(),
        query.to.as_deref(),
        query.case_id.as_deref(),
    )
    .await?;
    let zone = &actor.shop.time_zone;
    let name = format!(
        "credit-notes-{}-{}",
        query.from.as_deref().unwrap_or("start"),
        query.to.as_deref().unwrap_or("now")
    )
    .replace(
        |character: char| !character.is_ascii_alphanumeric() && character != '-',
        "",
    );
    Ok(match format {
        Export::Csv => crate::http::csv_file(&name, credit_documents::csv(&period, zone)),
        Export::Xlsx => crate::http::xlsx_file(&name, credit_documents::xlsx(&period, zone)?),
        Export::Json => {
            let now = state.database.clock.now();
            axum::Json(CreditNoteList {
                credit_notes: period
                    .credit_notes
                    .into_iter()
                    .map(|note| CreditNoteView::new(&actor.shop, note, now))
                    .collect(),
                invoice_changes: period
                    .changes
                    .into_iter()
                    .map(|change| InvoiceChangeView::new(&actor.shop, change))
                    .collect(),
            })
            .into_response()
        }
    })
}

#[utoipa::path(get, path = "/credit-notes/{id}", operation_id = "getCreditNote", tag = "refunds",
    params(("id" = String, Path, description = "the credit note's id or its number")),
    responses((status = 200, body = CreditNoteView), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<CreditNoteView>> {
    let note = operations::credit_note(&state.database, &actor, &id).await?;
    Ok(axum::Json(CreditNoteView::new(
        &actor.shop,
        note,
        state.database.clock.now(),
    )))
}

#[utoipa::path(get, path = "/credit-notes/{id}/pdf", operation_id = "getCreditNotePdf", tag = "refunds",
    params(("id" = String, Path, description = "the credit note's id or its number")),
    responses((status = 200, content((Vec<u8> = "application/pdf")), description = "the credit note, in Chinese with English"),
        (status = 404), (status = 503, description = "no Chinese font installed on the server")),
    security(("bearer" = [])))]
pub async fn pdf(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let note = operations::credit_note(&state.database, &actor, &id).await?;
    let name = format!("{}.pdf", note.number);
    let bytes = credit_documents::pdf(&note, &actor.shop, state.config.label_font.as_deref())?;
    Ok(crate::http::download("application/pdf", &name, bytes))
}

#[utoipa::path(post, path = "/credit-notes/{id}/steps", operation_id = "stepCreditNote", tag = "refunds",
    params(("id" = String, Path, description = "the credit note's id or its number")), request_body = CreditStepInput,
    responses((status = 200, body = CreditNoteView, description = "the credit note after the step"),
        (status = 404), (status = 409, description = "the step does not fit now, or someone stepped first"),
        (status = 422)),
    security(("bearer" = [])))]
/// What the shop did in its tax system: the 确认单 confirmed, the red-letter invoice issued
/// (with its number), a lapsed 确认单 renewed, or the credit note cancelled.
pub async fn step(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<CreditStepInput>,
) -> AppResult<axum::Json<CreditNoteView>> {
    let note = operations::step(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(CreditNoteView::new(
        &actor.shop,
        note,
        state.database.clock.now(),
    )))
}
