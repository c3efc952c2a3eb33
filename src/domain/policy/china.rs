//! Chinese law: the 7-day no-reason return (消保法 Art. 25 and the 2017 办法), returns for
//! non-conforming goods (Art. 24), the burden of proof for durable goods (Art. 23), and the
//! seller's time limits. 三包 products are in three_guarantees.rs; platform rules in platforms.rs.

use super::decision::{Builder, Party, text};
use super::periods::{DayPeriod, deadline};
use super::request::{Condition, Item, Nature, PeriodReading, Reason, Remedy};
use super::settlement::{Settlement, refund};
use super::{Context, PolicyError, three_guarantees};

pub fn decide(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let request = context.request;
    before_receipt(context, builder);
    match request.reason {
        Reason::NoReason => no_reason(context, builder)?,
        reason if reason.is_nonconformity() => {
            let three_guarantees_item = context
                .returned_items()
                .any(|item| item.three_guarantees.is_some());
            if three_guarantees_item {
                three_guarantees::decide(context, builder)?;
            } else {
                nonconformity(context, builder)?;
            }
            burden_of_proof(context, builder);
        }
        _ => {}
    }
    seller_time_limits(context, builder);
    if request.facts.fraud {
        fraud(context, builder)?;
    }
    Ok(())
}

/// 消保法 Art. 55: for fraud, three times the price paid, at least ¥500.
fn fraud(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let (paid, currency) = super::settlement::goods_paid(context.request).map_err(PolicyError)?;
    let floor = if currency.as_str() == "CNY" {
        50_000
    } else {
        0
    };
    let amount = (paid * 3).max(floor);
    let shown = super::settlement::show_amount(amount, currency);
    builder.compensation = Some(super::decision::Compensation {
        currency: currency.as_str().to_string(),
        amount: shown.clone(),
        amount_minor: amount,
        rules: super::decision::rules(&["CN-R5b"]),
        explanation: text(
            format!(
                "经营者有欺诈行为：消费者可要求增加赔偿价款的三倍，不足500元的为500元：{shown}"
            ),
            format!(
                "The business committed fraud: the consumer may claim three times the price, at least ¥500: {shown}"
            ),
        ),
    });
    Ok(())
}

/// Refund only, while the goods have not reached the customer.
fn before_receipt(context: &Context, builder: &mut Builder) {
    let received = context.receipt().is_some();
    if received {
        builder.refuse(
            Remedy::RefundOnly,
            "received",
            &[],
            text(
                "商品已签收：请退货退款；仅退款需与商家协商",
                "The goods were received: return them for a refund; a refund without return needs the shop's agreement",
            ),
        );
        return;
    }
    let shipped = context.dates.shipped.is_some();
    let ids: &[&str] = if shipped && context.is_platform(&["taobao", "tmall"]) {
        &["CN-P4"]
    } else {
        &[]
    };
    builder.allow(
        Remedy::RefundOnly,
        if shipped { "not_received" } else { "not_shipped" },
        ids,
        if shipped {
            text(
                "商品尚未签收：可申请仅退款，商家应及时拦截快递，拦截成功即退款",
                "Not yet received: a refund without return may be asked; the shop must have the parcel intercepted and then refund",
            )
        } else {
            text("商品尚未发货：可申请仅退款", "Not yet shipped: a refund without return may be asked")
        },
    );
}

/// The statutory exclusion (CN-R1 / CN-R7) that applies to an item, if any.
fn absolute_exclusion(item: &Item) -> Option<(&'static str, &'static str, &'static str)> {
    if item.has(Nature::CustomMade) {
        return Some((
            "CN-R1(1)",
            "消费者定作的商品",
            "goods made to the consumer's order",
        ));
    }
    if item.has(Nature::Perishable) {
        return Some((
            "CN-R1(2)",
            "鲜活易腐的商品",
            "fresh, live or perishable goods",
        ));
    }
    if item.has(Nature::DigitalDownload) {
        return Some((
            "CN-R1(3)",
            "在线下载的数字化商品",
            "digital goods downloaded online",
        ));
    }
    if item.has(Nature::AudioVisual) && item.sealed == Some(false) {
        return Some((
            "CN-R1(3)",
            "消费者拆封的音像制品、计算机软件",
            "audio-visual goods or software unsealed by the consumer",
        ));
    }
    if item.has(Nature::Periodical) {
        return Some((
            "CN-R1(4)",
            "交付的报纸、期刊",
            "delivered newspapers and periodicals",
        ));
    }
    None
}

/// The "by nature" exclusion that needs the buyer's confirmation at checkout (CN-R8).
fn confirmable_exclusion(item: &Item) -> Option<&'static str> {
    let unsealed = item.sealed != Some(true);
    if (item.has(Nature::HygieneSealed) || item.has(Nature::QualityChangesWhenUnsealed)) && unsealed
    {
        return Some("CN-R8(1)");
    }
    if item.has(Nature::ValueDropsWhenActivated) {
        return Some("CN-R8(2)");
    }
    if item.has(Nature::NearExpiry) || item.has(Nature::SoldAsDefective) {
        return Some("CN-R8(3)");
    }
    None
}

/// The "not intact" test (CN-R11) an item fails, with the clause.
fn not_intact(item: &Item) -> Option<(&'static str, String, String)> {
    use Condition::*;
    let mut zh = Vec::new();
    let mut en = Vec::new();
    let mut clause = None;
    for condition in &item.condition {
        let (id, chinese, english) = match condition {
            SealBroken => (
                "CN-R11(1)",
                "一次性密封包装已破坏",
                "the single-use seal is broken",
            ),
            UnauthorisedRepair => (
                "CN-R11(2)",
                "经非授权维修或改动",
                "repaired or modified without authorisation",
            ),
            CertificationMarkDamaged => (
                "CN-R11(2)",
                "强制性认证标志被破坏",
                "the compulsory certification mark is damaged",
            ),
            SerialLabelDamaged => (
                "CN-R11(2)",
                "序列号标签被破坏或涂改",
                "the serial-number label is damaged or altered",
            ),
            IndicatorLabelDamaged => (
                "CN-R11(2)",
                "指示标贴被破坏",
                "indicator labels are damaged",
            ),
            HardToRestoreWear => (
                "CN-R11(2)",
                "外观有难以恢复的磨损",
                "wear that is hard to restore",
            ),
            Activated => (
                "CN-R11(2)",
                "已激活或绑定账户",
                "activated or bound to an account",
            ),
            PersonalDataLeft => (
                "CN-R11(2)",
                "留有个人使用数据",
                "personal usage data left on it",
            ),
            LabelRemoved => (
                "CN-R11(3)",
                "吊牌商标被摘除或剪断",
                "the brand label is removed or cut off",
            ),
            Soiled => ("CN-R11(3)", "商品被污损", "soiled"),
            Damaged => ("CN-R11(3)", "商品被损坏", "damaged"),
            AccessoriesMissing => ("CN-R10", "配件不全", "accessories are missing"),
            UsedBeyondInspection => (
                "CN-R11",
                "超出检查所需的使用",
                "used beyond what checking needs",
            ),
            Misuse | DisassembledByThirdParty => {
                ("CN-R11", "因使用不当损坏", "damaged by improper use")
            }
            OpenedForInspection => continue,
        };
        clause.get_or_insert(id);
        zh.push(chinese);
        en.push(english);
    }
    clause.map(|id| (id, zh.join("、"), en.join(", ")))
}

fn no_reason(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let mut refused = false;
    for item in context.returned_items() {
        if let Some((id, chinese, english)) = absolute_exclusion(item) {
            refused = true;
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
        if let Some(id) = confirmable_exclusion(item) {
            if item.confirmed_non_returnable {
                refused = true;
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
            refused = true;
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
        if !refused {
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
    } else if !refused {
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
        builder.allow_paid(
            Remedy::Exchange,
            "no_reason",
            &["CN-P9"],
            text(
                "七天无理由换货：换货的全部运费由买家承担",
                "No-reason exchange: the buyer pays all freight of the exchange",
            ),
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
    settle(context, builder, Settlement::NoReason, in_time && !refused)?;
    freight_no_reason(context, builder, taobao);
    Ok(())
}

fn freight_no_reason(context: &Context, builder: &mut Builder, taobao: bool) {
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

/// Art. 24: goods that do not conform, outside the 三包 catalogue.
fn nonconformity(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
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
fn burden_of_proof(context: &Context, builder: &mut Builder) {
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
    let limit = super::periods::add_months(received.date(), 6);
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
fn seller_time_limits(context: &Context, builder: &mut Builder) {
    let dates = &context.dates;
    if let Some(requested) = &dates.requested {
        let period = DayPeriod::after(requested.date(), 15);
        let processed = dates.request_processed.as_ref().map(|moment| moment.date());
        let judged = processed.unwrap_or(context.as_of.date());
        let known = processed.is_some() || context.as_of.date() > period.last_day;
        builder.deadlines.push(deadline(
            "process_return_request",
            &period,
            &context.zone,
            known.then_some(judged),
            &["CN-R12", "CN-R22(c)"],
            text(
                format!("商家应及时提供退货地址；超过15日（{} 之后）未处理可受处罚", period.last_day),
                format!("The shop must promptly give a return address; leaving the request unprocessed past {} is punishable", period.last_day),
            ),
        ));
        if known && !period.contains(judged) {
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
        let judged = refunded.unwrap_or(context.as_of.date());
        let known = refunded.is_some() || context.as_of.date() > civil.last_day;
        builder.deadlines.push(deadline(
            "refund_due",
            &civil,
            &context.zone,
            known.then_some(judged),
            &["CN-R3", "CN-R14"],
            text(
                format!("收到退回商品之日起7日内（至 {}）退还价款", civil.last_day),
                format!(
                    "Refund within 7 days of receiving the returned goods (by {})",
                    civil.last_day
                ),
            ),
        ));
        if (refunded.is_some() || context.as_of.date() > penalty.last_day)
            && !penalty.contains(judged)
        {
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
