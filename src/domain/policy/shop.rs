//! The shop's own layer: longer windows and tier extras are honoured; anything narrower than the
//! law, or an exclusion the law does not allow, is reported as invalid and ignored.

use super::Context;
use super::decision::{Builder, text};
use super::request::{Jurisdiction, Nature, PolicyRequest, ShopPolicy};

/// The statutory no-reason window in days (US: none).
pub fn statutory_days(jurisdiction: Jurisdiction) -> i64 {
    match jurisdiction {
        Jurisdiction::CN => 7,
        Jurisdiction::EU | Jurisdiction::UK => 14,
        Jurisdiction::US => 0,
    }
}

/// The window the customer gets: the law's, or the shop's if longer, plus the tier's extra days.
pub fn no_reason_days(request: &PolicyRequest) -> i64 {
    let policy = &request.shop_policy;
    let statutory = statutory_days(request.jurisdiction);
    let shop = policy.no_reason_days.map(i64::from).unwrap_or(statutory);
    let extra = policy
        .customer_tier
        .as_ref()
        .and_then(|tier| policy.tier_extra_days.get(tier))
        .map(|days| i64::from(*days))
        .unwrap_or(0);
    shop.max(statutory) + extra
}

/// The category names that are lawful exclusions by themselves (they name a statutory one).
const LAWFUL_CATEGORIES: &[&str] = &[
    "custom_made",
    "personalised",
    "fresh",
    "perishable",
    "live",
    "digital_download",
    "software_download",
    "newspaper",
    "periodical",
    "magazine",
];

fn statute_ids(jurisdiction: Jurisdiction) -> &'static [&'static str] {
    match jurisdiction {
        Jurisdiction::CN => &["CN-R22(a)", "CN-R25"],
        Jurisdiction::EU => &["EU-R12"],
        Jurisdiction::UK => &["UK-R4"],
        Jurisdiction::US => &[],
    }
}

pub fn apply(context: &Context, builder: &mut Builder) {
    let request = context.request;
    policy_findings(request.jurisdiction, &request.shop_policy, builder);
    if request.jurisdiction == Jurisdiction::US {
        return;
    }
    let policy = &request.shop_policy;
    for item in context.returned_items() {
        let marked = item.shop_excluded
            || item
                .category
                .as_ref()
                .is_some_and(|category| policy.excluded_categories.contains(category));
        if marked && !has_lawful_ground(item) {
            builder.find(
                "unlawful_exclusion",
                statute_ids(request.jurisdiction),
                text(
                    format!("「{}」被标为不支持无理由退货，但不属于法定例外：退货必须受理", item.label()),
                    format!("'{}' is marked non-returnable but is not a statutory exception: the return must be accepted", item.label()),
                ),
            );
        }
    }
}

/// What is wrong with a shop's policy by itself: windows shorter than the law, unlawful exclusions.
pub fn policy_findings(jurisdiction: Jurisdiction, policy: &ShopPolicy, builder: &mut Builder) {
    let statutory = statutory_days(jurisdiction);
    if let Some(days) = policy
        .no_reason_days
        .filter(|days| i64::from(*days) < statutory)
    {
        let id = match jurisdiction {
            Jurisdiction::CN => "CN-R1",
            Jurisdiction::EU => "EU-R1",
            _ => "UK-R1",
        };
        builder.find(
            "shop_policy_invalid",
            &[id],
            text(
                format!("店铺规则的无理由退货期 {days} 天短于法定的 {statutory} 天，无效；按 {statutory} 天计"),
                format!("The shop's {days}-day no-reason window is shorter than the statutory {statutory} days and is void; {statutory} days apply"),
            ),
        );
    }
    if jurisdiction == Jurisdiction::US {
        return;
    }
    for category in &policy.excluded_categories {
        if !LAWFUL_CATEGORIES.contains(&category.as_str()) {
            builder.find(
                "unlawful_exclusion",
                statute_ids(jurisdiction),
                text(
                    format!("店铺把「{category}」设为不支持七天无理由退货：擅自扩大不适用范围，无效且可受处罚"),
                    format!("The shop excludes '{category}' from no-reason returns: widening the statutory exclusions is unlawful and void"),
                ),
            );
        }
    }
}

/// Whether an item's nature gives the shop a lawful reason to exclude it.
pub fn has_lawful_ground(item: &super::request::Item) -> bool {
    let absolute = item.has(Nature::CustomMade)
        || item.has(Nature::Perishable)
        || item.has(Nature::DigitalDownload)
        || item.has(Nature::Periodical)
        || item.has(Nature::MarketPriced)
        || item.has(Nature::MixedInseparably)
        || (item.has(Nature::AudioVisual) && item.unsealed());
    let confirmed = item.confirmed_non_returnable
        && (item.has(Nature::HygieneSealed)
            || item.has(Nature::QualityChangesWhenUnsealed)
            || item.has(Nature::ValueDropsWhenActivated)
            || item.has(Nature::NearExpiry)
            || item.has(Nature::SoldAsDefective));
    absolute || confirmed
}
