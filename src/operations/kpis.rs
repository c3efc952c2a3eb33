//! The KPI report (docs/MANAGEMENT.md, "KPIs"): a period's figures for the shop and each agent,
//! a trend by day, week or month, the top reasons, products and carriers, a reason × product
//! table; the same as CSV or XLSX (one row per agent).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Database;
use crate::db::kpis::{self, Score};
use crate::db::shops::Actor;
use crate::domain::kpis::{CaseTimes, Figures, figures};
use crate::error::{AppError, AppResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct KpiReport {
    /// The first day and the last day (included), in the shop's zone.
    pub from: String,
    pub to: String,
    /// day, week or month: the trend's steps.
    pub interval: String,
    pub totals: Kpis,
    /// Per agent (the case's assignee; none: unassigned), the busiest first.
    pub agents: Vec<AgentKpis>,
    pub trend: Vec<TrendPoint>,
    pub top_reasons: Vec<Count>,
    pub top_products: Vec<Count>,
    /// The carriers that delivered the orders the period's cases are about.
    pub top_carriers: Vec<Count>,
    /// Cases per reason (rows) and product (columns), the top eight of each.
    pub heat: Heat,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Kpis {
    #[serde(flatten)]
    pub figures: Figures,
    pub satisfaction: Satisfaction,
    pub quality: Quality,
    /// Refunds paid in the period, per currency.
    pub refunded: Vec<Refunded>,
    /// What after-sales cost the shop (the cost ledger), per currency, and per ended case.
    pub costs: Vec<Cost>,
    /// Follow-up visits (回访) closed in the period, by whoever recorded the outcome.
    pub visits: VisitCounts,
}

#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(as = KpiVisits)]
pub struct VisitCounts {
    pub done: i64,
    pub reached: i64,
    pub not_reached: i64,
    /// Visits that found an issue (each opened a complaint).
    pub issue_found: i64,
}

fn visit_counts(rows: &[&(Option<String>, String, i64)]) -> VisitCounts {
    let mut counts = VisitCounts::default();
    for (_, state, count) in rows {
        counts.done += count;
        match state.as_str() {
            "reached" => counts.reached += count,
            "not_reached" => counts.not_reached += count,
            _ => counts.issue_found += count,
        }
    }
    counts
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Satisfaction {
    /// Ratings customers gave their cases in the period, and their mean.
    pub ratings: u64,
    pub rating_mean: Option<f64>,
    /// Survey answers given in the period, and their mean.
    pub surveys: u64,
    pub survey_mean: Option<f64>,
}

/// The QA audits scored in the period (a disputed one by its final total).
#[derive(Debug, Serialize, ToSchema)]
pub struct Quality {
    pub audits: u64,
    /// Their mean total, 0–100.
    pub mean_total: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Refunded {
    pub currency: String,
    pub amount_minor: i64,
    pub refunds: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Cost {
    pub currency: String,
    pub shop_cost_minor: i64,
    /// The cost over the cases ended in the period, rounded down; none without ended cases.
    pub per_case_minor: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentKpis {
    pub agent_id: Option<String>,
    pub name: Option<String>,
    pub kpis: Kpis,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrendPoint {
    /// The step's first day.
    pub start: String,
    pub opened: u64,
    pub ended: u64,
    pub first_response_median_minutes: Option<f64>,
    pub sla_attainment_bp: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    pub name: Option<String>,
    pub cases: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Heat {
    pub reasons: Vec<Count>,
    pub products: Vec<Count>,
    /// cells[reason][product]: cases.
    pub cells: Vec<Vec<i64>>,
}

fn mean(scores: &[&Score]) -> Option<f64> {
    (!scores.is_empty())
        .then(|| scores.iter().map(|s| s.score as f64).sum::<f64>() / scores.len() as f64)
}

/// The report for `[from, to]` (days in the shop's zone; default the last 30 days).
pub async fn report(
    database: &Database,
    actor: &Actor,
    from: Option<&str>,
    to: Option<&str>,
    interval: Option<&str>,
) -> AppResult<KpiReport> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("reports are for staff".into()));
    }
    let zone = &actor.shop.time_zone;
    let today = crate::domain::time::local_date(database.clock.now(), zone);
    let default_from = today
        .checked_sub(jiff::Span::new().days(29))
        .unwrap_or(today)
        .to_string();
    let default_to = today.to_string();
    let from = from
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .unwrap_or(&default_from);
    let to = to
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(&default_to);
    let (start, end) = super::period(Some(from), Some(to), zone)?;
    let days = (end - start) / 86_400_000_000;
    if days > 731 {
        return Err(AppError::invalid(
            "to",
            "a KPI report covers at most two years",
        ));
    }
    let interval = match interval.map(str::trim).filter(|i| !i.is_empty()) {
        Some(interval @ ("day" | "week" | "month")) => interval,
        Some(other) => {
            return Err(AppError::invalid(
                "interval",
                format!("unknown interval '{other}'; use day, week or month"),
            ));
        }
        None if days <= 62 => "day",
        None if days <= 186 => "week",
        None => "month",
    };
    let reader = &database.reader;
    let shop = &actor.shop.id;
    let (cases, ratings, surveys, refunds, costs, reasons_by_product, carriers, audited, visits) =
        tokio::try_join!(
            kpis::cases(reader, shop, start, end),
            kpis::ratings(reader, shop, start, end),
            kpis::survey_scores(reader, shop, start, end),
            kpis::refunds(reader, shop, start, end),
            kpis::costs(reader, shop, start, end),
            kpis::reasons_by_product(reader, shop, start, end),
            kpis::carriers(reader, shop, start, end),
            crate::db::audits::totals(reader, shop, start, end),
            kpis::visits(reader, shop, start, end),
        )?;
    let (staff, reasons) = tokio::try_join!(
        crate::db::cost_reports::staff_names(reader, shop),
        crate::db::shops::list_reasons(reader, shop),
    )?;
    let reason_name =
        |code: &str| crate::db::shops::reason_name(&reasons, code, &actor.shop.locale);
    let all: Vec<&CaseTimes> = cases.iter().collect();
    let totals = kpis_of(
        &all,
        start,
        end,
        Scores {
            ratings: ratings.iter().collect(),
            surveys: surveys.iter().collect(),
            audits: audited.iter().map(|(_, total)| *total).collect(),
        },
        &refunds.iter().collect::<Vec<_>>(),
        Some(&costs),
        visit_counts(&visits.iter().collect::<Vec<_>>()),
    );
    let agents: BTreeSet<Option<String>> = cases
        .iter()
        .map(|case| case.assignee_id.clone())
        .chain(refunds.iter().map(|refund| refund.assignee_id.clone()))
        .chain(audited.iter().map(|(agent, _)| Some(agent.clone())))
        .chain(visits.iter().map(|(agent, ..)| agent.clone()))
        .collect();
    let mut by_agent: Vec<AgentKpis> = agents
        .into_iter()
        .map(|agent| {
            let mine: Vec<&CaseTimes> = cases
                .iter()
                .filter(|case| case.assignee_id == agent)
                .collect();

            AgentKpis {
                name: agent.as_ref().and_then(|id| {
                    staff
                        .iter()
                        .find(|(staff_id, _)| staff_id == id)
                        .map(|(_, name)| name.clone())
                }),
                kpis: kpis_of(
                    &mine,
                    start,
                    end,
                    Scores {
                        ratings: of_agent(&ratings, &agent),
                        surveys: of_agent(&surveys, &agent),
                        audits: audited
                            .iter()
                            .filter(|(audited, _)| Some(audited) == agent.as_ref())
                            .map(|(_, total)| *total)
                            .collect(),
                    },
                    &refunds
                        .iter()
                        .filter(|r| r.assignee_id == agent)
                        .collect::<Vec<_>>(),
                    None,
                    visit_counts(
                        &visits
                            .iter()
                            .filter(|(done_by, ..)| *done_by == agent)
                            .collect::<Vec<_>>(),
                    ),
                ),
                agent_id: agent,
            }
        })
        .collect();
    by_agent.sort_by(|a, b| {
        (b.kpis.figures.opened + b.kpis.figures.ended)
            .cmp(&(a.kpis.figures.opened + a.kpis.figures.ended))
            .then(a.agent_id.cmp(&b.agent_id))
    });
    let trend = steps(start, end, interval, zone)
        .into_iter()
        .map(|(first, step_start, step_end)| {
            let step = figures(&all, step_start, step_end);
            TrendPoint {
                start: first.to_string(),
                opened: step.opened,
                ended: step.ended,
                first_response_median_minutes: step.first_response.median_minutes,
                sla_attainment_bp: step.sla_attainment_bp,
            }
        })
        .collect();
    // The top reasons count each case once; products, a case per product it is about.
    let mut reason_cases: BTreeMap<&str, i64> = BTreeMap::new();
    for case in cases
        .iter()
        .filter(|case| (start..end).contains(&case.created_at))
    {
        *reason_cases.entry(case.reason_code.as_str()).or_default() += 1;
    }
    let mut product_cases: BTreeMap<&str, (i64, &str)> = BTreeMap::new();
    for row in &reasons_by_product {
        let entry = product_cases
            .entry(row.sku.as_str())
            .or_insert((0, &row.product_name));
        entry.0 += row.cases;
    }
    let top_reasons = top(reason_cases
        .into_iter()
        .map(|(key, cases)| Count {
            name: reason_name(key),
            key: key.to_string(),
            cases,
        })
        .collect());
    let top_products = top(product_cases
        .into_iter()
        .map(|(key, (cases, name))| Count {
            key: key.to_string(),
            name: Some(name.to_string()),
            cases,
        })
        .collect());
    let top_carriers = carriers
        .into_iter()
        .map(|(carrier, cases)| Count {
            key: carrier,
            name: None,
            cases,
        })
        .collect();
    let heat_reasons: Vec<Count> = top_reasons.iter().take(8).cloned().collect();
    let heat_products: Vec<Count> = top_products.iter().take(8).cloned().collect();
    let cells = heat_reasons
        .iter()
        .map(|reason| {
            heat_products
                .iter()
                .map(|product| {
                    reasons_by_product
                        .iter()
                        .find(|row| row.reason_code == reason.key && row.sku == product.key)
                        .map(|row| row.cases)
                        .unwrap_or(0)
                })
                .collect()
        })
        .collect();
    Ok(KpiReport {
        from: from.to_string(),
        to: to.to_string(),
        interval: interval.to_string(),
        totals,
        agents: by_agent,
        trend,
        top_reasons: top_reasons.into_iter().take(10).collect(),
        top_products: top_products.into_iter().take(10).collect(),
        top_carriers,
        heat: Heat {
            reasons: heat_reasons,
            products: heat_products,
            cells,
        },
    })
}

fn of_agent<'a>(scores: &'a [Score], agent: &Option<String>) -> Vec<&'a Score> {
    scores.iter().filter(|s| &s.assignee_id == agent).collect()
}

fn top(mut counts: Vec<Count>) -> Vec<Count> {
    counts.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.key.cmp(&b.key)));
    counts
}

/// What customers and auditors gave a set of cases in the period.
struct Scores<'a> {
    ratings: Vec<&'a Score>,
    surveys: Vec<&'a Score>,
    /// QA totals, 0–100.
    audits: Vec<i64>,
}

fn kpis_of(
    cases: &[&CaseTimes],
    start: i64,
    end: i64,
    scores: Scores,
    refunds: &[&kpis::Refunded],
    costs: Option<&[(String, i64)]>,
    visits: VisitCounts,
) -> Kpis {
    let Scores {
        ratings,
        surveys,
        audits,
    } = scores;
    let figures = figures(cases, start, end);
    let mut refunded: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for refund in refunds {
        let entry = refunded.entry(refund.currency.as_str()).or_default();
        entry.0 += refund.amount_minor;
        entry.1 += refund.refunds;
    }
    Kpis {
        satisfaction: Satisfaction {
            ratings: ratings.len() as u64,
            rating_mean: mean(&ratings),
            surveys: surveys.len() as u64,
            survey_mean: mean(&surveys),
        },
        quality: Quality {
            audits: audits.len() as u64,
            mean_total: (!audits.is_empty())
                .then(|| audits.iter().sum::<i64>() as f64 / audits.len() as f64),
        },
        refunded: refunded
            .into_iter()
            .map(|(currency, (amount_minor, refunds))| Refunded {
                currency: currency.to_string(),
                amount_minor,
                refunds,
            })
            .collect(),
        costs: costs
            .unwrap_or_default()
            .iter()
            .map(|(currency, cost)| Cost {
                currency: currency.clone(),
                shop_cost_minor: *cost,
                per_case_minor: (figures.ended > 0).then(|| cost.div_euclid(figures.ended as i64)),
            })
            .collect(),
        figures,
        visits,
    }
}

/// The trend's steps over `[start, end)`: (first day, start, end), each a day, an ISO week
/// (Monday first) or a calendar month in the shop's zone, the first and last cut to the period.
fn steps(
    start: i64,
    end: i64,
    interval: &str,
    zone: &jiff::tz::TimeZone,
) -> Vec<(jiff::civil::Date, i64, i64)> {
    let at = |day: jiff::civil::Date| {
        day.to_zoned(zone.clone())
            .map(|zoned| zoned.timestamp().as_microsecond())
            .unwrap_or(i64::MAX)
    };
    let mut day = crate::domain::time::local_date(start, zone);
    let mut steps = Vec::new();
    while at(day) < end && steps.len() < 800 {
        let next = match interval {
            "week" => day.checked_add(
                jiff::Span::new().days(7 - i64::from(day.weekday().to_monday_zero_offset())),
            ),
            "month" => day
                .first_of_month()
                .checked_add(jiff::Span::new().months(1)),
            _ => day.tomorrow(),
        };
        let Ok(next) = next else { break };
        steps.push((day, at(day).max(start), at(next).min(end)));
        day = next;
    }
    steps
}

const HEADER: [&str; 20] = [
    "agent",
    "opened",
    "ended",
    "first_response_median_minutes",
    "first_response_p90_minutes",
    "resolution_median_minutes",
    "resolution_p90_minutes",
    "sla_cases",
    "sla_met",
    "sla_attainment_bp",
    "reopened",
    "reopen_rate_bp",
    "repair_share_bp",
    "rating_mean",
    "survey_mean",
    "qa_mean_total",
    "refunded",
    "visits_done",
    "visits_reached",
    "visits_issue_found",
];

fn rows(report: &KpiReport) -> Vec<[String; 20]> {
    let number = |value: Option<f64>| value.map(|v| format!("{v:.1}")).unwrap_or_default();
    let points = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    let row = |name: String, kpis: &Kpis| {
        let f = &kpis.figures;
        [
            name,
            f.opened.to_string(),
            f.ended.to_string(),
            number(f.first_response.median_minutes),
            number(f.first_response.p90_minutes),
            number(f.resolution.median_minutes),
            number(f.resolution.p90_minutes),
            f.sla_cases.to_string(),
            f.sla_met.to_string(),
            points(f.sla_attainment_bp),
            f.reopened.to_string(),
            points(f.reopen_rate_bp),
            points(f.repair_share_bp),
            kpis.satisfaction
                .rating_mean
                .map(|v| format!("{v:.2}"))
                .unwrap_or_default(),
            kpis.satisfaction
                .survey_mean
                .map(|v| format!("{v:.2}"))
                .unwrap_or_default(),
            kpis.quality
                .mean_total
                .map(|v| format!("{v:.1}"))
                .unwrap_or_default(),
            kpis.refunded
                .iter()
                .map(|r| crate::domain::money::written(r.amount_minor, &r.currency))
                .collect::<Vec<_>>()
                .join(" "),
            kpis.visits.done.to_string(),
            kpis.visits.reached.to_string(),
            kpis.visits.issue_found.to_string(),
        ]
    };
    std::iter::once(row("*".into(), &report.totals))
        .chain(report.agents.iter().map(|agent| {
            row(
                agent
                    .name
                    .clone()
                    .or(agent.agent_id.clone())
                    .unwrap_or_else(|| "-".into()),
                &agent.kpis,
            )
        }))
        .collect()
}

/// The report's shop and agent rows as CSV (UTF-8 with a BOM).
pub fn csv(report: &KpiReport) -> String {
    super::exports::csv(HEADER, &rows(report))
}

/// The same as XLSX, the counts as numbers.
pub fn xlsx(report: &KpiReport) -> AppResult<Vec<u8>> {
    super::exports::xlsx(
        "KPI",
        HEADER,
        &rows(report),
        &[1, 2, 7, 8, 9, 10, 11, 12, 17, 18, 19],
    )
}
