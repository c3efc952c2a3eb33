//! The audit log of a shop's setup: settings, staff and roles, tokens, webhooks and integration
//! secrets. Each change appends one entry (who, when, what changed), chained by hash to the one
//! before; `verify` finds an entry changed or removed behind the product's back.

use serde_json::Value;

use crate::db::audit::{self, NewEntry};
use crate::db::shops::{self, Actor};
use crate::db::{Database, Transaction};
use crate::domain::audit::{Break, Entry, verify as verify_chain};
use crate::domain::permissions::Capability;
use crate::error::{AppError, AppResult};

/// Appends an entry for `actor`'s change inside the change's own transaction.
pub async fn record_in(
    transaction: &mut Transaction,
    database: &Database,
    actor: &Actor,
    action: &str,
    target: &str,
    changes: &Value,
) -> Result<i64, sqlx::Error> {
    audit::append(
        transaction,
        database.backend,
        &NewEntry {
            shop_id: &actor.shop.id,
            at: database.clock.now(),
            actor_role: actor.role.as_str(),
            actor_id: actor.staff_id.as_deref(),
            action,
            target,
            changes,
        },
    )
    .await
}

/// Appends an entry for a change already committed (where the change is a single statement).
pub async fn record(
    database: &Database,
    actor: &Actor,
    action: &str,
    target: &str,
    changes: &Value,
) -> Result<i64, sqlx::Error> {
    let mut transaction = database.begin().await?;
    let sequence = record_in(&mut transaction, database, actor, action, target, changes).await?;
    transaction.commit().await?;
    Ok(sequence)
}

/// A page of the shop's audit log, newest first (supervisors and admins).
pub async fn page(
    database: &Database,
    actor: &Actor,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<Entry>> {
    AppError::require(actor.role, Capability::ReadAudit)?;
    Ok(audit::page(&database.reader, &actor.shop.id, before, limit).await?)
}

/// One shop's chain checked: how many entries, or where it breaks.
#[derive(Debug, Clone)]
pub struct Verified {
    pub slug: String,
    pub result: Result<usize, Break>,
}

/// Checks the chain of every shop (or of the one named by its slug).
pub async fn verify(database: &Database, only: Option<&str>) -> anyhow::Result<Vec<Verified>> {
    let mut checked = Vec::new();
    for shop in shops::all_shops(&database.reader).await? {
        if only.is_some_and(|slug| slug != shop.slug) {
            continue;
        }
        let entries = audit::chain(&database.reader, &shop.id).await?;
        checked.push(Verified {
            slug: shop.slug,
            result: verify_chain(&entries),
        });
    }
    if let Some(slug) = only
        && checked.is_empty()
    {
        anyhow::bail!("no shop '{slug}'");
    }
    Ok(checked)
}
