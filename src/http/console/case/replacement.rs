//! The case page's replacement part (exchanges): the replacement chosen with its price, the
//! difference and whether it is settled, whether its stock is held; forms to choose it and to
//! record the customer's payment of the difference (or waive it).

use axum::extract::{Path, State};

use super::answer;
use super::forms::{text, typed_amount};
use crate::db::stock::ReplacementRecord;
use crate::domain::Currency;
use crate::error::AppError;
use crate::http::console::PageResult;
use crate::http::console::form::{Fields, Posted};
use crate::http::console::text::money;
use crate::i18n::Language;
use crate::operations::replacements::{
    self as operations, ReplacementInput, SettleDifferenceInput,
};
use crate::state::AppState;

/// The replacement as the page shows it.
pub struct ReplacementRow {
    pub name: String,
    pub sku: String,
    pub quantity: i64,
    pub price: String,
    /// What the customer pays (above zero) or gets back (below), in words.
    pub difference: String,
    /// The customer owes the difference and has not paid it.
    pub owed: bool,
    pub settled: String,
    pub held: bool,
    /// Where the customer pays what they owe (the shop's link), to send them.
    pub link: String,
}

impl ReplacementRow {
    pub fn new(
        language: Language,
        record: ReplacementRecord,
        link: Option<String>,
    ) -> ReplacementRow {
        let currency = Currency::parse(&record.currency).ok();
        let written = |minor: i64| match currency {
            Some(currency) => money(minor, currency),
            None => format!("{minor} {}", record.currency),
        };
        let difference = match record.difference_minor {
            0 => language.text("console-replacement-even"),
            minor if minor > 0 => language.text_with(
                "console-replacement-customer-pays",
                "amount",
                &written(minor),
            ),
            minor => language.text_with(
                "console-replacement-shop-refunds",
                "amount",
                &written(-minor),
            ),
        };
        ReplacementRow {
            owed: record.difference_minor > 0 && record.settled.is_none(),
            settled: record
                .settled
                .as_deref()
                .map(|how| language.text(&format!("console-replacement-settled-{how}")))
                .unwrap_or_default(),
            price: written(record.unit_price_minor),
            held: record.reserved == 1,
            link: link.unwrap_or_default(),
            name: record.product_name,
            sku: record.sku,
            quantity: record.quantity,
            difference,
        }
    }
}

pub(in crate::http::console) async fn choose(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let price = typed_amount(
        &state,
        &staff,
        &id,
        "price",
        &text(&fields, "price").unwrap_or_default(),
    )
    .await;
    let quantity = match text(&fields, "quantity") {
        None => Ok(None),
        Some(written) => written
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::invalid("quantity", "a whole number of units")),
    };
    let result = match (price, quantity) {
        (Ok(price), Ok(quantity)) => operations::choose(
            &state.database,
            &staff.actor,
            &id,
            &ReplacementInput {
                sku: text(&fields, "sku").unwrap_or_default(),
                product_name: text(&fields, "product_name"),
                unit_price_minor: price,
                quantity,
            },
        )
        .await
        .map(|_| ()),
        (Err(error), _) | (_, Err(error)) => Err(error),
    };
    answer(&state, &staff, &id, "replacement", fields, result).await
}

pub(in crate::http::console) async fn settle(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let result = operations::settle(
        &state.database,
        &staff.actor,
        &id,
        &SettleDifferenceInput {
            how: text(&fields, "how").unwrap_or_else(|| "paid".into()),
            reference: text(&fields, "reference"),
        },
    )
    .await
    .map(|_| ());
    answer(&state, &staff, &id, "replacement", fields, result).await
}
