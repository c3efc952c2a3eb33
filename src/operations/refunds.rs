//! Refunds, executed exactly once per idempotency key and never beyond what was paid.
//!
//! The case row is locked, then its order's row, so refunds on one case or on one order queue
//! behind each other (on SQLite the single writer connection already serialises them). The
//! balances are read inside that lock, checked by the pure domain, and the refund, the status
//! and the timeline event are written in the same transaction. The unique (shop, key) index is
//! the last guard: a concurrent duplicate fails there, rolls back, and replays the first one.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{clocks, sla, text_field};
use crate::db::cases::{self, CaseLineRecord, CaseRecord, NewEvent};
use crate::db::orders::OrderLineRecord;
use crate::db::refunds::{self, NewRefund, RefundRecord};
use crate::db::settings;
use crate::db::shops::{Actor, Shop};
use crate::db::{Backend, Database, Transaction, is_unique_violation, orders};
use crate::domain::lifecycle::{self, Moment};
use crate::domain::refund::{LineBalance, RefundLine, RefundStatus, check_refund, full_refund};
use crate::domain::settings::ShopSettings;
use crate::domain::{Action, Currency};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundLineInput {
    /// The order line's number (1, 2, …).
    pub line_number: i64,
    /// The amount in minor units (fen for CNY).
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    /// What to refund per case line. Leave out (and leave out `shipping_minor`) to refund
    /// everything the case's units may still have back, with the delivery cost when the whole
    /// order is cancelled before it was shipped.
    #[serde(default)]
    pub lines: Vec<RefundLineInput>,
    /// Delivery cost to pay back, in minor units; at most what was paid for delivery less what
    /// went back already.
    pub shipping_minor: Option<i64>,
    /// original (back the way it was paid, default), balance, bank_transfer, cash.
    pub method: Option<String>,
    pub note: Option<String>,
    /// The payment's reference when the shop has paid it already (on the platform, by bank):
    /// the refund is recorded as paid. Without it the shop's refund provider pays it: `manual`
    /// leaves it "to be paid" until confirmed, `http` sends it to the shop's payment service.
    pub paid_reference: Option<String>,
}

pub const METHODS: &[&str] = &["original", "balance", "bank_transfer", "cash"];

/// What happened: a new refund, or the one already executed under the same key.
pub enum RefundOutcome {
    Executed(RefundRecord),
    Replayed(RefundRecord),
}

pub async fn execute(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    idempotency_key: &str,
    input: &RefundInput,
) -> AppResult<RefundOutcome> {
    let key = idempotency_key.trim();
    if key.is_empty() || key.len() > 300 {
        return Err(AppError::BadRequest {
            code: "idempotency_key_required",
            message: "a refund needs an Idempotency-Key header (1 to 200 characters) so that it runs exactly once".into(),
        });
    }
    let method = text_field("method", input.method.as_deref(), false, 32)?
        .unwrap_or_else(|| "original".into());
    if !METHODS.contains(&method.as_str()) {
        return Err(AppError::invalid(
            "method",
            format!(
                "unknown method '{method}'; use one of: {}",
                METHODS.join(", ")
            ),
        ));
    }
    let note = text_field("note", input.note.as_deref(), false, 2000)?;
    text_field(
        "paid_reference",
        input.paid_reference.as_deref(),
        false,
        200,
    )?;
    match attempt(
        database,
        actor,
        case_id,
        key,
        &method,
        note.as_deref(),
        input,
    )
    .await
    {
        Err(AppError::Internal(error))
            if error
                .downcast_ref::<sqlx::Error>()
                .is_some_and(is_unique_violation) =>
        {
            let mut connection = database.writer.acquire().await?;
            match refunds::find_by_key(&mut connection, &actor.shop.id, key).await? {
                Some(refund) => replay(refund, case_id),
                None => Err(AppError::Unavailable),
            }
        }
        other => other,
    }
}

fn replay(refund: RefundRecord, case_id: &str) -> AppResult<RefundOutcome> {
    if refund.case_id != case_id {
        return Err(AppError::Conflict {
            code: "idempotency_key_reused",
            message: "this Idempotency-Key was already used for a refund on another case".into(),
            details: json!({ "refund_id": refund.id, "case_id": refund.case_id }),
        });
    }
    Ok(RefundOutcome::Replayed(refund))
}

async fn attempt(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    key: &str,
    method: &str,
    note: Option<&str>,
    input: &RefundInput,
) -> AppResult<RefundOutcome> {
    let now = database.clock.now();
    let settings = settings::get(database, &actor.shop.id).await?;
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    super::checklist::require(&mut transaction, actor, &settings, &case, Action::Refund).await?;
    let request = Request {
        key,
        method,
        note,
        input,
        now,
        event_data: json!({}),
        goodwill: false,
    };
    let outcome = refund_locked(
        &mut transaction,
        database.backend,
        actor,
        &case,
        &request,
        &settings,
    )
    .await?;
    transaction
        .commit()
        .await
        .map_err(|error| AppError::Internal(error.into()))?;
    Ok(outcome)
}

/// One refund to execute on a case already locked in `transaction`.
pub struct Request<'a> {
    pub key: &'a str,
    pub method: &'a str,
    pub note: Option<&'a str>,
    pub input: &'a RefundInput,
    pub now: i64,
    /// Merged into the timeline event (e.g. the clock that caused it).
    pub event_data: serde_json::Value,
    /// Goodwill money on a case that does not pay goods back (a complaint's compensation):
    /// spread over the whole order's lines, and the case stays where it is.
    pub goodwill: bool,
}

/// Whether a case's lines claim every unit of the order (what makes a refund before shipping
/// a cancellation of the whole order, with its delivery cost back).
pub fn claims_whole_order(order_lines: &[OrderLineRecord], claimed: &[CaseLineRecord]) -> bool {
    order_lines.iter().all(|line| {
        claimed
            .iter()
            .any(|claim| claim.order_line_id == line.id && claim.quantity == line.quantity)
    })
}

/// The lines a refund on `case` may pay back: the units it claims, or for goodwill every line
/// of the order (as if all its units were claimed: what is left of what was paid).
pub(super) async fn lines_for(
    transaction: &mut Transaction,
    case: &CaseRecord,
    goodwill: bool,
) -> AppResult<Vec<CaseLineRecord>> {
    if !goodwill {
        return Ok(cases::lines_in(transaction, &case.id).await?);
    }
    Ok(orders::lines_in(transaction, &case.order_id)
        .await?
        .into_iter()
        .map(|line| CaseLineRecord {
            order_line_id: line.id,
            line_number: line.line_number,
            sku: line.sku,
            product_name: line.product_name,
            quantity: line.quantity,
            ordered_quantity: line.quantity,
            paid_minor: line.paid_minor,
            refunded_minor: line.refunded_minor,
            case_refunded_minor: 0,
            unit_price_minor: line.unit_price_minor,
            discount_minor: line.discount_minor,
            tax_minor: line.tax_minor,
            serial_number: line.serial_number,
        })
        .collect())
}

/// Locks the case's order (after the case: refunds and offers on one order queue) and returns
/// its own currency, in which its money goes back (the shop's when the order names none), with
/// what else a refund needs to know of it.
pub(super) async fn lock_order(
    transaction: &mut Transaction,
    backend: Backend,
    case: &CaseRecord,
    shop: &Shop,
) -> AppResult<(Currency, orders::LockedOrder)> {
    let order = orders::lock(transaction, backend, &case.order_id)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    let currency = Currency::parse(&order.currency).unwrap_or(shop.currency);
    Ok((currency, order))
}

/// Executes a refund inside the caller's transaction: checks the key, the state machine and
/// the amounts, writes the refund, the new status, its event, and restarts the case's clocks.
pub async fn refund_locked(
    transaction: &mut Transaction,
    backend: Backend,
    actor: &Actor,
    case: &CaseRecord,
    request: &Request<'_>,
    settings: &ShopSettings,
) -> AppResult<RefundOutcome> {
    let shop = &actor.shop;
    let (case_id, key, method, note, input, now) = (
        case.id.as_str(),
        request.key,
        request.method,
        request.note,
        request.input,
        request.now,
    );
    // The order's own currency: a USD order is refunded in USD, whatever the shop's is.
    let (currency, order) = lock_order(transaction, backend, case, shop).await?;
    if let Some(existing) = refunds::find_by_key(transaction, &shop.id, key).await? {
        return replay(existing, case_id);
    }
    // Goodwill money (a complaint's compensation) leaves the case where it is.
    let to = if request.goodwill {
        case.status
    } else {
        lifecycle::next_status(
            case.kind,
            case.status,
            Action::Refund,
            actor.role,
            Moment {
                now,
                ended_at: case.ended_at,
            },
        )?
    };
    if order.payment_status != "paid" {
        return Err(AppError::Conflict {
            code: "order_not_paid",
            message: "the order was never paid, so there is nothing to refund".into(),
            details: json!({ "payment_status": order.payment_status }),
        });
    }
    let case_lines = lines_for(transaction, case, request.goodwill).await?;
    let balances: Vec<LineBalance> = case_lines.iter().map(CaseLineRecord::balance).collect();
    let everything = input.lines.is_empty() && input.shipping_minor.is_none();
    // What delivery cost can still go back, read only when delivery may be refunded.
    let shipping_left =
        if order.shipping_fee_minor > 0 && (everything || input.shipping_minor.unwrap_or(0) != 0) {
            (order.shipping_fee_minor
                - orders::shipping_refunded(&mut **transaction, &case.order_id).await?)
                .max(0)
        } else {
            0
        };
    let requested: Vec<RefundLine> = if everything {
        full_refund(&balances)
    } else {
        input
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let case_line = case_lines
                    .iter()
                    .find(|case_line| case_line.line_number == line.line_number)
                    .ok_or_else(|| {
                        AppError::invalid(
                            &format!("lines[{index}]"),
                            format!("line {} is not part of this case", line.line_number),
                        )
                    })?;
                Ok(RefundLine {
                    order_line_id: case_line.order_line_id.clone(),
                    amount_minor: line.amount_minor,
                })
            })
            .collect::<AppResult<_>>()?
    };
    let shipping = if everything {
        // A whole order cancelled before it was shipped gets its delivery cost back too.
        if shipping_left > 0
            && order.shipped_at.is_none()
            && claims_whole_order(
                &orders::lines_in(transaction, &case.order_id).await?,
                &case_lines,
            )
        {
            shipping_left
        } else {
            0
        }
    } else {
        input.shipping_minor.unwrap_or(0)
    };
    if !(0..=shipping_left).contains(&shipping) {
        return Err(AppError::Conflict {
            code: "shipping_exceeds_paid",
            message: format!(
                "shipping_minor {shipping} is more than the delivery cost that can still go back ({shipping_left})"
            ),
            details: json!({ "shipping_left_minor": shipping_left }),
        });
    }
    if everything && requested.is_empty() && shipping == 0 {
        let paid: i64 = balances.iter().map(|balance| balance.paid_minor).sum();
        return Err(AppError::Refund(
            crate::domain::refund::RefundError::NothingLeft { paid_minor: paid },
        ));
    }
    let total = if requested.is_empty() && shipping > 0 {
        shipping
    } else {
        check_refund(&balances, &requested)? + shipping
    };
    // The units the refund pays back: a refund case's units, the first time money goes back
    // on them (so they cannot be claimed for a refund again once the case ends).
    let units: Vec<i64> = requested
        .iter()
        .map(|line| {
            case_lines
                .iter()
                .find(|case_line| case_line.order_line_id == line.order_line_id)
                .filter(|case_line| case.kind.pays_back() && case_line.case_refunded_minor == 0)
                .map_or(0, |case_line| case_line.quantity)
        })
        .collect();
    let shop_amount_minor =
        shop_amount(transaction, &case.order_id, &order, &requested, shipping).await?;
    let reference = input
        .paid_reference
        .as_deref()
        .map(str::trim)
        .filter(|reference| !reference.is_empty());
    let provider = settings.refunds.provider;
    let status = RefundStatus::first(provider, reference.is_some());
    let refund_id = refunds::insert(
        transaction,
        &NewRefund {
            shop_id: &shop.id,
            case_id,
            idempotency_key: key,
            currency: currency.as_str(),
            method,
            note,
            actor_id: actor.staff_id.as_deref(),
            now,
            lines: &requested,
            units: &units,
            shipping_minor: shipping,
            shop_amount_minor,
            status,
            provider,
            reference,
        },
    )
    .await
    .map_err(|error| AppError::Internal(error.into()))?;
    // The order's invoice, reversed for what went back.
    let refunded: Vec<(i64, i64, i64)> = requested
        .iter()
        .zip(&units)
        .filter_map(|(line, units)| {
            case_lines
                .iter()
                .find(|case_line| case_line.order_line_id == line.order_line_id)
                .map(|case_line| (case_line.line_number, line.amount_minor, *units))
        })
        .collect();
    super::invoices::after_refund(
        transaction,
        actor,
        case,
        &refund_id,
        &refunded,
        shipping,
        now,
    )
    .await?;
    if !request.goodwill
        && !cases::set_status(
            transaction,
            &shop.id,
            case_id,
            case.version,
            to,
            now,
            if to.is_open() { None } else { Some(now) },
        )
        .await?
    {
        return Err(AppError::Unavailable);
    }
    // Counted as written, in the transaction the caller commits.
    crate::metrics::refund(currency.as_str(), total);
    if !request.goodwill && case.status.is_open() && !to.is_open() {
        crate::metrics::case_ended(case.kind.as_str(), to.as_str());
    }
    let mut data = json!({
        "refund_id": refund_id,
        "amount_minor": total,
        "shipping_minor": shipping,
        "currency": currency.as_str(),
        "method": method,
        "status": status.as_str(),
        "provider": provider.as_str(),
        "reference": reference,
        "order_number": case.order_number,
    });
    if let (Some(data), Some(extra)) = (data.as_object_mut(), request.event_data.as_object()) {
        data.extend(extra.clone());
    }
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &shop.id,
            case_id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action: Action::Refund.as_str(),
            from_status: (!request.goodwill).then_some(case.status),
            to_status: (!request.goodwill).then_some(to),
            data,
        },
    )
    .await?;
    if !request.goodwill {
        clocks::restart(transaction, case, to, settings, now).await?;
    }
    // Everything on an order that has not gone out came back: the warehouse must not ship it.
    // Worth asking only when this refund emptied each line it touched.
    let emptied = requested.iter().all(|line| {
        case_lines.iter().any(|case_line| {
            case_line.order_line_id == line.order_line_id
                && case_line.paid_minor - case_line.refunded_minor <= line.amount_minor
        })
    });
    if emptied && order.shipped_at.is_none() {
        super::platform_refunds::stop_shipping_if_void(
            transaction,
            shop,
            &case.order_id,
            &case.order_number,
            false,
            now,
        )
        .await?;
    }
    if !request.goodwill {
        sla::after_change(
            transaction,
            case,
            to,
            actor.role,
            settings,
            &shop.time_zone,
            now,
        )
        .await?;
    }
    Ok(RefundOutcome::Executed(RefundRecord {
        id: refund_id,
        case_id: case_id.to_string(),
        idempotency_key: key.to_string(),
        amount_minor: total,
        currency: currency.as_str().to_string(),
        method: method.to_string(),
        status: status.as_str().into(),
        note: note.map(str::to_string),
        created_at: now,
        shipping_minor: shipping,
        shop_amount_minor,
        provider: provider.as_str().into(),
        reference: reference.map(str::to_string),
        failure: None,
        settled_at: (status == RefundStatus::Succeeded).then_some(now),
        lines: requested,
    }))
}

/// The refund in the shop's currency, when the buyer paid in another: each line's amount at
/// the rate that line was paid at, the shipping at the order's overall rate.
async fn shop_amount(
    transaction: &mut Transaction,
    order_id: &str,
    order: &orders::LockedOrder,
    requested: &[RefundLine],
    shipping: i64,
) -> AppResult<Option<i64>> {
    if order.shop_currency.is_none() {
        return Ok(None);
    }
    let lines = orders::lines_in(transaction, order_id).await?;
    let mut total: i128 = 0;
    let (mut paid_all, mut shop_all) = (0_i128, 0_i128);
    for line in &lines {
        let shop_paid = line.shop_paid_minor.unwrap_or(0);
        paid_all += i128::from(line.paid_minor);
        shop_all += i128::from(shop_paid);
        if let Some(refund) = requested
            .iter()
            .find(|refund| refund.order_line_id == line.id)
            && line.paid_minor > 0
        {
            total += i128::from(refund.amount_minor) * i128::from(shop_paid)
                / i128::from(line.paid_minor);
        }
    }
    if paid_all > 0 {
        total += i128::from(shipping) * shop_all / paid_all;
    }
    Ok(i64::try_from(total).ok())
}
