//! The return label of a case, for staff (API) and for the customer (portal) alike.

use crate::db::cases::{self, CaseRecord};
use crate::db::shops::Shop;
use crate::db::{Database, settings};
use crate::documents::label::{self, Label, LabelError, Size};
use crate::error::{AppError, AppResult};

/// Renders the label; `base_url` is where the portal is reached (for the QR code).
pub async fn render(
    database: &Database,
    shop: &Shop,
    case: &CaseRecord,
    size: Size,
    base_url: &str,
) -> AppResult<Vec<u8>> {
    if !case.kind.ships_back() {
        return Err(AppError::Conflict {
            code: "no_return",
            message: format!(
                "a {} case sends nothing back to the shop, so it has no return label",
                case.kind.as_str()
            ),
            details: serde_json::json!({ "kind": case.kind }),
        });
    }
    let lines = cases::lines(&database.reader, &case.id).await?;
    let shop_settings = settings::get(database, &shop.id).await?;
    let document = Label {
        shop_name: shop.name.clone(),
        case_number: case.number.clone(),
        status_url: format!(
            "{}/portal/{}/cases/{}",
            base_url.trim_end_matches('/'),
            shop.slug,
            case.number
        ),
        order_number: case.order_number.clone(),
        items: lines
            .iter()
            .map(|line| (line.product_name.clone(), line.quantity))
            .collect(),
        customer_name: case
            .contact_name
            .clone()
            .or(case.customer_name.clone())
            .unwrap_or_default(),
        customer_contact: case
            .contact_phone
            .clone()
            .or(case.contact_email.clone())
            .unwrap_or_default(),
        return_address: shop_settings.return_address.clone(),
    };
    label::render(&document, size).map_err(|error| match error {
        LabelError::NoFont => AppError::NotConfigured(error.to_string()),
        other => AppError::Internal(anyhow::anyhow!(other.to_string())),
    })
}

/// The label as an HTTP answer, shown in the browser and saved as `label-{number}.pdf`.
pub fn pdf_response(case_number: &str, pdf: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"label-{case_number}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response()
}

/// Where the app is reached: `APP_PUBLIC_URL`, else the request's Host.
pub fn base_url(headers: &axum::http::HeaderMap) -> String {
    std::env::var("APP_PUBLIC_URL").ok().unwrap_or_else(|| {
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .unwrap_or("127.0.0.1:8080");
        format!("http://{host}")
    })
}
