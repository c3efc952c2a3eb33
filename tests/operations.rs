//! Running it in production (docs/OPERATIONS.md): `/metrics` read by a Prometheus text parser,
//! request ids in error bodies and JSON log lines, graceful stop on SIGTERM, `doctor`'s findings,
//! backups under write load and their restore, and migrations refusing a newer schema.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::HashSet;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ADMIN, AGENT, TestApp, process};
use reqwest::StatusCode;
use serde_json::{Value, json};

const METRICS_TOKEN: &str = "metrics-token-0123456789";

fn sample<'a>(
    scrape: &'a prometheus_parse::Scrape,
    name: &str,
    labels: &[(&str, &str)],
) -> Option<&'a prometheus_parse::Sample> {
    scrape.samples.iter().find(|sample| {
        sample.metric == name
            && labels
                .iter()
                .all(|(key, value)| sample.labels.get(key) == Some(*value))
    })
}

fn counter(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    match sample(scrape, name, labels).map(|sample| &sample.value) {
        Some(prometheus_parse::Value::Counter(value) | prometheus_parse::Value::Gauge(value)) => {
            *value
        }
        Some(prometheus_parse::Value::Untyped(value)) => *value,
        _ => 0.0,
    }
}

async fn scrape(app: &TestApp) -> prometheus_parse::Scrape {
    let response = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();
    let lines = text.lines().map(|line| Ok(line.to_string()));
    prometheus_parse::Scrape::parse(lines).expect("Prometheus text format")
}

#[tokio::test]
async fn metrics_are_prometheus_text_and_count_what_happened() {
    let app = TestApp::start_with(|config| config.metrics_token = Some(METRICS_TOKEN.into())).await;
    // Without the token, or with another, nothing is shown.
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let before = scrape(&app).await;
    app.order("M1").await;
    let case = app.case("M1", "refund_only", "未收到货").await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(
        app.act(id, AGENT, "approve", json!({})).await.0,
        StatusCode::OK
    );
    let (status, _) = app
        .refund(
            id,
            "m-1",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 5000 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app.get("/api/v1/cases/no-such-case", AGENT).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let purge = reqwest::Method::from_bytes(b"PURGE").unwrap();
    app.client
        .request(purge, app.url("/api/v1/cases"))
        .send()
        .await
        .unwrap();
    let after = scrape(&app).await;

    // Counters in this process may include other tests' (they share it): compare the two scrapes.
    let grew = |name: &str, labels: &[(&str, &str)]| {
        counter(&after, name, labels) - counter(&before, name, labels)
    };
    assert!(grew("aftersale_cases_created_total", &[("kind", "refund_only")]) >= 1.0);
    assert!(grew("aftersale_refunds_total", &[("currency", "CNY")]) >= 1.0);
    assert!(grew("aftersale_refunded_minor_total", &[("currency", "CNY")]) >= 5000.0);
    assert!(
        grew(
            "aftersale_http_request_duration_seconds_count",
            &[
                ("method", "POST"),
                ("route", "/api/v1/cases"),
                ("status", "201")
            ]
        ) >= 1.0
    );
    assert!(
        grew(
            "aftersale_http_request_duration_seconds_count",
            &[
                ("method", "GET"),
                ("route", "/api/v1/cases/:id"),
                ("status", "404")
            ]
        ) >= 1.0
    );
    // A made-up method is counted as `other`, never as a label value of its own.
    assert!(
        grew(
            "aftersale_http_request_duration_seconds_count",
            &[("method", "other")]
        ) >= 1.0
    );
    assert!(
        after
            .samples
            .iter()
            .all(|sample| sample.labels.get("method") != Some("PURGE"))
    );
    // Routes are patterns: no case id becomes a label value.
    assert!(after.samples.iter().all(|sample| {
        sample
            .labels
            .get("route")
            .is_none_or(|route| !route.contains("no-such-case") && !route.contains(id))
    }));
    // The latency histogram has its buckets.
    let histogram = sample(
        &after,
        "aftersale_http_request_duration_seconds",
        &[("route", "/api/v1/cases"), ("method", "POST")],
    )
    .expect("the request histogram");
    match &histogram.value {
        prometheus_parse::Value::Histogram(buckets) => {
            assert!(buckets.len() >= 10, "{buckets:?}")
        }
        other => panic!("not a histogram: {other:?}"),
    }
    // The queues, read from the database: the case's clocks wait; the pools are there.
    for name in [
        "aftersale_timers_due",
        "aftersale_outbox_backlog",
        "aftersale_deliveries_pending",
        "aftersale_deliveries_dead",
    ] {
        assert!(sample(&after, name, &[]).is_some(), "{name} missing");
    }
    assert!(counter(&after, "aftersale_outbox_backlog", &[]) >= 1.0);
    assert!(
        counter(
            &after,
            "aftersale_database_connections",
            &[("pool", "writer"), ("state", "idle")]
        ) + counter(
            &after,
            "aftersale_database_connections",
            &[("pool", "writer"), ("state", "busy")]
        ) >= 1.0
    );
    assert_eq!(
        counter(
            &after,
            "aftersale_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
}

#[tokio::test]
async fn metrics_are_off_until_configured() {
    let app = TestApp::start().await;
    let response = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn errors_carry_the_request_id_of_their_log_lines() {
    let app = TestApp::start().await;
    let response = app
        .client
        .get(app.url("/api/v1/cases/nothing"))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], id.as_str());
    assert!(id.len() >= 16, "{id}");

    // A proxy's id is kept; one that is not plain is replaced.
    let response = app
        .client
        .get(app.url("/api/v1/cases/nothing"))
        .bearer_auth(AGENT)
        .header("X-Request-Id", "0f3a9c-proxy.1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "0f3a9c-proxy.1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], "0f3a9c-proxy.1");
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    let given = response.headers()["x-request-id"].to_str().unwrap();
    assert!(
        given
            .chars()
            .all(|character| character.is_ascii_alphanumeric()),
        "{given}"
    );
}

/// A server process with its stdout lines collected.
struct Logged {
    child: std::process::Child,
    base: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_logged(database_url: &str, variables: &[(&str, &str)]) -> Logged {
    let port = process::free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("APP_DATABASE_URL", database_url)
        .env("APP_CONFIG", "")
        .envs(variables.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let kept = lines.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            kept.lock().unwrap().push(line);
        }
    });
    let base = format!("http://127.0.0.1:{port}");
    process::wait_until_healthy(&base).await;
    Logged { child, base, lines }
}

fn terminate(child: &std::process::Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn json_logs_carry_the_request_id_and_sigterm_stops_cleanly() {
    let (url, directory) = common::process::database_url();
    let mut server = start_logged(
        &url,
        &[
            ("APP_LOG_FORMAT", "json"),
            ("APP_LOG", "aftersale=info,aftersale::access=debug"),
            ("APP_DEMO", "false"),
        ],
    )
    .await;
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/cases", server.base))
        .bearer_auth("no-such-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], id.as_str());

    let started = Instant::now();
    let line = loop {
        let found = server
            .lines
            .lock()
            .unwrap()
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|line| line["span"]["id"] == id.as_str());
        if let Some(line) = found {
            break line;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no log line for {id}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(line["fields"]["status"], 401, "{line}");
    assert_eq!(line["span"]["route"], "/api/v1/cases", "{line}");
    assert!(
        line["timestamp"].is_string() && line["level"].is_string(),
        "{line}"
    );

    // SIGTERM: the process finishes and exits 0.
    terminate(&server.child);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still running after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        server
            .lines
            .lock()
            .unwrap()
            .iter()
            .any(|line| line.contains("stopping: finishing the requests in progress")),
    );
    if let Some(directory) = directory {
        let _ = std::fs::remove_dir_all(directory);
    }
}

fn aftersale(arguments: &[&str], variables: &[(&str, &str)]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(arguments)
        .env("APP_CONFIG", "")
        .envs(variables.iter().copied())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn line_of<'a>(text: &'a str, check: &str) -> &'a str {
    text.lines()
        .find(|line| line.contains(check))
        .unwrap_or_else(|| panic!("no '{check}' line in:\n{text}"))
}

#[tokio::test]
async fn doctor_says_what_to_fix() {
    let directory = std::env::temp_dir().join(format!(
        "aftersale-doctor-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&directory).unwrap();
    let url = format!("sqlite://{}/app.db", directory.display());
    let closed = process::free_port();
    let smtp = format!("smtp://127.0.0.1:{closed}");
    let backups = directory.join("backups");
    let backups_text = backups.display().to_string();
    let variables = [
        ("APP_DATABASE_URL", url.as_str()),
        ("APP_PUBLIC_URL", "http://aftersale.example.com"),
        ("APP_SMTP_URL", smtp.as_str()),
        ("APP_BACKUP_DIR", backups_text.as_str()),
    ];

    // No database yet: a problem, and the command that fixes it.
    let (passed, text) = aftersale(&["doctor"], &variables);
    assert!(!passed, "{text}");
    let database = line_of(&text, "database:");
    assert!(
        database.starts_with("[FAIL]") && database.contains("aftersale migrate"),
        "{text}"
    );

    let (migrated, output) = aftersale(&["migrate"], &variables);
    assert!(migrated, "{output}");
    let (passed, text) = aftersale(&["doctor"], &variables);
    assert!(!passed, "{text}");
    assert!(line_of(&text, "database:").starts_with("[ok"), "{text}");
    assert!(line_of(&text, "schema:").starts_with("[ok"), "{text}");
    let public = line_of(&text, "public URL:");
    assert!(
        public.starts_with("[WARN]") && public.contains("not HTTPS"),
        "{text}"
    );
    let mail = line_of(&text, "SMTP:");
    assert!(
        mail.starts_with("[FAIL]") && mail.contains(&closed.to_string()),
        "{text}"
    );
    let backup = line_of(&text, "backups:");
    assert!(
        backup.starts_with("[FAIL]") && backup.contains("cannot write"),
        "{text}"
    );
    assert!(line_of(&text, "disk:").contains("MB free"), "{text}");
    assert!(line_of(&text, "metrics:").starts_with("[WARN]"), "{text}");

    // Fixed: a mail server that answers, HTTPS, a backup folder, metrics.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let open = format!("smtp://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::fs::create_dir_all(&backups).unwrap();
    let (_, text) = aftersale(
        &["doctor"],
        &[
            ("APP_DATABASE_URL", url.as_str()),
            ("APP_PUBLIC_URL", "https://aftersale.example.com"),
            ("APP_SMTP_URL", open.as_str()),
            ("APP_BACKUP_DIR", backups_text.as_str()),
            ("APP_METRICS_TOKEN", METRICS_TOKEN),
        ],
    );
    for check in ["public URL:", "SMTP:", "backups:", "metrics:", "clock:"] {
        assert!(line_of(&text, check).starts_with("[ok"), "{check}\n{text}");
    }
    let _ = std::fs::remove_dir_all(&directory);
}

/// Creates cases through the API from `clients` tasks until told to stop; each acknowledged
/// case's id with the moment its answer came.
async fn create_until(
    base: String,
    clients: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> Vec<(String, Instant)> {
    let mut tasks = Vec::new();
    for client in 0..clients {
        let base = base.clone();
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut acknowledged = Vec::new();
            let mut index = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                index += 1;
                let response = http
                    .post(format!("{base}/api/v1/cases"))
                    .bearer_auth(AGENT)
                    .json(&json!({
                        "order_number": "B1", "kind": "complaint", "reason_code": "quality",
                        "description": format!("备份期间的投诉 {client}-{index}"),
                        "contact": { "name": "王小明", "phone": "13800138000" }
                    }))
                    .send()
                    .await;
                if let Ok(response) = response
                    && response.status() == StatusCode::CREATED
                {
                    let body: Value = response.json().await.unwrap();
                    acknowledged.push((body["id"].as_str().unwrap().to_string(), Instant::now()));
                }
            }
            acknowledged
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_load_restores_every_acknowledged_case() {
    let app = TestApp::start().await;
    app.order("B1").await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = tokio::spawn(create_until(app.base.clone(), 4, stop.clone()));
    tokio::time::sleep(Duration::from_millis(800)).await;
    let directory = std::env::temp_dir().join(format!(
        "aftersale-backup-{}",
        uuid::Uuid::now_v7().simple()
    ));
    let file = directory.join("backup.bin");
    let began = Instant::now();
    let made = aftersale::operations::backup::backup(&app.database, &app.database_url, &file)
        .await
        .expect("backup while serving");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let acknowledged = load.await.unwrap();
    let before: Vec<&String> = acknowledged
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(id, _)| id)
        .collect();
    assert!(
        before.len() >= 10,
        "only {} cases before the backup",
        before.len()
    );
    assert!(
        acknowledged.len() > before.len(),
        "no write during or after the backup"
    );
    assert!(made.bytes > 0);
    // A second backup never overwrites the first.
    let error = aftersale::operations::backup::backup(&app.database, &app.database_url, &file)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("already exists"), "{error}");

    // Restored into a new database, the app starts on it and has every acknowledged case with
    // its timeline; the cases created later are simply not there (never half of one).
    let target = match common::test_database_url() {
        Some(server) => {
            let (base, _) = server.rsplit_once('/').unwrap();
            format!(
                "{base}/aftersale_restored_{}",
                uuid::Uuid::now_v7().simple()
            )
        }
        None => format!("sqlite://{}/restored.db", directory.display()),
    };
    let restored = aftersale::operations::backup::restore(&target, &file)
        .await
        .expect("restore");
    let base = common::serve(restored.clone(), &target).await;
    let client = reqwest::Client::new();
    for id in &before {
        let response = client
            .get(format!("{base}/api/v1/cases/{id}"))
            .bearer_auth(AGENT)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "case {id} lost");
        let timeline: Value = client
            .get(format!("{base}/api/v1/cases/{id}/events"))
            .bearer_auth(AGENT)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            timeline["items"]
                .as_array()
                .is_some_and(|events| !events.is_empty()),
            "{timeline}"
        );
    }
    let ids: HashSet<&String> = acknowledged.iter().map(|(id, _)| id).collect();
    let listed: Value = client
        .get(format!("{base}/api/v1/cases?limit=200"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for case in listed["items"].as_array().unwrap() {
        assert!(ids.contains(&case["id"].as_str().unwrap().to_string()));
    }
    // Restoring over a database that is there is refused, and changes nothing.
    let error = aftersale::operations::backup::restore(&target, &file)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("nothing was changed"), "{error}");
    let _ = std::fs::remove_dir_all(&directory);
}

#[tokio::test]
async fn a_database_from_a_newer_release_is_refused_untouched() {
    let app = TestApp::start().await;
    let known = app.database.known_schema_version();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES ($1, 'from the future', '2027-01-01 00:00:00', TRUE, $2, 1)",
    )
    .bind(known + 1)
    .bind(vec![0u8; 48])
    .execute(&app.database.writer)
    .await
    .unwrap();
    let error = app.database.migrate().await.unwrap_err().to_string();
    assert!(error.contains(&format!("version {}", known + 1)), "{error}");
    assert!(error.contains("newer release"), "{error}");
    assert!(error.contains("Nothing was changed"), "{error}");
}

#[tokio::test]
async fn a_stopping_worker_hands_back_its_timers_at_once() {
    let app = TestApp::start().await;
    app.order("T1").await;
    let case = app.case("T1", "complaint", "没人回复").await;
    let id = case["id"].as_str().unwrap();
    let now = common::now();
    sqlx::query("UPDATE timers SET due_at = $1 WHERE case_id = $2 AND state = 'pending'")
        .bind(now - 1)
        .bind(id)
        .execute(&app.database.writer)
        .await
        .unwrap();
    let database = &app.database;
    let lease = now + 60_000_000;
    let claimed = aftersale::db::timers::claim_due(
        &database.writer,
        database.backend,
        "stopping",
        now,
        lease,
        50,
    )
    .await
    .unwrap();
    assert!(!claimed.is_empty());
    // Leased: another worker cannot take them …
    let other = aftersale::db::timers::claim_due(
        &database.writer,
        database.backend,
        "other",
        now,
        lease,
        50,
    )
    .await
    .unwrap();
    assert!(other.is_empty());
    // … until the stopping one hands them back, uncounted as an attempt.
    let released = aftersale::db::timers::release(&database.writer, "stopping")
        .await
        .unwrap();
    assert_eq!(released as usize, claimed.len());
    let other = aftersale::db::timers::claim_due(
        &database.writer,
        database.backend,
        "other",
        now,
        lease,
        50,
    )
    .await
    .unwrap();
    assert_eq!(other.len(), claimed.len());
    assert!(other.iter().all(|timer| timer.attempts == 1), "{other:?}");
    // The new holder fires them; none is left running.
    for timer in &other {
        aftersale::operations::clocks::fire(database, "other", timer, now)
            .await
            .unwrap();
    }
    let running: i64 =
        sqlx::query_scalar("SELECT count(*) FROM timers WHERE case_id = $1 AND state = 'running'")
            .bind(id)
            .fetch_one(&database.reader)
            .await
            .unwrap();
    assert_eq!(running, 0);
}

#[tokio::test]
async fn the_nightly_backup_is_made_once_a_day_and_keeps_the_newest() {
    use aftersale::jobs::backups::{Nightly, next_run, once};
    let app = TestApp::start().await;
    app.order("NB1").await;
    let directory = std::env::temp_dir().join(format!(
        "aftersale-nightly-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&directory).unwrap();
    let nightly = Nightly {
        directory: directory.clone(),
        keep: 2,
        at: jiff::civil::time(3, 30, 0, 0),
        url: app.database_url.clone(),
    };
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    // 2026-12-06 02:00 in Shanghai: tonight's is at 03:30 the same day; after it, tomorrow's.
    let early = jiff::civil::date(2026, 12, 6)
        .at(2, 0, 0, 0)
        .to_zoned(zone.clone())
        .unwrap();
    let first = next_run(early.timestamp().as_microsecond(), nightly.at, &zone).unwrap();
    assert_eq!(
        first.to_string(),
        "2026-12-06T03:30:00+08:00[Asia/Shanghai]"
    );
    let later = next_run(first.timestamp().as_microsecond(), nightly.at, &zone).unwrap();
    assert_eq!(later.date(), jiff::civil::date(2026, 12, 7));

    // Three instances wake for the same night: one makes the backup.
    let clock = aftersale::clock::Clock::with_offset_hours(0);
    let mut made = 0;
    for instance in ["a", "b", "c"] {
        if once(&app.database, &nightly, instance, &clock, &first)
            .await
            .unwrap()
        {
            made += 1;
        }
    }
    assert_eq!(made, 1);
    let files = |directory: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    assert_eq!(files(&directory).len(), 1);
    let latest = aftersale::db::backups::latest(&app.database.reader)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.day, "2026-12-06");
    assert!(latest.error.is_none() && latest.bytes.unwrap() > 0);
    // Three more nights: the two newest are kept.
    let mut night = first.clone();
    for _ in 0..3 {
        night = next_run(night.timestamp().as_microsecond(), nightly.at, &zone).unwrap();
        assert!(
            once(&app.database, &nightly, "a", &clock, &night)
                .await
                .unwrap()
        );
    }
    let kept = files(&directory);
    assert_eq!(
        kept,
        vec![
            "aftersale-20261208-0330.db".to_string(),
            "aftersale-20261209-0330.db".to_string()
        ]
        .into_iter()
        .map(|name| if common::test_database_url().is_some() {
            name.replace(".db", ".dump")
        } else {
            name
        })
        .collect::<Vec<_>>()
    );
    let _ = std::fs::remove_dir_all(&directory);
}

#[tokio::test]
async fn metrics_on_their_own_address_need_no_token() {
    let (url, directory) = common::process::database_url();
    let port = process::free_port();
    let address = format!("127.0.0.1:{port}");
    let server = start_logged(
        &url,
        &[
            ("APP_METRICS_BIND", address.as_str()),
            ("APP_DEMO", "false"),
        ],
    )
    .await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let scrape =
        prometheus_parse::Scrape::parse(text.lines().map(|line| Ok(line.to_string()))).unwrap();
    assert!(sample(&scrape, "aftersale_build_info", &[]).is_some());
    // The app's own address does not serve them without a token.
    let response = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    drop(server);
    if let Some(directory) = directory {
        let _ = std::fs::remove_dir_all(directory);
    }
}
