//! Shops, staff and API tokens: set up by the CLI (`aftersale admin …`), the demo data and
//! the benchmark.

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, SaltString};

use crate::db::Database;
use crate::db::shops::{self, NewShop};
use crate::domain::{Currency, Role};

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| anyhow::anyhow!("hashing a password: {error}"))?
        .to_string())
}

/// Creates a shop with the default reasons, or returns the existing one with this slug.
pub async fn ensure_shop(
    database: &Database,
    slug: &str,
    name: &str,
) -> anyhow::Result<shops::Shop> {
    if let Some(shop) = shops::find_shop_by_slug(&database.reader, slug).await? {
        return Ok(shop);
    }
    let mut transaction = database.begin().await?;
    let id = shops::insert_shop(
        &mut transaction,
        &NewShop {
            slug,
            name,
            currency: Currency::CNY,
            time_zone: "Asia/Shanghai",
            locale: "zh-CN",
        },
        database.clock.now(),
    )
    .await?;
    for (position, reason) in shops::default_reasons().iter().enumerate() {
        shops::upsert_reason(&mut transaction, &id, reason, position as i64).await?;
    }
    transaction.commit().await?;
    shops::find_shop_by_slug(&database.writer, slug)
        .await?
        .context("the shop just created is missing")
}

/// Adds (or updates) a staff member of the shop; returns the staff id.
pub async fn add_staff(
    database: &Database,
    shop: &shops::Shop,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> anyhow::Result<String> {
    let hash = hash_password(password)?;
    let mut transaction = database.begin().await?;
    let id =
        shops::upsert_staff(&mut transaction, email, name, &hash, database.clock.now()).await?;
    shops::set_membership(&mut transaction, &shop.id, &id, role).await?;
    transaction.commit().await?;
    Ok(id)
}

/// Stores a token's hash for the shop and role.
pub async fn add_token(
    database: &Database,
    shop: &shops::Shop,
    staff_id: Option<&str>,
    role: Role,
    name: &str,
    token: &str,
) -> anyhow::Result<()> {
    let mut transaction = database.begin().await?;
    crate::db::tokens::insert(
        &mut transaction,
        &crate::db::tokens::NewToken {
            shop_id: &shop.id,
            staff_id,
            role,
            name,
            token_hash: &crate::domain::signing::token_hash(token),
            expires_at: None,
        },
        database.clock.now(),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}
