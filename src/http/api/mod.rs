//! The REST API under `/api/v1`: routing, authentication, request parsing and the error shape.
//! Handlers are thin: parse, call [`crate::operations`], render a view.

mod aftersales;
mod answers;
mod appointments;
mod articles;
mod attachments;
mod audit;
mod audits;
mod cases;
mod checklist;
mod costs;
mod disputes;
mod extract;
mod gate;
mod idempotency;
mod inbound;
mod invoices;
mod language;
mod offers;
mod openapi;
mod orders;
mod parts;
mod policy;
mod replacements;
mod reports;
mod reviews;
mod shipments;
mod suppliers;
mod surveys;
mod tokens;
mod units;
mod views;
mod visits;
mod webhooks;

use axum::extract::DefaultBodyLimit;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::state::AppState;

pub use cases::{CaseListQuery, case_filter};
pub use extract::Authenticated;
pub use gate::{has_control, url_has_control};
pub use language::{chinese as chinese_message, prefers_chinese};
pub use openapi::{document, finish as finish_document, swagger};
pub use views::{ClockView, Page, after};

/// The largest JSON body accepted; imports may be larger.
pub const JSON_LIMIT: usize = 1024 * 1024;
pub const IMPORT_LIMIT: usize = 32 * 1024 * 1024;
/// One photo or video (the largest, a video, is 30 MB).
pub const ATTACHMENT_LIMIT: usize = 31 * 1024 * 1024;

/// The API's routes, nested under `/api/v1` by [`crate::app::router`], with the OpenAPI document
/// made from the same list: every route is a handler annotated with `#[utoipa::path]`, so the
/// document and the router cannot drift apart.
pub fn router(state: AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDocument::openapi())
        .routes(routes!(cases::create, cases::list))
        .routes(routes!(cases::show, cases::update))
        .routes(routes!(cases::transition))
        .routes(routes!(cases::events))
        .routes(routes!(cases::label))
        .routes(
            routes!(attachments::upload, attachments::list)
                .layer(DefaultBodyLimit::max(ATTACHMENT_LIMIT)),
        )
        .routes(routes!(attachments::download))
        .routes(routes!(offers::make, offers::list))
        .routes(routes!(offers::compensate))
        .routes(routes!(offers::withdraw))
        .routes(routes!(offers::approve))
        .routes(routes!(offers::portal_link))
        .routes(routes!(cases::post_message, cases::messages))
        .routes(routes!(cases::post_note))
        .routes(routes!(checklist::show))
        .routes(routes!(checklist::tick))
        .routes(routes!(replacements::choose, replacements::read))
        .routes(routes!(replacements::settle))
        .routes(routes!(replacements::set))
        .routes(routes!(replacements::show))
        .routes(routes!(costs::show, costs::record))
        .routes(routes!(reports::costs))
        .routes(routes!(reports::kpis))
        .routes(routes!(invoices::set))
        .routes(routes!(invoices::of_order))
        .routes(routes!(invoices::change))
        .routes(routes!(invoices::list))
        .routes(routes!(invoices::show))
        .routes(routes!(invoices::pdf))
        .routes(routes!(invoices::step))
        .routes(routes!(disputes::open, disputes::list))
        .routes(routes!(disputes::show))
        .routes(routes!(disputes::step))
        .routes(routes!(disputes::evidence))
        .routes(routes!(cases::refund, cases::refunds))
        .routes(routes!(cases::settle))
        .routes(routes!(cases::retry))
        .routes(routes!(orders::create, orders::list))
        .routes(routes!(orders::import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)))
        .routes(routes!(orders::import_template))
        .routes(routes!(aftersales::receive))
        .routes(routes!(aftersales::show))
        .routes(routes!(aftersales::import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)))
        .routes(routes!(orders::show))
        .routes(routes!(orders::cases_of_order))
        .routes(routes!(shipments::add))
        .routes(routes!(shipments::scan))
        .routes(routes!(shipments::list))
        .routes(routes!(shipments::done))
        .routes(routes!(orders::list_customers, orders::create_customer))
        .routes(routes!(orders::show_customer))
        .routes(routes!(orders::reasons))
        .routes(routes!(answers::ask))
        .routes(routes!(answers::suggest))
        .routes(routes!(articles::list, articles::create))
        .routes(routes!(articles::search))
        .routes(routes!(articles::misses))
        .routes(routes!(articles::export))
        .routes(routes!(articles::import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)))
        .routes(routes!(articles::show, articles::replace))
        .routes(routes!(articles::reviewed))
        .routes(routes!(articles::feedback))
        .routes(routes!(policy::evaluate))
        .routes(routes!(
            policy::show_settings,
            policy::save_settings,
            policy::patch_settings
        ))
        .routes(routes!(audit::list))
        .routes(routes!(policy::settings_versions))
        .routes(routes!(policy::settings_version))
        .routes(routes!(policy::restore_settings))
        .routes(routes!(webhooks::create, webhooks::list))
        .routes(routes!(webhooks::remove))
        .routes(routes!(webhooks::deliveries_list))
        .routes(routes!(webhooks::replay))
        .routes(routes!(inbound::set_secret))
        .routes(routes!(inbound::list))
        .routes(routes!(inbound::replay))
        .routes(routes!(audits::draw))
        .routes(routes!(audits::list))
        .routes(routes!(audits::score))
        .routes(routes!(audits::dispute))
        .routes(routes!(audits::answer))
        .routes(routes!(reviews::record, reviews::list))
        .routes(routes!(reviews::import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)))
        .routes(routes!(reviews::statistics))
        .routes(routes!(reviews::get))
        .routes(routes!(reviews::link_order))
        .routes(routes!(reviews::outcome))
        .routes(routes!(reviews::explain))
        .routes(routes!(reviews::posted))
        .routes(routes!(suppliers::list, suppliers::create))
        .routes(routes!(suppliers::show, suppliers::replace))
        .routes(routes!(suppliers::scorecard))
        .routes(routes!(
            suppliers::list_send_outs,
            suppliers::create_send_out
        ))
        .routes(routes!(suppliers::show_send_out))
        .routes(routes!(suppliers::finding))
        .routes(routes!(suppliers::result))
        .routes(routes!(suppliers::back))
        .routes(routes!(appointments::list, appointments::create))
        .routes(routes!(appointments::show, appointments::replace))
        .routes(routes!(appointments::openings))
        .routes(routes!(appointments::of_case, appointments::book))
        .routes(routes!(appointments::cancel))
        .routes(routes!(appointments::day))
        .routes(routes!(units::show))
        .routes(routes!(parts::list, parts::create))
        .routes(routes!(parts::show, parts::replace))
        .routes(routes!(parts::use_part))
        .routes(routes!(parts::genuine))
        .routes(routes!(visits::list))
        .routes(routes!(visits::outcome))
        .routes(routes!(visits::set_tier))
        .routes(routes!(visits::import_tiers).layer(DefaultBodyLimit::max(IMPORT_LIMIT)))
        .routes(routes!(surveys::draw))
        .routes(routes!(surveys::list))
        .routes(routes!(surveys::results))
        .routes(routes!(surveys::answer))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::honour,
        ))
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .layer(axum::middleware::from_fn(gate::reject_control))
        .layer(axum::middleware::from_fn_with_state(
            state,
            gate::authenticate,
        ))
        .layer(axum::middleware::from_fn(language::localize_errors))
}
