//! API tokens: records with a name, an owner (a staff member, or the shop itself), an expiry,
//! the last use and a revocation. Only the token's SHA-256 is stored.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::AnyPool;

use super::shops::{Actor, Shop};
use super::{Database, Transaction, new_id};
use crate::domain::Role;
use crate::domain::identifiers::ShopId;

pub struct NewToken<'a> {
    pub shop_id: &'a ShopId,
    /// None: the shop's own token, owned by no person.
    pub staff_id: Option<&'a str>,
    pub role: Role,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub expires_at: Option<i64>,
}

pub async fn insert(
    transaction: &mut Transaction,
    token: &NewToken<'_>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO api_tokens (id, shop_id, staff_id, role, name, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (token_hash) DO NOTHING",
    )
    .bind(&id)
    .bind(token.shop_id)
    .bind(token.staff_id)
    .bind(token.role.as_str())
    .bind(token.name)
    .bind(token.token_hash)
    .bind(now)
    .bind(token.expires_at)
    .execute(&mut **transaction)
    .await?;
    Ok(id)
}

/// Bumped by every write that changes what a token may do (a membership set or removed, a token
/// revoked, an invitation accepted), so that this instance's cache of tokens
/// (`http::api::gate`) drops what it holds at once.
static GENERATION: AtomicU64 = AtomicU64::new(0);

pub fn powers_changed() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// The count of such writes so far on this instance.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// A token found by its hash, with what its owner may do today.
#[derive(Clone)]
pub struct Bearer {
    pub token_id: String,
    pub actor: Actor,
    pub last_used_at: Option<i64>,
}

/// The caller behind a token's hash: unknown, revoked, expired tokens and tokens whose owner is
/// no longer a member of the shop give none. A person's token never does more than the person
/// may do now (a demotion takes effect at once).
pub async fn bearer(
    pool: &AnyPool,
    token_hash: &str,
    now: i64,
) -> Result<Option<Bearer>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        shop: Shop,
        token_id: String,
        token_role: String,
        token_staff_id: Option<String>,
        member_role: Option<String>,
        expires_at: Option<i64>,
        last_used_at: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT t.id AS token_id, t.role AS token_role, t.staff_id AS token_staff_id, \
         m.role AS member_role, t.expires_at, t.last_used_at, \
         s.id, s.slug, s.name, s.currency, s.time_zone, s.locale \
         FROM api_tokens t JOIN shops s ON s.id = t.shop_id \
         LEFT JOIN memberships m ON m.shop_id = t.shop_id AND m.staff_id = t.staff_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.expires_at.is_some_and(|expires_at| expires_at <= now) {
        return Ok(None);
    }
    let Some(token_role) = Role::parse(&row.token_role) else {
        return Ok(None);
    };
    let role = match (&row.token_staff_id, row.member_role.as_deref()) {
        (None, _) => token_role,
        (Some(_), None) => return Ok(None),
        (Some(_), Some(member_role)) => match Role::parse(member_role) {
            Some(member_role) => crate::domain::permissions::token_role(token_role, member_role),
            None => return Ok(None),
        },
    };
    Ok(Some(Bearer {
        token_id: row.token_id,
        actor: Actor {
            role,
            shop: row.shop,
            staff_id: row.token_staff_id,
        },
        last_used_at: row.last_used_at,
    }))
}

/// Notes that a token was used (called at most once a minute per token).
pub async fn touch(database: &Database, token_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(token_id)
        .execute(&database.writer)
        .await?;
    Ok(())
}

/// A token as listed: never the token itself.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRecord {
    pub id: String,
    pub staff_id: Option<String>,
    pub staff_email: Option<String>,
    pub role: String,
    pub name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "t.id, t.staff_id, st.email AS staff_email, t.role, t.name, t.created_at, \
     t.expires_at, t.last_used_at, t.revoked_at";

/// The shop's tokens, newest first; only one person's when `staff_id` is given.
pub async fn list(
    pool: &AnyPool,
    shop_id: &ShopId,
    staff_id: Option<&str>,
) -> Result<Vec<TokenRecord>, sqlx::Error> {
    let only_theirs = if staff_id.is_some() {
        "AND t.staff_id = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM api_tokens t LEFT JOIN staff st ON st.id = t.staff_id \
         WHERE t.shop_id = $1 {only_theirs} ORDER BY t.created_at DESC, t.id DESC"
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(shop_id);
    if let Some(staff_id) = staff_id {
        query = query.bind(staff_id);
    }
    query.fetch_all(pool).await
}

pub async fn find(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<TokenRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM api_tokens t LEFT JOIN staff st ON st.id = t.staff_id \
         WHERE t.shop_id = $1 AND t.id = $2"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Revokes a token of the shop; false when it was not there or already revoked.
pub async fn revoke(
    database: &Database,
    shop_id: &ShopId,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let revoked = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE shop_id = $2 AND id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(shop_id)
    .bind(id)
    .execute(&database.writer)
    .await?
    .rows_affected()
        == 1;
    powers_changed();
    Ok(revoked)
}
