//! `aftersale bench`: loads a large shop straight into a database, starts the real server on it
//! as a child process, and measures the hot paths over HTTP: case creation, the open-case queue
//! page and substring search, each as req/s with p50/p99, plus the server's peak memory (VmHWM).
//! Run it in release mode: `cargo run --release -- bench` (see docs/BENCHMARKS.md).

mod costs;
mod exports;
mod grow;
mod knowledge;
mod manager;
mod measure;
mod notifications;
mod orders;
mod refunds;

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;

use crate::db::{Backend, Database, synthetic};
use crate::domain::Role;
use crate::operations::shops as shop_setup;
use measure::{console_session, get, measure, page, urlencode};

#[derive(Debug, clap::Args)]
pub struct Options {
    /// The database to load and serve: sqlite://PATH or postgres://…/DATABASE (created if missing).
    #[arg(long, default_value = "sqlite://data/bench/bench.db")]
    pub target: String,
    /// Cases in the shop before measuring (loaded once, reused by later runs).
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: usize,
    /// Cases created over HTTP in the creation run.
    #[arg(long, default_value_t = 20_000)]
    pub create: usize,
    /// Requests in each read run.
    #[arg(long, default_value_t = 2_000)]
    pub reads: usize,
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Cases given a cost entry through the API before the cost reports are measured (those
    /// that have one already are not booked again).
    #[arg(long, default_value_t = 1_000_000)]
    pub costs: usize,
    /// Knowledge-base articles imported before the help search is measured.
    #[arg(long, default_value_t = 10_000)]
    pub articles: usize,
    /// Only this part: `knowledge` (the articles and their search; no cases are grown).
    #[arg(long)]
    pub only: Option<String>,
}

pub(crate) const SHOP: &str = "bench";
pub(crate) const TOKEN: &str = "bench-token";

pub async fn run(options: Options) -> anyhow::Result<()> {
    let database = Database::connect(&options.target).await?;
    database.migrate().await?;
    let shop = shop_setup::ensure_shop(&database, SHOP, "压测店铺").await?;
    let staff_id = shop_setup::add_staff(
        &database,
        &shop,
        "bench@bench.local",
        "压测客服",
        Role::Agent,
        "bench-password",
    )
    .await?;
    shop_setup::add_token(
        &database,
        &shop,
        Some(&staff_id),
        Role::Agent,
        "bench",
        TOKEN,
    )
    .await?;
    crate::integrations::set_secret(
        &database,
        &shop.id,
        "shopify",
        notifications::SHOPIFY_SECRET,
    )
    .await
    .map_err(|error| anyhow::anyhow!("{error}"))?;
    let ceiling = synthetic::commit_ceiling(&database, Duration::from_secs(5)).await?;
    let (existing, _) = synthetic::counts(&database, &shop.id).await?;
    database.close().await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut server = tokio::process::Command::new(std::env::current_exe()?)
        .args([
            "serve",
            "--no-demo",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &options.target,
        ])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting the server")?;
    let pid = server.id().context("the server has no pid")?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let started = Instant::now();
    while client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .map(|response| !response.status().is_success())
        .unwrap_or(true)
    {
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the server did not become healthy");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let backend = Backend::from_url(&options.target)?;
    println!(
        "aftersale bench — {backend:?}, growing to {} cases (has {existing}), server pid {pid}",
        options.cases
    );
    println!(
        "{:<44} c=1   {ceiling:>8.0} tx/s  (one case, event and job row per transaction)",
        "raw commit ceiling"
    );
    match options.only.as_deref() {
        None => {}
        Some("knowledge") => {
            let load = (options.reads, options.concurrency);
            knowledge::run(&client, &base, options.articles, load).await?;
            return knowledge::suggestions(options.reads);
        }
        Some(other) => bail!("--only {other}: the parts are: knowledge"),
    }
    let existing = existing as usize;
    if existing < options.cases {
        let imported = grow::import_orders(&client, &base, existing, options.cases).await?;
        println!("{}", imported.lines());
        grow::cases(&client, &base, existing, options.cases, options.concurrency).await;
    }
    let database = Database::connect(&options.target).await?;
    let cases = synthetic::all_cases(&database).await?;
    let (bytes, parts) = synthetic::sizes(&database).await?;
    database.close().await;
    println!(
        "footprint: {cases} cases, {:.1} MB in use, {:.0} bytes per case (with its order, customer, timeline, clocks and outbox)",
        bytes as f64 / 1e6,
        bytes as f64 / cases.max(1) as f64
    );
    for (name, size) in parts {
        println!(
            "  {name:<40} {:>10.1} MB  {:>7.0} B/case",
            size as f64 / 1e6,
            size as f64 / cases.max(1) as f64
        );
    }

    exports::run(&client, &base, pid).await?;

    // Cases are opened on orders of their own: the loaded orders' units are claimed already.
    let prefix = format!("BN{}", crate::clock::system_micros());
    let made = orders::fresh(&client, &base, &prefix, options.create, options.concurrency).await;
    println!("made {made} orders for the cases to open");
    let ceiling_share = |rate: f64| 100.0 * rate / ceiling;
    let creation = measure(options.create, options.concurrency, {
        let client = client.clone();
        let base = base.clone();
        move |index| {
            let client = client.clone();
            let url = format!("{base}/api/v1/cases");
            let order = format!("{prefix}-{index}");
            async move {
                let response = client
                    .post(url)
                    .bearer_auth(TOKEN)
                    .json(&json!({
                        "order_number": order, "kind": grow::KINDS[index % grow::KINDS.len()], "reason_code": "quality",
                        "description": grow::COMPLAINTS[index % grow::COMPLAINTS.len()], "lines": [{ "line_number": 1 }],
                        "contact": { "name": "压测用户", "phone": "13800000000" }
                    }))
                    .send()
                    .await;
                matches!(response, Ok(response) if response.status() == reqwest::StatusCode::CREATED)
            }
        }
    })
    .await;
    println!(
        "{}  = {:.0} % of the raw ceiling",
        creation.line("create case (POST /cases)", options.concurrency),
        ceiling_share(options.create as f64 / creation.seconds())
    );

    let queue_url = format!("{base}/api/v1/cases?status=open&sort=due_at&limit=50");
    for concurrency in [1, options.concurrency] {
        let figures = measure(options.reads, concurrency, get(&client, &queue_url)).await;
        println!(
            "{}",
            figures.line("queue page (status=open&sort=due_at)", concurrency)
        );
    }
    // The staff console's pages (HTML rendered on the server), signed in as the bench agent.
    let cookie = console_session(&client, &base).await?;
    let queue_page = format!("{base}/console?status=open&sort=due_at");
    for concurrency in [1, options.concurrency] {
        let figures = measure(
            options.reads,
            concurrency,
            page(&client, &cookie, vec![queue_page.clone()]),
        )
        .await;
        println!("{}", figures.line("console queue page (HTML)", concurrency));
    }
    let listed: serde_json::Value = client
        .get(&queue_url)
        .bearer_auth(TOKEN)
        .send()
        .await?
        .json()
        .await?;
    let case_pages: Vec<String> = listed["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str())
                .map(|id| format!("{base}/console/cases/{id}"))
                .collect()
        })
        .unwrap_or_default();
    if !case_pages.is_empty() {
        for concurrency in [1, options.concurrency] {
            let figures = measure(
                options.reads,
                concurrency,
                page(&client, &cookie, case_pages.clone()),
            )
            .await;
            println!("{}", figures.line("console case page (HTML)", concurrency));
        }
    }
    let searches: Vec<String> = [
        "退款",
        "破损",
        "无法开机",
        "颜色与图片",
        "王伟",
        "1380013",
        "bo00012345",
        "没有这个",
    ]
    .iter()
    .map(|q| format!("{base}/api/v1/cases?q={}&limit=50", urlencode(q)))
    .collect();
    for concurrency in [1, options.concurrency] {
        let searches = searches.clone();
        let client = client.clone();
        let figures = measure(options.reads, concurrency, move |index| {
            let client = client.clone();
            let url = searches[index % searches.len()].clone();
            async move { matches!(client.get(url).bearer_auth(TOKEN).send().await, Ok(response) if response.status().is_success()) }
        })
        .await;
        println!(
            "{}",
            figures.line("search q= (8 terms, 2-10 chars)", concurrency)
        );
    }
    for q in ["退款", "无法开机", "王伟", "1380013"] {
        let url = format!("{base}/api/v1/cases?q={}&limit=50", urlencode(q));
        let figures = measure(200, 1, get(&client, &url)).await;
        println!("{}", figures.line(&format!("  search q={q}"), 1));
    }
    // The policy engine: in process (the pure function), then over HTTP.
    let requests = policy_requests();
    let mut timings = Vec::with_capacity(options.reads * 10);
    let now = jiff::Timestamp::from_microsecond(crate::clock::system_micros())?;
    let started = Instant::now();
    for index in 0..options.reads * 10 {
        let request = &requests[index % requests.len()];
        let one = Instant::now();
        let decision = crate::domain::policy::evaluate(request, now);
        timings.push(one.elapsed());
        if decision.is_err() {
            bail!("the benchmark's policy request {index} was refused");
        }
    }
    timings.sort();
    println!(
        "{:<44} c=1   {:>8.0}/s  p50 {:>7.1} µs  p99 {:>7.1} µs",
        "policy evaluate (in process, 4 requests)",
        timings.len() as f64 / started.elapsed().as_secs_f64(),
        timings[timings.len() / 2].as_secs_f64() * 1e6,
        timings[timings.len() * 99 / 100].as_secs_f64() * 1e6,
    );
    // Triage and the answers' topic, in process, over the benchmark's own complaint texts.
    let mut timings = Vec::with_capacity(options.reads * 10);
    let started = Instant::now();
    for index in 0..options.reads * 10 {
        let text = grow::COMPLAINTS[index % grow::COMPLAINTS.len()];
        let one = Instant::now();
        let reading = crate::domain::triage::read(text);
        let topic = crate::domain::answers::topic(text);
        timings.push(one.elapsed());
        std::hint::black_box((reading, topic));
    }
    timings.sort();
    println!(
        "{:<44} c=1   {:>8.0}/s  p50 {:>7.1} µs  p99 {:>7.1} µs",
        "triage + question topic (in process)",
        timings.len() as f64 / started.elapsed().as_secs_f64(),
        timings[timings.len() / 2].as_secs_f64() * 1e6,
        timings[timings.len() * 99 / 100].as_secs_f64() * 1e6,
    );
    knowledge::run(
        &client,
        &base,
        options.articles,
        (options.reads, options.concurrency),
    )
    .await?;
    // The return label, rendered in process (A4 and thermal alternately).
    let label = crate::documents::label::Label {
        shop_name: "小鹿数码旗舰店".into(),
        case_number: "AS-20261122-000123".into(),
        status_url: "http://127.0.0.1:8080/portal/demo/cases/AS-20261122-000123".into(),
        order_number: "BO00012345".into(),
        items: vec![("蓝牙降噪耳机 Pro".into(), 1), ("快充充电器 65W".into(), 2)],
        customer_name: "王小明".into(),
        customer_contact: "13800138000".into(),
        return_address: Some("上海市浦东新区张江路 88 号 小鹿数码售后部 021-12345678".into()),
    };
    let mut timings = Vec::with_capacity(200);
    let started = Instant::now();
    for index in 0..200 {
        let size = if index % 2 == 0 {
            crate::documents::label::Size::A4
        } else {
            crate::documents::label::Size::Thermal
        };
        let one = Instant::now();
        crate::documents::label::render(&label, size, None)?;
        timings.push(one.elapsed());
    }
    timings.sort();
    println!(
        "{:<44} c=1   {:>8.0}/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
        "return label PDF (in process)",
        timings.len() as f64 / started.elapsed().as_secs_f64(),
        timings[timings.len() / 2].as_secs_f64() * 1e3,
        timings[timings.len() * 99 / 100].as_secs_f64() * 1e3,
    );
    for concurrency in [1, options.concurrency] {
        let client = client.clone();
        let url = format!("{base}/api/v1/policy/evaluate");
        let bodies: Vec<serde_json::Value> = requests
            .iter()
            .map(|request| serde_json::to_value(request).unwrap_or_default())
            .collect();
        let figures = measure(options.reads, concurrency, move |index| {
            let request = client
                .post(url.clone())
                .bearer_auth(TOKEN)
                .json(&bodies[index % bodies.len()])
                .send();
            async move { matches!(request.await, Ok(response) if response.status().is_success()) }
        })
        .await;
        println!(
            "{}",
            figures.line("policy evaluate (POST /policy/evaluate)", concurrency)
        );
    }
    refunds::run(&client, &base, &options).await?;
    costs::run(&client, &base, &options).await?;
    manager::run(&client, &base, &options).await?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let peak = status
        .lines()
        .find(|line| line.starts_with("VmHWM"))
        .unwrap_or("VmHWM: unknown");
    println!(
        "server peak memory {}",
        peak.trim_start_matches("VmHWM:").trim()
    );
    // Orders in: signed Shopify webhooks over HTTP, each verified, logged and stored.
    let intake = measure(options.reads, options.concurrency, {
        let client = client.clone();
        let url = format!("{base}/hooks/{SHOP}/shopify");
        let offset = crate::clock::system_micros() as usize % 1_000_000_000;
        move |index| {
            let (body, signature) = notifications::shopify_order(offset + index);
            let request = client
                .post(url.clone())
                .header("X-Shopify-Hmac-Sha256", signature)
                .header("X-Shopify-Topic", "orders/create")
                .header("Content-Type", "application/json")
                .body(body)
                .send();
            async move { matches!(request.await, Ok(response) if response.status().is_success()) }
        }
    })
    .await;
    println!(
        "{}  = {:.0} % of the raw ceiling",
        intake.line(
            "webhook intake (Shopify orders/create)",
            options.concurrency
        ),
        ceiling_share(options.reads as f64 / intake.seconds())
    );
    server.kill().await.ok();
    notifications::delivery(&options.target).await?;
    Ok(())
}

/// Four typical requests: a Tmall no-reason return with a broken 满减, a 三包 fault, an EU
/// withdrawal, a JD evidence deadline.
fn policy_requests() -> Vec<crate::domain::policy::PolicyRequest> {
    [
        json!({"jurisdiction": "CN", "platform": "tmall", "reason": "no_reason", "kind": "return_and_refund",
               "items": [{"name": "A", "unit_price": "200.00", "return_quantity": 1}, {"name": "B", "unit_price": "100.00", "return_quantity": 0}],
               "money": {"payments": [{"method": "alipay", "amount": "230.00"}, {"method": "coupon", "amount": "20.00"}],
                         "discounts": [{"threshold": "300.00", "amount": "50.00"}]},
               "dates": {"signed": "2026-06-01 10:00", "requested": "2026-06-05 12:00"}}),
        json!({"jurisdiction": "CN", "platform": "jd", "reason": "quality",
               "items": [{"name": "洗衣机", "three_guarantees": "washing_machine", "unit_price": "3000.00"}],
               "history": {"repairs": 2, "still_faulty": true, "same_model_available": true},
               "dates": {"invoiced": "2026-01-10", "signed": "2026-01-12", "fault_found": "2026-06-01"}}),
        json!({"jurisdiction": "EU", "reason": "no_reason", "channel": "email",
               "items": [{"name": "shoes", "unit_price": "80.00"}],
               "money": {"currency": "EUR", "payments": [{"method": "card", "amount": "95.00"}], "shipping_fee": "15.00", "standard_shipping_fee": "5.00"},
               "dates": {"signed": "2026-03-02", "requested": "2026-03-10", "return_shipped": "2026-03-12"}}),
        json!({"jurisdiction": "CN", "platform": "jd", "reason": "quality",
               "dates": {"evidence_requested": "2026-06-01 14:01", "rejected": "2026-06-01", "intervention_requested": "2026-06-10"}}),
    ]
    .into_iter()
    .map(|value| serde_json::from_value(value).expect("the benchmark's requests are valid"))
    .collect()
}
