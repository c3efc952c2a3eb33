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
    /// Given at once by staff: accepted as soon as a supervisor approves it.
    #[sqlx(try_from = "super::columns::Flag")]
    pub direct: bool,
    /// The supervisor who approved compensation above the shop's caps.
    pub approved_by: Option<String>,
    /// A coupon's last day (YYYY-MM-DD).
    pub valid_until: Option<String>,
}

const COLUMNS: &str = "id, case_id, kind, amount_minor, currency, note, state, created_by, created_at, answered_at, refund_id, detail, \
    direct, approved_by, valid_until";

/// States in which an offer still counts: made (or waiting for approval) or taken.
const STANDING: &str = "('open', 'pending_approval', 'accepted')";

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
    /// open, or pending_approval (above the shop's caps).
    pub state: &'a str,
    pub direct: bool,
    pub valid_until: Option<&'a str>,
}

pub async fn insert(
    transaction: &mut Transaction,
    offer: &NewOffer<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO offers (id, shop_id, case_id, kind, amount_minor, currency, note, state, created_by, created_at, detail, \
         direct, valid_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $11, $8, $9, $10, $12, $13)",
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
    .bind(offer.state)
    .bind(i64::from(offer.direct))
    .bind(offer.valid_until)
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

/// The case's offer waiting for a supervisor, if any.
pub async fn pending_in(
    transaction: &mut Transaction,
    case_id: &str,
) -> Result<Option<OfferRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM offers WHERE case_id = $1 AND state = 'pending_approval'"
    )))
    .bind(case_id)
    .fetch_optional(&mut **transaction)
    .await
}

/// What the case's standing offers give (open, waiting or accepted), in its currency.
pub async fn given_on_case(
    transaction: &mut Transaction,
    case_id: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM offers WHERE case_id = $1 AND state IN {STANDING}"
    )))
    .bind(case_id)
    .fetch_one(&mut **transaction)
    .await
}

/// What a staff member's standing offers in `currency` give since `since`.
pub async fn given_by(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    staff_id: &str,
    currency: &str,
    since: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM offers WHERE shop_id = $1 AND created_by = $2 \
         AND currency = $3 AND created_at >= $4 AND state IN {STANDING}"
    )))
    .bind(shop_id)
    .bind(staff_id)
    .bind(currency)
    .bind(since)
    .fetch_one(&mut **transaction)
    .await
}

/// A supervisor's answer to an offer waiting for approval: `open` (or `refused`); false when
/// it no longer waited.
pub async fn approve(
    transaction: &mut Transaction,
    id: &str,
    state: &str,
    approved_by: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE offers SET state = $1, approved_by = $2, answered_at = CASE WHEN $1 = 'refused' THEN $3 ELSE answered_at END \
         WHERE id = $4 AND state = 'pending_approval'",
    )
    .bind(state)
    .bind(approved_by)
    .bind(now)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
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
