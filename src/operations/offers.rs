//! Offers: the shop proposes a partial refund (the customer keeps the goods); the customer
//! accepts, and the refund runs at once under the key `offer:{id}`, or declines, and the case
//! goes on as asked. One open offer per case.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::refunds::{self, RefundInput, RefundLineInput, RefundOutcome};
use super::text_field;
use crate::db::cases::{self, CaseRecord, NewEvent};
use crate::db::offers::{self, NewOffer, OfferRecord};
use crate::db::shops::Actor;
use crate::db::{Database, settings};
use crate::domain::permissions::{Capability, allows};
use crate::domain::refund::{LineBalance, split_refund};
use crate::domain::{CaseKind, Money, Role};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    /// The refund offered, in minor units (fen for CNY); the customer keeps the goods.
    pub amount_minor: i64,
    /// Shown to the customer with the offer.
    pub note: Option<String>,
}

fn conflict(code: &'static str, message: &str) -> AppError {
    AppError::Conflict {
        code,
        message: message.into(),
        details: json!({}),
    }
}

/// Makes an offer on an open refund or complaint case, within what is left to refund.
pub async fn make(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &OfferInput,
) -> AppResult<OfferRecord> {
    AppError::require(actor.role, Capability::MakeOffers)?;
    let note = text_field("note", input.note.as_deref(), false, 2000)?;
    if input.amount_minor <= 0 {
        return Err(AppError::invalid(
            "amount_minor",
            "the amount must be more than zero (in minor units: 1000 = ¥10.00)",
        ));
    }
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    if !matches!(case.kind, CaseKind::RefundOnly | CaseKind::ReturnAndRefund)
        || !matches!(
            case.status,
            crate::domain::Status::Submitted | crate::domain::Status::Approved
        )
    {
        return Err(conflict(
            "offer_not_possible",
            "a partial-refund offer can be made on a refund-only or return-and-refund case that is submitted or approved",
        ));
    }
    if offers::open_in(&mut transaction, &case.id).await?.is_some() {
        return Err(conflict(
            "offer_already_open",
            "this case already has an open offer; withdraw it before making another",
        ));
    }
    // The offer is in the order's own currency, as its refund will be.
    let (currency, _) =
        super::refunds::lock_order(&mut transaction, database.backend, &case, &actor.shop).await?;
    let left: i64 = balances(&mut transaction, &case.id)
        .await?
        .iter()
        .map(LineBalance::remaining_minor)
        .sum();
    if input.amount_minor > left {
        return Err(AppError::invalid(
            "amount_minor",
            format!(
                "the offer is more than the {} left to refund on this case",
                Money::new(left, currency)
            ),
        ));
    }
    let id = offers::insert(
        &mut transaction,
        &NewOffer {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            kind: "partial_refund",
            amount_minor: input.amount_minor,
            currency: currency.as_str(),
            note: note.as_deref(),
            created_by: actor.staff_id.as_deref(),
            now,
        },
    )
    .await?;
    let data = json!({
        "offer_id": id, "kind": "partial_refund", "amount_minor": input.amount_minor,
        "currency": currency.as_str(), "note": note,
    });
    event(
        &mut transaction,
        actor,
        &case,
        "offer_made",
        data.clone(),
        now,
    )
    .await?;
    transaction.commit().await?;
    let offers = offers::for_case(&database.writer, &case.id).await?;
    offers
        .into_iter()
        .find(|offer| offer.id == id)
        .ok_or(AppError::Unavailable)
}

async fn balances(
    transaction: &mut crate::db::Transaction,
    case_id: &str,
) -> AppResult<Vec<LineBalance>> {
    Ok(cases::lines_in(transaction, case_id)
        .await?
        .iter()
        .map(cases::CaseLineRecord::balance)
        .collect())
}

async fn event(
    transaction: &mut crate::db::Transaction,
    actor: &Actor,
    case: &CaseRecord,
    action: &str,
    data: serde_json::Value,
    now: i64,
) -> AppResult<()> {
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action,
            from_status: None,
            to_status: None,
            data,
        },
    )
    .await?;
    Ok(())
}

/// What the customer (or staff, for withdrawing) does with an open offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
    Withdraw,
}

/// Answers the case's open offer. Accepting refunds the amount at once (by `system`, under the
/// key `offer:{id}`), in the same transaction.
pub async fn answer(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    offer_id: &str,
    answer: Answer,
) -> AppResult<OfferRecord> {
    let allowed = match answer {
        Answer::Accept | Answer::Decline => allows(actor.role, Capability::AnswerOffers),
        Answer::Withdraw => allows(actor.role, Capability::MakeOffers),
    };
    if !allowed {
        return Err(AppError::Forbidden(
            "the customer accepts or declines an offer; staff withdraw it".into(),
        ));
    }
    let now = database.clock.now();
    let settings = settings::get(database, &actor.shop.id).await?;
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let offer = offers::open_in(&mut transaction, &case.id)
        .await?
        .filter(|offer| offer.id == offer_id)
        .ok_or_else(|| {
            conflict(
                "offer_not_open",
                "this offer is no longer open (answered or withdrawn)",
            )
        })?;
    let (state, action) = match answer {
        Answer::Accept => ("accepted", "offer_accepted"),
        Answer::Decline => ("declined", "offer_declined"),
        Answer::Withdraw => ("withdrawn", "offer_withdrawn"),
    };
    let data = json!({ "offer_id": offer.id, "amount_minor": offer.amount_minor, "currency": offer.currency });
    event(&mut transaction, actor, &case, action, data, now).await?;
    let mut refund_id = None;
    if answer == Answer::Accept {
        let lines_by_id = cases::lines_in(&mut transaction, &case.id).await?;
        let split = split_refund(
            &balances(&mut transaction, &case.id).await?,
            offer.amount_minor,
        )
        .ok_or_else(|| {
            conflict(
                "offer_exceeds_balance",
                "the amount offered is more than is left to refund on this case now",
            )
        })?;
        let lines = split
            .iter()
            .filter_map(|line| {
                let number = lines_by_id
                    .iter()
                    .find(|case_line| case_line.order_line_id == line.order_line_id)?
                    .line_number;
                Some(RefundLineInput {
                    line_number: number,
                    amount_minor: line.amount_minor,
                })
            })
            .collect();
        let input = RefundInput {
            lines,
            shipping_minor: Some(0),
            paid_reference: None,
            method: None,
            note: offer.note.clone(),
        };
        let key = format!("offer:{}", offer.id);
        let system = Actor {
            shop: actor.shop.clone(),
            role: Role::System,
            staff_id: None,
        };
        let request = refunds::Request {
            key: &key,
            method: "original",
            note: offer.note.as_deref(),
            input: &input,
            now,
            event_data: json!({ "offer_id": offer.id }),
        };
        let outcome = refunds::refund_locked(
            &mut transaction,
            database.backend,
            &system,
            &case,
            &request,
            &settings,
        )
        .await?;
        refund_id = Some(match outcome {
            RefundOutcome::Executed(refund) | RefundOutcome::Replayed(refund) => refund.id,
        });
    }
    if !offers::answer(
        &mut transaction,
        &offer.id,
        state,
        refund_id.as_deref(),
        now,
    )
    .await?
    {
        return Err(AppError::Unavailable);
    }
    transaction.commit().await?;
    let offers = offers::for_case(&database.writer, &case.id).await?;
    offers
        .into_iter()
        .find(|found| found.id == offer.id)
        .ok_or(AppError::Unavailable)
}
