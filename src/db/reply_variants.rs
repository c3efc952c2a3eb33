//! The shop's reply templates as its agents send them: one row per template, kind, reason and
//! text, counted each time it is sent.

use sha2::{Digest, Sha256};
use sqlx::AnyPool;

use crate::domain::identifiers::ShopId;
use crate::domain::replies::Variant;

/// Counts a reply sent from `template` on a case of `kind` and `reason` (its text with the
/// case's values as placeholders).
pub async fn sent(
    pool: &AnyPool,
    shop_id: &ShopId,
    (template, kind, reason): (&str, &str, &str),
    body: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let hash = hex::encode(Sha256::digest(body.as_bytes()));
    sqlx::query(
        "INSERT INTO reply_variants (shop_id, template, kind, reason_code, body_hash, body, uses, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7) \
         ON CONFLICT (shop_id, template, kind, reason_code, body_hash) \
         DO UPDATE SET uses = reply_variants.uses + 1, last_used_at = $7",
    )
    .bind(shop_id)
    .bind(template)
    .bind(kind)
    .bind(reason)
    .bind(hash)
    .bind(body)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    template: String,
    kind: String,
    reason_code: String,
    body: String,
    uses: i64,
    last_used_at: i64,
}

/// The variants sent for cases of `kind`, the most sent first (at most 200).
pub async fn of_kind(
    pool: &AnyPool,
    shop_id: &ShopId,
    kind: &str,
) -> Result<Vec<Variant>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT template, kind, reason_code, body, uses, last_used_at FROM reply_variants \
         WHERE shop_id = $1 AND kind = $2 ORDER BY uses DESC, last_used_at DESC LIMIT 200",
    )
    .bind(shop_id)
    .bind(kind)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Variant {
            template: row.template,
            kind: row.kind,
            reason: row.reason_code,
            body: row.body,
            uses: row.uses,
            last_used_at: row.last_used_at,
        })
        .collect())
}
