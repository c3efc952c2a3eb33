//! The OpenAPI 3.1 document and the locally served Swagger UI.

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::{attachments, cases, checklist, inbound, offers, orders, policy, shipments, webhooks};
use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "aftersale API", description = "After-sales cases, orders, refunds. See docs/API.md."),
    paths(
        cases::create, cases::list, cases::show, cases::update, cases::transition, cases::events,
        cases::post_message, cases::post_note, cases::messages, cases::refund, cases::refunds, cases::label,
        attachments::upload, attachments::list, attachments::download, checklist::show, checklist::tick,
        offers::make, offers::list, offers::withdraw, offers::portal_link,
        orders::create, orders::import, orders::import_template, orders::list, orders::show, orders::cases_of_order,
        orders::list_customers, orders::create_customer, orders::show_customer, orders::reasons,
        policy::evaluate, policy::show_settings, policy::save_settings,
        webhooks::create, webhooks::list, webhooks::remove, webhooks::deliveries_list, webhooks::replay,
        inbound::set_secret, inbound::list, inbound::replay,
        shipments::add, shipments::scan, shipments::list, shipments::done,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&Conventions),
    tags((name = "cases"), (name = "refunds"), (name = "orders"), (name = "customers"), (name = "policy"), (name = "webhooks"))
)]
pub struct ApiDocument;

/// The error shape every 4xx and 5xx response has.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// A stable code, e.g. `version_conflict`, `invalid`, `not_found` (see docs/API.md).
    code: String,
    /// What went wrong and what to fix, for people.
    message: String,
    /// Structured facts, e.g. `{"field": "lines[0]"}`; may be null.
    #[schema(value_type = Object, nullable)]
    details: Option<String>,
}

/// Adds the bearer scheme and, to every operation, the error responses any request can get.
struct Conventions;

const ERRORS: &[(&str, &str)] = &[
    ("400", "malformed JSON, wrong types or bad query parameters"),
    ("401", "missing or unknown bearer token"),
    ("403", "the token's role may not do this"),
    ("404", "no such resource in this shop"),
    ("405", "method not allowed"),
    ("409", "the state does not allow it now, or a stale version"),
    ("413", "the body is too large"),
    ("415", "unsupported content type"),
    ("422", "a value is not acceptable; details.field names it"),
    ("503", "the database is busy; retry"),
];

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                for (status, description) in ERRORS {
                    if !operation.responses.responses.contains_key(*status) {
                        let response = ResponseBuilder::new()
                            .description(*description)
                            .content(
                                "application/json",
                                ContentBuilder::new()
                                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                                    .build(),
                            )
                            .build();
                        operation
                            .responses
                            .responses
                            .insert(status.to_string(), response.into());
                    }
                }
            }
        }
    }
}

pub async fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDocument::openapi())
}

/// Swagger UI at /api/v1/docs, reading the document above.
pub fn swagger() -> Router<AppState> {
    Router::from(
        SwaggerUi::new("/api/v1/docs").url("/api/v1/openapi-ui.json", ApiDocument::openapi()),
    )
}
