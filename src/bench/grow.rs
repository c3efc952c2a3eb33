//! Growing the benchmark's shop through the shipped paths only: its orders arrive as CSV files
//! through `POST /orders/import` (10,000 lines per file, each timed), its cases through `POST
//! /cases`, and four cases in five live on: a reply, then the steps that end them (a refund and
//! its close, a cancellation, a resolution). Nothing is written to the database behind the
//! server's back, so what the server keeps (statistics, indexes, retention) is what is measured.

use std::time::Instant;

use serde_json::{Value, json};

use super::TOKEN;
use super::measure::measure;

/// Each order has this many lines; each case claims one of them.
pub const CASES_PER_ORDER: usize = 5;
/// Lines per imported file.
const FILE_LINES: usize = 10_000;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "鹏",
];
pub const COMPLAINTS: &[&str] = &[
    "收到货后发现外包装破损",
    "使用两天后无法开机",
    "颜色与图片不符",
    "尺码偏小想换大一号",
    "申请七天无理由退货",
    "快递一直没有更新物流",
    "少发了一个配件",
    "屏幕出现坏点",
    "客服回复太慢",
    "申请退款，商品质量问题",
    "充电时发热严重",
    "衣服起球掉色",
];
pub const KINDS: &[&str] = &[
    "refund_only",
    "return_and_refund",
    "exchange",
    "repair",
    "consultation",
    "complaint",
];

/// The buyer of order `order`: 16 surnames × 20 given names, so a name like 王伟 is on one
/// order in 320.
fn buyer(order: usize) -> (String, String) {
    let name = format!(
        "{}{}",
        SURNAMES[order % SURNAMES.len()],
        GIVEN[(order / SURNAMES.len()) % GIVEN.len()]
    );
    let phone = format!("13{:09}", (order * 104_729) % 1_000_000_000);
    (name, phone)
}

pub fn order_number(order: usize) -> String {
    format!("BO{order:08}")
}

/// The import's figures: seconds per file of 10,000 lines, in order.
pub struct Imported {
    pub seconds: Vec<f64>,
}

impl Imported {
    pub fn lines(&self) -> String {
        if self.seconds.is_empty() {
            return "import: nothing to import".into();
        }
        let total: f64 = self.seconds.iter().sum();
        let mut sorted = self.seconds.clone();
        sorted.sort_by(f64::total_cmp);
        format!(
            "import (POST /orders/import, {} files of {FILE_LINES} lines)  {:>8.0} lines/s  per 10 k: first {:.2} s, median {:.2} s, last {:.2} s, max {:.2} s",
            self.seconds.len(),
            (self.seconds.len() * FILE_LINES) as f64 / total,
            self.seconds[0],
            sorted[sorted.len() / 2],
            self.seconds[self.seconds.len() - 1],
            sorted[sorted.len() - 1],
        )
    }
}

/// Imports the orders of cases `from..to` (orders whose lines are all taken by earlier cases are
/// skipped; an order imported before is unchanged by a second import).
pub async fn import_orders(
    client: &reqwest::Client,
    base: &str,
    from: usize,
    to: usize,
) -> anyhow::Result<Imported> {
    let first = from / CASES_PER_ORDER;
    let last = to.div_ceil(CASES_PER_ORDER);
    let orders_per_file = FILE_LINES / CASES_PER_ORDER;
    let mut seconds = Vec::new();
    let mut order = first;
    while order < last {
        let end = (order + orders_per_file).min(last);
        let mut file = String::from(
            "order_number,platform,placed_at,delivered_at,customer_name,phone,sku,product_name,quantity,unit_price\n",
        );
        for number in order..end {
            let (name, phone) = buyer(number);
            let day = 1 + number % 28;
            for line in 0..CASES_PER_ORDER {
                let price = 10 + (number * 7 + line * 13) % 990;
                file.push_str(&format!(
                    "{},tmall,2026-11-{day:02} 10:00,2026-11-{day:02} 18:00,{name},{phone},SKU-{},商品{},1,{price}.00\n",
                    order_number(number),
                    (number + line) % 500,
                    (number + line) % 500,
                ));
            }
        }
        let started = Instant::now();
        let report: Value = client
            .post(format!("{base}/api/v1/orders/import"))
            .bearer_auth(TOKEN)
            .header("Content-Type", "text/csv")
            .body(file)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if (end - order) * CASES_PER_ORDER == FILE_LINES {
            seconds.push(started.elapsed().as_secs_f64());
        }
        if report["errors"]
            .as_array()
            .is_some_and(|errors| !errors.is_empty())
        {
            anyhow::bail!("the import refused rows: {}", report["errors"]);
        }
        order = end;
    }
    Ok(Imported { seconds })
}

/// Opens cases `from..to` through `POST /cases`; every fifth stays open, the others are replied
/// to and ended the way their kind ends. Returns the creation's req/s.
pub async fn cases(
    client: &reqwest::Client,
    base: &str,
    from: usize,
    to: usize,
    concurrency: usize,
) -> f64 {
    let (client, base) = (client.clone(), base.to_string());
    let figures = measure(to - from, concurrency, move |offset| {
        let (client, base) = (client.clone(), base.clone());
        async move { live(&client, &base, from + offset).await.is_ok() }
    })
    .await;
    if figures.errors > 0 {
        println!("  {} of {} cases failed", figures.errors, figures.requests);
    }
    println!(
        "{}",
        figures.line("grow: case with its lifecycle", concurrency)
    );
    figures.requests as f64 / figures.seconds()
}

/// One case's life: opened; unless it is every fifth, a reply and its ending.
async fn live(client: &reqwest::Client, base: &str, index: usize) -> anyhow::Result<()> {
    let order = index / CASES_PER_ORDER;
    let (name, phone) = buyer(order);
    let kind = KINDS[index % KINDS.len()];
    let case: Value = client
        .post(format!("{base}/api/v1/cases"))
        .bearer_auth(TOKEN)
        .json(&json!({
            "order_number": order_number(order), "kind": kind, "reason_code": "quality",
            "description": COMPLAINTS[(index * 7) % COMPLAINTS.len()],
            "lines": [{ "line_number": index % CASES_PER_ORDER + 1 }],
            "channel": "platform", "contact": { "name": name, "phone": phone }
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    if index.is_multiple_of(5) {
        return Ok(());
    }
    let id = case["id"].as_str().unwrap_or_default().to_string();
    let url = format!("{base}/api/v1/cases/{id}");
    client
        .post(format!("{url}/messages"))
        .bearer_auth(TOKEN)
        .json(&json!({ "body": "您好，已收到您的售后申请，我们正在为您处理。" }))
        .send()
        .await?
        .error_for_status()?;
    let mut version = case["version"].as_i64().unwrap_or(1);
    let steps: &[&str] = match kind {
        "refund_only" => &["approve", "refund", "close"],
        "consultation" | "complaint" => &["resolve"],
        _ => &["cancel"],
    };
    for step in steps {
        let answer: Value = if *step == "refund" {
            client
                .post(format!("{url}/refunds"))
                .bearer_auth(TOKEN)
                .header("Idempotency-Key", format!("grow-{id}"))
                .send()
                .await?
                .error_for_status()?;
            client
                .get(&url)
                .bearer_auth(TOKEN)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?
        } else {
            client
                .post(format!("{url}/transitions"))
                .bearer_auth(TOKEN)
                .json(&json!({ "action": step, "version": version }))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?
        };
        version = answer["version"].as_i64().unwrap_or(version + 1);
    }
    Ok(())
}
