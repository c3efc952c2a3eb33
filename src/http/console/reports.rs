//! The cost report page: a period's after-sales costs per group (sortable, with a bar chart),
//! the totals beside sales, the repair share by month, and the same as CSV or XLSX.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::rows::Choice;
use super::{Frame, PageResult, Staff};
use crate::db::cost_reports::Dimension;
use crate::domain::money::written as amount;
use crate::error::AppError;
use crate::http::pages::render;
use crate::i18n::Language;
use crate::operations::cost_reports::{self as operations, CostGroup, CostReport};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ReportForm {
    by: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// cost (default), cases, per_case or group
    sort: Option<String>,
    /// asc or desc (default)
    dir: Option<String>,
}

pub struct GroupRow {
    pub name: String,
    pub currency: String,
    pub cases: i64,
    pub entries: i64,
    pub cost: String,
    pub per_case: String,
    /// The bar's length in the chart, 0 to 100.
    pub bar: i64,
    pub negative: bool,
}

pub struct TotalRow {
    pub currency: String,
    pub cost: String,
    pub sales: String,
    pub share: String,
    pub cases: i64,
}

pub struct ShareRow {
    pub month: String,
    pub repairs: i64,
    pub cases: i64,
    pub share: String,
    pub bar: i64,
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportPage {
    frame: Frame,
    by: String,
    from: String,
    to: String,
    dimensions: Vec<Choice>,
    groups: Vec<GroupRow>,
    totals: Vec<TotalRow>,
    shares: Vec<ShareRow>,
    /// The query string of this report, for the exports and the sort links.
    query: String,
    sort: String,
    dir: String,
    error: Option<String>,
}

fn percent(basis_points: Option<i64>) -> String {
    basis_points
        .map(|points| format!("{}.{:02}%", points / 100, (points % 100).abs()))
        .unwrap_or_else(|| "—".into())
}

/// A group's name in the reader's words.
fn name(language: Language, by: &str, group: &CostGroup) -> String {
    let Some(key) = &group.key else {
        return language.text("report-none");
    };
    match by {
        "cost_kind" => language.text(&format!("cost-kind-{key}")),
        "case_kind" => language.text(&format!("kind-{key}")),
        "payer" => language.text(&format!("cost-payer-{key}")),
        "agent" => group.name.clone().unwrap_or_else(|| key.clone()),
        _ => key.clone(),
    }
}

fn sorted(mut groups: Vec<CostGroup>, sort: &str, ascending: bool) -> Vec<CostGroup> {
    groups.sort_by(|left, right| {
        let order = match sort {
            "cases" => left.cases.cmp(&right.cases),
            "per_case" => left.per_case_minor.cmp(&right.per_case_minor),
            "group" => left.key.cmp(&right.key),
            _ => left.shop_cost_minor.cmp(&right.shop_cost_minor),
        };
        if ascending { order } else { order.reverse() }
    });
    groups
}

/// The query string of the fields given (blank ones left out), for links that keep them.
pub(super) fn query_of(fields: &[(&str, &Option<String>)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        if let Some(value) = value.as_deref().filter(|value| !value.trim().is_empty()) {
            query.append_pair(name, value.trim());
        }
    }
    query.finish()
}

pub(super) async fn report_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(form): Query<ReportForm>,
) -> PageResult {
    let language = staff.language;
    let result = operations::report(
        &state.database,
        &staff.actor,
        form.by.as_deref(),
        form.from.as_deref(),
        form.to.as_deref(),
        Some(50),
    )
    .await;
    let (report, error, status) = match result {
        Ok(report) => (Some(report), None, StatusCode::OK),
        Err(error @ (AppError::Invalid { .. } | AppError::BadRequest { .. })) => (
            None,
            Some(super::error_text(language, &error)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(error) => return Err(error.into()),
    };
    let sort = form.sort.clone().unwrap_or_else(|| "cost".into());
    let ascending = form.dir.as_deref() == Some("asc");
    let by = report
        .as_ref()
        .map(|report| report.by.clone())
        .unwrap_or_else(|| "cost_kind".into());
    let CostReport {
        groups,
        totals,
        repair_share,
        ..
    } = report.unwrap_or(CostReport {
        by: by.clone(),
        groups: Vec::new(),
        totals: Vec::new(),
        repair_share: Vec::new(),
    });
    let widest = groups
        .iter()
        .map(|group| group.shop_cost_minor.abs())
        .max()
        .unwrap_or(0)
        .max(1);
    let names: Vec<&str> = Dimension::ALL.iter().map(|(name, _)| *name).collect();
    let page = ReportPage {
        frame: Frame::new(&state, &staff, "reports").await?,
        dimensions: Choice::named(language, "report-by", &names),
        groups: sorted(groups, &sort, ascending)
            .into_iter()
            .map(|group| GroupRow {
                name: name(language, &by, &group),
                cost: amount(group.shop_cost_minor, &group.currency),
                per_case: amount(group.per_case_minor, &group.currency),
                bar: group.shop_cost_minor.abs() * 100 / widest,
                negative: group.shop_cost_minor < 0,
                currency: group.currency,
                cases: group.cases,
                entries: group.entries,
            })
            .collect(),
        totals: totals
            .into_iter()
            .map(|total| TotalRow {
                cost: amount(total.shop_cost_minor, &total.currency),
                sales: amount(total.sales_minor, &total.currency),
                share: percent(total.share_of_sales_bp),
                cases: total.cases,
                currency: total.currency,
            })
            .collect(),
        shares: repair_share
            .into_iter()
            .map(|share| ShareRow {
                bar: share.share_bp.unwrap_or(0) / 100,
                share: percent(share.share_bp),
                month: share.month,
                repairs: share.repairs,
                cases: share.cases,
            })
            .collect(),
        query: query_of(&[("by", &form.by), ("from", &form.from), ("to", &form.to)]),
        by,
        from: form.from.clone().unwrap_or_default(),
        to: form.to.clone().unwrap_or_default(),
        sort,
        dir: if ascending {
            "asc".into()
        } else {
            "desc".into()
        },
        error,
    };
    Ok(render(&page, status, language))
}

/// The report as a file: `/console/reports/costs.csv` or `.xlsx`.
pub(super) async fn report_file(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(form): Query<ReportForm>,
) -> PageResult {
    let report = operations::report(
        &state.database,
        &staff.actor,
        form.by.as_deref(),
        form.from.as_deref(),
        form.to.as_deref(),
        Some(10_000),
    )
    .await?;
    let name = format!("costs-by-{}", report.by);
    Ok(match file.as_str() {
        "costs.csv" => crate::http::csv_file(&name, operations::csv(&report)),
        "costs.xlsx" => crate::http::xlsx_file(&name, operations::xlsx(&report)?),
        _ => return Err(AppError::NotFound("report").into()),
    })
}
