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
    let california = request
        .region
        .as_deref()
        .is_some_and(|region| region.eq_ignore_ascii_case("CA"));
    if california && !request.facts.return_policy_posted {
        let purchase = context
            .dates
            .paid
            .as_ref()
            .or(context.dates.ordered.as_ref())
            .map(|moment| moment.date())
            .or(from);
        builder.flag(
            "california_rule_unverified",
            &["US-R3"],
            "thirty_days",
            text(
                "加州民法典第1723条的现行文本未核对",
                "The current text of California Civil Code §1723 was not checked",
            ),
        );
        if let Some(purchase) = purchase {
            let period = DayPeriod::after(purchase, 30);
            let act = context.act_date();
            builder.deadlines.push(deadline(
                "california_return",
                &period,
                &context.zone,
                Some(act),
                &["US-R3"],
                text(
                    format!("未张贴退货政策：购买后30天内（至 {}）可退", period.last_day),
                    format!(
                        "No return policy posted: returns within 30 days of purchase (until {})",
                        period.last_day
                    ),
                ),
            ));
            if !period.contains(act) {
                builder.refuse(
                    Remedy::ReturnAndRefund,
                    "state_law",
                    &["US-R3"],
                    text("已超过30天", "More than 30 days after purchase"),
                );
                return Ok(());
            }
        }
        builder.allow(Remedy::ReturnAndRefund, "state_law", &["US-R2", "US-R3"], text("联邦法无退货权；加州：未张贴退货政策的可在30天内退货", "No federal right; in California a shop without a posted policy must take returns within 30 days"));
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

fn mail_order(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let request = context.request;
    let dates = &context.dates;
    if let (Some(ordered), None) = (
        dates.ordered.as_ref().or(dates.paid.as_ref()),
        &dates.cancelled,
    ) {
        let days = if request.facts.paid_with_new_credit {
            50
        } else {
            30
        };
        let period = DayPeriod::after(ordered.date(), days);
        let shipped = dates.shipped.as_ref().map(|moment| moment.date());
        builder.deadlines.push(deadline(
            "ship_by",
            &period,
            &context.zone,
            shipped,
            &["US-R1"],
            text(
                format!(
                    "未说明发货时间：应在 {days} 天内（至 {}）发货",
                    period.last_day
                ),
                format!(
                    "No shipping time stated: ship within {days} days (by {})",
                    period.last_day
                ),
            ),
        ));
    }
    let Some(cancelled) = &dates.cancelled else {
        return Ok(());
    };
    let card = request.money.payments.iter().any(|payment| {
        matches!(
            payment.method.as_str(),
            "card" | "credit_card" | "credit" | "debit_card"
        )
    });
    builder.allow(
        Remedy::RefundOnly,
        "order_cancelled",
        &["US-R1"],
        text(
            "订单已取消：全额退款",
            "The order was cancelled: full refund",
        ),
    );
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
        let mut day = cancelled.date();
        let mut counted = 0;
        while counted < 7 {
            day = day.tomorrow().unwrap_or(day);
            if context.calendar.is_working_day(day) {
                counted += 1;
            }
        }
        let period = DayPeriod {
            first_day: cancelled.date().tomorrow().unwrap_or(day),
            counted_last_day: day,
            last_day: day,
        };
        builder.deadlines.push(deadline(
            "refund_due",
            &period,
            &context.zone,
            dates.refunded.as_ref().map(|moment| moment.date()),
            &["US-R1"],
            text(
                format!("现金/支票付款：7个工作日内（至 {day}）退款"),
                format!("Cash or cheque: refund within 7 working days (by {day})"),
            ),
        ));
    }
    builder.refund = refund(request, Settlement::Nonconformity).map_err(PolicyError)?;
    Ok(())
}
