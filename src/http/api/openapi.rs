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
    tags((name = "cases"), (name = "refunds"), (name = "orders"), (name = "customers"), (name = "policy"), (name = "webhooks"), (name = "reports"), (name = "reviews"), (name = "knowledge"), (name = "repairs"))
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
    /// The request's id, also in the `X-Request-Id` header and on the server's log lines for it.
    request_id: Option<String>,
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
    let mut value = serde_json::to_value(document).unwrap_or_default();
    files_as_binary(&mut value);
    state_text_rule(&mut value);
    let json = axum::body::Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
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

/// Bodies that are files (CSV and XLSX imports, the PDF label, attachments) are bytes, which
/// OpenAPI writes as a binary string (the types in the handlers' annotations render as arrays).
fn files_as_binary(document: &mut serde_json::Value) {
    use serde_json::{Value, json};
    fn binary(body: &mut Value) {
        if let Some(Value::Object(content)) = body.get_mut("content") {
            for (media, described) in content.iter_mut() {
                if !media.contains("json")
                    && let Value::Object(described) = described
                {
                    described.insert(
                        "schema".into(),
                        json!({ "type": "string", "format": "binary" }),
                    );
                }
            }
        }
    }
    let Some(Value::Object(paths)) = document.get_mut("paths") else {
        return;
    };
    for item in paths.values_mut() {
        for operation in item
            .as_object_mut()
            .into_iter()
            .flat_map(|item| item.values_mut())
        {
            if let Some(body) = operation.get_mut("requestBody") {
                binary(body);
            }
            if let Some(Value::Object(responses)) = operation.get_mut("responses") {
                responses.values_mut().for_each(binary);
            }
        }
    }
}

/// Text sent to the API may not hold control characters (`gate::reject_control`; line breaks
/// and tabs are allowed): the document says so with a pattern on every free-text string a
/// request carries (parameters and the schemas request bodies use), so that clients and
/// generated tests know it.
const TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

fn state_text_rule(document: &mut serde_json::Value) {
    use serde_json::Value;
    // The components request bodies reach, directly or through other components.
    let mut wanted: Vec<String> = Vec::new();
    let mut found = Vec::new();
    if let Some(paths) = document.get("paths") {
        for item in paths
            .as_object()
            .into_iter()
            .flat_map(|paths| paths.values())
        {
            for operation in item.as_object().into_iter().flat_map(|item| item.values()) {
                if let Some(body) = operation.get("requestBody") {
                    references(body, &mut found);
                }
            }
        }
    }
    while let Some(name) = found.pop() {
        if wanted.contains(&name) {
            continue;
        }
        if let Some(schema) = document.pointer(&format!("/components/schemas/{name}")) {
            references(schema, &mut found);
        }
        wanted.push(name);
    }
    for name in &wanted {
        if let Some(schema) = document.pointer_mut(&format!("/components/schemas/{name}")) {
            add_pattern(schema);
        }
    }
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        for item in paths.values_mut() {
            for operation in item
                .as_object_mut()
                .into_iter()
                .flat_map(|item| item.values_mut())
            {
                if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
                    for parameter in parameters {
                        if let Some(schema) = parameter.get_mut("schema") {
                            add_pattern(schema);
                        }
                    }
                }
                if let Some(body) = operation.get_mut("requestBody") {
                    add_pattern(body);
                }
            }
        }
    }
}

fn references(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(|value| value.as_str())
                && let Some(name) = reference.strip_prefix("#/components/schemas/")
            {
                found.push(name.to_string());
            }
            map.values().for_each(|value| references(value, found));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|value| references(value, found)),
        _ => {}
    }
}

/// Adds the pattern to every string schema in `value` that has no enum, format or pattern.
fn add_pattern(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let is_string = match map.get("type") {
                Some(Value::String(kind)) => kind == "string",
                Some(Value::Array(kinds)) => kinds.iter().any(|kind| kind == "string"),
                _ => false,
            };
            let constrained = ["enum", "format", "pattern", "const"]
                .iter()
                .any(|key| map.contains_key(*key));
            if is_string && !constrained {
                map.insert("pattern".into(), Value::String(TEXT_PATTERN.into()));
            }
            map.values_mut().for_each(add_pattern);
        }
        Value::Array(items) => items.iter_mut().for_each(add_pattern),
        _ => {}
    }
}

/// Swagger UI at /api/v1/docs, reading the document from `/api/v1/openapi.json` (it keeps no
/// copy of its own).
pub fn swagger() -> Router<AppState> {
    Router::from(
        SwaggerUi::new("/api/v1/docs")
            .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")),
    )
}
