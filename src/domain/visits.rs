//! Follow-up visits (回访, docs/MANAGEMENT.md, "Follow-up visits"): the shop's rules — after an
//! order above an amount was delivered, after a case closed, every N days for VIP customers —
//! each with its script, when the visit is due and who makes it; what a visit's outcome does.
//! Pure: the sweep finds the candidates, this decides.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::CaseKind;

/// What starts a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// An order was delivered (and cost at least `min_order_minor`).
    Delivered,
    /// A case closed (of the `kinds` given, or any).
    CaseClosed,
    /// A customer of one of the `tiers` not visited for `every_days`.
    Cadence,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Delivered => "delivered",
            Trigger::CaseClosed => "case_closed",
            Trigger::Cadence => "cadence",
        }
    }
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitRule {
    /// A short name, unique in the shop (visits keep it).
    pub name: String,
    pub trigger: Trigger,
    /// `delivered`: only orders whose total is at least this (minor units of the order's
    /// currency; none: every order).
    #[serde(default)]
    pub min_order_minor: Option<i64>,
    /// `case_closed`: only these kinds (none: every kind but cancelled cases).
    #[serde(default)]
    pub kinds: Vec<CaseKind>,
    /// `cadence`: the customer tiers it cares for (e.g. vip, svip) …
    #[serde(default)]
    pub tiers: Vec<String>,
    /// … visited every this many days (default 90).
    #[serde(default)]
    pub every_days: Option<u32>,
    /// `delivered` and `case_closed`: the visit starts this many days after (default 3).
    #[serde(default)]
    pub after_days: Option<u32>,
    /// It is due this many days after it starts (default 2).
    #[serde(default)]
    pub due_days: Option<u32>,
    /// Who makes it (a staff id); none: the case's assignee, else whoever takes it.
    #[serde(default)]
    pub assignee_id: Option<String>,
    /// What to say: `{customer_name}`, `{order_number}`, `{product}`, `{shop_name}` filled in.
    pub script: String,
}

impl VisitRule {
    pub fn after_days(&self) -> u32 {
        self.after_days.unwrap_or(3)
    }
    pub fn due_days(&self) -> u32 {
        self.due_days.unwrap_or(2)
    }
    pub fn every_days(&self) -> u32 {
        self.every_days.unwrap_or(90)
    }
}

/// The shop's visit rules (none: no visits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitSettings {
    #[serde(default)]
    pub rules: Vec<VisitRule>,
    /// A visit not reached this many times is closed as not reached (default 3).
    #[serde(default)]
    pub attempts: Option<u32>,
}

impl VisitSettings {
    pub fn attempts(&self) -> u32 {
        self.attempts.unwrap_or(3)
    }

    pub fn check(&self) -> Result<(), String> {
        if self.rules.len() > 20 {
            return Err("at most 20 rules".into());
        }
        if self
            .attempts
            .is_some_and(|attempts| !(1..=10).contains(&attempts))
        {
            return Err("attempts is 1 to 10".into());
        }
        for (index, rule) in self.rules.iter().enumerate() {
            let at = format!("rules[{index}]");
            let name = rule.name.trim().chars().count();
            if name == 0 || name > 60 {
                return Err(format!("{at}.name must have 1 to 60 characters"));
            }
            if self.rules[..index]
                .iter()
                .any(|other| other.name.trim() == rule.name.trim())
            {
                return Err(format!("{at}.name '{}' is used twice", rule.name));
            }
            let script = rule.script.trim().chars().count();
            if script == 0 || script > 2000 {
                return Err(format!("{at}.script must have 1 to 2000 characters"));
            }
            if rule.min_order_minor.is_some_and(|minor| minor < 0) {
                return Err(format!("{at}.min_order_minor may not be negative"));
            }
            if rule.after_days.is_some_and(|days| days > 365)
                || rule.due_days.is_some_and(|days| !(1..=60).contains(&days))
            {
                return Err(format!("{at}: after_days is at most 365, due_days 1 to 60"));
            }
            if rule
                .every_days
                .is_some_and(|days| !(7..=730).contains(&days))
            {
                return Err(format!("{at}.every_days is 7 to 730"));
            }
            match rule.trigger {
                Trigger::Cadence if rule.tiers.is_empty() => {
                    return Err(format!("{at}: a cadence rule names the tiers it cares for"));
                }
                Trigger::Delivered | Trigger::CaseClosed if !rule.tiers.is_empty() => {
                    return Err(format!("{at}.tiers belong to cadence rules"));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// What a visit ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Talked to the customer; all is well.
    Reached,
    /// No answer this time: tried again tomorrow, until the shop's attempts are used.
    NotReached,
    /// The customer has a problem: a case opens.
    IssueFound,
}

impl Outcome {
    pub fn parse(text: &str) -> Option<Outcome> {
        match text {
            "reached" => Some(Outcome::Reached),
            "not_reached" => Some(Outcome::NotReached),
            "issue_found" => Some(Outcome::IssueFound),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NotReached => "not_reached",
            Outcome::IssueFound => "issue_found",
        }
    }
}

/// Where a visit goes after an outcome: its new state, and when it is due if it stays open.
pub fn after(
    outcome: Outcome,
    attempts_before: u32,
    allowed: u32,
    now: i64,
) -> (&'static str, Option<i64>) {
    const DAY: i64 = 24 * 3_600_000_000;
    match outcome {
        Outcome::Reached => ("reached", None),
        Outcome::IssueFound => ("issue_found", None),
        Outcome::NotReached if attempts_before + 1 >= allowed => ("not_reached", None),
        Outcome::NotReached => ("open", Some(now + DAY)),
    }
}

/// A rule's script with the customer's and order's words filled in.
pub fn script(text: &str, customer: &str, order: &str, product: &str, shop: &str) -> String {
    text.replace("{customer_name}", customer)
        .replace("{order_number}", order)
        .replace("{product}", product)
        .replace("{shop_name}", shop)
}

/// The cadence period a moment falls in (days since the epoch divided by the rule's days): a
/// customer gets one cadence visit per period.
pub fn cadence_period(now: i64, every_days: u32) -> i64 {
    const DAY: i64 = 24 * 3_600_000_000;
    now.div_euclid(DAY * i64::from(every_days.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(trigger: Trigger) -> VisitRule {
        VisitRule {
            name: "签收回访".into(),
            trigger,
            min_order_minor: None,
            kinds: Vec::new(),
            tiers: Vec::new(),
            every_days: None,
            after_days: None,
            due_days: None,
            assignee_id: None,
            script: "您好{customer_name}".into(),
        }
    }

    #[test]
    fn rules_are_checked() {
        let mut settings = VisitSettings {
            rules: vec![rule(Trigger::Delivered)],
            attempts: None,
        };
        assert!(settings.check().is_ok());
        settings.rules.push(rule(Trigger::CaseClosed));
        assert!(settings.check().unwrap_err().contains("used twice"));
        settings.rules[1].name = "VIP".into();
        settings.rules[1].trigger = Trigger::Cadence;
        assert!(settings.check().unwrap_err().contains("tiers"));
        settings.rules[1].tiers = vec!["vip".into()];
        assert!(settings.check().is_ok());
        settings.rules[0].tiers = vec!["vip".into()];
        assert!(settings.check().unwrap_err().contains("cadence rules"));
    }

    #[test]
    fn not_reached_is_tried_again_until_the_attempts_are_used() {
        let now = 1_000;
        assert_eq!(after(Outcome::Reached, 0, 3, now), ("reached", None));
        assert_eq!(
            after(Outcome::NotReached, 0, 3, now),
            ("open", Some(now + 24 * 3_600_000_000))
        );
        assert_eq!(after(Outcome::NotReached, 2, 3, now), ("not_reached", None));
        assert_eq!(after(Outcome::IssueFound, 0, 3, now), ("issue_found", None));
    }

    #[test]
    fn scripts_are_filled_and_periods_counted() {
        assert_eq!(
            script(
                "{customer_name}，{order_number}的{product}好用吗？—{shop_name}",
                "周女士",
                "A1",
                "台灯",
                "小店"
            ),
            "周女士，A1的台灯好用吗？—小店"
        );
        let day = 24 * 3_600_000_000_i64;
        assert_eq!(cadence_period(0, 90), cadence_period(89 * day, 90));
        assert_ne!(cadence_period(0, 90), cadence_period(90 * day, 90));
    }
}
