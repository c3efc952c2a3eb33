//! The knowledge base's articles: stored with the words they are found by, counted as they are
//! read, found useful or not, and as they answer a question; a generation per shop that every
//! change raises, and each instance's search index, rebuilt when the generation moved.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::AnyPool;

use super::{Transaction, new_id};
use crate::domain::identifiers::ShopId;
use crate::domain::knowledge::index::{Index, Terms};
use crate::domain::knowledge::{ArticleInput, ArticleStatus};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArticleRecord {
    pub id: String,
    pub slug: String,
    pub category: String,
    #[sqlx(try_from = "super::columns::JsonText<Vec<String>>")]
    pub tags: Vec<String>,
    #[sqlx(try_from = "super::columns::JsonText<Vec<String>>")]
    pub products: Vec<String>,
    pub status: String,
    pub title_zh: String,
    pub body_zh: String,
    pub title_en: String,
    pub body_en: String,
    pub views: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    pub deflections: i64,
    pub inserted: i64,
    pub version: i64,
    pub reviewed_at: Option<i64>,
    pub reviewed_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ArticleRecord {
    pub fn input(&self) -> ArticleInput {
        ArticleInput {
            slug: self.slug.clone(),
            category: self.category.clone(),
            tags: self.tags.clone(),
            products: self.products.clone(),
            status: ArticleStatus::parse(&self.status).unwrap_or_default(),
            title_zh: self.title_zh.clone(),
            body_zh: self.body_zh.clone(),
            title_en: self.title_en.clone(),
            body_en: self.body_en.clone(),
            version: None,
        }
    }
}

const COLUMNS: &str = "id, slug, category, tags, products, status, title_zh, body_zh, title_en, body_en, \
     views, helpful, not_helpful, deflections, inserted, version, reviewed_at, reviewed_by, created_at, updated_at";

fn list_text(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn terms_text(article: &ArticleInput) -> String {
    serde_json::to_string(&article.terms()).unwrap_or_else(|_| "{}".into())
}

type Statement<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// The article's columns, bound in this order: slug, category, tags, products, status, the
/// Chinese title and text, the English ones, the words it is found by.
fn with_article<'q>(statement: Statement<'q>, article: &ArticleInput) -> Statement<'q> {
    statement
        .bind(article.slug.clone())
        .bind(article.category.clone())
        .bind(list_text(&article.tags))
        .bind(list_text(&article.products))
        .bind(article.status.as_str())
        .bind(article.title_zh.clone())
        .bind(article.body_zh.clone())
        .bind(article.title_en.clone())
        .bind(article.body_en.clone())
        .bind(terms_text(article))
}

/// Raises the shop's generation: every instance rebuilds its index at its next search.
async fn changed(transaction: &mut Transaction, shop_id: &ShopId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO knowledge_generations (shop_id, generation) VALUES ($1, 1) \
         ON CONFLICT (shop_id) DO UPDATE SET generation = knowledge_generations.generation + 1",
    )
    .bind(shop_id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Stores a new article (a slug the shop has already fails as a unique violation).
pub async fn insert(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    article: &ArticleInput,
    by: Option<&str>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let insert = sqlx::query(
        "INSERT INTO articles (id, shop_id, slug, category, tags, products, status, title_zh, body_zh, title_en, body_en, \
         terms, version, reviewed_at, reviewed_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $13, $13)",
    )
    .bind(&id)
    .bind(shop_id);
    with_article(insert, article)
        .bind(now)
        .bind(by)
        .execute(&mut **transaction)
        .await?;
    changed(transaction, shop_id).await?;
    Ok(id)
}

/// Replaces an article at `version` (saving it counts as reviewing it); false when it changed
/// meanwhile.
pub async fn update(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    (id, version): (&str, i64),
    article: &ArticleInput,
    by: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let update = sqlx::query(
        "UPDATE articles SET slug = $1, category = $2, tags = $3, products = $4, status = $5, title_zh = $6, \
         body_zh = $7, title_en = $8, body_en = $9, terms = $10, version = version + 1, reviewed_at = $11, \
         reviewed_by = $12, updated_at = $11 WHERE shop_id = $13 AND id = $14 AND version = $15",
    );
    let done = with_article(update, article)
        .bind(now)
        .bind(by)
        .bind(shop_id)
        .bind(id)
        .bind(version)
        .execute(&mut **transaction)
        .await?;
    if done.rows_affected() == 1 {
        changed(transaction, shop_id).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// Records that someone checked the article is still true, without changing it.
pub async fn reviewed(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
    by: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE articles SET reviewed_at = $1, reviewed_by = $2 WHERE shop_id = $3 AND id = $4",
    )
    .bind(now)
    .bind(by)
    .bind(shop_id)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<ArticleRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM articles WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn by_slug(
    pool: &AnyPool,
    shop_id: &ShopId,
    slug: &str,
) -> Result<Option<ArticleRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM articles WHERE shop_id = $1 AND slug = $2"
    )))
    .bind(shop_id)
    .bind(slug)
    .fetch_optional(pool)
    .await
}

/// The shop's articles, the last changed first; only those in `status` when given.
pub async fn list(
    pool: &AnyPool,
    shop_id: &ShopId,
    status: Option<ArticleStatus>,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<ArticleRecord>, sqlx::Error> {
    let mut sql = format!("SELECT {COLUMNS} FROM articles WHERE shop_id = $1");
    let mut index = 1;
    if status.is_some() {
        index += 1;
        sql.push_str(&format!(" AND status = ${index}"));
    }
    if after.is_some() {
        let (at, id) = (index + 1, index + 2);
        sql.push_str(&format!(
            " AND (updated_at < ${at} OR (updated_at = ${at} AND id < ${id}))"
        ));
    }
    sql.push_str(&format!(" ORDER BY updated_at DESC, id DESC LIMIT {limit}"));
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(shop_id);
    if let Some(status) = status {
        query = query.bind(status.as_str());
    }
    if let Some((at, id)) = after {
        query = query.bind(at).bind(id);
    }
    query.fetch_all(pool).await
}

/// A counter an article carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Views,
    Helpful,
    NotHelpful,
    Deflections,
    Inserted,
}

impl Counter {
    fn column(self) -> &'static str {
        match self {
            Counter::Views => "views",
            Counter::Helpful => "helpful",
            Counter::NotHelpful => "not_helpful",
            Counter::Deflections => "deflections",
            Counter::Inserted => "inserted",
        }
    }
}

/// Adds one to a published article's counter; false when there is no such article.
pub async fn count(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
    counter: Counter,
) -> Result<bool, sqlx::Error> {
    let column = counter.column();
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE articles SET {column} = {column} + 1 WHERE shop_id = $1 AND id = $2 AND status = 'published'"
    )))
    .bind(shop_id)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A question that found no article: counted per shop and (normalised) question.
pub async fn missed(
    pool: &AnyPool,
    shop_id: &ShopId,
    question: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO knowledge_misses (shop_id, question, times, last_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (shop_id, question) DO UPDATE SET times = knowledge_misses.times + 1, last_at = $3",
    )
    .bind(shop_id)
    .bind(question)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Miss {
    pub question: String,
    pub times: i64,
    pub last_at: i64,
}

/// The questions that found nothing, the most asked first.
pub async fn misses(
    pool: &AnyPool,
    shop_id: &ShopId,
    limit: i64,
) -> Result<Vec<Miss>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT question, times, last_at FROM knowledge_misses WHERE shop_id = $1 \
         ORDER BY times DESC, last_at DESC LIMIT {limit}"
    )))
    .bind(shop_id)
    .fetch_all(pool)
    .await
}

/// What a search result shows of an article.
#[derive(Debug, Clone)]
pub struct Card {
    pub id: String,
    pub slug: String,
    pub category: String,
    pub products: Vec<String>,
    pub title_zh: String,
    pub title_en: String,
    pub summary_zh: String,
    pub summary_en: String,
}

#[derive(sqlx::FromRow)]
struct Published {
    id: String,
    slug: String,
    category: String,
    #[sqlx(try_from = "super::columns::JsonText<Vec<String>>")]
    products: Vec<String>,
    title_zh: String,
    body_zh: String,
    title_en: String,
    body_en: String,
    #[sqlx(try_from = "super::columns::JsonText<Terms>")]
    terms: Terms,
}

/// One shop's search index as of a generation, with its articles' cards.
pub struct Loaded {
    pub generation: i64,
    pub index: Index,
    pub cards: HashMap<String, Card>,
}

/// Each shop's index on this instance.
#[derive(Default, Clone)]
pub struct Indexes {
    entries: Arc<Mutex<HashMap<ShopId, Arc<Loaded>>>>,
}

impl std::fmt::Debug for Indexes {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Indexes")
    }
}

const SUMMARY: usize = 120;

/// The shop's index, rebuilt from its published articles when another change was made since
/// (here or on another instance): one small read per search otherwise.
pub async fn index(
    pool: &AnyPool,
    indexes: &Indexes,
    shop_id: &ShopId,
) -> Result<Arc<Loaded>, sqlx::Error> {
    let generation: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(generation), 0) FROM knowledge_generations WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_one(pool)
    .await?;
    let cached = indexes
        .entries
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(shop_id)
        .filter(|loaded| loaded.generation == generation)
        .cloned();
    if let Some(loaded) = cached {
        return Ok(loaded);
    }
    let rows: Vec<Published> = sqlx::query_as(
        "SELECT id, slug, category, products, title_zh, body_zh, title_en, body_en, terms FROM articles \
         WHERE shop_id = $1 AND status = 'published' ORDER BY id",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await?;
    let (loaded, documents) = {
        let mut cards = HashMap::with_capacity(rows.len());
        let mut documents = Vec::with_capacity(rows.len());
        for row in rows {
            use crate::domain::knowledge::markdown::summary;
            cards.insert(
                row.id.clone(),
                Card {
                    id: row.id.clone(),
                    slug: row.slug,
                    category: row.category,
                    products: row.products,
                    title_zh: row.title_zh,
                    title_en: row.title_en,
                    summary_zh: summary(&row.body_zh, SUMMARY),
                    summary_en: summary(&row.body_en, SUMMARY),
                },
            );
            documents.push((row.id, row.terms));
        }
        (cards, documents)
    };
    let loaded = Arc::new(Loaded {
        generation,
        index: Index::build(documents),
        cards: loaded,
    });
    indexes
        .entries
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(shop_id.clone(), loaded.clone());
    Ok(loaded)
}
