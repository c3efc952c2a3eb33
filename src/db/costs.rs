//! The cost ledger: entries appended per case, never updated or deleted.

use sqlx::AnyPool;

use super::{Transaction, new_id};
use crate::domain::costs::{CostKind, Payer};
use crate::domain::identifiers::ShopId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CostRecord {
    pub id: String,
    pub case_id: String,
    #[sqlx(try_from = "String")]
    pub kind: CostKind,
    #[sqlx(try_from = "String")]
    pub payer: Payer,
    pub amount_minor: i64,
    pub currency: String,
    pub sku: Option<String>,
    /// What made an automatic entry (`action:…`, `offer:…`, `dispute:…`); none when typed.
    pub source: Option<String>,
    pub note: Option<String>,
    /// The entry this one corrects.
    pub corrects: Option<String>,
    pub actor_id: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, case_id, kind, payer, amount_minor, currency, sku, source, note, corrects, actor_id, created_at";

pub struct NewCost<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub kind: CostKind,
    pub payer: Payer,
    pub amount_minor: i64,
    pub currency: &'a str,
    /// The month it is booked in, in the shop's zone (YYYY-MM).
    pub month: &'a str,
    pub source: Option<&'a str>,
    pub note: Option<&'a str>,
    pub corrects: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub now: i64,
}

/// Appends an entry; one with a source already booked is not booked again (None). The product
/// is `sku` when the case has a line of it, else the case's first line (with its category).
pub async fn append(
    transaction: &mut Transaction,
    cost: &NewCost<'_>,
    sku: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let product: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT l.sku, l.category FROM case_lines cl JOIN order_lines l ON l.id = cl.order_line_id \
         WHERE cl.case_id = $1 ORDER BY CASE WHEN l.sku = $2 THEN 0 ELSE 1 END, l.line_number LIMIT 1",
    )
    .bind(cost.case_id)
    .bind(sku)
    .fetch_optional(&mut **transaction)
    .await?;
    let (product_sku, category) = match (sku, product) {
        (Some(sku), Some((found, category))) if found == sku => (Some(found), category),
        (Some(sku), _) => (Some(sku.to_string()), None),
        (None, Some((found, category))) => (Some(found), category),
        (None, None) => (None, None),
    };
    let done = sqlx::query(
        "INSERT INTO costs (id, shop_id, case_id, kind, payer, amount_minor, currency, shop_cost_minor, month, sku, product_sku, product_category, \
         source, note, corrects, actor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT (shop_id, source) DO NOTHING",
    )
    .bind(&id)
    .bind(cost.shop_id)
    .bind(cost.case_id)
    .bind(cost.kind.as_str())
    .bind(cost.payer.as_str())
    .bind(cost.amount_minor)
    .bind(cost.currency)
    .bind(crate::domain::costs::shop_cost(
        cost.kind,
        cost.payer,
        cost.amount_minor,
    ))
    .bind(cost.month)
    .bind(sku)
    .bind(product_sku)
    .bind(category)
    .bind(cost.source)
    .bind(cost.note)
    .bind(cost.corrects)
    .bind(cost.actor_id)
    .bind(cost.now)
    .execute(&mut **transaction)
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

/// A case's entries, oldest first.
pub async fn of_case(pool: &AnyPool, case_id: &str) -> Result<Vec<CostRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM costs WHERE case_id = $1 ORDER BY created_at, id"
    )))
    .bind(case_id)
    .fetch_all(pool)
    .await
}

/// One entry of a case, read in the transaction that corrects it.
pub async fn get_in(
    transaction: &mut Transaction,
    case_id: &str,
    id: &str,
) -> Result<Option<CostRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM costs WHERE case_id = $1 AND id = $2"
    )))
    .bind(case_id)
    .bind(id)
    .fetch_optional(&mut **transaction)
    .await
}

/// What each of a case's lines cost the shop per unit and how many units the case has, for
/// a disposition of the goods that came back.
pub async fn goods_of_case(
    transaction: &mut Transaction,
    case_id: &str,
) -> Result<Vec<(String, Option<i64>, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.sku, l.cost_minor, cl.quantity FROM case_lines cl JOIN order_lines l ON l.id = cl.order_line_id \
         WHERE cl.case_id = $1 ORDER BY l.line_number",
    )
    .bind(case_id)
    .fetch_all(&mut **transaction)
    .await
}

/// The policy's word on who pays the return freight (`seller`/`buyer`), read from the
/// decision stored with the case.
pub async fn return_freight_party(
    transaction: &mut Transaction,
    case_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let stored: Option<Option<String>> =
        sqlx::query_scalar("SELECT policy_decision FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(&mut **transaction)
            .await?;
    Ok(stored
        .flatten()
        .and_then(|stored| super::packed::unpack(&stored))
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|decision| decision["freight"]["return"].as_str().map(str::to_string)))
}
