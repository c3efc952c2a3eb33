//! EU (Directive 2011/83 withdrawal, Directive 2019/771 legal guarantee) and UK (Consumer
//! Contracts Regulations 2013, Consumer Rights Act 2015). The UK follows the EU's shape with its
//! own numbers, so one file reads both; `uk` picks the rule ids.

use jiff::civil::{Date, date};

use super::decision::{Builder, Party, text};
use super::periods::{DayPeriod, add_months, deadline};
use super::request::{Jurisdiction, Nature, Remedy};
use super::settlement::{Settlement, refund};
use super::{Context, PolicyError};

pub fn decide(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let uk = context.request.jurisdiction == Jurisdiction::UK;
    withdrawal(context, builder, uk)?;
    if context.request.reason.is_nonconformity() {
        if uk {
            uk_guarantee(context, builder)?;
        } else {
            eu_guarantee(context, builder)?;
        }
    }
    if !uk {
        withdrawal_function(context, builder);
    }
    Ok(())
}

/// The exception (EU-R12 / UK-R4) that takes away the right of withdrawal, if any.
fn exception(context: &Context, uk: bool) -> Option<(String, &'static str)> {
    let id = |letter: &str| {
        if uk {
            "UK-R4".to_string()
        } else {
            format!("EU-R12({letter})")
        }
    };
    for item in context.returned_items() {
        let unsealed = item.sealed == Some(false);
        let found = if item.has(Nature::MarketPriced) {
            Some((id("b"), "its price depends on the financial market"))
        } else if item.has(Nature::CustomMade) {
            Some((
                id("c"),
                "it is made to the consumer's specifications or personalised",
            ))
        } else if item.has(Nature::Perishable) {
            Some((id("d"), "it deteriorates or expires rapidly"))
        } else if item.has(Nature::HygieneSealed) && unsealed {
            Some((
                id("e"),
                "sealed for health or hygiene reasons and unsealed after delivery",
            ))
        } else if item.has(Nature::MixedInseparably) {
            Some((id("f"), "it was inseparably mixed with other items"))
        } else if item.has(Nature::AudioVisual) && unsealed {
            Some((
                id("i"),
                "a sealed recording or software unsealed after delivery",
            ))
        } else if item.has(Nature::Periodical) && !item.has(Nature::Subscription) {
            Some((id("j"), "a newspaper or periodical (not a subscription)"))
        } else if item.has(Nature::DigitalDownload)
            && context.request.facts.digital_consent_acknowledged
        {
            Some((
                id("m"),
                "digital content supplied with the consumer's consent and acknowledgement",
            ))
        } else {
            None
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn withdrawal(context: &Context, builder: &mut Builder, uk: bool) -> Result<(), PolicyError> {
    let request = context.request;
    let (start_ids, late_info_id) = if uk {
        (vec!["UK-R1"], "UK-R1")
    } else {
        (vec!["EU-R1", "EU-R2", "EU-R3"], "EU-R4")
    };
    if let Some((id, why)) = exception(context, uk) {
        builder.refuse(
            Remedy::ReturnAndRefund,
            "withdrawal",
            &[id.as_str()],
            text(
                format!("不享有撤回权：{why}"),
                format!("No right of withdrawal: {why}"),
            ),
        );
        builder.find(
            "excluded",
            &[id.as_str()],
            text(
                format!("撤回权例外：{why}"),
                format!("Exception to withdrawal: {why}"),
            ),
        );
        return Ok(());
    }
    for item in context.returned_items() {
        if item.has(Nature::DigitalDownload) {
            builder.find(
                "withdrawal_right_remains",
                &[if uk { "UK-R4" } else { "EU-R12(m)" }],
                text("未取得消费者放弃撤回权的明确同意和确认：撤回权仍在", "No express consent and acknowledgement was collected: the right of withdrawal remains"),
            );
        } else if item.has(Nature::AudioVisual) && item.sealed == Some(true) {
            builder.find(
                "withdrawal_right_remains",
                &[if uk { "UK-R4" } else { "EU-R12(i)" }],
                text(
                    "密封未拆：撤回权仍在",
                    "The seal is intact: the right of withdrawal remains",
                ),
            );
        }
    }
    let Some(received) = context.receipt() else {
        builder.allow(
            Remedy::ReturnAndRefund,
            "withdrawal",
            &[start_ids[0]],
            text(
                "收货前及收货后14天内可无理由撤回",
                "Withdrawal without reason is possible before and for 14 days after delivery",
            ),
        );
        return Ok(());
    };
    let days = context.no_reason_days;
    let counted = DayPeriod::after(received.date(), days);
    let weekends = |period: DayPeriod| {
        if uk {
            period
        } else {
            period.extended(&context.calendar)
        }
    };
    let mut ids = start_ids.clone();
    if context.dates.last_item_delivered.is_some()
        && request.items.len() > 1
        && !ids.contains(&"EU-R2")
        && !uk
    {
        ids.push("EU-R2");
    }
    let period = if !request.facts.withdrawal_information_given {
        ids.push(late_info_id);
        let long = add_months(counted.counted_last_day, 12);
        let mut end = DayPeriod {
            first_day: counted.first_day,
            counted_last_day: long,
            last_day: long,
        };
        if let Some(given) = &context.dates.withdrawal_information_given {
            let after_info = DayPeriod::after(given.date(), 14).counted_last_day;
            if after_info < long {
                end = DayPeriod {
                    first_day: counted.first_day,
                    counted_last_day: after_info,
                    last_day: after_info,
                };
            }
        }
        builder.find(
            "withdrawal_information_missing",
            &[late_info_id],
            text(
                format!("商家未告知撤回权：撤回期延长至 {}", end.last_day),
                format!(
                    "The trader did not give the withdrawal information: the period runs until {}",
                    end.last_day
                ),
            ),
        );
        weekends(end)
    } else {
        weekends(counted)
    };
    let act = context.act_date();
    builder.deadlines.push(deadline(
        "withdrawal",
        &period,
        &context.zone,
        Some(act),
        &ids,
        text(
            format!("撤回期：自 {} 起 {days} 天，至 {}（发出通知即可）", period.first_day, period.last_day),
            format!("Withdrawal period: {days} days from {}, until the end of {} (sending the notice in time is enough)", period.first_day, period.last_day),
        ),
    ));
    let id_list: Vec<&str> = ids
        .iter()
        .copied()
        .chain(std::iter::once(if uk { "UK-R1" } else { "EU-R5" }))
        .collect();
    if !period.contains(act) {
        builder.refuse(
            Remedy::ReturnAndRefund,
            "withdrawal",
            &id_list,
            text(
                format!("撤回期已于 {} 结束", period.last_day),
                format!("The withdrawal period ended on {}", period.last_day),
            ),
        );
        return Ok(());
    }
    builder.allow_until(
        Remedy::ReturnAndRefund,
        "withdrawal",
        &id_list,
        text(
            format!("在撤回期内（至 {}），无需理由", period.last_day),
            format!(
                "Within the withdrawal period (until {}); no reason needed",
                period.last_day
            ),
        ),
        &period.last_day.to_string(),
    );
    if let Some(channel) = request.channel.as_ref().filter(|_| !uk) {
        builder.find(
            "withdrawal_statement_valid",
            &["EU-R5"],
            text(
                format!("以{channel}方式作出的明确撤回声明有效，无需使用示范表格；举证责任在消费者"),
                format!("An unequivocal statement by {channel} is valid; the model form is not required; the consumer bears the burden of proving it"),
            ),
        );
    }
    let Some(notice) = context.dates.requested.as_ref().map(|moment| moment.date()) else {
        builder.refund = refund(request, Settlement::NoReason).map_err(PolicyError)?;
        return Ok(());
    };
    // The consumer sends the goods back within 14 days of the notice.
    let back = DayPeriod::after(notice, 14);
    let shipped = context
        .dates
        .return_shipped
        .as_ref()
        .map(|moment| moment.date());
    let return_id = if uk { "UK-R3" } else { "EU-R10" };
    builder.deadlines.push(deadline(
        "return_shipment",
        &back,
        &context.zone,
        shipped,
        &[return_id],
        text(
            format!("通知撤回后14天内（至 {}）寄回商品", back.last_day),
            format!(
                "Send the goods back within 14 days of the notice (by {})",
                back.last_day
            ),
        ),
    ));
    if shipped.is_some_and(|date| !back.contains(date)) {
        builder.find(
            "late_return_shipment",
            &[return_id],
            text(
                format!("消费者逾期寄回（应于 {} 前）：撤回仍有效，但消费者违反了寄回义务", back.last_day),
                format!("The goods were sent back late (due by {}): the withdrawal stays valid, but the consumer breached the duty to return", back.last_day),
            ),
        );
    }
    // The trader refunds within 14 days (EU: of the notice; UK: of getting the goods back).
    let refund_id = if uk { "UK-R2" } else { "EU-R7" };
    let refund_start = if uk {
        context
            .dates
            .return_received
            .as_ref()
            .or(context.dates.return_shipped.as_ref())
            .map(|moment| moment.date())
    } else {
        Some(notice)
    };
    if let Some(start) = refund_start {
        let due = DayPeriod::after(start, 14);
        builder.deadlines.push(deadline(
            "refund_due",
            &due,
            &context.zone,
            context.dates.refunded.as_ref().map(|moment| moment.date()),
            &[refund_id],
            text(
                format!("退款期限：{}（原支付方式，不收费）", due.last_day),
                format!(
                    "Refund by {} by the same means of payment, without fees",
                    due.last_day
                ),
            ),
        ));
    }
    if !uk && !request.facts.trader_collects {
        builder.find(
            "refund_may_wait_for_goods",
            &["EU-R9"],
            text("商家可在收到退回商品或寄回凭证之前（以先到者为准）暂不退款", "The trader may withhold the refund until it has the goods back or proof they were sent, whichever is first"),
        );
    }
    let seller_pays_return = request.facts.seller_pays_return_freight
        || request.shop_policy.free_return_shipping
        || !request.facts.return_cost_information_given;
    builder.freight(
        Party::Seller,
        if seller_pays_return { Party::Seller } else { Party::Buyer },
        &[if uk { "UK-R2" } else { "EU-R7" }, return_id],
        if seller_pays_return {
            text("退回费用由商家承担（商家同意或未告知由消费者承担）", "The trader pays the return (it agreed, or did not say the consumer pays)")
        } else {
            text("标准送货费随货款退还；寄回的直接费用由消费者承担", "Standard delivery is refunded with the price; the consumer pays the direct cost of sending the goods back")
        },
    );
    builder.refund = refund(request, Settlement::NoReason).map_err(PolicyError)?;
    let diminished = builder.refund.as_ref().is_some_and(|refund| {
        refund
            .deductions
            .iter()
            .any(|deduction| deduction.kind == "diminished_value")
    });
    if diminished {
        builder.find(
            "diminished_value",
            &[if uk { "UK-R2" } else { "EU-R11" }],
            text("撤回有效，但商家可扣除超出检查所需使用造成的贬值", "The withdrawal is valid, but the trader may deduct the value lost by handling beyond what checking needs"),
        );
    }
    Ok(())
}

/// EU-R5a: online contracts from 19 June 2026 need a "withdraw from contract here" function.
fn withdrawal_function(context: &Context, builder: &mut Builder) {
    let from = date(2026, 6, 19);
    let concluded = context
        .dates
        .ordered
        .as_ref()
        .or(context.dates.paid.as_ref())
        .map(|moment| moment.date());
    if context.request.facts.withdrawal_function_offered == Some(false)
        && concluded.is_some_and(|day| day >= from)
    {
        builder.find(
            "withdrawal_function_missing",
            &["EU-R5a"],
            text(
                "2026年6月19日起在线订立的合同必须提供“在此撤回合同”功能：本店不合规",
                "Online contracts from 19 June 2026 need a 'withdraw from contract here' function: the shop does not comply",
            ),
        );
    }
}

fn delivery_date(context: &Context) -> Option<Date> {
    context.receipt().map(|moment| moment.date())
}

fn eu_guarantee(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let request = context.request;
    let fault = context.fault_date();
    let delivered = delivery_date(context);
    let second_hand = context
        .returned_items()
        .any(|item| item.has(Nature::SecondHand));
    if let Some(delivered) = delivered {
        let end = add_months(delivered, 24);
        let period = DayPeriod {
            first_day: delivered,
            counted_last_day: end,
            last_day: end,
        };
        builder.deadlines.push(deadline("legal_guarantee", &period, &context.zone, Some(fault), &["EU-R13"],
            text(format!("法定保证：交付后2年内（至 {end}）显现的不符合"), format!("Legal guarantee: a lack of conformity that shows within 2 years of delivery (until {end})"))));
        if second_hand {
            builder.flag("second_hand_period", &["EU-R13"], "two_years", text("二手商品：成员国可允许约定不少于1年的较短期限", "Second-hand goods: Member States may allow an agreed period of not less than 1 year"));
        }
        if fault > end {
            for remedy in [
                Remedy::Repair,
                Remedy::Exchange,
                Remedy::PriceReduction,
                Remedy::ReturnAndRefund,
            ] {
                builder.refuse(remedy, "legal_guarantee", &["EU-R13"], text(format!("交付已超过2年（{end} 之后）：法定保证已过（成员国可规定更长）"), format!("More than 2 years after delivery (after {end}): outside the legal guarantee (unless national law is longer)")));
            }
            return Ok(());
        }
        let years = request
            .shop_policy
            .presumption_years
            .unwrap_or(1)
            .clamp(1, 2) as i64;
        let presumed_until = add_months(delivered, 12 * years);
        if fault <= presumed_until {
            builder.burden(Party::Seller, &["EU-R14"], text(format!("交付后{years}年内（至 {presumed_until}）显现：推定交付时已存在，由商家证明相反"), format!("Shown within {years} year(s) of delivery (until {presumed_until}): presumed to have existed at delivery; the seller must prove otherwise")));
        } else {
            builder.burden(Party::Buyer, &["EU-R13", "EU-R14"], text(format!("交付后超过{years}年：商家仍负责，但消费者需证明交付时已存在不符合"), format!("After {years} year(s): the seller is still liable, but the consumer must show the defect existed at delivery")));
            if years == 1 {
                builder.flag("presumption_period", &["EU-R14"], "one_year", text("成员国可将推定期延长到2年（店铺设置 presumption_years）", "A Member State may extend the presumption to 2 years (shop setting presumption_years)"));
            }
        }
    }
    let explanation = text(
        "消费者可选择修理或更换，免费、在合理期限内完成",
        "The consumer chooses repair or replacement, free of charge and within a reasonable time",
    );
    builder.allow(
        Remedy::Repair,
        "legal_guarantee",
        &["EU-R13", "EU-R15", "EU-R16"],
        explanation.clone(),
    );
    builder.allow(
        Remedy::Exchange,
        "legal_guarantee",
        &["EU-R13", "EU-R15", "EU-R16"],
        explanation,
    );
    builder.find("remedy_free_of_charge", &["EU-R16"], text("修理或更换必须免费（包括运费），商家自费取回被更换的商品", "Repair or replacement is free of charge, postage included; the seller takes back replaced goods at its expense"));
    builder.freight(
        Party::Seller,
        Party::Seller,
        &["EU-R16"],
        text(
            "保证期内的修理和更换运费由商家承担",
            "The seller pays transport for guarantee repairs and replacements",
        ),
    );
    let history = &request.history;
    let second_stage = (history.repairs + history.replacements >= 1 && history.still_faulty)
        || request.facts.serious_defect
        || request.facts.seller_refused_remedy;
    if second_stage {
        builder.allow(Remedy::PriceReduction, "legal_guarantee", &["EU-R15"], text("修理/更换未成功、严重不符或商家拒绝：可要求减价", "Repair/replacement failed, the defect is serious, or the seller refused: a price reduction may be asked"));
        if request.facts.minor_defect {
            builder.refuse(
                Remedy::ReturnAndRefund,
                "legal_guarantee",
                &["EU-R15"],
                text(
                    "不符合轻微：不得解除合同，可减价",
                    "The lack of conformity is minor: no termination, but a price reduction",
                ),
            );
        } else {
            builder.allow(Remedy::ReturnAndRefund, "legal_guarantee", &["EU-R15", "EU-R17"], text("可解除合同：收到商品或寄回凭证后退款", "The contract may be terminated: refund on receipt of the goods or proof of sending"));
            if builder.refund.is_none() {
                builder.refund = refund(request, Settlement::Nonconformity).map_err(PolicyError)?;
            }
        }
    } else {
        let explanation = if request.facts.minor_defect {
            text(
                "先修理或更换；轻微不符合不得解除合同",
                "Repair or replacement first; a minor lack of conformity never justifies termination",
            )
        } else {
            text(
                "先修理或更换；未成功或商家拒绝时才可减价或解除合同",
                "Repair or replacement first; price reduction or termination only if that fails or the seller refuses",
            )
        };
        builder.refuse(
            Remedy::PriceReduction,
            "legal_guarantee",
            &["EU-R15"],
            explanation.clone(),
        );
        builder.refuse(
            Remedy::ReturnAndRefund,
            "legal_guarantee",
            &["EU-R15"],
            explanation,
        );
    }
    Ok(())
}

fn uk_guarantee(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let request = context.request;
    let fault = context.fault_date();
    let act = context.act_date();
    let Some(delivered) = delivery_date(context) else {
        builder.allow(
            Remedy::ReturnAndRefund,
            "short_term_reject",
            &["UK-R5"],
            text(
                "不符合约定的商品可在交付后30天内拒收",
                "Faulty goods may be rejected within 30 days of delivery",
            ),
        );
        return Ok(());
    };
    // The short-term right to reject: 30 days beginning the day after delivery, paused by a repair.
    let mut period = DayPeriod::after(delivered, 30);
    if let (Some(started), Some(returned)) = (
        &context.dates.repair_started,
        &context.dates.repair_returned,
    ) {
        let started = started.date();
        if period.contains(started) {
            let remaining = started
                .until(period.last_day)
                .map(|span| i64::from(span.get_days()))
                .unwrap_or(0);
            let extra = remaining.max(7);
            let resumed = DayPeriod::after(returned.date(), extra);
            builder.find(
                "reject_period_paused",
                &["UK-R5"],
                text(
                    format!("修理期间拒收期暂停：商品送回后还有 {extra} 天（剩余 {remaining} 天与7天取较长者），至 {}", resumed.last_day),
                    format!("The right to reject paused during the repair: after the goods came back the consumer has {extra} days (the longer of the {remaining} days left and 7), until {}", resumed.last_day),
                ),
            );
            period = resumed;
        }
    }
    let perishable = context
        .returned_items()
        .any(|item| item.has(Nature::Perishable));
    if perishable {
        builder.flag("perishable_shorter", &["UK-R5"], "shorter", text("易腐商品的拒收期较短：以可合理预期保持新鲜的期间为限", "Perishable goods: the right ends when they could reasonably be expected to stay fresh"));
    }
    builder.deadlines.push(deadline(
        "short_term_reject",
        &period,
        &context.zone,
        Some(act),
        &["UK-R5"],
        text(
            format!("短期拒收权：至 {}", period.last_day),
            format!(
                "Short-term right to reject: until the end of {}",
                period.last_day
            ),
        ),
    ));
    let history = &request.history;
    let after_one = history.repairs + history.replacements >= 1 && history.still_faulty;
    if period.contains(act) {
        builder.allow_until(
            Remedy::ReturnAndRefund,
            "short_term_reject",
            &["UK-R5"],
            text(
                format!("在短期拒收期内（至 {}）：全额退款", period.last_day),
                format!(
                    "Within the short-term right to reject (until {}): full refund",
                    period.last_day
                ),
            ),
            &period.last_day.to_string(),
        );
        builder.refund = refund(request, Settlement::Nonconformity).map_err(PolicyError)?;
        let due = DayPeriod::after(act, 14);
        builder.deadlines.push(deadline(
            "refund_due",
            &due,
            &context.zone,
            context.dates.refunded.as_ref().map(|moment| moment.date()),
            &["UK-R6"],
            text(
                format!("商家同意后14天内退款（至 {}）", due.last_day),
                format!("Refund within 14 days of agreeing (by {})", due.last_day),
            ),
        ));
    } else if !after_one && !request.facts.seller_refused_remedy {
        builder.refuse(
            Remedy::ReturnAndRefund,
            "short_term_reject",
            &["UK-R5", "UK-R7"],
            text(
                format!("短期拒收期已于 {} 结束：先修理或更换", period.last_day),
                format!(
                    "The short-term right to reject ended on {}: repair or replacement first",
                    period.last_day
                ),
            ),
        );
    }
    let limit = add_months(delivered, 72);
    if fault > limit {
        builder.find(
            "limitation_period",
            &["UK-R9"],
            text(
                "已超过6年诉讼时效（苏格兰5年）",
                "Past the 6-year limitation period (5 in Scotland)",
            ),
        );
    }
    let explanation = text(
        "可要求修理或更换，在合理时间内、由商家承担费用",
        "Repair or replacement within a reasonable time, at the trader's cost",
    );
    builder.allow(
        Remedy::Repair,
        "repair_or_replace",
        &["UK-R7"],
        explanation.clone(),
    );
    builder.allow(
        Remedy::Exchange,
        "repair_or_replace",
        &["UK-R7"],
        explanation,
    );
    builder.freight(
        Party::Seller,
        Party::Seller,
        &["UK-R7"],
        text(
            "修理、更换由商家承担费用",
            "Repair and replacement are at the trader's cost",
        ),
    );
    if after_one || request.facts.seller_refused_remedy {
        let six_months = add_months(delivered, 6);
        builder.allow(Remedy::ReturnAndRefund, "final_reject", &["UK-R7"], text("修理或更换一次后仍不符合：可最终拒收或减价", "Still faulty after one repair or replacement: final right to reject or a price reduction"));
        builder.allow(
            Remedy::PriceReduction,
            "final_reject",
            &["UK-R7"],
            text("可要求减价", "A price reduction may be asked"),
        );
        if act <= six_months {
            builder.find("no_deduction_for_use", &["UK-R7"], text(format!("交付后6个月内（至 {six_months}）行使最终拒收权：不得扣除使用折旧"), format!("Final rejection within 6 months of delivery (until {six_months}): no deduction for use")));
        } else {
            builder.find("deduction_for_use", &["UK-R7"], text("交付超过6个月后最终拒收：退款可扣除使用价值", "Final rejection more than 6 months after delivery: the refund may be reduced for use"));
        }
        if builder.refund.is_none() {
            builder.refund = refund(request, Settlement::Nonconformity).map_err(PolicyError)?;
        }
    }
    let presumed_until = add_months(delivered, 6);
    if fault <= presumed_until {
        builder.burden(Party::Seller, &["UK-R8"], text(format!("交付后6个月内（至 {presumed_until}）显现：推定交付时已存在，由商家证明相反"), format!("Shown within 6 months of delivery (until {presumed_until}): presumed present at delivery; the trader must prove otherwise")));
    } else {
        builder.burden(
            Party::Buyer,
            &["UK-R8"],
            text(
                "交付6个月后显现：由消费者证明交付时已存在",
                "Shown after 6 months: the consumer must prove it existed at delivery",
            ),
        );
    }
    Ok(())
}
