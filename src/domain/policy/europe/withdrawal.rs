//! The right of withdrawal: EU Directive 2011/83 and the UK's Consumer Contracts Regulations
//! 2013 (14 days, extended when the trader did not inform; what is refunded and deducted).

use super::*;

pub(super) fn withdrawal(
    context: &Context,
    builder: &mut Builder,
    uk: bool,
) -> Result<(), PolicyError> {
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
    if (request.facts.regular_delivery
        || (context.dates.last_item_delivered.is_some() && request.items.len() > 1))
        && !ids.contains(&"EU-R2")
        && !uk
    {
        ids.push("EU-R2");
    }
    let period = if !request.facts.withdrawal_information_given {
        ids.push(late_info_id);
        // Not informed: 12 months after the initial period's end. Information given in time
        // (EU: within 12 months from the day of delivery; UK: before those 12 months end)
        // makes it end 14 days after the day it is received, even past the 12 months.
        let long = add_months(counted.counted_last_day, 12);
        let mut end = counted.ending(long);
        if let Some(given) = &context.dates.withdrawal_information_given {
            let given = given.date();
            let in_time = if uk {
                given <= long
            } else {
                given <= add_months(received.date(), 12)
            };
            if in_time {
                end = counted.ending(DayPeriod::after(given, 14).counted_last_day);
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
    // The trader refunds within 14 days (EU: of the notice; UK: of getting the goods back). The
    // goods back, or proof of sending them, whichever is earlier, is the other clock (EU-R9,
    // UK-R2).
    let refund_id = if uk { "UK-R2" } else { "EU-R7" };
    let day = |moment: &Option<jiff::Zoned>| moment.as_ref().map(|moment| moment.date());
    let back = match (
        day(&context.dates.return_received),
        day(&context.dates.return_shipped),
    ) {
        (Some(received), Some(sent)) => Some(received.min(sent)),
        (received, sent) => received.or(sent),
    };
    let refunded = day(&context.dates.refunded);
    let may_wait = !uk && !request.facts.trader_collects;
    let due = if uk {
        back.map(|back| DayPeriod::after(back, 14))
    } else {
        let due = DayPeriod::after(notice, 14);
        Some(match back {
            Some(back) if may_wait && back > due.last_day => due.ending(back),
            _ => due,
        })
    };
    if let Some(due) = due {
        let mut refund_deadline = deadline(
            "refund_due",
            &due,
            &context.zone,
            refunded,
            &if may_wait {
                vec![refund_id, "EU-R9"]
            } else {
                vec![refund_id]
            },
            text(
                format!("退款期限：{}（原支付方式，不收费）", due.last_day),
                format!(
                    "Refund by {} by the same means of payment, without fees",
                    due.last_day
                ),
            ),
        );
        // Without the goods or proof of sending, the trader may still wait: not late.
        if may_wait && back.is_none() && refunded.is_some() {
            refund_deadline.met = Some(true);
        }
        builder.deadlines.push(refund_deadline);
    }
    if may_wait {
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
    } else if crate::domain::policy::settlement::handled_beyond_checking(request) {
        // Considered and withheld: said, with the rule.
        builder.find(
            "no_deduction_without_information",
            &[if uk { "UK-R2" } else { "EU-R11" }],
            text(
                "商品虽经超出检查所需的使用，但商家未告知撤回权，不得扣除贬值",
                "The goods were handled beyond checking them, but the trader did not give the withdrawal information: no deduction for diminished value",
            ),
        );
    }
    Ok(())
}
