//! The refund: the price actually paid for what goes back, every deduction itemised, split over
//! the ways the customer paid (CN-R15–R19, CN-P8, CN-P10, EU-R7/R8/R11, UK-R2).

use serde::Serialize;
use utoipa::ToSchema;

use super::decision::{Text, rules, text};
use super::request::{Amount, Jurisdiction, PolicyRequest};
use crate::domain::money::{Currency, Money};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Refund {
    pub currency: String,
    /// What the customer paid for the goods that go back (their share of the order).
    pub goods: String,
    /// Delivery cost paid back.
    pub shipping: String,
    /// A card fee paid back: only on a whole EU/UK withdrawal ("all payments received", EU-R7,
    /// UK-R2); in China never (CN-R17); otherwise "0.00".
    pub fee: String,
    pub deductions: Vec<Deduction>,
    /// The amount to pay back.
    pub amount: String,
    pub amount_minor: i64,
    /// How the amount goes back: each payment method its part (in-kind methods in kind).
    pub by_method: Vec<MethodShare>,
    pub rules: Vec<String>,
    pub explanation: Text,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Deduction {
    /// gift_not_returned, discount_lost, free_shipping_lost, card_fee, diminished_value, depreciation.
    pub kind: String,
    /// The amount, when the rules fix it; absent when it must be assessed (e.g. diminished value).
    pub amount: Option<String>,
    pub rules: Vec<String>,
    pub explanation: Text,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodShare {
    pub method: String,
    pub amount: String,
    /// Returned as coupon, points or voucher rather than money (CN-R16).
    pub in_kind: bool,
}

/// How the goods go back, which decides the deductions that may apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// A return without a reason: the customer's choice, the customer's costs.
    NoReason,
    /// The goods are faulty: the shop's costs, no deductions.
    Nonconformity,
    /// 三包 return: the invoice price in one payment (CN-R26).
    InvoicePrice,
    /// 三包 return while the same model is available: depreciation may be charged (CN-R29).
    WithDepreciation,
}

pub fn currency_of(request: &PolicyRequest) -> Result<Currency, String> {
    let code = request.money.currency.clone().unwrap_or_else(|| {
        match request.jurisdiction {
            Jurisdiction::CN => "CNY",
            Jurisdiction::EU => "EUR",
            Jurisdiction::UK => "GBP",
            Jurisdiction::US => "USD",
        }
        .into()
    });
    Currency::parse(&code).map_err(|error| error.to_string())
}

fn minor(amount: &Option<Amount>, currency: Currency, field: &str) -> Result<i64, String> {
    match amount {
        None => Ok(0),
        Some(Amount(text)) => {
            let money = Money::parse_decimal(text, currency)
                .map_err(|error| format!("{field}: {error}"))?;
            if money.amount_minor < 0 {
                return Err(format!("{field}: an amount cannot be negative"));
            }
            Ok(money.amount_minor)
        }
    }
}

fn show(minor_units: i64, currency: Currency) -> String {
    Money::new(minor_units, currency).decimal()
}

/// What the customer paid for the goods of the whole order (payments less delivery and any card
/// fee inside them, or the prices less the discounts), in minor units.
pub fn goods_paid(request: &PolicyRequest) -> Result<(i64, Currency), String> {
    let currency = currency_of(request)?;
    let money = &request.money;
    let mut paid = 0_i64;
    for payment in &money.payments {
        paid += minor(
            &Some(payment.amount.clone()),
            currency,
            "money.payments.amount",
        )?;
    }
    let mut list = 0_i64;
    for item in &request.items {
        list += minor(&item.unit_price, currency, "items.unit_price")? * i64::from(item.quantity);
    }
    let mut discounted = 0_i64;
    for discount in &money.discounts {
        discounted += minor(
            &Some(discount.amount.clone()),
            currency,
            "money.discounts.amount",
        )?;
    }
    if !money.payments.is_empty() {
        let shipping = minor(&money.shipping_fee, currency, "money.shipping_fee")?;
        let fee = fee_in_payments(request, currency, list - discounted, paid - shipping)?;
        return Ok(((paid - shipping - fee).max(0), currency));
    }
    Ok(((list - discounted).max(0), currency))
}

/// The card fee the buyer paid inside `payments` (0 when it is not in them). `goods` is what the
/// prices say the goods cost after discounts; `paid` the payments less delivery.
fn fee_in_payments(
    request: &PolicyRequest,
    currency: Currency,
    goods: i64,
    paid: i64,
) -> Result<i64, String> {
    let Some(card) = &request.money.card_fee else {
        return Ok(0);
    };
    let fee = minor(
        &Some(card.amount.clone()),
        currency,
        "money.card_fee.amount",
    )?;
    let priced = request.items.iter().any(|item| item.unit_price.is_some());
    match (card.in_payments, card.waived) {
        (Some(true), true) => Err(
            "money.card_fee: \"waived\": true and \"in_payments\": true say opposite things (a waived fee was not paid)".into(),
        ),
        (Some(true), false) if fee > paid => Err(format!(
            "money.card_fee: the fee ({}) is more than the payments less delivery ({})",
            show(fee, currency),
            show(paid, currency)
        )),
        (Some(true), false) => Ok(fee),
        (Some(false), _) | (None, true) => Ok(0),
        (None, false) if fee == 0 => Ok(0),
        (None, false) if priced && paid == goods + fee => Ok(fee),
        (None, false) if priced && paid == goods => Ok(0),
        (None, false) if priced => Err(format!(
            "money.card_fee: the payments less delivery ({}) are neither the goods after discounts ({}) nor the goods plus the card fee ({}); say whether the payments include the fee with \"in_payments\": true or false",
            show(paid, currency),
            show(goods, currency),
            show(goods + fee, currency)
        )),
        (None, false) => Err(
            "money.card_fee.in_payments: say whether the payments include the card fee (true or false); without item prices it cannot be worked out".into(),
        ),
    }
}

pub fn show_amount(minor_units: i64, currency: Currency) -> String {
    show(minor_units, currency)
}

/// The refund for the goods in `request` that go back (their `return_quantity`).
pub fn refund(request: &PolicyRequest, settlement: Settlement) -> Result<Option<Refund>, String> {
    let currency = currency_of(request)?;
    let money = &request.money;
    let mut list_total = 0_i64;
    let mut returned_list = 0_i64;
    for (index, item) in request.items.iter().enumerate() {
        let unit = minor(
            &item.unit_price,
            currency,
            &format!("items[{index}].unit_price"),
        )?;
        list_total += unit * i64::from(item.quantity);
        returned_list += unit * i64::from(item.returned_quantity());
    }
    let mut payments = Vec::new();
    for (index, payment) in money.payments.iter().enumerate() {
        let amount = minor(
            &Some(payment.amount.clone()),
            currency,
            &format!("money.payments[{index}].amount"),
        )?;
        payments.push((payment.method.clone(), payment.is_in_kind(), amount));
    }
    let shipping_fee = minor(&money.shipping_fee, currency, "money.shipping_fee")?;
    let mut discounts = Vec::new();
    for (index, discount) in money.discounts.iter().enumerate() {
        let amount = minor(
            &Some(discount.amount.clone()),
            currency,
            &format!("money.discounts[{index}].amount"),
        )?;
        let threshold = minor(
            &discount.threshold,
            currency,
            &format!("money.discounts[{index}].threshold"),
        )?;
        discounts.push((threshold, amount));
    }
    let mut paid_total: i64 = payments.iter().map(|(_, _, amount)| amount).sum();
    let discounted: i64 = discounts.iter().map(|(_, amount)| amount).sum();
    // A card fee inside the payments is not the goods' price: it comes off the card payment
    // (else the largest money payment) before anything is shared out (CN-R17).
    let fee_paid = if payments.is_empty() {
        0
    } else {
        fee_in_payments(
            request,
            currency,
            list_total - discounted,
            paid_total - shipping_fee,
        )?
    };
    if fee_paid > 0 {
        let card = payments
            .iter()
            .position(|(method, _, amount)| {
                matches!(method.as_str(), "card" | "credit_card" | "debit_card")
                    && *amount >= fee_paid
            })
            .or_else(|| {
                payments
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, in_kind, _))| !in_kind)
                    .max_by_key(|(_, (_, _, amount))| *amount)
                    .map(|(index, _)| index)
            });
        if let Some(index) = card {
            payments[index].2 = (payments[index].2 - fee_paid).max(0);
        }
        paid_total -= fee_paid;
    }
    let goods_paid = if payments.is_empty() {
        list_total - discounts.iter().map(|(_, amount)| amount).sum::<i64>()
    } else {
        paid_total - shipping_fee
    };
    if list_total == 0 && goods_paid <= 0 {
        return Ok(None);
    }
    if goods_paid < 0 {
        return Err("money: the payments are less than the shipping fee".into());
    }
    let kept_list = list_total - returned_list;
    let whole_order = kept_list == 0 || list_total == 0;
    let share = if whole_order {
        goods_paid
    } else {
        (i128::from(goods_paid) * i128::from(returned_list) / i128::from(list_total)) as i64
    };
    let china = request.jurisdiction == Jurisdiction::CN;
    let taobao = matches!(request.platform.as_deref(), Some("taobao" | "tmall"));
    let mut deductions = Vec::new();
    let mut total_deducted = 0_i64;
    let mut ids: Vec<&str> = Vec::new();
    let no_reason = settlement == Settlement::NoReason;

    if china && no_reason && !whole_order {
        let broken: Vec<&(i64, i64)> = discounts
            .iter()
            .filter(|(threshold, _)| *threshold > 0 && kept_list < *threshold)
            .collect();
        if !broken.is_empty() {
            let still: i64 = discounts
                .iter()
                .filter(|(threshold, _)| *threshold == 0 || kept_list >= *threshold)
                .map(|(_, amount)| amount)
                .sum();
            let kept_cost = kept_list
                - (i128::from(still) * i128::from(kept_list) / i128::from(list_total)) as i64;
            let refund_after = (goods_paid - kept_cost).max(0);
            let lost = (share - refund_after).max(0);
            if lost > 0 {
                total_deducted += lost;
                ids.push("CN-R18");
                deductions.push(Deduction {
                    kind: "discount_lost".into(),
                    amount: Some(show(lost, currency)),
                    rules: rules(&["CN-R18"]),
                    explanation: text(
                        format!("留下的商品不再满足满减条件，按购买时单价结算（多退少补）：留下商品按原价 {} 计", show(kept_list, currency)),
                        format!("The kept goods no longer qualify for the discount; they are settled at their purchase price of {}", show(kept_list, currency)),
                    ),
                });
            }
        }
    }

    if china && no_reason {
        for gift in money.gifts.iter().filter(|gift| !gift.returned) {
            let name = gift.name.clone().unwrap_or_else(|| "赠品".into());
            let gift_rules: &[&str] = if taobao {
                &["CN-R13", "CN-P10", "CN-P11"]
            } else {
                &["CN-R13"]
            };
            ids.extend_from_slice(gift_rules);
            let deduction = match (gift.value.is_some(), taobao) {
                (true, _) => {
                    let value = minor(&gift.value, currency, "money.gifts.value")?;
                    total_deducted += value;
                    Deduction {
                        kind: "gift_not_returned".into(),
                        amount: Some(show(value, currency)),
                        rules: rules(gift_rules),
                        explanation: text(
                            format!(
                                "赠品「{name}」未退回：可按事先标明的价格扣除，但不得因此拒绝退货"
                            ),
                            format!(
                                "The gift '{name}' is not returned: its marked value may be deducted, but the return may not be refused"
                            ),
                        ),
                    }
                }
                // Taobao prices a gift without a declared value at a fair market price (CN-P11).
                (false, true) => Deduction {
                    kind: "gift_not_returned".into(),
                    amount: None,
                    rules: rules(gift_rules),
                    explanation: text(
                        format!(
                            "赠品「{name}」未退回且卖家未申报价值：由淘宝按市场公允价格认定后扣除"
                        ),
                        format!(
                            "The gift '{name}' is not returned and has no declared value: Taobao sets a fair market price to deduct"
                        ),
                    ),
                },
                (false, false) => Deduction {
                    kind: "gift_not_returned".into(),
                    amount: Some(show(0, currency)),
                    rules: rules(gift_rules),
                    explanation: text(
                        format!("赠品「{name}」未退回，但事先没有标明价格：不得扣款"),
                        format!(
                            "The gift '{name}' is not returned, but no price was marked in advance: nothing may be deducted"
                        ),
                    ),
                },
            };
            deductions.push(deduction);
        }
        let threshold = minor(
            &money.free_shipping_threshold,
            currency,
            "money.free_shipping_threshold",
        )?;
        let waived = minor(
            &money.waived_shipping_fee,
            currency,
            "money.waived_shipping_fee",
        )?;
        if threshold > 0 && waived > 0 && !whole_order && kept_list < threshold {
            let freight_rules: &[&str] = if taobao {
                &["CN-R19", "CN-P8"]
            } else {
                &["CN-R19"]
            };
            ids.extend_from_slice(freight_rules);
            total_deducted += waived;
            deductions.push(Deduction {
                kind: "free_shipping_lost".into(),
                amount: Some(show(waived, currency)),
                rules: rules(freight_rules),
                explanation: text(
                    "退货后订单不再满足包邮门槛，可从退款中扣除发货运费",
                    "After the return the order no longer meets the free-shipping threshold: the forward shipping may be deducted",
                ),
            });
        }
        if let Some(card) = &money.card_fee {
            let fee = minor(
                &Some(card.amount.clone()),
                currency,
                "money.card_fee.amount",
            )?;
            ids.push("CN-R17");
            if card.waived && fee > 0 {
                total_deducted += fee;
                deductions.push(Deduction {
                    kind: "card_fee".into(),
                    amount: Some(show(fee, currency)),
                    rules: rules(&["CN-R17"]),
                    explanation: text(
                        "购买时商家免除的信用卡手续费可从退款中扣除",
                        "The card fee the shop waived at purchase may be deducted",
                    ),
                });
            } else {
                deductions.push(Deduction {
                    kind: "card_fee".into(),
                    amount: Some(show(0, currency)),
                    rules: rules(&["CN-R17"]),
                    explanation: if fee_paid > 0 {
                        text(
                            format!("消费者支付的信用卡手续费 {} 无需退还：已从实付金额中剔除，只退商品实付", show(fee_paid, currency)),
                            format!("The card fee of {} the consumer paid need not be refunded: it is taken out of the payments, only the goods' price is refunded", show(fee_paid, currency)),
                        )
                    } else {
                        text(
                            "消费者支付的信用卡手续费，商家无需退还（不在退款内）",
                            "The card fee the consumer paid need not be refunded (it is not part of the refund)",
                        )
                    },
                });
            }
        }
    }

    if !china
        && no_reason
        && handled_beyond_checking(request)
        && request.facts.withdrawal_information_given
    {
        let rule = if request.jurisdiction == Jurisdiction::UK {
            "UK-R2"
        } else {
            "EU-R11"
        };
        ids.push(rule);
        deductions.push(Deduction {
            kind: "diminished_value".into(),
            amount: None,
            rules: rules(&[rule]),
            explanation: text(
                "商品经过超出检查所需的使用，可扣除贬值部分（金额需评估）",
                "Handled beyond what is needed to check it: the diminished value may be deducted (to be assessed)",
            ),
        });
    }

    if settlement == Settlement::WithDepreciation {
        ids.push("CN-R29");
        deductions.push(Deduction {
            kind: "depreciation".into(),
            amount: None,
            rules: rules(&["CN-R29"]),
            explanation: text(
                "有同型号可换而消费者坚持退货：可按三包目录的折旧率收取折旧费（自开票日起算，扣除维修和等待时间）",
                "The same model is available but the customer insists on a return: depreciation at the catalogue rate may be charged (from the invoice date, less repair and waiting time)",
            ),
        });
    }

    // Delivery costs: EU/UK pay back standard delivery on a whole-order withdrawal; in China the
    // shop bears freight for faulty goods; a no-reason return's freight is the customer's.
    let mut shipping_back = 0_i64;
    let mut fee_back = 0_i64;
    match (request.jurisdiction, settlement) {
        (Jurisdiction::EU | Jurisdiction::UK, _) if whole_order => {
            let standard = minor(
                &money.standard_shipping_fee,
                currency,
                "money.standard_shipping_fee",
            )?;
            shipping_back = if standard > 0 {
                standard.min(shipping_fee)
            } else {
                shipping_fee
            };
            fee_back = fee_paid;
            if request.jurisdiction == Jurisdiction::EU {
                ids.push("EU-R7");
                if standard > 0 && standard < shipping_fee {
                    ids.push("EU-R8");
                }
            } else {
                ids.push("UK-R2");
            }
        }
        (Jurisdiction::CN, Settlement::Nonconformity | Settlement::InvoicePrice) if whole_order => {
            shipping_back = shipping_fee;
        }
        _ => {}
    }

    let goods_refund = share;
    let amount = (goods_refund + shipping_back + fee_back - total_deducted).max(0);
    let by_method = split(&payments, amount, currency);
    if china && !payments.is_empty() {
        ids.push("CN-R15");
        if payments.iter().any(|(_, in_kind, _)| *in_kind) {
            ids.push("CN-R16");
        }
    }
    match settlement {
        Settlement::InvoicePrice => ids.push("CN-R26"),
        Settlement::NoReason if china => ids.push("CN-R14"),
        _ => {}
    }
    ids.sort();
    ids.dedup();
    Ok(Some(Refund {
        currency: currency.as_str().to_string(),
        goods: show(goods_refund, currency),
        shipping: show(shipping_back, currency),
        fee: show(fee_back, currency),
        deductions,
        amount: show(amount, currency),
        amount_minor: amount,
        by_method,
        rules: rules(&ids),
        explanation: text(
            format!(
                "退款 {}：退回商品实付 {}，运费 {}，扣除 {}",
                show(amount, currency),
                show(goods_refund, currency),
                show(shipping_back, currency),
                show(total_deducted, currency)
            ),
            format!(
                "Refund {}: goods paid {}, delivery {}, deductions {}",
                show(amount, currency),
                show(goods_refund, currency),
                show(shipping_back, currency),
                show(total_deducted, currency)
            ),
        ),
    }))
}

/// Splits `amount` over the payments in proportion to what each paid; the rounding remainder
/// goes to the largest money payment, so the parts always add up exactly.
fn split(payments: &[(String, bool, i64)], amount: i64, currency: Currency) -> Vec<MethodShare> {
    let paid: i64 = payments.iter().map(|(_, _, paid)| paid).sum();
    if payments.is_empty() || paid == 0 {
        return Vec::new();
    }
    let mut shares: Vec<i64> = payments
        .iter()
        .map(|(_, _, each)| (i128::from(amount) * i128::from(*each) / i128::from(paid)) as i64)
        .collect();
    let remainder = amount - shares.iter().sum::<i64>();
    let largest = payments
        .iter()
        .enumerate()
        .max_by_key(|(_, (_, in_kind, each))| (!in_kind, *each))
        .map(|(index, _)| index)
        .unwrap_or(0);
    shares[largest] += remainder;
    payments
        .iter()
        .zip(shares)
        .map(|((method, in_kind, _), share)| MethodShare {
            method: method.clone(),
            amount: show(share, currency),
            in_kind: *in_kind,
        })
        .collect()
}

/// Whether goods going back were handled beyond what checking them needs (EU-R11, UK-R2).
pub fn handled_beyond_checking(request: &PolicyRequest) -> bool {
    request.items.iter().any(|item| {
        item.returned_quantity() > 0
            && item.condition.iter().any(|condition| {
                use super::request::Condition::*;
                matches!(
                    condition,
                    UsedBeyondInspection | Soiled | Damaged | LabelRemoved | HardToRestoreWear
                )
            })
    })
}
