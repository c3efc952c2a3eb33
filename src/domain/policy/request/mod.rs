//! What the policy engine is asked: the JSON a caller sends (docs/POLICY.md has examples).
//! Every field but `jurisdiction` has a default, so a request says only what it knows.

mod facts;
mod money;
pub use facts::*;
pub use money::*;

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
    /// What the parties did in a platform dispute (Taobao, JD); absent: no dispute.
    #[serde(default)]
    pub dispute: Option<Dispute>,
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
            // The order's parcel comes back by the carrier: money back without a return.
            CaseKind::RefusedDelivery | CaseKind::Interception => Some(Remedy::RefundOnly),
            CaseKind::Consultation | CaseKind::Complaint | CaseKind::Reship | CaseKind::Review => {
                None
            }
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
    /// EU: a shorter legal-guarantee period the contract agreed for this item, in months (only
    /// second-hand goods, where the member state allows it, never under 12: EU-R13).
    #[serde(default)]
    pub agreed_guarantee_months: Option<u32>,
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

    /// Unsealed after delivery, said either way: `sealed: false` or `condition: seal_broken`
    /// (one fact; a request saying both ways at once is refused).
    pub fn unsealed(&self) -> bool {
        self.sealed == Some(false) || self.shows(Condition::SealBroken)
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
    /// Alcohol priced at the contract, delivered after 30 days, its value set by the market
    /// (EU-R12(g)).
    AlcoholPricedInAdvance,
    /// An urgent repair or maintenance the consumer asked for at home (EU-R12(h)).
    UrgentRepair,
    /// Accommodation, goods transport, car rental, catering or leisure for a set date (EU-R12(l)).
    DatedService,
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
