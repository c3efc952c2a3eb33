//! The knowledge base (docs/KNOWLEDGE.md): articles written, changed and reviewed by the staff,
//! read and imported as Markdown files; found by what the customer types (the shop's synonyms
//! added), counted as they are read, found helpful or not, and as they answer a request
//! before it becomes a case; the questions that found nothing, kept for the writers.

use std::io::{Cursor, Read, Write};

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::db::articles::{self, ArticleRecord, Card, Counter};
use crate::db::shops::{Actor, Shop};
use crate::db::{Database, is_unique_violation, settings};
use crate::domain::knowledge::index::Question;
use crate::domain::knowledge::markdown::{self, ArticleFile};
use crate::domain::knowledge::words::normalise;
use crate::domain::knowledge::{ArticleInput, ArticleStatus, applies_to};
use crate::domain::permissions::Capability;
use crate::domain::time::format_in_zone;
use crate::error::{AppError, AppResult};
use crate::i18n::Language;

/// An article as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: String,
    pub slug: String,
    pub category: String,
    pub tags: Vec<String>,
    pub products: Vec<String>,
    /// draft, published or archived.
    pub status: String,
    pub title_zh: String,
    pub body_zh: String,
    pub title_en: String,
    pub body_en: String,
    /// Read on the help pages and in the portal.
    pub views: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    /// Requests it answered before they became a case.
    pub deflections: i64,
    /// Times an agent put it in a reply.
    pub inserted: i64,
    pub version: i64,
    /// When someone last saved it or said it is still true.
    pub reviewed_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub updated_at: String,
    /// Its public page, from the app's address.
    pub path: String,
}

pub fn view(shop: &Shop, article: &ArticleRecord) -> ArticleView {
    let zone = &shop.time_zone;
    ArticleView {
        id: article.id.clone(),
        slug: article.slug.clone(),
        category: article.category.clone(),
        tags: article.tags.clone(),
        products: article.products.clone(),
        status: article.status.clone(),
        title_zh: article.title_zh.clone(),
        body_zh: article.body_zh.clone(),
        title_en: article.title_en.clone(),
        body_en: article.body_en.clone(),
        views: article.views,
        helpful: article.helpful,
        not_helpful: article.not_helpful,
        deflections: article.deflections,
        inserted: article.inserted,
        version: article.version,
        reviewed_at: article.reviewed_at.map(|at| format_in_zone(at, zone)),
        reviewed_by: article.reviewed_by.clone(),
        updated_at: format_in_zone(article.updated_at, zone),
        path: format!("/help/{}/{}", shop.slug, article.slug),
    }
}

fn writer(actor: &Actor) -> AppResult<()> {
    AppError::require(actor.role, Capability::WriteArticles)
}

fn checked(input: ArticleInput) -> AppResult<ArticleInput> {
    let input = input.tidy();
    input
        .check()
        .map_err(|problem| AppError::invalid(problem.field, problem.message))?;
    Ok(input)
}

fn slug_taken(slug: &str) -> AppError {
    AppError::Conflict {
        code: "article_slug_taken",
        message: format!(
            "another article of the shop already has the address '{slug}': choose another"
        ),
        details: json!({ "field": "slug" }),
    }
}

pub async fn get(database: &Database, actor: &Actor, id: &str) -> AppResult<ArticleRecord> {
    articles::get(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("article"))
}

pub async fn create(
    database: &Database,
    actor: &Actor,
    input: ArticleInput,
) -> AppResult<ArticleRecord> {
    writer(actor)?;
    let input = checked(input)?;
    let mut transaction = database.begin().await?;
    let now = database.clock.now();
    let id = match articles::insert(
        &mut transaction,
        &actor.shop.id,
        &input,
        actor.staff_id.as_deref(),
        now,
    )
    .await
    {
        Ok(id) => id,
        Err(error) if is_unique_violation(&error) => return Err(slug_taken(&input.slug)),
        Err(error) => return Err(error.into()),
    };
    transaction.commit().await?;
    get(database, actor, &id).await
}

/// Replaces an article read at `version`.
pub async fn replace(
    database: &Database,
    actor: &Actor,
    (id, version): (&str, i64),
    input: ArticleInput,
) -> AppResult<ArticleRecord> {
    writer(actor)?;
    let input = checked(input)?;
    get(database, actor, id).await?;
    let mut transaction = database.begin().await?;
    let now = database.clock.now();
    let saved = match articles::update(
        &mut transaction,
        &actor.shop.id,
        (id, version),
        &input,
        actor.staff_id.as_deref(),
        now,
    )
    .await
    {
        Ok(saved) => saved,
        Err(error) if is_unique_violation(&error) => return Err(slug_taken(&input.slug)),
        Err(error) => return Err(error.into()),
    };
    if !saved {
        return Err(AppError::Conflict {
            code: "version_conflict",
            message: "the article was changed meanwhile: read it again".into(),
            details: json!({}),
        });
    }
    transaction.commit().await?;
    get(database, actor, id).await
}

/// Says the article is still true as it stands.
pub async fn reviewed(database: &Database, actor: &Actor, id: &str) -> AppResult<ArticleRecord> {
    writer(actor)?;
    let by = actor.staff_id.as_deref().unwrap_or("api");
    if !articles::reviewed(
        &database.writer,
        &actor.shop.id,
        id,
        by,
        database.clock.now(),
    )
    .await?
    {
        return Err(AppError::NotFound("article"));
    }
    get(database, actor, id).await
}

pub async fn list(
    database: &Database,
    actor: &Actor,
    status: Option<ArticleStatus>,
    after: Option<(i64, String)>,
    limit: i64,
) -> AppResult<Vec<ArticleRecord>> {
    Ok(articles::list(&database.reader, &actor.shop.id, status, after, limit).await?)
}

/// An article found for a question, in the asker's language.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ArticleSuggestion)]
pub struct Suggestion {
    pub id: String,
    pub slug: String,
    pub category: String,
    pub title: String,
    /// The text's first words.
    pub summary: String,
    /// How well it matches (BM25; only the order means something).
    pub score: f32,
    /// The share of the question's words the article holds (0 to 1).
    pub coverage: f32,
    /// Its public page.
    pub path: String,
}

fn suggestion(
    shop: &Shop,
    card: &Card,
    (score, coverage): (f32, f32),
    language: Language,
) -> Suggestion {
    let (title, summary) = match language {
        Language::Chinese if !card.title_zh.is_empty() => (&card.title_zh, &card.summary_zh),
        Language::English if !card.title_en.is_empty() => (&card.title_en, &card.summary_en),
        _ if card.title_zh.is_empty() => (&card.title_en, &card.summary_en),
        _ => (&card.title_zh, &card.summary_zh),
    };
    Suggestion {
        id: card.id.clone(),
        slug: card.slug.clone(),
        category: card.category.clone(),
        title: title.clone(),
        summary: summary.clone(),
        score,
        coverage,
        path: format!("/help/{}/{}", shop.slug, card.slug),
    }
}

/// What a search is for.
#[derive(Debug, Clone, Copy)]
pub struct Asking<'a> {
    pub language: Language,
    /// The product it is about: articles for other products are left out.
    pub product: Option<&'a str>,
    pub limit: usize,
    /// Whether a question that finds nothing is kept for the writers (a search sent, not
    /// the words of a form as they are typed).
    pub keep_misses: bool,
}

const QUESTION_LIMIT: usize = 500;

/// The published articles that answer `text`, best first.
pub async fn search(
    database: &Database,
    shop: &Shop,
    text: &str,
    asking: Asking<'_>,
) -> AppResult<Vec<Suggestion>> {
    let text: String = text.chars().take(QUESTION_LIMIT).collect();
    let settings = settings::get(database, &shop.id).await?;
    let question = Question::new(&text, &settings.knowledge.all_synonyms());
    if question.is_empty() {
        return Ok(Vec::new());
    }
    let loaded = articles::index(&database.reader, &database.knowledge, &shop.id).await?;
    let found: Vec<Suggestion> = loaded
        .index
        .search(&question, asking.limit.saturating_mul(4).max(asking.limit))
        .into_iter()
        .filter_map(|hit| {
            loaded
                .cards
                .get(hit.id)
                .map(|card| (card, (hit.score, hit.coverage)))
        })
        .filter(|(card, _)| applies_to(&card.products, asking.product))
        .take(asking.limit)
        .map(|(card, matched)| suggestion(shop, card, matched, asking.language))
        .collect();
    if found.is_empty() && asking.keep_misses {
        let asked = normalise(text.trim());
        let asked = asked.split_whitespace().collect::<Vec<_>>().join(" ");
        if asked.chars().count() >= 2 {
            articles::missed(&database.writer, &shop.id, &asked, database.clock.now()).await?;
        }
    }
    Ok(found)
}

/// The published articles by category (categories and titles in order), for the help pages.
pub async fn contents(
    database: &Database,
    shop: &Shop,
    language: Language,
) -> AppResult<Vec<(String, Vec<Suggestion>)>> {
    let loaded = articles::index(&database.reader, &database.knowledge, &shop.id).await?;
    let mut all: Vec<Suggestion> = loaded
        .cards
        .values()
        .map(|card| suggestion(shop, card, (0.0, 0.0), language))
        .collect();
    all.sort_by(|a, b| a.category.cmp(&b.category).then(a.title.cmp(&b.title)));
    let mut groups: Vec<(String, Vec<Suggestion>)> = Vec::new();
    for article in all {
        match groups.last_mut() {
            Some((category, list)) if *category == article.category => list.push(article),
            _ => groups.push((article.category.clone(), vec![article])),
        }
    }
    Ok(groups)
}

/// A published article by its address, counted as read when `read`.
pub async fn published(
    database: &Database,
    shop: &Shop,
    slug: &str,
    read: bool,
) -> AppResult<ArticleRecord> {
    let article = articles::by_slug(&database.reader, &shop.id, slug)
        .await?
        .filter(|article| article.status == "published")
        .ok_or(AppError::NotFound("article"))?;
    if read {
        articles::count(&database.writer, &shop.id, &article.id, Counter::Views).await?;
    }
    Ok(article)
}

/// What a reader said of an article, or what it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Feedback {
    Helpful,
    NotHelpful,
    /// It answered the question a customer was about to send: no case was made.
    Deflected,
    /// An agent put it in a reply.
    Inserted,
}

/// Counts a reader's feedback on a published article.
pub async fn feedback(
    database: &Database,
    shop: &Shop,
    id: &str,
    feedback: Feedback,
) -> AppResult<()> {
    let counter = match feedback {
        Feedback::Helpful => Counter::Helpful,
        Feedback::NotHelpful => Counter::NotHelpful,
        Feedback::Deflected => Counter::Deflections,
        Feedback::Inserted => Counter::Inserted,
    };
    if !articles::count(&database.writer, &shop.id, id, counter).await? {
        return Err(AppError::NotFound("article"));
    }
    Ok(())
}

/// A question that found nothing.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissView {
    pub question: String,
    pub times: i64,
    pub last_at: String,
}

pub async fn misses(database: &Database, actor: &Actor, limit: i64) -> AppResult<Vec<MissView>> {
    writer(actor)?;
    Ok(articles::misses(&database.reader, &actor.shop.id, limit)
        .await?
        .into_iter()
        .map(|miss| MissView {
            question: miss.question,
            times: miss.times,
            last_at: format_in_zone(miss.last_at, &actor.shop.time_zone),
        })
        .collect())
}

/// What an import of Markdown files did.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    /// Articles whose files say what they already say.
    pub unchanged: usize,
    /// Each file or article refused, and why.
    pub refused: Vec<Refused>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Refused {
    pub file: String,
    pub message: String,
}

const ARCHIVE_LIMIT: u64 = 64 * 1024 * 1024;

/// The Markdown files among uploads: `.md` files as they are, ZIP archives opened.
fn markdown_files(
    uploads: Vec<(String, Vec<u8>)>,
    report: &mut ImportReport,
) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut text_of =
        |name: String, bytes: Vec<u8>, report: &mut ImportReport| match String::from_utf8(bytes) {
            Ok(text) => files.push((name, text)),
            Err(_) => report.refused.push(Refused {
                file: name,
                message: "not UTF-8 text: save the file as UTF-8".into(),
            }),
        };
    for (name, bytes) in uploads {
        if bytes.starts_with(b"PK\x03\x04") {
            let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
                report.refused.push(Refused {
                    file: name,
                    message: "a damaged ZIP archive".into(),
                });
                continue;
            };
            for number in 0..archive.len() {
                let Ok(entry) = archive.by_index(number) else {
                    continue;
                };
                let entry_name = entry.name().to_string();
                if entry.is_dir()
                    || !(entry_name.ends_with(".md") || entry_name.ends_with(".markdown"))
                {
                    continue;
                }
                let mut content = Vec::new();
                if entry.take(ARCHIVE_LIMIT).read_to_end(&mut content).is_err() {
                    report.refused.push(Refused {
                        file: entry_name,
                        message: "could not be read from the archive".into(),
                    });
                    continue;
                }
                text_of(entry_name, content, report);
            }
        } else {
            text_of(name, bytes, report);
        }
    }
    files
}

/// Imports articles from Markdown files (or ZIP archives of them, as exported): files are
/// joined by slug; a slug the shop has is replaced when its text changed, else left alone.
/// Each bad file is reported, the good ones kept.
pub async fn import(
    database: &Database,
    actor: &Actor,
    uploads: Vec<(String, Vec<u8>)>,
) -> AppResult<ImportReport> {
    writer(actor)?;
    let mut report = ImportReport::default();
    let mut by_slug: Vec<(String, Vec<ArticleFile>, Vec<String>)> = Vec::new();
    for (name, text) in markdown_files(uploads, &mut report) {
        match markdown::read(&name, &text) {
            Ok(file) => match by_slug.iter_mut().find(|(slug, _, _)| *slug == file.slug) {
                Some((_, files, names)) => {
                    files.push(file);
                    names.push(name);
                }
                None => by_slug.push((file.slug.clone(), vec![file], vec![name])),
            },
            Err(message) => report.refused.push(Refused {
                file: name,
                message,
            }),
        }
    }
    for (slug, files, names) in by_slug {
        let input = markdown::join(&files).tidy();
        let file = names.join(", ");
        if let Err(problem) = input.check() {
            report.refused.push(Refused {
                file,
                message: format!("{}: {}", problem.field, problem.message),
            });
            continue;
        }
        let known = articles::by_slug(&database.reader, &actor.shop.id, &slug).await?;
        let outcome = match known {
            Some(article) if article.input() == input => {
                report.unchanged += 1;
                continue;
            }
            Some(article) => replace(database, actor, (&article.id, article.version), input)
                .await
                .map(|_| report.updated += 1),
            None => create(database, actor, input)
                .await
                .map(|_| report.created += 1),
        };
        if let Err(error) = outcome {
            report.refused.push(Refused {
                file,
                message: error.to_string(),
            });
        }
    }
    Ok(report)
}

/// Every article but the archived ones, as a ZIP of Markdown files (one per language).
pub async fn export(database: &Database, actor: &Actor) -> AppResult<Vec<u8>> {
    writer(actor)?;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut after = None;
    loop {
        let page =
            articles::list(&database.reader, &actor.shop.id, None, after.clone(), 500).await?;
        for article in &page {
            if article.status == "archived" {
                continue;
            }
            for (name, text) in markdown::write(&article.input()) {
                writer
                    .start_file(name, options)
                    .map_err(anyhow::Error::from)?;
                writer
                    .write_all(text.as_bytes())
                    .map_err(anyhow::Error::from)?;
            }
        }
        match page.last() {
            Some(last) if page.len() == 500 => after = Some((last.updated_at, last.id.clone())),
            _ => break,
        }
    }
    Ok(writer.finish().map_err(anyhow::Error::from)?.into_inner())
}
