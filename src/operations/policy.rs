//! The policy engine applied to a case: its order, lines and reason become a request, and the
//! shop's settings its layer. The decision is stored with the case when it is created.

use jiff::Timestamp;

use crate::db::cases::{CaseLineRecord, OrderForCase};
use crate::domain::CaseKind;
use crate::domain::money::{Currency, Money};
use crate::domain::policy::request::{Amount, Dates, Item, OrderMoney, Payment, Reason, Remedy};
use crate::domain::policy::{self, PolicyRequest};
use crate::domain::settings::ShopSettings;

/// What a reason code means to the law: by its code first, then by its category.
pub fn policy_reason(code: &str, category: Option<&str>) -> Reason {
    match code {
        "quality" | "not_working" => Reason::Quality,
        "wrong_item" => Reason::WrongItem,
        "missing_part" => Reason::MissingItem,
        "damaged_in_transit" => Reason::DamagedInTransit,
        "not_as_described" => Reason::NotAsDescribed,
        "late_delivery" => Reason::LateDelivery,
        _ => match category {
            Some("quality") => Reason::Quality,
            Some("fulfilment") => Reason::WrongItem,
            Some("description") => Reason::NotAsDescribed,
            Some("logistics") => Reason::DamagedInTransit,
            _ => Reason::NoReason,
        },
    }
}

fn rfc3339(micros: Option<i64>) -> Option<String> {
    micros
        .and_then(|micros| Timestamp::from_microsecond(micros).ok())
        .map(|timestamp| timestamp.to_string())
}

fn amount(minor: i64, currency: Currency) -> Amount {
    Amount(Money::new(minor, currency).decimal())
}

/// The request for a new case on `order`, asked `now`.
pub fn case_request(
    order: &OrderForCase,
    kind: CaseKind,
    reason_code: &str,
    lines: &[CaseLineRecord],
    settings: &ShopSettings,
    time_zone: &str,
    now: i64,
) -> PolicyRequest {
    let currency =
        Currency::parse(&order.currency).unwrap_or_else(|_| Currency::parse("CNY").expect("CNY"));
    let items = order
        .lines
        .iter()
        .map(|line| {
            let returned = lines
                .iter()
                .find(|chosen| chosen.order_line_id == line.id)
                .map_or(0, |chosen| chosen.quantity);
            Item {
                name: Some(line.product_name.clone()),
                category: line.category.clone(),
                quantity: u32::try_from(line.quantity).unwrap_or(1).max(1),
                return_quantity: Some(u32::try_from(returned).unwrap_or(0)),
                unit_price: Some(amount(line.unit_price_minor, currency)),
                ..Item::default()
            }
        })
        .collect();
    PolicyRequest {
        jurisdiction: settings.jurisdiction,
        platform: Some(order.platform.clone()),
        time_zone: Some(time_zone.to_string()),
        kind: Remedy::from_case_kind(kind),
        reason: policy_reason(reason_code, order.reason_category.as_deref()),
        items,
        money: OrderMoney {
            currency: Some(order.currency.clone()),
            payments: vec![Payment {
                method: "original".into(),
                amount: amount(order.total_minor, currency),
            }],
            shipping_fee: Some(amount(order.shipping_fee_minor, currency)),
            ..OrderMoney::default()
        },
        dates: Dates {
            ordered: rfc3339(Some(order.placed_at)),
            paid: rfc3339(order.paid_at),
            shipped: rfc3339(order.shipped_at),
            signed: rfc3339(order.delivered_at),
            requested: rfc3339(Some(now)),
            ..Dates::default()
        },
        shop_policy: settings.policy.clone(),
        ..PolicyRequest::default()
    }
}

/// The decision for a new case; `None` for conversations (nothing to decide) or an order the
/// engine cannot read (the case is still created; the reason is logged).
pub fn decide_for_case(
    request: &PolicyRequest,
    kind: CaseKind,
    now: i64,
) -> Option<policy::Decision> {
    if !kind.concerns_goods() {
        return None;
    }
    let now = Timestamp::from_microsecond(now).unwrap_or(Timestamp::UNIX_EPOCH);
    match policy::evaluate(request, now) {
        Ok(decision) => Some(decision),
        Err(error) => {
            tracing::warn!(%error, "policy decision skipped for a new case");
            None
        }
    }
}

/// What the customer may ask for on the whole order today without giving a reason (the
/// no-reason return window, the shop's own promises) — shown before the customer chooses; a
/// request with a reason is decided again when it is sent.
pub fn order_overview(
    order: &OrderForCase,
    settings: &ShopSettings,
    time_zone: &str,
    now: i64,
) -> Option<policy::Decision> {
    let mut request = case_request(
        order,
        CaseKind::ReturnAndRefund,
        "",
        &[],
        settings,
        time_zone,
        now,
    );
    request.kind = None;
    for item in &mut request.items {
        item.return_quantity = Some(item.quantity);
    }
    let now = Timestamp::from_microsecond(now).unwrap_or(Timestamp::UNIX_EPOCH);
    policy::evaluate(&request, now).ok()
}
