//! A text classifier learned from examples: multinomial naive Bayes over the words of a text
//! (jieba words, single Chinese characters, Chinese character pairs, stemmed Latin words — each
//! counted once per text), with add-½ smoothing. It suggests a case's reason and kind from its
//! description with a confidence (the posterior probability), and is retrained from the shop's
//! own ended cases, whose reasons the agents confirmed or corrected (docs/TRIAGE.md).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::knowledge::words::{Word, is_han, normalise, words};

const SMOOTHING: f64 = 0.5;

/// The features of a text, each once.
pub fn features(text: &str) -> HashSet<String> {
    let mut found: HashSet<String> = words(text).iter().map(Word::key).collect();
    let characters: Vec<char> = normalise(text).chars().collect();
    for pair in characters.windows(2) {
        if is_han(pair[0]) && is_han(pair[1]) {
            found.insert(format!("~{}{}", pair[0], pair[1]));
        }
    }
    found
}

/// A model: per class, how many texts and how often each feature was in them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Model {
    classes: Vec<String>,
    texts: Vec<u32>,
    /// Feature → count per class (same order as `classes`).
    counts: HashMap<String, Vec<u32>>,
    /// Per class, the sum of its feature counts.
    totals: Vec<u64>,
}

/// A suggestion: the class and its probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guess {
    pub class: String,
    pub confidence: f64,
}

impl Model {
    /// Learns from (text, class) examples.
    pub fn train<'a>(examples: impl IntoIterator<Item = (&'a str, &'a str)>) -> Model {
        let mut model = Model::default();
        for (text, class) in examples {
            model.learn(text, class);
        }
        model
    }

    /// Adds one example.
    pub fn learn(&mut self, text: &str, class: &str) {
        let slot = match self.classes.iter().position(|known| known == class) {
            Some(slot) => slot,
            None => {
                self.classes.push(class.to_string());
                self.texts.push(0);
                self.totals.push(0);
                for counts in self.counts.values_mut() {
                    counts.push(0);
                }
                self.classes.len() - 1
            }
        };
        self.texts[slot] += 1;
        let width = self.classes.len();
        for feature in features(text) {
            let counts = self.counts.entry(feature).or_insert_with(|| vec![0; width]);
            counts[slot] += 1;
            self.totals[slot] += 1;
        }
    }

    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// How many different features it knows.
    pub fn features(&self) -> usize {
        self.counts.len()
    }

    pub fn examples(&self) -> u32 {
        self.texts.iter().sum()
    }

    /// Every class with its probability, the likeliest first.
    pub fn rank(&self, text: &str) -> Vec<Guess> {
        let all: u32 = self.examples();
        if all == 0 {
            return Vec::new();
        }
        let vocabulary = self.counts.len() as f64;
        let mut scores: Vec<f64> = self
            .texts
            .iter()
            .map(|&texts| (f64::from(texts) / f64::from(all)).ln())
            .collect();
        for feature in features(text) {
            let Some(counts) = self.counts.get(&feature) else {
                continue;
            };
            for (slot, score) in scores.iter_mut().enumerate() {
                let likelihood = (f64::from(counts[slot]) + SMOOTHING)
                    / (self.totals[slot] as f64 + SMOOTHING * vocabulary);
                *score += likelihood.ln();
            }
        }
        let best = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = scores.iter().map(|score| (score - best).exp()).collect();
        let sum: f64 = weights.iter().sum();
        let mut ranked: Vec<Guess> = self
            .classes
            .iter()
            .zip(weights)
            .map(|(class, weight)| Guess {
                class: class.clone(),
                confidence: weight / sum,
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.class.cmp(&b.class))
        });
        ranked
    }
}

/// How a model did on labelled texts: top-1 and top-3 per class, and what each class was taken for.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evaluation {
    pub texts: usize,
    pub top1: usize,
    pub top3: usize,
    /// Class → (texts, top-1 right, top-3 right).
    pub per_class: BTreeMap<String, (usize, usize, usize)>,
    /// (true class, guessed class) → texts.
    pub confusion: BTreeMap<(String, String), usize>,
}

impl Evaluation {
    pub fn of<'a>(
        model: &Model,
        examples: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Evaluation {
        let mut evaluation = Evaluation::default();
        for (text, class) in examples {
            let ranked = model.rank(text);
            let guessed = ranked
                .first()
                .map(|guess| guess.class.clone())
                .unwrap_or_default();
            let first = guessed == class;
            let within = ranked.iter().take(3).any(|guess| guess.class == class);
            evaluation.texts += 1;
            evaluation.top1 += usize::from(first);
            evaluation.top3 += usize::from(within);
            let entry = evaluation.per_class.entry(class.to_string()).or_default();
            entry.0 += 1;
            entry.1 += usize::from(first);
            entry.2 += usize::from(within);
            *evaluation
                .confusion
                .entry((class.to_string(), guessed))
                .or_default() += 1;
        }
        evaluation
    }

    pub fn top1_share(&self) -> f64 {
        self.top1 as f64 / self.texts.max(1) as f64
    }

    pub fn top3_share(&self) -> f64 {
        self.top3 as f64 / self.texts.max(1) as f64
    }

    /// The report as text: the totals, a line per class, the confusion table (rows: the true
    /// class; columns: the guess).
    pub fn report(&self, title: &str) -> String {
        let mut text = format!(
            "{title}: {} texts, top-1 {:.1} % ({}), top-3 {:.1} % ({})\n",
            self.texts,
            self.top1_share() * 100.0,
            self.top1,
            self.top3_share() * 100.0,
            self.top3
        );
        text.push_str(&format!(
            "{:<20} {:>6} {:>8} {:>8}\n",
            "class", "texts", "top-1", "top-3"
        ));
        for (class, (texts, first, within)) in &self.per_class {
            text.push_str(&format!(
                "{class:<20} {texts:>6} {:>7.0}% {:>7.0}%\n",
                *first as f64 * 100.0 / (*texts).max(1) as f64,
                *within as f64 * 100.0 / (*texts).max(1) as f64
            ));
        }
        let mut classes: Vec<&String> = self.per_class.keys().collect();
        for (_, guessed) in self.confusion.keys() {
            if !classes.contains(&guessed) {
                classes.push(guessed);
            }
        }
        text.push_str("confusion (rows: true, columns: guessed)\n");
        text.push_str(&format!("{:<20}", ""));
        for class in &classes {
            text.push_str(&format!(
                " {:>5}",
                class.chars().take(5).collect::<String>()
            ));
        }
        text.push('\n');
        for row in self.per_class.keys() {
            text.push_str(&format!("{row:<20}"));
            for column in &classes {
                let count = self
                    .confusion
                    .get(&(row.clone(), (*column).clone()))
                    .copied()
                    .unwrap_or(0);
                text.push_str(&format!(" {count:>5}"));
            }
            text.push('\n');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_learns_what_texts_are_about() {
        let model = Model::train([
            ("耳机没有声音", "not_working"),
            ("开不了机，黑屏", "not_working"),
            ("收到的颜色不对，发错了", "wrong_item"),
            ("买的黑色寄来白色", "wrong_item"),
        ]);
        let ranked = model.rank("手机黑屏开不了机");
        assert_eq!(ranked[0].class, "not_working");
        assert!(ranked[0].confidence > 0.5);
        let total: f64 = ranked.iter().map(|guess| guess.confidence).sum();
        assert!((total - 1.0).abs() < 1e-9);
        assert!(Model::default().rank("x").is_empty());
    }

    #[test]
    fn an_evaluation_counts_per_class_and_confusions() {
        let model = Model::train([("没有声音", "not_working"), ("发错颜色", "wrong_item")]);
        let evaluation = Evaluation::of(
            &model,
            [("声音没有了", "not_working"), ("发错颜色了", "not_working")],
        );
        assert_eq!(
            (evaluation.texts, evaluation.top1, evaluation.top3),
            (2, 1, 2)
        );
        assert_eq!(
            evaluation.confusion[&("not_working".to_string(), "wrong_item".to_string())],
            1
        );
        assert!(evaluation.report("t").contains("top-1 50.0 %"));
    }
}
