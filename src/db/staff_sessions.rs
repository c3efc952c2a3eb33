//! Staff console sign-in: sessions, failed attempts, the shops a person works in, saved views.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::shops::Shop;
use super::{Database, new_id};
use crate::domain::Role;

/// A signed-in person, as the session row says.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub staff_id: String,
    pub staff_name: String,
    pub staff_email: String,
    pub shop_id: ShopId,
    pub csrf_token: String,
}

pub struct NewSession<'a> {
    pub id: &'a str,
    pub staff_id: &'a str,
    pub shop_id: &'a ShopId,
    pub csrf_token: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert(database: &Database, session: &NewSession<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO staff_sessions (id, staff_id, shop_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(session.id)
    .bind(session.staff_id)
    .bind(session.shop_id)
    .bind(session.csrf_token)
    .bind(session.now)
    .bind(session.expires_at)
    .execute(&database.writer)
    .await?;
    Ok(())
}

/// The live session with this id (the SHA-256 of the cookie's token), if any.
pub async fn find(
    pool: &AnyPool,
    id: &str,
    now: i64,
) -> Result<Option<SessionRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.staff_id, st.name AS staff_name, st.email AS staff_email, s.shop_id, s.csrf_token \
         FROM staff_sessions s JOIN staff st ON st.id = s.staff_id WHERE s.id = $1 AND s.expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(pool)
    .await
}

pub async fn delete(database: &Database, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_sessions WHERE id = $1")
        .bind(id)
        .execute(&database.writer)
        .await?;
    Ok(())
}

pub async fn set_shop(database: &Database, id: &str, shop_id: &ShopId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff_sessions SET shop_id = $1 WHERE id = $2")
        .bind(shop_id)
        .bind(id)
        .execute(&database.writer)
        .await?;
    Ok(())
}

/// A person who may sign in: id, name and password hash.
pub async fn credentials(
    pool: &AnyPool,
    email: &str,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, password_hash FROM staff WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await
}

/// The shops a person works in, with the role in each, by shop name.
pub async fn shops_of(pool: &AnyPool, staff_id: &str) -> Result<Vec<(Shop, Role)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Membership {
        #[sqlx(flatten)]
        shop: Shop,
        #[sqlx(try_from = "String")]
        role: Role,
    }
    let memberships: Vec<Membership> = sqlx::query_as(
        "SELECT s.id, s.slug, s.name, s.currency, s.time_zone, s.locale, m.role \
         FROM memberships m JOIN shops s ON s.id = m.shop_id WHERE m.staff_id = $1 ORDER BY s.name",
    )
    .bind(staff_id)
    .fetch_all(pool)
    .await?;
    Ok(memberships
        .into_iter()
        .map(|membership| (membership.shop, membership.role))
        .collect())
}

/// The shop's staff: id, name and role, by name (for assigning cases).
pub async fn staff_of(
    pool: &AnyPool,
    shop_id: &ShopId,
) -> Result<Vec<(String, String, Role)>, sqlx::Error> {
    let staff: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT st.id, st.name, m.role FROM memberships m JOIN staff st ON st.id = m.staff_id \
         WHERE m.shop_id = $1 ORDER BY st.name",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await?;
    Ok(staff
        .into_iter()
        .map(|(id, name, role)| (id, name, Role::parse(&role).unwrap_or(Role::Agent)))
        .collect())
}

/// A staff member's name.
pub async fn name_of(pool: &AnyPool, staff_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM staff WHERE id = $1")
        .bind(staff_id)
        .fetch_optional(pool)
        .await
}

/// A saved queue view: id, name and the query string.
pub async fn saved_views(
    pool: &AnyPool,
    shop_id: &ShopId,
    staff_id: &str,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, query FROM saved_views WHERE shop_id = $1 AND staff_id = $2 ORDER BY created_at",
    )
    .bind(shop_id)
    .bind(staff_id)
    .fetch_all(pool)
    .await
}

pub async fn save_view(
    database: &Database,
    shop_id: &ShopId,
    staff_id: &str,
    name: &str,
    query: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO saved_views (id, shop_id, staff_id, name, query, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(shop_id)
    .bind(staff_id)
    .bind(name)
    .bind(query)
    .bind(now)
    .execute(&database.writer)
    .await?;
    Ok(())
}

pub async fn delete_view(
    database: &Database,
    shop_id: &ShopId,
    staff_id: &str,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM saved_views WHERE id = $1 AND shop_id = $2 AND staff_id = $3")
        .bind(id)
        .bind(shop_id)
        .bind(staff_id)
        .execute(&database.writer)
        .await?;
    Ok(())
}

/// The case whose shipment has this tracking number (the newest), for receiving parcels.
pub async fn case_by_tracking(
    pool: &AnyPool,
    shop_id: &ShopId,
    tracking_number: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT case_id FROM shipments WHERE shop_id = $1 AND tracking_number = $2 \
         AND case_id IS NOT NULL ORDER BY created_at DESC LIMIT 1",
    )
    .bind(shop_id)
    .bind(tracking_number)
    .fetch_optional(pool)
    .await
}
