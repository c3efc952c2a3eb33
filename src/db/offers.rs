//! Offers the shop makes the customer on a case (e.g. a partial refund to keep the goods).

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::{Transaction, new_id};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfferRecord {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    pub note: Option<String>,
    /// open, accepted, declined, withdrawn
    pub state: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    pub refund_id: Option<String>,
    /// A coupon's code, the points given, a gift's description.
    pub detail: Option<String>,
}

const COLUMNS: &str = "id, case_id, kind, amount_minor, currency, note, state, created_by, created_at, answered_at, refund_id, detail";

pub struct NewOffer<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub kind: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub note: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub created_by: Option<&'a str>,
    pub now: i64,
}

pub async fn insert(
    transaction: &mut Transaction,
    offer: &NewOffer<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO offers (id, shop_id, case_id, kind, amount_minor, currency, note, state, created_by, created_at, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10)",
    )
    .bind(&id)
    .bind(offer.shop_id)
    .bind(offer.case_id)
    .bind(offer.kind)
    .bind(offer.amount_minor)
    .bind(offer.currency)
    .bind(offer.note)
    .bind(offer.created_by)
    .bind(offer.now)
    .bind(offer.detail)
    .execute(&mut **transaction)
    .await?;
    Ok(id)
}

/// A case's offers, newest first.
pub async fn for_case(pool: &AnyPool, case_id: &str) -> Result<Vec<OfferRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM offers WHERE case_id = $1 ORDER BY created_at DESC, id DESC"
    )))
    .bind(case_id)
    .fetch_all(pool)
    .await
}

/// The case's open offer, read inside a transaction that holds the case's lock.
pub async fn open_in(
    transaction: &mut Transaction,
    case_id: &str,
) -> Result<Option<OfferRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM offers WHERE case_id = $1 AND state = 'open'"
    )))
    .bind(case_id)
    .fetch_optional(&mut **transaction)
    .await
}

/// Ends an open offer; false if it was no longer open.
pub async fn answer(
    transaction: &mut Transaction,
    id: &str,
    state: &str,
    refund_id: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE offers SET state = $1, refund_id = $2, answered_at = $3 WHERE id = $4 AND state = 'open'",
    )
    .bind(state)
    .bind(refund_id)
    .bind(now)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}
