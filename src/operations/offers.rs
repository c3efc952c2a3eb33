//! Offers and compensation: the shop proposes a partial refund (the customer keeps the goods), a
//! coupon, points or a gift; the customer accepts, and a refund runs at once under the key
//! `offer:{id}`, or declines, and the case goes on as asked. One open offer per case. On a
//! complaint or a consultation, money offered is goodwill: it goes back over the order's lines
//! (never more than is left of what was paid) and the case stays where it is. Staff may also
//! give compensation directly (`compensate`): an offer made and accepted at once.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::refunds::{self, RefundInput, RefundLineInput, RefundOutcome};
use super::text_field;
use crate::db::cases::{self, CaseRecord};
use crate::db::offers::{self, NewOffer, OfferRecord};
use crate::db::shops::Actor;
use crate::db::{Database, settings};
use crate::domain::permissions::{Capability, allows};
use crate::domain::refund::{LineBalance, split_refund};
use crate::domain::{Money, Role};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    /// partial_refund (default: money back, the goods kept), coupon, points, gift, or
    /// return_address (a nearer address to send the goods back to; worth nothing).
    pub kind: Option<String>,
    /// The money offered, or what the coupon, points or gift are worth to the shop, in minor
    /// units of the order's currency (0 for return_address).
    pub amount_minor: i64,
    /// The coupon's code, the number of points, the gift, the return address (needed for
    /// those kinds).
    pub detail: Option<String>,
    /// Shown to the customer with the offer.
    pub note: Option<String>,
    /// A coupon's last day (YYYY-MM-DD).
    #[serde(default)]
    pub valid_until: Option<String>,
}

pub const KINDS: &[&str] = &[
    "partial_refund",
    "coupon",
    "points",
    "gift",
    "return_address",
    "refund_instead",
];

/// Offers worth nothing in money: a nearer return address; a refund instead of an exchange's
/// replacement (the refund follows the return, as any return's).
fn worth_nothing(kind: &str) -> bool {
    matches!(kind, "return_address" | "refund_instead")
}

/// The offer's kind and detail, checked.
fn kind_of(input: &OfferInput) -> AppResult<(String, Option<String>)> {
    let kind = text_field("kind", input.kind.as_deref(), false, 32)?
        .unwrap_or_else(|| "partial_refund".into());
    if !KINDS.contains(&kind.as_str()) {
        return Err(AppError::invalid(
            "kind",
            format!("unknown kind '{kind}'; use one of: {}", KINDS.join(", ")),
        ));
    }
    let mut detail = text_field("detail", input.detail.as_deref(), false, 200)?;
    // A coupon without a code pasted from the platform gets one of the shop's own.
    if kind == "coupon" && detail.is_none() {
        detail = Some(coupon_code());
    }
    if !matches!(kind.as_str(), "partial_refund" | "refund_instead") && detail.is_none() {
        return Err(AppError::invalid(
            "detail",
            format!("a {kind} needs its detail: the coupon's code, the points, the gift"),
        ));
    }
    Ok((kind, detail))
}

/// A coupon code of the shop's own: `Q` and ten letters and digits that cannot be confused
/// (no 0/O, 1/I/L).
fn coupon_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut random = rand::rng();
    let code: String = (0..10)
        .map(|_| ALPHABET[random.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("Q{code}")
}

/// A coupon's last day, checked (YYYY-MM-DD); only coupons have one.
fn valid_until(kind: &str, input: &OfferInput) -> AppResult<Option<String>> {
    let Some(text) = input
        .valid_until
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
    else {
        return Ok(None);
    };
    if kind != "coupon" {
        return Err(AppError::invalid(
            "valid_until",
            "only a coupon has a last day",
        ));
    }
    text.parse::<jiff::civil::Date>()
        .map(|date| Some(date.to_string()))
        .map_err(|_| {
            AppError::invalid(
                "valid_until",
                format!("'{text}' is not a day like 2026-12-31"),
            )
        })
}

/// Whether money offered on this case is goodwill (the case does not pay goods back).
fn goodwill(case: &CaseRecord) -> bool {
    !case.kind.pays_back()
}

fn conflict(code: &'static str, message: &str) -> AppError {
    AppError::Conflict {
        code,
        message: message.into(),
        details: json!({}),
    }
}

/// Makes an offer on an open refund or complaint case, within what is left to refund. An
/// agent's compensation above the shop's caps waits for a supervisor (`pending_approval`).
pub async fn make(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &OfferInput,
) -> AppResult<OfferRecord> {
    make_with(database, actor, case_id, input, false).await
}

async fn make_with(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &OfferInput,
    direct: bool,
) -> AppResult<OfferRecord> {
    AppError::require(actor.role, Capability::MakeOffers)?;
    let note = text_field("note", input.note.as_deref(), false, 2000)?;
    let (kind, detail) = kind_of(input)?;
    let valid_until = valid_until(&kind, input)?;
    if worth_nothing(&kind) {
        if input.amount_minor != 0 {
            return Err(AppError::invalid(
                "amount_minor",
                format!("a {kind} offer carries no money: amount_minor is 0"),
            ));
        }
    } else if input.amount_minor <= 0 {
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
    let refund_case_moves = case.kind.pays_back() && kind == "partial_refund";
    if !case.status.is_open()
        || (refund_case_moves
            && !matches!(
                case.status,
                crate::domain::Status::Submitted | crate::domain::Status::Approved
            ))
    {
        return Err(conflict(
            "offer_not_possible",
            "an offer can be made on an open case; a partial refund on a refund case while it is submitted or approved",
        ));
    }
    if kind == "return_address"
        && !(case.kind.ships_back()
            && matches!(
                case.status,
                crate::domain::Status::Submitted | crate::domain::Status::Approved
            ))
    {
        return Err(conflict(
            "offer_not_possible",
            "a changed return address is offered on a case whose goods come back, before they are sent",
        ));
    }
    // A refund instead: on an exchange whose replacement has not gone out.
    let replacement_sent = matches!(
        case.status,
        crate::domain::Status::ReplacementShipped | crate::domain::Status::ReplacementDelivered
    );
    if kind == "refund_instead"
        && (case.kind != crate::domain::CaseKind::Exchange || replacement_sent)
    {
        return Err(conflict(
            "offer_not_possible",
            "a refund instead is offered on an exchange whose replacement has not gone out",
        ));
    }
    if offers::open_in(&mut transaction, &case.id).await?.is_some()
        || offers::pending_in(&mut transaction, &case.id)
            .await?
            .is_some()
    {
        return Err(conflict(
            "offer_already_open",
            "this case already has an open offer; withdraw it before making another",
        ));
    }
    // The offer is in the order's own currency, as its refund will be.
    let (currency, _) =
        super::refunds::lock_order(&mut transaction, database.backend, &case, &actor.shop).await?;
    let left: i64 = balances(&mut transaction, &case)
        .await?
        .iter()
        .map(LineBalance::remaining_minor)
        .sum();
    if kind == "partial_refund" && input.amount_minor > left {
        return Err(AppError::invalid(
            "amount_minor",
            format!(
                "the offer is more than the {} left to refund on this case",
                Money::new(left, currency)
            ),
        ));
    }
    let settings = settings::get(database, &actor.shop.id).await?;
    let caps = &settings.costs;
    let waits = match (
        &actor.staff_id,
        caps.compensation_cap_per_case_minor.is_some()
            || caps.compensation_cap_per_agent_month_minor.is_some(),
    ) {
        (Some(staff_id), true) => {
            let given = offers::given_on_case(&mut transaction, &case.id).await?;
            let month_start = month_start(now, &actor.shop.time_zone);
            let month = offers::given_by(
                &mut transaction,
                &actor.shop.id,
                staff_id,
                currency.as_str(),
                month_start,
            )
            .await?;
            crate::domain::costs::approval_needed(
                caps,
                actor.role,
                input.amount_minor,
                given,
                month,
                caps.applies_to(currency.as_str(), actor.shop.currency.as_str()),
            )
        }
        _ => None,
    };
    let id = offers::insert(
        &mut transaction,
        &NewOffer {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            kind: &kind,
            amount_minor: input.amount_minor,
            currency: currency.as_str(),
            note: note.as_deref(),
            detail: detail.as_deref(),
            created_by: actor.staff_id.as_deref(),
            now,
            state: if waits.is_some() {
                "pending_approval"
            } else {
                "open"
            },
            direct,
            valid_until: valid_until.as_deref(),
        },
    )
    .await?;
    let mut data = json!({
        "offer_id": id, "kind": kind, "amount_minor": input.amount_minor,
        "currency": currency.as_str(), "note": note, "detail": detail,
        "valid_until": valid_until,
    });
    if let Some(why) = waits {
        data["approval_needed"] = json!(why);
    }
    super::record_event(
        &mut transaction,
        actor,
        &case.id,
        if waits.is_some() {
            "offer_pending_approval"
        } else {
            "offer_made"
        },
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

/// The first moment of the month `now` falls in, in the shop's zone.
fn month_start(now: i64, zone: &jiff::tz::TimeZone) -> i64 {
    crate::domain::time::local_date(now, zone)
        .first_of_month()
        .to_zoned(zone.clone())
        .map(|zoned| zoned.timestamp().as_microsecond())
        .unwrap_or(0)
}

/// What may still go back: on the case's claimed units, or (goodwill) on the whole order.
async fn balances(
    transaction: &mut crate::db::Transaction,
    case: &CaseRecord,
) -> AppResult<Vec<LineBalance>> {
    Ok(refunds::lines_for(transaction, case, goodwill(case))
        .await?
        .iter()
        .map(cases::CaseLineRecord::balance)
        .collect())
}

/// Pays an accepted offer's money (a partial refund) under the key `offer:{id}`, by `system`;
/// a coupon, points or a gift carry no refund. Returns the refund's id.
async fn pay(
    transaction: &mut crate::db::Transaction,
    database: &Database,
    actor: &Actor,
    case: &CaseRecord,
    offer: &OfferRecord,
    settings: &crate::domain::settings::ShopSettings,
    now: i64,
) -> AppResult<Option<String>> {
    // What the shop gives is its cost (a partial refund too: money back, nothing returned).
    super::costs::book(
        transaction,
        actor,
        case,
        &[super::costs::Automatic {
            kind: crate::domain::costs::CostKind::Compensation,
            payer: crate::domain::costs::Payer::Shop,
            amount_minor: offer.amount_minor,
            sku: None,
            source: format!("offer:{}", offer.id),
            note: Some(match &offer.detail {
                Some(detail) => format!("{}: {detail}", offer.kind),
                None => offer.kind.clone(),
            }),
        }],
        now,
    )
    .await?;
    if offer.kind != "partial_refund" {
        return Ok(None);
    }
    let goodwill = goodwill(case);
    let lines_by_id = refunds::lines_for(transaction, case, goodwill).await?;
    let split =
        split_refund(&balances(transaction, case).await?, offer.amount_minor).ok_or_else(|| {
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
        event_data: json!({ "offer_id": offer.id, "goodwill": goodwill }),
        goodwill,
    };
    let outcome = refunds::refund_locked(
        transaction,
        database.backend,
        &system,
        case,
        &request,
        settings,
    )
    .await?;
    Ok(Some(match outcome {
        RefundOutcome::Executed(refund) | RefundOutcome::Replayed(refund) => refund.id,
    }))
}

/// Gives compensation at once (staff): an offer made and accepted in one step, its money paid
/// as an accepted offer's is.
pub async fn compensate(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &OfferInput,
) -> AppResult<OfferRecord> {
    let offer = make_with(database, actor, case_id, input, true).await?;
    if offer.state == "pending_approval" {
        return Ok(offer);
    }
    accept_direct(database, actor, case_id, offer).await
}

/// Accepts compensation given directly (at once, or once a supervisor approved it).
async fn accept_direct(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    offer: OfferRecord,
) -> AppResult<OfferRecord> {
    let now = database.clock.now();
    let settings = settings::get(database, &actor.shop.id).await?;
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let data = json!({
        "offer_id": offer.id, "kind": offer.kind, "amount_minor": offer.amount_minor,
        "currency": offer.currency, "detail": offer.detail, "direct": true,
    });
    super::record_event(
        &mut transaction,
        actor,
        &case.id,
        "offer_accepted",
        data,
        now,
    )
    .await?;
    let refund_id = pay(
        &mut transaction,
        database,
        actor,
        &case,
        &offer,
        &settings,
        now,
    )
    .await?;
    if !offers::answer(
        &mut transaction,
        &offer.id,
        "accepted",
        refund_id.as_deref(),
        now,
    )
    .await?
    {
        return Err(AppError::Unavailable);
    }
    transaction.commit().await?;
    offers::for_case(&database.writer, &case.id)
        .await?
        .into_iter()
        .find(|found| found.id == offer.id)
        .ok_or(AppError::Unavailable)
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
    let data = json!({
        "offer_id": offer.id, "kind": offer.kind, "amount_minor": offer.amount_minor,
        "currency": offer.currency, "detail": offer.detail,
    });
    super::record_event(&mut transaction, actor, &case.id, action, data, now).await?;
    // The customer agrees to a refund instead of the replacement: the exchange becomes a return.
    if answer == Answer::Accept && offer.kind == "refund_instead" {
        super::transitions::exchange_to_refund(
            &mut transaction,
            actor,
            &case,
            json!({ "offer_id": offer.id }),
            &settings,
            now,
        )
        .await?;
    }
    let refund_id = if answer == Answer::Accept {
        pay(
            &mut transaction,
            database,
            actor,
            &case,
            &offer,
            &settings,
            now,
        )
        .await?
    } else {
        None
    };
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

/// A supervisor approves (the offer goes to the customer, or, given directly, is accepted at
/// once) or refuses compensation an agent offered above the shop's caps.
pub async fn approve(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    offer_id: &str,
    approved: bool,
    note: Option<&str>,
) -> AppResult<OfferRecord> {
    AppError::require(actor.role, Capability::ApproveCompensation)?;
    let note = text_field("note", note, !approved, 500)?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let offer = offers::pending_in(&mut transaction, &case.id)
        .await?
        .filter(|offer| offer.id == offer_id)
        .ok_or_else(|| {
            conflict(
                "offer_not_pending",
                "this offer does not wait for approval (approved, refused or withdrawn)",
            )
        })?;
    let state = if approved { "open" } else { "refused" };
    if !offers::approve(
        &mut transaction,
        &offer.id,
        state,
        actor.staff_id.as_deref(),
        now,
    )
    .await?
    {
        return Err(AppError::Unavailable);
    }
    super::record_event(
        &mut transaction,
        actor,
        &case.id,
        if approved {
            "offer_approved"
        } else {
            "offer_refused"
        },
        json!({ "offer_id": offer.id, "kind": offer.kind, "amount_minor": offer.amount_minor,
                "currency": offer.currency, "note": note }),
        now,
    )
    .await?;
    transaction.commit().await?;
    let approved_offer = offers::for_case(&database.writer, &case.id)
        .await?
        .into_iter()
        .find(|found| found.id == offer.id)
        .ok_or(AppError::Unavailable)?;
    if approved && offer.direct {
        return accept_direct(database, actor, &case.id, approved_offer).await;
    }
    Ok(approved_offer)
}

/// Goodwill compensation that fits an open case (docs/POLICY.md, "Goodwill"): shares of what was
/// paid for the case's goods, in the order's currency.
pub fn suggestions(
    case: &CaseRecord,
    lines: &[cases::CaseLineRecord],
) -> Vec<crate::domain::policy::goodwill::Suggestion> {
    if !case.status.is_open() {
        return Vec::new();
    }
    let paid: i64 = lines
        .iter()
        .map(|line| {
            i64::try_from(
                i128::from(line.paid_minor) * i128::from(line.quantity)
                    / i128::from(line.ordered_quantity.max(1)),
            )
            .unwrap_or(0)
        })
        .sum();
    let unit = crate::domain::Currency::parse(&case.currency)
        .map(|currency| 10_i64.pow(currency.exponent()))
        .unwrap_or(100);
    crate::domain::policy::goodwill::suggest(case.kind, &case.reason_code, paid, unit)
}
