//! The legal guarantee: EU Directive 2019/771 and the UK's Consumer Rights Act 2015 (repair or
//! replacement, price reduction or rejection, the burden of proof).

use super::*;

pub(super) fn eu_guarantee(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let request = context.request;
    let fault = context.fault_date();
    let delivered = delivery_date(context);
    let policy = &request.shop_policy;
    if policy.national_rules.is_some() && policy.presumption_years.is_some() {
        return Err(PolicyError("shop_policy: presumption_years and national_rules.presumption_months say the same thing; give national_rules only".into()));
    }
    let (mut national, source) = national::rules(request.region.as_deref(), policy.national_rules);
    if source_is_shop(&source) {
        national::check(&national).map_err(PolicyError)?;
    }
    if let Some(years) = policy.presumption_years {
        national.presumption_months = 12 * years.clamp(1, 2);
    }
    match &source {
        national::Source::Table(code) => builder.flag(
            "member_state_options_unverified",
            &["EU-R13", "EU-R14"],
            &describe(code, &national),
            text(
                format!("{code} 的法定保证选项取自本系统的各国转化表，未逐条核对国家法律原文；可用 shop_policy.national_rules 指定"),
                format!("{code}'s options come from the product's table of national laws, not checked against each national text; shop_policy.national_rules sets them"),
            ),
        ),
        national::Source::Directive => builder.flag(
            "member_state_unknown",
            &["EU-R13", "EU-R14"],
            "directive_minimum",
            text(
                "未指明成员国（或不在表中）：按指令的最低标准（2年保证、1年推定），成员国法律可能更长",
                "No member state given (or one the table lacks): the directive's minimum (2 years, 1 year presumed) applies; national law may give more",
            ),
        ),
        national::Source::Shop => {}
    }
    let second_hand = context
        .returned_items()
        .any(|item| item.has(Nature::SecondHand));
    // The shop's stated period for new goods: never shorter than the member state's.
    if let (Some(months), Some(statutory)) = (policy.guarantee_months, national.guarantee_months) {
        if months < statutory {
            builder.find("shop_policy_invalid", &["EU-R13"], text(
                format!("店铺条款的法定保证期 {months} 个月短于该国的 {statutory} 个月：无效，按 {statutory} 个月计"),
                format!("The shop's terms give a {months}-month legal guarantee, shorter than the member state's {statutory} months: void, {statutory} months apply"),
            ));
        }
    } else if let (Some(months), true) = (policy.guarantee_months, national.lifespan) {
        builder.find("shop_policy_invalid", &["EU-R13"], text(
            format!("该国的法定保证按商品的预期寿命计算，店铺条款的 {months} 个月不能缩短它"),
            format!("This member state's guarantee lasts the goods' expected lifespan; the shop's {months} months cannot shorten it"),
        ));
    }
    let months = agreed_period(context, builder, &national).or(national.guarantee_months);
    let Some(delivered) = delivered else {
        return eu_remedies(context, builder);
    };
    match months {
        Some(months) => {
            let period = DayPeriod::months(delivered, i64::from(months));
            let end = period.last_day;
            builder.deadlines.push(deadline("legal_guarantee", &period, &context.zone, Some(fault), &["EU-R13"],
                text(format!("法定保证：交付后 {months} 个月内（至 {end}）显现的不符合"), format!("Legal guarantee: a lack of conformity that shows within {months} months of delivery (until {end})"))));
            if fault > end {
                for remedy in [
                    Remedy::Repair,
                    Remedy::Exchange,
                    Remedy::PriceReduction,
                    Remedy::ReturnAndRefund,
                ] {
                    builder.refuse(remedy, "legal_guarantee", &["EU-R13"], text(format!("交付已超过 {months} 个月（{end} 之后）：法定保证已过"), format!("More than {months} months after delivery (after {end}): outside the legal guarantee")));
                }
                return Ok(());
            }
        }
        None => builder.find("guarantee_by_lifespan", &["EU-R13"], text(
            "该国的法定保证按商品的预期寿命计算，没有固定期限",
            "This member state's legal guarantee lasts the goods' expected lifespan, without a fixed period",
        )),
    }
    let presumed = if second_hand {
        national
            .second_hand_presumption_months
            .unwrap_or(national.presumption_months)
    } else {
        national.presumption_months
    };
    let presumed_until = add_months(delivered, i64::from(presumed));
    if fault <= presumed_until {
        builder.burden(Party::Seller, &["EU-R14"], text(format!("交付后 {presumed} 个月内（至 {presumed_until}）显现：推定交付时已存在，由商家证明相反"), format!("Shown within {presumed} months of delivery (until {presumed_until}): presumed to have existed at delivery; the seller must prove otherwise")));
    } else {
        builder.burden(Party::Buyer, &["EU-R13", "EU-R14"], text(format!("交付后超过 {presumed} 个月：商家仍负责，但消费者需证明交付时已存在不符合"), format!("After {presumed} months: the seller is still liable, but the consumer must show the defect existed at delivery")));
        if presumed == 12 && matches!(source, national::Source::Directive) {
            builder.flag("presumption_period", &["EU-R14"], "one_year", text("成员国可将推定期延长到2年（店铺设置 presumption_years）", "A Member State may extend the presumption to 2 years (shop setting presumption_years)"));
        }
    }
    eu_remedies(context, builder)
}

fn source_is_shop(source: &national::Source) -> bool {
    matches!(source, national::Source::Shop)
}

fn describe(code: &str, national: &NationalRules) -> String {
    format!(
        "{code}: guarantee {}, presumption {} months, second-hand {}",
        national
            .guarantee_months
            .map(|months| format!("{months} months"))
            .unwrap_or_else(|| "lifespan".into()),
        national.presumption_months,
        national
            .second_hand_minimum_months
            .map(|months| format!("down to {months} months by agreement"))
            .unwrap_or_else(|| "not shortened".into())
    )
}

/// A shorter period agreed for an item (EU-R13, Art. 10(6)): valid only for second-hand goods,
/// where the member state allows it, and never under its minimum; otherwise void.
fn agreed_period(
    context: &Context,
    builder: &mut Builder,
    national: &NationalRules,
) -> Option<u32> {
    let mut valid: Option<u32> = None;
    for item in context.returned_items() {
        let Some(months) = item.agreed_guarantee_months else {
            continue;
        };
        let statutory = national.guarantee_months.unwrap_or(u32::MAX);
        let label = item.label();
        let void = |builder: &mut Builder, why_zh: String, why_en: String| {
            builder.find("agreed_period_invalid", &["EU-R13"], text(
                format!("「{label}」约定的 {months} 个月保证期无效：{why_zh}；按法定期限计"),
                format!("The {months}-month period agreed for '{label}' is void: {why_en}; the statutory period applies"),
            ));
        };
        if months >= statutory {
            continue;
        }
        if !item.has(Nature::SecondHand) {
            void(
                builder,
                "只有二手商品可以约定较短的期限".into(),
                "only second-hand goods may have a shorter agreed period".into(),
            );
            continue;
        }
        match national.second_hand_minimum_months {
            None => void(
                builder,
                "该国不允许为二手商品约定较短的期限".into(),
                "this member state does not allow a shorter period for second-hand goods".into(),
            ),
            Some(minimum) if months < minimum => void(
                builder,
                format!("不得短于 {minimum} 个月"),
                format!("it may not be shorter than {minimum} months"),
            ),
            Some(_) => {
                builder.find("agreed_period_valid", &["EU-R13"], text(
                    format!("二手商品「{label}」约定的 {months} 个月保证期有效"),
                    format!("The {months}-month period agreed for the second-hand '{label}' is valid"),
                ));
                valid = Some(valid.map_or(months, |each: u32| each.max(months)));
            }
        }
    }
    valid
}

fn eu_remedies(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let request = context.request;
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

pub(super) fn uk_guarantee(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
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
        // 14 days *beginning with* the day the trader agrees (that day is day 1).
        let agreed = context
            .dates
            .refund_agreed
            .as_ref()
            .map(|moment| moment.date());
        let due = DayPeriod::beginning_with(agreed.unwrap_or(act), 14);
        builder.deadlines.push(deadline(
            "refund_due",
            &due,
            &context.zone,
            context.dates.refunded.as_ref().map(|moment| moment.date()),
            &["UK-R6"],
            match agreed {
                Some(agreed) => text(
                    format!("商家 {agreed} 同意退款：自当天起14天内（当天算第1天）退款，至 {}", due.last_day),
                    format!("The trader agreed on {agreed}: refund within 14 days beginning with that day, by {}", due.last_day),
                ),
                None => text(
                    format!("自商家同意退款之日起14天内（当天算第1天）退款；若今天同意，至 {}", due.last_day),
                    format!("Refund within 14 days beginning with the day the trader agrees; agreeing today, by {}", due.last_day),
                ),
            },
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
    // 6 years in England, Wales and Northern Ireland (Limitation Act 1980), 5 in Scotland.
    let scotland = request.region.as_deref().is_some_and(|region| {
        matches!(
            region.to_ascii_uppercase().as_str(),
            "SCT" | "SCOTLAND" | "GB-SCT"
        )
    });
    let years = if scotland { 5 } else { 6 };
    let limit = add_months(delivered, 12 * years);
    if fault > limit {
        builder.find(
            "limitation_period",
            &["UK-R9"],
            text(
                format!("交付已超过 {years} 年诉讼时效（至 {limit}）"),
                format!("Past the {years}-year limitation period (it ended on {limit})"),
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
        let motor_vehicle = context.returned_items().any(|item| {
            item.category
                .as_deref()
                .is_some_and(|category| matches!(category, "motor_vehicle" | "car" | "motorcycle"))
        });
        if motor_vehicle {
            builder.find("deduction_for_use", &["UK-R7"], text("机动车最终拒收：即使在交付后6个月内，退款也可扣除使用价值", "A motor vehicle finally rejected: the refund may be reduced for use even within 6 months of delivery"));
        } else if act <= six_months {
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
