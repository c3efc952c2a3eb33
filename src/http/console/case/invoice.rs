//! The case page's invoice part: the order's invoice, the case's credit notes and what the case
//! did with the invoice; an exchange records the endorsement or the re-issue.

use axum::extract::{Path, State};

use super::answer;
use super::forms::text;
use crate::http::console::PageResult;
use crate::http::console::form::{Fields, Posted};
use crate::operations::invoices::{self as operations, InvoiceChangeInput, InvoiceInput};
use crate::state::AppState;

/// What the case page shows of invoices.
pub struct InvoicePart {
    /// The order's current invoice in a line; empty when none is recorded.
    pub invoice: String,
    /// The case's credit notes: (id, number, state, amount).
    pub credit_notes: Vec<(String, String, String, String)>,
    /// What the case did with the invoice, in words.
    pub changes: Vec<String>,
    /// An exchange may record an endorsement or a re-issue.
    pub can_change: bool,
}

/// Records an exchange's endorsement or re-issue (with the new invoice).
pub(in crate::http::console) async fn change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let action = text(&fields, "invoice_action").unwrap_or_default();
    let invoice = (action == "reissued").then(|| InvoiceInput {
        number: text(&fields, "new_number").unwrap_or_default(),
        issued_on: text(&fields, "new_issued_on").unwrap_or_default(),
        kind: text(&fields, "new_kind").unwrap_or_default(),
        buyer_title: text(&fields, "new_buyer_title").unwrap_or_default(),
        buyer_tax_id: text(&fields, "new_buyer_tax_id"),
        buyer_booked: None,
        lines: None,
    });
    let result = operations::change(
        &state.database,
        &staff.actor,
        &id,
        &InvoiceChangeInput {
            action,
            invoice,
            note: text(&fields, "invoice_note"),
        },
    )
    .await
    .map(|_| ());
    answer(&state, &staff, &id, "invoice", fields, result).await
}
