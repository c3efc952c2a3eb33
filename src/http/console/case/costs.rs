//! The case page's cost ledger: every entry with who pays it and what it costs the shop, the
//! sums beside what was refunded, and a form to book a cost or correct an entry.

use axum::extract::{Path, State};

use super::answer;
use super::forms::{text, typed_amount};
use crate::domain::Currency;
use crate::domain::costs::{CostKind, Payer};
use crate::http::console::PageResult;
use crate::http::console::form::{Fields, Posted};
use crate::http::console::rows::Choice;
use crate::http::console::text::money;
use crate::i18n::Language;
use crate::operations::costs::{self as operations, CostInput, Ledger};
use crate::state::AppState;

/// The ledger as the page shows it.
pub struct CostsPart {
    pub rows: Vec<CostRow>,
    pub shop_cost: String,
    pub recovered: String,
    pub others_paid: String,
    pub refunded: String,
    pub kinds: Vec<Choice>,
    pub payers: Vec<Choice>,
    /// The entries a correction may name.
    pub correctable: Vec<Choice>,
}

pub struct CostRow {
    pub at: String,
    pub kind: String,
    pub payer: String,
    pub amount: String,
    pub shop_cost: String,
    pub sku: String,
    pub note: String,
    /// Booked by the case itself (freight, goods at cost, compensation, a penalty).
    pub automatic: bool,
    pub correction: bool,
    pub corrected: bool,
}

impl CostsPart {
    pub fn new(language: Language, ledger: Ledger) -> CostsPart {
        let currency = Currency::parse(&ledger.currency).unwrap_or(Currency::CNY);
        let kinds: Vec<&str> = CostKind::ALL.iter().map(|kind| kind.as_str()).collect();
        let payers: Vec<&str> = Payer::ALL.iter().map(|payer| payer.as_str()).collect();
        let kind_name = |kind: CostKind| language.text(&format!("cost-kind-{kind}"));
        CostsPart {
            correctable: ledger
                .entries
                .iter()
                .map(|entry| Choice {
                    code: entry.id.clone(),
                    name: format!(
                        "{} · {} · {}",
                        entry.created_at.get(..16).unwrap_or(&entry.created_at),
                        kind_name(entry.kind),
                        money(entry.amount_minor, currency)
                    ),
                })
                .collect(),
            rows: ledger
                .entries
                .into_iter()
                .map(|entry| CostRow {
                    at: entry
                        .created_at
                        .get(..16)
                        .unwrap_or(&entry.created_at)
                        .replace('T', " "),
                    kind: kind_name(entry.kind),
                    payer: language.text(&format!("cost-payer-{}", entry.payer)),
                    amount: money(entry.amount_minor, currency),
                    shop_cost: money(entry.shop_cost_minor, currency),
                    sku: entry.sku.unwrap_or_default(),
                    note: entry.note.unwrap_or_default(),
                    automatic: entry.source.is_some(),
                    correction: entry.corrects.is_some(),
                    corrected: !entry.corrected_by.is_empty(),
                })
                .collect(),
            shop_cost: money(ledger.totals.shop_cost_minor, currency),
            recovered: money(ledger.totals.recovered_minor, currency),
            others_paid: money(ledger.totals.others_paid_minor, currency),
            refunded: money(ledger.refunded_minor, currency),
            kinds: Choice::named(language, "cost-kind", &kinds),
            payers: Choice::named(language, "cost-payer", &payers),
        }
    }
}

/// Books a cost, or corrects an entry (an amount below zero lowers it).
pub(in crate::http::console) async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let amount = match text(&fields, "amount") {
        None => Ok(None),
        Some(written) => {
            let (sign, digits) = match written.strip_prefix('-') {
                Some(rest) => (-1, rest.to_string()),
                None => (1, written),
            };
            typed_amount(&state, &staff, &id, "amount", &digits)
                .await
                .map(|minor| Some(sign * minor))
        }
    };
    let hours = text(&fields, "hours").map(|written| written.parse::<f64>());
    let result = match (amount, hours) {
        (Err(error), _) => Err(error),
        (_, Some(Err(_))) => Err(crate::error::AppError::invalid(
            "hours",
            "hours is a number, e.g. 1.5",
        )),
        (Ok(amount_minor), hours) => {
            let corrects = text(&fields, "corrects");
            operations::record(
                &state.database,
                &staff.actor,
                &id,
                &CostInput {
                    kind: corrects.is_none().then(|| text(&fields, "kind")).flatten(),
                    payer: corrects.is_none().then(|| text(&fields, "payer")).flatten(),
                    amount_minor,
                    hours: hours.and_then(Result::ok),
                    sku: text(&fields, "sku"),
                    note: text(&fields, "note"),
                    corrects,
                },
            )
            .await
            .map(|_| ())
        }
    };
    answer(&state, &staff, &id, "cost", fields, result).await
}
