//! The audit log: who changed a shop's setup, when and what. Entries are only ever appended,
//! each chained to the one before by its hash (`domain::audit`); nothing here updates or
//! deletes one.

use sqlx::AnyPool;

use super::Transaction;
use super::dialect::Backend;
use crate::domain::audit::{self, Entry, GENESIS};
use crate::domain::identifiers::ShopId;

/// An entry to append (its number and hashes are worked out here).
pub struct NewEntry<'a> {
    pub shop_id: &'a ShopId,
    pub at: i64,
    pub actor_role: &'a str,
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    pub target: &'a str,
    pub changes: &'a serde_json::Value,
}

const COLUMNS: &str = "shop_id, sequence, at, actor_role, actor_id, actor_name, action, target, changes, previous_hash, hash";

/// Appends an entry after the shop's newest, inside the change's own transaction. The shop's
/// row is locked first (PostgreSQL; SQLite has one writer), so two changes at once take
/// numbers one after the other.
pub async fn append(
    transaction: &mut Transaction,
    backend: Backend,
    new: &NewEntry<'_>,
) -> Result<i64, sqlx::Error> {
    let lock = format!("SELECT id FROM shops WHERE id = $1{}", backend.for_update());
    sqlx::query(sqlx::AssertSqlSafe(lock))
        .bind(new.shop_id)
        .fetch_optional(&mut **transaction)
        .await?;
    let last: Option<(i64, String)> = sqlx::query_as(
        "SELECT sequence, hash FROM audit_log WHERE shop_id = $1 ORDER BY sequence DESC LIMIT 1",
    )
    .bind(new.shop_id)
    .fetch_optional(&mut **transaction)
    .await?;
    let actor_name: Option<String> = match new.actor_id {
        Some(id) => {
            sqlx::query_scalar("SELECT name FROM staff WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **transaction)
                .await?
        }
        None => None,
    };
    let (sequence, previous_hash) = match last {
        Some((sequence, hash)) => (sequence + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let mut entry = Entry {
        shop_id: new.shop_id.to_string(),
        sequence,
        at: new.at,
        actor_role: new.actor_role.to_string(),
        actor_id: new.actor_id.map(str::to_string),
        actor_name,
        action: new.action.to_string(),
        target: new.target.to_string(),
        changes: new.changes.to_string(),
        previous_hash: previous_hash.clone(),
        hash: String::new(),
    };
    entry.hash = audit::hash(&previous_hash, &entry);
    let insert = format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    sqlx::query(sqlx::AssertSqlSafe(insert))
        .bind(&entry.shop_id)
        .bind(entry.sequence)
        .bind(entry.at)
        .bind(&entry.actor_role)
        .bind(&entry.actor_id)
        .bind(&entry.actor_name)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(&entry.changes)
        .bind(&entry.previous_hash)
        .bind(&entry.hash)
        .execute(&mut **transaction)
        .await?;
    Ok(sequence)
}

/// A page of the shop's entries, newest first, before `before` (a sequence number) if given.
pub async fn page(
    pool: &AnyPool,
    shop_id: &ShopId,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log WHERE shop_id = $1 AND sequence < $2 ORDER BY sequence DESC LIMIT $3"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// The shop's whole chain, oldest first (for verifying).
pub async fn chain(pool: &AnyPool, shop_id: &ShopId) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE shop_id = $1 ORDER BY sequence");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .fetch_all(pool)
        .await
}
