//! The manager's paths: parcels added for the buyer (each reads the shop's delivery history for
//! its expected arrival and queues the buyer's notice), and a platform's review export imported
//! (each row matched to its order; the medium and negative ones open cases), then imported again
//! (nothing changes).

use std::time::Instant;

use serde_json::{Value, json};

use super::measure::measure;
use super::{Options, TOKEN};

const HOUR: i64 = 3_600_000_000;

fn at(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .map(|at| at.to_string())
        .unwrap_or_default()
}

/// Makes `count` orders `{prefix}-{index}` to 上海 and returns their ids (in order).
async fn orders(client: &reqwest::Client, base: &str, prefix: &str, count: usize) -> Vec<String> {
    let placed = crate::clock::system_micros() - 48 * HOUR;
    let mut ids = Vec::with_capacity(count);
    for index in 0..count {
        let response = client
            .post(format!("{base}/api/v1/orders"))
            .bearer_auth(TOKEN)
            .json(&json!({
                "order_number": format!("{prefix}-{index}"), "platform": "taobao", "placed_at": at(placed),
                "customer": { "name": "压测用户", "phone": format!("139{:08}", index), "address": "上海市浦东新区世纪大道100号" },
                "lines": [{ "sku": "BN-1", "product_name": "压测商品", "quantity": 1, "unit_price_minor": 19_900 }]
            }))
            .send()
            .await;
        if let Ok(response) = response
            && let Ok(body) = response.json::<Value>().await
            && let Some(id) = body["order"]["id"].as_str()
        {
            ids.push(id.to_string());
        }
    }
    ids
}

pub async fn run(client: &reqwest::Client, base: &str, options: &Options) -> anyhow::Result<()> {
    let prefix = format!("MG{}", crate::clock::system_micros());
    // A delivery history first: 300 parcels of the same carrier to the same province, delivered.
    let history = orders(client, base, &format!("{prefix}H"), 300).await;
    let now = crate::clock::system_micros();
    for (index, id) in history.iter().enumerate() {
        let shipped = now - 10 * 24 * HOUR;
        let parcel: Value = client
            .post(format!("{base}/api/v1/orders/{id}/shipments"))
            .bearer_auth(TOKEN)
            .json(&json!({ "direction": "to_customer", "carrier": "顺丰速运",
                "tracking_number": format!("{prefix}H{index}"), "shipped_at": at(shipped) }))
            .send()
            .await?
            .json()
            .await?;
        if let Some(parcel) = parcel["id"].as_str() {
            client
                .post(format!("{base}/api/v1/shipments/{parcel}/scans"))
                .bearer_auth(TOKEN)
                .json(&json!({ "state": "delivered", "description": "已签收",
                    "at": at(shipped + (24 + (index % 48) as i64) * HOUR) }))
                .send()
                .await?;
        }
    }
    let count = options.reads.min(2_000);
    let fresh = orders(client, base, &prefix, count).await;
    let parcels = measure(fresh.len(), options.concurrency, {
        let (client, base, fresh, prefix) = (
            client.clone(),
            base.to_string(),
            fresh.clone(),
            prefix.clone(),
        );
        move |index| {
            let request = client
                .post(format!("{base}/api/v1/orders/{}/shipments", fresh[index]))
                .bearer_auth(TOKEN)
                .json(&json!({ "direction": "to_customer", "carrier": "顺丰速运",
                    "tracking_number": format!("{prefix}P{index}") }))
                .send();
            async move { matches!(request.await, Ok(response) if response.status().is_success()) }
        }
    })
    .await;
    println!(
        "{}",
        parcels.line(
            "parcel to the buyer (+ expected, notice)",
            options.concurrency
        )
    );

    // A Taobao 评价 export of one review per order, every fifth a 差评 (opens a case).
    let mut export =
        String::from("订单编号,子订单编号,宝贝名称,评价结果,评价内容,评价时间,买家昵称\r\n");
    for index in 0..fresh.len() {
        let grade = if index % 5 == 0 { "差评" } else { "好评" };
        export.push_str(&format!(
            "=\"{prefix}-{index}\",=\"{prefix}S{index}\",压测商品,{grade},用了几天的感受{index},2026-11-20 10:00:00,t**{index}\r\n"
        ));
    }
    for pass in ["first", "again"] {
        let started = Instant::now();
        let report: Value = client
            .post(format!("{base}/api/v1/reviews/import"))
            .bearer_auth(TOKEN)
            .header("content-type", "text/csv")
            .body(export.clone())
            .send()
            .await?
            .json()
            .await?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{:<44} c=1   {:>7} rows  {:>8.0} rows/s  {:.2} s  created {} cases {} unchanged {}",
            format!("review import (Taobao CSV, {pass})"),
            fresh.len(),
            fresh.len() as f64 / seconds,
            seconds,
            report["created"],
            report["cases_opened"],
            report["unchanged"],
        );
    }
    Ok(())
}
