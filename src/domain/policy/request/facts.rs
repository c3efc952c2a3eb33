//! When things happened, what happened before, the facts that decide single rules, and the
//! shop's own layer.

use super::*;

/// When things happened: RFC 3339, or `YYYY-MM-DD[ HH:MM]` read in the request's time zone.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dates {
    #[serde(default, alias = "ordered_at", alias = "order_date")]
    pub ordered: Option<String>,
    #[serde(default, alias = "paid_at", alias = "payment_date")]
    pub paid: Option<String>,
    #[serde(default, alias = "shipped_at")]
    pub shipped: Option<String>,
    /// Signed for / delivered into the customer's possession (签收).
    #[serde(
        default,
        alias = "delivered",
        alias = "delivered_at",
        alias = "signed_at",
        alias = "received"
    )]
    pub signed: Option<String>,
    #[serde(default, alias = "invoiced_at", alias = "invoice_date")]
    pub invoiced: Option<String>,
    /// When the customer asked (the return notice, withdrawal or claim was sent).
    #[serde(
        default,
        alias = "requested_at",
        alias = "request_date",
        alias = "notice_sent"
    )]
    pub requested: Option<String>,
    #[serde(default, alias = "fault_found_at", alias = "defect_found")]
    pub fault_found: Option<String>,
    /// When the shop gave the return address or otherwise processed the request.
    #[serde(default)]
    pub request_processed: Option<String>,
    /// When the customer handed the return parcel to the carrier.
    #[serde(default, alias = "return_shipped_at")]
    pub return_shipped: Option<String>,
    /// When the shop received the returned goods.
    #[serde(
        default,
        alias = "return_received_at",
        alias = "returned_goods_received"
    )]
    pub return_received: Option<String>,
    /// When the refund was paid.
    #[serde(default, alias = "refunded_at")]
    pub refunded: Option<String>,
    /// When the goods went to repair (or the customer asked for repair/replacement).
    #[serde(default)]
    pub repair_started: Option<String>,
    /// When the repaired or replaced goods came back to the customer.
    #[serde(default)]
    pub repair_returned: Option<String>,
    /// When the goods were last exchanged (三包 restarts, CN-R33).
    #[serde(default)]
    pub exchanged: Option<String>,
    /// When the order was cancelled (US mail order rule).
    #[serde(default, alias = "cancelled_at")]
    pub cancelled: Option<String>,
    /// When the shop rejected the after-sales request or refund.
    #[serde(default, alias = "rejected_at")]
    pub rejected: Option<String>,
    /// When the customer asked the platform to step in.
    #[serde(default)]
    pub intervention_requested: Option<String>,
    /// When a dispute order reached the merchant (JD: 24 hours to answer).
    #[serde(default)]
    pub dispute_opened: Option<String>,
    /// When the platform asked the merchant for more evidence (JD: 4 working-window hours).
    #[serde(default)]
    pub evidence_requested: Option<String>,
    /// When the merchant answered the dispute: settled with the buyer or gave its evidence
    /// (JD: within 24 hours of `dispute_opened`, CN-P22).
    #[serde(default)]
    pub merchant_answered: Option<String>,
    /// When the merchant gave the further evidence the platform asked for (JD: 4 hours, CN-P23).
    #[serde(default)]
    pub evidence_supplied: Option<String>,
    /// When the platform decided the dispute (JD: the merchant executes within 24 hours).
    #[serde(default)]
    pub platform_decided: Option<String>,
    /// When the dispute closed (JD: 7 natural days to appeal).
    #[serde(default)]
    pub dispute_closed: Option<String>,
    /// When both parties asked to negotiate and the dispute was suspended (Taobao: 30 days).
    #[serde(default)]
    pub suspended: Option<String>,
    /// When the trader gave the withdrawal information late (EU-R4).
    #[serde(default)]
    pub withdrawal_information_given: Option<String>,
    /// When the trader agreed the consumer is entitled to a refund (UK-R6: 14 days beginning
    /// with this day).
    #[serde(default)]
    pub refund_agreed: Option<String>,
    /// US: the shipping date the seller stated (US-R1); absent: 30 days (50 on new credit).
    #[serde(default)]
    pub ship_by: Option<String>,
    /// US: when the seller told the buyer it cannot ship in time and offered to cancel (US-R1).
    #[serde(default)]
    pub delay_notified: Option<String>,
    /// US: the new shipping date that delay notice gave; absent: an indefinite delay.
    #[serde(default)]
    pub revised_ship_by: Option<String>,
    /// The moment to judge "now" by; default: `requested`, else the time of evaluation.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// What happened before: repairs, waits, replacements.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// Repairs done so far for this fault (三包 / EU / UK).
    #[serde(default)]
    pub repairs: u32,
    /// Replacements done so far.
    #[serde(default)]
    pub replacements: u32,
    /// Still faulty after those repairs or replacements.
    #[serde(default)]
    pub still_faulty: bool,
    /// Days the goods have been (or were) at repair.
    #[serde(default)]
    pub repair_days: u32,
    /// Why the repair took long: `repairer` (its own reasons) or `parts` (no parts supplied).
    #[serde(default)]
    pub repair_delay: Option<String>,
    /// Days spent at repair or waiting for parts, deducted from the 三包 period (CN-R33).
    #[serde(default)]
    pub waiting_days: u32,
    /// The same model and specification is available for an exchange.
    #[serde(default)]
    pub same_model_available: Option<bool>,
    /// The customer accepts another model instead.
    #[serde(default)]
    pub accepts_other_model: bool,
}

/// Facts that decide single rules; all default to the ordinary case.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// The goods are a regular delivery over a period (a subscription): the withdrawal period
    /// runs from the first good (EU-R2, UK-R1), not the last.
    #[serde(default)]
    pub regular_delivery: bool,
    /// The trader told the consumer about the withdrawal right (EU-R4, EU-R11).
    #[serde(default = "yes")]
    pub withdrawal_information_given: bool,
    /// The trader told the consumer that returns are at the consumer's cost (EU-R10).
    #[serde(default = "yes")]
    pub return_cost_information_given: bool,
    /// The online shop offers a "withdraw from contract here" function (EU-R5a); absent = unknown.
    #[serde(default)]
    pub withdrawal_function_offered: Option<bool>,
    /// For digital content: the consumer consented and acknowledged losing the right (EU-R12(m)).
    #[serde(default)]
    pub digital_consent_acknowledged: bool,
    /// The shop offered to collect the goods itself (EU-R9).
    #[serde(default)]
    pub trader_collects: bool,
    /// The shop agreed to pay the return freight.
    #[serde(default)]
    pub seller_pays_return_freight: bool,
    /// The order shipped free (包邮).
    #[serde(default)]
    pub free_shipping: bool,
    /// The defect is minor (EU-R15: no termination).
    #[serde(default)]
    pub minor_defect: bool,
    /// The defect is serious enough for an immediate refund (EU-R15).
    #[serde(default)]
    pub serious_defect: bool,
    /// The shop refused or failed to repair or replace.
    #[serde(default)]
    pub seller_refused_remedy: bool,
    /// The shop says the customer caused the damage: who must prove it?
    #[serde(default)]
    pub cause_disputed: bool,
    /// The conditions for ending the contract are met (CN-R4, after 7 days).
    #[serde(default)]
    pub termination_grounds: bool,
    /// The shop shipped after the refund request without the buyer's consent (CN-P5).
    #[serde(default)]
    pub shipped_without_consent: bool,
    /// The buyer refused the delivery (CN-P5, CN-P6).
    #[serde(default)]
    pub delivery_refused: bool,
    /// The platform has stepped in (CN-P7).
    #[serde(default)]
    pub platform_intervened: bool,
    /// A counterfeit or prohibited-goods finding, or a court document (JD: no time limit).
    #[serde(default)]
    pub counterfeit_or_court_document: bool,
    /// US: the shop posts a return policy.
    #[serde(default = "yes")]
    pub return_policy_posted: bool,
    /// US: the buyer applied for credit to pay (50-day shipping rule).
    #[serde(default)]
    pub paid_with_new_credit: bool,
    /// US: the buyer's answer to a delay notice: true consented, false asked to cancel, absent
    /// did not answer (silence consents only to a definite delay of at most 30 days, US-R1).
    #[serde(default)]
    pub delay_consented: Option<bool>,
    /// A 三包 voucher and a valid invoice exist (CN-R35).
    #[serde(default = "yes")]
    pub has_invoice: bool,
    /// The business defrauded the consumer (CN-R5b: compensation of 3× the price, at least ¥500).
    #[serde(default)]
    pub fraud: bool,
    /// The platform cannot tell who is responsible (CN-P2).
    #[serde(default)]
    pub responsibility_unclear: bool,
    /// What happened to the return parcel in transit: `broken` or `lost` (CN-P3).
    #[serde(default)]
    pub transit_damage: Option<String>,
    /// A quality test the platform asked for confirmed the problem (CN-P13).
    #[serde(default)]
    pub quality_test_confirmed: bool,
}

pub(super) fn yes() -> bool {
    true
}

impl Default for Facts {
    fn default() -> Self {
        serde_json::from_str("{}").expect("facts have defaults")
    }
}

/// What the parties did in a platform dispute; the platform's default outcome follows from it
/// (CN-P12, CN-P13, CN-P22).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dispute {
    /// The buyer says the goods are counterfeit (Taobao: the seller proves they are genuine).
    #[serde(default)]
    pub counterfeit_alleged: bool,
    /// Whether the quality problem can be seen (the buyer's photos show it) or not (it needs
    /// documents or a test); absent: not a quality claim or not known.
    #[serde(default)]
    pub defect_visible: Option<bool>,
    /// The buyer gave initial evidence (photos, video) of a visible problem.
    #[serde(default)]
    pub buyer_evidence: bool,
    /// The documents the seller produced: `purchase`, `distribution` (authorisation),
    /// `invoice`, `customs` (imports), `conformity` (合格证/检验报告). Absent: not yet asked or
    /// not yet due; a list (even empty): what the seller produced when it had to.
    #[serde(default)]
    pub documents: Option<Vec<String>>,
    /// The goods were imported (customs documents are then needed too).
    #[serde(default)]
    pub imported: bool,
    /// A quality test the platform asked for: `requested`, `confirmed` or `not_confirmed`.
    #[serde(default)]
    pub quality_test: Option<String>,
    /// The goods are not suitable to be sent back (JD: refund without return, CN-P22).
    #[serde(default)]
    pub not_returnable: bool,
}

/// The shop's own layer. Windows can only be longer than the law's; exclusions only lawful ones.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShopPolicy {
    /// Days for a no-reason return (CN default 7, EU/UK 14; US: the shop's own).
    #[serde(default)]
    pub no_reason_days: Option<u32>,
    /// Extra days per customer tier, e.g. {"vip": 8}.
    #[serde(default)]
    pub tier_extra_days: std::collections::BTreeMap<String, u32>,
    /// The customer's tier, when `tier_extra_days` is used.
    #[serde(default)]
    pub customer_tier: Option<String>,
    /// The shop pays return freight for no-reason returns (运费险 / free returns).
    #[serde(default)]
    pub free_return_shipping: bool,
    /// Categories the shop says are not returnable without a reason.
    #[serde(default)]
    pub excluded_categories: Vec<String>,
    /// A period ending on a rest day: `consumer_favourable` (default) or `strict`.
    #[serde(default)]
    pub period_end_reading: PeriodReading,
    /// Where the 三包 "from sale" days start for online sales (CN-R37): receipt (default), payment, shipment, invoice.
    #[serde(default)]
    pub three_guarantees_start: Option<String>,
    /// EU member state extended the 1-year presumption of conformity to 2 years (EU-R14).
    #[serde(default)]
    pub presumption_years: Option<u32>,
    /// EU: the legal-guarantee period the shop's terms state for new goods, in months (never
    /// shorter than the member state's, EU-R13).
    #[serde(default)]
    pub guarantee_months: Option<u32>,
    /// EU: the member state's options as the shop's lawyer reads them, instead of the engine's
    /// table (docs/POLICY.md, "Member states").
    #[serde(default)]
    pub national_rules: Option<NationalRules>,
}

/// An EU member state's choices within Directive 2019/771 (EU-R13, EU-R14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NationalRules {
    /// The legal-guarantee period in months (at least 24); absent with `lifespan`: none fixed.
    #[serde(default)]
    pub guarantee_months: Option<u32>,
    /// Liability runs for the goods' expected lifespan, not a fixed period (NL, FI).
    #[serde(default)]
    pub lifespan: bool,
    /// The presumption of conformity in months: 12 or 24.
    pub presumption_months: u32,
    /// For second-hand goods, if different.
    #[serde(default)]
    pub second_hand_presumption_months: Option<u32>,
    /// The shortest period a contract may agree for second-hand goods (at least 12); absent:
    /// no shorter period may be agreed.
    #[serde(default)]
    pub second_hand_minimum_months: Option<u32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodReading {
    #[default]
    ConsumerFavourable,
    Strict,
}

/// A dispute that cannot be read: an unknown document or test, or two fields saying opposite
/// things.
pub fn check_dispute(dispute: &Dispute, facts: &Facts) -> Result<(), String> {
    const DOCUMENTS: [&str; 5] = [
        "purchase",
        "distribution",
        "invoice",
        "customs",
        "conformity",
    ];
    for (index, document) in dispute.documents.iter().flatten().enumerate() {
        if !DOCUMENTS.contains(&document.as_str()) {
            return Err(format!(
                "dispute.documents[{index}]: '{document}' is not a document the rules name; use {}",
                DOCUMENTS.join(", ")
            ));
        }
    }
    match dispute.quality_test.as_deref() {
        None | Some("requested" | "confirmed") => {}
        Some("not_confirmed") if facts.quality_test_confirmed => {
            return Err("dispute.quality_test: \"not_confirmed\" and facts.quality_test_confirmed: true say opposite things; give one".into());
        }
        Some("not_confirmed") => {}
        Some(other) => {
            return Err(format!(
                "dispute.quality_test: '{other}' is not one of requested, confirmed, not_confirmed"
            ));
        }
    }
    Ok(())
}
