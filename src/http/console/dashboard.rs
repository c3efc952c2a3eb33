//! The manager's dashboard: a period's KPIs for the shop and each agent, the trend as a line
//! chart, the top reasons, products and carriers, a reason × product heat map; every count opens
//! the cases behind it in the queue; the agents' table as CSV or XLSX.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::reports::query_of;
use super::{Frame, PageResult, Staff};
use crate::domain::money::written as amount;
use crate::error::AppError;
use crate::http::pages::render;
use crate::i18n::Language;
use crate::operations::kpis::{self as operations, KpiReport, Kpis};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct DashboardForm {
    from: Option<String>,
    to: Option<String>,
    interval: Option<String>,
}

/// A figure as the page shows it: what it is, its value, where it leads.
pub struct Tile {
    pub label: String,
    pub value: String,
    pub detail: String,
    pub link: Option<String>,
}

pub struct AgentRow {
    pub name: String,
    pub link: String,
    pub opened: u64,
    pub ended: u64,
    pub first_response: String,
    pub resolution: String,
    pub sla: String,
    pub reopen: String,
    pub satisfaction: String,
    pub quality: String,
    /// Visits closed: done (reached · issue found).
    pub visits: String,
}

pub struct CountRow {
    pub name: String,
    pub cases: i64,
    pub bar: i64,
    pub link: Option<String>,
}

pub struct Chart {
    /// SVG polyline points of the opened and ended cases.
    pub opened: String,
    pub ended: String,
    pub highest: u64,
    /// (x, label) of a few steps along the axis.
    pub labels: Vec<(i64, String)>,
    /// Every step: (first day, opened, ended, first response median).
    pub steps: Vec<(String, u64, u64, String)>,
}

pub struct HeatRow {
    pub reason: String,
    /// (cases, the shade: 4 to 40 percent of the colour, so dark text stays readable)
    pub cells: Vec<(i64, i64)>,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    frame: Frame,
    from: String,
    to: String,
    interval: String,
    error: Option<String>,
    tiles: Vec<Tile>,
    agents: Vec<AgentRow>,
    chart: Option<Chart>,
    /// (title, rows, element id): the top reasons, products and carriers.
    lists: Vec<(String, Vec<CountRow>, &'static str)>,
    heat_products: Vec<String>,
    heat: Vec<HeatRow>,
    query: String,
}

fn duration(language: Language, minutes: Option<f64>) -> String {
    minutes
        .map(|minutes| language.duration(minutes))
        .unwrap_or_else(|| "—".into())
}

fn percent(points: Option<i64>) -> String {
    points
        .map(|points| format!("{}.{}%", points / 100, (points % 100) / 10))
        .unwrap_or_else(|| "—".into())
}

fn score(value: Option<f64>) -> String {
    value
        .map(|v| format!("{v:.2}"))
        .unwrap_or_else(|| "—".into())
}

fn tiles(language: Language, kpis: &Kpis, from: &str, to: &str) -> Vec<Tile> {
    let f = &kpis.figures;
    let created = format!("created_from={from}&created_to={to}");
    let ended = format!("ended_from={from}&ended_to={to}");
    let queue = |filter: String| Some(format!("/console?{filter}"));
    let t = |key: &str| language.text(key);
    vec![
        Tile {
            label: t("dashboard-opened"),
            value: f.opened.to_string(),
            detail: String::new(),
            link: queue(created.clone()),
        },
        Tile {
            label: t("dashboard-ended"),
            value: f.ended.to_string(),
            detail: String::new(),
            link: queue(format!("status=ended&{ended}")),
        },
        Tile {
            label: t("dashboard-first-response"),
            value: duration(language, f.first_response.median_minutes),
            detail: language.text_with(
                "dashboard-p90",
                "text",
                &duration(language, f.first_response.p90_minutes),
            ),
            link: None,
        },
        Tile {
            label: t("dashboard-resolution"),
            value: duration(language, f.resolution.median_minutes),
            detail: language.text_args(
                "dashboard-resolution-detail",
                &[
                    ("text", &duration(language, f.resolution.p90_minutes)),
                    (
                        "detail",
                        &duration(language, f.resolution_business.median_minutes),
                    ),
                ],
            ),
            link: None,
        },
        Tile {
            label: t("dashboard-sla"),
            value: percent(f.sla_attainment_bp),
            detail: language.text_args(
                "dashboard-sla-detail",
                &[
                    ("n", &f.sla_met.to_string()),
                    ("cases", &f.sla_cases.to_string()),
                ],
            ),
            link: queue(format!("status=ended&sla=breached&{ended}")),
        },
        Tile {
            label: t("dashboard-reopen"),
            value: percent(f.reopen_rate_bp),
            detail: language.text_with("dashboard-cases", "n", &f.reopened.to_string()),
            link: None,
        },
        Tile {
            label: t("dashboard-satisfaction"),
            value: score(
                kpis.satisfaction
                    .survey_mean
                    .or(kpis.satisfaction.rating_mean),
            ),
            detail: language.text_args(
                "dashboard-satisfaction-detail",
                &[
                    ("n", &kpis.satisfaction.surveys.to_string()),
                    ("text", &score(kpis.satisfaction.rating_mean)),
                    ("cases", &kpis.satisfaction.ratings.to_string()),
                ],
            ),
            link: Some("/console/surveys".into()),
        },
        Tile {
            label: t("dashboard-quality"),
            value: kpis
                .quality
                .mean_total
                .map(|total| format!("{total:.1}"))
                .unwrap_or_else(|| "—".into()),
            detail: language.text_with("dashboard-audits", "n", &kpis.quality.audits.to_string()),
            link: Some("/console/audits".into()),
        },
        Tile {
            label: t("dashboard-repair-share"),
            value: percent(f.repair_share_bp),
            detail: language.text_args(
                "dashboard-sla-detail",
                &[
                    ("n", &f.repairs.to_string()),
                    ("cases", &f.goods_cases.to_string()),
                ],
            ),
            link: queue(format!("kind=repair&{created}")),
        },
        Tile {
            label: t("dashboard-refunded"),
            value: joined(
                kpis.refunded
                    .iter()
                    .map(|r| amount(r.amount_minor, &r.currency)),
            ),
            detail: language.text_with(
                "dashboard-refunds",
                "n",
                &kpis
                    .refunded
                    .iter()
                    .map(|r| r.refunds)
                    .sum::<i64>()
                    .to_string(),
            ),
            link: None,
        },
        Tile {
            label: t("dashboard-cost-per-case"),
            value: joined(
                kpis.costs
                    .iter()
                    .filter_map(|c| c.per_case_minor.map(|per| amount(per, &c.currency))),
            ),
            detail: joined(
                kpis.costs
                    .iter()
                    .map(|c| amount(c.shop_cost_minor, &c.currency)),
            ),
            link: Some(format!("/console/reports/costs?from={from}&to={to}")),
        },
    ]
}

fn joined(values: impl Iterator<Item = String>) -> String {
    let values: Vec<String> = values.collect();
    if values.is_empty() {
        "—".into()
    } else {
        values.join(" · ")
    }
}

fn chart(language: Language, report: &KpiReport) -> Option<Chart> {
    if report.trend.is_empty() {
        return None;
    }
    let highest = report
        .trend
        .iter()
        .map(|point| point.opened.max(point.ended))
        .max()
        .unwrap_or(0)
        .max(1);
    let count = report.trend.len() as i64;
    let x = |index: usize| {
        40 + if count > 1 {
            index as i64 * 540 / (count - 1)
        } else {
            270
        }
    };
    let y = |value: u64| 170 - (value as i64 * 150 / highest as i64);
    let line = |pick: &dyn Fn(&operations::TrendPoint) -> u64| {
        report
            .trend
            .iter()
            .enumerate()
            .map(|(index, point)| format!("{},{}", x(index), y(pick(point))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let every = (report.trend.len() / 6).max(1);
    Some(Chart {
        opened: line(&|point| point.opened),
        ended: line(&|point| point.ended),
        highest,
        labels: report
            .trend
            .iter()
            .enumerate()
            .filter(|(index, _)| index % every == 0)
            .map(|(index, point)| (x(index), point.start[5..].to_string()))
            .collect(),
        steps: report
            .trend
            .iter()
            .map(|point| {
                (
                    point.start.clone(),
                    point.opened,
                    point.ended,
                    duration(language, point.first_response_median_minutes),
                )
            })
            .collect(),
    })
}

fn counts(rows: &[operations::Count], link: impl Fn(&str) -> Option<String>) -> Vec<CountRow> {
    let widest = rows.iter().map(|row| row.cases).max().unwrap_or(0).max(1);
    rows.iter()
        .map(|row| CountRow {
            name: row.name.clone().unwrap_or_else(|| row.key.clone()),
            cases: row.cases,
            bar: row.cases * 100 / widest,
            link: link(&row.key),
        })
        .collect()
}

pub(super) async fn dashboard_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(form): Query<DashboardForm>,
) -> PageResult {
    let language = staff.language;
    let result = operations::report(
        &state.database,
        &staff.actor,
        form.from.as_deref(),
        form.to.as_deref(),
        form.interval.as_deref(),
    )
    .await;
    let report = match result {
        Ok(report) => report,
        Err(error @ AppError::Invalid { .. }) => {
            let page = DashboardPage {
                frame: Frame::new(&state, &staff, "dashboard").await?,
                from: form.from.clone().unwrap_or_default(),
                to: form.to.clone().unwrap_or_default(),
                interval: form.interval.clone().unwrap_or_default(),
                error: Some(super::error_text(language, &error)),
                tiles: Vec::new(),
                agents: Vec::new(),
                chart: None,
                lists: Vec::new(),
                heat_products: Vec::new(),
                heat: Vec::new(),
                query: String::new(),
            };
            return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, language));
        }
        Err(error) => return Err(error.into()),
    };
    let (from, to) = (report.from.clone(), report.to.clone());
    let created = format!("created_from={from}&created_to={to}");
    let widest_cell = report
        .heat
        .cells
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let page = DashboardPage {
        frame: Frame::new(&state, &staff, "dashboard").await?,
        tiles: tiles(language, &report.totals, &from, &to),
        agents: report
            .agents
            .iter()
            .map(|agent| {
                let f = &agent.kpis.figures;
                AgentRow {
                    name: agent
                        .name
                        .clone()
                        .or(agent.agent_id.clone())
                        .unwrap_or_else(|| language.text("dashboard-unassigned")),
                    link: format!(
                        "/console?assignee={}&{created}",
                        agent.agent_id.as_deref().unwrap_or("none")
                    ),
                    opened: f.opened,
                    ended: f.ended,
                    first_response: duration(language, f.first_response.median_minutes),
                    resolution: duration(language, f.resolution.median_minutes),
                    sla: percent(f.sla_attainment_bp),
                    reopen: percent(f.reopen_rate_bp),
                    satisfaction: score(
                        agent
                            .kpis
                            .satisfaction
                            .survey_mean
                            .or(agent.kpis.satisfaction.rating_mean),
                    ),
                    quality: agent
                        .kpis
                        .quality
                        .mean_total
                        .map(|total| format!("{total:.1}"))
                        .unwrap_or_else(|| "—".into()),
                    visits: match &agent.kpis.visits {
                        visits if visits.done == 0 => "—".into(),
                        visits => format!(
                            "{} ({} · {})",
                            visits.done, visits.reached, visits.issue_found
                        ),
                    },
                }
            })
            .collect(),
        chart: chart(language, &report),
        lists: vec![
            (
                language.text("dashboard-top-reasons"),
                counts(&report.top_reasons, |key| {
                    Some(format!(
                        "/console?reason_code={}&{created}",
                        crate::http::pages::url_encode(key)
                    ))
                }),
                "dashboard-reasons",
            ),
            (
                language.text("dashboard-top-products"),
                counts(&report.top_products, |_| None),
                "dashboard-products",
            ),
            (
                language.text("dashboard-top-carriers"),
                counts(&report.top_carriers, |_| None),
                "dashboard-carriers",
            ),
        ],
        heat_products: report
            .heat
            .products
            .iter()
            .map(|product| product.name.clone().unwrap_or_else(|| product.key.clone()))
            .collect(),
        heat: report
            .heat
            .reasons
            .iter()
            .zip(&report.heat.cells)
            .map(|(reason, cells)| HeatRow {
                reason: reason.name.clone().unwrap_or_else(|| reason.key.clone()),
                cells: cells
                    .iter()
                    .map(|cases| (*cases, 4 + cases * 36 / widest_cell))
                    .collect(),
            })
            .collect(),
        query: query_of(&[
            ("from", &Some(from.clone())),
            ("to", &Some(to.clone())),
            ("interval", &Some(report.interval.clone())),
        ]),
        interval: report.interval.clone(),
        from,
        to,
        error: None,
    };
    Ok(render(&page, StatusCode::OK, language))
}

/// The agents' table as a file: `/console/dashboard/kpis.csv` or `.xlsx`.
pub(super) async fn dashboard_file(
    State(state): State<AppState>,
    staff: Staff,
    Path(file): Path<String>,
    Query(form): Query<DashboardForm>,
) -> PageResult {
    let report = operations::report(
        &state.database,
        &staff.actor,
        form.from.as_deref(),
        form.to.as_deref(),
        form.interval.as_deref(),
    )
    .await?;
    let name = format!("kpis-{}-{}", report.from, report.to);
    Ok(match file.as_str() {
        "kpis.csv" => crate::http::csv_file(&name, operations::csv(&report)),
        "kpis.xlsx" => crate::http::xlsx_file(&name, operations::xlsx(&report)?),
        _ => return Err(AppError::NotFound("file").into()),
    })
}
