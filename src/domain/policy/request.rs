//! What the policy engine is asked: the JSON a caller sends (docs/POLICY.md has examples).
//! Every field but `jurisdiction` has a default, so a request says only what it knows.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One question: may this customer have this remedy for these goods now, and on what terms?
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRequest {
    /// Whose law applies: `CN`, `EU`, `UK` or `US`.
    pub jurisdiction: Jurisdiction,
    /// Sales platform: taobao, tmall, jd, pinduoduo, douyin, wechat, shopify, woocommerce, own_store …
    #[serde(default)]
    pub platform: Option<String>,
    /// US state (two letters) or EU member state, where the rules differ.
    #[serde(default)]
    pub region: Option<String>,
    /// IANA zone that dates without an offset are read in and deadlines are shown in.
    /// Default: Asia/Shanghai for CN, Europe/Berlin for EU, Europe/London for UK, America/New_York for US.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// What the customer asks for; without it every remedy is judged.
    #[serde(default)]
    pub kind: Option<Remedy>,
    /// Why: `no_reason` (changed mind) or a problem with the goods.
    #[serde(default)]
    pub reason: Reason,
    /// How the customer asked (EU/UK: any unequivocal statement is valid).
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub items: Vec<Item>,
    #[serde(default)]
    pub money: OrderMoney,
    #[serde(default)]
    pub dates: Dates,
    #[serde(default)]
    pub history: History,
    #[serde(default)]
    pub facts: Facts,
    /// The shop's own rules, layered on the law; never narrower than it.
    #[serde(default)]
    pub shop_policy: ShopPolicy,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub enum Jurisdiction {
    #[default]
    #[serde(alias = "cn")]
    CN,
    #[serde(alias = "eu")]
    EU,
    #[serde(alias = "uk", alias = "GB", alias = "gb")]
    UK,
    #[serde(alias = "us")]
    US,
}

/// The remedies a customer may ask for; the first four are also case kinds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    /// 仅退款: money back, goods kept or never received.
    RefundOnly,
    /// 退货退款 / withdrawal / rejection: goods back, money back.
    ReturnAndRefund,
    /// 换货: the same goods again.
    Exchange,
    /// 维修
    Repair,
    /// Part of the price back, goods kept (EU/UK legal guarantee).
    PriceReduction,
}

impl Remedy {
    pub const ALL: [Remedy; 5] = [
        Remedy::RefundOnly,
        Remedy::ReturnAndRefund,
        Remedy::Exchange,
        Remedy::Repair,
        Remedy::PriceReduction,
    ];

    /// The case kind a remedy is worked as; price reduction is a refund without return.
    pub fn as_case_kind(self) -> crate::domain::CaseKind {
        use crate::domain::CaseKind;
        match self {
            Remedy::RefundOnly | Remedy::PriceReduction => CaseKind::RefundOnly,
            Remedy::ReturnAndRefund => CaseKind::ReturnAndRefund,
            Remedy::Exchange => CaseKind::Exchange,
            Remedy::Repair => CaseKind::Repair,
        }
    }

    pub fn from_case_kind(kind: crate::domain::CaseKind) -> Option<Remedy> {
        use crate::domain::CaseKind;
        match kind {
            CaseKind::RefundOnly => Some(Remedy::RefundOnly),
            CaseKind::ReturnAndRefund => Some(Remedy::ReturnAndRefund),
            CaseKind::Exchange => Some(Remedy::Exchange),
            CaseKind::Repair => Some(Remedy::Repair),
            CaseKind::Consultation | CaseKind::Complaint => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PolicyReason)]
pub enum Reason {
    /// 七天无理由 / changed mind / withdrawal without a reason.
    #[default]
    #[serde(alias = "changed_mind", alias = "seven_day", alias = "withdrawal")]
    NoReason,
    /// A fault or defect (质量问题, 性能故障, lack of conformity).
    #[serde(
        alias = "defect",
        alias = "fault",
        alias = "quality_problem",
        alias = "nonconformity"
    )]
    Quality,
    NotAsDescribed,
    WrongItem,
    MissingItem,
    DamagedInTransit,
    /// The goods never arrived.
    NotReceived,
    LateDelivery,
}

impl Reason {
    /// A problem with the goods themselves, as opposed to a change of mind or a delivery problem.
    pub fn is_nonconformity(self) -> bool {
        matches!(
            self,
            Reason::Quality
                | Reason::NotAsDescribed
                | Reason::WrongItem
                | Reason::MissingItem
                | Reason::DamagedInTransit
        )
    }
}

/// One order line the request is about.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    #[serde(default)]
    pub name: Option<String>,
    /// Free category: food, cosmetics, medical_device, electronics, clothing, shoes, bags, toys,
    /// home_textiles, household, books … (decides which "not intact" tests apply).
    #[serde(default)]
    pub category: Option<String>,
    /// A 三包 catalogue product (mobile_phone, microcomputer, tv, air_conditioner, refrigerator,
    /// washing_machine, microwave_oven …), if it is one.
    #[serde(default)]
    pub three_guarantees: Option<String>,
    /// What the goods are by nature (decides statutory exclusions).
    #[serde(default)]
    pub nature: Vec<Nature>,
    /// The buyer confirmed "not returnable" in a prominent step at checkout (CN-R9).
    #[serde(default)]
    pub confirmed_non_returnable: bool,
    /// The shop marks this item "no 7-day return" (checked against the law).
    #[serde(default)]
    pub shop_excluded: bool,
    /// Still sealed as delivered; `false` = unsealed after delivery; absent = unknown.
    #[serde(default)]
    pub sealed: Option<bool>,
    /// What the returned goods look like.
    #[serde(default)]
    pub condition: Vec<Condition>,
    /// The part that failed (e.g. compressor, battery, display), for 三包 part periods.
    #[serde(default)]
    pub faulty_part: Option<String>,
    #[serde(default = "one")]
    pub quantity: u32,
    /// How many of this line go back; default all, 0 = kept.
    #[serde(default)]
    pub return_quantity: Option<u32>,
    /// Price per unit at purchase, before order-level discounts.
    #[serde(default, alias = "price")]
    #[schema(value_type = Option<String>, example = "200.00")]
    pub unit_price: Option<Amount>,
    /// When this item reached the customer, if items arrived separately.
    #[serde(default)]
    pub delivered: Option<String>,
}

fn one() -> u32 {
    1
}

impl Item {
    pub fn returned_quantity(&self) -> u32 {
        self.return_quantity
            .unwrap_or(self.quantity)
            .min(self.quantity)
    }

    pub fn has(&self, nature: Nature) -> bool {
        self.nature.contains(&nature)
    }

    pub fn shows(&self, condition: Condition) -> bool {
        self.condition.contains(&condition)
    }

    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| "item".into())
    }
}

/// What goods are by nature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    /// Made to the consumer's order (定作).
    #[serde(alias = "personalised", alias = "personalized")]
    CustomMade,
    /// Fresh, live or perishable (鲜活易腐).
    Perishable,
    /// Software, music, films, e-books downloaded online (在线下载).
    DigitalDownload,
    /// Audio-visual recordings or software on a sealed medium (excluded once unsealed).
    AudioVisual,
    /// A newspaper or periodical issue (not a subscription).
    Periodical,
    Subscription,
    /// Health or hygiene goods sold sealed (EU-R12(e); CN-R8(1) with confirmation).
    HygieneSealed,
    /// Quality easily changes once unsealed (CN-R8(1)).
    QualityChangesWhenUnsealed,
    /// Value drops considerably once activated or tried (CN-R8(2)).
    ValueDropsWhenActivated,
    /// Sold with an express near-expiry notice (临期, CN-R8(3)).
    NearExpiry,
    /// Sold as defective with notice (CN-R8(3)).
    SoldAsDefective,
    /// Inseparably mixed with other items after delivery (EU-R12(f)).
    MixedInseparably,
    /// Price depends on financial-market fluctuations (EU-R12(b)).
    MarketPriced,
    /// A durable good such as a car, computer, TV or fridge (CN-R5).
    Durable,
    SecondHand,
}

/// The state of returned goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Opened only to inspect or try as needed to check it (still intact, CN-R10).
    OpenedForInspection,
    /// The necessary single-use seal of food, cosmetics or medical goods is broken.
    SealBroken,
    UnauthorisedRepair,
    CertificationMarkDamaged,
    SerialLabelDamaged,
    IndicatorLabelDamaged,
    /// Wear that is hard to restore.
    HardToRestoreWear,
    /// Activated, or logged into the buyer's accounts.
    Activated,
    /// Personal data (photos, accounts) left on the device.
    PersonalDataLeft,
    /// Brand or trademark label removed or cut off.
    LabelRemoved,
    Soiled,
    Damaged,
    AccessoriesMissing,
    /// Used beyond what is needed to establish nature, characteristics and functioning.
    UsedBeyondInspection,
    /// Damage from improper use, storage or accident (water, drop).
    Misuse,
    /// Taken apart by someone other than an authorised repairer.
    DisassembledByThirdParty,
}

/// An amount in major units, as a decimal string ("180.00") or a JSON number (180).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String)]
pub struct Amount(pub String);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(text) => Ok(Amount(text)),
            serde_json::Value::Number(number) => Ok(Amount(number.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "an amount must be a decimal string such as \"12.50\" or a number, not {other}"
            ))),
        }
    }
}

/// The order's money.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderMoney {
    /// ISO 4217; default CNY for CN, EUR for EU, GBP for UK, USD for US.
    #[serde(default)]
    pub currency: Option<String>,
    /// How the order was paid: each method and amount (coupons and points count as methods).
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// Order-level discounts such as 满300减50.
    #[serde(default)]
    pub discounts: Vec<Discount>,
    #[serde(default)]
    pub gifts: Vec<Gift>,
    /// Delivery fee the customer paid.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub shipping_fee: Option<Amount>,
    /// The cheapest standard delivery offered (EU/UK: only this much delivery is refunded).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub standard_shipping_fee: Option<Amount>,
    /// Free shipping above this order value (包邮门槛).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub free_shipping_threshold: Option<Amount>,
    /// The forward shipping the shop paid when the order shipped free.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub waived_shipping_fee: Option<Amount>,
    #[serde(default)]
    pub card_fee: Option<CardFee>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// alipay, wechat_pay, card, credit_card, cash, cheque, coupon, points, voucher, gift_card …
    pub method: String,
    #[schema(value_type = String)]
    pub amount: Amount,
}

impl Payment {
    /// Coupons, points and vouchers go back in kind (CN-R16).
    pub fn is_in_kind(&self) -> bool {
        matches!(
            self.method.as_str(),
            "coupon" | "shop_coupon" | "platform_coupon" | "points" | "voucher"
        )
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Discount {
    /// Spend at least this much (at purchase prices) to get the discount; absent = unconditional.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub threshold: Option<Amount>,
    #[schema(value_type = String)]
    pub amount: Amount,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Gift {
    #[serde(default)]
    pub name: Option<String>,
    /// The value the shop marked in advance.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub value: Option<Amount>,
    /// The customer sends the gift back with the goods.
    #[serde(default)]
    pub returned: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardFee {
    #[schema(value_type = String)]
    pub amount: Amount,
    /// The shop waived the fee at purchase (it may then deduct it, CN-R17).
    #[serde(default)]
    pub waived: bool,
}

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

fn yes() -> bool {
    true
}

impl Default for Facts {
    fn default() -> Self {
        serde_json::from_str("{}").expect("facts have defaults")
    }
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
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodReading {
    #[default]
    ConsumerFavourable,
    Strict,
}
