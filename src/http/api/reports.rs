//! Reports: what after-sales cost in a period, grouped, as JSON, CSV or XLSX.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{Authenticated, Query};
use crate::error::AppResult;
use crate::http::Export;
use crate::operations::cost_reports::{self as operations, CostReport};
use crate::operations::kpis::KpiReport;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CostReportQuery {
    /// cost_kind (default), case_kind, reason, sku, category, agent, month, payer or case.
    #[param(pattern = "^(cost_kind|case_kind|reason|sku|category|agent|month|payer|case)$")]
    pub by: Option<String>,
    /// The first day, YYYY-MM-DD in the shop's zone (default: the beginning).
    pub from: Option<String>,
    /// The last day, included (default: today).
    pub to: Option<String>,
    /// At most this many groups, the costliest first (default 200; 20 for a top 20).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
    /// json (default), csv (UTF-8 with a BOM) or xlsx.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/reports/costs", operation_id = "getCostReport", tag = "reports", params(CostReportQuery),
    responses((status = 200, content((CostReport = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "the period's costs per group and per currency, with sales and the repair share"),
        (status = 422, description = "a grouping, day or limit to fix")),
    security(("bearer" = [])))]
/// What after-sales cost in a period: the shop's cost per group (sums of the ledger's entries),
/// the totals per currency beside the period's sales, and (by month) the repair share.
pub async fn costs(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<CostReportQuery>,
) -> AppResult<Response> {
    let format = crate::http::Export::parse(query.format.as_deref())?;
    let report = operations::report(
        &state.database,
        &actor,
        query.by.as_deref(),
        query.from.as_deref(),
        query.to.as_deref(),
        query.limit,
    )
    .await?;
    let name = format!("costs-by-{}", report.by);
    Ok(match format {
        Export::Csv => crate::http::csv_file(&name, operations::csv(&report)),
        Export::Xlsx => crate::http::xlsx_file(&name, operations::xlsx(&report)?),
        Export::Json => axum::Json(report).into_response(),
    })
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// The first day, YYYY-MM-DD in the shop's zone (default: 29 days before today).
    pub from: Option<String>,
    /// The last day, included (default: today); at most two years after `from`.
    pub to: Option<String>,
    /// The trend's steps: day, week or month (default by the period's length).
    #[param(pattern = "^(day|week|month)$")]
    pub interval: Option<String>,
    /// json (default), csv (UTF-8 with a BOM) or xlsx: the shop's and each agent's row.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/reports/kpis", operation_id = "getKpiReport", tag = "reports", params(KpiQuery),
    responses((status = 200, content((KpiReport = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "the period's figures for the shop and each agent, the trend, the top reasons, products and carriers"),
        (status = 422, description = "a day or interval to fix")),
    security(("bearer" = [])))]
/// The after-sales KPIs of a period: cases opened and ended, first response and resolution
/// times (median, p90), SLA attainment, reopen rate, satisfaction (ratings and surveys), repair
/// share, refunds and cost per case; per agent; a trend; the top reasons, products and carriers.
pub async fn kpis(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<KpiQuery>,
) -> AppResult<Response> {
    let format = crate::http::Export::parse(query.format.as_deref())?;
    let report = crate::operations::kpis::report(
        &state.database,
        &actor,
        query.from.as_deref(),
        query.to.as_deref(),
        query.interval.as_deref(),
    )
    .await?;
    let name = format!("kpis-{}-{}", report.from, report.to);
    Ok(match format {
        Export::Csv => crate::http::csv_file(&name, crate::operations::kpis::csv(&report)),
        Export::Xlsx => crate::http::xlsx_file(&name, crate::operations::kpis::xlsx(&report)?),
        Export::Json => axum::Json(report).into_response(),
    })
}
