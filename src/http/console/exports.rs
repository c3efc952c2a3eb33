//! The console's lists as files, with the filters on screen: `/console/exports/cases.csv`
//! (the queue's query), `orders.xlsx`, `customers.csv` (the search), `visits.csv` (open or
//! done) — each sent as it is read.

use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;

use super::{PageResult, Staff};
use crate::error::AppError;
use crate::http::Export;
use crate::http::api::case_filter;
use crate::operations::{lists, visits};
use crate::state::AppState;

#[derive(Deserialize, Default)]
struct Search {
    q: Option<String>,
    state: Option<String>,
}

pub(super) async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (list, export) = match file.rsplit_once('.') {
        Some((list, "csv")) => (list, Export::Csv),
        Some((list, "xlsx")) => (list, Export::Xlsx),
        _ => return Err(AppError::NotFound("file").into()),
    };
    let raw = raw.unwrap_or_default();
    let search: Search = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let q = search
        .q
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty())
        .map(|q| q.chars().take(100).collect::<String>());
    let database = &state.database;
    let actor = &staff.actor;
    Ok(match list {
        "cases" => {
            let query = super::queue::queue_query(&raw);
            let filter = case_filter(actor, &query, state.clock.now())?;
            let table = lists::cases(database, actor, &filter).await?;
            crate::http::table_file(export, table).await?
        }
        "orders" => {
            crate::http::table_file(export, lists::orders(database, actor, q, None)).await?
        }
        "customers" => {
            crate::http::table_file(export, lists::customers(database, actor, q)).await?
        }
        "visits" => {
            let open = search.state.as_deref() != Some("done");
            let table = visits::export(database, actor, open, false)?;
            crate::http::table_file(export, table).await?
        }
        _ => return Err(AppError::NotFound("file").into()),
    })
}
