//! Shops, staff, their roles, API tokens and the shop's reason codes.

use sqlx::AnyPool;

use super::columns::{Flag, ZoneName};
use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;
use crate::domain::{Currency, Role};

/// What a request needs to know about its shop.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Shop {
    pub id: ShopId,
    pub slug: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    #[sqlx(try_from = "ZoneName")]
    pub time_zone: jiff::tz::TimeZone,
    #[sqlx(rename = "time_zone")]
    pub time_zone_name: String,
    pub locale: String,
}

/// Who is calling, as an API token or a signed-in person says.
#[derive(Debug, Clone)]
pub struct Actor {
    pub shop: Shop,
    pub role: Role,
    pub staff_id: Option<String>,
}

pub struct NewShop<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub currency: Currency,
    pub time_zone: &'a str,
    pub locale: &'a str,
}

pub async fn insert_shop(
    transaction: &mut Transaction,
    shop: &NewShop<'_>,
    now: i64,
) -> Result<ShopId, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO shops (id, slug, name, currency, time_zone, locale, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(shop.slug)
    .bind(shop.name)
    .bind(shop.currency.as_str())
    .bind(shop.time_zone)
    .bind(shop.locale)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    Ok(ShopId::from(id))
}

pub async fn find_shop_by_slug(pool: &AnyPool, slug: &str) -> Result<Option<Shop>, sqlx::Error> {
    sqlx::query_as("SELECT id, slug, name, currency, time_zone, locale FROM shops WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await
}

pub async fn find_shop_by_id(pool: &AnyPool, id: &str) -> Result<Option<Shop>, sqlx::Error> {
    sqlx::query_as("SELECT id, slug, name, currency, time_zone, locale FROM shops WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Every shop, by slug.
pub async fn all_shops(pool: &AnyPool) -> Result<Vec<Shop>, sqlx::Error> {
    sqlx::query_as("SELECT id, slug, name, currency, time_zone, locale FROM shops ORDER BY slug")
        .fetch_all(pool)
        .await
}

pub async fn count_shops(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM shops")
        .fetch_one(pool)
        .await
}

/// Where the reason `code` stands in the shop's list: its place, or the next free one.
pub async fn reason_position(
    pool: &AnyPool,
    shop_id: &ShopId,
    code: &str,
) -> Result<i64, sqlx::Error> {
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT position FROM reasons WHERE shop_id = $1 AND code = $2")
            .bind(shop_id)
            .bind(code)
            .fetch_optional(pool)
            .await?;
    match existing {
        Some(position) => Ok(position),
        None => {
            sqlx::query_scalar(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM reasons WHERE shop_id = $1",
            )
            .bind(shop_id)
            .fetch_one(pool)
            .await
        }
    }
}

/// The staff member with this e-mail, in a transaction.
pub async fn staff_id_by_email(
    transaction: &mut Transaction,
    email: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM staff WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut **transaction)
        .await
}

/// Takes the person out of the shop and ends their sessions in it.
pub async fn remove_membership(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    staff_id: &str,
) -> Result<(), sqlx::Error> {
    for statement in [
        "DELETE FROM memberships WHERE shop_id = $1 AND staff_id = $2",
        "DELETE FROM staff_sessions WHERE shop_id = $1 AND staff_id = $2",
    ] {
        sqlx::query(statement)
            .bind(shop_id)
            .bind(staff_id)
            .execute(&mut **transaction)
            .await?;
    }
    super::tokens::powers_changed();
    Ok(())
}

/// The slugs of the first `limit` shops, oldest first.
pub async fn first_slugs(pool: &AnyPool, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT slug FROM shops ORDER BY created_at LIMIT $1")
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// Adds a person, or updates the name and password of the one with this e-mail.
pub async fn upsert_staff(
    transaction: &mut Transaction,
    email: &str,
    name: &str,
    password_hash: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    if let Some(id) = staff_id_by_email(transaction, email).await? {
        sqlx::query("UPDATE staff SET name = $1, password_hash = $2 WHERE id = $3")
            .bind(name)
            .bind(password_hash)
            .bind(&id)
            .execute(&mut **transaction)
            .await?;
        return Ok(id);
    }
    let id = new_id();
    sqlx::query("INSERT INTO staff (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(now)
        .execute(&mut **transaction)
        .await?;
    Ok(id)
}

pub async fn set_membership(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    staff_id: &str,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO memberships (shop_id, staff_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (shop_id, staff_id) DO UPDATE SET role = excluded.role",
    )
    .bind(shop_id)
    .bind(staff_id)
    .bind(role.as_str())
    .execute(&mut **transaction)
    .await?;
    super::tokens::powers_changed();
    Ok(())
}

pub async fn find_staff_by_email(
    pool: &AnyPool,
    email: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM staff WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await
}

pub async fn staff_email(pool: &AnyPool, staff_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT email FROM staff WHERE id = $1")
        .bind(staff_id)
        .fetch_optional(pool)
        .await
}

/// The role a person holds in a shop, if any.
pub async fn membership_role(
    pool: &AnyPool,
    shop_id: &ShopId,
    staff_id: &str,
) -> Result<Option<Role>, sqlx::Error> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE shop_id = $1 AND staff_id = $2")
            .bind(shop_id)
            .bind(staff_id)
            .fetch_optional(pool)
            .await?;
    Ok(role.and_then(|role| Role::parse(&role)))
}

/// Whether a staff id belongs to the shop (for assignment).
pub async fn is_member(
    pool: &AnyPool,
    shop_id: &ShopId,
    staff_id: &str,
) -> Result<bool, sqlx::Error> {
    Ok(membership_role(pool, shop_id, staff_id).await?.is_some())
}

/// A shop's reason code as configured.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reason {
    pub code: String,
    pub category: String,
    pub name_zh: String,
    pub name_en: String,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
}

pub async fn upsert_reason(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    reason: &Reason,
    position: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reasons (shop_id, code, category, name_zh, name_en, active, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (shop_id, code) DO UPDATE SET \
         category = excluded.category, name_zh = excluded.name_zh, name_en = excluded.name_en, \
         active = excluded.active, position = excluded.position",
    )
    .bind(shop_id)
    .bind(&reason.code)
    .bind(&reason.category)
    .bind(&reason.name_zh)
    .bind(&reason.name_en)
    .bind(i64::from(reason.active))
    .bind(position)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// The name of the reason `code` among `reasons`, in the shop's language (`locale`).
pub fn reason_name(reasons: &[Reason], code: &str, locale: &str) -> Option<String> {
    reasons
        .iter()
        .find(|reason| reason.code == code)
        .map(|reason| match locale.starts_with("en") {
            true => reason.name_en.clone(),
            false => reason.name_zh.clone(),
        })
}

pub async fn list_reasons(pool: &AnyPool, shop_id: &ShopId) -> Result<Vec<Reason>, sqlx::Error> {
    sqlx::query_as(
        "SELECT code, category, name_zh, name_en, active FROM reasons WHERE shop_id = $1 ORDER BY position, code",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await
}

/// The reasons every new shop starts with (the categories of the domain reference).
pub fn default_reasons() -> Vec<Reason> {
    let reason = |code: &str, category: &str, name_zh: &str, name_en: &str| Reason {
        code: code.into(),
        category: category.into(),
        name_zh: name_zh.into(),
        name_en: name_en.into(),
        active: true,
    };
    vec![
        reason("quality", "quality", "质量问题", "Quality problem"),
        reason(
            "not_working",
            "quality",
            "无法使用 / 故障",
            "Does not work / faulty",
        ),
        reason("wrong_item", "fulfilment", "发错货", "Wrong item sent"),
        reason(
            "missing_part",
            "fulfilment",
            "少件 / 漏发",
            "Missing part or item",
        ),
        reason(
            "damaged_in_transit",
            "logistics",
            "运输破损",
            "Damaged in transit",
        ),
        reason(
            "not_as_described",
            "description",
            "与描述不符",
            "Not as described",
        ),
        reason(
            "size_colour",
            "preference",
            "尺码 / 颜色不合适",
            "Size or colour does not fit",
        ),
        reason(
            "no_reason",
            "preference",
            "七天无理由",
            "No reason (7-day return)",
        ),
        reason(
            "late_delivery",
            "logistics",
            "物流太慢 / 未收到",
            "Late or missing delivery",
        ),
        reason(
            "service_attitude",
            "service",
            "服务态度",
            "Service attitude",
        ),
        reason(
            "price",
            "price",
            "价格 / 优惠问题",
            "Price or discount problem",
        ),
        reason("review", "review", "中差评", "Medium or negative review"),
        reason("other", "other", "其他", "Other"),
    ]
}
