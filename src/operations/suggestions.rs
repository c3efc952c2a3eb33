//! Learned suggestions of a case's reason and kind (docs/TRIAGE.md): the shop's own model once
//! it has ended enough cases, else the starting model; retrained daily by the workers from the
//! shop's last 100 k ended cases (their reasons as the agents left them: confirmed or corrected),
//! with the labelled set's training part added so that no class is forgotten.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use crate::db::{Database, suggestion_models};
use crate::domain::identifiers::ShopId;
use crate::domain::suggestions::{Example, STARTING, Suggester, Suggestion, held_out, labelled};

/// A shop needs this many ended cases with a description before it learns its own model.
pub const LEAST_CASES: i64 = 50;
/// The most cases a model learns from (the latest).
pub const MOST_CASES: i64 = 100_000;
const DAY: i64 = 24 * 3_600_000_000;
/// How long an instance uses a model before asking whether a newer one was trained.
const FRESH: Duration = Duration::from_secs(60);

/// A model as an instance holds it: when it last asked, its training time (0: the starting
/// model), the model, and which it is.
type Held = (Instant, i64, Arc<Suggester>, &'static str);

/// Each shop's model on this instance.
static MODELS: LazyLock<Mutex<HashMap<ShopId, Held>>> = LazyLock::new(Default::default);

/// The model that suggests for the shop, and which one it is (`shop` or `starting`); asked
/// again of the database at most once a minute.
pub async fn model(
    database: &Database,
    shop_id: &ShopId,
) -> anyhow::Result<(Arc<Suggester>, &'static str)> {
    let held = MODELS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(shop_id)
        .cloned();
    if let Some((checked, _, model, which)) = &held
        && checked.elapsed() < FRESH
    {
        return Ok((model.clone(), which));
    }
    let trained_at = suggestion_models::trained_at(&database.reader, shop_id)
        .await?
        .unwrap_or(0);
    let (model, which) = match held {
        Some((_, known, model, which)) if known == trained_at => (model, which),
        _ if trained_at == 0 => (STARTING.clone(), "starting"),
        _ => match suggestion_models::get(&database.reader, shop_id).await? {
            Some((text, _)) => (Arc::new(serde_json::from_str(&text)?), "shop"),
            None => (STARTING.clone(), "starting"),
        },
    };
    MODELS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(
            shop_id.clone(),
            (Instant::now(), trained_at, model.clone(), which),
        );
    Ok((model, which))
}

/// What the description suggests, by the shop's model.
pub async fn suggest(
    database: &Database,
    shop_id: &ShopId,
    text: &str,
) -> anyhow::Result<Suggestion> {
    let (model, which) = model(database, shop_id).await?;
    Ok(model.suggest(text, which))
}

/// Learns a model from ended cases (description, reason, kind), the labelled set's training
/// part first.
pub fn learn(cases: &[(String, String, String)]) -> Suggester {
    let shipped = labelled();
    let examples = shipped
        .into_iter()
        .filter(|example| !held_out(example.text))
        .chain(
            cases
                .iter()
                .map(|(text, reason, kind)| Example { text, reason, kind }),
        );
    Suggester::train(examples)
}

/// Retrains the models of the shops that ended enough cases and were not trained today; how
/// many were trained.
pub async fn retrain(database: &Database, now: i64) -> anyhow::Result<usize> {
    let mut trained = 0;
    for shop_id in suggestion_models::due(&database.reader, LEAST_CASES, now - DAY).await? {
        let cases = suggestion_models::ended(&database.reader, &shop_id, MOST_CASES).await?;
        let count = cases.len() as i64;
        let model =
            tokio::task::spawn_blocking(move || serde_json::to_string(&learn(&cases))).await??;
        suggestion_models::store(&database.writer, &shop_id, &model, count, now).await?;
        // This instance uses it at once; the others within a minute.
        MODELS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&shop_id);
        trained += 1;
    }
    Ok(trained)
}

/// The starting model measured on a labelled file: both reports, the texts it learned from
/// left out.
pub fn evaluate(file: &str) -> Result<String, String> {
    let examples = crate::domain::suggestions::examples(file)?;
    let learned: std::collections::HashSet<&str> = labelled()
        .into_iter()
        .filter(|example| !held_out(example.text))
        .map(|example| example.text)
        .collect();
    let (unseen, seen): (Vec<Example>, Vec<Example>) = examples
        .into_iter()
        .partition(|example| !learned.contains(example.text));
    if unseen.is_empty() {
        return Err(
            "every text of the file was learned by the starting model: nothing to measure".into(),
        );
    }
    let (reasons, kinds) = STARTING.evaluate(&unseen);
    Ok(format!(
        "{} texts the starting model learned from were left out.\n\n{}\n{}",
        seen.len(),
        reasons.report("reasons"),
        kinds.report("kinds")
    ))
}
