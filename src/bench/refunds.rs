//! Refund execution over HTTP: orders and approved refund cases made first (each order line 4
//! units for ¥400.00, the case claiming all four), then many small refunds, each under its own
//! Idempotency-Key, spread over the cases: every one passes the whole path (the case and the
//! order locked, the units' ceiling checked, the refund, its event and outbox row written).

use serde_json::json;

use super::measure::measure;
use super::{Options, TOKEN};

/// Prepares `count` approved cases; returns their ids.
async fn prepare(
    client: &reqwest::Client,
    base: &str,
    count: usize,
) -> anyhow::Result<Vec<String>> {
    let stamp = crate::clock::system_micros();
    let mut ids = Vec::with_capacity(count);
    for index in 0..count {
        let number = format!("RF{stamp}-{index}");
        client
            .post(format!("{base}/api/v1/orders"))
            .bearer_auth(TOKEN)
            .json(&json!({
                "order_number": number, "placed_at": "2026-11-20 10:00",
                "customer": { "name": "压测", "phone": "13800138000" },
                "lines": [{ "sku": "RF", "product_name": "退款压测", "quantity": 4, "unit_price_minor": 10_000 }]
            }))
            .send()
            .await?
            .error_for_status()?;
        // Invoiced: each refund makes its credit note (the cost run exports a year of them).
        client
            .put(format!("{base}/api/v1/orders/{number}/invoice"))
            .bearer_auth(TOKEN)
            .json(
                &json!({ "number": format!("INV-{number}"), "issued_on": "2026-11-20",
                           "kind": "digital_normal", "buyer_title": "压测" }),
            )
            .send()
            .await?
            .error_for_status()?;
        let case: serde_json::Value = client
            .post(format!("{base}/api/v1/cases"))
            .bearer_auth(TOKEN)
            .json(&json!({
                "order_number": number, "kind": "refund_only", "reason_code": "quality",
                "description": "退款压测", "lines": [{ "line_number": 1, "quantity": 4 }],
                "contact": { "name": "压测", "phone": "13800138000" }
            }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let id = case["id"].as_str().unwrap_or_default().to_string();
        client
            .post(format!("{base}/api/v1/cases/{id}/transitions"))
            .bearer_auth(TOKEN)
            .json(&json!({ "action": "approve", "version": case["version"] }))
            .send()
            .await?
            .error_for_status()?;
        ids.push(id);
    }
    Ok(ids)
}

/// Refunds of ¥1.00 at c=1 and at the run's concurrency; prints a line for each.
pub async fn run(client: &reqwest::Client, base: &str, options: &Options) -> anyhow::Result<()> {
    let cases = prepare(client, base, 200).await?;
    let stamp = crate::clock::system_micros();
    for concurrency in [1, options.concurrency] {
        let (client, base, cases) = (client.clone(), base.to_string(), cases.clone());
        let figures = measure(options.reads, concurrency, move |index| {
            let case = &cases[index % cases.len()];
            let request = client
                .post(format!("{base}/api/v1/cases/{case}/refunds"))
                .bearer_auth(TOKEN)
                .header("Idempotency-Key", format!("bench-{stamp}-{concurrency}-{index}"))
                .json(&json!({ "lines": [{ "line_number": 1, "amount_minor": 100 }] }))
                .send();
            async move { matches!(request.await, Ok(response) if response.status() == reqwest::StatusCode::CREATED) }
        })
        .await;
        println!(
            "{}",
            figures.line("refund + credit note (POST refunds)", concurrency)
        );
    }
    Ok(())
}
