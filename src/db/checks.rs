//! The SOP checklist steps done on a case.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::Transaction;

/// A step done: its code, who did it, when.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckRecord {
    pub step_code: String,
    pub done_by: Option<String>,
    pub done_at: i64,
}

const SELECT: &str =
    "SELECT step_code, done_by, done_at FROM case_checks WHERE case_id = $1 ORDER BY done_at";

pub async fn of_case(pool: &AnyPool, case_id: &str) -> Result<Vec<CheckRecord>, sqlx::Error> {
    sqlx::query_as(SELECT).bind(case_id).fetch_all(pool).await
}

/// The codes done, read inside a transaction that holds the case.
pub async fn done_codes(
    transaction: &mut Transaction,
    case_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(SELECT)
        .bind(case_id)
        .fetch_all(&mut **transaction)
        .await
}

/// Marks a step done (or not); true when something changed.
pub async fn set(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    case_id: &str,
    step_code: &str,
    done: Option<(Option<&str>, i64)>,
) -> Result<bool, sqlx::Error> {
    let changed = match done {
        Some((done_by, at)) => sqlx::query(
            "INSERT INTO case_checks (case_id, step_code, shop_id, done_by, done_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (case_id, step_code) DO NOTHING",
        )
        .bind(case_id)
        .bind(step_code)
        .bind(shop_id)
        .bind(done_by)
        .bind(at)
        .execute(&mut **transaction)
        .await?
        .rows_affected(),
        None => sqlx::query("DELETE FROM case_checks WHERE case_id = $1 AND step_code = $2")
            .bind(case_id)
            .bind(step_code)
            .execute(&mut **transaction)
            .await?
            .rows_affected(),
    };
    Ok(changed > 0)
}

/// The category of a shop's reason code.
pub async fn category_of(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    reason_code: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT category FROM reasons WHERE shop_id = $1 AND code = $2")
        .bind(shop_id)
        .bind(reason_code)
        .fetch_optional(&mut **transaction)
        .await
}
