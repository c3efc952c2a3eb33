//! Orders made over HTTP before a measurement, so that the cases it opens claim free units (the
//! loaded orders' units are claimed by their open cases already).

use serde_json::json;

use super::TOKEN;
use super::measure::measure;

/// Makes `count` orders `{prefix}-{index}` of two lines; returns how many were stored.
pub async fn fresh(
    client: &reqwest::Client,
    base: &str,
    prefix: &str,
    count: usize,
    concurrency: usize,
) -> usize {
    let (client, base, prefix) = (client.clone(), base.to_string(), prefix.to_string());
    let figures = measure(count, concurrency, move |index| {
        let request = client
            .post(format!("{base}/api/v1/orders"))
            .bearer_auth(TOKEN)
            .json(&json!({
                "order_number": format!("{prefix}-{index}"), "placed_at": "2026-11-20 10:00",
                "delivered_at": "2026-11-22 10:00",
                "customer": { "name": "压测用户", "phone": "13800000000" },
                "lines": [
                    { "sku": "BN-1", "product_name": "压测商品", "quantity": 1, "unit_price_minor": 19_900 },
                    { "sku": "BN-2", "product_name": "压测配件", "quantity": 2, "unit_price_minor": 4_900 }
                ]
            }))
            .send();
        async move { matches!(request.await, Ok(response) if response.status().is_success()) }
    })
    .await;
    figures.requests - figures.errors
}
