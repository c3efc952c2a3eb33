//! An exchange for another variant or product: the replacement chosen with its price, the
//! difference settled both ways (the customer pays what is above what they paid — the shop
//! records the payment — or gets back what is below, refunded when the replacement goes out),
//! the replacement's stock held from the approval and taken when it is sent, let go when the
//! case ends without it. Out of stock, the shop offers a refund instead (`offers`,
//! `refund_instead`), which the customer accepts or declines.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::text_field;
use crate::db::cases::{self, CaseRecord, NewEvent};
use crate::db::shops::Actor;
use crate::db::stock::{self, Hold, NewReplacement, ReplacementRecord};
use crate::db::{Database, Transaction};
use crate::domain::permissions::Capability;
use crate::domain::{Action, CaseKind, Money, Role, Status};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplacementInput {
    /// The replacement's SKU (another size, colour, or product).
    pub sku: String,
    /// Its name as the customer sees it; by default the SKU.
    pub product_name: Option<String>,
    /// Its price per unit, in minor units of the order's currency.
    pub unit_price_minor: i64,
    /// How many; by default as many as the case sends back.
    pub quantity: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleDifferenceInput {
    /// paid (the customer paid the difference: give the payment's reference) or waived (the
    /// shop does not ask for it).
    pub how: String,
    pub reference: Option<String>,
}

/// Stock levels to set, per SKU.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockLevel {
    pub sku: String,
    pub on_hand: i64,
}

/// Where the customer pays what they owe on the exchange: the shop's link with `{amount}`,
/// `{currency}` and `{case}` filled in; none when nothing is owed or the shop set no link.
pub fn payment_link(
    settings: &crate::domain::settings::ShopSettings,
    replacement: &ReplacementRecord,
    case_number: &str,
) -> Option<String> {
    if replacement.difference_minor <= 0 || replacement.settled.is_some() {
        return None;
    }
    let template = settings.exchanges.payment_link.as_deref()?;
    let amount = crate::domain::Currency::parse(&replacement.currency)
        .map(|currency| Money::new(replacement.difference_minor, currency).decimal())
        .ok()?;
    Some(
        template
            .replace("{amount}", &amount)
            .replace("{currency}", &replacement.currency)
            .replace("{case}", case_number),
    )
}

/// Sets stock levels (a shop's own count, or its warehouse's export).
pub async fn set_stock(
    database: &Database,
    actor: &Actor,
    levels: &[StockLevel],
) -> AppResult<usize> {
    AppError::require(actor.role, Capability::ChangeOrders)?;
    if levels.is_empty() || levels.len() > 10_000 {
        return Err(AppError::invalid("items", "1 to 10,000 SKUs at a time"));
    }
    for (index, level) in levels.iter().enumerate() {
        if level.sku.trim().is_empty() || level.sku.len() > 64 {
            return Err(AppError::invalid(
                &format!("[{index}].sku"),
                "a SKU is 1 to 64 characters",
            ));
        }
        if !(0..=1_000_000_000).contains(&level.on_hand) {
            return Err(AppError::invalid(
                &format!("[{index}].on_hand"),
                "on hand is 0 or more",
            ));
        }
    }
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    for level in levels {
        stock::set(
            &mut transaction,
            &actor.shop.id,
            level.sku.trim(),
            level.on_hand,
            now,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(levels.len())
}

/// Chooses the exchange's replacement: the difference is worked out against what was paid for
/// the goods sent back; once approved, its stock is held.
pub async fn choose(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &ReplacementInput,
) -> AppResult<ReplacementRecord> {
    AppError::require(actor.role, Capability::EditCases)?;
    let sku = text_field("sku", Some(&input.sku), true, 64)?.unwrap_or_default();
    let name = text_field("product_name", input.product_name.as_deref(), false, 200)?
        .unwrap_or_else(|| sku.clone());
    if !(0..=1_000_000_000_000).contains(&input.unit_price_minor) {
        return Err(AppError::invalid(
            "unit_price_minor",
            "the price is 0 or more, in minor units of the order's currency",
        ));
    }
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    if case.kind != CaseKind::Exchange
        || !matches!(
            case.status,
            Status::Submitted
                | Status::Approved
                | Status::ReturnShipped
                | Status::Received
                | Status::Inspected
                | Status::InspectionFailed
        )
    {
        return Err(AppError::Conflict {
            code: "no_replacement",
            message: "a replacement is chosen on an exchange before it is sent".into(),
            details: json!({ "kind": case.kind, "status": case.status }),
        });
    }
    let lines = cases::lines_in(&mut transaction, &case.id).await?;
    let returned: i64 = lines.iter().map(|line| line.quantity).sum();
    let quantity = input.quantity.unwrap_or(returned);
    if !(1..=10_000).contains(&quantity) {
        return Err(AppError::invalid("quantity", "1 or more"));
    }
    // What was paid for the units sent back: each line's paid amount for the units claimed.
    let paid: i64 = lines
        .iter()
        .map(|line| line.paid_minor * line.quantity / line.ordered_quantity.max(1))
        .sum();
    let difference = input.unit_price_minor * quantity - paid;
    if let Some(earlier) = stock::replacement_in(&mut transaction, &case.id).await?
        && earlier.reserved == 1
    {
        stock::release(
            &mut transaction,
            &actor.shop.id,
            &earlier.sku,
            earlier.quantity,
            false,
            now,
        )
        .await?;
    }
    stock::choose(
        &mut transaction,
        &NewReplacement {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            sku: &sku,
            product_name: &name,
            quantity,
            unit_price_minor: input.unit_price_minor,
            currency: &case.currency,
            difference_minor: difference,
            now,
        },
    )
    .await?;
    cases::insert_event(
        &mut transaction,
        &NewEvent {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action: "replacement_chosen",
            from_status: None,
            to_status: None,
            data: json!({
                "sku": sku, "product_name": name, "quantity": quantity,
                "unit_price_minor": input.unit_price_minor, "paid_minor": paid,
                "difference_minor": difference, "currency": case.currency,
            }),
        },
    )
    .await?;
    if case.status != Status::Submitted {
        hold(&mut transaction, &case, now).await?;
    }
    transaction.commit().await?;
    stock::replacement(&database.reader, &case.id)
        .await?
        .ok_or(AppError::Unavailable)
}

/// Holds the replacement's stock; short, the case hears of it (and its priority rises) so a
/// person offers a refund instead. Whether it is held (or untracked).
async fn hold(transaction: &mut Transaction, case: &CaseRecord, now: i64) -> AppResult<bool> {
    let Some(replacement) = stock::replacement_in(transaction, &case.id).await? else {
        return Ok(true);
    };
    if replacement.reserved == 1 {
        return Ok(true);
    }
    match stock::hold(
        transaction,
        &case.shop_id,
        &replacement.sku,
        replacement.quantity,
        now,
    )
    .await?
    {
        Hold::Held => {
            stock::mark_reserved(transaction, &case.id, true, now).await?;
            Ok(true)
        }
        Hold::Untracked => Ok(true),
        Hold::Short => {
            cases::raise_priority(transaction, &case.id, case.priority.raised()).await?;
            cases::insert_event(
                transaction,
                &NewEvent {
                    shop_id: &case.shop_id,
                    case_id: &case.id,
                    at: now,
                    actor_role: Role::System,
                    actor_id: None,
                    action: "replacement_out_of_stock",
                    from_status: None,
                    to_status: None,
                    data: json!({ "sku": replacement.sku, "quantity": replacement.quantity }),
                },
            )
            .await?;
            Ok(false)
        }
    }
}

/// The customer paid the difference (or the shop waives it).
pub async fn settle(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &SettleDifferenceInput,
) -> AppResult<ReplacementRecord> {
    AppError::require(actor.role, Capability::SettleRefunds)?;
    let how = input.how.trim();
    if !matches!(how, "paid" | "waived") {
        return Err(AppError::invalid("how", "paid or waived"));
    }
    let reference = text_field("reference", input.reference.as_deref(), how == "paid", 100)?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let replacement = stock::replacement_in(&mut transaction, &case.id)
        .await?
        .ok_or(AppError::NotFound("replacement"))?;
    if replacement.difference_minor <= 0 {
        return Err(AppError::Conflict {
            code: "nothing_to_pay",
            message: "the customer owes nothing on this exchange".into(),
            details: json!({ "difference_minor": replacement.difference_minor }),
        });
    }
    if !stock::settle(&mut transaction, &case.id, how, reference.as_deref(), now).await? {
        return Err(AppError::Conflict {
            code: "settled_already",
            message: "the difference is settled already".into(),
            details: json!({ "settled": replacement.settled }),
        });
    }
    cases::insert_event(
        &mut transaction,
        &NewEvent {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action: "difference_settled",
            from_status: None,
            to_status: None,
            data: json!({ "how": how, "reference": reference, "amount_minor": replacement.difference_minor, "currency": replacement.currency }),
        },
    )
    .await?;
    transaction.commit().await?;
    stock::replacement(&database.reader, &case.id)
        .await?
        .ok_or(AppError::Unavailable)
}

/// Before an action is taken on an exchange: the replacement cannot go out while its stock is
/// short or the customer still owes the difference.
pub async fn before(
    transaction: &mut Transaction,
    case: &CaseRecord,
    action: Action,
    now: i64,
) -> AppResult<()> {
    if case.kind != CaseKind::Exchange || action != Action::ShipReplacement {
        return Ok(());
    }
    let Some(replacement) = stock::replacement_in(transaction, &case.id).await? else {
        return Ok(());
    };
    if replacement.difference_minor > 0 && replacement.settled.is_none() {
        let owed = crate::domain::Currency::parse(&replacement.currency)
            .map(|currency| Money::new(replacement.difference_minor, currency).to_string())
            .unwrap_or_else(|_| replacement.difference_minor.to_string());
        return Err(AppError::Conflict {
            code: "difference_unpaid",
            message: format!(
                "the customer still owes {owed} for the replacement: record the payment (or waive it) first"
            ),
            details: json!({ "difference_minor": replacement.difference_minor }),
        });
    }
    if !hold(transaction, case, now).await? {
        return Err(AppError::Conflict {
            code: "out_of_stock",
            message: format!(
                "{} is out of stock: offer a refund instead (an offer of kind refund_instead), or set the stock",
                replacement.sku
            ),
            details: json!({ "sku": replacement.sku, "quantity": replacement.quantity }),
        });
    }
    Ok(())
}

/// After the case moved: approved, the replacement's stock is held; sent, it is taken off what
/// is on hand (and a difference owed to the customer is refunded); ended or turned into a
/// refund without it, what was held is let go. The refund's amount in minor units, if one is due.
pub async fn after(
    transaction: &mut Transaction,
    case: &CaseRecord,
    action: Action,
    to: Status,
    now: i64,
) -> AppResult<Option<i64>> {
    if case.kind != CaseKind::Exchange {
        return Ok(None);
    }
    let Some(replacement) = stock::replacement_in(transaction, &case.id).await? else {
        return Ok(None);
    };
    match action {
        Action::Approve => {
            let mut approved = case.clone();
            approved.status = to;
            hold(transaction, &approved, now).await?;
            Ok(None)
        }
        Action::ShipReplacement => {
            if replacement.reserved == 1 {
                stock::release(
                    transaction,
                    &case.shop_id,
                    &replacement.sku,
                    replacement.quantity,
                    true,
                    now,
                )
                .await?;
                stock::mark_reserved(transaction, &case.id, false, now).await?;
            }
            Ok(
                (replacement.difference_minor < 0 && replacement.settled.is_none())
                    .then_some(-replacement.difference_minor),
            )
        }
        _ if !to.is_open() => {
            let_go(transaction, case, now).await?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Pays back what the customer paid above the replacement's price, over the case's lines, once
/// (the key `exchange:{case}`); the case stays where it is.
pub async fn refund_difference(
    transaction: &mut Transaction,
    actor: &Actor,
    case: &CaseRecord,
    amount_minor: i64,
    settings: &crate::domain::settings::ShopSettings,
    now: i64,
) -> AppResult<()> {
    use super::refunds::{self, RefundInput, RefundLineInput};
    let lines = cases::lines_in(transaction, &case.id).await?;
    let balances: Vec<_> = lines.iter().map(cases::CaseLineRecord::balance).collect();
    let split = crate::domain::refund::split_refund(&balances, amount_minor).ok_or_else(|| {
        AppError::Conflict {
            code: "difference_exceeds_balance",
            message: "the difference is more than is left to refund on this case".into(),
            details: json!({ "amount_minor": amount_minor }),
        }
    })?;
    let input = RefundInput {
        lines: split
            .iter()
            .filter_map(|part| {
                let line = lines
                    .iter()
                    .find(|line| line.order_line_id == part.order_line_id)?;
                Some(RefundLineInput {
                    line_number: line.line_number,
                    amount_minor: part.amount_minor,
                })
            })
            .collect(),
        shipping_minor: Some(0),
        paid_reference: None,
        method: None,
        note: Some("换货差价 exchange difference".into()),
    };
    let key = format!("exchange:{}", case.id);
    let system = Actor {
        shop: actor.shop.clone(),
        role: Role::System,
        staff_id: None,
    };
    let request = refunds::Request {
        key: &key,
        method: "original",
        note: input.note.as_deref(),
        input: &input,
        now,
        event_data: json!({ "exchange_difference": true }),
        goodwill: true,
    };
    let backend = crate::db::dialect::Backend::of(transaction);
    refunds::refund_locked(transaction, backend, &system, case, &request, settings).await?;
    stock::settle(transaction, &case.id, "refunded", Some(&key), now).await?;
    Ok(())
}

/// The replacement's stock let go (the exchange became a refund).
pub async fn let_go(transaction: &mut Transaction, case: &CaseRecord, now: i64) -> AppResult<()> {
    if let Some(replacement) = stock::replacement_in(transaction, &case.id).await?
        && replacement.reserved == 1
    {
        stock::release(
            transaction,
            &case.shop_id,
            &replacement.sku,
            replacement.quantity,
            false,
            now,
        )
        .await?;
        stock::mark_reserved(transaction, &case.id, false, now).await?;
    }
    Ok(())
}
