//! Chinese law: the 7-day no-reason return (消保法 Art. 25 and the 2017 办法), returns for
//! non-conforming goods (Art. 24), the burden of proof for durable goods (Art. 23), and the
//! seller's time limits. 三包 products are in three_guarantees.rs; platform rules in platforms.rs.

mod defects;
mod no_reason;
pub use defects::*;
use no_reason::*;

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
    let taobao = context.is_platform(&["taobao", "tmall"]);
    if taobao && context.request.facts.delivery_refused {
        // The parcel reached the buyer, who refused it: Taobao's refusal rules decide (CN-P5, CN-P6).
        return;
    }
    let shipped = context.dates.shipped.is_some();
    let ids: &[&str] = if shipped && taobao { &["CN-P4"] } else { &[] };
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
    if item.has(Nature::AudioVisual) && item.unsealed() {
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
