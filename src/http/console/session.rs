//! Signing in and out, and switching shops. Passwords are argon2 hashes; guesses are limited
//! per source address and per account and address, and slowed per account, never locking the
//! owner out (`operations::limits`); an unknown address answers like a wrong password, as
//! slowly. The sign-in form is protected by a double-submit token.

use std::collections::HashMap;

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::form::{Empty, Posted};
use super::{COOKIE, PageError, PageResult, cookie};
use crate::db::staff_sessions::{self, NewSession};
use crate::domain::identifiers::ShopId;
use crate::domain::signing::token_hash;
use crate::http::pages::{ClientAddress, render};
use crate::i18n::Language;
use crate::operations::limits::{self, Verdict};
use crate::state::AppState;

/// A hash of a password no one knows, verified when the address is unknown, so that an unknown
/// address takes as long to refuse as a wrong password.
static UNKNOWN_ACCOUNT_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("a 16-byte salt encodes");
    argon2::Argon2::default()
        .hash_password(&rand::random::<[u8; 32]>(), &salt)
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});
/// A session lasts a working day and a half.
const SESSION_MICROS: i64 = 12 * 3_600_000_000;
const LOGIN_CSRF: &str = "login_csrf";

fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    language: Language,
    csrf: String,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

/// Only paths inside the console are followed after signing in.
fn safe_next(next: Option<&str>) -> String {
    next.filter(|path| path.starts_with("/console") && !path.starts_with("//"))
        .unwrap_or("/console")
        .to_string()
}

fn login_response(page: &LoginPage, status: StatusCode) -> Response {
    let mut response = render(page, status, page.language);
    let cookie = format!(
        "{LOGIN_CSRF}={}; Path=/login; HttpOnly; SameSite=Strict",
        page.csrf
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Remembers a language chosen with `?lang=` for the console's pages.
pub(super) fn with_language(mut response: Response, lang: Option<&str>) -> Response {
    if let Some(language) = lang.and_then(Language::parse)
        && let Ok(value) = HeaderValue::from_str(&format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            language.code()
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub(super) async fn login_page(Query(query): Query<LoginQuery>, headers: HeaderMap) -> Response {
    let language = Language::choose(query.lang.as_deref(), &headers);
    let page = LoginPage {
        language,
        csrf: random_token(),
        email: String::new(),
        next: safe_next(query.next.as_deref()),
        error: None,
    };
    login_response(&page, StatusCode::OK)
}

pub(super) async fn login(
    State(state): State<AppState>,
    Query(query): Query<LoginQuery>,
    ClientAddress(source): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let language = Language::choose(query.lang.as_deref(), &headers);
    let email = form
        .get("email")
        .map(|email| email.trim().to_lowercase())
        .unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let next = safe_next(form.get("next").map(String::as_str));
    let refuse = |key: &str, status: StatusCode| {
        let page = LoginPage {
            language,
            csrf: random_token(),
            email: email.clone(),
            next: next.clone(),
            error: Some(language.text(key)),
        };
        Ok(login_response(&page, status))
    };
    let sent = form.get("csrf").map(String::as_str).unwrap_or_default();
    if sent.is_empty() || cookie(&headers, LOGIN_CSRF) != Some(sent) {
        return refuse("console-login-expired", StatusCode::FORBIDDEN);
    }
    let database = &state.database;
    let now = state.clock.now();
    match limits::sign_in_attempt(database, &email, source).await? {
        Verdict::Refuse => return refuse("console-login-locked", StatusCode::TOO_MANY_REQUESTS),
        Verdict::Slow(delay) => tokio::time::sleep(delay).await,
        Verdict::Go => {}
    }
    let found = staff_sessions::credentials(&database.reader, &email).await?;
    // An unknown address costs the same as a wrong password: the same hash work either way.
    let hash = found
        .as_ref()
        .map(|(_, _, hash)| hash.clone())
        .unwrap_or_else(|| UNKNOWN_ACCOUNT_HASH.clone());
    let verified = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
        && found.is_some();
    let shops = match (&found, verified) {
        (Some((staff_id, _, _)), true) => {
            let shops = staff_sessions::shops_of(&database.writer, staff_id).await?;
            if shops.is_empty() {
                // An account made by an invitation: signing in with its password accepts it.
                crate::operations::settings::join_on_first_sign_in(database, staff_id).await?;
                staff_sessions::shops_of(&database.writer, staff_id).await?
            } else {
                shops
            }
        }
        _ => Vec::new(),
    };
    let (Some((staff_id, _, _)), Some((shop, _))) = (found, shops.first()) else {
        limits::sign_in_outcome(database, &email, source, false).await?;
        return refuse("console-login-failed", StatusCode::UNAUTHORIZED);
    };
    limits::sign_in_outcome(database, &email, source, true).await?;
    let token = random_token();
    staff_sessions::insert(
        database,
        &NewSession {
            id: &token_hash(&token),
            staff_id: &staff_id,
            shop_id: &shop.id,
            csrf_token: &random_token(),
            now,
            expires_at: now + SESSION_MICROS,
        },
    )
    .await?;
    let mut response = crate::http::pages::redirect(&next).into_response();
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
        SESSION_MICROS / 1_000_000
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

pub(super) async fn logout(
    State(state): State<AppState>,
    Posted { staff, .. }: Posted<Empty>,
) -> PageResult {
    staff_sessions::delete(&state.database, &staff.session_id).await?;
    let mut response = crate::http::pages::redirect("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("staff_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub(super) struct ShopForm {
    #[serde(default)]
    shop_id: String,
}

#[derive(Deserialize)]
pub(super) struct InvitationPath {
    shop: String,
}

/// Accepts a shop's invitation: the person works there from now on (and is taken there).
pub(super) async fn accept_invitation(
    State(state): State<AppState>,
    axum::extract::Path(InvitationPath { shop }): axum::extract::Path<InvitationPath>,
    Posted { staff, .. }: Posted<Empty>,
) -> PageResult {
    let shop = ShopId::from(shop);
    crate::operations::settings::accept_invitation(&state.database, &staff.staff_id, &shop).await?;
    staff_sessions::set_shop(&state.database, &staff.session_id, &shop).await?;
    Ok(crate::http::pages::redirect("/console").into_response())
}

/// Declines a shop's invitation.
pub(super) async fn decline_invitation(
    State(state): State<AppState>,
    axum::extract::Path(InvitationPath { shop }): axum::extract::Path<InvitationPath>,
    Posted { staff, .. }: Posted<Empty>,
) -> PageResult {
    crate::operations::settings::decline_invitation(
        &state.database,
        &staff.staff_id,
        &ShopId::from(shop),
    )
    .await?;
    Ok(crate::http::pages::redirect("/console").into_response())
}

/// Works in another of the person's shops from now on.
pub(super) async fn switch_shop(
    State(state): State<AppState>,
    Posted { staff, form }: Posted<ShopForm>,
) -> PageResult {
    let wanted = ShopId::from(form.shop_id);
    let shops = staff_sessions::shops_of(&state.database.reader, &staff.staff_id).await?;
    if !shops.iter().any(|(shop, _)| shop.id == wanted) {
        return Err(PageError::said(
            StatusCode::FORBIDDEN,
            "console-shop-not-yours",
        ));
    }
    staff_sessions::set_shop(&state.database, &staff.session_id, &wanted).await?;
    Ok(crate::http::pages::redirect("/console").into_response())
}
