//! The front ends over HTTP, each a router merged by [`crate::app::router`]: the JSON API, the
//! staff console, the customer portal and the inbound hooks; `pages` is what console and portal
//! share.

pub mod api;
pub mod console;
pub mod hooks;
pub mod observe;
pub mod pages;
pub mod portal;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::db::attachments::AttachmentRecord;
use crate::db::cases::CaseRecord;
use crate::db::shops::Shop;
use crate::documents::label::Size;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Where the app is reached (see [`crate::config::Config::base_url`]); links are refused rather
/// than built from the request's Host header.
pub fn base_url(state: &AppState) -> AppResult<String> {
    state.config.base_url().ok_or_else(|| {
        AppError::NotConfigured(
            "links to this app need its public address: set APP_PUBLIC_URL (e.g. https://aftersale.example.com)".into(),
        )
    })
}

/// A case's return label as an HTTP answer, shown in the browser and saved as
/// `label-{number}.pdf`.
pub async fn label_pdf(
    state: &AppState,
    shop: &Shop,
    case: &CaseRecord,
    size: Size,
) -> AppResult<Response> {
    let pdf = crate::operations::labels::render(
        &state.database,
        shop,
        case,
        size,
        &base_url(state)?,
        state.config.label_font.as_deref(),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"label-{}.pdf\"", case.number),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// A dispute's evidence pack as an HTTP answer: the PDF, or the ZIP when `zip`, saved as
/// `evidence-{case number}.pdf|zip`.
pub async fn evidence_file(
    state: &AppState,
    actor: &crate::db::shops::Actor,
    dispute_id: &str,
    zip: bool,
) -> AppResult<Response> {
    let link = base_url(state).ok();
    let pack = crate::operations::evidence::pack(
        &state.database,
        actor,
        dispute_id,
        link.as_deref(),
        state.config.label_font.as_deref(),
    )
    .await?;
    let (content_type, name, bytes) = if zip {
        ("application/zip", format!("{}.zip", pack.name), pack.zip)
    } else {
        ("application/pdf", format!("{}.pdf", pack.name), pack.pdf)
    };
    Ok(download(content_type, &name, bytes))
}

/// A stored file as an HTTP response: its checked type, never sniffed again by the browser,
/// shown inline (photos, videos) with its name.
pub fn file_response(file: &AttachmentRecord, content: Vec<u8>) -> Response {
    let disposition = format!(
        "inline; filename=\"{}\"; filename*=UTF-8''{}",
        file.file_name
            .replace(|c: char| !c.is_ascii() || c == '"' || c == '\\', "_"),
        file.file_name
            .bytes()
            .map(
                |byte| if byte.is_ascii_alphanumeric() || b"-_.".contains(&byte) {
                    (byte as char).to_string()
                } else {
                    format!("%{byte:02X}")
                }
            )
            .collect::<String>()
    );
    let mut response = (StatusCode::OK, content).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&file.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    response
}

/// Bytes to save: their type and the file name they are saved under.
pub fn download(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// What a list or a report is asked for as: JSON (the default), CSV or XLSX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Json,
    Csv,
    Xlsx,
}

impl Export {
    pub fn parse(format: Option<&str>) -> crate::error::AppResult<Export> {
        match format.map(str::trim).unwrap_or("") {
            "" | "json" => Ok(Export::Json),
            "csv" => Ok(Export::Csv),
            "xlsx" => Ok(Export::Xlsx),
            other => Err(crate::error::AppError::invalid(
                "format",
                format!("unknown format '{other}'; use json, csv or xlsx"),
            )),
        }
    }
}

/// A CSV file to save as `{name}.csv`.
pub fn csv_file(name: &str, text: String) -> Response {
    download(
        "text/csv; charset=utf-8",
        &format!("{name}.csv"),
        text.into_bytes(),
    )
}

/// An XLSX file to save as `{name}.xlsx`.
pub fn xlsx_file(name: &str, bytes: Vec<u8>) -> Response {
    download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{name}.xlsx"),
        bytes,
    )
}

/// A list as the file asked for, sent as it is read: CSV page by page, XLSX from the temporary
/// file it was built in. `Export::Json` is the caller's own page, not a file.
pub async fn table_file<R: Send + 'static>(
    export: Export,
    table: crate::operations::exports::Table<R>,
) -> AppResult<Response> {
    use futures::StreamExt;
    use tokio::io::AsyncReadExt;
    let crate::operations::exports::Table {
        file,
        sheet,
        header: columns,
        numbers,
        listing,
    } = table;
    let (content_type, name, body) = match export {
        Export::Json | Export::Csv => {
            let chunks = crate::operations::exports::csv_stream(columns, listing).map(|chunk| {
                chunk.map(axum::body::Bytes::from).map_err(|error| {
                    tracing::error!(%error, "an export failed while it was being sent");
                    std::io::Error::other(error.to_string())
                })
            });
            (
                "text/csv; charset=utf-8",
                format!("{file}.csv"),
                axum::body::Body::from_stream(chunks),
            )
        }
        Export::Xlsx => {
            let built =
                crate::operations::exports::xlsx_file(sheet, columns, numbers, listing).await?;
            let file_reader = tokio::fs::File::from_std(built);
            let chunks = futures::stream::unfold(Some(file_reader), |reader| async move {
                let mut reader = reader?;
                let mut buffer = vec![0; 64 * 1024];
                match reader.read(&mut buffer).await {
                    Ok(0) => None,
                    Ok(read) => {
                        buffer.truncate(read);
                        Some((Ok(axum::body::Bytes::from(buffer)), Some(reader)))
                    }
                    Err(error) => Some((Err(error), None)),
                }
            });
            (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{file}.xlsx"),
                axum::body::Body::from_stream(chunks),
            )
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}
