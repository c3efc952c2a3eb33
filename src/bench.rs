//! `aftersale bench`: loads a large shop straight into a database, starts the real server on it
//! as a child process, and measures the hot paths over HTTP: case creation, the open-case queue
//! page and substring search, each as req/s with p50/p99, plus the server's peak memory (VmHWM).
//! Run it in release mode: `cargo run --release -- bench` (see docs/BENCHMARKS.md).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::db::{Backend, Database, dialect};
use crate::domain::Role;
use crate::operations::shops as shop_setup;

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
}

const SHOP: &str = "bench";
const TOKEN: &str = "bench-token";
const CASES_PER_ORDER: usize = 5;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "鹏",
];
const COMPLAINTS: &[&str] = &[
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
const KINDS: &[&str] = &[
    "refund_only",
    "return_and_refund",
    "exchange",
    "repair",
    "consultation",
    "complaint",
];
const ENDED: &[&str] = &["closed", "cancelled", "rejected"];

/// Latency figures of one run.
struct Figures {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn percentile(&self, fraction: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() as f64 - 1.0) * fraction).round() as usize;
        self.latencies[index]
    }

    fn line(&self, name: &str, concurrency: usize) -> String {
        format!(
            "{name:<34} c={concurrency:<3} {:>7} req  {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
            self.requests,
            self.requests as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.50).as_secs_f64() * 1000.0,
            self.percentile(0.99).as_secs_f64() * 1000.0,
            self.errors
        )
    }
}

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
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE shop_id = $1")
        .bind(&shop.id)
        .fetch_one(&database.reader)
        .await?;
    if (existing as usize) < options.cases {
        let started = Instant::now();
        load(
            &database,
            &shop.id,
            &staff_id,
            existing as usize,
            options.cases,
        )
        .await?;
        println!(
            "loaded {} cases in {:.0} s",
            options.cases - existing as usize,
            started.elapsed().as_secs_f64()
        );
    }
    crate::integrations::set_secret(
        &database,
        &shop.id,
        "shopify",
        crate::bench_notifications::SHOPIFY_SECRET,
    )
    .await
    .map_err(|error| anyhow::anyhow!("{error}"))?;
    // The loaded orders (BO…), not those the intake measurement adds.
    let orders: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE shop_id = $1 AND order_number LIKE 'BO%'",
    )
    .bind(&shop.id)
    .fetch_one(&database.reader)
    .await?;
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
    let total: i64 = options.cases as i64;
    println!("aftersale bench — {backend:?}, {total} cases, {orders} orders, server pid {pid}");

    let order_count = orders.max(1) as usize;
    let creation = measure(options.create, options.concurrency, {
        let client = client.clone();
        let base = base.clone();
        move |index| {
            let client = client.clone();
            let url = format!("{base}/api/v1/cases");
            let order = format!("BO{:08}", (index * 7919) % order_count);
            async move {
                let response = client
                    .post(url)
                    .bearer_auth(TOKEN)
                    .json(&json!({
                        "order_number": order, "kind": KINDS[index % KINDS.len()], "reason_code": "quality",
                        "description": COMPLAINTS[index % COMPLAINTS.len()], "lines": [{ "line_number": 1 }],
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
        "{}",
        creation.line("create case (POST /cases)", options.concurrency)
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
            let (body, signature) = crate::bench_notifications::shopify_order(offset + index);
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
        "{}",
        intake.line(
            "webhook intake (Shopify orders/create)",
            options.concurrency
        )
    );
    server.kill().await.ok();
    crate::bench_notifications::delivery(&options.target).await?;
    Ok(())
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || byte == b'-' {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

fn get(
    client: &reqwest::Client,
    url: &str,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync + 'static
{
    let client = client.clone();
    let url = url.to_string();
    move |_| {
        let request = client.get(url.clone()).bearer_auth(TOKEN).send();
        Box::pin(
            async move { matches!(request.await, Ok(response) if response.status().is_success()) },
        )
    }
}

/// Signs in to the console as the bench agent; the session cookie.
async fn console_session(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let form = client.get(format!("{base}/login")).send().await?;
    let login_cookie = form
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ");
    let html = form.text().await?;
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).context("no CSRF token on /login")? + marker.len();
    let csrf = &html[start..start + html[start..].find('"').unwrap_or(0)];
    let signed_in = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?
        .post(format!("{base}/login"))
        .header(reqwest::header::COOKIE, login_cookie)
        .form(&[
            ("csrf", csrf),
            ("email", "bench@bench.local"),
            ("password", "bench-password"),
        ])
        .send()
        .await?;
    signed_in
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok()?.split(';').next().map(str::to_string))
        .find(|cookie| cookie.starts_with("staff_session="))
        .context("signing in to the console failed")
}

/// GETs the pages in turn with the session cookie.
fn page(
    client: &reqwest::Client,
    cookie: &str,
    urls: Vec<String>,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync + 'static
{
    let client = client.clone();
    let cookie = cookie.to_string();
    move |index| {
        let request = client
            .get(urls[index % urls.len()].clone())
            .header(reqwest::header::COOKIE, cookie.clone())
            .send();
        Box::pin(
            async move { matches!(request.await, Ok(response) if response.status().is_success()) },
        )
    }
}

/// Runs `requests` calls of `call` with `concurrency` in flight and times each.
async fn measure<F, Fut>(requests: usize, concurrency: usize, call: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let call = Arc::new(call);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let call = call.clone();
            let next = next.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= requests {
                        break;
                    }
                    let begun = Instant::now();
                    if !call(index).await {
                        errors += 1;
                    }
                    latencies.push(begun.elapsed());
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(requests);
    let mut errors = 0;
    for worker in workers {
        if let Ok((mut worker_latencies, worker_errors)) = worker.await {
            latencies.append(&mut worker_latencies);
            errors += worker_errors;
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Figures {
        requests,
        errors,
        elapsed,
        latencies,
    }
}

/// Inserts cases `from..to` (and their orders, lines and customers) in large batches.
async fn load(
    database: &Database,
    shop_id: &str,
    staff_id: &str,
    from: usize,
    to: usize,
) -> anyhow::Result<()> {
    let mut random = StdRng::seed_from_u64(from as u64 + 7);
    let now = crate::clock::system_micros();
    let day = 86_400_000_000i64;
    let batch = 400;
    let mut index = from;
    let bar = indicatif::ProgressBar::new((to - from) as u64);
    while index < to {
        let end = (index + batch).min(to);
        let mut transaction = database.begin().await?;
        // Orders (with one customer and one line each) for the cases of this batch.
        let first_order = index / CASES_PER_ORDER;
        let last_order = (end - 1) / CASES_PER_ORDER;
        let order_numbers: Vec<usize> = (first_order..=last_order)
            .filter(|order| order * CASES_PER_ORDER >= index)
            .collect();
        if !order_numbers.is_empty() {
            let mut customers = String::from(
                "INSERT INTO customers (id, shop_id, name, phone, email, address, tier, tags, search_text, created_at, updated_at) VALUES ",
            );
            let mut orders = String::from(
                "INSERT INTO orders (id, shop_id, order_number, platform, customer_id, currency, total_minor, shipping_fee_minor, \
                 placed_at, paid_at, shipped_at, delivered_at, invoice_number, search_text, created_at, updated_at) VALUES ",
            );
            let mut lines = String::from(
                "INSERT INTO order_lines (id, order_id, shop_id, line_number, sku, product_name, category, quantity, \
                 unit_price_minor, paid_minor, serial_number) VALUES ",
            );
            for (position, order) in order_numbers.iter().enumerate() {
                let separator = if position == 0 { "" } else { ", " };
                let name = format!(
                    "{}{}",
                    SURNAMES[order % SURNAMES.len()],
                    GIVEN[(order / SURNAMES.len()) % GIVEN.len()]
                );
                let phone = format!("13{:09}", (order * 104_729) % 1_000_000_000);
                let number = format!("BO{order:08}");
                let placed = now - random.random_range(1..60) * day;
                let price = random.random_range(1_000..100_000i64);
                let customer_text = dialect::search_text(&[Some(&name), Some(&phone)]);
                let order_text = dialect::search_text(&[Some(&number), Some(&name), Some(&phone)]);
                customers.push_str(&format!(
                    "{separator}('bc-{order}', '{shop_id}', '{name}', '{phone}', NULL, NULL, 'normal', '[]', '{customer_text}', {placed}, {placed})"
                ));
                orders.push_str(&format!(
                    "{separator}('bo-{order}', '{shop_id}', '{number}', 'tmall', 'bc-{order}', 'CNY', {price}, 0, {placed}, {placed}, \
                     {placed}, {placed}, NULL, '{order_text}', {placed}, {placed})"
                ));
                lines.push_str(&format!(
                    "{separator}('bl-{order}', 'bo-{order}', '{shop_id}', 1, 'SKU-{}', '商品{}', NULL, 1, {price}, {price}, NULL)",
                    order % 500,
                    order % 500
                ));
            }
            for sql in [customers, orders, lines] {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *transaction)
                    .await?;
            }
        }
        let mut cases = String::from(
            "INSERT INTO cases (id, shop_id, number, order_id, customer_id, kind, status, is_open, reason_code, description, \
             priority, priority_rank, assignee_id, tags, channel, contact_name, contact_phone, contact_email, due_at, created_at, \
             updated_at, ended_at, version, search_text) VALUES ",
        );
        for case in index..end {
            let separator = if case == index { "" } else { ", " };
            let order = case / CASES_PER_ORDER;
            let name = format!(
                "{}{}",
                SURNAMES[order % SURNAMES.len()],
                GIVEN[(order / SURNAMES.len()) % GIVEN.len()]
            );
            let phone = format!("13{:09}", (order * 104_729) % 1_000_000_000);
            let created = now - random.random_range(0..365) * day - random.random_range(0..day);
            let date = crate::domain::time::local_date(
                created,
                &jiff::tz::TimeZone::get("Asia/Shanghai")?,
            );
            let number = format!("AS-{}-B{:06}", date.strftime("%Y%m%d"), case % 1_000_000);
            let description = COMPLAINTS[random.random_range(0..COMPLAINTS.len())];
            let open = random.random_bool(0.2);
            let kind = KINDS[case % KINDS.len()];
            let status = if open {
                match kind {
                    "consultation" | "complaint" => "open",
                    _ => "submitted",
                }
            } else {
                ENDED[case % ENDED.len()]
            };
            let ended = if open {
                "NULL".to_string()
            } else {
                (created + day).to_string()
            };
            let assignee = if case % 3 == 0 {
                "NULL".to_string()
            } else {
                format!("'{staff_id}'")
            };
            let text = dialect::search_text(&[
                Some(&number),
                Some(&format!("BO{order:08}")),
                Some(&name),
                Some(&phone),
                Some(description),
            ]);
            cases.push_str(&format!(
                "{separator}('bk-{case}', '{shop_id}', '{number}', 'bo-{order}', 'bc-{order}', '{kind}', '{status}', {}, 'quality', \
                 '{description}', 'normal', 1, {assignee}, '[]', 'platform', '{name}', '{phone}', NULL, {}, {created}, {created}, {ended}, 1, '{text}')",
                i64::from(open),
                created + day,
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(cases))
            .execute(&mut *transaction)
            .await?;
        let mut case_lines = String::from(
            "INSERT INTO case_lines (id, case_id, shop_id, order_line_id, quantity) VALUES ",
        );
        for case in index..end {
            let separator = if case == index { "" } else { ", " };
            case_lines.push_str(&format!(
                "{separator}('bkl-{case}', 'bk-{case}', '{shop_id}', 'bl-{}', 1)",
                case / CASES_PER_ORDER
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(case_lines))
            .execute(&mut *transaction)
            .await?;
        if database.backend == Backend::Sqlite {
            let ids: Vec<String> = (index..end).map(|case| format!("'bk-{case}'")).collect();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO case_search (rowid, search_text) SELECT rowid, search_text FROM cases WHERE id IN ({})",
                ids.join(", ")
            )))
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        bar.inc((end - index) as u64);
        index = end;
    }
    bar.finish();
    if database.backend == Backend::Postgres {
        sqlx::query("ANALYZE").execute(&database.writer).await?;
    } else {
        sqlx::query("ANALYZE").execute(&database.writer).await?;
        sqlx::query("INSERT INTO case_search(case_search) VALUES ('optimize')")
            .execute(&database.writer)
            .await?;
    }
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
