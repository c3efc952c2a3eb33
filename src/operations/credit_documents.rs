//! A credit note as a PDF (A4, Chinese with English, the CJK font embedded) and a period's
//! credit notes and invoice changes for the accountant as CSV (UTF-8 with a BOM) or XLSX. Every
//! amount is in the credit note's own currency, reversed amounts printed below zero.

use super::invoices::Period;
use crate::db::invoices::CreditNoteRecord;
use crate::db::shops::Shop;
use crate::documents::evidence::{Line, Pack, Section, render};
use crate::domain::invoices::{CreditState, InvoiceKind};
use crate::domain::money::written as money;
use crate::domain::time::format_in_zone;
use crate::error::{AppError, AppResult};

fn state_words(state: &str) -> String {
    CreditState::parse(state)
        .map(|state| {
            let (zh, en) = state.label();
            format!("{zh} {en}")
        })
        .unwrap_or_else(|| state.to_string())
}

fn kind_words(kind: &str) -> String {
    InvoiceKind::parse(kind)
        .map(|kind| {
            let (zh, en) = kind.label();
            format!("{zh} {en}")
        })
        .unwrap_or_else(|| kind.to_string())
}

/// The credit note as a PDF.
pub fn pdf(note: &CreditNoteRecord, shop: &Shop, font: Option<&str>) -> AppResult<Vec<u8>> {
    let zone = &shop.time_zone;
    let currency = note.currency.as_str();
    let mut heading = vec![
        format!("销售方 Seller: {}", shop.name),
        format!(
            "购买方 Buyer: {}{}",
            note.buyer_title,
            note.buyer_tax_id
                .as_deref()
                .map(|id| format!("（纳税人识别号 Tax id {id}）"))
                .unwrap_or_default()
        ),
        format!(
            "对应蓝字发票 Original invoice: {} · {}",
            note.invoice_number,
            kind_words(&note.invoice_kind)
        ),
        format!(
            "订单 Order {} · 售后单 Case {} · 开具 Made {}",
            note.order_number,
            note.case_number,
            format_in_zone(note.created_at, zone)
        ),
        format!("状态 State: {}", state_words(&note.state)),
    ];
    if let Some(number) = &note.confirmation_number {
        heading.push(format!("红字发票信息确认单 Confirmation form: {number}"));
    }
    if let Some(number) = &note.red_invoice_number {
        heading.push(format!("红字发票号码 Red-letter invoice: {number}"));
    }
    let mut lines: Vec<Line> = note
        .lines
        .iter()
        .map(|line| {
            Line::Text(format!(
                "{}. {} × {} · 金额 Amount {} · 税额 Tax {}{}",
                line.invoice_line,
                line.description,
                -line.quantity,
                money(-line.amount_minor, currency),
                money(-line.tax_minor, currency),
                line.tax_rate
                    .as_deref()
                    .map(|rate| format!(" · 税率 Rate {rate}"))
                    .unwrap_or_default()
            ))
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::Text(
            "（无对应发票行 No invoice line matches the refund）".into(),
        ));
    }
    let mut totals = vec![
        Line::Text(format!(
            "价税合计 Total with tax: {}",
            money(-note.total_minor, currency)
        )),
        Line::Text(format!(
            "其中税额 Of which tax: {}",
            money(-note.tax_minor, currency)
        )),
    ];
    if note.unmatched_minor != 0 {
        totals.push(Line::Small(format!(
            "退款中未列在原发票上的金额 Refunded but not on the invoice: {}",
            money(note.unmatched_minor, currency)
        )));
    }
    if note.needs_confirmation {
        totals.push(Line::Small(
            "购买方已用途确认或入账：须经对方确认红字发票信息确认单（72 小时内）后开具 The buyer booked the original: \
             the confirmation form must be confirmed (within 72 hours) before the red-letter invoice is issued"
                .into(),
        ));
    }
    if let Some(text) = &note.note {
        totals.push(Line::Small(format!("备注 Note: {text}")));
    }
    let pack = Pack {
        title: format!("红字发票（销项负数）Credit note {}", note.number),
        heading,
        sections: vec![
            Section {
                title: "冲红明细（按原发票行次）Lines reversed, in the invoice's order".into(),
                lines,
            },
            Section {
                title: "合计 Totals".into(),
                lines: totals,
            },
        ],
    };
    render(&pack, font).map_err(|error| match error {
        crate::documents::label::LabelError::NoFont => AppError::NotConfigured(error.to_string()),
        other => AppError::Internal(anyhow::anyhow!(other.to_string())),
    })
}

/// The columns of the accountant's export, one row per credit note and per invoice change.
const HEADER: [&str; 14] = [
    "type",
    "number",
    "made_at",
    "state",
    "invoice_number",
    "invoice_kind",
    "buyer_title",
    "buyer_tax_id",
    "order_number",
    "case_number",
    "currency",
    "amount_minor",
    "tax_minor",
    "detail",
];

/// The rows of the export: credit notes by number, then invoice changes by time. Amounts of a
/// credit note are below zero (what it reverses).
fn rows(period: &Period, zone: &jiff::tz::TimeZone) -> Vec<[String; 14]> {
    let mut rows: Vec<[String; 14]> = period
        .credit_notes
        .iter()
        .map(|note| {
            [
                "credit_note".into(),
                note.number.clone(),
                format_in_zone(note.created_at, zone),
                note.state.clone(),
                note.invoice_number.clone(),
                note.invoice_kind.clone(),
                note.buyer_title.clone(),
                note.buyer_tax_id.clone().unwrap_or_default(),
                note.order_number.clone(),
                note.case_number.clone(),
                note.currency.clone(),
                (-note.total_minor).to_string(),
                (-note.tax_minor).to_string(),
                note.red_invoice_number
                    .clone()
                    .or(note.confirmation_number.clone())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    rows.extend(period.changes.iter().map(|change| {
        [
            format!("invoice_{}", change.kind),
            change.new_invoice_number.clone().unwrap_or_default(),
            format_in_zone(change.created_at, zone),
            String::new(),
            change.invoice_number.clone(),
            String::new(),
            String::new(),
            String::new(),
            change.order_number.clone(),
            change.case_number.clone(),
            String::new(),
            String::new(),
            String::new(),
            change.note.clone().unwrap_or_default(),
        ]
    }));
    rows
}

pub fn csv(period: &Period, zone: &jiff::tz::TimeZone) -> String {
    super::exports::csv(HEADER, &rows(period, zone))
}

/// The amounts as numbers; numbers of documents as text.
pub fn xlsx(period: &Period, zone: &jiff::tz::TimeZone) -> AppResult<Vec<u8>> {
    super::exports::xlsx(
        "红字发票 Credit notes",
        HEADER,
        &rows(period, zone),
        &[11, 12],
    )
}
