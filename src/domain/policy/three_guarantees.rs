//! 三包: return, exchange and repair of catalogue products (1995 rules and the product rules for
//! mobile phones and microcomputers): 7 and 15 days from sale, the whole-unit and main-part
//! periods from the invoice date, two failed repairs, repair delays, and what 三包 does not cover.

use jiff::civil::Date;

use super::decision::{Builder, Party, text};
use super::periods::{DayPeriod, add_months, deadline};
use super::request::{Condition, Item, Remedy};
use super::settlement::Settlement;
use super::{Context, PolicyError, china};

/// A product's 三包 periods in months, and the parts with their own period.
struct Product {
    whole_unit_months: i64,
    main_part_months: Option<i64>,
    main_parts: &'static [&'static str],
    /// Parts with their own whole period (phones: battery 6 months, wired headset 3).
    part_months: &'static [(&'static str, i64)],
    /// Whether the figures are only from general knowledge ([U] in the rules file).
    unverified: bool,
}

fn product(name: &str) -> Product {
    let plain = |unverified| Product {
        whole_unit_months: 12,
        main_part_months: None,
        main_parts: &[],
        part_months: &[],
        unverified,
    };
    match name {
        "mobile_phone" | "phone" => Product {
            part_months: &[
                ("battery", 6),
                ("charger", 12),
                ("headset", 3),
                ("wired_headset", 3),
            ],
            ..plain(false)
        },
        "microcomputer" | "computer" | "laptop" => Product {
            main_part_months: Some(24),
            main_parts: &[
                "motherboard",
                "cpu",
                "memory",
                "display",
                "screen",
                "hard_disk",
                "keyboard",
                "power_adapter",
            ],
            ..plain(false)
        },
        "tv" | "television" => Product {
            main_part_months: Some(36),
            main_parts: &[
                "panel",
                "screen",
                "display",
                "backlight",
                "backlight_module",
            ],
            ..plain(false)
        },
        "air_conditioner" => Product {
            main_part_months: Some(36),
            main_parts: &["compressor", "motor"],
            ..plain(false)
        },
        "refrigerator" | "washing_machine" | "microwave_oven" => Product {
            main_part_months: Some(36),
            main_parts: &["compressor", "motor", "magnetron"],
            ..plain(true)
        },
        _ => plain(true),
    }
}

/// The 三包 catalogue product a free category names (English or Chinese), if it names one.
pub fn catalogue(category: &str) -> Option<&'static str> {
    Some(match category.trim().to_lowercase().as_str() {
        "mobile_phone" | "phone" | "手机" | "移动电话" => "mobile_phone",
        "microcomputer" | "computer" | "laptop" | "电脑" | "笔记本电脑" | "微型计算机" => {
            "microcomputer"
        }
        "tv" | "television" | "电视" | "电视机" => "tv",
        "air_conditioner" | "空调" => "air_conditioner",
        "refrigerator" | "冰箱" => "refrigerator",
        "washing_machine" | "洗衣机" => "washing_machine",
        "microwave_oven" | "微波炉" => "microwave_oven",
        _ => return None,
    })
}

pub fn decide(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let Some(item) = context
        .returned_items()
        .find(|item| item.three_guarantees.is_some())
    else {
        return Ok(());
    };
    if let Some(reason) = not_covered(context, item) {
        builder.find(
            "three_guarantees_not_applicable",
            &["CN-R35"],
            reason.clone(),
        );
        for remedy in [Remedy::ReturnAndRefund, Remedy::Exchange] {
            builder.refuse(remedy, "three_guarantees", &["CN-R35"], reason.clone());
        }
        builder.allow_paid(
            Remedy::Repair,
            "paid_repair",
            &["CN-R35"],
            text(
                "不属于三包：可付费维修",
                "Not covered by 三包: a paid repair",
            ),
        );
        return Ok(());
    }
    let info = product(item.three_guarantees.as_deref().unwrap_or(""));
    let fault = context.fault_date();
    let sale = sale_date(context, builder);
    china::seller_pays_transport(context, builder);

    // 7 and 15 days from sale (CN-R26, CN-R27).
    let mut within_fifteen = false;
    if let Some(sale) = sale {
        let seven = DayPeriod::after(sale, 7);
        let fifteen = DayPeriod::after(sale, 15);
        builder.deadlines.push(deadline(
            "three_guarantees_return",
            &seven,
            &context.zone,
            Some(fault),
            &["CN-R26"],
            text(format!("售出后7日内（至 {}）出现性能故障：可选退货、换货或修理", seven.last_day), format!("A performance fault within 7 days of sale (until {}): return, exchange or repair", seven.last_day)),
        ));
        builder.deadlines.push(deadline(
            "three_guarantees_exchange",
            &fifteen,
            &context.zone,
            Some(fault),
            &["CN-R27"],
            text(
                format!(
                    "售出后15日内（至 {}）出现性能故障：可选换货或修理",
                    fifteen.last_day
                ),
                format!(
                    "A performance fault within 15 days of sale (until {}): exchange or repair",
                    fifteen.last_day
                ),
            ),
        ));
        if seven.contains(fault) {
            let explanation = text(
                "售出7日内出现性能故障：消费者可选择退货、换货或修理；退货按发票价格一次退清",
                "A performance fault within 7 days of sale: the customer chooses return, exchange or repair; a return refunds the invoice price in one payment",
            );
            for remedy in [Remedy::ReturnAndRefund, Remedy::Exchange, Remedy::Repair] {
                builder.allow_until(
                    remedy,
                    "three_guarantees",
                    &["CN-R26"],
                    explanation.clone(),
                    &seven.last_day.to_string(),
                );
            }
            return china::settle(context, builder, Settlement::InvoicePrice, true);
        }
        if fifteen.contains(fault) {
            within_fifteen = true;
            let explanation = text(
                "售出15日内出现性能故障：消费者可选择换货或修理",
                "A performance fault within 15 days of sale: the customer chooses exchange or repair",
            );
            builder.allow_until(
                Remedy::Exchange,
                "three_guarantees",
                &["CN-R27"],
                explanation.clone(),
                &fifteen.last_day.to_string(),
            );
            builder.allow(Remedy::Repair, "three_guarantees", &["CN-R27"], explanation);
        }
    }

    // The whole-unit period from the invoice date, less repair time, restarted by an exchange.
    let start = period_start(context);
    // One fact, two fields: the days at repair are part of the waiting time, so whichever field
    // the integrator fills, the period is extended by the same days.
    let history = &context.request.history;
    let extra_days = i64::from(history.waiting_days.max(history.repair_days));
    let part = item.faulty_part.as_deref().map(|part| part.to_lowercase());
    let part_period = part
        .as_deref()
        .and_then(|part| info.part_months.iter().find(|(name, _)| *name == part))
        .map(|(_, months)| *months);
    let whole_months = part_period.unwrap_or(info.whole_unit_months);
    let whole_end = start.map(|start| {
        add_months(start, whole_months).saturating_add(jiff::Span::new().days(extra_days))
    });
    if info.unverified {
        builder.flag(
            "three_guarantees_period_unverified",
            &["CN-R36"],
            "default_1_year",
            text("该产品的三包期限未能核对原文，按整机1年计", "This product's 三包 period could not be checked against the catalogue; 1 year is used"),
        );
    }
    if let (Some(start), Some(end)) = (start, whole_end) {
        builder.deadlines.push(day_deadline(context, "three_guarantees", start, end, fault, &["CN-R33", "CN-R36"],
            text(format!("三包有效期：自 {start} 起 {whole_months} 个月（另加维修等待 {extra_days} 天），至 {end}"), format!("三包 period: {whole_months} months from {start} (plus {extra_days} days at repair), until {end}"))));
    }
    let in_whole = whole_end.is_none_or(|end| fault <= end);
    if in_whole {
        builder.allow(
            Remedy::Repair,
            "three_guarantees",
            &["CN-R34"],
            text(
                "三包有效期内免费修理（零件和人工）",
                "Within the 三包 period repair is free (parts and labour)",
            ),
        );
        builder.find(
            "repair_quality",
            &["CN-R32"],
            text(
                "修理后的产品应能正常使用至少30日",
                "A repaired product must work normally for at least 30 days",
            ),
        );
        let history = &context.request.history;
        let delay = history.repair_delay.as_deref();
        let exchange_ground = if history.repairs >= 2 && history.still_faulty {
            Some((
                "CN-R28",
                text(
                    "三包期内经两次修理仍不能正常使用：免费更换同型号同规格产品",
                    "Still not usable after two repairs within the 三包 period: free exchange for the same model",
                ),
            ))
        } else if delay == Some("repairer") && history.repair_days > 30 {
            Some((
                "CN-R31",
                text(
                    format!(
                        "修理者自身原因修理超过30日（{} 日）：免费更换，费用由修理者承担",
                        history.repair_days
                    ),
                    format!(
                        "Repair took more than 30 days ({} days) for the repairer's own reasons: free exchange, at the repairer's cost",
                        history.repair_days
                    ),
                ),
            ))
        } else if delay == Some("parts") && history.repair_days > 90 {
            Some((
                "CN-R30",
                text(
                    format!(
                        "因缺少零配件送修后90日内未修好（{} 日）：免费更换",
                        history.repair_days
                    ),
                    format!(
                        "Not repaired within 90 days for lack of parts ({} days): free exchange",
                        history.repair_days
                    ),
                ),
            ))
        } else {
            None
        };
        let exchange_due = exchange_ground.is_some() || within_fifteen;
        if let Some((id, explanation)) = exchange_ground {
            builder.allow(Remedy::Exchange, "three_guarantees", &[id], explanation);
        }
        if exchange_due {
            if !return_instead_of_exchange(context, builder)? {
                let id = if within_fifteen { "CN-R27" } else { "CN-R29" };
                builder.refuse(Remedy::ReturnAndRefund, "three_guarantees", &[id], text("应予换货或修理；同型号无货或消费者坚持退货时才可退货", "Exchange or repair is due; a return only if the same model is unavailable or the customer insists"));
            }
        } else {
            let explanation = text(
                "三包期内先修理；两次修理仍不能正常使用才可更换或退货",
                "Within the 三包 period the remedy is repair; exchange or return only after two failed repairs",
            );
            builder.refuse(
                Remedy::Exchange,
                "three_guarantees",
                &["CN-R28"],
                explanation.clone(),
            );
            builder.refuse(
                Remedy::ReturnAndRefund,
                "three_guarantees",
                &["CN-R28"],
                explanation,
            );
        }
        return Ok(());
    }

    // After the whole-unit period: main parts keep their own period (CN-R36).
    let main_end = match (start, info.main_part_months) {
        (Some(start), Some(months)) => Some((
            add_months(start, months).saturating_add(jiff::Span::new().days(extra_days)),
            months,
        )),
        _ => None,
    };
    let is_main_part = part
        .as_deref()
        .is_some_and(|part| info.main_parts.contains(&part));
    if let (Some(start), Some((end, months))) = (start, main_end) {
        builder.deadlines.push(day_deadline(
            context,
            "main_parts",
            start,
            end,
            fault,
            &["CN-R36"],
            text(
                format!("主要部件三包期：自 {start} 起 {months} 个月，至 {end}"),
                format!("Main-part period: {months} months from {start}, until {end}"),
            ),
        ));
        if is_main_part && fault <= end {
            builder.allow(
                Remedy::Repair,
                "main_part",
                &["CN-R36"],
                text(format!("在主要部件三包期（{months} 个月）内：主要部件免费修理或更换"), format!("Within the {months}-month main-part period: the main part is repaired or replaced free")),
            );
            for remedy in [Remedy::ReturnAndRefund, Remedy::Exchange] {
                builder.refuse(
                    remedy,
                    "main_part",
                    &["CN-R36"],
                    text(
                        "整机三包期已过，仅主要部件免费修理",
                        "The whole-unit period is over; only the main part is repaired free",
                    ),
                );
            }
            return Ok(());
        }
    }
    let explanation = text(
        "已超过三包有效期：不属于三包，付费维修（厂家另有保修的除外）",
        "Outside the 三包 periods: no 三包, a paid repair (unless the maker's warranty covers it)",
    );
    builder.find("outside_three_guarantees", &["CN-R36"], explanation.clone());
    for remedy in [Remedy::ReturnAndRefund, Remedy::Exchange] {
        builder.refuse(remedy, "three_guarantees", &["CN-R36"], explanation.clone());
    }
    builder.allow_paid(Remedy::Repair, "paid_repair", &["CN-R36"], explanation);
    builder.freight(
        Party::Buyer,
        Party::Buyer,
        &["CN-R36"],
        text(
            "三包期外的维修费用和运费由消费者承担",
            "Outside 三包 the customer pays the repair and its transport",
        ),
    );
    Ok(())
}

/// Why 三包 does not cover the fault at all (CN-R35), if it does not.
fn not_covered(context: &Context, item: &Item) -> Option<super::decision::Text> {
    if item.shows(Condition::Misuse) {
        return Some(text(
            "因使用、维护、保管不当造成的损坏，不实行三包",
            "Damage from improper use, maintenance or storage is not covered by 三包",
        ));
    }
    if item.shows(Condition::DisassembledByThirdParty) || item.shows(Condition::UnauthorisedRepair)
    {
        return Some(text(
            "非三包修理者拆动造成的损坏，不实行三包",
            "Damage from disassembly by someone other than the 三包 repairer is not covered",
        ));
    }
    if !context.request.facts.has_invoice {
        return Some(text(
            "无三包凭证及有效发票，不实行三包",
            "Without a 三包 voucher and a valid invoice 三包 does not apply",
        ));
    }
    None
}

/// The day "from sale" counts from (CN-R37): the shop's setting, default receipt.
fn sale_date(context: &Context, builder: &mut Builder) -> Option<Date> {
    let dates = &context.dates;
    let setting = context
        .request
        .shop_policy
        .three_guarantees_start
        .as_deref()
        .unwrap_or("receipt");
    let chosen = match setting {
        "payment" => dates.paid.as_ref().or(dates.ordered.as_ref()),
        "shipment" => dates.shipped.as_ref(),
        "invoice" => dates.invoiced.as_ref(),
        _ => context.receipt(),
    };
    let fallback = chosen
        .or(context.receipt())
        .or(dates.invoiced.as_ref())
        .or(dates.paid.as_ref())
        .or(dates.ordered.as_ref());
    let date = fallback.map(|moment| moment.date());
    if let Some(date) = date {
        builder.flag(
            "three_guarantees_sale_date",
            &["CN-R37"],
            setting,
            text(
                format!("网购的“售出之日”法规未明确；按店铺设置（{setting}）自 {date} 起算"),
                format!("The rules do not say which day is 'the sale' for online orders; the shop's setting ({setting}) counts from {date}"),
            ),
        );
    }
    date
}

/// The 三包 period starts at the invoice date, or restarts at the last exchange (CN-R33).
fn period_start(context: &Context) -> Option<Date> {
    let dates = &context.dates;
    dates
        .exchanged
        .as_ref()
        .or(dates.invoiced.as_ref())
        .or(context.receipt())
        .or(dates.paid.as_ref())
        .map(|moment| moment.date())
}

/// When an exchange is due but the customer asks for a return (CN-R29). Returns whether it decided.
fn return_instead_of_exchange(
    context: &Context,
    builder: &mut Builder,
) -> Result<bool, PolicyError> {
    let history = &context.request.history;
    match history.same_model_available {
        Some(false) if !history.accepts_other_model => {
            builder.allow(
                Remedy::ReturnAndRefund,
                "three_guarantees",
                &["CN-R29"],
                text("应换货但无同型号同规格产品，消费者不愿换其他型号：必须予以退货", "An exchange is due but the same model is unavailable and the customer declines another: the shop must take the goods back"),
            );
            china::settle(context, builder, Settlement::InvoicePrice, true)?;
            Ok(true)
        }
        Some(_) => {
            builder.allow(
                Remedy::ReturnAndRefund,
                "three_guarantees",
                &["CN-R29"],
                text("有同型号同规格产品，消费者仍坚持退货：必须予以退货，可收取折旧费", "The same model is available but the customer insists on a return: the shop must take it back and may charge depreciation"),
            );
            china::settle(context, builder, Settlement::WithDepreciation, true)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

fn day_deadline(
    context: &Context,
    name: &str,
    start: Date,
    end: Date,
    act: Date,
    ids: &[&str],
    explanation: super::decision::Text,
) -> super::decision::Deadline {
    let period = DayPeriod::months(start, 0).ending(end);
    deadline(name, &period, &context.zone, Some(act), ids, explanation)
}
