//! Reviews: each platform review once per shop, its revisions, the case it opened, what the
//! agent recorded and the explanation reply.

use sqlx::AnyPool;

use super::new_id;
use crate::domain::identifiers::ShopId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRecord {
    pub id: String,
    pub platform: String,
    pub review_key: String,
    pub external_id: Option<String>,
    pub order_number: Option<String>,
    pub order_id: Option<String>,
    pub customer_id: Option<String>,
    pub product: String,
    pub product_title: Option<String>,
    pub reviewer: Option<String>,
    pub email: Option<String>,
    pub rating: Option<i64>,
    pub grade: String,
    pub first_rating: Option<i64>,
    pub first_grade: String,
    pub title: Option<String>,
    pub text: String,
    pub reply: Option<String>,
    pub reviewed_at: i64,
    pub revised_at: Option<i64>,
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    pub outcome: Option<String>,
    pub outcome_at: Option<i64>,
    pub explanation: Option<String>,
    pub explained_by: Option<String>,
    pub explained_at: Option<i64>,
    pub posted_at: Option<i64>,
    pub created_at: i64,
}

const SELECT: &str = "SELECT r.id, r.platform, r.review_key, r.external_id, r.order_number, r.order_id, r.customer_id, \
     r.product, r.product_title, r.reviewer, r.email, r.rating, r.grade, r.first_rating, r.first_grade, r.title, r.text, \
     r.reply, r.reviewed_at, r.revised_at, r.case_id, c.number AS case_number, r.outcome, r.outcome_at, r.explanation, \
     r.explained_by, r.explained_at, r.posted_at, r.created_at \
     FROM reviews r LEFT JOIN cases c ON c.id = r.case_id";

pub struct NewReview<'a> {
    pub shop_id: &'a ShopId,
    pub platform: &'a str,
    pub review_key: &'a str,
    pub external_id: Option<&'a str>,
    pub order_number: Option<&'a str>,
    pub order_id: Option<&'a str>,
    pub customer_id: Option<&'a str>,
    pub product: &'a str,
    pub product_title: Option<&'a str>,
    pub reviewer: Option<&'a str>,
    pub email: Option<&'a str>,
    pub rating: Option<i64>,
    pub grade: &'a str,
    pub title: Option<&'a str>,
    pub text: &'a str,
    pub reply: Option<&'a str>,
    pub reviewed_at: i64,
    pub now: i64,
}

/// Stores a new review; `None` when another import stored the same one first.
pub async fn insert(pool: &AnyPool, review: &NewReview<'_>) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let done = sqlx::query(
        "INSERT INTO reviews (id, shop_id, platform, review_key, external_id, order_number, order_id, customer_id, product, \
         product_title, reviewer, email, rating, grade, first_rating, first_grade, title, text, reply, reviewed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $14, $15, $16, $17, $18, $19, $19) \
         ON CONFLICT (shop_id, platform, review_key) DO NOTHING",
    )
    .bind(&id)
    .bind(review.shop_id)
    .bind(review.platform)
    .bind(review.review_key)
    .bind(review.external_id)
    .bind(review.order_number)
    .bind(review.order_id)
    .bind(review.customer_id)
    .bind(review.product)
    .bind(review.product_title)
    .bind(review.reviewer)
    .bind(review.email)
    .bind(review.rating)
    .bind(review.grade)
    .bind(review.title)
    .bind(review.text)
    .bind(review.reply)
    .bind(review.reviewed_at)
    .bind(review.now)
    .execute(pool)
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

pub async fn by_key(
    pool: &AnyPool,
    shop_id: &ShopId,
    platform: &str,
    key: &str,
) -> Result<Option<ReviewRecord>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE r.shop_id = $1 AND r.platform = $2 AND r.review_key = $3");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(platform)
        .bind(key)
        .fetch_optional(pool)
        .await
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<ReviewRecord>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE r.shop_id = $1 AND r.id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The review a case was opened for.
pub async fn of_case(
    pool: &AnyPool,
    shop_id: &ShopId,
    case_id: &str,
) -> Result<Option<ReviewRecord>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE r.shop_id = $1 AND r.case_id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(case_id)
        .fetch_optional(pool)
        .await
}

pub struct Revision<'a> {
    pub rating: Option<i64>,
    pub grade: &'a str,
    pub title: Option<&'a str>,
    pub text: &'a str,
    pub now: i64,
}

/// The buyer changed the review: its current grade, rating and text (the first ones stay).
pub async fn revise(
    transaction: &mut super::Transaction,
    id: &str,
    revision: &Revision<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE reviews SET rating = $1, grade = $2, title = $3, text = $4, revised_at = $5, updated_at = $5 WHERE id = $6",
    )
    .bind(revision.rating)
    .bind(revision.grade)
    .bind(revision.title)
    .bind(revision.text)
    .bind(revision.now)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Links the review to its order (found later) and the case it opened.
pub async fn link(
    pool: &AnyPool,
    id: &str,
    order: (&str, &str, Option<&str>),
    case_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (order_id, order_number, customer_id) = order;
    sqlx::query(
        "UPDATE reviews SET order_id = $1, order_number = $2, customer_id = COALESCE(customer_id, $3), case_id = $4, updated_at = $5 \
         WHERE id = $6 AND case_id IS NULL",
    )
    .bind(order_id)
    .bind(order_number)
    .bind(customer_id)
    .bind(case_id)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn record_outcome(
    transaction: &mut super::Transaction,
    id: &str,
    outcome: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE reviews SET outcome = $1, outcome_at = $2, updated_at = $2 WHERE id = $3")
        .bind(outcome)
        .bind(now)
        .bind(id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Stores the explanation reply (a new one replaces a draft not yet posted; a posted one is
/// kept: `false`).
pub async fn explain(
    transaction: &mut super::Transaction,
    id: &str,
    text: &str,
    by: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE reviews SET explanation = $1, explained_by = $2, explained_at = $3, updated_at = $3 WHERE id = $4 AND posted_at IS NULL",
    )
    .bind(text)
    .bind(by)
    .bind(now)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The explanation was posted on the platform (once).
pub async fn mark_posted(
    transaction: &mut super::Transaction,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE reviews SET posted_at = $1, updated_at = $1 WHERE id = $2 AND explanation IS NOT NULL AND posted_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a list is narrowed to.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub grade: Option<String>,
    pub platform: Option<String>,
    pub product: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Only explanations written and not yet posted.
    pub to_post: bool,
    /// Only reviews whose order was not found (no case could open).
    pub unmatched: bool,
}

/// The shop's reviews, newest first, after the cursor `(reviewed_at, id)`.
pub async fn list(
    pool: &AnyPool,
    shop_id: &ShopId,
    filter: &Filter,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<ReviewRecord>, sqlx::Error> {
    let mut sql = format!("{SELECT} WHERE r.shop_id = $1");
    let mut index = 1;
    let mut placeholder = || {
        index += 1;
        format!("${index}")
    };
    for (given, column, operator) in [
        (filter.grade.is_some(), "r.grade", "="),
        (filter.platform.is_some(), "r.platform", "="),
        (filter.product.is_some(), "r.product", "="),
        (filter.from.is_some(), "r.reviewed_at", ">="),
        (filter.to.is_some(), "r.reviewed_at", "<"),
    ] {
        if given {
            sql.push_str(&format!(" AND {column} {operator} {}", placeholder()));
        }
    }
    if after.is_some() {
        let (at, id) = (placeholder(), placeholder());
        sql.push_str(&format!(
            " AND (r.reviewed_at < {at} OR (r.reviewed_at = {at} AND r.id < {id}))"
        ));
    }
    if filter.to_post {
        sql.push_str(" AND r.explanation IS NOT NULL AND r.posted_at IS NULL");
    }
    if filter.unmatched {
        sql.push_str(" AND r.case_id IS NULL AND r.order_id IS NULL");
    }
    sql.push_str(&format!(
        " ORDER BY r.reviewed_at DESC, r.id DESC LIMIT {limit}"
    ));
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(shop_id);
    for value in [&filter.grade, &filter.platform, &filter.product]
        .into_iter()
        .flatten()
    {
        query = query.bind(value);
    }
    for value in [filter.from, filter.to].into_iter().flatten() {
        query = query.bind(value);
    }
    if let Some((at, id)) = after {
        query = query.bind(at).bind(id);
    }
    query.fetch_all(pool).await
}

/// One review as the statistics count it.
#[derive(Debug, sqlx::FromRow)]
pub struct Counted {
    pub product: String,
    pub product_title: Option<String>,
    pub reviewed_at: i64,
    pub rating: Option<i64>,
    pub grade: String,
    pub first_grade: String,
    pub outcome: Option<String>,
}

/// The reviews of `[from, to)`, for the statistics.
pub async fn counted(
    pool: &AnyPool,
    shop_id: &ShopId,
    from: i64,
    to: i64,
) -> Result<Vec<Counted>, sqlx::Error> {
    sqlx::query_as(
        "SELECT product, product_title, reviewed_at, rating, grade, first_grade, outcome FROM reviews \
         WHERE shop_id = $1 AND reviewed_at >= $2 AND reviewed_at < $3 ORDER BY reviewed_at",
    )
    .bind(shop_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

/// The order number of the customer's (by e-mail) latest order, one with a line of `sku` first.
pub async fn order_of_email(
    pool: &AnyPool,
    shop_id: &ShopId,
    email: &str,
    sku: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT o.order_number FROM orders o JOIN customers c ON c.id = o.customer_id \
         WHERE o.shop_id = $1 AND c.shop_id = $1 AND LOWER(c.email) = LOWER($2) \
         ORDER BY CASE WHEN EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.sku = $3) THEN 0 ELSE 1 END, \
         o.placed_at DESC LIMIT 1",
    )
    .bind(shop_id)
    .bind(email)
    .bind(sku)
    .fetch_optional(pool)
    .await
}
