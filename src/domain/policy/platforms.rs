//! Platform rules on top of the law: Taobao/Tmall disputes (B1) and JD's dispute time limits (B2).

use jiff::{ToSpan, civil::time};

use super::Context;
use super::decision::{Builder, Party, text};
use super::periods::{DayPeriod, add_window_minutes, deadline, moment_deadline};
use super::request::Remedy;
use super::settlement::{Settlement, refund};

pub fn decide(context: &Context, builder: &mut Builder) {
    if context.is_platform(&["taobao", "tmall"]) {
        taobao(context, builder);
        taobao_dispute(context, builder);
    }
    if context.is_platform(&["jd"]) {
        jd(context, builder);
        jd_default(context, builder);
    }
}

/// The platform orders a return and refund (or a refund alone): the seller is at fault and pays
/// the freight (CN-P7 "谁过错、谁承担"), and the refund is the price paid.
fn platform_refund(
    context: &Context,
    builder: &mut Builder,
    remedy: Remedy,
    ids: &[&str],
    explanation: super::decision::Text,
) {
    builder.decide(remedy, true, "platform_dispute", ids, explanation);
    builder.freight(
        Party::Seller,
        Party::Seller,
        ids,
        text(
            "平台判定卖家责任：来回运费和损失由卖家承担",
            "The platform found the seller at fault: the seller bears all freight and losses",
        ),
    );
    if builder.refund.is_none() {
        builder.refund = refund(context.request, Settlement::Nonconformity)
            .ok()
            .flatten();
    }
}

/// Taobao's burden of proof (CN-P12): a visible problem needs the buyer's initial evidence; a
/// counterfeit claim or a problem that cannot be seen needs the seller's documents, and a seller
/// who cannot produce them loses; a quality test decides the quality (CN-P13).
fn taobao_dispute(context: &Context, builder: &mut Builder) {
    let Some(dispute) = &context.request.dispute else {
        return;
    };
    let facts = &context.request.facts;
    let test = dispute.quality_test.as_deref();
    if facts.quality_test_confirmed || test == Some("confirmed") {
        if !facts.quality_test_confirmed {
            builder.find(
                "testing_fee_seller",
                &["CN-P13"],
                text("平台要求的质检确认存在质量问题：检测费用由卖家承担", "The platform's quality test confirmed the problem: the seller pays the testing fee"),
            );
        }
        platform_refund(
            context,
            builder,
            Remedy::ReturnAndRefund,
            &["CN-P12", "CN-P13"],
            text(
                "平台质检确认存在质量问题：支持退货退款",
                "The platform's quality test confirmed the problem: return and refund",
            ),
        );
        return;
    }
    if test == Some("not_confirmed") {
        for remedy in [Remedy::ReturnAndRefund, Remedy::RefundOnly] {
            builder.decide(remedy, false, "platform_dispute", &["CN-P12", "CN-P13"], text(
                "平台质检未发现质量问题：质量争议不支持（七天无理由退货仍可）",
                "The platform's quality test found no problem: the quality claim fails (a no-reason return within the window still stands)",
            ));
        }
        return;
    }
    let needs_documents = dispute.counterfeit_alleged || dispute.defect_visible == Some(false);
    if needs_documents {
        let mut needed: Vec<&str> = Vec::new();
        let produced = |name: &str| {
            dispute
                .documents
                .iter()
                .flatten()
                .any(|document| document == name)
        };
        if dispute.counterfeit_alleged
            && !["purchase", "distribution", "invoice"]
                .iter()
                .any(|name| produced(name))
        {
            needed.push("purchase / distribution / invoice");
        }
        if dispute.counterfeit_alleged && dispute.imported && !produced("customs") {
            needed.push("customs");
        }
        if dispute.defect_visible == Some(false) && !produced("conformity") {
            needed.push("conformity");
        }
        builder.burden(Party::Seller, &["CN-P12"], text(
            "假货或肉眼不可见的质量问题：由卖家提供进货凭证、授权、报关单（进口）、合格证或发票等证明",
            "A counterfeit claim or a problem that cannot be seen: the seller must prove the goods with purchase, distribution, customs (imports), conformity documents or invoices",
        ));
        match (&dispute.documents, needed.is_empty()) {
            (None, _) => builder.find(
                "seller_must_prove",
                &["CN-P12"],
                text(
                    "卖家须提供证明材料；不能提供的，淘宝支持退货退款",
                    "The seller must produce its documents; if it cannot, Taobao orders a return and refund",
                ),
            ),
            (Some(_), false) => {
                let missing = needed.join(", ");
                platform_refund(context, builder, Remedy::ReturnAndRefund, &["CN-P12"], text(
                    format!("卖家未能提供证明材料（缺少：{missing}）：淘宝支持退货退款"),
                    format!("The seller could not produce its documents (missing: {missing}): Taobao orders a return and refund"),
                ));
            }
            (Some(_), true) => {
                for remedy in [Remedy::ReturnAndRefund, Remedy::RefundOnly] {
                    builder.decide(remedy, false, "platform_dispute", &["CN-P12"], text(
                        "卖家已提供所需证明材料：买家的主张不成立（七天无理由退货仍可）",
                        "The seller produced the documents needed: the buyer's claim fails (a no-reason return within the window still stands)",
                    ));
                }
            }
        }
        return;
    }
    if dispute.defect_visible == Some(true) {
        if dispute.buyer_evidence {
            builder.burden(
                Party::Seller,
                &["CN-P12"],
                text(
                    "买家已就肉眼可见的质量问题提供初步证据",
                    "The buyer gave initial evidence of a visible problem",
                ),
            );
        } else {
            builder.burden(
                Party::Buyer,
                &["CN-P12"],
                text(
                    "肉眼可见的质量问题由买家提供初步证据",
                    "A visible problem: the buyer must give initial evidence",
                ),
            );
            for remedy in [Remedy::ReturnAndRefund, Remedy::RefundOnly] {
                builder.decide(remedy, false, "platform_dispute", &["CN-P12"], text(
                    "肉眼可见的质量问题，买家未提供初步凭证：淘宝将货款支付给卖家（七天无理由退货仍可）",
                    "A visible problem without the buyer's initial evidence: Taobao pays the seller (a no-reason return within the window still stands)",
                ));
            }
        }
    }
}

/// JD decides on the evidence there is when the merchant lets 24 hours pass (CN-P22): a return
/// and refund at the merchant's cost, or a refund without return for goods that cannot go back.
fn jd_default(context: &Context, builder: &mut Builder) {
    let Some(opened) = &context.dates.dispute_opened else {
        return;
    };
    let due = opened.saturating_add(24.hours());
    let answered = context.dates.merchant_answered.as_ref();
    let silent = match answered {
        Some(answered) => *answered > due,
        None => context.as_of > due,
    };
    if let Some(deadline) = builder
        .deadlines
        .iter_mut()
        .find(|deadline| deadline.name == "merchant_dispute_response")
    {
        deadline.met = match answered {
            Some(answered) => Some(*answered <= due),
            None if silent => Some(false),
            None => None,
        };
    }
    if let (Some(asked), Some(deadline)) = (
        context.dates.evidence_requested.as_ref(),
        builder
            .deadlines
            .iter_mut()
            .find(|deadline| deadline.name == "merchant_evidence"),
    ) {
        let due = add_window_minutes(asked, 4 * 60, time(9, 0, 0, 0), time(18, 0, 0, 0));
        deadline.met = match &context.dates.evidence_supplied {
            Some(supplied) => Some(*supplied <= due),
            None if context.as_of > due => Some(false),
            None => None,
        };
    }
    if !silent {
        return;
    }
    let not_returnable = context
        .request
        .dispute
        .as_ref()
        .is_some_and(|dispute| dispute.not_returnable);
    builder.find(
        "merchant_silent",
        &["CN-P22"],
        text(
            "纠纷单到达后24小时内商家未协商或举证：京东按现有证据判定",
            "The merchant did not settle or give evidence within 24 hours: JD decides on the evidence there is",
        ),
    );
    if not_returnable {
        platform_refund(
            context,
            builder,
            Remedy::RefundOnly,
            &["CN-P22"],
            text(
                "商家逾期未响应，商品不适合退回：京东可执行仅退款",
                "The merchant did not answer in time and the goods cannot be sent back: JD may refund without return",
            ),
        );
    } else {
        platform_refund(
            context,
            builder,
            Remedy::ReturnAndRefund,
            &["CN-P22"],
            text(
                "商家逾期未响应：京东按现有证据执行退货退款，退货运费和损失由商家承担",
                "The merchant did not answer in time: JD orders a return and refund on the evidence, the merchant bearing the return freight and losses",
            ),
        );
    }
}

fn taobao(context: &Context, builder: &mut Builder) {
    let facts = &context.request.facts;
    if facts.responsibility_unclear {
        builder.allow(
            Remedy::ReturnAndRefund,
            "responsibility_unclear",
            &["CN-P2"],
            text(
                "无法判定责任时，淘宝支持退货退款",
                "When responsibility cannot be determined, Taobao supports a return and refund",
            ),
        );
        builder.freight(
            Party::Seller,
            Party::Buyer,
            &["CN-P2"],
            text("责任无法判定：发货运费由卖家承担，退货运费由买家承担", "Responsibility unclear: the seller bears the forward freight, the buyer the return freight"),
        );
    }
    match facts.transit_damage.as_deref() {
        Some("broken") => builder.find(
            "transit_risk_seller",
            &["CN-P3"],
            text("买家交寄退货后商品破损：风险由卖家承担", "The return broke after the buyer handed it to the carrier: the seller bears the risk"),
        ),
        Some("lost") => builder.find(
            "transit_risk_buyer",
            &["CN-P3"],
            text("买家交寄退货后商品丢失或毁损：风险由买家承担，买家可向快递索赔", "The return was lost after the buyer handed it to the carrier: the buyer bears the risk and may claim against the carrier"),
        ),
        _ => {}
    }
    if facts.quality_test_confirmed {
        builder.find(
            "testing_fee_seller",
            &["CN-P13"],
            text("平台要求的质检确认存在质量问题：检测费用由卖家承担", "The platform's quality test confirmed the problem: the seller pays the testing fee"),
        );
    }
    if let Some(suspended) = &context.dates.suspended {
        let period = DayPeriod::after(suspended.date(), 30);
        builder.deadlines.push(deadline(
            "negotiation_suspension",
            &period,
            &context.zone,
            None,
            &["CN-P14"],
            text(
                format!("双方申请协商暂停处理：30天内（至 {}）未处理款项或反馈结果的，淘宝恢复处理", period.last_day),
                format!("Suspended for negotiation: if neither moves the money nor reports within 30 days (by {}), Taobao resumes", period.last_day),
            ),
        ));
    }
    let shipped_after_request = match (&context.dates.shipped, &context.dates.requested) {
        (Some(shipped), Some(requested)) => shipped > requested,
        _ => false,
    };
    if facts.delivery_refused && (facts.shipped_without_consent || shipped_after_request) {
        builder.allow(
            Remedy::RefundOnly,
            "shipped_without_consent",
            &["CN-P5"],
            text(
                "买家申请退款后卖家未经同意发货，买家拒收：退款给买家，运费和风险由卖家承担",
                "The seller shipped after the refund request without consent and the buyer refused it: refund, the seller bears freight and risk",
            ),
        );
        builder.freight(
            Party::Seller,
            Party::Seller,
            &["CN-P5"],
            text(
                "卖家承担来回运费和风险",
                "The seller bears all freight and the risk",
            ),
        );
    } else if facts.delivery_refused {
        // Whether the goods support 7-day return: a statutory or confirmed exclusion.
        let excluded = builder.has_finding("excluded")
            || context.returned_items().any(super::shop::has_lawful_ground);
        if excluded {
            builder.refuse(
                Remedy::RefundOnly,
                "delivery_refused",
                &["CN-P6"],
                text(
                    "不支持七天无理由的商品无正当理由拒收：货款付给卖家，买家自行取回商品",
                    "Refusing without good reason an item without 7-day return: the payment goes to the seller and the buyer recovers the goods",
                ),
            );
        } else {
            builder.allow(
                Remedy::RefundOnly,
                "delivery_refused",
                &["CN-P6"],
                text(
                    "支持七天无理由的商品拒收：退款给买家，卖家取回商品并承担风险",
                    "Refusing delivery of an item with 7-day return: refund to the buyer; the seller recovers the goods and bears the risk",
                ),
            );
        }
    }
}

fn jd(context: &Context, builder: &mut Builder) {
    let dates = &context.dates;
    if let Some(rejected) = &dates.rejected {
        let period = DayPeriod::after(rejected.date(), 15);
        let asked = dates
            .intervention_requested
            .as_ref()
            .map(|moment| moment.date());
        builder.deadlines.push(deadline(
            "platform_intervention",
            &period,
            &context.zone,
            asked,
            &["CN-P21"],
            text(
                format!("售后单被驳回后15个自然日内（至 {}）可申请京东介入", period.last_day),
                format!("JD may be asked to intervene within 15 natural days after the rejection (until {})", period.last_day),
            ),
        ));
        if asked.is_some_and(|date| !period.contains(date)) {
            if context.request.facts.counterfeit_or_court_document {
                builder.find(
                    "intervention_without_time_limit",
                    &["CN-P21"],
                    text(
                        "经认定为假货/禁售品或有生效法律文书：不受时限限制",
                        "Counterfeit or prohibited goods found, or a court document: no time limit",
                    ),
                );
            } else {
                builder.find(
                    "intervention_window_missed",
                    &["CN-P21"],
                    text(
                        format!("申请介入已超过15个自然日（最后一天 {}）：京东可不予受理", period.last_day),
                        format!("Intervention was asked after the 15 natural days (last day {}): JD may decline", period.last_day),
                    ),
                );
            }
        }
    }
    if let Some(opened) = &dates.dispute_opened {
        let due = opened.saturating_add(24.hours());
        builder.deadlines.push(moment_deadline(
            "merchant_dispute_response",
            &due,
            None,
            &["CN-P22"],
            text(
                "纠纷单到达商家后24小时内协商或举证，逾期京东可按现有证据判定退货退款，运费和损失由商家承担",
                "The merchant has 24 hours to settle or give evidence; after that JD may decide on the evidence and order a return and refund at the merchant's cost",
            ),
        ));
    }
    if let Some(decided) = &dates.platform_decided {
        let due = decided.saturating_add(24.hours());
        builder.deadlines.push(moment_deadline(
            "merchant_execution",
            &due,
            None,
            &["CN-P24"],
            text(
                "京东判定后商家应在24小时内执行，否则京东代为执行",
                "After JD's decision the merchant executes within 24 hours, or JD does",
            ),
        ));
    }
    if let Some(closed) = &dates.dispute_closed {
        let period = DayPeriod::after(closed.date(), 7);
        builder.deadlines.push(deadline(
            "appeal",
            &period,
            &context.zone,
            None,
            &["CN-P25"],
            text(
                format!("纠纷单关闭后7个自然日内（至 {}）可申诉", period.last_day),
                format!("An appeal may be filed within 7 natural days after the dispute closes (until {})", period.last_day),
            ),
        ));
    }
    if let Some(requested) = &dates.requested {
        let due = requested.saturating_add(24.hours());
        builder.deadlines.push(moment_deadline(
            "merchant_first_answer",
            &due,
            None,
            &["CN-P20"],
            text("消费者发起售后后24小时内未协商一致或商家未处理的，消费者可申请京东介入", "If the merchant has not settled or acted within 24 hours of the request, the consumer may ask JD to intervene"),
        ));
    }
    if let Some(asked) = &dates.evidence_requested {
        let due = add_window_minutes(asked, 4 * 60, time(9, 0, 0, 0), time(18, 0, 0, 0));
        builder.deadlines.push(moment_deadline(
            "merchant_evidence",
            &due,
            None,
            &["CN-P23"],
            text(
                format!(
                    "补充举证4小时，只计每天09:00–18:00：截止 {}",
                    due.strftime("%Y-%m-%d %H:%M")
                ),
                format!(
                    "Further evidence within 4 hours counted only 09:00–18:00 each day: due {}",
                    due.strftime("%Y-%m-%d %H:%M")
                ),
            ),
        ));
    }
}
