//! United States: no federal right to return online purchases (the shop's policy decides, with
//! California's fallback), the FTC Mail Order Rule's shipping and refund limits, implied warranty.

use super::decision::{Builder, text};
use super::periods::{DayPeriod, deadline};
use super::request::Remedy;
use super::settlement::{Settlement, refund};
use super::{Context, PolicyError};

pub fn decide(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let request = context.request;
    if request.reason.is_nonconformity() {
        let explanation = text(
            "默示适销性担保：有缺陷的商品可要求修理、更换或退款（依州法）",
            "Implied warranty of merchantability: defective goods may be repaired, replaced or refunded (state law)",
        );
        for remedy in [Remedy::Repair, Remedy::Exchange, Remedy::ReturnAndRefund] {
            builder.allow(remedy, "implied_warranty", &["US-R4"], explanation.clone());
        }
    } else {
        no_reason(context, builder)?;
    }
    mail_order(context, builder)?;
    Ok(())
}

fn no_reason(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let request = context.request;
    let from = context
        .receipt()
        .or(context.dates.paid.as_ref())
        .or(context.dates.ordered.as_ref())
        .map(|moment| moment.date());
    if let (Some(days), Some(from)) = (request.shop_policy.no_reason_days, from) {
        let period = DayPeriod::after(from, i64::from(days));
        let act = context.act_date();
        builder.deadlines.push(deadline(
            "shop_return_window",
            &period,
            &context.zone,
            Some(act),
            &["US-R2"],
            text(
                format!("店铺退货政策：{days} 天，至 {}", period.last_day),
                format!(
                    "The shop's return policy: {days} days, until {}",
                    period.last_day
                ),
            ),
        ));
        if period.contains(act) {
            builder.allow_until(
                Remedy::ReturnAndRefund,
                "shop_policy",
                &["US-R2"],
                text(
                    "按店铺的退货政策可以退货",
                    "The shop's return policy allows the return",
                ),
                &period.last_day.to_string(),
            );
            builder.refund = refund(request, Settlement::NoReason).map_err(PolicyError)?;
        } else {
            builder.refuse(
                Remedy::ReturnAndRefund,
                "shop_policy",
                &["US-R2"],
                text(
                    format!("店铺退货期已于 {} 结束", period.last_day),
                    format!("The shop's return window ended on {}", period.last_day),
                ),
            );
        }
        return Ok(());
    }
    // States where a shop that does not post its refund policy must take returns for a time.
    let state = request
        .region
        .as_deref()
        .map(str::to_ascii_uppercase)
        .and_then(|region| match region.as_str() {
            "CA" => Some((
                "US-R3",
                "california_return",
                "加州民法典第1723条",
                "California Civil Code §1723",
            )),
            "NY" => Some((
                "US-NY1",
                "new_york_return",
                "纽约州一般商业法第218-a条",
                "New York General Business Law §218-a",
            )),
            _ => None,
        });
    if let (Some((rule, name, law_zh, law_en)), false) = (state, request.facts.return_policy_posted)
    {
        let purchase = context
            .dates
            .paid
            .as_ref()
            .or(context.dates.ordered.as_ref())
            .map(|moment| moment.date())
            .or(from);
        if rule == "US-R3" {
            builder.flag(
                "california_rule_unverified",
                &["US-R3"],
                "thirty_days",
                text(
                    "加州民法典第1723条的现行文本未核对",
                    "The current text of California Civil Code §1723 was not checked",
                ),
            );
        }
        if let Some(purchase) = purchase {
            let period = DayPeriod::after(purchase, 30);
            let act = context.act_date();
            builder.deadlines.push(deadline(
                name,
                &period,
                &context.zone,
                Some(act),
                &[rule],
                text(
                    format!("未张贴退货政策（{law_zh}）：购买后30天内（至 {}）可退", period.last_day),
                    format!(
                        "No return policy posted ({law_en}): returns within 30 days of purchase (until {})",
                        period.last_day
                    ),
                ),
            ));
            if !period.contains(act) {
                builder.refuse(
                    Remedy::ReturnAndRefund,
                    "state_law",
                    &[rule],
                    text("已超过购买后30天", "More than 30 days after purchase"),
                );
                return Ok(());
            }
        }
        let used = context.returned_items().any(|item| {
            item.condition.iter().any(|condition| {
                use super::request::Condition::*;
                matches!(condition, UsedBeyondInspection | Damaged | Soiled | Misuse)
            })
        });
        if used && rule == "US-NY1" {
            builder.refuse(
                Remedy::ReturnAndRefund,
                "state_law",
                &[rule],
                text(
                    "纽约州：商品已使用或损坏，不适用未张贴政策时的30天退款",
                    "New York: used or damaged goods are outside the 30-day refund owed for an unposted policy",
                ),
            );
            return Ok(());
        }
        builder.allow(
            Remedy::ReturnAndRefund,
            "state_law",
            &["US-R2", rule],
            text(
                format!("联邦法无退货权；{law_zh}：未张贴退货政策的商家须在购买后30天内接受退货"),
                format!("No federal right; under {law_en} a shop without a posted refund policy must take returns within 30 days of purchase"),
            ),
        );
        builder.refund = refund(request, Settlement::NoReason).map_err(PolicyError)?;
        return Ok(());
    }
    builder.refuse(
        Remedy::ReturnAndRefund,
        "no_federal_right",
        &["US-R2"],
        text("美国联邦法律没有网购无理由退货权：取决于店铺政策和州法", "No federal right to return online purchases: it depends on the shop's policy and state law"),
    );
    builder.find("depends_on_policy", &["US-R2", "US-R3"], text("取决于店铺退货政策和州法（如加州：未张贴政策时30天）", "Depends on the shop's return policy and state law (California: 30 days when no policy is posted)"));
    Ok(())
}

/// The FTC Mail Order Rule (US-R1): ship by the stated date (else 30 days, 50 on new credit);
/// a seller that cannot must offer, before that date, the choice between a delay and
/// cancelling; without it, or without consent to a long delay, the order is cancelled and
/// refunded promptly (7 working days, federal holidays skipped; card: one billing cycle).
fn mail_order(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let request = context.request;
    let dates = &context.dates;
    let today = context.as_of.date();
    let day = |moment: &Option<jiff::Zoned>| moment.as_ref().map(|moment| moment.date());
    let shipped = day(&dates.shipped);
    let ordered = day(&dates.ordered).or(day(&dates.paid));
    let days = if request.facts.paid_with_new_credit {
        50
    } else {
        30
    };
    let ship_by = match (ordered, day(&dates.ship_by)) {
        (Some(ordered), Some(stated)) => Some(DayPeriod::after(ordered, days).ending(stated)),
        (None, Some(stated)) => Some(DayPeriod::beginning_with(stated, 1)),
        (Some(ordered), None) => Some(DayPeriod::after(ordered, days)),
        (None, None) => None,
    };
    let mut cancelled_on = day(&dates.cancelled);
    if let Some(period) = ship_by.filter(|_| cancelled_on.is_none() || shipped.is_some()) {
        let judged = period.judged(shipped, today);
        let late = judged.is_some_and(|day| !period.contains(day));
        let ship_deadline = deadline(
            "ship_by",
            &period,
            &context.zone,
            judged,
            &["US-R1"],
            if dates.ship_by.is_some() {
                text(
                    format!("按承诺的时间（至 {}）发货", period.last_day),
                    format!("Ship by the date stated ({})", period.last_day),
                )
            } else {
                text(
                    format!(
                        "未说明发货时间：应在 {days} 天内（至 {}）发货",
                        period.last_day
                    ),
                    format!(
                        "No shipping time stated: ship within {days} days (by {})",
                        period.last_day
                    ),
                )
            },
        );
        builder.deadlines.push(ship_deadline);
        if shipped.is_none() || late {
            cancelled_on = delay(context, builder, &period, late, shipped, cancelled_on);
        }
    }
    let Some(cancelled) = cancelled_on else {
        return Ok(());
    };
    builder.allow(
        Remedy::RefundOnly,
        "order_cancelled",
        &["US-R1"],
        text(
            "订单已取消：全额退款",
            "The order is cancelled: full refund",
        ),
    );
    let card = request.money.payments.iter().any(|payment| {
        matches!(
            payment.method.as_str(),
            "card" | "credit_card" | "credit" | "debit_card"
        )
    });
    if card {
        builder.find(
            "refund_within_billing_cycle",
            &["US-R1"],
            text(
                "信用卡付款：应在一个账单周期内退回",
                "Paid by card: the refund must be credited within one billing cycle",
            ),
        );
    } else {
        let period = DayPeriod::working_days_after(cancelled, 7, &context.calendar);
        let refunded = day(&dates.refunded);
        let due = deadline(
            "refund_due",
            &period,
            &context.zone,
            period.judged(refunded, today),
            &["US-R1"],
            text(
                format!(
                    "现金/支票付款：取消后7个工作日内（联邦假日不计，至 {}）退款",
                    period.last_day
                ),
                format!(
                    "Cash or cheque: refund within 7 working days of the cancellation (federal holidays skipped; by {})",
                    period.last_day
                ),
            ),
        );
        builder.deadlines.push(due);
    }
    builder.refund = refund(request, Settlement::Nonconformity).map_err(PolicyError)?;
    Ok(())
}

/// The seller cannot (or did not) ship in time: the delay notice due by the shipping date, the
/// buyer's answer, and the day the order counts as cancelled, if it does.
fn delay(
    context: &Context,
    builder: &mut Builder,
    ship_by: &DayPeriod,
    late: bool,
    shipped: Option<jiff::civil::Date>,
    cancelled: Option<jiff::civil::Date>,
) -> Option<jiff::civil::Date> {
    let dates = &context.dates;
    let notified = dates.delay_notified.as_ref().map(|moment| moment.date());
    let mut notice = deadline(
        "delay_notice",
        &DayPeriod::beginning_with(ship_by.first_day, 1).ending(ship_by.last_day),
        &context.zone,
        notified,
        &["US-R1"],
        text(
            format!(
                "若不能按时发货：须在 {} 前通知买家，并让买家选择同意延迟或取消订单",
                ship_by.last_day
            ),
            format!(
                "If it cannot ship in time, the seller must tell the buyer by {} and offer the choice of agreeing to the delay or cancelling",
                ship_by.last_day
            ),
        ),
    );
    if notified.is_none() && late {
        notice.met = Some(false);
    }
    builder.deadlines.push(notice);
    if !late {
        return cancelled;
    }
    let notified_in_time = notified.is_some_and(|notified| ship_by.contains(notified));
    if !notified_in_time {
        builder.find(
            "delay_option_not_offered",
            &["US-R1"],
            text(
                format!("发货日 {} 已过，商家未及时通知买家并提供取消选择：违反邮购规则", ship_by.last_day),
                format!(
                    "The shipping date {} passed without the seller offering the buyer the choice to cancel: a Mail Order Rule violation",
                    ship_by.last_day
                ),
            ),
        );
        if shipped.is_some() {
            return cancelled;
        }
        // Not shipped and no option offered: the seller must treat the order as cancelled.
        builder.find(
            "deemed_cancelled",
            &["US-R1"],
            text(
                "未发货且未提供取消选择：商家必须视为订单已取消并及时退款",
                "Not shipped and no choice offered: the seller must treat the order as cancelled and refund promptly",
            ),
        );
        return cancelled.or(Some(ship_by.last_day));
    }
    let revised = dates.revised_ship_by.as_ref().map(|moment| moment.date());
    let short = revised
        .is_some_and(|revised| revised <= ship_by.last_day.saturating_add(jiff::ToSpan::days(30)));
    match context.request.facts.delay_consented {
        Some(false) => {
            return cancelled.or(Some(context.as_of.date()));
        }
        None if !short => {
            builder.find(
                "deemed_cancelled",
                &["US-R1"],
                text(
                    "延迟超过30天或没有确定日期，买家未明确同意：订单在原发货期满时视为取消，须及时退款",
                    "A delay of more than 30 days or without a date, and the buyer did not expressly agree: the order counts as cancelled at the end of the original shipping period and must be refunded promptly",
                ),
            );
            return cancelled.or(Some(ship_by.last_day));
        }
        _ => {}
    }
    if let Some(revised) = revised {
        let period = DayPeriod::beginning_with(ship_by.last_day, 1).ending(revised);
        let new_date = deadline(
            "revised_ship_by",
            &period,
            &context.zone,
            period.judged(shipped, context.as_of.date()),
            &["US-R1"],
            text(
                format!(
                    "买家同意延迟（未答复视为同意不超过30天的延迟）：至 {revised} 发货，否则须再次提供取消选择"
                ),
                format!(
                    "The buyer agreed to the delay (silence agrees to at most 30 days): ship by {revised}, or offer the choice again"
                ),
            ),
        );
        builder.deadlines.push(new_date);
    }
    if shipped.is_none() && cancelled.is_none() {
        builder.allow(
            Remedy::RefundOnly,
            "cancel_before_shipment",
            &["US-R1"],
            text(
                "发货前买家仍可取消订单并获得全额退款",
                "Until it ships, the buyer may still cancel for a full refund",
            ),
        );
    }
    cancelled
}
