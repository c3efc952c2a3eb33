//! The 7-day no-reason return (消保法 Art. 25, the 2017 办法): exclusions, "intact", the window,
//! who pays the freight.

use super::*;

pub(super) fn no_reason(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    // Why the no-reason return is refused for an item, if it is: `excluded` or `not_intact`.
    let mut refused: Option<&'static str> = None;
    for item in context.returned_items() {
        if let Some((id, chinese, english)) = absolute_exclusion(item) {
            refused = Some("excluded");
            builder.find(
                "excluded",
                &[id, "CN-R7"],
                text(
                    format!("「{}」属于{chinese}，不适用七天无理由退货", item.label()),
                    format!("'{}' is {english}: no 7-day no-reason return", item.label()),
                ),
            );
            builder.refuse(
                Remedy::ReturnAndRefund,
                "excluded",
                &[id, "CN-R7"],
                text(
                    format!("{chinese}不适用七天无理由退货"),
                    format!("No no-reason return for {english}"),
                ),
            );
            continue;
        }
        // Considered and not biting: said, with the rule.
        if item.has(Nature::AudioVisual) && item.sealed == Some(true) {
            builder.find(
                "exclusion_not_applicable",
                &["CN-R1(3)", "CN-R7"],
                text(
                    format!("「{}」是音像制品或软件，但仍密封、未被拆封：不属于例外，可以无理由退货", item.label()),
                    format!("'{}' is audio-visual goods or software but still sealed: the exception does not apply", item.label()),
                ),
            );
        }
        if let Some(id) = confirmable_exclusion(item) {
            if item.confirmed_non_returnable {
                refused = Some("excluded");
                builder.refuse(
                    Remedy::ReturnAndRefund,
                    "excluded",
                    &["CN-R2", id, "CN-R9"],
                    text(
                        format!("「{}」依其性质不宜退货，且消费者在购买时已确认", item.label()),
                        format!("'{}' is unsuitable for return by nature and the buyer confirmed this at purchase", item.label()),
                    ),
                );
            } else {
                builder.find(
                    "exclusion_not_confirmed",
                    &[id, "CN-R9"],
                    text(
                        format!("「{}」虽可经确认后不适用无理由退货，但购买时没有确认步骤：商家不得拒绝退货", item.label()),
                        format!("'{}' could be excluded only with the buyer's confirmation at checkout, which was not obtained: the shop may not refuse the return", item.label()),
                    ),
                );
            }
        }
        if let Some((id, chinese, english)) = not_intact(item) {
            refused.get_or_insert("not_intact");
            builder.find(
                "not_intact",
                &[id, "CN-R3"],
                text(
                    format!("「{}」{chinese}：商品不完好", item.label()),
                    format!("'{}': {english}, so it is not intact", item.label()),
                ),
            );
            builder.refuse(
                Remedy::ReturnAndRefund,
                "not_intact",
                &[id, "CN-R3"],
                text(
                    format!("商品不完好（{chinese}），可拒绝七天无理由退货"),
                    format!("Not intact ({english}): the no-reason return may be refused"),
                ),
            );
        } else if item.shows(Condition::OpenedForInspection) {
            builder.find(
                "intact_after_inspection",
                &["CN-R10", "CN-R22(b)"],
                text(
                    "为检查而拆封或合理调试不影响商品完好，不得以此拒绝退货",
                    "Opening or a reasonable trial to check the goods does not make them not intact; refusing for it is unlawful",
                ),
            );
        }
    }
    let taobao = context.is_platform(&["taobao", "tmall"]);
    let mut window_ids = vec!["CN-R1", "CN-R6"];
    if taobao {
        window_ids.push("CN-P1");
    }
    let Some(received) = context.receipt() else {
        builder.find(
            "window_not_started",
            &["CN-R6"],
            text(
                "七天期限自签收次日起算，尚未签收",
                "The 7 days start the day after the goods are signed for; they have not been yet",
            ),
        );
        if refused.is_none() {
            builder.allow(
                Remedy::ReturnAndRefund,
                "no_reason",
                &["CN-R1"],
                text(
                    "签收后七天内可无理由退货",
                    "A no-reason return may be asked within 7 days after receipt",
                ),
            );
        }
        if taobao {
            exchange(builder, refused, true, None);
        }
        return settle(context, builder, Settlement::NoReason, true);
    };
    let counted = DayPeriod::after(received.date(), context.no_reason_days);
    let rest_day_end = !context.calendar.is_working_day(counted.counted_last_day);
    let reading = context.request.shop_policy.period_end_reading;
    let period = if rest_day_end && reading == PeriodReading::ConsumerFavourable {
        counted.extended(&context.calendar)
    } else {
        counted
    };
    if rest_day_end {
        let mut ids = vec!["CN-R6"];
        if taobao {
            ids.push("CN-P1");
        }
        let reading_name = match reading {
            PeriodReading::ConsumerFavourable => "consumer_favourable",
            PeriodReading::Strict => "strict",
        };
        builder.flag(
            "period_ends_on_rest_day",
            &ids,
            reading_name,
            text(
                format!("期限最后一天 {} 是休息日：民法典第二百零三条顺延至 {}，淘宝按168小时不顺延；按店铺设置（{}）取 {}", counted.counted_last_day, context.calendar.next_working_day(counted.counted_last_day), if reading == PeriodReading::Strict { "严格" } else { "有利于消费者" }, period.last_day),
                format!("The last day {} is a rest day: the Civil Code moves it to {}, Taobao's 168 hours do not; the shop's setting ({reading_name}) gives {}", counted.counted_last_day, context.calendar.next_working_day(counted.counted_last_day), period.last_day),
            ),
        );
    }
    let act = context.act_date();
    let in_time = period.contains(act);
    builder.deadlines.push(deadline(
        "no_reason_return",
        &period,
        &context.zone,
        Some(act),
        &window_ids,
        text(
            format!(
                "七天无理由退货：自签收次日 {} 起 {} 天，至 {} 24:00",
                period.first_day, context.no_reason_days, period.last_day
            ),
            format!(
                "No-reason return: {} days from {} (the day after signing) to the end of {}",
                context.no_reason_days, period.first_day, period.last_day
            ),
        ),
    ));
    if !in_time {
        builder.refuse(
            Remedy::ReturnAndRefund,
            "late",
            &window_ids,
            text(
                format!("已超过七天无理由退货期（最后一天 {}）", period.last_day),
                format!("The no-reason return period ended on {}", period.last_day),
            ),
        );
    } else if refused.is_none() {
        builder.allow_until(
            Remedy::ReturnAndRefund,
            "no_reason",
            &window_ids,
            text(
                format!(
                    "在七天无理由退货期内（至 {} 24:00），无需说明理由",
                    period.last_day
                ),
                format!(
                    "Within the no-reason return period (until the end of {}); no reason needed",
                    period.last_day
                ),
            ),
            &period.last_day.to_string(),
        );
    }
    if taobao {
        exchange(
            builder,
            refused,
            in_time,
            Some(&period.last_day.to_string()),
        );
    } else {
        builder.refuse(
            Remedy::Exchange,
            "no_reason",
            &["CN-R1"],
            text("法律规定的是无理由退货，不是换货；换货需与商家协商", "The law gives a no-reason return, not an exchange; an exchange needs the shop's agreement"),
        );
    }
    builder.refuse(
        Remedy::Repair,
        "no_reason",
        &[],
        text(
            "没有质量问题，不涉及维修",
            "Without a fault there is nothing to repair",
        ),
    );
    settle(
        context,
        builder,
        Settlement::NoReason,
        in_time && refused.is_none(),
    )?;
    freight_no_reason(context, builder, taobao);
    Ok(())
}

/// Taobao/Tmall's no-reason exchange (CN-P9): the same window, reading and exclusions as the
/// no-reason return (CN-R1, CN-R6, CN-P1), the buyer paying all its freight. `last_day` is the
/// window's last day once the goods are signed for.
fn exchange(builder: &mut Builder, refused: Option<&str>, in_time: bool, last_day: Option<&str>) {
    let ids = ["CN-P9", "CN-R1", "CN-R6", "CN-P1"];
    if !in_time {
        let last_day = last_day.unwrap_or_default();
        builder.refuse(
            Remedy::Exchange,
            "late",
            &ids,
            text(
                format!("已超过七天无理由换货期（最后一天 {last_day}），换货需与商家协商"),
                format!("The no-reason exchange period ended on {last_day}; an exchange now needs the shop's agreement"),
            ),
        );
    } else if let Some(basis) = refused {
        builder.refuse(
            Remedy::Exchange,
            basis,
            &["CN-P9", "CN-R7", "CN-R3"],
            text(
                "不适用七天无理由退货的商品（或商品不完好）同样不适用七天无理由换货",
                "Goods excluded from the no-reason return (or not intact) are excluded from the no-reason exchange too",
            ),
        );
    } else {
        let explanation = text(
            "七天无理由换货：期限与无理由退货相同，换货的全部运费由买家承担",
            "No-reason exchange: within the same period as the no-reason return; the buyer pays all freight of the exchange",
        );
        builder.allow_paid(Remedy::Exchange, "no_reason", &ids, explanation);
        if let (Some(last_day), Some((_, _, until))) = (last_day, builder.grounds.last_mut()) {
            *until = Some(last_day.to_string());
        }
    }
}

pub(super) fn freight_no_reason(context: &Context, builder: &mut Builder, taobao: bool) {
    let agreed = context.request.shop_policy.free_return_shipping
        || context.request.facts.seller_pays_return_freight;
    let back = if agreed { Party::Seller } else { Party::Buyer };
    if taobao {
        let broken = builder.refund.as_ref().is_some_and(|refund| {
            refund
                .deductions
                .iter()
                .any(|deduction| deduction.kind == "free_shipping_lost")
        });
        let free = (context.request.facts.free_shipping
            || context.request.money.waived_shipping_fee.is_some())
            && !broken;
        let forward = if free { Party::Seller } else { Party::Buyer };
        builder.freight(
            forward,
            back,
            &["CN-R3", "CN-P8"],
            if free {
                text(
                    "包邮商品七天无理由退货：买家只承担退回运费",
                    "Free-shipping item, no-reason return: the buyer pays only the return freight",
                )
            } else if broken {
                text(
                    "部分退货使订单不再满足包邮条件：买家承担来回全部运费",
                    "The partial return breaks the free-shipping condition: the buyer pays all freight",
                )
            } else {
                text(
                    "非包邮商品七天无理由退货：买家承担来回全部运费",
                    "Non-free-shipping item, no-reason return: the buyer pays all freight",
                )
            },
        );
    } else {
        builder.freight(
            Party::Seller,
            back,
            &["CN-R3", "CN-R19"],
            if agreed {
                text("商家承诺承担退货运费", "The shop agreed to pay the return freight")
            } else {
                text("无理由退货的退回运费由消费者承担（另有约定除外）", "The consumer pays the return freight of a no-reason return unless agreed otherwise")
            },
        );
    }
}
