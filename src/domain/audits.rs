//! Quality audits (docs/MANAGEMENT.md, "QA audits"): the shop's scorecard, the half-month
//! periods audits are drawn for, each agent's random sample, a scored audit's total, and what
//! may happen to an audit (scored once, disputed once, the dispute answered). Pure.

use std::collections::{BTreeMap, HashSet};

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One line of the scorecard: what is judged, in both languages, and how much it weighs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Letters, digits and `_`.
    pub key: String,
    pub zh: String,
    pub en: String,
    /// Its weight (1–100); the total is the weighted mean of the scores.
    pub weight: u32,
}

/// A shop's audits: how many cases per agent, how often, judged by which scorecard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Cases drawn per agent and period (default 3).
    #[serde(default)]
    pub per_agent: Option<u32>,
    /// The scorecard (default: first response, correct policy, tone, SOP followed, outcome).
    #[serde(default)]
    pub scorecard: Vec<Criterion>,
}

impl AuditSettings {
    pub fn per_agent(&self) -> u32 {
        self.per_agent.unwrap_or(3)
    }

    /// The shop's scorecard, or the default one.
    pub fn scorecard(&self) -> Vec<Criterion> {
        if !self.scorecard.is_empty() {
            return self.scorecard.clone();
        }
        let line = |key: &str, zh: &str, en: &str, weight| Criterion {
            key: key.into(),
            zh: zh.into(),
            en: en.into(),
            weight,
        };
        vec![
            line("first_response", "首次响应及时", "Answered in time", 20),
            line(
                "policy",
                "政策执行正确（退款金额、期限、运费）",
                "Policy applied correctly (amount, deadlines, freight)",
                25,
            ),
            line("tone", "沟通态度与用语", "Tone and wording", 20),
            line("sop", "按 SOP 操作", "SOP followed", 15),
            line(
                "outcome",
                "处理结果合理，顾客问题已解决",
                "A fair outcome; the customer's problem solved",
                20,
            ),
        ]
    }

    pub fn check(&self) -> Result<(), String> {
        if self.per_agent.is_some_and(|n| !(1..=100).contains(&n)) {
            return Err("per_agent is 1 to 100 cases".into());
        }
        if self.scorecard.len() > 20 {
            return Err("at most 20 criteria".into());
        }
        let mut keys = HashSet::new();
        for (index, criterion) in self.scorecard.iter().enumerate() {
            let key = &criterion.key;
            if key.is_empty()
                || key.len() > 30
                || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(format!(
                    "scorecard[{index}].key '{key}': 1 to 30 letters, digits or _"
                ));
            }
            if !keys.insert(key.as_str()) {
                return Err(format!("scorecard[{index}].key '{key}' is used twice"));
            }
            if !(1..=100).contains(&criterion.weight) {
                return Err(format!("scorecard[{index}].weight is 1 to 100"));
            }
            for (field, text) in [("zh", &criterion.zh), ("en", &criterion.en)] {
                if !(1..=200).contains(&text.trim().chars().count()) {
                    return Err(format!(
                        "scorecard[{index}].{field} must have 1 to 200 characters"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The half-month an audit round covers: the 1st to the 15th (`2026-11-a`) or the 16th to the
/// month's end (`2026-11-b`), so every agent is audited twice a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Half {
    pub first: jiff::civil::Date,
    pub end: jiff::civil::Date,
}

impl Half {
    pub fn parse(text: &str) -> Option<Half> {
        let text = text.trim();
        let (month, half) = text.rsplit_once('-')?;
        let (year, month) = month.split_once('-')?;
        if month.len() != 2 {
            return None;
        }
        let first_of_month =
            jiff::civil::Date::new(year.parse().ok()?, month.parse().ok()?, 1).ok()?;
        let middle = first_of_month
            .checked_add(jiff::Span::new().days(15))
            .ok()?;
        match half {
            "a" => Some(Half {
                first: first_of_month,
                end: middle,
            }),
            "b" => Some(Half {
                first: middle,
                end: first_of_month
                    .checked_add(jiff::Span::new().months(1))
                    .ok()?,
            }),
            _ => None,
        }
    }

    /// The half-month before the one `today` is in.
    pub fn previous(today: jiff::civil::Date) -> Option<Half> {
        let first = today.first_of_month();
        if today.day() > 15 {
            return Half::parse(&format!("{:04}-{:02}-a", first.year(), first.month()));
        }
        let before = first.checked_sub(jiff::Span::new().months(1)).ok()?;
        Half::parse(&format!("{:04}-{:02}-b", before.year(), before.month()))
    }

    pub fn name(&self) -> String {
        let half = if self.first.day() == 1 { "a" } else { "b" };
        format!("{:04}-{:02}-{half}", self.first.year(), self.first.month())
    }
}

/// Each agent's sample: up to `per_agent` of their cases, chosen at random (the same seed draws
/// the same sample). `cases` are (agent, case id).
pub fn draw(cases: &[(String, String)], per_agent: u32, seed: u64) -> Vec<(String, String)> {
    let mut by_agent: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (agent, case) in cases {
        by_agent.entry(agent).or_default().push(case);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut chosen = Vec::new();
    for (agent, mut cases) in by_agent {
        cases.sort_unstable();
        cases.shuffle(&mut rng);
        chosen.extend(
            cases
                .into_iter()
                .take(per_agent as usize)
                .map(|case| (agent.to_string(), case.to_string())),
        );
    }
    chosen
}

/// The total of a scored audit, 0–100: the weighted mean of the criteria's scores (each 0–100),
/// rounded half up; an error names a criterion missing or out of range, or one not on the card.
pub fn total(card: &[Criterion], scores: &BTreeMap<String, u32>) -> Result<u32, String> {
    for key in scores.keys() {
        if !card.iter().any(|criterion| &criterion.key == key) {
            return Err(format!("'{key}' is not on the scorecard"));
        }
    }
    let mut weighted = 0u64;
    let mut weights = 0u64;
    for criterion in card {
        let Some(&score) = scores.get(&criterion.key) else {
            return Err(format!("'{}' needs a score", criterion.key));
        };
        if score > 100 {
            return Err(format!("'{}' is scored 0 to 100", criterion.key));
        }
        weighted += u64::from(score) * u64::from(criterion.weight);
        weights += u64::from(criterion.weight);
    }
    Ok(((weighted * 2 + weights) / (weights * 2)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_of_a_month() {
        let a = Half::parse("2026-02-a").unwrap();
        assert_eq!(
            (a.first, a.end),
            (
                jiff::civil::date(2026, 2, 1),
                jiff::civil::date(2026, 2, 16)
            )
        );
        let b = Half::parse("2026-02-b").unwrap();
        assert_eq!(
            (b.first, b.end),
            (
                jiff::civil::date(2026, 2, 16),
                jiff::civil::date(2026, 3, 1)
            )
        );
        assert_eq!(b.name(), "2026-02-b");
        assert_eq!(Half::parse("2026-02-c"), None);
        assert_eq!(
            Half::previous(jiff::civil::date(2026, 12, 6))
                .unwrap()
                .name(),
            "2026-11-b"
        );
        assert_eq!(
            Half::previous(jiff::civil::date(2026, 12, 20))
                .unwrap()
                .name(),
            "2026-12-a"
        );
    }

    #[test]
    fn each_agent_gets_their_share_at_random() {
        let cases: Vec<(String, String)> = (0..30)
            .map(|n| (format!("agent-{}", n % 3), format!("case-{n:02}")))
            .chain([("agent-9".to_string(), "case-99".to_string())])
            .collect();
        let first = draw(&cases, 4, 1);
        assert_eq!(first, draw(&cases, 4, 1));
        assert_ne!(first, draw(&cases, 4, 2));
        for agent in ["agent-0", "agent-1", "agent-2"] {
            assert_eq!(first.iter().filter(|(a, _)| a == agent).count(), 4);
        }
        assert_eq!(
            first.iter().filter(|(a, _)| a == "agent-9").count(),
            1,
            "all they have"
        );
        assert!(
            first
                .iter()
                .all(|(agent, case)| cases.contains(&(agent.clone(), case.clone())))
        );
    }

    #[test]
    fn the_total_is_the_weighted_mean() {
        let card = AuditSettings::default().scorecard();
        let scores: BTreeMap<String, u32> = [
            ("first_response", 100),
            ("policy", 80),
            ("tone", 90),
            ("sop", 60),
            ("outcome", 70),
        ]
        .into_iter()
        .map(|(key, score)| (key.to_string(), score))
        .collect();
        // (100×20 + 80×25 + 90×20 + 60×15 + 70×20) / 100 = 81
        assert_eq!(total(&card, &scores), Ok(81));
        let mut missing = scores.clone();
        missing.remove("tone");
        assert!(total(&card, &missing).unwrap_err().contains("tone"));
        let mut extra = scores.clone();
        extra.insert("speed".into(), 50);
        assert!(total(&card, &extra).unwrap_err().contains("speed"));
        let mut high = scores;
        high.insert("sop".into(), 101);
        assert!(total(&card, &high).is_err());
    }
}
