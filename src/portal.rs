//! The customer portal: find an order with its number and the phone or e-mail on it, then see
//! its after-sales requests, their progress and return labels. Server-rendered (askama), zh-CN
//! first with an English switch, usable without JavaScript.
//!
//! A customer is signed in to one order by a cookie signed with the server's secret (HMAC-SHA256,
//! 7 days). A wrong phone and an unknown order get the same answer, and failed attempts are
//! limited per address and per order number.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::api::AppState;
use crate::db::case_list::{self, CaseFilter, CaseSort};
use crate::db::shops::{self, Shop};
use crate::db::{Database, cases, customers, orders};
use crate::documents::label::Size;
use crate::domain::identifiers::{EmailAddress, PhoneNumber};
use crate::domain::lifecycle::{Moment, allowed_actions};
use crate::domain::time::{format_in_zone, now_micros};
use crate::domain::{Action, Role};
use crate::error::AppError;
use crate::i18n::Language;
use crate::operations::cases::Visibility;
use crate::operations::cases::{CaseLineInput, ContactInput, NewCaseInput};
use crate::operations::labels;
use crate::operations::transitions::{self, TransitionInput};

const COOKIE: &str = "portal_session";
const SESSION_MICROS: i64 = 7 * 24 * 3_600_000_000;
/// Failed attempts allowed per address (and per order number) in the window.
pub const ATTEMPTS: usize = 10;
const WINDOW: Duration = Duration::from_secs(15 * 60);

pub fn router() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/portal", get(choose_shop))
        .route("/portal/{shop}", get(find_page).post(find))
        .route("/portal/{shop}/orders/{number}", get(order_page))
        .route(
            "/portal/{shop}/orders/{number}/requests",
            axum::routing::post(ask_for_help),
        )
        .route("/portal/{shop}/cases/{number}", get(case_page))
        .route(
            "/portal/{shop}/cases/{number}/actions",
            axum::routing::post(case_action),
        )
        .route(
            "/portal/{shop}/cases/{number}/messages",
            axum::routing::post(case_message),
        )
        .route(
            "/portal/{shop}/cases/{number}/rating",
            axum::routing::post(rate),
        )
        .route("/portal/{shop}/cases/{number}/label.pdf", get(case_label))
}

/// What every page shows: the shop, the language.
#[derive(Clone)]
pub struct Page {
    pub language: Language,
    pub shop_name: String,
    pub shop_slug: String,
    /// The shop's colour for the header (`#rrggbb`), its logo and FAQ.
    pub colour: String,
    pub logo_url: Option<String>,
    pub faq_url: Option<String>,
}

/// The frame of a page for this shop, with its branding.
async fn page(state: &AppState, shop: &Shop, language: Language) -> Result<Page, AppError> {
    let branding = crate::db::settings::get(&state.database, &shop.id)
        .await?
        .branding
        .clone();
    Ok(Page {
        language,
        shop_name: shop.name.clone(),
        shop_slug: shop.slug.clone(),
        colour: branding.colour.unwrap_or_else(|| "#0f766e".into()),
        logo_url: branding.logo_url,
        faq_url: branding.faq_url,
    })
}

impl Page {
    pub fn t(&self, key: &str) -> String {
        self.language.text(key)
    }
}

#[derive(Template)]
#[template(path = "portal/find.html")]
struct FindPage {
    page: Page,
    error: Option<String>,
    order_number: String,
    contact: String,
}

struct CaseRow {
    number: String,
    kind: String,
    status: String,
}

struct ItemRow {
    line_number: i64,
    name: String,
    quantity: i64,
    /// What the customer typed (kept when the form comes back with an error).
    chosen: i64,
}

#[derive(Template)]
#[template(path = "portal/order.html")]
struct OrderPage {
    page: Page,
    heading: String,
    order_number: String,
    items: Vec<ItemRow>,
    cases: Vec<CaseRow>,
    kinds: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    errors: Vec<String>,
    kind: String,
    reason: String,
    description: String,
}

/// What the customer typed in the request form.
#[derive(Default)]
struct Typed {
    quantities: HashMap<i64, i64>,
    kind: String,
    reason: String,
    description: String,
}

#[derive(Template)]
#[template(path = "portal/case.html")]
struct CasePage {
    page: Page,
    heading: String,
    number: String,
    kind: String,
    status: String,
    has_label: bool,
    timeline: Vec<(String, String)>,
    /// (when, who, text)
    messages: Vec<(String, String, String)>,
    errors: Vec<String>,
    version: i64,
    can_ship: bool,
    /// (action, button text)
    other_actions: Vec<(String, String)>,
    carrier: String,
    tracking_number: String,
    /// The customer's stars, once rated.
    rated: Option<i64>,
    /// The case has ended and is not rated yet.
    can_rate: bool,
}

fn render(template: &impl Template, status: StatusCode, language: Language) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            response.headers_mut().insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(language.code()),
            );
            response
        }
        Err(error) => AppError::Internal(anyhow::anyhow!("template: {error}")).into_response(),
    }
}

#[derive(Deserialize, Default)]
struct LanguageQuery {
    lang: Option<String>,
    order: Option<String>,
}

async fn shop_by_slug(database: &Database, slug: &str) -> Result<Shop, AppError> {
    shops::find_shop_by_slug(&database.reader, slug)
        .await?
        .ok_or(AppError::NotFound("shop"))
}

async fn choose_shop(State(state): State<AppState>) -> Result<Response, AppError> {
    let rows = sqlx::query("SELECT slug FROM shops ORDER BY created_at LIMIT 2")
        .fetch_all(&state.database.reader)
        .await?;
    match rows.first() {
        Some(row) if rows.len() == 1 => {
            let slug: String = row.try_get("slug")?;
            Ok(Redirect::to(&format!("/portal/{slug}")).into_response())
        }
        _ => Err(AppError::NotFound(
            "shop: open the portal at /portal/{shop}",
        )),
    }
}

async fn find_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let language = Language::choose(query.lang.as_deref(), &headers);
    let page = FindPage {
        page: page(&state, &shop, language).await?,
        error: None,
        order_number: query.order.unwrap_or_default(),
        contact: String::new(),
    };
    Ok(with_language_cookie(
        render(&page, StatusCode::OK, language),
        query.lang.as_deref(),
    ))
}

fn with_language_cookie(mut response: Response, chosen: Option<&str>) -> Response {
    if let Some(language) = chosen.and_then(Language::parse)
        && let Ok(value) = HeaderValue::from_str(&format!(
            "lang={}; Path=/portal; Max-Age=31536000; SameSite=Lax",
            language.code()
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize)]
struct FindForm {
    #[serde(default)]
    order_number: String,
    #[serde(default)]
    contact: String,
}

/// Failed attempts by key (address or order), for the rate limit.
static FAILURES: LazyLock<Mutex<HashMap<String, Vec<Instant>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn recent_failures(key: &str) -> usize {
    let mut failures = FAILURES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let list = failures.entry(key.to_string()).or_default();
    list.retain(|at| at.elapsed() < WINDOW);
    list.len()
}

fn record_failure(key: &str) {
    let mut failures = FAILURES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    failures
        .entry(key.to_string())
        .or_default()
        .push(Instant::now());
}

fn client_address(headers: &HeaderMap) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(',').next())
        .map(|value| value.trim().to_string())
        .unwrap_or_else(|| "direct".into())
}

/// Whether `given` is the phone or e-mail on the order's customer.
fn contact_matches(given: &str, phone: Option<&str>, email: Option<&str>) -> bool {
    let given = given.trim();
    if let (Ok(given), Some(phone)) = (PhoneNumber::parse(given), phone)
        && let Ok(stored) = PhoneNumber::parse(phone)
    {
        return given.national() == stored.national();
    }
    if let (Ok(given), Some(email)) = (EmailAddress::parse(given), email) {
        return given.as_str().eq_ignore_ascii_case(email.trim());
    }
    false
}

async fn find(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
    Form(form): Form<FindForm>,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let language = Language::choose(query.lang.as_deref(), &headers);
    let order_number = form.order_number.trim().to_string();
    let address_key = format!("address|{}|{}", shop.id, client_address(&headers));
    let order_key = format!("order|{}|{}", shop.id, order_number.to_lowercase());
    let frame = page(&state, &shop, language).await?;
    let refuse = |message_key: &str, status: StatusCode| {
        let page = FindPage {
            page: frame.clone(),
            error: Some(language.text(message_key)),
            order_number: form.order_number.clone(),
            contact: form.contact.clone(),
        };
        render(&page, status, language)
    };
    if recent_failures(&address_key) >= ATTEMPTS || recent_failures(&order_key) >= ATTEMPTS {
        return Ok(refuse("portal-too-many", StatusCode::TOO_MANY_REQUESTS));
    }
    let order = if order_number.is_empty() || order_number.len() > 64 {
        None
    } else {
        orders::find_by_number(&state.database.reader, &shop.id, &order_number).await?
    };
    let customer = match order.as_ref().and_then(|order| order.customer_id.clone()) {
        Some(id) => customers::get(&state.database.reader, &shop.id, &id).await?,
        None => None,
    };
    let matched = match (&order, &customer) {
        (Some(_), Some(customer)) => contact_matches(
            &form.contact,
            customer.phone.as_deref(),
            customer.email.as_deref(),
        ),
        _ => false,
    };
    let Some(order) = order.filter(|_| matched) else {
        record_failure(&address_key);
        record_failure(&order_key);
        // The same answer whether the order is unknown or the contact is wrong.
        return Ok(refuse("portal-not-found", StatusCode::UNPROCESSABLE_ENTITY));
    };
    let cookie = sign_session(&state.database, &shop.id, &order.id).await?;
    let mut response = Redirect::to(&format!(
        "/portal/{}/orders/{}",
        shop.slug,
        utf8_path(&order.order_number)
    ))
    .into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{COOKIE}={cookie}; Path=/portal/{}; Max-Age=604800; HttpOnly; SameSite=Lax",
            shop.slug
        ))
        .map_err(|error| AppError::Internal(error.into()))?,
    );
    Ok(response)
}

fn utf8_path(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.') {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// The server's signing key, created once and shared through the database by every instance.
async fn secret(database: &Database) -> Result<Vec<u8>, AppError> {
    let read = || async {
        sqlx::query("SELECT value FROM secrets WHERE name = 'portal'")
            .fetch_optional(&database.reader)
            .await
    };
    if let Some(row) = read().await? {
        let value: String = row.try_get("value")?;
        return hex::decode(value).map_err(|error| AppError::Internal(error.into()));
    }
    let fresh: [u8; 32] = rand::random();
    sqlx::query("INSERT INTO secrets (name, value, created_at) VALUES ('portal', $1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(hex::encode(fresh))
        .bind(now_micros())
        .execute(&database.writer)
        .await?;
    let row = sqlx::query("SELECT value FROM secrets WHERE name = 'portal'")
        .fetch_one(&database.writer)
        .await?;
    let value: String = row.try_get("value")?;
    hex::decode(value).map_err(|error| AppError::Internal(error.into()))
}

/// HMAC-SHA256 (RFC 2104).
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner_key: Vec<u8> = block.iter().map(|byte| byte ^ 0x36).collect();
    let outer_key: Vec<u8> = block.iter().map(|byte| byte ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&inner_key)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer_key)
        .chain_update(inner)
        .finalize()
        .into()
}

async fn sign_session(
    database: &Database,
    shop_id: &str,
    order_id: &str,
) -> Result<String, AppError> {
    let expires = now_micros() + SESSION_MICROS;
    let message = format!("{shop_id}|{order_id}|{expires}");
    let signature = hmac(&secret(database).await?, message.as_bytes());
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&message),
        hex::encode(signature)
    ))
}

/// The order this browser is signed in to in this shop, if the cookie is genuine and fresh.
async fn session_order(
    database: &Database,
    shop_id: &str,
    headers: &HeaderMap,
) -> Result<Option<String>, AppError> {
    let Some(value) = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            pair.trim()
                .strip_prefix("portal_session=")
                .map(str::to_string)
        })
    else {
        return Ok(None);
    };
    let Some((encoded, signature)) = value.split_once('.') else {
        return Ok(None);
    };
    let Ok(message) = URL_SAFE_NO_PAD.decode(encoded) else {
        return Ok(None);
    };
    let expected = hex::encode(hmac(&secret(database).await?, &message));
    if expected.len() != signature.len()
        || expected
            .bytes()
            .zip(signature.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0
    {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&message).into_owned();
    let parts: Vec<&str> = text.split('|').collect();
    match parts.as_slice() {
        [shop, order, expires]
            if *shop == shop_id && expires.parse::<i64>().is_ok_and(|at| at > now_micros()) =>
        {
            Ok(Some(order.to_string()))
        }
        _ => Ok(None),
    }
}

fn to_find(shop: &Shop, order_number: Option<&str>) -> Response {
    let query = order_number
        .map(|number| format!("?order={}", utf8_path(number)))
        .unwrap_or_default();
    Redirect::to(&format!("/portal/{}{query}", shop.slug)).into_response()
}

async fn order_page(
    State(state): State<AppState>,
    Path((slug, number)): Path<(String, String)>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let language = Language::choose(query.lang.as_deref(), &headers);
    let signed_in = session_order(&state.database, &shop.id, &headers).await?;
    let order = orders::find_by_number(&state.database.reader, &shop.id, &number).await?;
    let Some(order) = order.filter(|order| signed_in.as_deref() == Some(order.id.as_str())) else {
        return Ok(to_find(&shop, Some(&number)));
    };
    let page = order_view(
        &state,
        &shop,
        &order,
        language,
        Vec::new(),
        Typed::default(),
    )
    .await?;
    Ok(with_language_cookie(
        render(&page, StatusCode::OK, language),
        query.lang.as_deref(),
    ))
}

async fn order_view(
    state: &AppState,
    shop: &Shop,
    order: &orders::OrderRecord,
    language: Language,
    errors: Vec<String>,
    typed: Typed,
) -> Result<OrderPage, AppError> {
    let lines = orders::lines(&state.database.reader, &order.id).await?;
    let filter = CaseFilter {
        statuses: Vec::new(),
        open: None,
        kinds: Vec::new(),
        assignee: None,
        priority: None,
        reason_code: None,
        query: None,
        order_id: Some(order.id.clone()),
        customer_id: None,
        sla_breached: false,
        sort: CaseSort::CreatedAtDescending,
        after: None,
        limit: 100,
    };
    let records = case_list::list(
        &state.database.reader,
        state.database.backend,
        &shop.id,
        &filter,
    )
    .await?;
    let reasons = shops::list_reasons(&state.database.reader, &shop.id).await?;
    let kinds = [
        "return_and_refund",
        "refund_only",
        "exchange",
        "repair",
        "consultation",
        "complaint",
    ];
    Ok(OrderPage {
        heading: language.text_with("portal-order-heading", "number", &order.order_number),
        order_number: utf8_path(&order.order_number),
        items: lines
            .iter()
            .map(|line| ItemRow {
                line_number: line.line_number,
                name: line.product_name.clone(),
                quantity: line.quantity,
                chosen: typed
                    .quantities
                    .get(&line.line_number)
                    .copied()
                    .unwrap_or(0),
            })
            .collect(),
        cases: records
            .iter()
            .map(|case| CaseRow {
                number: case.number.clone(),
                kind: language.text(&format!("kind-{}", case.kind.as_str())),
                status: language.text(&format!("status-{}", case.status.as_str())),
            })
            .collect(),
        kinds: kinds
            .iter()
            .map(|kind| (kind.to_string(), language.text(&format!("kind-{kind}"))))
            .collect(),
        reasons: reasons
            .iter()
            .filter(|reason| reason.active)
            .map(|reason| {
                let name = match language {
                    Language::Chinese => reason.name_zh.clone(),
                    Language::English => reason.name_en.clone(),
                };
                (reason.code.clone(), name)
            })
            .collect(),
        errors,
        kind: typed.kind,
        reason: typed.reason,
        description: typed.description,
        page: page(state, shop, language).await?,
    })
}

/// Opens a request from the portal: the chosen items, kind, reason and description. What the
/// policy refuses comes back with its reasons, and everything typed is kept.
async fn ask_for_help(
    State(state): State<AppState>,
    Path((slug, number)): Path<(String, String)>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let language = Language::choose(query.lang.as_deref(), &headers);
    let signed_in = session_order(&state.database, &shop.id, &headers).await?;
    let order = orders::find_by_number(&state.database.reader, &shop.id, &number).await?;
    let Some(order) = order.filter(|order| signed_in.as_deref() == Some(order.id.as_str())) else {
        return Ok(to_find(&shop, Some(&number)));
    };
    let mut typed = Typed {
        kind: form.get("kind").cloned().unwrap_or_default(),
        reason: form.get("reason").cloned().unwrap_or_default(),
        description: form.get("description").cloned().unwrap_or_default(),
        ..Typed::default()
    };
    for (key, value) in &form {
        if let (Some(line), Ok(quantity)) = (
            key.strip_prefix("quantity_")
                .and_then(|line| line.parse::<i64>().ok()),
            value.trim().parse::<i64>(),
        ) && quantity > 0
        {
            typed.quantities.insert(line, quantity);
        }
    }
    let mut lines: Vec<CaseLineInput> = typed
        .quantities
        .iter()
        .map(|(line, quantity)| CaseLineInput {
            line_number: *line,
            quantity: Some(*quantity),
        })
        .collect();
    lines.sort_by_key(|line| line.line_number);
    let goods = !matches!(typed.kind.as_str(), "consultation" | "complaint");
    if goods && lines.is_empty() {
        let errors = vec![language.text("portal-ask-no-items")];
        let page = order_view(&state, &shop, &order, language, errors, typed).await?;
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, language));
    }
    let customer = match &order.customer_id {
        Some(id) => customers::get(&state.database.reader, &shop.id, id).await?,
        None => None,
    };
    let actor = shops::Actor {
        shop: shop.clone(),
        role: Role::Customer,
        staff_id: None,
    };
    let input = NewCaseInput {
        order_number: order.order_number.clone(),
        kind: typed.kind.clone(),
        reason_code: typed.reason.clone(),
        description: typed.description.clone(),
        lines: if goods { lines } else { Vec::new() },
        contact: ContactInput {
            name: customer.as_ref().map(|customer| customer.name.clone()),
            phone: customer
                .as_ref()
                .and_then(|customer| customer.phone.clone()),
            email: customer
                .as_ref()
                .and_then(|customer| customer.email.clone()),
        },
        priority: None,
        assignee_id: None,
        tags: Vec::new(),
        channel: Some("portal".into()),
    };
    match crate::operations::cases::create(&state.database, &actor, &input).await {
        Ok(created) => Ok(Redirect::to(&format!(
            "/portal/{}/cases/{}",
            shop.slug, created.case.number
        ))
        .into_response()),
        Err(error) => {
            let errors = match &error {
                AppError::Conflict {
                    code: "not_allowed_by_policy",
                    details,
                    ..
                } => {
                    let mut list = vec![language.text("portal-ask-refused")];
                    if let Some(reasons) = details
                        .get("reasons")
                        .and_then(|reasons| reasons.as_array())
                    {
                        list.extend(reasons.iter().filter_map(|reason| {
                            reason.get(language.code())?.as_str().map(str::to_string)
                        }));
                    }
                    list
                }
                AppError::Invalid { .. } | AppError::BadRequest { .. } => vec![error.to_string()],
                _ => return Err(error),
            };
            let page = order_view(&state, &shop, &order, language, errors, typed).await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, language))
        }
    }
}

/// The customer's case, if this browser is signed in to its order.
async fn customer_case(
    state: &AppState,
    shop: &Shop,
    number: &str,
    headers: &HeaderMap,
) -> Result<Option<cases::CaseRecord>, AppError> {
    let signed_in = session_order(&state.database, &shop.id, headers).await?;
    let case = cases::find_by_number(&state.database.reader, &shop.id, number).await?;
    Ok(case.filter(|case| signed_in.as_deref() == Some(case.order_id.as_str())))
}

async fn case_page(
    State(state): State<AppState>,
    Path((slug, number)): Path<(String, String)>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let language = Language::choose(query.lang.as_deref(), &headers);
    let Some(case) = customer_case(&state, &shop, &number, &headers).await? else {
        return Ok(to_find(&shop, None));
    };
    let page = case_view(
        &state,
        &shop,
        &case,
        language,
        Vec::new(),
        ShipTyped::default(),
    )
    .await?;
    Ok(with_language_cookie(
        render(&page, StatusCode::OK, language),
        query.lang.as_deref(),
    ))
}

/// The carrier and tracking number the customer typed.
#[derive(Default)]
struct ShipTyped {
    carrier: String,
    tracking_number: String,
}

async fn case_view(
    state: &AppState,
    shop: &Shop,
    case: &cases::CaseRecord,
    language: Language,
    errors: Vec<String>,
    typed: ShipTyped,
) -> Result<CasePage, AppError> {
    let events = cases::events(&state.database.reader, &case.id).await?;
    let when = |micros: i64| {
        let text = format_in_zone(micros, &shop.time_zone).replace('T', " ");
        text.chars().take(16).collect::<String>()
    };
    let timeline = events
        .iter()
        .filter_map(|event| {
            let status = event.to_status.as_ref()?;
            Some((when(event.at), language.text(&format!("status-{status}"))))
        })
        .collect();
    let messages = cases::messages(&state.database.reader, &case.id, false)
        .await?
        .into_iter()
        .map(|message| {
            let who = if message.author_role == "customer" {
                language.text("portal-you")
            } else {
                language.text("portal-shop")
            };
            (when(message.created_at), who, message.body)
        })
        .collect();
    let actions = allowed_actions(
        case.kind,
        case.status,
        Role::Customer,
        Moment {
            now: now_micros(),
            ended_at: case.ended_at,
        },
    );
    let rated: Option<i64> = sqlx::query("SELECT stars FROM ratings WHERE case_id = $1")
        .bind(&case.id)
        .fetch_optional(&state.database.reader)
        .await?
        .map(|row| row.try_get("stars"))
        .transpose()?;
    Ok(CasePage {
        can_rate: rated.is_none() && !case.status.is_open(),
        rated,
        heading: language.text_with("portal-case-heading", "number", &case.number),
        number: case.number.clone(),
        kind: language.text(&format!("kind-{}", case.kind.as_str())),
        status: language.text(&format!("status-{}", case.status.as_str())),
        has_label: case.kind.ships_back(),
        timeline,
        messages,
        errors,
        version: case.version,
        can_ship: actions.contains(&Action::ShipReturn),
        other_actions: actions
            .iter()
            .filter(|action| **action != Action::ShipReturn && **action != Action::Escalate)
            .map(|action| {
                (
                    action.as_str().to_string(),
                    language.text(&format!("portal-action-{}", action.as_str())),
                )
            })
            .collect(),
        carrier: typed.carrier,
        tracking_number: typed.tracking_number,
        page: page(state, shop, language).await?,
    })
}

fn customer(shop: &Shop) -> shops::Actor {
    shops::Actor {
        shop: shop.clone(),
        role: Role::Customer,
        staff_id: None,
    }
}

/// An action the customer takes on the case page: add the return's tracking number, cancel,
/// confirm the replacement arrived, close, reopen. The same guards as for staff apply.
async fn case_action(
    State(state): State<AppState>,
    Path((slug, number)): Path<(String, String)>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let language = Language::choose(query.lang.as_deref(), &headers);
    let Some(case) = customer_case(&state, &shop, &number, &headers).await? else {
        return Ok(to_find(&shop, None));
    };
    let field = |name: &str| {
        form.get(name)
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
    };
    let input = TransitionInput {
        action: field("action").unwrap_or_default(),
        version: field("version")
            .and_then(|value| value.parse().ok())
            .unwrap_or(case.version),
        reason: None,
        note: None,
        carrier: field("carrier"),
        tracking_number: field("tracking_number"),
    };
    match transitions::transition(&state.database, &customer(&shop), &case.id, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/portal/{}/cases/{}", shop.slug, case.number)).into_response(),
        ),
        Err(error) => {
            let message = match &error {
                AppError::Conflict {
                    code: "version_conflict",
                    ..
                } => language.text("portal-changed"),
                AppError::Invalid { .. }
                | AppError::BadRequest { .. }
                | AppError::Transition(_)
                | AppError::Conflict { .. } => error.to_string(),
                _ => return Err(error),
            };
            let typed = ShipTyped {
                carrier: field("carrier").unwrap_or_default(),
                tracking_number: field("tracking_number").unwrap_or_default(),
            };
            case_with_errors(&state, &shop, &case, language, vec![message], typed).await
        }
    }
}

async fn case_message(
    State(state): State<AppState>,
    Path((slug, number)): Path<(String, String)>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let language = Language::choose(query.lang.as_deref(), &headers);
    let Some(case) = customer_case(&state, &shop, &number, &headers).await? else {
        return Ok(to_find(&shop, None));
    };
    let body = form.get("body").cloned().unwrap_or_default();
    match crate::operations::cases::post_message(
        &state.database,
        &customer(&shop),
        &case.id,
        Visibility::Customer,
        &body,
    )
    .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/portal/{}/cases/{}", shop.slug, case.number)).into_response(),
        ),
        Err(error @ AppError::Invalid { .. }) => {
            let errors = vec![error.to_string()];
            case_with_errors(&state, &shop, &case, language, errors, ShipTyped::default()).await
        }
        Err(error) => Err(error),
    }
}

/// The case page again, with what went wrong and what the customer typed.
async fn case_with_errors(
    state: &AppState,
    shop: &Shop,
    case: &cases::CaseRecord,
    language: Language,
    errors: Vec<String>,
    typed: ShipTyped,
) -> Result<Response, AppError> {
    let page = case_view(state, shop, case, language, errors, typed).await?;
    Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, language))
}

/// 1–5 stars and a comment, once per case, after it has ended; recorded on the timeline.
async fn rate(
    State(state): State<AppState>,
    Path((slug, number)): Path<(String, String)>,
    Query(query): Query<LanguageQuery>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let language = Language::choose(query.lang.as_deref(), &headers);
    let Some(case) = customer_case(&state, &shop, &number, &headers).await? else {
        return Ok(to_find(&shop, None));
    };
    let stars = form
        .get("stars")
        .and_then(|value| value.trim().parse::<i64>().ok())
        .filter(|stars| (1..=5).contains(stars));
    let comment: String = form
        .get("comment")
        .map(|text| text.trim().chars().take(2000).collect())
        .unwrap_or_default();
    let Some(stars) = stars.filter(|_| !case.status.is_open()) else {
        return case_with_errors(
            &state,
            &shop,
            &case,
            language,
            vec![language.text("portal-rate-invalid")],
            ShipTyped::default(),
        )
        .await;
    };
    let now = now_micros();
    let mut transaction = state.database.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO ratings (case_id, shop_id, stars, comment, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(&case.id)
    .bind(&shop.id)
    .bind(stars)
    .bind(&comment)
    .bind(now)
    .execute(&mut *transaction)
    .await?
    .rows_affected();
    if inserted == 0 {
        drop(transaction);
        return case_with_errors(
            &state,
            &shop,
            &case,
            language,
            vec![language.text("portal-rate-twice")],
            ShipTyped::default(),
        )
        .await;
    }
    cases::insert_event(
        &mut transaction,
        &cases::NewEvent {
            shop_id: &shop.id,
            case_id: &case.id,
            at: now,
            actor_role: Role::Customer,
            actor_id: None,
            action: "rated",
            from_status: None,
            to_status: None,
            data: serde_json::json!({ "stars": stars, "comment": comment }),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(Redirect::to(&format!("/portal/{}/cases/{}", shop.slug, case.number)).into_response())
}

#[derive(Deserialize)]
struct LabelQuery {
    size: Option<String>,
}

async fn case_label(
    State(state): State<AppState>,
    Path((slug, number)): Path<(String, String)>,
    Query(query): Query<LabelQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let Some(case) = customer_case(&state, &shop, &number, &headers).await? else {
        return Ok(to_find(&shop, None));
    };
    let size = query
        .size
        .as_deref()
        .and_then(Size::parse)
        .unwrap_or(Size::A4);
    let pdf = labels::render(
        &state.database,
        &shop,
        &case,
        size,
        &labels::base_url(&headers),
    )
    .await?;
    Ok(crate::operations::labels::pdf_response(&case.number, pdf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2.
        let digest = hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(digest),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn contacts_match_by_national_phone_or_email() {
        assert!(contact_matches(
            "+86 138-0013-8000",
            Some("13800138000"),
            None
        ));
        assert!(contact_matches(
            "Wang@Example.com",
            None,
            Some("wang@example.com")
        ));
        assert!(!contact_matches("13800138001", Some("13800138000"), None));
        assert!(!contact_matches("", Some("13800138000"), Some("a@b.cn")));
    }
}
