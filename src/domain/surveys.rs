//! Satisfaction surveys (docs/MANAGEMENT.md, "Satisfaction surveys"): the shop's settings, the
//! period a round covers, the random sample stratified by case kind and channel, and the
//! stratified estimate of the mean score with its 95 % interval. Pure: the caller gives the
//! population and a seed; the same seed draws the same sample.

use std::collections::{BTreeMap, HashSet};

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How often a round is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    #[default]
    Monthly,
    Weekly,
}

/// How the sampled customers are asked: a signed link by e-mail or text message (an agent may
/// still record a phone answer), or every one by phone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AskBy {
    #[default]
    Link,
    Phone,
}

impl AskBy {
    pub fn as_str(self) -> &'static str {
        match self {
            AskBy::Link => "link",
            AskBy::Phone => "phone",
        }
    }
}

/// A question the shop adds after the score and the comment (which every survey asks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// A short key of letters, digits and `_` (the answer is stored under it).
    pub key: String,
    /// The question in Chinese …
    pub zh: String,
    /// … and in English.
    pub en: String,
    /// score (1–5), yes_no or text.
    #[serde(default)]
    pub kind: QuestionKind,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    #[default]
    Score,
    YesNo,
    Text,
}

/// A shop's surveys: off until the shop turns them on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveySettings {
    /// Draw a round by itself at the start of each period (for the one just ended).
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub cadence: Cadence,
    /// The share of the period's ended cases to survey, in percent (default 10) …
    #[serde(default)]
    pub share_percent: Option<u32>,
    /// … or a count per round (wins over the share when both are given).
    #[serde(default)]
    pub count: Option<u32>,
    /// Never the same customer twice within this many days (default 90).
    #[serde(default)]
    pub quiet_days: Option<u32>,
    /// How long a survey link may be answered, in days (default 14).
    #[serde(default)]
    pub answer_days: Option<u32>,
    #[serde(default)]
    pub ask_by: AskBy,
    /// Questions after the score and the comment, at most 10.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// A milestone survey this many days after a replacement or repaired item was delivered
    /// (none: no milestone surveys).
    #[serde(default)]
    pub milestone_days: Option<u32>,
}

impl SurveySettings {
    pub fn share_percent(&self) -> u32 {
        self.share_percent.unwrap_or(10)
    }
    pub fn quiet_days(&self) -> u32 {
        self.quiet_days.unwrap_or(90)
    }
    pub fn answer_days(&self) -> u32 {
        self.answer_days.unwrap_or(14)
    }

    pub fn check(&self) -> Result<(), String> {
        if let Some(share) = self.share_percent
            && !(1..=100).contains(&share)
        {
            return Err("share_percent is 1 to 100".into());
        }
        if self
            .count
            .is_some_and(|count| !(1..=100_000).contains(&count))
        {
            return Err("count is 1 to 100000 surveys per round".into());
        }
        if self.quiet_days.is_some_and(|days| days > 3_650) {
            return Err("quiet_days is at most 3650".into());
        }
        if self
            .answer_days
            .is_some_and(|days| !(1..=365).contains(&days))
        {
            return Err("answer_days is 1 to 365".into());
        }
        if self
            .milestone_days
            .is_some_and(|days| !(1..=365).contains(&days))
        {
            return Err("milestone_days is 1 to 365".into());
        }
        if self.questions.len() > 10 {
            return Err("at most 10 questions".into());
        }
        let mut keys = HashSet::new();
        for (index, question) in self.questions.iter().enumerate() {
            let key = &question.key;
            if key.is_empty()
                || key.len() > 30
                || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                || matches!(key.as_str(), "score" | "comment")
            {
                return Err(format!(
                    "questions[{index}].key '{key}': 1 to 30 letters, digits or _, not score or comment"
                ));
            }
            if !keys.insert(key.as_str()) {
                return Err(format!("questions[{index}].key '{key}' is used twice"));
            }
            for (field, text) in [("zh", &question.zh), ("en", &question.en)] {
                if !(1..=200).contains(&text.trim().chars().count()) {
                    return Err(format!(
                        "questions[{index}].{field} must have 1 to 200 characters"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The period a round covers: a calendar month (`2026-11`) or an ISO week (`2026-W47`), as days
/// in the shop's zone (the first included, the last excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: jiff::civil::Date,
    pub end: jiff::civil::Date,
}

impl Period {
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        if let Some((year, week)) = text.split_once("-W") {
            let year: i16 = year.parse().ok()?;
            let week: i8 = week.parse().ok()?;
            let first = jiff::civil::ISOWeekDate::new(year, week, jiff::civil::Weekday::Monday)
                .ok()?
                .date();
            return Some(Period {
                first,
                end: first.checked_add(jiff::Span::new().days(7)).ok()?,
            });
        }
        let (year, month) = text.split_once('-')?;
        if month.len() != 2 {
            return None;
        }
        let first = jiff::civil::Date::new(year.parse().ok()?, month.parse().ok()?, 1).ok()?;
        Some(Period {
            first,
            end: first.checked_add(jiff::Span::new().months(1)).ok()?,
        })
    }

    /// The period before the one `today` is in.
    pub fn previous(cadence: Cadence, today: jiff::civil::Date) -> Option<Period> {
        match cadence {
            Cadence::Monthly => {
                let this = today.first_of_month();
                let first = this.checked_sub(jiff::Span::new().months(1)).ok()?;
                Some(Period { first, end: this })
            }
            Cadence::Weekly => {
                let monday = today
                    .checked_sub(
                        jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())),
                    )
                    .ok()?;
                let first = monday.checked_sub(jiff::Span::new().days(7)).ok()?;
                Some(Period { first, end: monday })
            }
        }
    }

    /// Its name: `2026-11` for a month, `2026-W47` for a week.
    pub fn name(&self) -> String {
        if self.first.day() == 1
            && self.end == self.first.last_of_month().tomorrow().unwrap_or(self.end)
        {
            format!("{:04}-{:02}", self.first.year(), self.first.month())
        } else {
            let week = self.first.iso_week_date();
            format!("{:04}-W{:02}", week.year(), week.week())
        }
    }
}

/// A case that ended in the period: who it was for and its stratum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub case_id: String,
    /// The customer: their id, else the contact's e-mail or phone.
    pub customer: String,
    /// The case's kind and channel, e.g. `return_refund/portal`.
    pub stratum: String,
}

/// One stratum of a round: how many cases it had after the exclusions, how many were drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Stratum {
    pub stratum: String,
    pub population: u64,
    pub sampled: u64,
}

/// A drawn round: the cases to survey and the strata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub chosen: Vec<Candidate>,
    pub strata: Vec<Stratum>,
}

/// How many of `population` to survey.
pub fn target(settings: &SurveySettings, population: usize) -> usize {
    match settings.count {
        Some(count) => (count as usize).min(population),
        // Rounded up: 10 % of 5 cases is one survey, not none.
        None => (population * settings.share_percent() as usize).div_ceil(100),
    }
}

/// Draws the round: customers in `quiet` (surveyed within the quiet days) are left out, each
/// customer counts once (one of their cases, at random), and the settings' share or count of
/// the rest is chosen at random within strata allotted in proportion to their populations
/// (largest remainders).
pub fn draw(
    candidates: &[Candidate],
    quiet: &HashSet<String>,
    settings: &SurveySettings,
    seed: u64,
) -> Sample {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut pool: Vec<&Candidate> = candidates
        .iter()
        .filter(|candidate| !quiet.contains(&candidate.customer))
        .collect();
    // One case per customer, chosen at random: shuffle, keep the first seen.
    pool.sort_by(|a, b| a.case_id.cmp(&b.case_id));
    pool.shuffle(&mut rng);
    let mut seen = HashSet::new();
    pool.retain(|candidate| seen.insert(candidate.customer.clone()));
    let mut strata: BTreeMap<&str, Vec<&Candidate>> = BTreeMap::new();
    for candidate in pool {
        strata
            .entry(candidate.stratum.as_str())
            .or_default()
            .push(candidate);
    }
    let total: usize = strata.values().map(Vec::len).sum();
    let size = target(settings, total);
    let quotas = allot(&strata.values().map(Vec::len).collect::<Vec<_>>(), size);
    let mut chosen = Vec::new();
    let mut summary = Vec::new();
    for ((name, members), quota) in strata.into_iter().zip(quotas) {
        // The pool is shuffled already: the first `quota` of a stratum are a random sample.
        chosen.extend(
            members
                .iter()
                .take(quota)
                .map(|candidate| (*candidate).clone()),
        );
        summary.push(Stratum {
            stratum: name.to_string(),
            population: members.len() as u64,
            sampled: quota as u64,
        });
    }
    Sample {
        chosen,
        strata: summary,
    }
}

/// `size` split over groups in proportion to their sizes, by largest remainders (ties to the
/// larger group, then the earlier).
pub fn allot(sizes: &[usize], size: usize) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    if total == 0 {
        return vec![0; sizes.len()];
    }
    let size = size.min(total);
    let mut quotas: Vec<usize> = sizes.iter().map(|n| n * size / total).collect();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&index| {
        (
            std::cmp::Reverse(sizes[index] * size % total),
            std::cmp::Reverse(sizes[index]),
            index,
        )
    });
    let mut left = size - quotas.iter().sum::<usize>();
    for index in order {
        if left == 0 {
            break;
        }
        if quotas[index] < sizes[index] {
            quotas[index] += 1;
            left -= 1;
        }
    }
    quotas
}

/// The mean score over the strata, each weighted by its population, with a 95 % interval.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Estimate {
    pub mean: f64,
    /// The interval's two ends; none with fewer than two answers.
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub answers: u64,
}

/// One stratum's answers for the estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub population: u64,
    pub scores: Vec<u8>,
}

/// The stratified estimate: Σ W_h ȳ_h over the strata that answered (their weights made to add
/// up to one), variance Σ W_h² (1 − n_h/N_h) s_h²/n_h with the pooled within-stratum variance
/// for a stratum of one answer, and Student's t with n − H degrees of freedom (1.96 past 30).
pub fn estimate(strata: &[Answered]) -> Option<Estimate> {
    let answered: Vec<&Answered> = strata
        .iter()
        .filter(|stratum| !stratum.scores.is_empty())
        .collect();
    let answers: usize = answered.iter().map(|stratum| stratum.scores.len()).sum();
    if answers == 0 {
        return None;
    }
    let weight_total: f64 = answered
        .iter()
        .map(|stratum| stratum.population.max(stratum.scores.len() as u64) as f64)
        .sum();
    let mean_of =
        |scores: &[u8]| scores.iter().map(|&s| f64::from(s)).sum::<f64>() / scores.len() as f64;
    let squares = |scores: &[u8]| {
        let mean = mean_of(scores);
        scores
            .iter()
            .map(|&s| (f64::from(s) - mean).powi(2))
            .sum::<f64>()
    };
    let mean: f64 = answered
        .iter()
        .map(|stratum| {
            stratum.population.max(stratum.scores.len() as u64) as f64 / weight_total
                * mean_of(&stratum.scores)
        })
        .sum();
    let degrees = answers.saturating_sub(answered.len());
    let pooled = match degrees {
        0 => None,
        _ => Some(
            answered
                .iter()
                .map(|stratum| squares(&stratum.scores))
                .sum::<f64>()
                / degrees as f64,
        ),
    };
    let Some(pooled) = pooled.filter(|_| answers >= 2) else {
        return Some(Estimate {
            mean,
            low: None,
            high: None,
            answers: answers as u64,
        });
    };
    let variance: f64 = answered
        .iter()
        .map(|stratum| {
            let n = stratum.scores.len() as f64;
            let population = stratum.population.max(stratum.scores.len() as u64) as f64;
            let weight = population / weight_total;
            let within = match stratum.scores.len() {
                1 => pooled,
                _ => squares(&stratum.scores) / (n - 1.0),
            };
            weight * weight * (1.0 - n / population) * within / n
        })
        .sum();
    let half = student_t(degrees) * variance.sqrt();
    Some(Estimate {
        mean,
        low: Some((mean - half).max(1.0)),
        high: Some((mean + half).min(5.0)),
        answers: answers as u64,
    })
}

/// The two-sided 95 % quantile of Student's t with `degrees` degrees of freedom.
pub fn student_t(degrees: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match degrees {
        0 => f64::NAN,
        1..=30 => TABLE[degrees - 1],
        _ => 1.96,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(strata: &[(&str, usize)]) -> Vec<Candidate> {
        strata
            .iter()
            .flat_map(|(stratum, count)| {
                (0..*count).map(move |index| Candidate {
                    case_id: format!("{stratum}-{index:05}"),
                    customer: format!("customer-{stratum}-{index}"),
                    stratum: stratum.to_string(),
                })
            })
            .collect()
    }

    #[test]
    fn periods_are_months_and_iso_weeks() {
        let month = Period::parse("2026-11").unwrap();
        assert_eq!(month.first, jiff::civil::date(2026, 11, 1));
        assert_eq!(month.end, jiff::civil::date(2026, 12, 1));
        assert_eq!(month.name(), "2026-11");
        let week = Period::parse("2026-W01").unwrap();
        // ISO week 1 of 2026 starts on Monday 29 December 2025.
        assert_eq!(week.first, jiff::civil::date(2025, 12, 29));
        assert_eq!(week.name(), "2026-W01");
        assert_eq!(Period::parse("2026-13"), None);
        assert_eq!(Period::parse("November"), None);
        let today = jiff::civil::date(2026, 12, 6); // a Sunday
        assert_eq!(
            Period::previous(Cadence::Monthly, today).unwrap().name(),
            "2026-11"
        );
        let week = Period::previous(Cadence::Weekly, today).unwrap();
        assert_eq!(week.first, jiff::civil::date(2026, 11, 23));
        assert_eq!(week.end, jiff::civil::date(2026, 11, 30));
        assert_eq!(week.name(), "2026-W48");
    }

    #[test]
    fn the_sample_is_allotted_in_proportion_to_the_strata() {
        assert_eq!(allot(&[600, 300, 100], 100), vec![60, 30, 10]);
        // 5 over 3:2:2: quotas 2.14, 1.43, 1.43 → 2, 1, 1 and one left for the largest
        // remainder (a tie: the earlier group).
        assert_eq!(allot(&[3, 2, 2], 5), vec![2, 2, 1]);
        assert_eq!(allot(&[1, 1, 1], 2), vec![1, 1, 0]);
        assert_eq!(allot(&[5, 0], 10), vec![5, 0]);
    }

    fn count(count: u32) -> SurveySettings {
        SurveySettings {
            count: Some(count),
            ..SurveySettings::default()
        }
    }

    #[test]
    fn a_draw_is_random_stratified_and_repeatable() {
        let population = candidates(&[("exchange/portal", 200), ("return_refund/api", 800)]);
        let first = draw(&population, &HashSet::new(), &SurveySettings::default(), 7);
        assert_eq!(
            first,
            draw(&population, &HashSet::new(), &SurveySettings::default(), 7)
        );
        let other = draw(&population, &HashSet::new(), &SurveySettings::default(), 8);
        assert_ne!(first.chosen, other.chosen, "another seed, another sample");
        assert_eq!(
            first.strata,
            vec![
                Stratum {
                    stratum: "exchange/portal".into(),
                    population: 200,
                    sampled: 20
                },
                Stratum {
                    stratum: "return_refund/api".into(),
                    population: 800,
                    sampled: 80
                },
            ]
        );
        let exchanges = first
            .chosen
            .iter()
            .filter(|c| c.stratum == "exchange/portal")
            .count();
        assert_eq!(exchanges, 20);
        // Not the first 20 of the list: drawn from across it.
        assert!(
            first
                .chosen
                .iter()
                .any(|c| c.case_id.as_str() > "exchange/portal-00100")
        );
    }

    #[test]
    fn quiet_customers_are_left_out_and_each_customer_counts_once() {
        let mut population = candidates(&[("repair/portal", 10)]);
        for index in 0..5 {
            population.push(Candidate {
                case_id: format!("again-{index}"),
                customer: "customer-repair/portal-0".into(),
                stratum: "repair/portal".into(),
            });
        }
        let quiet: HashSet<String> = ["customer-repair/portal-1".to_string()].into();
        let sample = draw(&population, &quiet, &count(100), 1);
        assert_eq!(sample.chosen.len(), 9);
        assert_eq!(sample.strata[0].population, 9);
        assert!(
            sample
                .chosen
                .iter()
                .all(|c| c.customer != "customer-repair/portal-1")
        );
        let customers: HashSet<&str> = sample.chosen.iter().map(|c| c.customer.as_str()).collect();
        assert_eq!(customers.len(), 9);
    }

    #[test]
    fn the_target_is_a_share_rounded_up_or_a_count() {
        let mut settings = SurveySettings::default();
        assert_eq!(target(&settings, 5), 1);
        assert_eq!(target(&settings, 1000), 100);
        settings.count = Some(30);
        assert_eq!(target(&settings, 1000), 30);
        assert_eq!(target(&settings, 12), 12);
    }

    #[test]
    fn a_hand_computed_estimate() {
        // Two strata of 100 and 300 cases: answers (4, 5) and (3, 4, 5).
        let strata = [
            Answered {
                population: 100,
                scores: vec![4, 5],
            },
            Answered {
                population: 300,
                scores: vec![3, 4, 5],
            },
        ];
        let estimate = estimate(&strata).unwrap();
        // 0.25 × 4.5 + 0.75 × 4 = 4.125
        assert!((estimate.mean - 4.125).abs() < 1e-9);
        // s² = 0.5 and 1; variance 0.25² × (1 − 2/100) × 0.5/2 + 0.75² × (1 − 3/300) × 1/3;
        // 5 answers in 2 strata: t with 3 degrees of freedom, 3.182.
        let variance = 0.0625 * 0.98 * 0.5 / 2.0 + 0.5625 * 0.99 * 1.0 / 3.0;
        let half = 3.182 * f64::sqrt(variance);
        assert!((estimate.low.unwrap() - (4.125 - half)).abs() < 1e-9);
        assert!((estimate.high.unwrap() - 5.0f64.min(4.125 + half)).abs() < 1e-9);
        assert_eq!(estimate.answers, 5);
        assert!(
            super::estimate(&[Answered {
                population: 3,
                scores: vec![]
            }])
            .is_none()
        );
        let one = super::estimate(&[Answered {
            population: 3,
            scores: vec![5],
        }])
        .unwrap();
        assert_eq!((one.mean, one.low, one.high), (5.0, None, None));
    }

    #[test]
    fn the_interval_covers_the_population_mean_about_95_times_in_100() {
        // A generated population: three strata whose scores lean differently.
        let mut rng = StdRng::seed_from_u64(2026);
        let lean: [(&str, usize, [u32; 5]); 3] = [
            ("refund_only/platform", 6000, [2, 3, 10, 35, 50]),
            ("return_refund/portal", 3000, [10, 10, 20, 30, 30]),
            ("repair/phone", 1000, [30, 20, 20, 20, 10]),
        ];
        let mut scores: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut population = Vec::new();
        for (stratum, count, weights) in lean {
            for index in 0..count {
                let pick = rand::Rng::random_range(&mut rng, 0..100u32);
                let mut seen = 0;
                let score = (0..5)
                    .find(|&s| {
                        seen += weights[s];
                        pick < seen
                    })
                    .unwrap() as u8
                    + 1;
                let id = format!("{stratum}-{index}");
                scores.insert(id.clone(), vec![score]);
                population.push(Candidate {
                    case_id: id,
                    customer: format!("c-{stratum}-{index}"),
                    stratum: stratum.into(),
                });
            }
        }
        let truth = scores.values().map(|s| f64::from(s[0])).sum::<f64>() / 10_000.0;
        let mut covered = 0;
        let rounds = 400;
        for seed in 0..rounds {
            let sample = draw(&population, &HashSet::new(), &count(200), seed);
            let strata: Vec<Answered> = sample
                .strata
                .iter()
                .map(|stratum| Answered {
                    population: stratum.population,
                    scores: sample
                        .chosen
                        .iter()
                        .filter(|c| c.stratum == stratum.stratum)
                        .map(|c| scores[&c.case_id][0])
                        .collect(),
                })
                .collect();
            let estimate = estimate(&strata).unwrap();
            if estimate.low.unwrap() <= truth && truth <= estimate.high.unwrap() {
                covered += 1;
            }
        }
        let share = f64::from(covered) / f64::from(rounds as u32);
        assert!(
            (0.92..=0.98).contains(&share),
            "the interval covered the true mean {truth:.3} in {share:.3} of the rounds"
        );
    }

    #[test]
    fn settings_are_checked() {
        let mut settings = SurveySettings::default();
        assert!(settings.check().is_ok());
        settings.share_percent = Some(0);
        assert!(settings.check().unwrap_err().contains("share_percent"));
        settings.share_percent = None;
        settings.questions = vec![Question {
            key: "score".into(),
            zh: "评分".into(),
            en: "Score".into(),
            kind: QuestionKind::Score,
        }];
        assert!(settings.check().unwrap_err().contains("key"));
        settings.questions[0].key = "speed".into();
        settings.questions[0].en = String::new();
        assert!(settings.check().unwrap_err().contains("en"));
    }
}
