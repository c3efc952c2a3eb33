//! The case page's negotiation: every offer made on the case (the history, newest first, with
//! how the customer answered), a form to make one — money back while the goods stay, a coupon,
//! points, a gift, a nearer return address — and the open one withdrawn.

use axum::extract::{Path, State};

use super::answer;
use super::forms::{text, typed_amount};
use crate::db::offers::OfferRecord;
use crate::domain::Currency;
use crate::http::console::PageResult;
use crate::http::console::form::{Fields, Posted};
use crate::http::console::rows::Choice;
use crate::http::console::text::money;
use crate::http::pages::minutes;
use crate::i18n::Language;
use crate::operations::offers::{self as operations, Answer, KINDS, OfferInput};
use crate::state::AppState;

/// An offer in the case's negotiation history.
pub struct OfferRow {
    pub id: String,
    pub at: String,
    pub kind: String,
    pub value: String,
    pub detail: String,
    pub note: String,
    pub state: String,
    pub open: bool,
    /// Waits for a supervisor: above the shop's caps.
    pub pending: bool,
    pub valid_until: String,
}

impl OfferRow {
    pub fn new(language: Language, zone: &jiff::tz::TimeZone, offer: OfferRecord) -> OfferRow {
        let value = match (offer.amount_minor, Currency::parse(&offer.currency)) {
            (0, _) => String::new(),
            (minor, Ok(currency)) => money(minor, currency),
            (minor, Err(_)) => format!("{minor} {}", offer.currency),
        };
        OfferRow {
            at: minutes(offer.created_at, zone),
            kind: language.text(&format!("offer-kind-{}", offer.kind)),
            value,
            detail: offer.detail.unwrap_or_default(),
            note: offer.note.unwrap_or_default(),
            state: language.text(&format!("offer-state-{}", offer.state)),
            open: offer.state == "open",
            pending: offer.state == "pending_approval",
            valid_until: offer.valid_until.unwrap_or_default(),
            id: offer.id,
        }
    }
}

/// The kinds an offer can be, for the form's select.
pub fn kinds(language: Language) -> Vec<Choice> {
    Choice::named(language, "offer-kind", KINDS)
}

pub(in crate::http::console) async fn make(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let kind = text(&fields, "kind");
    let amount_minor = match text(&fields, "amount") {
        None => Ok(0),
        Some(written) => typed_amount(&state, &staff, &id, "amount", &written).await,
    };
    let result = match amount_minor {
        Ok(amount_minor) => operations::make(
            &state.database,
            &staff.actor,
            &id,
            &OfferInput {
                kind,
                amount_minor,
                detail: text(&fields, "detail"),
                note: text(&fields, "note"),
                valid_until: text(&fields, "valid_until"),
            },
        )
        .await
        .map(|_| ()),
        Err(error) => Err(error),
    };
    answer(&state, &staff, &id, "offer", fields, result).await
}

pub(in crate::http::console) async fn withdraw(
    State(state): State<AppState>,
    Path((id, offer_id)): Path<(String, String)>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let result = operations::answer(
        &state.database,
        &staff.actor,
        &id,
        &offer_id,
        Answer::Withdraw,
    )
    .await
    .map(|_| ());
    answer(&state, &staff, &id, "offer", fields, result).await
}

/// A supervisor approves or refuses compensation above the caps (`decision`: approve or
/// refuse, with a note when refused).
pub(in crate::http::console) async fn approve(
    State(state): State<AppState>,
    Path((id, offer_id)): Path<(String, String)>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let approved = text(&fields, "decision").as_deref() == Some("approve");
    let note = text(&fields, "note");
    let result = operations::approve(
        &state.database,
        &staff.actor,
        &id,
        &offer_id,
        approved,
        note.as_deref(),
    )
    .await
    .map(|_| ());
    answer(&state, &staff, &id, "offer", fields, result).await
}
