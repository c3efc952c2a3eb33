//! A case's reason and kind suggested from its description (docs/TRIAGE.md, "Learned
//! suggestions"): two classifiers, learned from the shop's own ended cases once it has enough of
//! them, else the starting model that ships with the product — learned from the labelled set
//! the repository carries (data/triage/labelled.tsv) except its held-out quarter, on which it
//! is measured.

use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};

use super::classifier::{Evaluation, Guess, Model};

/// The labelled set: one request per line, `text \t reason \t kind`.
const LABELLED: &str = include_str!("../../data/triage/labelled.tsv");

/// A labelled request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example<'a> {
    pub text: &'a str,
    pub reason: &'a str,
    pub kind: &'a str,
}

/// The examples of a labelled file (`#` lines and the header skipped); a bad line says where.
pub fn examples(file: &str) -> Result<Vec<Example<'_>>, String> {
    let mut found = Vec::new();
    for (number, line) in file.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with("text\t") {
            continue;
        }
        let mut parts = line.split('\t');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(text), Some(reason), Some(kind)) if !text.trim().is_empty() => {
                found.push(Example {
                    text: text.trim(),
                    reason: reason.trim(),
                    kind: kind.trim(),
                })
            }
            _ => {
                return Err(format!(
                    "line {}: expected text, reason and kind separated by tabs",
                    number + 1
                ));
            }
        }
    }
    Ok(found)
}

/// Whether an example is in the held-out quarter: by an FNV-1a hash of its text, so the split
/// is the same on every machine and for every run.
pub fn held_out(text: &str) -> bool {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash.is_multiple_of(4)
}

/// The repository's labelled set.
pub fn labelled() -> Vec<Example<'static>> {
    examples(LABELLED).unwrap_or_default()
}

/// The two classifiers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Suggester {
    pub reason: Model,
    pub kind: Model,
}

/// What a description suggests: the three likeliest reasons and kinds with their probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub reasons: Vec<Guess>,
    pub kinds: Vec<Guess>,
    /// `shop` (learned from the shop's cases) or `starting` (the shipped model).
    pub model: String,
}

impl Suggester {
    pub fn train<'a>(examples: impl IntoIterator<Item = Example<'a>>) -> Suggester {
        let mut suggester = Suggester::default();
        for example in examples {
            suggester.reason.learn(example.text, example.reason);
            suggester.kind.learn(example.text, example.kind);
        }
        suggester
    }

    pub fn suggest(&self, text: &str, model: &str) -> Suggestion {
        let three = |mut ranked: Vec<Guess>| {
            ranked.truncate(3);
            for guess in &mut ranked {
                guess.confidence = (guess.confidence * 1000.0).round() / 1000.0;
            }
            ranked
        };
        Suggestion {
            reasons: three(self.reason.rank(text)),
            kinds: three(self.kind.rank(text)),
            model: model.to_string(),
        }
    }

    /// How it does on `examples`: the reasons' evaluation and the kinds'.
    pub fn evaluate(&self, examples: &[Example<'_>]) -> (Evaluation, Evaluation) {
        (
            Evaluation::of(
                &self.reason,
                examples
                    .iter()
                    .map(|example| (example.text, example.reason)),
            ),
            Evaluation::of(
                &self.kind,
                examples.iter().map(|example| (example.text, example.kind)),
            ),
        )
    }
}

/// The starting model: the labelled set without its held-out quarter.
pub static STARTING: LazyLock<Arc<Suggester>> = LazyLock::new(|| {
    Arc::new(Suggester::train(
        labelled()
            .into_iter()
            .filter(|example| !held_out(example.text)),
    ))
});

/// The figures the starting model reached on the held-out quarter when they were recorded
/// (docs/TRIAGE.md): a change that does worse fails `tests::the_starting_model_keeps_its_figures`
/// and the benchmark's check.
/// Recorded on 2026-12-07 (the set of 317 texts): reasons top-1 47 of 79 (59.5 %), top-3 69
/// (87.3 %); kinds top-1 35 (44.3 %); set a point lower, as the sums' order (and so a near tie)
/// may differ by machine.
pub const RECORDED_REASON_TOP1: f64 = 0.58;
pub const RECORDED_REASON_TOP3: f64 = 0.86;
pub const RECORDED_KIND_TOP1: f64 = 0.43;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_labelled_set_reads_and_splits_about_a_quarter_out() {
        let all = labelled();
        assert!(all.len() >= 300, "{} examples", all.len());
        let out = all.iter().filter(|example| held_out(example.text)).count();
        assert!(
            out * 5 > all.len() && out * 3 < all.len(),
            "{out} of {} held out",
            all.len()
        );
        assert!(examples("a\tb").is_err());
    }

    #[test]
    fn the_starting_model_keeps_its_figures() {
        let held: Vec<Example> = labelled()
            .into_iter()
            .filter(|example| held_out(example.text))
            .collect();
        let (reasons, kinds) = STARTING.evaluate(&held);
        println!("{}", reasons.report("reasons (held out)"));
        println!("{}", kinds.report("kinds (held out)"));
        assert!(
            reasons.top1_share() >= RECORDED_REASON_TOP1,
            "reason top-1 {}",
            reasons.top1_share()
        );
        assert!(
            reasons.top3_share() >= RECORDED_REASON_TOP3,
            "reason top-3 {}",
            reasons.top3_share()
        );
        assert!(
            kinds.top1_share() >= RECORDED_KIND_TOP1,
            "kind top-1 {}",
            kinds.top1_share()
        );
    }
}
