//! Goods that do not conform (Art. 24), the burden of proof for durable goods (Art. 23), the
//! seller's time limits, and the refund for goods that go back.

use super::*;

/// Art. 24: goods that do not conform, outside the 三包 catalogue.
pub(super) fn nonconformity(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    if context
        .returned_items()
        .any(|item| item.shows(Condition::Misuse))
    {
        builder.find(
            "misuse",
            &[],
            text(
                "损坏由使用不当造成，不属于质量问题",
                "The damage comes from improper use; it is not a quality problem",
            ),
        );
        for remedy in [Remedy::ReturnAndRefund, Remedy::Exchange] {
            builder.refuse(
                remedy,
                "misuse",
                &[],
                text("使用不当造成的损坏", "Damage from improper use"),
            );
        }
        builder.allow_paid(
            Remedy::Repair,
            "misuse",
            &[],
            text("可付费维修", "A paid repair is possible"),
        );
        return Ok(());
    }
    let received = context.receipt().map(|moment| moment.date());
    let within = received.map(|date| {
        let period = DayPeriod::after(date, 7);
        builder.deadlines.push(deadline(
            "nonconformity_return",
            &period,
            &context.zone,
            Some(context.fault_date().max(context.act_date())),
            &["CN-R4"],
            text(
                format!("质量问题退货：收货后7日内（至 {}）可退货", period.last_day),
                format!(
                    "Faulty goods may be returned within 7 days of receipt (until {})",
                    period.last_day
                ),
            ),
        ));
        (period.contains(context.act_date()), period.last_day)
    });
    match within {
        Some((false, last_day)) if !context.request.facts.termination_grounds => builder.refuse(
            Remedy::ReturnAndRefund,
            "nonconformity",
            &["CN-R4"],
            text(
                format!("收货已超过7日（至 {last_day}）：可要求更换或修理；符合解除合同条件的才可退货"),
                format!("More than 7 days after receipt (last day {last_day}): exchange or repair; a return only if the contract may be terminated"),
            ),
        ),
        Some((true, last_day)) => builder.allow_until(
            Remedy::ReturnAndRefund,
            "nonconformity",
            &["CN-R4"],
            text("商品不符合质量要求，收货后7日内可退货", "Faulty goods may be returned within 7 days of receipt"),
            &last_day.to_string(),
        ),
        _ => builder.allow(
            Remedy::ReturnAndRefund,
            "nonconformity",
            &["CN-R4"],
            text("商品不符合质量要求，可退货", "Faulty goods may be returned"),
        ),
    }
    for remedy in [Remedy::Exchange, Remedy::Repair] {
        builder.allow(
            remedy,
            "nonconformity",
            &["CN-R4"],
            text(
                "商品不符合质量要求，可要求更换或修理",
                "Faulty goods may be exchanged or repaired",
            ),
        );
    }
    seller_pays_transport(context, builder);
    settle(context, builder, Settlement::Nonconformity, true)
}

pub fn seller_pays_transport(context: &Context, builder: &mut Builder) {
    let mut ids = vec!["CN-R4"];
    if context.is_platform(&["taobao", "tmall"]) && !context.request.facts.platform_intervened {
        ids.push("CN-P7");
    }
    builder.freight(
        Party::Seller,
        Party::Seller,
        &ids,
        text(
            "质量问题的退货、换货、维修，运输等必要费用由经营者承担",
            "For faulty goods the business bears transport and other necessary costs of return, exchange or repair",
        ),
    );
}

/// Durable goods: within 6 months of receipt the business proves there is no defect (CN-R5).
pub(super) fn burden_of_proof(context: &Context, builder: &mut Builder) {
    let durable = context.returned_items().any(|item| {
        item.has(Nature::Durable)
            || item.three_guarantees.as_deref().is_some_and(|product| {
                matches!(
                    product,
                    "tv" | "television"
                        | "refrigerator"
                        | "air_conditioner"
                        | "washing_machine"
                        | "microcomputer"
                        | "computer"
                        | "laptop"
                )
            })
            || item.category.as_deref().is_some_and(|category| {
                matches!(
                    category,
                    "motor_vehicle"
                        | "car"
                        | "computer"
                        | "laptop"
                        | "tv"
                        | "refrigerator"
                        | "air_conditioner"
                        | "washing_machine"
                )
            })
    });
    if !durable {
        if context.is_platform(&["taobao", "tmall"]) && context.request.facts.cause_disputed {
            builder.burden(
                Party::Buyer,
                &["CN-P12"],
                text(
                    "肉眼可见的质量问题由买家先举证；不可见的由卖家提供进货凭证、合格证、发票等",
                    "For a visible fault the buyer gives first evidence; for an invisible one the seller must show its supply documents, certificates and invoice",
                ),
            );
        }
        return;
    }
    let Some(received) = context.receipt() else {
        return;
    };
    let limit = super::super::periods::add_months(received.date(), 6);
    if context.fault_date() <= limit {
        builder.burden(
            Party::Seller,
            &["CN-R5"],
            text(
                format!("耐用商品自收货起6个月内（至 {limit}）发现瑕疵发生争议的，由经营者举证证明不存在瑕疵"),
                format!("Durable goods, defect found within 6 months of receipt (until {limit}): the business must prove there is no defect"),
            ),
        );
    } else {
        builder.burden(
            Party::Buyer,
            &["CN-R5"],
            text(
                format!("收货已超过6个月（{limit} 之后）：举证责任不再倒置"),
                format!("More than 6 months after receipt (after {limit}): the burden of proof is no longer on the business"),
            ),
        );
    }
}

/// The seller's limits once a return is asked: process it (address) and refund on time.
pub(super) fn seller_time_limits(context: &Context, builder: &mut Builder) {
    let dates = &context.dates;
    if let Some(requested) = &dates.requested {
        let period = DayPeriod::after(requested.date(), 15);
        let processed = dates.request_processed.as_ref().map(|moment| moment.date());
        let judged = period.judged(processed, context.as_of.date());
        builder.deadlines.push(deadline(
            "process_return_request",
            &period,
            &context.zone,
            judged,
            &["CN-R12", "CN-R22(c)"],
            text(
                format!("商家应及时提供退货地址；超过15日（{} 之后）未处理可受处罚", period.last_day),
                format!("The shop must promptly give a return address; leaving the request unprocessed past {} is punishable", period.last_day),
            ),
        ));
        if judged.is_some_and(|day| !period.contains(day)) {
            builder.find(
                "seller_breach",
                &["CN-R12", "CN-R22(c)"],
                text(
                    format!("收到退货申请后超过15日未处理（应于 {} 前）：商家违规，可受处罚", period.last_day),
                    format!("The return request was left unprocessed for more than 15 days (due by {}): the shop is in breach and punishable", period.last_day),
                ),
            );
        }
    }
    if let Some(received) = &dates.return_received {
        let civil = DayPeriod::after(received.date(), 7);
        let penalty = DayPeriod::after(received.date(), 15);
        let refunded = dates.refunded.as_ref().map(|moment| moment.date());
        let today = context.as_of.date();
        builder.deadlines.push(deadline(
            "refund_due",
            &civil,
            &context.zone,
            civil.judged(refunded, today),
            &["CN-R3", "CN-R14"],
            text(
                format!("收到退回商品之日起7日内（至 {}）退还价款", civil.last_day),
                format!(
                    "Refund within 7 days of receiving the returned goods (by {})",
                    civil.last_day
                ),
            ),
        ));
        // The penalty threshold is a date from the moment the goods are back, not only a breach
        // found after it.
        let penalty_judged = penalty.judged(refunded, today);
        builder.deadlines.push(deadline(
            "refund_penalty_threshold",
            &penalty,
            &context.zone,
            penalty_judged,
            &["CN-R22(d)"],
            text(
                format!("收到退回商品超过15日（{} 之后）仍未退款，商家可受行政处罚", penalty.last_day),
                format!(
                    "Not refunded more than 15 days after the goods came back (after {}): the shop is exposed to a penalty",
                    penalty.last_day
                ),
            ),
        ));
        if penalty_judged.is_some_and(|day| !penalty.contains(day)) {
            builder.find(
                "seller_breach",
                &["CN-R22(d)"],
                text(
                    format!("收到退货超过15日仍未退款（应于 {} 前）：可受处罚", penalty.last_day),
                    format!("No refund more than 15 days after the goods came back (due by {}): punishable", penalty.last_day),
                ),
            );
        }
    }
}

/// Adds the refund for the goods that go back, when money goes back.
pub fn settle(
    context: &Context,
    builder: &mut Builder,
    settlement: Settlement,
    money_back: bool,
) -> Result<(), PolicyError> {
    if !money_back || builder.refund.is_some() {
        return Ok(());
    }
    builder.refund = refund(context.request, settlement).map_err(PolicyError)?;
    Ok(())
}
