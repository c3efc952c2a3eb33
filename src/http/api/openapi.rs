//! The OpenAPI 3.1 document's frame (title, error shapes, the bearer scheme); its paths come from
//! the router (`super::router`), so the two cannot drift. Served as JSON and in Swagger UI.

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "aftersale API", description = "After-sales cases, orders, refunds. See docs/API.md."),
    components(schemas(ErrorBody, ErrorDetail)),
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

/// The document the router made, with the bearer scheme and, on every operation, the error
/// responses any request can get.
pub fn finish(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    Conventions.modify(&mut document);
    document
}

/// `GET /api/v1/openapi.json`: the document the router made, serialised once. The route holds
/// shared bytes: axum clones a route's handler for each connection, and a whole document there
/// cost a deep copy per connection.
pub fn document(document: &utoipa::openapi::OpenApi) -> Router<AppState> {
    let json = axum::body::Bytes::from(serde_json::to_vec(document).unwrap_or_default());
    Router::new().route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let json = json.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    json,
                )
            }
        }),
    )
}

/// Swagger UI at /api/v1/docs, reading the document from `/api/v1/openapi.json` (it keeps no
/// copy of its own).
pub fn swagger() -> Router<AppState> {
    Router::from(
        SwaggerUi::new("/api/v1/docs")
            .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")),
    )
}
