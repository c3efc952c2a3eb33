//! Costs over HTTP: one ledger entry booked through the API on each case of the grown shop that
//! has none yet (the booking rate), then the cost report over a month and a year at c=1 (per
//! cost kind, per month with the repair share, the top 20 products) and the accountant's export
//! of a year's credit notes (made by the refund run: each refunded order is invoiced).

use serde_json::json;

use super::measure::{get, measure};
use super::{Options, SHOP, TOKEN};
use crate::db::{Database, synthetic};

pub async fn run(client: &reqwest::Client, base: &str, options: &Options) -> anyhow::Result<()> {
    let database = Database::connect(&options.target).await?;
    let shop = crate::db::shops::find_shop_by_slug(&database.reader, SHOP)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the bench shop is missing"))?;
    let cases = synthetic::cases_without_costs(&database, &shop.id, options.costs as i64).await?;
    if !cases.is_empty() {
        let count = cases.len();
        let (client, base) = (client.clone(), base.to_string());
        let figures = measure(count, options.concurrency, move |index| {
            let case = &cases[index];
            let kind = ["repair_parts", "label", "compensation", "other"][index % 4];
            let request = client
                .post(format!("{base}/api/v1/cases/{case}/costs"))
                .bearer_auth(TOKEN)
                .json(&json!({ "kind": kind,
                               "amount_minor": 500 + (index % 97) as i64 * 10 }))
                .send();
            async move { matches!(request.await, Ok(response) if response.status() == reqwest::StatusCode::CREATED) }
        })
        .await;
        println!(
            "{}",
            figures.line("book a cost (POST /cases/{id}/costs)", options.concurrency)
        );
    }
    let entries = synthetic::cost_entries(&database, &shop.id).await?;
    // The ledger summed entry by entry with the domain's rule, per currency.
    let mut ledger = std::collections::BTreeMap::<String, i64>::new();
    for (kind, payer, amount, currency) in synthetic::cost_rows(&database, &shop.id).await? {
        let (Some(kind), Some(payer)) = (
            crate::domain::costs::CostKind::parse(&kind),
            crate::domain::costs::Payer::parse(&payer),
        ) else {
            anyhow::bail!("an entry of an unknown kind or payer: {kind} {payer}");
        };
        *ledger.entry(currency).or_default() +=
            crate::domain::costs::shop_cost(kind, payer, amount);
    }
    database.close().await;
    // Every grouping adds up to the ledger, to the minor unit.
    for by in [
        "cost_kind",
        "case_kind",
        "reason",
        "sku",
        "category",
        "agent",
        "month",
        "payer",
        "case",
    ] {
        let report: serde_json::Value = client
            .get(format!("{base}/api/v1/reports/costs?by={by}&limit=10000"))
            .bearer_auth(TOKEN)
            .send()
            .await?
            .json()
            .await?;
        let mut groups = std::collections::BTreeMap::<String, i64>::new();
        for group in report["groups"].as_array().into_iter().flatten() {
            *groups
                .entry(group["currency"].as_str().unwrap_or_default().to_string())
                .or_default() += group["shop_cost_minor"].as_i64().unwrap_or_default();
        }
        let limited = report["groups"].as_array().map_or(0, Vec::len) == 10_000;
        if !limited && groups != ledger {
            anyhow::bail!(
                "the cost report by {by} does not add up to the ledger: {groups:?} vs {ledger:?}"
            );
        }
        println!(
            "  reconciled by {by:<10} {} groups{}",
            report["groups"].as_array().map_or(0, Vec::len),
            if limited {
                " (the first 10000: not summed)"
            } else {
                " = the ledger to the minor unit"
            }
        );
    }
    let today = jiff::Timestamp::from_microsecond(crate::clock::system_micros())?
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai")?)
        .date();
    let year = today.checked_sub(jiff::Span::new().days(364))?;
    let month = today.checked_sub(jiff::Span::new().days(29))?;
    let quarter = today.checked_sub(jiff::Span::new().days(90))?;
    println!("cost reports over {entries} ledger entries (booked this month)");
    for (name, query) in [
        (
            "cost report by kind, a month",
            format!("by=cost_kind&from={month}&to={today}"),
        ),
        (
            "cost report by kind, a year",
            format!("by=cost_kind&from={year}&to={today}"),
        ),
        (
            "cost report by month + repair share, a year",
            format!("by=month&from={year}&to={today}"),
        ),
        (
            "cost report top 20 products, a year",
            format!("by=sku&limit=20&from={year}&to={today}"),
        ),
        (
            "cost report by case kind, a year",
            format!("by=case_kind&from={year}&to={today}"),
        ),
        (
            "credit notes of a year (CSV)",
            format!("format=csv&from={year}&to={today}"),
        ),
        ("KPIs, the last 30 days", String::new()),
        (
            "KPIs, a quarter by week",
            format!("interval=week&from={quarter}&to={today}"),
        ),
    ] {
        let path = if name.starts_with("credit") {
            "credit-notes"
        } else if name.starts_with("KPIs") {
            "reports/kpis"
        } else {
            "reports/costs"
        };
        let figures = measure(50, 1, get(client, &format!("{base}/api/v1/{path}?{query}"))).await;
        println!("{}", figures.line(&format!("  {name}"), 1));
    }
    Ok(())
}
