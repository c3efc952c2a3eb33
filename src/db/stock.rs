//! Stock per SKU and the exchanges' replacements that hold some of it. A SKU without a row is
//! not tracked: nothing is held or taken for it.

use sqlx::AnyPool;

use super::Transaction;
use crate::domain::identifiers::ShopId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StockRecord {
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub updated_at: i64,
}

/// Sets what is on hand (what is held stays held).
pub async fn set(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    sku: &str,
    on_hand: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stock (shop_id, sku, on_hand, reserved, updated_at) VALUES ($1, $2, $3, 0, $4) \
         ON CONFLICT (shop_id, sku) DO UPDATE SET on_hand = $3, updated_at = $4",
    )
    .bind(shop_id)
    .bind(sku)
    .bind(on_hand)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    sku: &str,
) -> Result<Option<StockRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT sku, on_hand, reserved, updated_at FROM stock WHERE shop_id = $1 AND sku = $2",
    )
    .bind(shop_id)
    .bind(sku)
    .fetch_optional(pool)
    .await
}

/// What holding `quantity` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    Held,
    /// Not enough free: on hand less what is held.
    Short,
    /// The SKU is not tracked.
    Untracked,
}

/// Holds `quantity` if that many are free, in one statement (two exchanges never hold the same
/// last unit).
pub async fn hold(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    sku: &str,
    quantity: i64,
    now: i64,
) -> Result<Hold, sqlx::Error> {
    let held = sqlx::query(
        "UPDATE stock SET reserved = reserved + $1, updated_at = $2 \
         WHERE shop_id = $3 AND sku = $4 AND on_hand - reserved >= $1",
    )
    .bind(quantity)
    .bind(now)
    .bind(shop_id)
    .bind(sku)
    .execute(&mut **transaction)
    .await?;
    if held.rows_affected() == 1 {
        return Ok(Hold::Held);
    }
    let tracked: Option<i64> =
        sqlx::query_scalar("SELECT on_hand FROM stock WHERE shop_id = $1 AND sku = $2")
            .bind(shop_id)
            .bind(sku)
            .fetch_optional(&mut **transaction)
            .await?;
    Ok(if tracked.is_some() {
        Hold::Short
    } else {
        Hold::Untracked
    })
}

/// Lets go of `quantity` held; `taken` also takes it off what is on hand (it was sent).
pub async fn release(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    sku: &str,
    quantity: i64,
    taken: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE stock SET reserved = CASE WHEN reserved > $1 THEN reserved - $1 ELSE 0 END, \
         on_hand = on_hand - $2, updated_at = $3 WHERE shop_id = $4 AND sku = $5",
    )
    .bind(quantity)
    .bind(if taken { quantity } else { 0 })
    .bind(now)
    .bind(shop_id)
    .bind(sku)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReplacementRecord {
    pub case_id: String,
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub currency: String,
    pub difference_minor: i64,
    pub reserved: i64,
    pub settled: Option<String>,
    pub settled_reference: Option<String>,
    pub updated_at: i64,
}

const REPLACEMENT: &str = "SELECT case_id, sku, product_name, quantity, unit_price_minor, currency, \
    difference_minor, reserved, settled, settled_reference, updated_at FROM replacements WHERE case_id = $1";

pub async fn replacement(
    pool: &AnyPool,
    case_id: &str,
) -> Result<Option<ReplacementRecord>, sqlx::Error> {
    sqlx::query_as(REPLACEMENT)
        .bind(case_id)
        .fetch_optional(pool)
        .await
}

pub async fn replacement_in(
    transaction: &mut Transaction,
    case_id: &str,
) -> Result<Option<ReplacementRecord>, sqlx::Error> {
    sqlx::query_as(REPLACEMENT)
        .bind(case_id)
        .fetch_optional(&mut **transaction)
        .await
}

pub struct NewReplacement<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub sku: &'a str,
    pub product_name: &'a str,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub currency: &'a str,
    pub difference_minor: i64,
    pub now: i64,
}

/// Chooses (or changes) the replacement; what was held for an earlier choice is let go by the
/// caller first.
pub async fn choose(
    transaction: &mut Transaction,
    replacement: &NewReplacement<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO replacements (case_id, shop_id, sku, product_name, quantity, unit_price_minor, currency, \
         difference_minor, reserved, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9) \
         ON CONFLICT (case_id) DO UPDATE SET sku = $3, product_name = $4, quantity = $5, \
         unit_price_minor = $6, currency = $7, difference_minor = $8, reserved = 0, settled = NULL, \
         settled_reference = NULL, updated_at = $9",
    )
    .bind(replacement.case_id)
    .bind(replacement.shop_id)
    .bind(replacement.sku)
    .bind(replacement.product_name)
    .bind(replacement.quantity)
    .bind(replacement.unit_price_minor)
    .bind(replacement.currency)
    .bind(replacement.difference_minor)
    .bind(replacement.now)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Marks the replacement's stock held (1) or not (0).
pub async fn mark_reserved(
    transaction: &mut Transaction,
    case_id: &str,
    reserved: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE replacements SET reserved = $1, updated_at = $2 WHERE case_id = $3")
        .bind(i64::from(reserved))
        .bind(now)
        .bind(case_id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Records the difference settled (paid, refunded or waived), once.
pub async fn settle(
    transaction: &mut Transaction,
    case_id: &str,
    how: &str,
    reference: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE replacements SET settled = $1, settled_reference = $2, updated_at = $3 \
         WHERE case_id = $4 AND settled IS NULL",
    )
    .bind(how)
    .bind(reference)
    .bind(now)
    .bind(case_id)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}
