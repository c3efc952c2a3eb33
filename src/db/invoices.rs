//! Orders' invoices, what exchanges and repairs did with them, and refunds' credit notes
//! (numbered per shop under the counter's row lock, so a rolled-back refund leaves no gap).

use sqlx::AnyPool;

use super::columns::{Flag, JsonText};
use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;
use crate::domain::invoices::{CreditLine, InvoiceLine};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceRecord {
    pub id: String,
    pub order_id: String,
    pub number: String,
    pub issued_on: String,
    pub kind: String,
    pub buyer_title: String,
    pub buyer_tax_id: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub buyer_booked: bool,
    pub currency: String,
    #[sqlx(try_from = "JsonText<Vec<InvoiceLine>>")]
    pub lines: Vec<InvoiceLine>,
    pub total_minor: i64,
    /// current, or replaced by a re-issue.
    pub state: String,
    pub replaces: Option<String>,
    pub created_at: i64,
}

const INVOICE_COLUMNS: &str = "id, order_id, number, issued_on, kind, buyer_title, buyer_tax_id, buyer_booked, \
    currency, lines, total_minor, state, replaces, created_at";

pub struct NewInvoice<'a> {
    pub shop_id: &'a ShopId,
    pub order_id: &'a str,
    pub number: &'a str,
    pub issued_on: &'a str,
    pub kind: &'a str,
    pub buyer_title: &'a str,
    pub buyer_tax_id: Option<&'a str>,
    pub buyer_booked: bool,
    pub currency: &'a str,
    pub lines: &'a [InvoiceLine],
    pub replaces: Option<&'a str>,
    pub now: i64,
}

/// Stores an invoice; false when the shop already has one with that number.
pub async fn insert(
    transaction: &mut Transaction,
    invoice: &NewInvoice<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let total: i64 = invoice.lines.iter().map(|line| line.amount_minor).sum();
    let done = sqlx::query(
        "INSERT INTO invoices (id, shop_id, order_id, number, issued_on, kind, buyer_title, buyer_tax_id, buyer_booked, \
         currency, lines, total_minor, state, replaces, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'current', $13, $14, $14) \
         ON CONFLICT (shop_id, number) DO NOTHING",
    )
    .bind(&id)
    .bind(invoice.shop_id)
    .bind(invoice.order_id)
    .bind(invoice.number)
    .bind(invoice.issued_on)
    .bind(invoice.kind)
    .bind(invoice.buyer_title)
    .bind(invoice.buyer_tax_id)
    .bind(i64::from(invoice.buyer_booked))
    .bind(invoice.currency)
    .bind(serde_json::to_string(invoice.lines).unwrap_or_else(|_| "[]".into()))
    .bind(total)
    .bind(invoice.replaces)
    .bind(invoice.now)
    .execute(&mut **transaction)
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

/// The order's current invoice, read in a transaction.
pub async fn current_in(
    transaction: &mut Transaction,
    order_id: &str,
) -> Result<Option<InvoiceRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices WHERE order_id = $1 AND state = 'current'"
    )))
    .bind(order_id)
    .fetch_optional(&mut **transaction)
    .await
}

/// The order's invoices, the current one first, then those it replaced, newest first.
pub async fn of_order(pool: &AnyPool, order_id: &str) -> Result<Vec<InvoiceRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices WHERE order_id = $1 \
         ORDER BY CASE WHEN state = 'current' THEN 0 ELSE 1 END, created_at DESC, id DESC"
    )))
    .bind(order_id)
    .fetch_all(pool)
    .await
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<InvoiceRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Marks the current invoice replaced by a re-issue; false when it no longer was current.
pub async fn replace(
    transaction: &mut Transaction,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invoices SET state = 'replaced', updated_at = $2 WHERE id = $1 AND state = 'current'",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceChangeRecord {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub order_number: String,
    pub invoice_id: String,
    pub invoice_number: String,
    /// endorsed, reissued or return_with_item.
    pub kind: String,
    pub new_invoice_number: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
}

pub struct NewInvoiceChange<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub invoice_id: &'a str,
    pub kind: &'a str,
    pub new_invoice_id: Option<&'a str>,
    pub note: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub now: i64,
}

pub async fn insert_change(
    transaction: &mut Transaction,
    change: &NewInvoiceChange<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO invoice_changes (id, shop_id, case_id, invoice_id, kind, new_invoice_id, note, actor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(change.shop_id)
    .bind(change.case_id)
    .bind(change.invoice_id)
    .bind(change.kind)
    .bind(change.new_invoice_id)
    .bind(change.note)
    .bind(change.actor_id)
    .bind(change.now)
    .execute(&mut **transaction)
    .await?;
    Ok(id)
}

const CHANGE_SELECT: &str = "SELECT x.id, x.case_id, c.number AS case_number, o.order_number, x.invoice_id, \
    i.number AS invoice_number, x.kind, n.number AS new_invoice_number, x.note, x.created_at \
    FROM invoice_changes x JOIN cases c ON c.id = x.case_id JOIN invoices i ON i.id = x.invoice_id \
    JOIN orders o ON o.id = i.order_id LEFT JOIN invoices n ON n.id = x.new_invoice_id";

/// The shop's invoice changes made in [from, to), oldest first.
pub async fn changes_between(
    pool: &AnyPool,
    shop_id: &ShopId,
    from: i64,
    to: i64,
) -> Result<Vec<InvoiceChangeRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CHANGE_SELECT} WHERE x.shop_id = $1 AND x.created_at >= $2 AND x.created_at < $3 \
         ORDER BY x.created_at, x.id"
    )))
    .bind(shop_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

/// A case's invoice changes, oldest first.
pub async fn changes_of_case(
    pool: &AnyPool,
    case_id: &str,
) -> Result<Vec<InvoiceChangeRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CHANGE_SELECT} WHERE x.case_id = $1 ORDER BY x.created_at, x.id"
    )))
    .bind(case_id)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CreditNoteRecord {
    pub id: String,
    pub sequence: i64,
    pub number: String,
    pub invoice_id: String,
    pub invoice_number: String,
    pub invoice_kind: String,
    pub buyer_title: String,
    pub buyer_tax_id: Option<String>,
    pub case_id: String,
    pub case_number: String,
    pub order_number: String,
    pub refund_id: String,
    pub currency: String,
    #[sqlx(try_from = "JsonText<Vec<CreditLine>>")]
    pub lines: Vec<CreditLine>,
    pub total_minor: i64,
    pub tax_minor: i64,
    pub unmatched_minor: i64,
    pub state: String,
    #[sqlx(try_from = "Flag")]
    pub needs_confirmation: bool,
    pub requested_at: i64,
    pub confirmation_number: Option<String>,
    pub red_invoice_number: Option<String>,
    pub note: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const CREDIT_SELECT: &str = "SELECT n.id, n.sequence, n.number, n.invoice_id, i.number AS invoice_number, \
    i.kind AS invoice_kind, i.buyer_title, i.buyer_tax_id, n.case_id, c.number AS case_number, o.order_number, \
    n.refund_id, n.currency, n.lines, n.total_minor, n.tax_minor, n.unmatched_minor, n.state, n.needs_confirmation, \
    n.requested_at, n.confirmation_number, n.red_invoice_number, n.note, n.version, n.created_at, n.updated_at \
    FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id JOIN cases c ON c.id = n.case_id \
    JOIN orders o ON o.id = i.order_id";

/// The shop's next credit note number, taken in the caller's transaction (the counter's row
/// stays locked until it ends, so numbers follow commits and a rollback gives its number back).
pub async fn next_sequence(
    transaction: &mut Transaction,
    shop_id: &ShopId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO credit_note_counters (shop_id, value) VALUES ($1, 1) \
         ON CONFLICT (shop_id) DO UPDATE SET value = credit_note_counters.value + 1 RETURNING value",
    )
    .bind(shop_id)
    .fetch_one(&mut **transaction)
    .await
}

pub struct NewCreditNote<'a> {
    pub shop_id: &'a ShopId,
    pub sequence: i64,
    pub number: &'a str,
    pub invoice_id: &'a str,
    pub case_id: &'a str,
    pub refund_id: &'a str,
    pub currency: &'a str,
    pub lines: &'a [CreditLine],
    pub unmatched_minor: i64,
    pub state: &'a str,
    pub needs_confirmation: bool,
    pub now: i64,
}

pub async fn insert_credit(
    transaction: &mut Transaction,
    note: &NewCreditNote<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let total: i64 = note.lines.iter().map(|line| line.amount_minor).sum();
    let tax: i64 = note.lines.iter().map(|line| line.tax_minor).sum();
    sqlx::query(
        "INSERT INTO credit_notes (id, shop_id, sequence, number, invoice_id, case_id, refund_id, currency, lines, \
         total_minor, tax_minor, unmatched_minor, state, needs_confirmation, requested_at, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $15, $15)",
    )
    .bind(&id)
    .bind(note.shop_id)
    .bind(note.sequence)
    .bind(note.number)
    .bind(note.invoice_id)
    .bind(note.case_id)
    .bind(note.refund_id)
    .bind(note.currency)
    .bind(serde_json::to_string(note.lines).unwrap_or_else(|_| "[]".into()))
    .bind(total)
    .bind(tax)
    .bind(note.unmatched_minor)
    .bind(note.state)
    .bind(i64::from(note.needs_confirmation))
    .bind(note.now)
    .execute(&mut **transaction)
    .await?;
    Ok(id)
}

pub async fn credit_note(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<CreditNoteRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CREDIT_SELECT} WHERE n.shop_id = $1 AND (n.id = $2 OR n.number = $2)"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// What a step changes on a credit note.
pub struct CreditChange<'a> {
    pub state: &'a str,
    pub confirmation_number: Option<&'a str>,
    pub red_invoice_number: Option<&'a str>,
    pub note: Option<&'a str>,
    pub requested_at: i64,
    pub now: i64,
}

/// Moves a credit note on from the version read; false when someone moved it first.
pub async fn step(
    transaction: &mut Transaction,
    id: &str,
    version: i64,
    change: &CreditChange<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE credit_notes SET state = $1, confirmation_number = $2, red_invoice_number = $3, note = $4, \
         requested_at = $5, updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
    )
    .bind(change.state)
    .bind(change.confirmation_number)
    .bind(change.red_invoice_number)
    .bind(change.note)
    .bind(change.requested_at)
    .bind(change.now)
    .bind(id)
    .bind(version)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The shop's credit notes made in [from, to) (and of one case, if given), by number.
pub async fn credit_notes(
    pool: &AnyPool,
    shop_id: &ShopId,
    from: i64,
    to: i64,
    case_id: Option<&str>,
) -> Result<Vec<CreditNoteRecord>, sqlx::Error> {
    let case = if case_id.is_some() {
        " AND n.case_id = $4"
    } else {
        ""
    };
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CREDIT_SELECT} WHERE n.shop_id = $1 AND n.created_at >= $2 AND n.created_at < $3{case} ORDER BY n.sequence"
    )))
    .bind(shop_id)
    .bind(from)
    .bind(to);
    if let Some(case_id) = case_id {
        query = query.bind(case_id);
    }
    query.fetch_all(pool).await
}

/// How many credit notes reverse an invoice.
pub async fn credit_count(
    transaction: &mut Transaction,
    invoice_id: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM credit_notes WHERE invoice_id = $1")
        .bind(invoice_id)
        .fetch_one(&mut **transaction)
        .await
}

/// Whether a case already recorded a change of this kind.
pub async fn has_change(
    transaction: &mut Transaction,
    case_id: &str,
    kind: &str,
) -> Result<bool, sqlx::Error> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM invoice_changes WHERE case_id = $1 AND kind = $2")
            .bind(case_id)
            .bind(kind)
            .fetch_one(&mut **transaction)
            .await?;
    Ok(count > 0)
}

/// The number of the invoice a case's customer sends back with the item, if any.
pub async fn sent_back_with(pool: &AnyPool, case_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT i.number FROM invoice_changes x JOIN invoices i ON i.id = x.invoice_id \
         WHERE x.case_id = $1 AND x.kind = 'return_with_item' ORDER BY x.created_at LIMIT 1",
    )
    .bind(case_id)
    .fetch_optional(pool)
    .await
}
