//! Reviews (docs/MANAGEMENT.md, "Reviews"): the platforms' review exports and the API bring
//! reviews in, each once; each is matched to its order and customer; a medium or negative one
//! opens a `review` case (same queue, SLA and timeline as any case); a re-import that changes it
//! is a revision on the case's timeline. The agent records what the buyer said and, when the
//! buyer will not revise, stores the explanation reply (评价解释) drafted from the shop's
//! templates, exported for posting on the platform and marked posted.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::cases::{ContactInput, NewCaseInput};
use super::import::{Format, table};
use crate::db::reviews::{self, Filter, NewReview, ReviewRecord, Revision};
use crate::db::shops::{Actor, Shop};
use crate::db::{Database, orders, settings};
use crate::domain::Role;
use crate::domain::layouts::plain;
use crate::domain::permissions::Capability;
use crate::domain::reviews::{
    Column, EXPLANATION_LIMIT, Grade, Outcome, ProductMonth, Tallied, detect, parse_rating,
};
use crate::domain::time::{format_in_zone, local_date, parse_time};
use crate::error::{AppError, AppResult};
use crate::operations::exports::{Listing, Read, Table};

/// One review as an API client or a file row gives it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// taobao, tmall, jd, pinduoduo, douyin, shopify, own_store … (default own_store).
    #[serde(default)]
    pub platform: Option<String>,
    /// The platform's id of the review (or Taobao's sub-order 子订单编号), if it has one.
    #[serde(default)]
    pub review_id: Option<String>,
    #[serde(default)]
    pub order_number: Option<String>,
    /// The shop's SKU (商家编码) …
    #[serde(default)]
    pub sku: Option<String>,
    /// … or the product's title.
    #[serde(default)]
    pub product: Option<String>,
    /// 1–5 stars; or give `grade`.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<u8>,
    /// positive, medium, negative (or good / neutral / bad, 好评 / 中评 / 差评).
    #[serde(default)]
    pub grade: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// What the buyer wrote (may be empty for a rating alone).
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub reviewer: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// When it was written: RFC 3339, or a local time read in the shop's zone.
    pub reviewed_at: String,
    /// The shop's reply already posted on the platform, if any.
    #[serde(default)]
    pub reply: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewRowError {
    /// The row of the file (the header is row 1), or the item's place in the list from 1.
    pub row: usize,
    pub message: String,
}

/// What an import or a post did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ReviewReport {
    /// The export layout the file was read by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    pub rows: usize,
    pub created: usize,
    /// Seen before, nothing changed.
    pub unchanged: usize,
    /// Seen before with another grade, rating or text: a revision.
    pub revised: usize,
    /// Medium or negative reviews that opened a case.
    pub cases_opened: usize,
    /// Reviews whose order was not found: kept, listed with `unmatched=true`; a case opens when
    /// their order is given (`POST /reviews/{id}/order`).
    pub unmatched: usize,
    pub errors: Vec<ReviewRowError>,
}

/// A review as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    pub platform: String,
    pub review_id: Option<String>,
    pub order_number: Option<String>,
    pub product: String,
    pub product_title: Option<String>,
    pub reviewer: Option<String>,
    pub rating: Option<i64>,
    pub grade: String,
    /// The grade and rating it came in with (a revision changes `grade` and `rating`).
    pub first_grade: String,
    pub first_rating: Option<i64>,
    pub title: Option<String>,
    pub text: String,
    pub reviewed_at: String,
    pub revised_at: Option<String>,
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    /// revised, declined or unreachable, as the agent recorded.
    pub outcome: Option<String>,
    pub explanation: Option<String>,
    pub explained_at: Option<String>,
    pub posted_at: Option<String>,
}

pub fn view(shop: &Shop, review: &ReviewRecord) -> ReviewView {
    let zone = &shop.time_zone;
    let at = |micros: Option<i64>| micros.map(|micros| format_in_zone(micros, zone));
    ReviewView {
        id: review.id.clone(),
        platform: review.platform.clone(),
        review_id: review.external_id.clone(),
        order_number: review.order_number.clone(),
        product: review.product.clone(),
        product_title: review.product_title.clone(),
        reviewer: review.reviewer.clone(),
        rating: review.rating,
        grade: review.grade.clone(),
        first_grade: review.first_grade.clone(),
        first_rating: review.first_rating,
        title: review.title.clone(),
        text: review.text.clone(),
        reviewed_at: format_in_zone(review.reviewed_at, zone),
        revised_at: at(review.revised_at),
        case_id: review.case_id.clone(),
        case_number: review.case_number.clone(),
        outcome: review.outcome.clone(),
        explanation: review.explanation.clone(),
        explained_at: at(review.explained_at),
        posted_at: at(review.posted_at),
    }
}

/// A review checked and ready to store.
struct Checked {
    platform: String,
    external_id: Option<String>,
    order_number: Option<String>,
    product: String,
    product_title: Option<String>,
    rating: Option<u8>,
    grade: Grade,
    title: Option<String>,
    text: String,
    reviewer: Option<String>,
    email: Option<String>,
    reviewed_at: i64,
    reply: Option<String>,
}

fn cleaned(value: &Option<String>, limit: usize) -> Option<String> {
    value
        .as_deref()
        .map(|text| plain(text).chars().take(limit).collect::<String>())
        .filter(|text| !text.is_empty())
}

fn check(shop: &Shop, input: &ReviewInput, platform: &str) -> Result<Checked, String> {
    let platform = cleaned(&input.platform, 32).unwrap_or_else(|| platform.to_string());
    let sku = cleaned(&input.sku, 64);
    let product_title = cleaned(&input.product, 200);
    let product = sku
        .clone()
        .or_else(|| product_title.clone())
        .ok_or("the review needs its product: sku (商家编码) or product (宝贝名称 / 商品名称)")?;
    let rating = match input.rating {
        Some(rating) if (1..=5).contains(&rating) => Some(rating),
        Some(rating) => return Err(format!("rating {rating} must be 1 to 5")),
        None => None,
    };
    let grade = match cleaned(&input.grade, 16) {
        Some(word) => Grade::of_word(&word).ok_or_else(|| {
            format!("grade '{word}' is not one of positive, medium, negative (好评, 中评, 差评)")
        })?,
        None => rating
            .map(Grade::of_rating)
            .ok_or("the review needs a rating (1–5) or a grade (好评/中评/差评)")?,
    };
    // Judge.me writes "2025-03-02 10:12:00 UTC": read as UTC, not in the shop's zone.
    let written = input.reviewed_at.trim();
    let reviewed_at = match written.strip_suffix(" UTC") {
        Some(utc) => parse_time(
            &format!("{}Z", utc.trim().replace(' ', "T")),
            &shop.time_zone,
        ),
        None => parse_time(written, &shop.time_zone),
    }
    .map_err(|error| format!("reviewed_at: {error}"))?;
    Ok(Checked {
        platform,
        external_id: cleaned(&input.review_id, 100),
        order_number: cleaned(&input.order_number, 64),
        product,
        product_title,
        rating,
        grade,
        title: cleaned(&input.title, 200),
        text: cleaned(&input.text, 4000).unwrap_or_default(),
        reviewer: cleaned(&input.reviewer, 100),
        email: cleaned(&input.email, 254),
        reviewed_at,
        reply: cleaned(&input.reply, 1000),
    })
}

/// What became of one review.
enum Stored {
    Created { case_opened: bool, matched: bool },
    Unchanged,
    Revised,
}

/// Records reviews given one by one (`POST /reviews`) or read from a file; each is stored once.
pub async fn record(
    database: &Database,
    actor: &Actor,
    inputs: Vec<(usize, Result<ReviewInput, String>)>,
    platform: &str,
) -> AppResult<ReviewReport> {
    AppError::require(actor.role, Capability::HandleReviews)?;
    let settings = settings::get(database, &actor.shop.id).await?;
    let mut report = ReviewReport {
        rows: inputs.len(),
        ..ReviewReport::default()
    };
    for (row, input) in inputs {
        let checked = input.and_then(|input| check(&actor.shop, &input, platform));
        let outcome = match checked {
            Ok(checked) => store(database, actor, &settings.reviews, checked).await,
            Err(message) => Err(AppError::invalid("review", message)),
        };
        match outcome {
            Ok(Stored::Created {
                case_opened,
                matched,
            }) => {
                report.created += 1;
                report.cases_opened += usize::from(case_opened);
                report.unmatched += usize::from(!matched);
            }
            Ok(Stored::Unchanged) => report.unchanged += 1,
            Ok(Stored::Revised) => report.revised += 1,
            Err(AppError::Invalid { message, .. }) => {
                report.errors.push(ReviewRowError { row, message })
            }
            Err(error) => return Err(error),
        }
    }
    Ok(report)
}

async fn store(
    database: &Database,
    actor: &Actor,
    settings: &crate::domain::reviews::ReviewSettings,
    review: Checked,
) -> AppResult<Stored> {
    let shop = &actor.shop;
    let day = local_date(review.reviewed_at, &shop.time_zone).to_string();
    let key = crate::domain::reviews::key(
        review.external_id.as_deref(),
        review.order_number.as_deref(),
        &review.product,
        review.reviewer.as_deref().or(review.email.as_deref()),
        &day,
    );
    if let Some(known) = reviews::by_key(&database.reader, &shop.id, &review.platform, &key).await?
    {
        return revise(database, actor, &known, &review).await;
    }
    let order_number = match (&review.order_number, &review.email) {
        (Some(number), _) => Some(number.clone()),
        (None, Some(email)) => {
            reviews::order_of_email(&database.reader, &shop.id, email, &review.product).await?
        }
        (None, None) => None,
    };
    let order = match &order_number {
        Some(number) => orders::find_by_number(&database.reader, &shop.id, number).await?,
        None => None,
    };
    let now = database.clock.now();
    let Some(id) = reviews::insert(
        &database.writer,
        &NewReview {
            shop_id: &shop.id,
            platform: &review.platform,
            review_key: &key,
            external_id: review.external_id.as_deref(),
            order_number: order_number.as_deref(),
            order_id: order.as_ref().map(|order| order.id.as_str()),
            customer_id: order
                .as_ref()
                .and_then(|order| order.customer_id.as_deref()),
            product: &review.product,
            product_title: review.product_title.as_deref(),
            reviewer: review.reviewer.as_deref(),
            email: review.email.as_deref(),
            rating: review.rating.map(i64::from),
            grade: review.grade.as_str(),
            title: review.title.as_deref(),
            text: &review.text,
            reply: review.reply.as_deref(),
            reviewed_at: review.reviewed_at,
            now,
        },
    )
    .await?
    else {
        // Another import stored it a moment ago: the same review.
        return Ok(Stored::Unchanged);
    };
    let matched = order.is_some();
    let mut case_opened = false;
    if let Some(order) = &order
        && settings.opens_case(review.grade)
    {
        let stored = reviews::get(&database.writer, &shop.id, &id)
            .await?
            .ok_or(AppError::NotFound("review"))?;
        open_case(database, actor, &stored, &order.order_number).await?;
        case_opened = true;
    }
    Ok(Stored::Created {
        case_opened,
        matched,
    })
}

/// Opens the review's case on its order and links the two.
async fn open_case(
    database: &Database,
    actor: &Actor,
    review: &ReviewRecord,
    order_number: &str,
) -> AppResult<String> {
    let grade = Grade::parse(&review.grade).unwrap_or(Grade::Negative);
    let stars = review
        .rating
        .map(|rating| format!("{rating}★ "))
        .unwrap_or_default();
    let said = if review.text.is_empty() {
        "（未填写内容 / no text）".to_string()
    } else {
        review.text.clone()
    };
    let description: String = format!(
        "{}{} {}：{said}",
        stars,
        grade.label_zh(),
        review.product_title.as_deref().unwrap_or(&review.product)
    )
    .chars()
    .take(4000)
    .collect();
    let input = NewCaseInput {
        order_number: order_number.to_string(),
        kind: "review".into(),
        reason_code: "review".into(),
        description,
        lines: Vec::new(),
        contact: ContactInput {
            name: review.reviewer.clone(),
            phone: None,
            email: review
                .email
                .clone()
                .filter(|email| crate::domain::identifiers::EmailAddress::parse(email).is_ok()),
        },
        priority: Some(
            if grade == Grade::Negative {
                "high"
            } else {
                "normal"
            }
            .into(),
        ),
        assignee_id: None,
        tags: vec![format!("review:{}", review.platform)],
        channel: Some("review".into()),
    };
    let created = super::cases::create(database, actor, &input, None).await?;
    let case_id = created.case.id.clone();
    let order = orders::find_by_number(&database.reader, &actor.shop.id, order_number)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    reviews::link(
        &database.writer,
        &review.id,
        (&order.id, &order.order_number, order.customer_id.as_deref()),
        &case_id,
        database.clock.now(),
    )
    .await?;
    let mut transaction = database.begin().await?;
    super::record_event(
        &mut transaction,
        actor,
        &case_id,
        "review_received",
        json!({
            "review_id": review.id, "platform": review.platform, "grade": review.grade,
            "rating": review.rating, "text": review.text,
        }),
        database.clock.now(),
    )
    .await?;
    transaction.commit().await?;
    Ok(case_id)
}

/// A review seen again: unchanged, or revised (the case's timeline says from what to what).
async fn revise(
    database: &Database,
    actor: &Actor,
    known: &ReviewRecord,
    review: &Checked,
) -> AppResult<Stored> {
    let rating = review.rating.map(i64::from);
    if known.grade == review.grade.as_str()
        && known.rating == rating
        && known.text == review.text
        && known.title == review.title
    {
        return Ok(Stored::Unchanged);
    }
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    reviews::revise(
        &mut transaction,
        &known.id,
        &Revision {
            rating,
            grade: review.grade.as_str(),
            title: review.title.as_deref(),
            text: &review.text,
            now,
        },
    )
    .await?;
    timeline(
        &mut transaction,
        actor,
        known,
        "review_revised",
        json!({
            "review_id": known.id,
            "from": { "grade": known.grade, "rating": known.rating, "text": known.text },
            "to": { "grade": review.grade, "rating": rating, "text": review.text },
        }),
        now,
    )
    .await?;
    transaction.commit().await?;
    Ok(Stored::Revised)
}

/// Reads a platform's review export (CSV in UTF-8/GBK, or XLSX) and records its reviews.
pub async fn import(database: &Database, actor: &Actor, bytes: &[u8]) -> AppResult<ReviewReport> {
    AppError::require(actor.role, Capability::HandleReviews)?;
    let mut lines = table(bytes, Format::from_bytes(bytes))?.into_iter();
    let header: Vec<String> = lines
        .next()
        .ok_or_else(|| AppError::invalid("file", "the file is empty: it needs a header row"))?
        .into_iter()
        .map(|cell| cell.unwrap_or_default())
        .collect();
    let layout = detect(&header).ok_or_else(|| {
        AppError::invalid(
            "file",
            "the header row is not a review export this import knows (Taobao/Tmall 评价: 订单编号, 评价结果, \
             评价内容; JD: 订单号, 评价星级, 评价内容; Judge.me: body, rating, review_date, reviewer_email; \
             or review_id, order_number, sku, product, rating, grade, text, reviewed_at)",
        )
    })?;
    let columns = crate::domain::reviews::columns(layout, &header);
    let mut inputs = Vec::new();
    for (index, cells) in lines.enumerate() {
        let row = index + 2;
        if cells
            .iter()
            .all(|cell| cell.as_ref().is_ok_and(|cell| plain(cell).is_empty()))
        {
            continue;
        }
        inputs.push((row, row_input(&columns, cells)));
    }
    let mut report = record(database, actor, inputs, layout.platform).await?;
    report.layout = Some(layout.name.to_string());
    Ok(report)
}

/// One file row as a review.
fn row_input(
    columns: &[Vec<Column>],
    cells: Vec<Result<String, String>>,
) -> Result<ReviewInput, String> {
    let mut input = ReviewInput::default();
    for (columns, cell) in columns.iter().zip(cells) {
        let text = cell?;
        let text = plain(&text).to_string();
        if text.is_empty() {
            continue;
        }
        for column in columns {
            let slot = match column {
                Column::ExternalId => &mut input.review_id,
                Column::OrderNumber => &mut input.order_number,
                Column::Sku => &mut input.sku,
                Column::ProductTitle => &mut input.product,
                Column::Grade => &mut input.grade,
                Column::Title => &mut input.title,
                Column::Text => &mut input.text,
                Column::Reviewer => &mut input.reviewer,
                Column::Email => &mut input.email,
                Column::Reply => &mut input.reply,
                Column::ReviewedAt => {
                    input.reviewed_at = text.clone();
                    continue;
                }
                Column::Rating => {
                    input.rating = Some(
                        parse_rating(&text)
                            .ok_or_else(|| format!("rating '{text}' is not 1 to 5 stars"))?,
                    );
                    continue;
                }
            };
            *slot = Some(text.clone());
        }
    }
    if input.reviewed_at.is_empty() {
        return Err("the row has no review time (评价时间 / review_date)".into());
    }
    Ok(input)
}

async fn found(database: &Database, actor: &Actor, id: &str) -> AppResult<ReviewRecord> {
    if actor.role == Role::Customer {
        return Err(AppError::NotFound("review"));
    }
    reviews::get(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("review"))
}

pub async fn get(database: &Database, actor: &Actor, id: &str) -> AppResult<ReviewRecord> {
    found(database, actor, id).await
}

/// The review a case was opened for, if it was.
pub async fn of_case(
    database: &Database,
    actor: &Actor,
    case_id: &str,
) -> AppResult<Option<ReviewRecord>> {
    Ok(reviews::of_case(&database.reader, &actor.shop.id, case_id).await?)
}

pub async fn list(
    database: &Database,
    actor: &Actor,
    filter: &Filter,
    after: Option<(i64, String)>,
    limit: i64,
) -> AppResult<Vec<ReviewRecord>> {
    if actor.role == Role::Customer {
        return Err(AppError::Forbidden("customers cannot list reviews".into()));
    }
    if let Some(grade) = &filter.grade
        && Grade::parse(grade).is_none()
    {
        return Err(AppError::invalid(
            "grade",
            format!("grade '{grade}' is not one of positive, medium, negative"),
        ));
    }
    Ok(reviews::list(&database.reader, &actor.shop.id, filter, after, limit).await?)
}

/// Every review that matches as a file, read a thousand at a time as it is sent.
pub fn export(
    database: &Database,
    actor: &Actor,
    filter: &Filter,
) -> AppResult<Table<ReviewRecord>> {
    if actor.role == Role::Customer {
        return Err(AppError::Forbidden("customers cannot list reviews".into()));
    }
    let (pool, shop_id, filter) = (
        database.reader.clone(),
        actor.shop.id.clone(),
        filter.clone(),
    );
    let read: Read<ReviewRecord> = Box::new(move |after| {
        let (pool, shop_id, filter) = (pool.clone(), shop_id.clone(), filter.clone());
        Box::pin(async move { Ok(reviews::list(&pool, &shop_id, &filter, after, 1000).await?) })
    });
    let zone = actor.shop.time_zone.clone();
    Ok(Table {
        file: "reviews".into(),
        sheet: "评价 Reviews",
        header: &HEADER,
        numbers: &[4],
        listing: Listing::new(
            1000,
            read,
            |review| (review.reviewed_at, review.id.clone()),
            move |review| row(&zone, review),
        ),
    })
}

/// Gives a review whose order was not found its order: its case opens now (when its grade
/// opens one).
pub async fn link_order(
    database: &Database,
    actor: &Actor,
    id: &str,
    order_number: &str,
) -> AppResult<ReviewRecord> {
    AppError::require(actor.role, Capability::HandleReviews)?;
    let review = found(database, actor, id).await?;
    if review.case_id.is_some() {
        return Err(AppError::Conflict {
            code: "review_has_case",
            message: "the review already has its case".into(),
            details: json!({ "case_id": review.case_id }),
        });
    }
    let number = order_number.trim();
    orders::find_by_number(&database.reader, &actor.shop.id, number)
        .await?
        .ok_or_else(|| {
            AppError::invalid("order_number", format!("no order '{number}' in this shop"))
        })?;
    let settings = settings::get(database, &actor.shop.id).await?;
    let grade = Grade::parse(&review.grade).unwrap_or(Grade::Negative);
    if !settings.reviews.opens_case(grade) {
        return Err(AppError::invalid(
            "order_number",
            "this review's grade opens no case (settings: reviews.open_case_at)",
        ));
    }
    open_case(database, actor, &review, number).await?;
    found(database, actor, id).await
}

/// Records what the buyer said when contacted; on the case's timeline.
pub async fn record_outcome(
    database: &Database,
    actor: &Actor,
    id: &str,
    outcome: &str,
) -> AppResult<ReviewRecord> {
    AppError::require(actor.role, Capability::HandleReviews)?;
    let outcome = Outcome::parse(outcome.trim()).ok_or_else(|| {
        AppError::invalid(
            "outcome",
            format!("outcome '{outcome}' is not one of revised, declined, unreachable"),
        )
    })?;
    let review = found(database, actor, id).await?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    reviews::record_outcome(&mut transaction, &review.id, outcome.as_str(), now).await?;
    timeline(
        &mut transaction,
        actor,
        &review,
        "review_outcome",
        json!({ "review_id": review.id, "outcome": outcome }),
        now,
    )
    .await?;
    transaction.commit().await?;
    found(database, actor, id).await
}

/// An event on the review's case, if it has one.
async fn timeline(
    transaction: &mut crate::db::Transaction,
    actor: &Actor,
    review: &ReviewRecord,
    action: &str,
    data: serde_json::Value,
    now: i64,
) -> AppResult<()> {
    match &review.case_id {
        Some(case_id) => super::record_event(transaction, actor, case_id, action, data, now).await,
        None => Ok(()),
    }
}

/// The explanation reply drafted from the shop's template `name`, filled for this review.
pub async fn draft(database: &Database, actor: &Actor, id: &str, name: &str) -> AppResult<String> {
    let review = found(database, actor, id).await?;
    let settings = settings::get(database, &actor.shop.id).await?;
    let template = settings
        .reviews
        .explanation_templates
        .iter()
        .find(|template| template.name == name.trim())
        .ok_or_else(|| {
            AppError::invalid(
                "template",
                format!("the shop has no template named '{name}'"),
            )
        })?;
    let customer = review.reviewer.clone().unwrap_or_default();
    Ok(crate::domain::reviews::draft(
        &template.body,
        review.product_title.as_deref().unwrap_or(&review.product),
        &actor.shop.name,
        &customer,
    ))
}

/// Stores the explanation reply (at most 500 characters, Taobao's limit); a posted one stays.
pub async fn explain(
    database: &Database,
    actor: &Actor,
    id: &str,
    text: &str,
) -> AppResult<ReviewRecord> {
    AppError::require(actor.role, Capability::HandleReviews)?;
    let text = text.trim();
    let length = text.chars().count();
    if length == 0 || length > EXPLANATION_LIMIT {
        return Err(AppError::invalid(
            "text",
            format!(
                "the explanation must have 1 to {EXPLANATION_LIMIT} characters (it has {length})"
            ),
        ));
    }
    let review = found(database, actor, id).await?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    if !reviews::explain(
        &mut transaction,
        &review.id,
        text,
        actor.staff_id.as_deref(),
        now,
    )
    .await?
    {
        return Err(AppError::Conflict {
            code: "explanation_posted",
            message: "the explanation was posted on the platform already and is kept as posted"
                .into(),
            details: json!({}),
        });
    }
    timeline(
        &mut transaction,
        actor,
        &review,
        "review_explained",
        json!({ "review_id": review.id, "text": text }),
        now,
    )
    .await?;
    transaction.commit().await?;
    found(database, actor, id).await
}

/// The explanation was posted on the platform.
pub async fn mark_posted(database: &Database, actor: &Actor, id: &str) -> AppResult<ReviewRecord> {
    AppError::require(actor.role, Capability::HandleReviews)?;
    let review = found(database, actor, id).await?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    if !reviews::mark_posted(&mut transaction, &review.id, now).await? {
        return Err(AppError::Conflict {
            code: "nothing_to_post",
            message: match review.posted_at {
                Some(_) => "the explanation was marked posted already",
                None => "the review has no explanation to post: write one first",
            }
            .into(),
            details: json!({}),
        });
    }
    timeline(
        &mut transaction,
        actor,
        &review,
        "review_explanation_posted",
        json!({ "review_id": review.id }),
        now,
    )
    .await?;
    transaction.commit().await?;
    found(database, actor, id).await
}

/// Per product and month over `[from, to)`: reviews, mean stars, grades, the improved ones.
pub async fn statistics(
    database: &Database,
    actor: &Actor,
    from: i64,
    to: i64,
) -> AppResult<Vec<ProductMonth>> {
    if actor.role == Role::Customer {
        return Err(AppError::Forbidden(
            "customers cannot read statistics".into(),
        ));
    }
    let rows = reviews::counted(&database.reader, &actor.shop.id, from, to).await?;
    let zone = &actor.shop.time_zone;
    Ok(crate::domain::reviews::tally(rows.iter().map(|row| {
        let date = local_date(row.reviewed_at, zone);
        Tallied {
            product: &row.product,
            month: format!("{:04}-{:02}", date.year(), date.month()),
            rating: row.rating.and_then(|rating| u8::try_from(rating).ok()),
            grade: Grade::parse(&row.grade).unwrap_or(Grade::Negative),
            first_grade: Grade::parse(&row.first_grade).unwrap_or(Grade::Negative),
        }
    })))
}

const HEADER: [&str; 12] = [
    "平台 Platform",
    "评价 Review",
    "订单号 Order",
    "商品 Product",
    "星级 Rating",
    "评价结果 Grade",
    "评价内容 Text",
    "评价时间 Reviewed at",
    "工单 Case",
    "回访结果 Outcome",
    "评价解释 Explanation",
    "已发布 Posted at",
];

fn row(zone: &jiff::tz::TimeZone, review: ReviewRecord) -> Vec<String> {
    vec![
        review.platform,
        review.external_id.unwrap_or_default(),
        review.order_number.unwrap_or_default(),
        review.product_title.unwrap_or(review.product),
        review
            .rating
            .map(|rating| rating.to_string())
            .unwrap_or_default(),
        review.grade,
        review.text,
        format_in_zone(review.reviewed_at, zone),
        review.case_number.unwrap_or_default(),
        review.outcome.unwrap_or_default(),
        review.explanation.unwrap_or_default(),
        review
            .posted_at
            .map(|at| format_in_zone(at, zone))
            .unwrap_or_default(),
    ]
}
