//! What after-sales costs (docs/MONEY.md, "The cost ledger"): the kinds of entry, who pays each,
//! what an entry costs the shop, and the shop's default costs. Pure: no I/O.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::wire_names;

/// What a ledger entry is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CostKind {
    /// Sending the goods back to the shop (退货运费).
    ReturnFreight,
    /// Sending a replacement, a repaired item or a missing part to the customer.
    OutboundFreight,
    /// A return label bought from a carrier.
    Label,
    RepairParts,
    RepairLabour,
    /// What a supplier or repair centre charges.
    SupplierCharge,
    /// What a supplier or repair centre credits back: a recovery.
    SupplierCredit,
    /// Coupon value, points, a gift at cost, money given as goodwill.
    Compensation,
    /// Goods taken back at their cost price (scrapped, sent back to the supplier, or before
    /// what a restock or refurbishment recovers).
    WriteOff,
    /// Value recovered: goods restocked or refurbished, a carrier's or platform's claim paid.
    Recovered,
    /// A platform's penalty (a dispute lost, a deadline missed).
    PlatformPenalty,
    /// What a platform deducted after refunding the buyer in advance (先行赔付).
    AdvanceRefundDeduction,
    Other,
}

wire_names!(CostKind {
    ReturnFreight => "return_freight",
    OutboundFreight => "outbound_freight",
    Label => "label",
    RepairParts => "repair_parts",
    RepairLabour => "repair_labour",
    SupplierCharge => "supplier_charge",
    SupplierCredit => "supplier_credit",
    Compensation => "compensation",
    WriteOff => "write_off",
    Recovered => "recovered",
    PlatformPenalty => "platform_penalty",
    AdvanceRefundDeduction => "advance_refund_deduction",
    Other => "other",
});

impl CostKind {
    /// Whether the entry brings value back to the shop (it lowers the shop's cost whoever pays).
    pub fn recovery(self) -> bool {
        matches!(self, CostKind::SupplierCredit | CostKind::Recovered)
    }

    /// Who pays an entry of this kind unless said otherwise.
    pub fn default_payer(self) -> Payer {
        match self {
            CostKind::SupplierCredit => Payer::Supplier,
            _ => Payer::Shop,
        }
    }
}

/// Who pays (or, for a recovery, who gives the value back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    Shop,
    Customer,
    Carrier,
    Supplier,
    Platform,
}

wire_names!(Payer {
    Shop => "shop",
    Customer => "customer",
    Carrier => "carrier",
    Supplier => "supplier",
    Platform => "platform",
});

/// What an entry costs the shop: a cost it pays counts, a cost another party pays does not,
/// a recovery counts against (whoever gives it back). A correction's amount (below zero when
/// it lowers the original) follows the same rule.
pub fn shop_cost(kind: CostKind, payer: Payer, amount_minor: i64) -> i64 {
    if kind.recovery() {
        -amount_minor
    } else if payer == Payer::Shop {
        amount_minor
    } else {
        0
    }
}

/// A case's (or any set of entries') sums, in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Totals {
    /// What the entries cost the shop: costs it pays less what was recovered.
    pub shop_cost_minor: i64,
    /// Costs the shop pays (before recoveries).
    pub shop_paid_minor: i64,
    /// Value recovered (restocked or refurbished goods, credits, claims paid).
    pub recovered_minor: i64,
    /// Costs others bear (the customer, a carrier, a supplier, the platform).
    pub others_paid_minor: i64,
}

impl Totals {
    pub fn add(&mut self, kind: CostKind, payer: Payer, amount_minor: i64) {
        if kind.recovery() {
            self.recovered_minor += amount_minor;
        } else if payer == Payer::Shop {
            self.shop_paid_minor += amount_minor;
        } else {
            self.others_paid_minor += amount_minor;
        }
        self.shop_cost_minor += shop_cost(kind, payer, amount_minor);
    }
}

/// What a disposition of returned goods books, for `quantity` units that cost the shop
/// `unit_cost_minor` each: the goods taken back at cost, and what a restock (all of it) or a
/// refurbishment (the shop's share) recovers. Scrapped goods or goods sent back to the
/// supplier recover nothing here (a supplier's credit is its own entry).
pub fn disposition(
    disposition: &str,
    unit_cost_minor: i64,
    quantity: i64,
    refurbish_percent: u8,
) -> Vec<(CostKind, i64)> {
    let value = unit_cost_minor.saturating_mul(quantity);
    if value <= 0 {
        return Vec::new();
    }
    let recovered = match disposition {
        "restock" => value,
        "refurbish" => {
            i64::try_from(i128::from(value) * i128::from(refurbish_percent) / 100).unwrap_or(0)
        }
        "scrap" | "return_to_vendor" => 0,
        _ => return Vec::new(),
    };
    let mut entries = vec![(CostKind::WriteOff, value)];
    if recovered > 0 {
        entries.push((CostKind::Recovered, recovered));
    }
    entries
}

/// A shop's default costs, booked on their own when the case does what they are for: freight
/// when a parcel goes back or out, a label, labour by the hour. Given in `currency` (the
/// shop's own when absent); a case in another currency gets no default (staff enter its cost).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostSettings {
    /// ISO 4217 code of the amounts below; default the shop's currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// Return freight the shop pays per parcel, when the policy says the shop pays it.
    #[serde(default)]
    pub return_freight_minor: Option<i64>,
    /// Freight of a replacement, repaired item or missing part sent to the customer.
    #[serde(default)]
    pub outbound_freight_minor: Option<i64>,
    /// Freight per carrier (its name as staff type it, e.g. 顺丰, SF), both ways; wins over
    /// the two defaults.
    #[serde(default)]
    pub freight_by_carrier: BTreeMap<String, i64>,
    /// What one return label costs the shop, booked with each parcel sent back.
    #[serde(default)]
    pub label_minor: Option<i64>,
    /// Repair labour per hour (an entry given hours is priced with it).
    #[serde(default)]
    pub labour_per_hour_minor: Option<i64>,
    /// What share of a refurbished item's cost price comes back (default 50).
    #[serde(default)]
    pub refurbish_percent: Option<u8>,
    /// Compensation an agent may give on one case (all its offers together); above it a
    /// supervisor approves.
    #[serde(default)]
    pub compensation_cap_per_case_minor: Option<i64>,
    /// Compensation one agent may give in a calendar month; above it a supervisor approves.
    #[serde(default)]
    pub compensation_cap_per_agent_month_minor: Option<i64>,
}

/// Why compensation needs a supervisor's approval, if it does: an agent above a cap. `given`:
/// what the case's other standing offers give; `month`: what the agent gave this month; both in
/// the case's currency, which may not be the caps' (`in_currency` false: any amount waits).
pub fn approval_needed(
    settings: &CostSettings,
    role: super::Role,
    amount_minor: i64,
    given: i64,
    month: i64,
    in_currency: bool,
) -> Option<&'static str> {
    if role != super::Role::Agent || amount_minor <= 0 {
        return None;
    }
    let (case_cap, agent_cap) = (
        settings.compensation_cap_per_case_minor,
        settings.compensation_cap_per_agent_month_minor,
    );
    if case_cap.is_none() && agent_cap.is_none() {
        return None;
    }
    if !in_currency {
        return Some("the caps are in another currency");
    }
    if case_cap.is_some_and(|cap| given + amount_minor > cap) {
        return Some("above the cap per case");
    }
    if agent_cap.is_some_and(|cap| month + amount_minor > cap) {
        return Some("above the agent's monthly cap");
    }
    None
}

impl CostSettings {
    pub fn check(&self) -> Result<(), String> {
        if let Some(currency) = &self.currency
            && super::currency::Currency::parse(currency).is_err()
        {
            return Err(format!(
                "costs.currency: '{currency}' is not an ISO 4217 code"
            ));
        }
        for (field, value) in [
            ("return_freight_minor", self.return_freight_minor),
            ("outbound_freight_minor", self.outbound_freight_minor),
            ("label_minor", self.label_minor),
            ("labour_per_hour_minor", self.labour_per_hour_minor),
        ] {
            if value.is_some_and(|value| !(0..=1_000_000_000).contains(&value)) {
                return Err(format!(
                    "costs.{field}: between 0 and 1000000000 minor units"
                ));
            }
        }
        if self.freight_by_carrier.len() > 100 {
            return Err("costs.freight_by_carrier: at most 100 carriers".into());
        }
        for (carrier, value) in &self.freight_by_carrier {
            if !(1..=60).contains(&carrier.trim().chars().count()) {
                return Err(
                    "costs.freight_by_carrier: each carrier's name has 1 to 60 characters".into(),
                );
            }
            if !(0..=1_000_000_000).contains(value) {
                return Err(format!(
                    "costs.freight_by_carrier.{carrier}: between 0 and 1000000000 minor units"
                ));
            }
        }
        for (field, value) in [
            (
                "compensation_cap_per_case_minor",
                self.compensation_cap_per_case_minor,
            ),
            (
                "compensation_cap_per_agent_month_minor",
                self.compensation_cap_per_agent_month_minor,
            ),
        ] {
            if value.is_some_and(|value| !(0..=1_000_000_000_000).contains(&value)) {
                return Err(format!("costs.{field}: zero or more minor units"));
            }
        }
        if self.refurbish_percent.is_some_and(|percent| percent > 100) {
            return Err("costs.refurbish_percent: 0 to 100".into());
        }
        Ok(())
    }

    /// Whether the defaults are in `currency` (the shop's being `shop_currency`).
    pub fn applies_to(&self, currency: &str, shop_currency: &str) -> bool {
        self.currency.as_deref().unwrap_or(shop_currency) == currency
    }

    /// The freight of a parcel with `carrier`: the carrier's own figure, else the default for
    /// the direction.
    pub fn freight(&self, carrier: &str, outbound: bool) -> Option<i64> {
        let carrier = carrier.trim();
        self.freight_by_carrier
            .iter()
            .find(|(name, _)| name.trim().eq_ignore_ascii_case(carrier))
            .map(|(_, value)| *value)
            .or(if outbound {
                self.outbound_freight_minor
            } else {
                self.return_freight_minor
            })
            .filter(|value| *value > 0)
    }

    pub fn refurbish_percent(&self) -> u8 {
        self.refurbish_percent.unwrap_or(50).min(100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shop_bears_what_it_pays_and_gains_what_comes_back() {
        assert_eq!(shop_cost(CostKind::ReturnFreight, Payer::Shop, 1200), 1200);
        assert_eq!(shop_cost(CostKind::ReturnFreight, Payer::Customer, 1200), 0);
        assert_eq!(
            shop_cost(CostKind::SupplierCredit, Payer::Supplier, 500),
            -500
        );
        assert_eq!(shop_cost(CostKind::Recovered, Payer::Shop, 800), -800);
        // A correction lowering a cost the shop paid.
        assert_eq!(shop_cost(CostKind::ReturnFreight, Payer::Shop, -200), -200);
        let mut totals = Totals::default();
        for (kind, payer, amount) in [
            (CostKind::ReturnFreight, Payer::Shop, 1200),
            (CostKind::ReturnFreight, Payer::Customer, 900),
            (CostKind::WriteOff, Payer::Shop, 6000),
            (CostKind::Recovered, Payer::Shop, 3000),
        ] {
            totals.add(kind, payer, amount);
        }
        assert_eq!(
            totals,
            Totals {
                shop_cost_minor: 4200,
                shop_paid_minor: 7200,
                recovered_minor: 3000,
                others_paid_minor: 900,
            }
        );
    }

    #[test]
    fn a_disposition_books_the_goods_at_cost_and_what_comes_back() {
        assert_eq!(
            disposition("scrap", 3000, 2, 50),
            vec![(CostKind::WriteOff, 6000)]
        );
        assert_eq!(
            disposition("restock", 3000, 2, 50),
            vec![(CostKind::WriteOff, 6000), (CostKind::Recovered, 6000)]
        );
        assert_eq!(
            disposition("refurbish", 3333, 1, 50),
            vec![(CostKind::WriteOff, 3333), (CostKind::Recovered, 1666)]
        );
        assert!(disposition("scrap", 0, 2, 50).is_empty());
        assert!(disposition("unknown", 100, 1, 50).is_empty());
    }

    #[test]
    fn an_agent_above_a_cap_waits_for_a_supervisor() {
        use crate::domain::Role;
        let caps = CostSettings {
            compensation_cap_per_case_minor: Some(5000),
            compensation_cap_per_agent_month_minor: Some(20000),
            ..CostSettings::default()
        };
        assert_eq!(
            approval_needed(&caps, Role::Agent, 3000, 2000, 0, true),
            None
        );
        assert!(approval_needed(&caps, Role::Agent, 3001, 2000, 0, true).is_some());
        assert!(approval_needed(&caps, Role::Agent, 1000, 0, 19500, true).is_some());
        assert_eq!(
            approval_needed(&caps, Role::Supervisor, 99999, 0, 0, true),
            None
        );
        assert!(approval_needed(&caps, Role::Agent, 1, 0, 0, false).is_some());
        assert_eq!(
            approval_needed(&CostSettings::default(), Role::Agent, 99999, 0, 0, false),
            None,
            "no caps: nothing waits"
        );
        assert_eq!(approval_needed(&caps, Role::Agent, 0, 9999, 0, true), None);
    }

    #[test]
    fn freight_is_the_carriers_own_else_the_direction_default() {
        let settings = CostSettings {
            return_freight_minor: Some(1000),
            outbound_freight_minor: Some(800),
            freight_by_carrier: [("SF".to_string(), 1500)].into(),
            ..CostSettings::default()
        };
        assert_eq!(settings.freight("sf", false), Some(1500));
        assert_eq!(settings.freight("中通", false), Some(1000));
        assert_eq!(settings.freight("中通", true), Some(800));
        assert_eq!(CostSettings::default().freight("SF", false), None);
        assert!(settings.applies_to("CNY", "CNY"));
        assert!(!settings.applies_to("USD", "CNY"));
        assert!(
            CostSettings {
                refurbish_percent: Some(101),
                ..CostSettings::default()
            }
            .check()
            .is_err()
        );
    }
}
