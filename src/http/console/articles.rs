//! The knowledge base in the console: the articles with their counters and review dates, the
//! questions that found nothing, Markdown files in and out; an article's form with a preview of
//! how the customer will see it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::form::Posted;
use super::{Frame, PageResult, Staff};
use crate::db::articles::ArticleRecord;
use crate::domain::knowledge::markdown::to_html;
use crate::domain::knowledge::{ArticleInput, ArticleStatus};
use crate::error::AppError;
use crate::http::pages::{minutes, read_multipart, render};
use crate::operations::knowledge::{self as operations, MissView};
use crate::state::AppState;

/// An article not reviewed for this long is marked as due (half a year).
const REVIEW_DUE: i64 = 182 * 24 * 3_600_000_000;

pub struct ArticleRow {
    pub id: String,
    pub title: String,
    pub slug: String,
    pub category: String,
    pub status: String,
    pub views: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    pub deflections: i64,
    pub inserted: i64,
    pub reviewed: String,
    pub review_due: bool,
}

#[derive(Template)]
#[template(path = "console/articles.html")]
struct ArticlesPage {
    frame: Frame,
    articles: Vec<ArticleRow>,
    misses: Vec<MissView>,
    /// The shop's public help pages.
    help: String,
    notice: Option<String>,
    error: Option<String>,
}

fn row(staff: &Staff, article: ArticleRecord, now: i64) -> ArticleRow {
    let zone = &staff.actor.shop.time_zone;
    let title = match staff.language {
        crate::i18n::Language::English if !article.title_en.is_empty() => article.title_en.clone(),
        _ if article.title_zh.is_empty() => article.title_en.clone(),
        _ => article.title_zh.clone(),
    };
    ArticleRow {
        title,
        status: staff
            .language
            .text(&format!("article-status-{}", article.status)),
        reviewed: article
            .reviewed_at
            .map(|at| minutes(at, zone))
            .unwrap_or_default(),
        review_due: article.status == "published"
            && article.reviewed_at.is_none_or(|at| now - at > REVIEW_DUE),
        views: article.views,
        helpful: article.helpful,
        not_helpful: article.not_helpful,
        deflections: article.deflections,
        inserted: article.inserted,
        category: article.category,
        slug: article.slug,
        id: article.id,
    }
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let now = state.clock.now();
    let articles = operations::list(&state.database, &staff.actor, None, None, 200).await?;
    let misses = operations::misses(&state.database, &staff.actor, 20).await?;
    let shown = ArticlesPage {
        frame: Frame::new(state, staff, "articles").await?,
        articles: articles
            .into_iter()
            .map(|article| row(staff, article, now))
            .collect(),
        misses,
        help: format!("/help/{}", staff.actor.shop.slug),
        notice,
        error,
    };
    Ok(render(&shown, status, staff.language))
}

pub(super) async fn articles_page(State(state): State<AppState>, staff: Staff) -> PageResult {
    list_page(&state, &staff, None, None, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "console/article.html")]
struct ArticleForm {
    frame: Frame,
    /// Empty for a new article.
    id: String,
    version: i64,
    article: ArticleInput,
    tags: String,
    products: String,
    statuses: Vec<(String, String)>,
    /// The preview asked for: each language's title and HTML.
    preview: Vec<(String, String)>,
    reviewed: String,
    path: String,
    error: Option<String>,
    notice: Option<String>,
}

struct Shown {
    preview: bool,
    error: Option<String>,
    notice: Option<String>,
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    (id, version, reviewed): (String, i64, String),
    article: ArticleInput,
    shown: Shown,
    status: StatusCode,
) -> PageResult {
    let language = staff.language;
    let preview = if shown.preview {
        [
            (&article.title_zh, &article.body_zh),
            (&article.title_en, &article.body_en),
        ]
        .into_iter()
        .filter(|(title, body)| !title.is_empty() || !body.is_empty())
        .map(|(title, body)| (title.clone(), to_html(body)))
        .collect()
    } else {
        Vec::new()
    };
    let page = ArticleForm {
        frame: Frame::new(state, staff, "articles").await?,
        path: format!("/help/{}/{}", staff.actor.shop.slug, article.slug),
        tags: article.tags.join(", "),
        products: article.products.join(", "),
        statuses: [
            ArticleStatus::Draft,
            ArticleStatus::Published,
            ArticleStatus::Archived,
        ]
        .into_iter()
        .map(|status| {
            (
                status.as_str().to_string(),
                language.text(&format!("article-status-{}", status.as_str())),
            )
        })
        .collect(),
        id,
        version,
        article,
        preview,
        reviewed,
        error: shown.error,
        notice: shown.notice,
    };
    Ok(render(&page, status, language))
}

pub(super) async fn new_page(State(state): State<AppState>, staff: Staff) -> PageResult {
    let shown = Shown {
        preview: false,
        error: None,
        notice: None,
    };
    let key = (String::new(), 0, String::new());
    form_page(
        &state,
        &staff,
        key,
        ArticleInput::default(),
        shown,
        StatusCode::OK,
    )
    .await
}

fn reviewed_text(staff: &Staff, article: &ArticleRecord) -> String {
    article
        .reviewed_at
        .map(|at| minutes(at, &staff.actor.shop.time_zone))
        .unwrap_or_default()
}

pub(super) async fn edit_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    let article = operations::get(&state.database, &staff.actor, &id).await?;
    let shown = Shown {
        preview: false,
        error: None,
        notice: None,
    };
    let key = (
        article.id.clone(),
        article.version,
        reviewed_text(&staff, &article),
    );
    form_page(&state, &staff, key, article.input(), shown, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ArticleFields {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    products: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    title_zh: String,
    #[serde(default)]
    body_zh: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    body_en: String,
    version: Option<i64>,
    /// Set by the "preview" button: show, do not save.
    preview: Option<String>,
}

impl ArticleFields {
    fn input(&self) -> ArticleInput {
        let list = |text: &str| {
            text.split([',', '，', '、', '\n'])
                .map(|item| item.trim().to_string())
                .filter(|item| !item.is_empty())
                .collect()
        };
        ArticleInput {
            slug: self.slug.clone(),
            category: self.category.clone(),
            tags: list(&self.tags),
            products: list(&self.products),
            status: ArticleStatus::parse(&self.status).unwrap_or_default(),
            title_zh: self.title_zh.clone(),
            body_zh: self.body_zh.clone(),
            title_en: self.title_en.clone(),
            body_en: self.body_en.clone(),
            version: self.version,
        }
    }
}

/// Saves a new article (`id` empty) or a change, or shows the preview; a refusal shows the form
/// again with everything typed.
async fn save(state: AppState, staff: Staff, id: String, form: ArticleFields) -> PageResult {
    let input = form.input();
    let version = form.version.unwrap_or_default();
    if form.preview.is_some() {
        let shown = Shown {
            preview: true,
            error: None,
            notice: None,
        };
        return form_page(
            &state,
            &staff,
            (id, version, String::new()),
            input,
            shown,
            StatusCode::OK,
        )
        .await;
    }
    let saved = if id.is_empty() {
        operations::create(&state.database, &staff.actor, input.clone()).await
    } else {
        operations::replace(&state.database, &staff.actor, (&id, version), input.clone()).await
    };
    match saved {
        Ok(article) => shown_saved(&state, &staff, &article, "article-saved").await,
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let status = error.status();
            let shown = Shown {
                preview: false,
                error: Some(super::error_text(staff.language, &error)),
                notice: None,
            };
            form_page(
                &state,
                &staff,
                (id, version, String::new()),
                input,
                shown,
                status,
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    Posted { staff, form }: Posted<ArticleFields>,
) -> PageResult {
    save(state, staff, String::new(), form).await
}

pub(super) async fn change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, form }: Posted<ArticleFields>,
) -> PageResult {
    save(state, staff, id, form).await
}

/// "Still true": the review date moves to now.
pub(super) async fn reviewed(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, .. }: Posted<super::form::Empty>,
) -> PageResult {
    let article = operations::reviewed(&state.database, &staff.actor, &id).await?;
    shown_saved(&state, &staff, &article, "article-reviewed").await
}

/// The article's form again as it is now stored, saying what was done (`notice`, a text key).
async fn shown_saved(
    state: &AppState,
    staff: &Staff,
    article: &ArticleRecord,
    notice: &str,
) -> PageResult {
    let notice = Some(staff.language.text(notice));
    let shown = Shown {
        preview: false,
        error: None,
        notice,
    };
    let key = (
        article.id.clone(),
        article.version,
        reviewed_text(staff, article),
    );
    form_page(state, staff, key, article.input(), shown, StatusCode::OK).await
}

/// Markdown files (or a ZIP of them) in; the report on the list page.
pub(super) async fn import(
    State(state): State<AppState>,
    staff: Staff,
    multipart: axum::extract::Multipart,
) -> PageResult {
    let language = staff.language;
    let (fields, files) = match read_multipart(multipart).await {
        Ok(read) => read,
        Err(reason) => {
            let error = format!("{} ({reason})", language.text("console-import-unreadable"));
            return list_page(&state, &staff, None, Some(error), StatusCode::BAD_REQUEST).await;
        }
    };
    staff.check_csrf(fields.get("csrf").map(String::as_str))?;
    let uploads: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter(|file| !file.bytes.is_empty())
        .map(|file| (file.file_name, file.bytes))
        .collect();
    if uploads.is_empty() {
        let error = language.text("console-import-no-file");
        return list_page(
            &state,
            &staff,
            None,
            Some(error),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let report = operations::import(&state.database, &staff.actor, uploads).await?;
    let mut notice = language.text_args(
        "articles-imported",
        &[
            ("n", &report.created.to_string()),
            ("cases", &report.updated.to_string()),
            ("number", &report.unchanged.to_string()),
        ],
    );
    let error = (!report.refused.is_empty()).then(|| {
        report
            .refused
            .iter()
            .map(|refused| format!("{}: {}", refused.file, refused.message))
            .collect::<Vec<_>>()
            .join(" · ")
    });
    if error.is_some() {
        notice.push(' ');
        notice.push_str(&language.text_with(
            "articles-refused",
            "n",
            &report.refused.len().to_string(),
        ));
    }
    list_page(&state, &staff, Some(notice), error, StatusCode::OK).await
}

pub(super) async fn export(State(state): State<AppState>, staff: Staff) -> PageResult {
    let bytes = operations::export(&state.database, &staff.actor).await?;
    Ok(crate::http::download(
        "application/zip",
        &format!("articles-{}.zip", staff.actor.shop.slug),
        bytes,
    )
    .into_response())
}
