//! API tokens as records: issued (the secret shown once), listed (never the secret), revoked.
//! Admins manage every token of the shop, including the shop's own tokens that belong to no
//! person; everyone else manages their own, never with more power than they have.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::text_field;
use crate::db::Database;
use crate::db::shops::Actor;
use crate::db::tokens::{self, NewToken, TokenRecord};
use crate::domain::Role;
use crate::domain::permissions::{self, Capability};
use crate::domain::signing::token_hash;
use crate::error::{AppError, AppResult};

const DAY_MICROS: i64 = 86_400_000_000;

/// What a new token is for.
#[derive(Debug, Default, Clone)]
pub struct TokenRequest {
    pub name: String,
    /// The role it acts with; the issuer's own role when absent.
    pub role: Option<String>,
    /// Days until it stops working; never when absent.
    pub expires_in_days: Option<i64>,
    /// The shop's own token, owned by no person (admins only).
    pub for_shop: bool,
}

/// A token just made: the secret, shown this once, and its record.
pub struct Issued {
    pub secret: String,
    pub record: TokenRecord,
}

/// A new token: 32 random bytes, URL-safe, with a prefix that says what it is.
pub fn new_secret() -> String {
    format!("as_{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()))
}

fn is_admin(actor: &Actor) -> bool {
    permissions::allows(actor.role, Capability::ManageStaff)
}

pub async fn issue(
    database: &Database,
    actor: &Actor,
    request: &TokenRequest,
) -> AppResult<Issued> {
    let name = text_field("name", Some(&request.name), true, 100)?.unwrap_or_default();
    let role = match request.role.as_deref().map(str::trim) {
        None | Some("") => actor.role,
        Some(text) => Role::parse(text)
            .filter(|role| role.is_staff())
            .ok_or_else(|| {
                AppError::invalid(
                    "role",
                    format!("unknown role '{text}': use agent, inspector, supervisor or admin"),
                )
            })?,
    };
    if request.for_shop && !is_admin(actor) {
        return Err(AppError::Forbidden(
            "only admins make the shop's own tokens".into(),
        ));
    }
    let staff_id = if request.for_shop {
        None
    } else {
        Some(actor.staff_id.clone().ok_or_else(|| {
            AppError::Forbidden(
                "a token can only be made for a person or, by an admin, for the shop".into(),
            )
        })?)
    };
    if staff_id.is_some() && permissions::token_role(role, actor.role) != role {
        return Err(AppError::invalid(
            "role",
            format!("a {} may not make a {} token", actor.role, role),
        ));
    }
    let expires_at = match request.expires_in_days {
        None => None,
        Some(days) if (1..=3650).contains(&days) => Some(database.clock.now() + days * DAY_MICROS),
        Some(_) => {
            return Err(AppError::invalid(
                "expires_in_days",
                "expires_in_days must be 1 to 3650",
            ));
        }
    };
    let secret = new_secret();
    let mut transaction = database.begin().await?;
    let id = tokens::insert(
        &mut transaction,
        &NewToken {
            shop_id: &actor.shop.id,
            staff_id: staff_id.as_deref(),
            role,
            name: &name,
            token_hash: &token_hash(&secret),
            expires_at,
        },
        database.clock.now(),
    )
    .await?;
    super::audit::record_in(
        &mut transaction,
        database,
        actor,
        "token.created",
        &id,
        &serde_json::json!({ "name": name, "role": role, "owner": staff_id.as_deref().unwrap_or("shop"), "expires_at": expires_at }),
    )
    .await?;
    transaction.commit().await?;
    let record = tokens::find(&database.writer, &actor.shop.id, &id)
        .await?
        .ok_or(AppError::NotFound("token"))?;
    Ok(Issued { secret, record })
}

/// Every token of the shop for an admin; one's own for everyone else.
pub async fn list(database: &Database, actor: &Actor) -> AppResult<Vec<TokenRecord>> {
    let only = if is_admin(actor) {
        None
    } else {
        Some(actor.staff_id.as_deref().unwrap_or("-"))
    };
    Ok(tokens::list(&database.reader, &actor.shop.id, only).await?)
}

/// Revokes a token at once (an admin any of the shop's, others their own).
pub async fn revoke(database: &Database, actor: &Actor, id: &str) -> AppResult<TokenRecord> {
    let record = tokens::find(&database.writer, &actor.shop.id, id)
        .await?
        .filter(|record| {
            is_admin(actor) || (record.staff_id.is_some() && record.staff_id == actor.staff_id)
        })
        .ok_or(AppError::NotFound("token"))?;
    tokens::revoke(database, &actor.shop.id, id, database.clock.now()).await?;
    super::audit::record(
        database,
        actor,
        "token.revoked",
        id,
        &serde_json::json!({ "name": record.name, "role": record.role }),
    )
    .await?;
    Ok(tokens::find(&database.writer, &actor.shop.id, id)
        .await?
        .unwrap_or(record))
}
