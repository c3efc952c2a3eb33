//! The audit log's chain: each entry carries the hash of the one before it (per shop), and its
//! own hash covers everything it says, so a changed, removed or reordered entry is found.
//! Pure: storage reads and writes the entries, this computes and checks their hashes.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// What the first entry of a shop's chain points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry as stored (everything the hash covers, and the hashes).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    pub shop_id: String,
    pub sequence: i64,
    /// Unix microseconds.
    pub at: i64,
    pub actor_role: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    /// e.g. `settings.saved`, `staff.role_changed`, `token.revoked`.
    pub action: String,
    /// What was changed: `settings`, an address, a token's id …
    pub target: String,
    /// JSON: what changed (before and after, or the new record's fields).
    pub changes: String,
    pub previous_hash: String,
    pub hash: String,
}

/// The hash of an entry: SHA-256 over the previous hash and the entry's fields, as one JSON
/// array (so no field can bleed into the next), hex.
pub fn hash(previous_hash: &str, entry: &Entry) -> String {
    let covered: Value = json!([
        previous_hash,
        entry.shop_id,
        entry.sequence,
        entry.at,
        entry.actor_role,
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.target,
        entry.changes,
    ]);
    hex::encode(Sha256::digest(covered.to_string().as_bytes()))
}

/// Where a chain breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub sequence: i64,
    pub why: &'static str,
}

/// Checks a shop's entries in sequence order: numbered 1, 2, 3 … without a gap, each pointing at
/// the hash of the one before, each hash matching what the entry says.
pub fn verify(entries: &[Entry]) -> Result<usize, Break> {
    let mut previous = GENESIS.to_string();
    for (index, entry) in entries.iter().enumerate() {
        let expected = index as i64 + 1;
        if entry.sequence != expected {
            return Err(Break {
                sequence: expected,
                why: "an entry is missing (the sequence has a gap)",
            });
        }
        if entry.previous_hash != previous {
            return Err(Break {
                sequence: entry.sequence,
                why: "it does not point at the entry before it",
            });
        }
        if hash(&previous, entry) != entry.hash {
            return Err(Break {
                sequence: entry.sequence,
                why: "its content does not match its hash (changed after it was written)",
            });
        }
        previous = entry.hash.clone();
    }
    Ok(entries.len())
}

/// What changed between two JSON documents, top-level key by key: `{key: {before, after}}`.
pub fn changes(before: &Value, after: &Value) -> Value {
    let mut changed = serde_json::Map::new();
    let empty = serde_json::Map::new();
    let before_map = before.as_object().unwrap_or(&empty);
    let after_map = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = before_map.keys().chain(after_map.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let (was, now) = (before_map.get(key), after_map.get(key));
        if was != now {
            changed.insert(
                key.clone(),
                json!({ "before": was.cloned().unwrap_or(Value::Null), "after": now.cloned().unwrap_or(Value::Null) }),
            );
        }
    }
    Value::Object(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(count: i64) -> Vec<Entry> {
        let mut previous = GENESIS.to_string();
        (1..=count)
            .map(|sequence| {
                let mut entry = Entry {
                    shop_id: "shop".into(),
                    sequence,
                    at: sequence * 1_000,
                    actor_role: "admin".into(),
                    actor_id: Some("staff-1".into()),
                    actor_name: Some("店长".into()),
                    action: "settings.saved".into(),
                    target: "settings".into(),
                    changes: format!("{{\"n\":{sequence}}}"),
                    previous_hash: previous.clone(),
                    hash: String::new(),
                };
                entry.hash = hash(&previous, &entry);
                previous = entry.hash.clone();
                entry
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn a_changed_a_removed_or_a_rehashed_entry_is_found() {
        let mut changed = chain(4);
        changed[2].changes = "{\"n\":99}".into();
        assert_eq!(verify(&changed).unwrap_err().sequence, 3);

        let mut removed = chain(4);
        removed.remove(1);
        assert_eq!(verify(&removed).unwrap_err().sequence, 2);

        // Recomputing the changed entry's own hash does not help: the next one points elsewhere.
        let mut rehashed = chain(4);
        rehashed[1].actor_name = Some("someone else".into());
        rehashed[1].hash = hash(&rehashed[1].previous_hash.clone(), &rehashed[1]);
        let broken = verify(&rehashed).unwrap_err();
        assert_eq!(broken.sequence, 3);
        assert_eq!(broken.why, "it does not point at the entry before it");
    }

    #[test]
    fn changes_name_each_section_that_changed() {
        let before = json!({ "a": 1, "b": [1], "c": "x" });
        let after = json!({ "a": 1, "b": [2], "d": true });
        assert_eq!(
            changes(&before, &after),
            json!({
                "b": { "before": [1], "after": [2] },
                "c": { "before": "x", "after": null },
                "d": { "before": null, "after": true }
            })
        );
    }
}
