//! Signing in to an order: the find form, the rate limit on wrong guesses, and the signed
//! cookie (and links) that carry the sign-in.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::*;
use crate::db::shops::Shop;
use crate::db::{Database, customers, orders};
use crate::domain::identifiers::ShopId;
use crate::domain::identifiers::{EmailAddress, PhoneNumber};
use crate::error::AppError;
use crate::http::pages::ClientAddress;
use crate::i18n::Language;
use crate::operations::limits::{self, Verdict};
use crate::operations::portal_tokens;
use crate::state::AppState;

pub(super) const COOKIE: &str = "portal_session";
/// How long a sign-in lasts in the browser.
const SESSION_MICROS: i64 = 7 * 24 * 3_600_000_000;

#[derive(Template)]
#[template(path = "portal/find.html")]
struct FindPage {
    page: Page,
    error: Option<String>,
    order_number: String,
    contact: String,
}

pub(super) async fn find_page(
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

#[derive(Deserialize)]
pub(super) struct FindForm {
    #[serde(default)]
    order_number: String,
    #[serde(default)]
    contact: String,
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

/// Whether `given` fits a masked phone (`138****5678`): as many digits, each shown one the same.
/// An encrypted one (`##…`) fits nothing.
fn masked_matches(given: &str, masked: &str) -> bool {
    let Ok(given) = PhoneNumber::parse(given) else {
        return false;
    };
    let pattern: Vec<char> = masked
        .chars()
        .filter(|character| character.is_ascii_digit() || *character == '*')
        .collect();
    let digits: Vec<char> = given.national().chars().collect();
    let shown = pattern
        .iter()
        .filter(|character| **character != '*')
        .count();
    shown >= 6
        && pattern.len() == digits.len()
        && pattern
            .iter()
            .zip(&digits)
            .all(|(expected, digit)| *expected == '*' || expected == digit)
}

pub(super) async fn find(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<LanguageQuery>,
    ClientAddress(source): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<FindForm>,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let language = Language::choose(query.lang.as_deref(), &headers);
    // Forgiving of spaces a customer copies along (and of letter case and a leading #, below).
    let order_number: String = form
        .order_number
        .chars()
        .filter(|character| !character.is_whitespace())
        .collect();
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
    match limits::lookup_attempt(&state.database, &shop.id, &order_number, source).await? {
        Verdict::Refuse => return Ok(refuse("portal-too-many", StatusCode::TOO_MANY_REQUESTS)),
        Verdict::Slow(delay) => tokio::time::sleep(delay).await,
        Verdict::Go => {}
    }
    let order = if order_number.is_empty() || order_number.len() > 64 {
        None
    } else {
        find_forgiving(&state, &shop.id, &order_number).await?
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
        // Only the platform's masked phone: a phone that fits its visible digits.
        (Some(order), None) => order
            .contact_masked
            .as_deref()
            .is_some_and(|masked| masked_matches(&form.contact, masked)),
        _ => false,
    };
    let Some(order) = order.filter(|_| matched) else {
        limits::lookup_outcome(&state.database, &shop.id, &order_number, source, false).await?;
        // The same answer whether the order is unknown or the contact is wrong.
        return Ok(refuse("portal-not-found", StatusCode::UNPROCESSABLE_ENTITY));
    };
    limits::lookup_outcome(&state.database, &shop.id, &order_number, source, true).await?;
    let cookie = portal_tokens::sign(&state.database, &shop.id, &order.id, SESSION_MICROS).await?;
    let mut response = crate::http::pages::redirect(&format!(
        "/portal/{}/orders/{}",
        shop.slug,
        crate::http::pages::url_encode(&order.order_number)
    ))
    .into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(&shop, &cookie)?);
    Ok(response)
}

/// The order this browser is signed in to in this shop, if the cookie is genuine and fresh.
pub(super) async fn session_order(
    database: &Database,
    shop_id: &ShopId,
    headers: &HeaderMap,
) -> Result<Option<String>, AppError> {
    let Some(value) = crate::http::pages::cookie(headers, COOKIE) else {
        return Ok(None);
    };
    portal_tokens::verify(database, shop_id, value).await
}

/// The session cookie for this shop's portal.
fn session_cookie(shop: &Shop, value: &str) -> Result<HeaderValue, AppError> {
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/portal/{}; Max-Age=604800; HttpOnly; SameSite=Lax",
        shop.slug
    ))
    .map_err(|error| AppError::Internal(error.into()))
}

#[derive(Deserialize)]
pub(super) struct EnterQuery {
    case: Option<String>,
    lang: Option<String>,
}

/// A signed link from a notification: signs in to the order and opens it (or the case).
pub(super) async fn enter(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    Query(query): Query<EnterQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let shop = shop_by_slug(&state.database, &slug).await?;
    let language = Language::choose(query.lang.as_deref(), &headers);
    let order = match portal_tokens::verify(&state.database, &shop.id, &token).await? {
        Some(order_id) => orders::get(&state.database.reader, &shop.id, &order_id).await?,
        None => None,
    };
    let Some(order) = order else {
        let page = FindPage {
            page: page(&state, &shop, language).await?,
            error: Some(language.text("portal-link-expired")),
            order_number: String::new(),
            contact: String::new(),
        };
        return Ok(render(&page, StatusCode::UNAUTHORIZED, language));
    };
    let cookie = portal_tokens::sign(&state.database, &shop.id, &order.id, SESSION_MICROS).await?;
    let target = match query.case {
        Some(number) => format!(
            "/portal/{}/cases/{}",
            shop.slug,
            crate::http::pages::url_encode(&number)
        ),
        None => format!(
            "/portal/{}/orders/{}",
            shop.slug,
            crate::http::pages::url_encode(&order.order_number)
        ),
    };
    let mut response = crate::http::pages::redirect(&target).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(&shop, &cookie)?);
    Ok(response)
}

/// The order a customer means: the number as typed, else in capitals or small letters, else with
/// or without a leading `#` (Shopify's "#1001") — each an exact look-up on the shop's index.
async fn find_forgiving(
    state: &AppState,
    shop_id: &crate::domain::identifiers::ShopId,
    typed: &str,
) -> Result<Option<orders::OrderRecord>, AppError> {
    let bare = typed.trim_start_matches('#');
    let mut tries = vec![
        typed.to_string(),
        typed.to_uppercase(),
        typed.to_lowercase(),
        bare.to_string(),
        bare.to_uppercase(),
        format!("#{bare}"),
    ];
    tries.dedup();
    let mut seen = std::collections::HashSet::new();
    for number in tries
        .into_iter()
        .filter(|number| seen.insert(number.clone()))
    {
        if let Some(order) =
            orders::find_by_number(&state.database.reader, shop_id, &number).await?
        {
            return Ok(Some(order));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_phone_lets_in_only_a_phone_that_fits_it() {
        assert!(masked_matches("13812345678", "138****5678"));
        assert!(masked_matches("+86 138 1234 5678", "138****5678"));
        assert!(!masked_matches("13912345678", "138****5678"));
        assert!(!masked_matches("1381234567", "138****5678"));
        assert!(!masked_matches("13812345678", "##c2f1a0"));
        // Too little shown to tell one buyer from another.
        assert!(!masked_matches("13812345678", "1**********"));
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
