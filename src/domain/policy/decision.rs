//! What the policy engine answers, and the small builder the rule files write into.

use std::collections::BTreeSet;

use serde::Serialize;
use utoipa::ToSchema;

use super::request::{Jurisdiction, Remedy};

/// A sentence in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Text {
    #[serde(rename = "zh-CN")]
    pub chinese: String,
    #[serde(rename = "en-US")]
    pub english: String,
}

pub fn text(chinese: impl Into<String>, english: impl Into<String>) -> Text {
    Text {
        chinese: chinese.into(),
        english: english.into(),
    }
}

/// The engine's answer, with the rule ids behind every part.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Decision {
    pub jurisdiction: Jurisdiction,
    pub platform: String,
    pub time_zone: String,
    /// The remedy asked for and whether it may be had now.
    pub requested: Option<RequestedRemedy>,
    /// Every remedy, allowed or refused, with its grounds.
    pub remedies: Vec<RemedyDecision>,
    /// The periods that apply, their last day and whether they were kept.
    pub deadlines: Vec<Deadline>,
    /// The money to pay back, every deduction itemised; absent when no money goes back.
    pub refund: Option<super::settlement::Refund>,
    /// Who pays which freight.
    pub freight: Option<Freight>,
    /// Extra compensation the consumer may claim (fraud, CN-R5b).
    pub compensation: Option<Compensation>,
    /// Who must prove a defect existed (or did not).
    pub burden_of_proof: Option<Burden>,
    /// What else the rules say about this case: breaches, conditions, notes.
    pub findings: Vec<Finding>,
    /// Where the law is ambiguous and a setting decided.
    pub flags: Vec<Finding>,
    /// Every rule id used, sorted.
    pub rules: Vec<String>,
    /// With several items going back: the verdict on each, for the remedy asked (a return by
    /// default). When some may go back and others not, the rest of the decision is for those
    /// that may (`partly_allowed`).
    pub items: Vec<ItemVerdict>,
}

/// One item's verdict inside an order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemVerdict {
    /// The item's place in the request's `items`.
    pub index: usize,
    pub name: Option<String>,
    pub remedy: Remedy,
    pub allowed: bool,
    pub rules: Vec<String>,
    /// Why, as the deciding ground says.
    pub explanation: Option<Text>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestedRemedy {
    pub remedy: Remedy,
    pub allowed: bool,
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemedyDecision {
    pub remedy: Remedy,
    pub allowed: bool,
    /// Rule ids of the grounds that decide: the allowing ones if allowed, else the refusing ones.
    pub rules: Vec<String>,
    /// Last day this remedy can be asked for, if a period limits it.
    pub until: Option<String>,
    pub grounds: Vec<Ground>,
}

/// One reason a remedy is allowed or refused.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ground {
    pub allowed: bool,
    /// no_reason, nonconformity, three_guarantees, legal_guarantee, short_term_reject …
    pub basis: String,
    pub rules: Vec<String>,
    pub explanation: Text,
    /// The customer pays for this remedy (e.g. a repair outside 三包).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub paid_by_customer: bool,
    /// The platform's outcome of a dispute: it decides the remedy over the general grounds (a
    /// refusal leaves only a no-reason return standing).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub decisive: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Deadline {
    /// no_reason_return, refund_due, three_guarantees, main_parts, return_shipment …
    pub name: String,
    /// First day counted (the day after the event).
    pub starts: Option<String>,
    /// Last day, in the time zone; after a rest-day extension where that applies.
    pub last_day: String,
    /// The first moment that is too late (RFC 3339).
    pub ends_before: String,
    /// Kept (true), missed (false), or not yet known (absent).
    pub met: Option<bool>,
    /// How the period is counted: days_after (the event's day is not counted),
    /// days_beginning_with (it is day 1), working_days_after, months, hours.
    pub counting: super::periods::Counting,
    pub rules: Vec<String>,
    pub explanation: Text,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Freight {
    /// Who pays the original delivery: `seller` or `buyer`.
    pub forward: Party,
    /// Who pays sending the goods back (or for repair/exchange transport).
    #[serde(rename = "return")]
    pub back: Party,
    pub rules: Vec<String>,
    pub explanation: Text,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Compensation {
    pub currency: String,
    pub amount: String,
    pub amount_minor: i64,
    pub rules: Vec<String>,
    pub explanation: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Seller,
    Buyer,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Burden {
    pub party: Party,
    pub rules: Vec<String>,
    pub explanation: Text,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Finding {
    /// A stable code, e.g. `not_intact`, `excluded`, `seller_breach`, `unlawful_exclusion`.
    pub code: String,
    pub rules: Vec<String>,
    pub explanation: Text,
    /// For flags: the reading the shop's setting chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// What the rule files write into while they look at a request.
#[derive(Debug, Default)]
pub struct Builder {
    pub grounds: Vec<(Remedy, Ground, Option<String>)>,
    pub deadlines: Vec<Deadline>,
    pub freight: Option<Freight>,
    pub burden: Option<Burden>,
    pub findings: Vec<Finding>,
    pub flags: Vec<Finding>,
    pub refund: Option<super::settlement::Refund>,
    pub compensation: Option<Compensation>,
}

pub fn rules(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

impl Builder {
    pub fn allow(&mut self, remedy: Remedy, basis: &str, ids: &[&str], explanation: Text) {
        self.ground(remedy, true, basis, ids, explanation, None);
    }

    pub fn allow_until(
        &mut self,
        remedy: Remedy,
        basis: &str,
        ids: &[&str],
        explanation: Text,
        until: &str,
    ) {
        self.ground(
            remedy,
            true,
            basis,
            ids,
            explanation,
            Some(until.to_string()),
        );
    }

    pub fn refuse(&mut self, remedy: Remedy, basis: &str, ids: &[&str], explanation: Text) {
        self.ground(remedy, false, basis, ids, explanation, None);
    }

    /// The platform's dispute outcome for a remedy: decides over the other grounds.
    pub fn decide(
        &mut self,
        remedy: Remedy,
        allowed: bool,
        basis: &str,
        ids: &[&str],
        explanation: Text,
    ) {
        self.ground(remedy, allowed, basis, ids, explanation, None);
        if let Some((_, ground, _)) = self.grounds.last_mut() {
            ground.decisive = true;
        }
    }

    /// A repair (or other remedy) the customer may have, but at their own cost.
    pub fn allow_paid(&mut self, remedy: Remedy, basis: &str, ids: &[&str], explanation: Text) {
        self.ground(remedy, true, basis, ids, explanation, None);
        if let Some((_, ground, _)) = self.grounds.last_mut() {
            ground.paid_by_customer = true;
        }
    }

    fn ground(
        &mut self,
        remedy: Remedy,
        allowed: bool,
        basis: &str,
        ids: &[&str],
        explanation: Text,
        until: Option<String>,
    ) {
        let ground = Ground {
            allowed,
            basis: basis.into(),
            rules: rules(ids),
            explanation,
            paid_by_customer: false,
            decisive: false,
        };
        self.grounds.push((remedy, ground, until));
    }

    pub fn find(&mut self, code: &str, ids: &[&str], explanation: Text) {
        self.findings.push(Finding {
            code: code.into(),
            rules: rules(ids),
            explanation,
            reading: None,
        });
    }

    pub fn flag(&mut self, code: &str, ids: &[&str], reading: &str, explanation: Text) {
        self.flags.push(Finding {
            code: code.into(),
            rules: rules(ids),
            explanation,
            reading: Some(reading.into()),
        });
    }

    pub fn freight(&mut self, forward: Party, back: Party, ids: &[&str], explanation: Text) {
        self.freight = Some(Freight {
            forward,
            back,
            rules: rules(ids),
            explanation,
        });
    }

    pub fn burden(&mut self, party: Party, ids: &[&str], explanation: Text) {
        self.burden = Some(Burden {
            party,
            rules: rules(ids),
            explanation,
        });
    }

    pub fn has_finding(&self, code: &str) -> bool {
        self.findings.iter().any(|finding| finding.code == code)
    }

    /// Folds the grounds into one verdict per remedy and collects every rule id.
    pub fn finish(
        self,
        jurisdiction: Jurisdiction,
        platform: String,
        time_zone: String,
        asked: Option<Remedy>,
    ) -> Decision {
        let mut remedies = Vec::new();
        for remedy in Remedy::ALL {
            let grounds: Vec<&(Remedy, Ground, Option<String>)> = self
                .grounds
                .iter()
                .filter(|(each, _, _)| *each == remedy)
                .collect();
            if grounds.is_empty() {
                continue;
            }
            // A platform's outcome decides; when it refuses, a no-reason return still stands.
            let outcome = grounds
                .iter()
                .rev()
                .find(|(_, ground, _)| ground.decisive)
                .map(|(_, ground, _)| ground.allowed);
            let counts = |ground: &Ground| match outcome {
                None => true,
                Some(true) => ground.decisive,
                Some(false) => ground.decisive || ground.basis == "no_reason",
            };
            let allowed = grounds
                .iter()
                .any(|(_, ground, _)| ground.allowed && counts(ground))
                || outcome == Some(true);
            let deciding: BTreeSet<String> = grounds
                .iter()
                .filter(|(_, ground, _)| counts(ground))
                .filter(|(_, ground, _)| ground.allowed == allowed)
                .flat_map(|(_, ground, _)| ground.rules.iter().cloned())
                .collect();
            let until = grounds
                .iter()
                .filter(|(_, ground, _)| ground.allowed && counts(ground))
                .filter_map(|(_, _, until)| until.clone())
                .max();
            remedies.push(RemedyDecision {
                remedy,
                allowed,
                rules: deciding.into_iter().collect(),
                until,
                grounds: grounds
                    .iter()
                    .map(|(_, ground, _)| ground.clone())
                    .collect(),
            });
        }
        let requested =
            asked.map(
                |remedy| match remedies.iter().find(|decision| decision.remedy == remedy) {
                    Some(decision) => RequestedRemedy {
                        remedy,
                        allowed: decision.allowed,
                        rules: decision.rules.clone(),
                    },
                    None => RequestedRemedy {
                        remedy,
                        allowed: false,
                        rules: Vec::new(),
                    },
                },
            );
        let mut all = BTreeSet::new();
        for remedy in &remedies {
            for ground in &remedy.grounds {
                all.extend(ground.rules.iter().cloned());
            }
        }
        for deadline in &self.deadlines {
            all.extend(deadline.rules.iter().cloned());
        }
        for finding in self.findings.iter().chain(&self.flags) {
            all.extend(finding.rules.iter().cloned());
        }
        if let Some(freight) = &self.freight {
            all.extend(freight.rules.iter().cloned());
        }
        if let Some(burden) = &self.burden {
            all.extend(burden.rules.iter().cloned());
        }
        if let Some(refund) = &self.refund {
            all.extend(refund.rules.iter().cloned());
        }
        if let Some(compensation) = &self.compensation {
            all.extend(compensation.rules.iter().cloned());
        }
        Decision {
            jurisdiction,
            platform,
            time_zone,
            requested,
            remedies,
            deadlines: self.deadlines,
            refund: self.refund,
            freight: self.freight,
            compensation: self.compensation,
            burden_of_proof: self.burden,
            findings: self.findings,
            flags: self.flags,
            rules: all.into_iter().collect(),
            items: Vec::new(),
        }
    }
}
