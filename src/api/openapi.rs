//! The OpenAPI 3.1 document and the locally served Swagger UI.

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::{AppState, cases, orders};

#[derive(OpenApi)]
#[openapi(
    info(title = "aftersale API", description = "After-sales cases, orders, refunds. See docs/API.md."),
    paths(
        cases::create, cases::list, cases::show, cases::update, cases::transition, cases::events,
        cases::post_message, cases::post_note, cases::messages, cases::refund, cases::refunds,
        orders::create, orders::import, orders::list, orders::show, orders::cases_of_order,
        orders::list_customers, orders::create_customer, orders::show_customer, orders::reasons,
    ),
    modifiers(&Bearer),
    tags((name = "cases"), (name = "refunds"), (name = "orders"), (name = "customers"))
)]
pub struct ApiDocument;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
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
