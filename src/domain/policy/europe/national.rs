//! Each EU member state's options within Directive 2019/771: a longer guarantee period or one
//! that lasts the goods' expected lifespan (Art. 10(3)), a two-year presumption (Art. 11(2)),
//! a shorter period agreed for second-hand goods (Art. 10(6)). The table is the product's
//! reading of the national laws (flagged `member_state_options_unverified`); a shop's lawyer
//! may give the options instead (`shop_policy.national_rules`).

use super::super::request::NationalRules;

/// A member state's options: guarantee months (None: the lifespan), presumed months,
/// second-hand presumed months, the shortest agreed second-hand period (None: not shortened).
const fn state(
    guarantee: Option<u32>,
    presumed: u32,
    second_hand_presumed: Option<u32>,
    second_hand_minimum: Option<u32>,
) -> NationalRules {
    NationalRules {
        guarantee_months: guarantee,
        lifespan: guarantee.is_none(),
        presumption_months: presumed,
        second_hand_presumption_months: second_hand_presumed,
        second_hand_minimum_months: second_hand_minimum,
    }
}

const TABLE: &[(&str, NationalRules)] = &[
    ("AT", state(Some(24), 12, None, Some(12))),
    ("BE", state(Some(24), 12, None, Some(12))),
    ("DE", state(Some(24), 12, None, Some(12))),
    ("ES", state(Some(36), 24, Some(12), Some(12))),
    ("FI", state(None, 12, None, None)),
    ("FR", state(Some(24), 24, Some(12), None)),
    ("IE", state(Some(72), 12, None, None)),
    ("IT", state(Some(24), 12, None, Some(12))),
    ("NL", state(None, 12, None, None)),
    ("PL", state(Some(24), 24, None, Some(12))),
    ("PT", state(Some(36), 24, None, Some(18))),
    ("SE", state(Some(36), 24, None, None)),
];

/// The directive's minimum: two years, one year of presumption, second-hand down to one year.
pub const DIRECTIVE: NationalRules = state(Some(24), 12, None, Some(12));

/// Where the options come from.
pub enum Source {
    /// The shop gave them.
    Shop,
    /// The engine's table for this member state.
    Table(String),
    /// No member state given, or one the table does not have: the directive's minimum.
    Directive,
}

pub fn rules(region: Option<&str>, given: Option<NationalRules>) -> (NationalRules, Source) {
    if let Some(given) = given {
        return (given, Source::Shop);
    }
    let Some(region) = region.map(str::to_ascii_uppercase) else {
        return (DIRECTIVE, Source::Directive);
    };
    match TABLE.iter().find(|(code, _)| *code == region) {
        Some((code, rules)) => (*rules, Source::Table(code.to_string())),
        None => (DIRECTIVE, Source::Directive),
    }
}

/// A shop's options that the directive does not allow.
pub fn check(rules: &NationalRules) -> Result<(), String> {
    if rules.lifespan == rules.guarantee_months.is_some() {
        return Err(
            "shop_policy.national_rules: give either guarantee_months or \"lifespan\": true".into(),
        );
    }
    if rules.guarantee_months.is_some_and(|months| months < 24) {
        return Err("shop_policy.national_rules.guarantee_months: at least 24 (Directive 2019/771 Art. 10(1))".into());
    }
    if ![12, 24].contains(&rules.presumption_months) {
        return Err("shop_policy.national_rules.presumption_months: 12 or 24 (Art. 11)".into());
    }
    if rules
        .second_hand_minimum_months
        .is_some_and(|months| months < 12)
    {
        return Err(
            "shop_policy.national_rules.second_hand_minimum_months: at least 12 (Art. 10(6))"
                .into(),
        );
    }
    Ok(())
}
