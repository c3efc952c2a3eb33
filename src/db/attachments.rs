//! Photos and videos attached to cases; the bytes are stored with the row.

use crate::domain::identifiers::ShopId;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

use super::{Transaction, new_id};

pub struct NewAttachment<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub kind: &'a str,
    pub content_type: &'a str,
    pub file_name: &'a str,
    pub content: &'a [u8],
    pub author_role: &'a str,
    pub author_id: Option<&'a str>,
    /// customer or internal
    pub visibility: &'a str,
    pub now: i64,
}

/// An attachment without its bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRecord {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub content_type: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub author_role: String,
    pub created_at: i64,
    /// customer (the customer sees it) or internal (staff only)
    pub visibility: String,
}

const COLUMNS: &str = "id, case_id, kind, content_type, file_name, size_bytes, sha256, author_role, created_at, visibility";

pub async fn insert(
    transaction: &mut Transaction,
    attachment: &NewAttachment<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO attachments (id, shop_id, case_id, kind, content_type, file_name, size_bytes, sha256, content, author_role, author_id, created_at, visibility) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(attachment.shop_id)
    .bind(attachment.case_id)
    .bind(attachment.kind)
    .bind(attachment.content_type)
    .bind(attachment.file_name)
    .bind(i64::try_from(attachment.content.len()).unwrap_or(i64::MAX))
    .bind(hex::encode(Sha256::digest(attachment.content)))
    .bind(attachment.content.to_vec())
    .bind(attachment.author_role)
    .bind(attachment.author_id)
    .bind(attachment.now)
    .bind(attachment.visibility)
    .execute(&mut **transaction)
    .await?;
    Ok(id)
}

/// A case's attachments, oldest first.
pub async fn for_case(pool: &AnyPool, case_id: &str) -> Result<Vec<AttachmentRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM attachments WHERE case_id = $1 ORDER BY created_at, id"
    )))
    .bind(case_id)
    .fetch_all(pool)
    .await
}

/// How many files a case already has.
pub async fn count_for_case(pool: &AnyPool, case_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE case_id = $1")
        .bind(case_id)
        .fetch_one(pool)
        .await
}

/// One attachment of a case with its bytes.
pub async fn content(
    pool: &AnyPool,
    case_id: &str,
    id: &str,
) -> Result<Option<(AttachmentRecord, Vec<u8>)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct WithContent {
        #[sqlx(flatten)]
        record: AttachmentRecord,
        content: Vec<u8>,
    }
    let found: Option<WithContent> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, content FROM attachments WHERE case_id = $1 AND id = $2"
    )))
    .bind(case_id)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(|found| (found.record, found.content)))
}
