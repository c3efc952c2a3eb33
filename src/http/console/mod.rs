//! The staff console: the pages agents, inspectors and supervisors work in. Server-rendered
//! (askama), zh-CN first with an English switch, usable without JavaScript. Every change goes
//! through the same [`crate::operations`] as the API: same guards, same events, same errors.
//!
//! Signing in makes a session row (the cookie holds a random token, the row its SHA-256) with a
//! CSRF token that every form carries; a POST without it is refused.

mod appointments;
mod articles;
mod audit;
mod audits;
mod calendar;
mod case;
mod dashboard;
mod directory;
mod exports;
mod follow_ups;
mod form;
mod import;
mod inbound;
mod invoices;
mod live;
mod queue;
mod receiving;
mod reports;
mod reviews;
mod rows;
mod session;
mod settings;
mod suppliers;
mod surveys;
mod text;
mod timing;
mod tokens;
mod visits;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::db::shops::{self, Actor};
use crate::db::staff_sessions;
use crate::domain::Role;
use crate::domain::permissions::{Capability, allows};
use crate::error::AppError;
use crate::http::pages::{cookie, query_language, render};
use crate::i18n::Language;
use crate::state::AppState;

pub use text::error_text;

const COOKIE: &str = "staff_session";

pub fn router() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/console", get(queue::queue_page))
        .route("/console/shop", post(session::switch_shop))
        .route(
            "/console/tokens",
            get(tokens::tokens_page).post(tokens::create),
        )
        .route("/console/tokens/{id}/revoke", post(tokens::revoke))
        .route("/console/audit", get(audit::audit_page))
        .route(
            "/console/audit/versions/{version}/restore",
            post(audit::restore),
        )
        .route(
            "/console/invitations/{shop}/accept",
            post(session::accept_invitation),
        )
        .route(
            "/console/invitations/{shop}/decline",
            post(session::decline_invitation),
        )
        .route("/console/bulk", post(queue::bulk))
        .route("/console/counts", get(queue::counts))
        .route("/console/next", get(queue::next_case))
        .route("/console/cases/{id}/live", get(live::stream))
        .route("/console/views", post(queue::save_view))
        .route("/console/views/{id}/delete", post(queue::delete_view))
        .route("/console/cases/{id}", get(case::case_page))
        .route("/console/cases/{id}/actions", post(case::act))
        .route("/console/cases/{id}/refunds", post(case::refund))
        .route(
            "/console/cases/{id}/refunds/{refund}/settle",
            post(case::settle_refund),
        )
        .route("/console/cases/{id}/messages", post(case::message))
        .route("/console/cases/{id}/changes", post(case::change))
        .route(
            "/console/cases/{id}/checklist/{code}",
            post(case::check_step),
        )
        .route(
            "/console/cases/{id}/attachments",
            post(case::upload).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route(
            "/console/cases/{id}/attachments/{attachment}",
            get(case::attachment),
        )
        .route("/console/cases/{id}/label.pdf", get(case::label))
        .route("/console/cases/{id}/disputes", post(case::open_dispute))
        .route(
            "/console/cases/{id}/reviews/{review}/outcome",
            post(case::review_outcome),
        )
        .route(
            "/console/cases/{id}/reviews/{review}/explanation",
            post(case::explain_review),
        )
        .route(
            "/console/cases/{id}/reviews/{review}/posted",
            post(case::review_posted),
        )
        .route("/console/cases/{id}/offers", post(case::make_offer))
        .route("/console/cases/{id}/costs", post(case::record_cost))
        .route("/console/cases/{id}/send-out", post(case::send_out))
        .route(
            "/console/cases/{id}/send-outs/{send_out}/{step}",
            post(case::send_out_step),
        )
        .route("/console/cases/{id}/invoice", post(case::change_invoice))
        .route(
            "/console/cases/{id}/offers/{offer}/approve",
            post(case::approve_offer),
        )
        .route(
            "/console/cases/{id}/replacement",
            post(case::choose_replacement),
        )
        .route(
            "/console/cases/{id}/replacement/settle",
            post(case::settle_difference),
        )
        .route(
            "/console/cases/{id}/offers/{offer}/withdraw",
            post(case::withdraw_offer),
        )
        .route(
            "/console/cases/{id}/disputes/{dispute}",
            post(case::dispute_step),
        )
        .route(
            "/console/disputes/{dispute}/evidence",
            get(case::dispute_evidence),
        )
        .route("/console/follow-ups", get(follow_ups::follow_ups_page))
        .route("/console/reports/costs", get(reports::report_page))
        .route("/console/audits", get(audits::audits_page))
        .route("/console/audits/rounds", post(audits::draw))
        .route("/console/audits/{id}", get(audits::audit))
        .route("/console/audits/{id}/scores", post(audits::score))
        .route("/console/audits/{id}/dispute", post(audits::dispute))
        .route("/console/audits/{id}/answer", post(audits::answer))
        .route("/console/dashboard", get(dashboard::dashboard_page))
        .route("/console/dashboard/{file}", get(dashboard::dashboard_file))
        .route("/console/reviews", get(reviews::reviews_page))
        .route("/console/reviews/import", post(reviews::import))
        .route("/console/reviews/{file}", get(reviews::file))
        .route("/console/reviews/{id}/order", post(reviews::link_order))
        .route("/console/visits", get(visits::visits_page))
        .route(
            "/console/appointments",
            get(appointments::appointments_page),
        )
        .route(
            "/console/suppliers",
            get(suppliers::suppliers_page).post(suppliers::add),
        )
        .route(
            "/console/articles",
            get(articles::articles_page).post(articles::create),
        )
        .route("/console/articles/new", get(articles::new_page))
        .route("/console/articles/export.zip", get(articles::export))
        .route(
            "/console/articles/import",
            post(articles::import).layer(axum::extract::DefaultBodyLimit::max(
                crate::http::api::IMPORT_LIMIT,
            )),
        )
        .route(
            "/console/articles/{id}",
            get(articles::edit_page).post(articles::change),
        )
        .route("/console/articles/{id}/reviewed", post(articles::reviewed))
        .route("/console/exports/{file}", get(exports::file))
        .route("/console/visits/{id}/outcome", post(visits::record))
        .route("/console/surveys", get(surveys::surveys_page))
        .route("/console/surveys/rounds", post(surveys::draw))
        .route("/console/surveys/{file}", get(surveys::file))
        .route("/console/surveys/{id}/answer", post(surveys::answer))
        .route("/console/credit-notes", get(invoices::credit_notes_page))
        .route("/console/credit-notes/{file}", get(invoices::file))
        .route("/console/credit-notes/{id}/steps", post(invoices::step))
        .route("/console/orders/{id}/invoice", post(invoices::save_invoice))
        .route("/console/reports/{file}", get(reports::report_file))
        .route("/console/follow-ups/{id}/done", post(follow_ups::done))
        .route("/console/inbound", get(inbound::inbound_page))
        .route("/console/inbound/{id}/replay", post(inbound::replay))
        .route("/console/customers", get(directory::customers_page))
        .route("/console/customers/{id}", get(directory::customer_page))
        .route("/console/customers/{id}/tier", post(directory::set_tier))
        .route("/console/orders", get(directory::orders_page))
        .route(
            "/console/orders/import",
            get(import::import_page)
                .post(import::import)
                .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/console/orders/{id}", get(directory::order_page))
        .route("/console/orders/{id}/cases", post(directory::open_case))
        .route("/console/settings", get(settings::settings_page))
        .route("/console/settings/general", post(settings::save_general))
        .route(
            "/console/settings/templates",
            post(settings::save_templates),
        )
        .route("/console/settings/reasons", post(settings::save_reason))
        .route("/console/settings/staff", post(settings::save_member))
        .route(
            "/console/settings/staff/{id}/role",
            post(settings::change_role),
        )
        .route(
            "/console/settings/staff/{id}/remove",
            post(settings::remove_member),
        )
        .route("/console/settings/documents", post(settings::save_document))
        .route("/console/settings/clocks", post(settings::save_clocks))
        .route("/console/settings/sla", post(settings::save_sla))
        .route("/console/settings/calendar", post(settings::save_calendar))
        .route(
            "/console/receiving",
            get(receiving::receiving_page).post(receiving::find),
        )
        .layer(axum::middleware::from_fn(remember_language))
}

/// A language chosen with `?lang=` on any console page stays chosen (a cookie); an error page
/// is shown in the reader's language.
async fn remember_language(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let chosen = query_language(request.uri().query()).map(str::to_string);
    let language = Language::choose(chosen.as_deref(), request.headers());
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions_mut().remove::<PageError>() {
        response = error_page(&error, language);
    }
    session::with_language(response, chosen.as_deref())
}

/// The signed-in person, in the shop the session is working in.
pub struct Staff {
    pub actor: Actor,
    pub staff_id: String,
    pub name: String,
    pub session_id: String,
    pub csrf: String,
    pub language: Language,
}

fn language_of(parts: &Parts) -> Language {
    Language::choose(query_language(parts.uri.query()), &parts.headers)
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let language = language_of(parts);
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|path| path.as_str())
                .filter(|_| parts.method == axum::http::Method::GET)
                .unwrap_or("/console");
            crate::http::pages::redirect(&format!("/login?next={}", text::url_encode(next)))
                .into_response()
        };
        let Some(token) = cookie(&parts.headers, COOKIE) else {
            return Err(to_login());
        };
        let session_id = crate::domain::signing::token_hash(token);
        let database = &state.database;
        let session = staff_sessions::find(&database.reader, &session_id, state.clock.now())
            .await
            .map_err(|error| PageError::from(AppError::from(error)).into_response())?;
        let Some(session) = session else {
            return Err(to_login());
        };
        let shop = shops::find_shop_by_id(&database.reader, &session.shop_id)
            .await
            .map_err(|error| PageError::from(AppError::from(error)).into_response())?;
        let role = shops::membership_role(&database.reader, &session.shop_id, &session.staff_id)
            .await
            .map_err(|error| PageError::from(AppError::from(error)).into_response())?;
        let (Some(shop), Some(role)) = (shop, role) else {
            return Err(to_login());
        };
        Ok(Staff {
            actor: Actor {
                shop,
                role,
                staff_id: Some(session.staff_id.clone()),
            },
            staff_id: session.staff_id,
            name: session.staff_name,
            session_id,
            csrf: session.csrf_token,
            language,
        })
    }
}

impl Staff {
    /// Refuses a form that does not carry this session's CSRF token.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), PageError> {
        if crate::domain::signing::same(sent.unwrap_or_default().as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::said(StatusCode::FORBIDDEN, "console-csrf"))
        }
    }

    pub fn role(&self) -> Role {
        self.actor.role
    }
}

/// What every console page shows around its content.
pub struct Frame {
    pub language: Language,
    pub staff_name: String,
    pub role: String,
    pub shop_id: String,
    pub shop_name: String,
    /// The shops this person works in: (id, name).
    pub shops: Vec<(String, String)>,
    /// Shops that invited this person: (id, name, the role offered, in words).
    pub invitations: Vec<(String, String, String)>,
    pub csrf: String,
    /// Supervisors and admins see the settings.
    pub manages: bool,
    /// `queue`, `receiving` or `` (which menu item is current).
    pub section: &'static str,
    /// Managers see, on every page, the years the clocks reach without a published calendar.
    pub calendar_warning: Option<String>,
}

impl Frame {
    pub async fn new(
        state: &AppState,
        staff: &Staff,
        section: &'static str,
    ) -> Result<Frame, AppError> {
        let shops = staff_sessions::shops_of(&state.database.reader, &staff.staff_id).await?;
        let invitations =
            crate::db::invitations::of_staff(&state.database.reader, &staff.staff_id).await?;
        let manages = allows(staff.role(), Capability::ManageSettings);
        let calendar_warning = if manages {
            let shop = &staff.actor.shop;
            let settings = crate::db::settings::get(&state.database, &shop.id).await?;
            let today = jiff::Timestamp::from_microsecond(state.clock.now())
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
                .to_zoned(shop.time_zone.clone())
                .date();
            calendar::warning(staff.language, &settings, today)
        } else {
            None
        };
        Ok(Frame {
            language: staff.language,
            staff_name: staff.name.clone(),
            role: staff.language.text(&format!("role-{}", staff.role())),
            shop_id: staff.actor.shop.id.to_string(),
            shop_name: staff.actor.shop.name.clone(),
            shops: shops
                .into_iter()
                .map(|(shop, _)| (shop.id.to_string(), shop.name))
                .collect(),
            invitations: invitations
                .into_iter()
                .map(|(shop, role)| {
                    let role = staff.language.text(&format!("role-{role}"));
                    (shop.id.to_string(), shop.name, role)
                })
                .collect(),
            csrf: staff.csrf.clone(),
            manages,
            section,
            calendar_warning,
        })
    }

    pub fn t(&self, key: &str) -> String {
        self.language.text(key)
    }
}

/// A page that could not be shown: its status and what to tell the person, in both languages
/// (the error page is shown in the reader's, chosen where the language is known: see
/// [`remember_language`]).
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub chinese: String,
    pub english: String,
}

impl PageError {
    /// A refusal said by its message key.
    pub fn said(status: StatusCode, key: &str) -> PageError {
        PageError {
            status,
            chinese: Language::Chinese.text(key),
            english: Language::English.text(key),
        }
    }

    fn message(&self, language: Language) -> &str {
        match language {
            Language::Chinese => &self.chinese,
            Language::English => &self.english,
        }
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> PageError {
        if let AppError::Internal(cause) = &error {
            tracing::error!("console: {cause:#}");
        }
        PageError {
            status: error.status(),
            chinese: error_text(Language::Chinese, &error),
            english: error_text(Language::English, &error),
        }
    }
}

impl From<sqlx::Error> for PageError {
    fn from(error: sqlx::Error) -> PageError {
        PageError::from(AppError::from(error))
    }
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    language: Language,
    message: &'a str,
}

impl ErrorPage<'_> {
    fn t(&self, key: &str) -> String {
        self.language.text(key)
    }
}

fn error_page(error: &PageError, language: Language) -> Response {
    render(
        &ErrorPage {
            language,
            message: error.message(language),
        },
        error.status,
        language,
    )
}

impl IntoResponse for PageError {
    /// In Chinese, with the error kept on the response so that the console's layer shows it in
    /// the reader's language.
    fn into_response(self) -> Response {
        let mut response = error_page(&self, Language::Chinese);
        response.extensions_mut().insert(self);
        response
    }
}

pub type PageResult = Result<Response, PageError>;
