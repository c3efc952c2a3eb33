//! Invoices and what each outcome does to them (docs/MONEY.md, "Invoices and credit notes"): the
//! kinds of invoice, a refund's red-letter credit note (红字发票 / credit note) line by line in the
//! original invoice's order, its states after China's 数电票 red-letter confirmation, and its
//! number. Pure: no I/O.
//!
//! The confirmation rule is the State Taxation Administration's announcement 2024 No. 11
//! (国家税务总局公告2024年第11号): a blue 数电 invoice the buyer has not confirmed for use or booked
//! (未进行用途确认及入账确认) is reversed by the seller at once, in full or in part; one the buyer
//! has confirmed or booked needs the other party to confirm the 红字发票信息确认单 first, and a
//! 确认单 not confirmed within 72 hours lapses (自动作废).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::wire_names;

/// What kind of invoice the buyer got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// 数电票（普通发票）
    DigitalNormal,
    /// 数电票（增值税专用发票）
    DigitalSpecial,
    /// 电子普通发票 (before 数电)
    ElectronicNormal,
    /// 纸质普通发票
    PaperNormal,
    /// 纸质增值税专用发票
    PaperSpecial,
    /// An invoice outside China (EU/UK VAT invoice, a US receipt): its credit note is the
    /// shop's own document, issued at once.
    Foreign,
}

wire_names!(InvoiceKind {
    DigitalNormal => "digital_normal",
    DigitalSpecial => "digital_special",
    ElectronicNormal => "electronic_normal",
    PaperNormal => "paper_normal",
    PaperSpecial => "paper_special",
    Foreign => "foreign",
});

impl InvoiceKind {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            InvoiceKind::DigitalNormal => ("数电票（普通发票）", "digital invoice (normal)"),
            InvoiceKind::DigitalSpecial => {
                ("数电票（增值税专用发票）", "digital invoice (special VAT)")
            }
            InvoiceKind::ElectronicNormal => ("电子普通发票", "electronic normal invoice"),
            InvoiceKind::PaperNormal => ("纸质普通发票", "paper normal invoice"),
            InvoiceKind::PaperSpecial => ("纸质增值税专用发票", "paper special VAT invoice"),
            InvoiceKind::Foreign => ("发票", "invoice"),
        }
    }
}

/// Where a credit note stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CreditState {
    /// Made by the refund; the red-letter invoice is to be issued in the tax system (and, where
    /// the buyer booked the original, its 确认单 confirmed first).
    Requested,
    /// The buyer (or seller) confirmed the 红字发票信息确认单.
    Confirmed,
    /// The red-letter invoice (or credit note) was issued.
    Issued,
    /// Not to be issued (the refund failed, the 确认单 was refused); the number stays used.
    Cancelled,
}

wire_names!(CreditState {
    Requested => "requested",
    Confirmed => "confirmed",
    Issued => "issued",
    Cancelled => "cancelled",
});

impl CreditState {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            CreditState::Requested => ("待开具", "requested"),
            CreditState::Confirmed => ("确认单已确认", "confirmed"),
            CreditState::Issued => ("已开具红字发票", "issued"),
            CreditState::Cancelled => ("已作废", "cancelled"),
        }
    }
}

/// What the shop records from its tax system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CreditStep {
    /// The other party confirmed the 确认单 (its number is recorded).
    Confirm,
    /// The red-letter invoice was issued (its number is recorded).
    Issue,
    /// A lapsed 确认单 requested again: 72 more hours.
    Renew,
    Cancel,
}

wire_names!(CreditStep {
    Confirm => "confirm",
    Issue => "issue",
    Renew => "renew",
    Cancel => "cancel",
});

/// How long a 确认单 waits for the other party (公告2024年第11号: 72 hours, then it lapses).
pub const CONFIRMATION_HOURS: i64 = 72;

/// The state a step leads to. `needs_confirmation`: the buyer confirmed the original for use
/// or booked it. `lapsed`: a 确认单 requested more than 72 hours ago and not confirmed.
pub fn next(
    state: CreditState,
    step: CreditStep,
    needs_confirmation: bool,
    lapsed: bool,
) -> Result<CreditState, &'static str> {
    use CreditState::*;
    use CreditStep::*;
    match (state, step) {
        (Requested, Confirm) if !needs_confirmation => {
            Err("this invoice needs no confirmation (the buyer has not booked it): issue it")
        }
        (Requested, Confirm) if lapsed => {
            Err("the confirmation form lapsed after 72 hours unconfirmed: renew it first")
        }
        (Requested, Confirm) => Ok(Confirmed),
        (Requested, Issue) if needs_confirmation => Err(
            "the buyer booked the original: its 红字发票信息确认单 must be confirmed before the red-letter invoice is issued",
        ),
        (Requested | Confirmed, Issue) => Ok(Issued),
        (Requested, Renew) if needs_confirmation && lapsed => Ok(Requested),
        (Requested, Renew) => Err("only a lapsed confirmation form is renewed"),
        (Requested | Confirmed, Cancel) => Ok(Cancelled),
        (Issued, _) => Err("the red-letter invoice was issued: it stands"),
        (Cancelled, _) => Err("the credit note was cancelled"),
        (Confirmed, Confirm | Renew) => Err("the confirmation form was already confirmed"),
    }
}

/// Whether reversing this invoice needs the other party's confirmation first.
pub fn needs_confirmation(kind: InvoiceKind, buyer_booked: bool) -> bool {
    kind != InvoiceKind::Foreign && buyer_booked
}

/// The state a new credit note starts in: outside China the credit note is the shop's own
/// document and stands at once.
pub fn first_state(kind: InvoiceKind) -> CreditState {
    match kind {
        InvoiceKind::Foreign => CreditState::Issued,
        _ => CreditState::Requested,
    }
}

/// A credit note's number: the shop's sequence, without gaps.
pub fn number(sequence: i64) -> String {
    format!("CN{sequence:08}")
}

/// A line of the original invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLine {
    /// The order line it invoices; none for the delivery or anything else.
    #[serde(default)]
    pub order_line: Option<i64>,
    /// The delivery cost (运费) line.
    #[serde(default)]
    pub shipping: bool,
    pub description: String,
    pub quantity: i64,
    /// The line's amount with tax, in minor units.
    pub amount_minor: i64,
    /// The tax inside it, in minor units.
    #[serde(default)]
    pub tax_minor: i64,
    /// The tax rate in percent (13, 9, 6, 3, 0), as printed.
    #[serde(default)]
    pub tax_rate: Option<String>,
}

/// A line of a credit note: the original line's description and rate, the amounts reversed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreditLine {
    /// The original invoice's line, from 1 (the credit note keeps its order).
    pub invoice_line: i64,
    pub description: String,
    /// Units reversed (0 for money only).
    pub quantity: i64,
    /// The amount reversed with tax (printed as a negative), in minor units.
    pub amount_minor: i64,
    /// The tax inside it.
    pub tax_minor: i64,
    pub tax_rate: Option<String>,
}

/// What a refund paid back: per order line, the amount and units; and the delivery cost.
pub struct Refunded<'a> {
    pub lines: &'a [(i64, i64, i64)],
    pub shipping_minor: i64,
}

/// The credit note's lines for a refund, in the original invoice's order: each invoiced order
/// line the refund touched, and the delivery line for delivery cost paid back. Tax is the
/// original's share of each amount (rounded half away from zero). Money refunded on a line the
/// invoice does not list goes on no line (`unmatched` says how much).
pub fn credit_lines(invoice: &[InvoiceLine], refunded: &Refunded) -> (Vec<CreditLine>, i64) {
    let mut lines = Vec::new();
    let mut matched = 0;
    let mut shipping_left = refunded.shipping_minor;
    for (index, line) in invoice.iter().enumerate() {
        let (amount, quantity) = if line.shipping {
            let amount = shipping_left.min(line.amount_minor.max(0));
            shipping_left -= amount;
            (amount, 0)
        } else {
            match line.order_line.and_then(|number| {
                refunded
                    .lines
                    .iter()
                    .find(|(order_line, _, _)| *order_line == number)
            }) {
                Some((_, amount, quantity)) => (*amount, *quantity),
                None => (0, 0),
            }
        };
        if amount == 0 {
            continue;
        }
        matched += amount;
        lines.push(CreditLine {
            invoice_line: index as i64 + 1,
            description: line.description.clone(),
            quantity,
            amount_minor: amount,
            tax_minor: share(amount, line.tax_minor, line.amount_minor),
            tax_rate: line.tax_rate.clone(),
        });
    }
    let total: i64 = refunded
        .lines
        .iter()
        .map(|(_, amount, _)| amount)
        .sum::<i64>()
        + refunded.shipping_minor;
    (lines, total - matched)
}

/// `part` of `tax` in proportion to `amount` of `whole`, rounded half away from zero.
fn share(amount: i64, tax: i64, whole: i64) -> i64 {
    if whole <= 0 || tax == 0 {
        return 0;
    }
    let numerator = i128::from(amount) * i128::from(tax);
    let whole = i128::from(whole);
    let rounded = (2 * numerator + whole) / (2 * whole);
    i64::try_from(rounded).unwrap_or(0)
}

/// Checks an invoice's lines: at most 200, each described, with a quantity and an amount.
pub fn check_lines(lines: &[InvoiceLine]) -> Result<(), String> {
    if lines.is_empty() || lines.len() > 200 {
        return Err("an invoice has 1 to 200 lines".into());
    }
    for (index, line) in lines.iter().enumerate() {
        if !(1..=200).contains(&line.description.trim().chars().count()) {
            return Err(format!(
                "lines[{index}].description has 1 to 200 characters"
            ));
        }
        if line.quantity < 0 || line.amount_minor < 0 || line.tax_minor < 0 {
            return Err(format!(
                "lines[{index}]: amounts and quantity are zero or more"
            ));
        }
        if line.tax_minor > line.amount_minor {
            return Err(format!(
                "lines[{index}].tax_minor is more than the line's amount"
            ));
        }
        if line.shipping && line.order_line.is_some() {
            return Err(format!(
                "lines[{index}]: a delivery line names no order line"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(order_line: Option<i64>, amount: i64, tax: i64) -> InvoiceLine {
        InvoiceLine {
            order_line,
            shipping: order_line.is_none(),
            description: format!("line {order_line:?}"),
            quantity: 1,
            amount_minor: amount,
            tax_minor: tax,
            tax_rate: Some("13%".into()),
        }
    }

    #[test]
    fn a_credit_note_keeps_the_invoices_order_and_its_tax_share() {
        // The invoice lists line 2 before line 1, then the delivery.
        let invoice = [
            line(Some(2), 9000, 1035),
            line(Some(1), 19900, 2289),
            line(None, 1000, 115),
        ];
        let (lines, unmatched) = credit_lines(
            &invoice,
            &Refunded {
                lines: &[(1, 19900, 1), (2, 4500, 1)],
                shipping_minor: 1000,
            },
        );
        assert_eq!(unmatched, 0);
        let summary: Vec<(i64, i64, i64)> = lines
            .iter()
            .map(|line| (line.invoice_line, line.amount_minor, line.tax_minor))
            .collect();
        // 4500 × 1035 / 9000 = 517.5 → 518
        assert_eq!(
            summary,
            vec![(1, 4500, 518), (2, 19900, 2289), (3, 1000, 115)]
        );
        // A refund on a line the invoice does not list is left over, not guessed.
        let (lines, unmatched) = credit_lines(
            &invoice[..1],
            &Refunded {
                lines: &[(1, 500, 0)],
                shipping_minor: 0,
            },
        );
        assert!(lines.is_empty());
        assert_eq!(unmatched, 500);
    }

    #[test]
    fn the_confirmation_form_comes_first_only_where_the_buyer_booked_the_invoice() {
        use CreditState::*;
        use CreditStep::*;
        assert!(needs_confirmation(InvoiceKind::DigitalSpecial, true));
        assert!(!needs_confirmation(InvoiceKind::DigitalNormal, false));
        assert!(!needs_confirmation(InvoiceKind::Foreign, true));
        assert_eq!(next(Requested, Issue, false, false), Ok(Issued));
        assert!(next(Requested, Issue, true, false).is_err());
        assert_eq!(next(Requested, Confirm, true, false), Ok(Confirmed));
        assert!(
            next(Requested, Confirm, true, true).is_err(),
            "lapsed after 72 h"
        );
        assert_eq!(next(Requested, Renew, true, true), Ok(Requested));
        assert!(next(Requested, Renew, true, false).is_err());
        assert_eq!(next(Confirmed, Issue, true, false), Ok(Issued));
        assert!(next(Issued, Cancel, false, false).is_err());
        assert_eq!(next(Requested, Cancel, false, false), Ok(Cancelled));
        assert_eq!(first_state(InvoiceKind::Foreign), Issued);
        assert_eq!(number(42), "CN00000042");
    }
}
