//! The customer portal: find an order with its number and the phone or e-mail on it, then see
//! its after-sales requests, their progress and return labels. Server-rendered (askama), zh-CN
//! first with an English switch, usable without JavaScript.
//!
//! A customer is signed in to one order by a cookie signed with the server's secret (HMAC-SHA256,
//! 7 days). A wrong phone and an unknown order get the same answer, and failed attempts are
//! limited per address and per order number.

mod appointment;
mod case;
mod error;
pub use error::error_page;
mod help;
mod order;
mod session;
mod survey;
mod tracker;

use session::session_order;

use crate::db::shops::{self, Shop};
use crate::db::{Database, cases, orders};
use crate::domain::Role;
use crate::error::AppError;
use crate::http::pages::query_language;
pub(crate) use crate::http::pages::render;
use crate::i18n::Language;
use crate::state::AppState;
use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Multipart};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The largest form with files the portal reads: every file at its limit, and the fields.
const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

pub fn router() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/portal", get(choose_shop))
        .route(
            "/portal/{shop}",
            get(session::find_page).post(session::find),
        )
        .route("/portal/{shop}/enter/{token}", get(session::enter))
        .route("/help/{shop}", get(help::index))
        .route("/help/{shop}/search.json", get(help::suggestions))
        .route("/help/{shop}/{slug}", get(help::article))
        .route(
            "/help/{shop}/{slug}/feedback",
            axum::routing::post(help::feedback),
        )
        .route(
            "/portal/{shop}/orders/{number}/deflections",
            axum::routing::post(order::deflected).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/portal/{shop}/survey/{token}",
            get(survey::show).post(survey::submit),
        )
        .route("/portal/{shop}/orders/{number}", get(order::order_page))
        .route(
            "/portal/{shop}/orders/{number}/answers",
            axum::routing::post(order::answer),
        )
        .route(
            "/portal/{shop}/orders/{number}/requests",
            axum::routing::post(order::ask_for_help).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/portal/{shop}/cases/{number}/attachments",
            axum::routing::post(case::attach).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/portal/{shop}/cases/{number}/attachments/{id}",
            get(case::attachment),
        )
        .route(
            "/portal/{shop}/cases/{number}/offers/{id}",
            axum::routing::post(case::answer_offer),
        )
        .route("/portal/{shop}/cases/{number}", get(case::case_page))
        .route(
            "/portal/{shop}/cases/{number}/appointment",
            axum::routing::post(appointment::book),
        )
        .route(
            "/portal/{shop}/cases/{number}/appointment/cancel",
            axum::routing::post(appointment::cancel),
        )
        .route(
            "/portal/{shop}/cases/{number}/appointment.ics",
            get(appointment::calendar),
        )
        .route(
            "/portal/{shop}/cases/{number}/actions",
            axum::routing::post(case::case_action),
        )
        .route(
            "/portal/{shop}/cases/{number}/messages",
            axum::routing::post(case::case_message),
        )
        .route(
            "/portal/{shop}/cases/{number}/rating",
            axum::routing::post(case::rate),
        )
        .route(
            "/portal/{shop}/cases/{number}/label.pdf",
            get(case::case_label),
        )
        .layer(axum::middleware::from_fn(forms_are_ours))
        .layer(axum::middleware::from_fn(error::html_errors))
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
    /// The form token of this browser's sign-in (every form's action carries it).
    pub csrf: String,
}

tokio::task_local! {
    /// The form token of the request being answered, set by [`forms_are_ours`].
    static FORM_TOKEN: String;
}

/// The form token of a portal sign-in: derived from the session cookie, which only this
/// browser holds, so another site cannot know it.
fn form_token(session: &str) -> String {
    crate::domain::signing::token_hash(&format!("portal-form\n{session}"))
}

/// Cross-site request forgery: a form sent to the portal must come from the portal. Forms of a
/// signed-in browser carry its form token (in the action's query, so multipart bodies need not
/// be read first); the order lookup, which has no sign-in yet, is refused when the browser says
/// it comes from another site.
pub async fn forms_are_ours(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let token = crate::http::pages::cookie(request.headers(), session::COOKIE)
        .map(form_token)
        .unwrap_or_default();
    if request.method() == axum::http::Method::POST {
        let cross_site = request
            .headers()
            .get("sec-fetch-site")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|site| site == "cross-site");
        let is_lookup = request
            .uri()
            .path()
            .trim_end_matches('/')
            .matches('/')
            .count()
            <= 2;
        let sent = request.uri().query().and_then(|query| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix("csrf="))
                .map(str::to_string)
        });
        // A survey's page is opened by its signed link, without a sign-in: the link is the key.
        let is_survey = request.uri().path().split('/').nth(3) == Some("survey");
        // The help pages' "was this helpful?" is anyone's to answer: there is no sign-in.
        let is_help = request.uri().path().starts_with("/help/");
        let genuine = is_lookup
            || is_survey
            || is_help
            || (!token.is_empty() && sent.as_deref() == Some(token.as_str()));
        if cross_site || !genuine {
            let language = Language::choose(None, request.headers());
            return AppError::Forbidden(language.text("portal-form-expired")).into_response();
        }
    }
    FORM_TOKEN.scope(token, next.run(request)).await
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
        csrf: FORM_TOKEN.try_with(String::clone).unwrap_or_default(),
    })
}

impl Page {
    pub fn t(&self, key: &str) -> String {
        self.language.text(key)
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
    let slugs = shops::first_slugs(&state.database.reader, 2).await?;
    match slugs.as_slice() {
        [slug] => Ok(crate::http::pages::redirect(&format!("/portal/{slug}")).into_response()),
        _ => Err(AppError::NotFound(
            "shop: open the portal at /portal/{shop}",
        )),
    }
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

fn to_find(shop: &Shop, order_number: Option<&str>) -> Response {
    let query = order_number
        .map(|number| format!("?order={}", crate::http::pages::url_encode(number)))
        .unwrap_or_default();
    crate::http::pages::redirect(&format!("/portal/{}{query}", shop.slug)).into_response()
}

/// The shop named in the path, the path's other parts and the reader's language.
async fn visitor(
    parts: &mut Parts,
    state: &AppState,
) -> Result<(Shop, HashMap<String, String>, Language), Response> {
    let Path(path) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let slug = path.get("shop").map(String::as_str).unwrap_or_default();
    let shop = shop_by_slug(&state.database, slug)
        .await
        .map_err(IntoResponse::into_response)?;
    let language = Language::choose(query_language(parts.uri.query()), &parts.headers);
    Ok((shop, path, language))
}

/// The order named in the path (`{shop}`, `{number}`), when this browser is signed in to it,
/// with its shop and the reader's language. Anyone else is sent to the shop's find page (with the
/// number filled in); an unknown shop is a 404.
pub struct CustomerOrder {
    pub shop: Shop,
    pub order: orders::OrderRecord,
    pub language: Language,
}

impl FromRequestParts<AppState> for CustomerOrder {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (shop, path, language) = visitor(parts, state).await?;
        let number = path.get("number").map(String::as_str).unwrap_or_default();
        let signed_in = session_order(&state.database, &shop.id, &parts.headers)
            .await
            .map_err(IntoResponse::into_response)?;
        let order = orders::find_by_number(&state.database.reader, &shop.id, number)
            .await
            .map_err(|error| AppError::from(error).into_response())?;
        match order.filter(|order| signed_in.as_deref() == Some(order.id.as_str())) {
            Some(order) => Ok(CustomerOrder {
                shop,
                order,
                language,
            }),
            None => Err(to_find(&shop, Some(number))),
        }
    }
}

/// The case named in the path (`{shop}`, `{number}`), when this browser is signed in to its
/// order, with its shop and the reader's language. Anyone else is sent to the shop's find page;
/// an unknown shop is a 404.
pub struct CustomerCase {
    pub shop: Shop,
    pub case: cases::CaseRecord,
    pub language: Language,
}

impl FromRequestParts<AppState> for CustomerCase {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (shop, path, language) = visitor(parts, state).await?;
        let number = path.get("number").map(String::as_str).unwrap_or_default();
        match customer_case(state, &shop, number, &parts.headers)
            .await
            .map_err(IntoResponse::into_response)?
        {
            Some(case) => Ok(CustomerCase {
                shop,
                case,
                language,
            }),
            None => Err(to_find(&shop, None)),
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

fn customer(shop: &Shop) -> shops::Actor {
    shops::Actor {
        shop: shop.clone(),
        role: Role::Customer,
        staff_id: None,
    }
}
