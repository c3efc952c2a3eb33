//! The REST API under `/api/v1`: routing, authentication, request parsing and the error shape.
//! Handlers are thin: parse, call [`crate::operations`], render a view.

mod attachments;
mod cases;
mod checklist;
mod extract;
mod idempotency;
mod inbound;
mod language;
mod offers;
mod openapi;
mod orders;
mod policy;
mod shipments;
mod views;
mod webhooks;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::app::AppState;
use crate::error::AppError;

pub use cases::{CaseListQuery, case_filter};
pub use extract::{Authenticated, TokenCache};
pub use language::{chinese as chinese_message, prefers_chinese};
pub use openapi::swagger;
pub use views::{ClockView, Page, after};

/// The largest JSON body accepted; imports may be larger.
pub const JSON_LIMIT: usize = 1024 * 1024;
pub const IMPORT_LIMIT: usize = 32 * 1024 * 1024;
/// One photo or video (the largest, a video, is 30 MB).
pub const ATTACHMENT_LIMIT: usize = 31 * 1024 * 1024;

/// The API's routes, nested under `/api/v1` by [`crate::app::router`].
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/cases", post(cases::create).get(cases::list))
        .route("/cases/{id}", get(cases::show).patch(cases::update))
        .route("/cases/{id}/transitions", post(cases::transition))
        .route("/cases/{id}/events", get(cases::events))
        .route("/cases/{id}/label.pdf", get(cases::label))
        .route(
            "/cases/{id}/attachments",
            post(attachments::upload)
                .get(attachments::list)
                .layer(DefaultBodyLimit::max(ATTACHMENT_LIMIT)),
        )
        .route(
            "/cases/{id}/attachments/{attachment_id}",
            get(attachments::download),
        )
        .route("/cases/{id}/offers", post(offers::make).get(offers::list))
        .route(
            "/cases/{id}/offers/{offer_id}/withdraw",
            post(offers::withdraw),
        )
        .route("/cases/{id}/portal-link", post(offers::portal_link))
        .route(
            "/cases/{id}/messages",
            post(cases::post_message).get(cases::messages),
        )
        .route("/cases/{id}/notes", post(cases::post_note))
        .route("/cases/{id}/checklist", get(checklist::show))
        .route("/cases/{id}/checklist/{step}", post(checklist::tick))
        .route(
            "/cases/{id}/refunds",
            post(cases::refund).get(cases::refunds),
        )
        .route("/orders", post(orders::create).get(orders::list))
        .route(
            "/orders/import",
            post(orders::import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/orders/import/template.csv", get(orders::import_template))
        .route("/orders/{id}", get(orders::show))
        .route("/orders/{id}/cases", get(orders::cases_of_order))
        .route("/orders/{id}/shipments", post(shipments::add))
        .route("/shipments/{id}/scans", post(shipments::scan))
        .route("/follow-ups", get(shipments::list))
        .route("/follow-ups/{id}/done", post(shipments::done))
        .route(
            "/customers",
            get(orders::list_customers).post(orders::create_customer),
        )
        .route("/customers/{id}", get(orders::show_customer))
        .route("/reasons", get(orders::reasons))
        .route("/policy/evaluate", post(policy::evaluate))
        .route(
            "/settings",
            get(policy::show_settings).put(policy::save_settings),
        )
        .route("/webhooks", post(webhooks::create).get(webhooks::list))
        .route("/webhooks/{id}", axum::routing::delete(webhooks::remove))
        .route("/deliveries", get(webhooks::deliveries_list))
        .route(
            "/integrations/{source}",
            axum::routing::put(inbound::set_secret),
        )
        .route("/inbound", get(inbound::list))
        .route("/inbound/{id}/replay", post(inbound::replay))
        .route("/deliveries/{id}/replay", post(webhooks::replay))
        .route("/openapi.json", get(openapi::document))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::honour,
        ))
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .layer(axum::middleware::from_fn(reject_nul))
        .layer(axum::middleware::from_fn(language::localize_errors))
}

/// Refuses text with NUL characters (in the URL or a JSON body): no field may hold one, and
/// PostgreSQL cannot store one, so it is a client error, said plainly.
async fn reject_nul(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let refused =
        || AppError::bad_request("text may not contain NUL characters (\\u0000)").into_response();
    if request
        .uri()
        .to_string()
        .to_ascii_lowercase()
        .contains("%00")
    {
        return refused();
    }
    let is_json = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().contains("json"));
    if !is_json {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, JSON_LIMIT).await else {
        return AppError::PayloadTooLarge(JSON_LIMIT).into_response();
    };
    if bytes.contains(&0) || bytes.windows(6).any(|window| window == b"\\u0000") {
        return refused();
    }
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}
