//! Invoices per outcome (docs/MONEY.md, "Invoices and credit notes"): an order's invoice
//! recorded; a refund's red-letter credit note made in the refund's own transaction (numbered
//! without gaps) and stepped after the shop's tax system; an exchange's endorsement or re-issue;
//! a repair's "send the original invoice back with the item"; the accountant's list of a period.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::text_field;
use crate::db::Database;
use crate::db::Transaction;
use crate::db::cases::{self, CaseRecord};
use crate::db::invoices::{
    self, CreditChange, CreditNoteRecord, InvoiceChangeRecord, InvoiceRecord, NewCreditNote,
    NewInvoice, NewInvoiceChange,
};
use crate::db::shops::Actor;
use crate::domain::CaseKind;
use crate::domain::invoices::{
    CONFIRMATION_HOURS, CreditState, CreditStep, InvoiceKind, InvoiceLine, Refunded, check_lines,
    credit_lines, first_state, needs_confirmation, next, number,
};
use crate::domain::permissions::Capability;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceInput {
    /// The invoice's number as issued (数电票: 20 digits).
    pub number: String,
    /// The day it was issued, YYYY-MM-DD.
    pub issued_on: String,
    /// digital_normal, digital_special, electronic_normal, paper_normal, paper_special or
    /// foreign (an invoice outside China).
    pub kind: String,
    /// The buyer's name or company (抬头).
    pub buyer_title: String,
    /// The buyer's tax id (纳税人识别号 / VAT number), for a company.
    pub buyer_tax_id: Option<String>,
    /// The buyer confirmed it for use or booked it (用途确认或入账确认): reversing it then needs
    /// the 红字发票信息确认单 confirmed first. Default: yes for a special VAT invoice.
    pub buyer_booked: Option<bool>,
    /// The invoice's lines in its own order; default the order's lines at what was paid, and
    /// the delivery cost as the last line.
    pub lines: Option<Vec<InvoiceLine>>,
}

/// Checks an invoice as typed, and its lines (the order's when not given).
fn checked(
    input: &InvoiceInput,
    order_lines: &[crate::db::orders::OrderLineRecord],
    shipping_minor: i64,
) -> AppResult<(InvoiceKind, Vec<InvoiceLine>)> {
    let kind = InvoiceKind::parse(input.kind.trim()).ok_or_else(|| {
        let known: Vec<&str> = InvoiceKind::ALL.iter().map(|kind| kind.as_str()).collect();
        AppError::invalid(
            "kind",
            format!(
                "unknown kind '{}'; use one of: {}",
                input.kind,
                known.join(", ")
            ),
        )
    })?;
    text_field("number", Some(&input.number), true, 40)?;
    text_field("buyer_title", Some(&input.buyer_title), true, 100)?;
    if input.issued_on.trim().parse::<jiff::civil::Date>().is_err() {
        return Err(AppError::invalid(
            "issued_on",
            format!("'{}' is not a day like 2026-11-05", input.issued_on),
        ));
    }
    if let Some(tax_id) = input.buyer_tax_id.as_deref().map(str::trim)
        && !tax_id.is_empty()
        && !((4..=30).contains(&tax_id.len())
            && tax_id
                .chars()
                .all(|character| character.is_ascii_alphanumeric()))
    {
        return Err(AppError::invalid(
            "buyer_tax_id",
            "a tax id is 4 to 30 letters and digits (统一社会信用代码: 18)",
        ));
    }
    let lines = match &input.lines {
        Some(lines) => lines.clone(),
        None => {
            let mut lines: Vec<InvoiceLine> = order_lines
                .iter()
                .map(|line| InvoiceLine {
                    order_line: Some(line.line_number),
                    shipping: false,
                    description: line.product_name.clone(),
                    quantity: line.quantity,
                    amount_minor: line.paid_minor,
                    tax_minor: line.tax_minor.min(line.paid_minor),
                    tax_rate: None,
                })
                .collect();
            if shipping_minor > 0 {
                lines.push(InvoiceLine {
                    order_line: None,
                    shipping: true,
                    description: "运费 Delivery".into(),
                    quantity: 1,
                    amount_minor: shipping_minor,
                    tax_minor: 0,
                    tax_rate: None,
                });
            }
            lines
        }
    };
    check_lines(&lines).map_err(|message| AppError::invalid("lines", message))?;
    for (index, line) in lines.iter().enumerate() {
        if let Some(number) = line.order_line
            && !order_lines.iter().any(|order| order.line_number == number)
        {
            return Err(AppError::invalid(
                "lines",
                format!("lines[{index}].order_line {number} is not a line of this order"),
            ));
        }
    }
    Ok((kind, lines))
}

/// Records the order's invoice. An invoice already there is replaced while no credit note
/// reverses it; after that a re-issue goes through the exchange (`change`).
pub async fn set(
    database: &Database,
    actor: &Actor,
    order: &str,
    input: &InvoiceInput,
) -> AppResult<InvoiceRecord> {
    AppError::require(actor.role, Capability::ChangeOrders)?;
    let order = super::orders::find(database, &actor.shop.id, order).await?;
    let lines = crate::db::orders::lines(&database.reader, &order.id).await?;
    let (kind, lines) = checked(input, &lines, order.shipping_fee_minor)?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    if let Some(current) = invoices::current_in(&mut transaction, &order.id).await? {
        if invoices::credit_count(&mut transaction, &current.id).await? > 0 {
            return Err(AppError::Conflict {
                code: "invoice_reversed",
                message: format!(
                    "invoice {} has credit notes: re-issue it from the exchange case instead",
                    current.number
                ),
                details: json!({ "invoice": current.number }),
            });
        }
        invoices::replace(&mut transaction, &current.id, now).await?;
    }
    let id = store(
        &mut transaction,
        actor,
        &order,
        input,
        kind,
        &lines,
        None,
        now,
    )
    .await?;
    transaction.commit().await?;
    invoices::get(&database.writer, &actor.shop.id, &id)
        .await?
        .ok_or(AppError::Unavailable)
}

#[allow(clippy::too_many_arguments)]
async fn store(
    transaction: &mut Transaction,
    actor: &Actor,
    order: &crate::db::orders::OrderRecord,
    input: &InvoiceInput,
    kind: InvoiceKind,
    lines: &[InvoiceLine],
    replaces: Option<&str>,
    now: i64,
) -> AppResult<String> {
    let tax_id = input
        .buyer_tax_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty());
    let booked = input.buyer_booked.unwrap_or(matches!(
        kind,
        InvoiceKind::DigitalSpecial | InvoiceKind::PaperSpecial
    ));
    invoices::insert(
        transaction,
        &NewInvoice {
            shop_id: &actor.shop.id,
            order_id: &order.id,
            number: input.number.trim(),
            issued_on: input.issued_on.trim(),
            kind: kind.as_str(),
            buyer_title: input.buyer_title.trim(),
            buyer_tax_id: tax_id,
            buyer_booked: booked,
            currency: &order.currency,
            lines,
            replaces,
            now,
        },
    )
    .await?
    .ok_or_else(|| AppError::Conflict {
        code: "invoice_number_taken",
        message: format!(
            "the shop already has an invoice numbered {}",
            input.number.trim()
        ),
        details: json!({ "number": input.number.trim() }),
    })
}

/// The order's invoices: the current one first, then those it replaced.
pub async fn of_order(
    database: &Database,
    actor: &Actor,
    order: &str,
) -> AppResult<Vec<InvoiceRecord>> {
    staff(actor)?;
    let order = super::orders::find(database, &actor.shop.id, order).await?;
    Ok(invoices::of_order(&database.reader, &order.id).await?)
}

fn staff(actor: &Actor) -> AppResult<()> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden("invoices are for staff".into()))
    }
}

/// After a refund, in its transaction: a credit note for what it paid back when the order has
/// an invoice. `refunded`: (order line number, amount, units) per line.
pub(crate) async fn after_refund(
    transaction: &mut Transaction,
    actor: &Actor,
    case: &CaseRecord,
    refund_id: &str,
    refunded: &[(i64, i64, i64)],
    shipping_minor: i64,
    now: i64,
) -> AppResult<()> {
    let Some(invoice) = invoices::current_in(transaction, &case.order_id).await? else {
        return Ok(());
    };
    let kind = InvoiceKind::parse(&invoice.kind).unwrap_or(InvoiceKind::DigitalNormal);
    let (lines, unmatched) = credit_lines(
        &invoice.lines,
        &Refunded {
            lines: refunded,
            shipping_minor,
        },
    );
    let sequence = invoices::next_sequence(transaction, &actor.shop.id).await?;
    let number = number(sequence);
    let state = first_state(kind);
    let confirmation = needs_confirmation(kind, invoice.buyer_booked);
    let id = invoices::insert_credit(
        transaction,
        &NewCreditNote {
            shop_id: &actor.shop.id,
            sequence,
            number: &number,
            invoice_id: &invoice.id,
            case_id: &case.id,
            refund_id,
            currency: &invoice.currency,
            lines: &lines,
            unmatched_minor: unmatched,
            state: state.as_str(),
            needs_confirmation: confirmation,
            now,
        },
    )
    .await?;
    let total: i64 = lines.iter().map(|line| line.amount_minor).sum();
    super::record_event(
        transaction,
        actor,
        &case.id,
        "credit_note",
        json!({ "credit_note_id": id, "number": number, "invoice": invoice.number,
                "amount_minor": total, "currency": invoice.currency, "state": state.as_str(),
                "needs_confirmation": confirmation, "unmatched_minor": unmatched }),
        now,
    )
    .await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditStepInput {
    /// confirm (the 确认单 was confirmed), issue (the red-letter invoice was issued), renew (a
    /// lapsed 确认单 requested again) or cancel.
    pub step: String,
    /// The version read (a step made by someone else first is refused).
    pub version: i64,
    /// The 红字发票信息确认单's number (confirm).
    pub confirmation_number: Option<String>,
    /// The red-letter invoice's number from the tax system (issue).
    pub red_invoice_number: Option<String>,
    /// Why (cancel), or anything the accountant should know.
    pub note: Option<String>,
}

/// Whether a 确认单 requested at `requested_at` lapsed unconfirmed by `now`.
pub fn lapsed(record: &CreditNoteRecord, now: i64) -> bool {
    record.needs_confirmation
        && record.state == CreditState::Requested.as_str()
        && now - record.requested_at > CONFIRMATION_HOURS * 3_600_000_000
}

/// Records a step the shop took in its tax system.
pub async fn step(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &CreditStepInput,
) -> AppResult<CreditNoteRecord> {
    AppError::require(actor.role, Capability::SettleRefunds)?;
    let step = CreditStep::parse(input.step.trim()).ok_or_else(|| {
        AppError::invalid(
            "step",
            format!(
                "unknown step '{}'; use one of: confirm, issue, renew, cancel",
                input.step
            ),
        )
    })?;
    let confirmation_number = text_field(
        "confirmation_number",
        input.confirmation_number.as_deref(),
        step == CreditStep::Confirm,
        40,
    )?;
    let red_number = text_field(
        "red_invoice_number",
        input.red_invoice_number.as_deref(),
        step == CreditStep::Issue,
        40,
    )?;
    let note = text_field(
        "note",
        input.note.as_deref(),
        step == CreditStep::Cancel,
        500,
    )?;
    let now = database.clock.now();
    let found = invoices::credit_note(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("credit note"))?;
    let state = CreditState::parse(&found.state).unwrap_or(CreditState::Requested);
    let to =
        next(state, step, found.needs_confirmation, lapsed(&found, now)).map_err(|message| {
            AppError::Conflict {
                code: "credit_note_step_refused",
                message: message.into(),
                details: json!({ "state": found.state, "step": step.as_str() }),
            }
        })?;
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(
        &mut transaction,
        database.backend,
        &actor.shop.id,
        &found.case_id,
    )
    .await?
    .ok_or(AppError::NotFound("case"))?;
    let moved = invoices::step(
        &mut transaction,
        &found.id,
        input.version,
        &CreditChange {
            state: to.as_str(),
            confirmation_number: confirmation_number
                .as_deref()
                .or(found.confirmation_number.as_deref()),
            red_invoice_number: red_number
                .as_deref()
                .or(found.red_invoice_number.as_deref()),
            note: note.as_deref().or(found.note.as_deref()),
            requested_at: if step == CreditStep::Renew {
                now
            } else {
                found.requested_at
            },
            now,
        },
    )
    .await?;
    if !moved {
        return Err(AppError::Conflict {
            code: "version_conflict",
            message: format!(
                "credit note {} changed since you read it (version {}, now {}); reload it",
                found.number, input.version, found.version
            ),
            details: json!({ "expected_version": input.version, "current_version": found.version }),
        });
    }
    super::record_event(
        &mut transaction,
        actor,
        &case.id,
        "credit_note_step",
        json!({ "credit_note_id": found.id, "number": found.number, "step": step.as_str(),
                "state": to.as_str(), "confirmation_number": confirmation_number,
                "red_invoice_number": red_number, "note": note }),
        now,
    )
    .await?;
    transaction.commit().await?;
    invoices::credit_note(&database.writer, &actor.shop.id, &found.id)
        .await?
        .ok_or(AppError::Unavailable)
}

pub async fn credit_note(
    database: &Database,
    actor: &Actor,
    id: &str,
) -> AppResult<CreditNoteRecord> {
    staff(actor)?;
    invoices::credit_note(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("credit note"))
}

/// A period's credit notes and invoice changes, for the accountant.
pub struct Period {
    pub credit_notes: Vec<CreditNoteRecord>,
    pub changes: Vec<InvoiceChangeRecord>,
}

/// The credit notes and invoice changes made from `from` to `to` (days in the shop's zone,
/// both included), or of one case.
pub async fn period(
    database: &Database,
    actor: &Actor,
    from: Option<&str>,
    to: Option<&str>,
    case_id: Option<&str>,
) -> AppResult<Period> {
    staff(actor)?;
    let (from, to) = super::period(from, to, &actor.shop.time_zone)?;
    let case_id = match case_id {
        Some(id) => Some(
            cases::get(&database.reader, &actor.shop.id, id)
                .await?
                .ok_or(AppError::NotFound("case"))?
                .id,
        ),
        None => None,
    };
    let credit_notes = invoices::credit_notes(
        &database.reader,
        &actor.shop.id,
        from,
        to,
        case_id.as_deref(),
    )
    .await?;
    let changes = match &case_id {
        Some(case_id) => invoices::changes_of_case(&database.reader, case_id).await?,
        None => invoices::changes_between(&database.reader, &actor.shop.id, from, to).await?,
    };
    Ok(Period {
        credit_notes,
        changes,
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceChangeInput {
    /// endorsed (背书: the original endorsed for the replacement), reissued (换开: a new invoice,
    /// given in `invoice`, replaces it) or return_with_item (the original goes back with the
    /// item for a repair).
    pub action: String,
    /// The new invoice, for a re-issue.
    pub invoice: Option<InvoiceInput>,
    pub note: Option<String>,
}

/// What an exchange (or a repair) did with the order's invoice.
pub async fn change(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &InvoiceChangeInput,
) -> AppResult<Vec<InvoiceChangeRecord>> {
    AppError::require(actor.role, Capability::EditCases)?;
    let action = input.action.trim();
    let note = text_field("note", input.note.as_deref(), false, 500)?;
    let case = cases::get(&database.reader, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let allowed = match action {
        "endorsed" | "reissued" => case.kind == CaseKind::Exchange,
        "return_with_item" => case.kind == CaseKind::Repair,
        _ => {
            return Err(AppError::invalid(
                "action",
                format!("unknown action '{action}'; use endorsed, reissued or return_with_item"),
            ));
        }
    };
    if !allowed {
        return Err(AppError::invalid(
            "action",
            format!(
                "'{action}' does not fit a {} case (endorsed and reissued: an exchange; return_with_item: a repair)",
                case.kind
            ),
        ));
    }
    let order = crate::db::orders::get(&database.reader, &actor.shop.id, &case.order_id)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    let new_invoice = match (action, &input.invoice) {
        ("reissued", Some(invoice)) => {
            let lines = crate::db::orders::lines(&database.reader, &order.id).await?;
            Some((invoice, checked(invoice, &lines, order.shipping_fee_minor)?))
        }
        ("reissued", None) => {
            return Err(AppError::invalid(
                "invoice",
                "a re-issue gives the new invoice (number, issued_on, kind, buyer_title)",
            ));
        }
        _ => None,
    };
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, &case.id).await?;
    let current = invoices::current_in(&mut transaction, &order.id)
        .await?
        .ok_or_else(|| AppError::Conflict {
            code: "no_invoice",
            message: format!(
                "order {} has no invoice recorded: add it first (PUT /api/v1/orders/{}/invoice)",
                order.order_number, order.order_number
            ),
            details: json!({}),
        })?;
    let new_id = match new_invoice {
        Some((invoice, (kind, lines))) => {
            invoices::replace(&mut transaction, &current.id, now).await?;
            Some(
                store(
                    &mut transaction,
                    actor,
                    &order,
                    invoice,
                    kind,
                    &lines,
                    Some(&current.id),
                    now,
                )
                .await?,
            )
        }
        None => None,
    };
    record_change(
        &mut transaction,
        actor,
        &case,
        &current,
        action,
        new_id.as_deref(),
        note.as_deref(),
        now,
    )
    .await?;
    transaction.commit().await?;
    Ok(invoices::changes_of_case(&database.writer, &case.id).await?)
}

#[allow(clippy::too_many_arguments)]
async fn record_change(
    transaction: &mut Transaction,
    actor: &Actor,
    case: &CaseRecord,
    invoice: &InvoiceRecord,
    action: &str,
    new_invoice: Option<&str>,
    note: Option<&str>,
    now: i64,
) -> AppResult<()> {
    invoices::insert_change(
        transaction,
        &NewInvoiceChange {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            invoice_id: &invoice.id,
            kind: action,
            new_invoice_id: new_invoice,
            note,
            actor_id: actor.staff_id.as_deref(),
            now,
        },
    )
    .await?;
    super::record_event(
        transaction,
        actor,
        &case.id,
        &format!("invoice_{action}"),
        json!({ "invoice": invoice.number, "new_invoice_id": new_invoice, "note": note }),
        now,
    )
    .await
}

/// Whether the customer must send the original invoice back with a repair's item: a paper
/// invoice (an electronic one has nothing to send).
pub fn paper(invoice: &InvoiceRecord) -> bool {
    matches!(
        InvoiceKind::parse(&invoice.kind),
        Some(InvoiceKind::PaperNormal | InvoiceKind::PaperSpecial)
    )
}

/// When a repair is approved on an order with a paper invoice: the original goes back with the
/// item (recorded once, shown on the label's packing list).
pub(crate) async fn after_repair_approved(
    transaction: &mut Transaction,
    actor: &Actor,
    case: &CaseRecord,
    now: i64,
) -> AppResult<()> {
    let Some(invoice) = invoices::current_in(transaction, &case.order_id).await? else {
        return Ok(());
    };
    if !paper(&invoice) {
        return Ok(());
    }
    if invoices::has_change(transaction, &case.id, "return_with_item").await? {
        return Ok(());
    }
    record_change(
        transaction,
        actor,
        case,
        &invoice,
        "return_with_item",
        None,
        Some("请将原发票随商品一并寄回 Return the original invoice with the item"),
        now,
    )
    .await
}
