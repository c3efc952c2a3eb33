//! Cost reports (docs/MONEY.md, "Cost reports"): a period's ledger entries per cost kind, case
//! kind, reason, product, category, agent, month, payer or case; the shop's cost beside its
//! sales; the repair share per month; as JSON, CSV or XLSX. Every figure is a sum of ledger
//! entries' `shop_cost_minor`, so the groups add up to the total to the minor unit.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Database;
use crate::db::cost_reports::{self, Dimension};
use crate::db::shops::Actor;
use crate::error::{AppError, AppResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct CostReport {
    /// cost_kind, case_kind, reason, sku, category, agent, month, payer or case.
    pub by: String,
    pub groups: Vec<CostGroup>,
    /// Per currency: every entry of the period, and the sales beside them.
    pub totals: Vec<CostTotal>,
    /// Per month (with by=month): the share of cases about goods that were repairs.
    pub repair_share: Vec<RepairShare>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CostGroup {
    /// The group's value (a kind, a SKU, a staff id, YYYY-MM …); none for entries without one.
    pub key: Option<String>,
    /// A staff member's name for the agent dimension.
    pub name: Option<String>,
    pub currency: String,
    pub cases: i64,
    pub entries: i64,
    pub shop_cost_minor: i64,
    /// The shop's cost per case of the group, rounded down.
    pub per_case_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CostTotal {
    pub currency: String,
    pub cases: i64,
    pub entries: i64,
    pub shop_cost_minor: i64,
    /// Orders placed in the period (not cancelled), what they came to.
    pub sales_minor: i64,
    /// The cost as a share of sales, in basis points (1 % = 100); none without sales.
    pub share_of_sales_bp: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepairShare {
    pub month: String,
    pub repairs: i64,
    /// Cases about goods opened in the month (refund only, return, exchange, repair).
    pub cases: i64,
    /// Repairs as a share of them, in basis points.
    pub share_bp: Option<i64>,
}

/// The report for a period (days in the shop's zone, both included).
pub async fn report(
    database: &Database,
    actor: &Actor,
    by: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    limit: Option<i64>,
) -> AppResult<CostReport> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("reports are for staff".into()));
    }
    let by = by
        .map(str::trim)
        .filter(|by| !by.is_empty())
        .unwrap_or("cost_kind");
    let dimension = Dimension::parse(by).ok_or_else(|| {
        let known: Vec<&str> = Dimension::ALL.iter().map(|(name, _)| *name).collect();
        AppError::invalid(
            "by",
            format!("unknown grouping '{by}'; use one of: {}", known.join(", ")),
        )
    })?;
    let limit = limit.unwrap_or(200);
    if !(1..=10_000).contains(&limit) {
        return Err(AppError::invalid("limit", "limit is 1 to 10000 groups"));
    }
    let zone = &actor.shop.time_zone;
    let (start, end) = super::period(from, to, zone)?;
    let now = database.clock.now();
    let reader = &database.reader;
    let shop = &actor.shop.id;
    let (groups, totals, sales) = tokio::try_join!(
        cost_reports::groups(reader, shop, dimension, start, end, limit),
        cost_reports::totals(reader, shop, start, end),
        cost_reports::sales(reader, shop, start, end.min(now + 1)),
    )?;
    let names = if dimension == Dimension::Agent {
        cost_reports::staff_names(reader, shop).await?
    } else {
        Vec::new()
    };
    let repair_share = if dimension == Dimension::Month {
        repair_share(database, actor, start, end.min(now + 1)).await?
    } else {
        Vec::new()
    };
    Ok(CostReport {
        by: dimension.as_str().into(),
        groups: groups
            .into_iter()
            .map(|group| CostGroup {
                name: group.key.as_ref().and_then(|key| {
                    names
                        .iter()
                        .find(|(id, _)| id == key)
                        .map(|(_, name)| name.clone())
                }),
                per_case_minor: group.shop_cost_minor.checked_div(group.cases).unwrap_or(0),
                key: group.key,
                currency: group.currency,
                cases: group.cases,
                entries: group.entries,
                shop_cost_minor: group.shop_cost_minor,
            })
            .collect(),
        totals: totals
            .into_iter()
            .map(|total| {
                let sales_minor = sales
                    .iter()
                    .find(|(currency, _)| *currency == total.currency)
                    .map_or(0, |(_, sales)| *sales);
                CostTotal {
                    share_of_sales_bp: basis_points(total.shop_cost_minor, sales_minor),
                    currency: total.currency,
                    cases: total.cases,
                    entries: total.entries,
                    shop_cost_minor: total.shop_cost_minor,
                    sales_minor,
                }
            })
            .collect(),
        repair_share,
    })
}

/// `part` of `whole` in basis points, rounded half up; none when there is no whole.
fn basis_points(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| {
        i64::try_from((i128::from(part) * 20_000 + i128::from(whole)) / (2 * i128::from(whole)))
            .unwrap_or(i64::MAX)
    })
}

/// The repair share per month of the period (at most 36 months, the latest).
async fn repair_share(
    database: &Database,
    actor: &Actor,
    start: i64,
    end: i64,
) -> AppResult<Vec<RepairShare>> {
    let zone = &actor.shop.time_zone;
    let first = crate::domain::time::local_date(start.max(0), zone).first_of_month();
    let last = crate::domain::time::local_date(end - 1, zone).first_of_month();
    let mut months = Vec::new();
    let mut month = first;
    while month <= last {
        months.push(month);
        month = match month.checked_add(jiff::Span::new().months(1)) {
            Ok(next) => next,
            Err(_) => break,
        };
    }
    let skip = months.len().saturating_sub(36);
    let mut shares = Vec::new();
    for month in months.into_iter().skip(skip) {
        let bound = |date: jiff::civil::Date| {
            date.to_zoned(zone.clone())
                .map(|zoned| zoned.timestamp().as_microsecond())
                .unwrap_or(0)
        };
        let next = month
            .checked_add(jiff::Span::new().months(1))
            .map_err(|error| AppError::Internal(error.into()))?;
        let counts = cost_reports::cases_by_kind(
            &database.reader,
            &actor.shop.id,
            bound(month).max(start),
            bound(next).min(end),
        )
        .await?;
        let cases: i64 = counts.iter().map(|(_, count)| count).sum();
        let repairs = counts
            .iter()
            .find(|(kind, _)| kind == "repair")
            .map_or(0, |(_, count)| *count);
        shares.push(RepairShare {
            month: month.strftime("%Y-%m").to_string(),
            repairs,
            cases,
            share_bp: basis_points(repairs, cases),
        });
    }
    Ok(shares)
}

const HEADER: [&str; 8] = [
    "group",
    "name",
    "currency",
    "cases",
    "entries",
    "shop_cost_minor",
    "per_case_minor",
    "share_of_currency_total_bp",
];

fn rows(report: &CostReport) -> Vec<[String; 8]> {
    let total = |currency: &str| {
        report
            .totals
            .iter()
            .find(|total| total.currency == currency)
            .map_or(0, |total| total.shop_cost_minor)
    };
    let mut rows: Vec<[String; 8]> = report
        .groups
        .iter()
        .map(|group| {
            [
                group.key.clone().unwrap_or_default(),
                group.name.clone().unwrap_or_default(),
                group.currency.clone(),
                group.cases.to_string(),
                group.entries.to_string(),
                group.shop_cost_minor.to_string(),
                group.per_case_minor.to_string(),
                basis_points(group.shop_cost_minor, total(&group.currency))
                    .map(|share| share.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    rows.extend(report.totals.iter().map(|total| {
        [
            "(total)".into(),
            format!("sales {}", total.sales_minor),
            total.currency.clone(),
            total.cases.to_string(),
            total.entries.to_string(),
            total.shop_cost_minor.to_string(),
            total
                .shop_cost_minor
                .checked_div(total.cases)
                .unwrap_or(0)
                .to_string(),
            "10000".into(),
        ]
    }));
    rows
}

/// The report as CSV (UTF-8 with a BOM).
pub fn csv(report: &CostReport) -> String {
    super::exports::csv(HEADER, &rows(report))
}

/// The report as XLSX, figures as numbers.
pub fn xlsx(report: &CostReport) -> AppResult<Vec<u8>> {
    super::exports::xlsx("售后费用 Costs", HEADER, &rows(report), &[3, 4, 5, 6, 7])
}

#[cfg(test)]
mod tests {
    use super::basis_points;

    #[test]
    fn shares_are_basis_points_rounded_half_up() {
        assert_eq!(basis_points(1, 3), Some(3333));
        assert_eq!(basis_points(2, 3), Some(6667));
        assert_eq!(basis_points(5, 0), None);
        assert_eq!(
            basis_points(-1, 8),
            Some(-1249),
            "half up: -12.495 % → -12.49 %"
        );
    }
}
