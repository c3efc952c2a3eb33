//! API tokens in the console: one's own (every role), every token of the shop (admins); made
//! with the secret shown this once, revoked at once. The same operations as the API and CLI.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::form::{Empty, Posted};
use super::{Frame, PageResult, Staff, error_text};
use crate::db::tokens::TokenRecord;
use crate::domain::permissions::{Capability, allows};
use crate::http::pages::{minutes, render};
use crate::operations::tokens::{self, TokenRequest};
use crate::state::AppState;

/// A token as a row: never the token itself.
pub struct Row {
    pub id: String,
    pub name: String,
    pub role: String,
    pub owner: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub revoked: String,
}

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct TokensPage {
    frame: Frame,
    is_admin: bool,
    rows: Vec<Row>,
    /// The token just made, shown this once.
    made: Option<String>,
    error: Option<String>,
    /// What was typed, kept when refused.
    name: String,
    expires_in_days: String,
}

fn row(staff: &Staff, record: TokenRecord) -> Row {
    let zone = &staff.actor.shop.time_zone;
    let when = |at: Option<i64>| at.map(|at| minutes(at, zone)).unwrap_or_default();
    Row {
        role: staff.language.text(&format!("role-{}", record.role)),
        owner: record
            .staff_email
            .unwrap_or_else(|| staff.language.text("tokens-shop-owned")),
        created: minutes(record.created_at, zone),
        expires: when(record.expires_at),
        last_used: when(record.last_used_at),
        revoked: when(record.revoked_at),
        name: record.name,
        id: record.id,
    }
}

async fn page(
    state: &AppState,
    staff: &Staff,
    made: Option<String>,
    error: Option<String>,
    typed: &TokenForm,
) -> PageResult {
    let rows = tokens::list(&state.database, &staff.actor)
        .await?
        .into_iter()
        .map(|record| row(staff, record))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = TokensPage {
        frame: Frame::new(state, staff, "tokens").await?,
        is_admin: allows(staff.role(), Capability::ManageStaff),
        rows,
        made,
        error,
        name: typed.name.clone().unwrap_or_default(),
        expires_in_days: typed.expires_in_days.clone().unwrap_or_default(),
    };
    Ok(render(&view, status, staff.language))
}

pub(super) async fn tokens_page(State(state): State<AppState>, staff: Staff) -> PageResult {
    page(&state, &staff, None, None, &TokenForm::default()).await
}

#[derive(Deserialize, Default)]
pub(super) struct TokenForm {
    name: Option<String>,
    expires_in_days: Option<String>,
    for_shop: Option<String>,
}

/// Makes a token with the signed-in person's role (or the shop's own, by an admin) and shows
/// it this once.
pub(super) async fn create(
    State(state): State<AppState>,
    Posted { staff, form }: Posted<TokenForm>,
) -> PageResult {
    let expires = form
        .expires_in_days
        .as_deref()
        .map(str::trim)
        .filter(|days| !days.is_empty());
    let expires_in_days = match expires.map(str::parse::<i64>) {
        None => None,
        Some(Ok(days)) => Some(days),
        Some(Err(_)) => Some(0),
    };
    let request = TokenRequest {
        name: form.name.clone().unwrap_or_default(),
        role: None,
        expires_in_days,
        for_shop: form.for_shop.is_some(),
    };
    match tokens::issue(&state.database, &staff.actor, &request).await {
        Ok(issued) => {
            page(
                &state,
                &staff,
                Some(issued.secret),
                None,
                &TokenForm::default(),
            )
            .await
        }
        Err(error) => {
            let text = error_text(staff.language, &error);
            page(&state, &staff, None, Some(text), &form).await
        }
    }
}

/// Revokes a token: it stops working at once.
pub(super) async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, .. }: Posted<Empty>,
) -> PageResult {
    tokens::revoke(&state.database, &staff.actor, &id).await?;
    Ok(crate::http::pages::redirect("/console/tokens").into_response())
}
