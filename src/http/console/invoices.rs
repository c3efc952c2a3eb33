//! Invoices in the console: the order's invoice recorded on the order page, and the
//! accountant's page of a period's credit notes (stepped after the tax system, each as a PDF)
//! and invoice changes, with CSV and XLSX downloads.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::form::{Fields, Posted};
use super::rows::Choice;
use super::{Frame, PageResult, Staff};
use crate::db::invoices::{CreditNoteRecord, InvoiceRecord};
use crate::domain::invoices::{CreditState, InvoiceKind};
use crate::domain::money::written as amount;
use crate::error::AppError;
use crate::http::pages::{minutes, redirect, render};
use crate::i18n::Language;
use crate::operations::credit_documents;
use crate::operations::invoices::{self as operations, CreditStepInput, InvoiceInput};
use crate::state::AppState;

/// The kinds of invoice, for the form's select.
pub fn kinds(language: Language) -> Vec<Choice> {
    let codes: Vec<&str> = InvoiceKind::ALL.iter().map(|kind| kind.as_str()).collect();
    Choice::named(language, "invoice-kind", &codes)
}

/// The order's current invoice in a line.
pub struct InvoiceSummary {
    pub number: String,
    pub kind: String,
    pub issued_on: String,
    pub buyer: String,
    pub total: String,
}

impl InvoiceSummary {
    pub fn new(language: Language, invoice: InvoiceRecord) -> InvoiceSummary {
        InvoiceSummary {
            kind: language.text(&format!("invoice-kind-{}", invoice.kind)),
            total: amount(invoice.total_minor, &invoice.currency),
            buyer: match &invoice.buyer_tax_id {
                Some(id) => format!("{} ({id})", invoice.buyer_title),
                None => invoice.buyer_title.clone(),
            },
            number: invoice.number,
            issued_on: invoice.issued_on,
        }
    }
}

/// Records the order's invoice from the order page (its lines: the order's).
pub(super) async fn save_invoice(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let input = InvoiceInput {
        number: field("invoice_number"),
        issued_on: field("issued_on"),
        kind: field("invoice_kind"),
        buyer_title: field("buyer_title"),
        buyer_tax_id: Some(field("buyer_tax_id")),
        buyer_booked: Some(
            fields
                .get("buyer_booked")
                .is_some_and(|value| value == "on"),
        ),
        lines: None,
    };
    match operations::set(&state.database, &staff.actor, &id, &input).await {
        Ok(_) => Ok(redirect(&format!("/console/orders/{id}#invoice")).into_response()),
        Err(error @ (AppError::NotFound(_) | AppError::Internal(_))) => Err(error.into()),
        Err(error) => {
            let message = super::error_text(staff.language, &error);
            let status = error.status();
            let view =
                super::directory::order_view(&state, &staff, &id, fields, None, Some(message))
                    .await?;
            Ok(render(&view, status, staff.language))
        }
    }
}

pub struct CreditRow {
    pub id: String,
    pub number: String,
    pub at: String,
    pub state: String,
    pub open: bool,
    pub needs_confirmation: bool,
    pub case_id: String,
    pub case_number: String,
    pub order_number: String,
    pub invoice: String,
    pub amount: String,
    pub reference: String,
    pub version: i64,
}

pub struct ChangeRow {
    pub at: String,
    pub kind: String,
    pub case_id: String,
    pub case_number: String,
    pub invoice: String,
    pub new_invoice: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "console/credit_notes.html")]
struct CreditNotesPage {
    frame: Frame,
    from: String,
    to: String,
    query: String,
    notes: Vec<CreditRow>,
    changes: Vec<ChangeRow>,
    steps: Vec<Choice>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PeriodForm {
    from: Option<String>,
    to: Option<String>,
}

fn credit_row(language: Language, zone: &jiff::tz::TimeZone, note: CreditNoteRecord) -> CreditRow {
    let state = CreditState::parse(&note.state).unwrap_or(CreditState::Requested);
    CreditRow {
        at: minutes(note.created_at, zone),
        state: language.text(&format!("credit-state-{}", note.state)),
        open: matches!(state, CreditState::Requested | CreditState::Confirmed),
        needs_confirmation: note.needs_confirmation,
        amount: amount(-note.total_minor, &note.currency),
        reference: note
            .red_invoice_number
            .clone()
            .or(note.confirmation_number.clone())
            .unwrap_or_default(),
        invoice: note.invoice_number,
        case_id: note.case_id,
        case_number: note.case_number,
        order_number: note.order_number,
        number: note.number,
        version: note.version,
        id: note.id,
    }
}

async fn shown(
    state: &AppState,
    staff: &Staff,
    form: &PeriodForm,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let language = staff.language;
    let zone = &staff.actor.shop.time_zone;
    let (period, error, status) = match operations::period(
        &state.database,
        &staff.actor,
        form.from.as_deref(),
        form.to.as_deref(),
        None,
    )
    .await
    {
        Ok(period) => (Some(period), error, status),
        Err(error @ AppError::Invalid { .. }) => (
            None,
            Some(super::error_text(language, &error)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => return Err(other.into()),
    };
    let (notes, changes) = period
        .map(|period| (period.credit_notes, period.changes))
        .unwrap_or_default();
    let query = super::reports::query_of(&[("from", &form.from), ("to", &form.to)]);
    let page = CreditNotesPage {
        frame: Frame::new(state, staff, "credit-notes").await?,
        from: form.from.clone().unwrap_or_default(),
        to: form.to.clone().unwrap_or_default(),
        query,
        notes: notes
            .into_iter()
            .map(|note| credit_row(language, zone, note))
            .collect(),
        changes: changes
            .into_iter()
            .map(|change| ChangeRow {
                at: minutes(change.created_at, zone),
                kind: language.text(&format!("event-invoice_{}", change.kind)),
                case_id: change.case_id,
                case_number: change.case_number,
                invoice: change.invoice_number,
                new_invoice: change.new_invoice_number.unwrap_or_default(),
                note: change.note.unwrap_or_default(),
            })
            .collect(),
        steps: Choice::named(
            language,
            "credit-step",
            &["issue", "confirm", "renew", "cancel"],
        ),
        error,
    };
    Ok(render(&page, status, language))
}

pub(super) async fn credit_notes_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(form): Query<PeriodForm>,
) -> PageResult {
    shown(&state, &staff, &form, None, StatusCode::OK).await
}

/// A step recorded from the tax system; refused steps show the list again with the reason.
pub(super) async fn step(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let field = |name: &str| fields.get(name).cloned();
    let number = field("number");
    let step = field("step").unwrap_or_default();
    let input = CreditStepInput {
        version: field("version")
            .and_then(|version| version.parse().ok())
            .unwrap_or(0),
        confirmation_number: number.clone().filter(|_| step == "confirm"),
        red_invoice_number: number.filter(|_| step == "issue"),
        note: field("note"),
        step,
    };
    match operations::step(&state.database, &staff.actor, &id, &input).await {
        Ok(_) => Ok(redirect("/console/credit-notes").into_response()),
        Err(error @ (AppError::NotFound(_) | AppError::Internal(_))) => Err(error.into()),
        Err(error) => {
            let message = super::error_text(staff.language, &error);
            let status = error.status();
            shown(
                &state,
                &staff,
                &PeriodForm::default(),
                Some(message),
                status,
            )
            .await
        }
    }
}

/// A credit note's PDF, or the period as CSV or XLSX.
pub(super) async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path(file): Path<String>,
    Query(form): Query<PeriodForm>,
) -> PageResult {
    let zone = &staff.actor.shop.time_zone;
    let period = || {
        operations::period(
            &state.database,
            &staff.actor,
            form.from.as_deref(),
            form.to.as_deref(),
            None,
        )
    };
    let response = match file.as_str() {
        "credit-notes.csv" => crate::http::csv_file(
            "credit-notes",
            credit_documents::csv(&period().await?, zone),
        ),
        "credit-notes.xlsx" => crate::http::xlsx_file(
            "credit-notes",
            credit_documents::xlsx(&period().await?, zone)?,
        ),
        name => {
            let id = name
                .strip_suffix(".pdf")
                .ok_or(AppError::NotFound("file"))?;
            let note = operations::credit_note(&state.database, &staff.actor, id).await?;
            let bytes = credit_documents::pdf(
                &note,
                &staff.actor.shop,
                state.config.label_font.as_deref(),
            )?;
            crate::http::download("application/pdf", &format!("{}.pdf", note.number), bytes)
        }
    };
    Ok(response)
}
