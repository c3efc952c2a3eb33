//! Test harness: the real app on a fresh database per test, served on a free port.
//! SQLite (a temporary file) by default; PostgreSQL when TEST_DATABASE_URL is set (a new
//! database is created per test from that server).
#![allow(dead_code)]
// The tests read their own settings (TEST_DATABASE_URL, KEEP_LABELS) from the environment.
#![allow(clippy::disallowed_methods)]

pub mod hooks;
pub mod process;
pub mod smtp;

use aftersale::app::{self, Workers};
use aftersale::config::Config;
use aftersale::db::Database;
use aftersale::domain::Role;
use aftersale::operations::shops as shop_setup;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A PostgreSQL server's database URL to make the tests' databases on, if one was given.
pub fn test_database_url() -> Option<String> {
    variable("TEST_DATABASE_URL")
}

/// A test setting from the environment, when set and not empty.
pub fn variable(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// Now, in unix microseconds (the tests move time by passing later times to the workers).
pub fn now() -> i64 {
    aftersale::clock::system_micros()
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub database: Database,
    /// Where the database is, to open a second connection pool (a second instance).
    pub database_url: String,
    _directory: Option<tempdir::TempDir>,
}

mod tempdir {
    /// A directory removed when dropped.
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The tokens every test app has: two shops, staff of each role in the first.
pub const AGENT: &str = "agent-token";
pub const AGENT2: &str = "agent2-token";
pub const INSPECTOR: &str = "inspector-token";
pub const SUPERVISOR: &str = "supervisor-token";
pub const ADMIN: &str = "admin-token";
pub const OTHER_SHOP: &str = "other-shop-token";

async fn fresh_database() -> (Database, String, Option<tempdir::TempDir>) {
    let name = format!("aftersale_test_{}", uuid::Uuid::now_v7().simple());
    match test_database_url() {
        Some(server) => {
            sqlx::any::install_default_drivers();
            let admin = sqlx::AnyPool::connect(&server)
                .await
                .expect("connect to TEST_DATABASE_URL");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )))
            .execute(&admin)
            .await
            .expect("create a test database");
            admin.close().await;
            let (base, _) = server
                .rsplit_once('/')
                .expect("TEST_DATABASE_URL ends in /DATABASE");
            let url = format!("{base}/{name}");
            let database = Database::connect(&url)
                .await
                .expect("connect to the test database");
            (database, url, None)
        }
        _ => {
            let directory = std::env::temp_dir().join(name);
            std::fs::create_dir_all(&directory).unwrap();
            let url = format!("sqlite://{}/test.db", directory.display());
            let database = Database::connect(&url).await.expect("open SQLite");
            (database, url, Some(tempdir::TempDir(directory)))
        }
    }
}

/// Serves the app (without its workers: tests run them at the times they choose) on a free port
/// of this machine; returns its base URL. Webhooks may go to this machine (the tests' receivers
/// listen on 127.0.0.1); `tests/security.rs` serves without that.
pub async fn serve(database: Database, database_url: &str) -> String {
    serve_with(database, database_url, |_| {}).await
}

/// The same with the configuration changed first.
pub async fn serve_with(
    database: Database,
    database_url: &str,
    configure: impl FnOnce(&mut Config),
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut config = Config {
        database_url: database_url.to_string(),
        bind: address,
        demo: false,
        allow_private_targets: true,
        ..Config::default()
    };
    configure(&mut config);
    tokio::spawn(async move {
        app::serve(
            listener,
            None,
            database,
            config,
            Workers::None,
            std::future::pending(),
        )
        .await
        .unwrap()
    });
    format!("http://{address}")
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::start_with(|_| {}).await
    }

    /// A test app whose configuration is changed first (trusted proxies, private targets …).
    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        let (database, database_url, directory) = fresh_database().await;
        database.migrate().await.expect("migrate");
        let shop = shop_setup::ensure_shop(&database, "shop", "测试店铺")
            .await
            .unwrap();
        for (email, role, token) in [
            ("agent@test.local", Role::Agent, AGENT),
            ("agent2@test.local", Role::Agent, AGENT2),
            ("inspector@test.local", Role::Inspector, INSPECTOR),
            ("supervisor@test.local", Role::Supervisor, SUPERVISOR),
            ("admin@test.local", Role::Admin, ADMIN),
        ] {
            let id = shop_setup::add_staff(&database, &shop, email, email, role, "password1")
                .await
                .unwrap();
            shop_setup::add_token(&database, &shop, Some(&id), role, "test", token)
                .await
                .unwrap();
        }
        let other = shop_setup::ensure_shop(&database, "other", "别家店铺")
            .await
            .unwrap();
        let id = shop_setup::add_staff(
            &database,
            &other,
            "agent@other.local",
            "其他客服",
            Role::Agent,
            "password1",
        )
        .await
        .unwrap();
        shop_setup::add_token(
            &database,
            &other,
            Some(&id),
            Role::Agent,
            "test",
            OTHER_SHOP,
        )
        .await
        .unwrap();
        TestApp {
            base: serve_with(database.clone(), &database_url, configure).await,
            client: reqwest::Client::new(),
            database,
            database_url,
            _directory: directory,
        }
    }

    /// The same database served by a second instance whose clock runs `hours` ahead: what the
    /// shop sees on a later day (its `database` keeps that clock too, for the workers).
    #[allow(dead_code)]
    pub async fn later(&self, hours: i64) -> TestApp {
        TestApp {
            base: serve_with(self.database.clone(), &self.database_url, |config| {
                config.clock_offset_hours = hours;
            })
            .await,
            client: reqwest::Client::new(),
            database: self
                .database
                .clone()
                .with_clock(aftersale::clock::Clock::with_offset_hours(hours)),
            database_url: self.database_url.clone(),
            _directory: None,
        }
    }

    /// This half-month's name and the hours to the second day of the next one.
    #[allow(dead_code)]
    pub fn half_month_and_hours(&self) -> (String, i64) {
        let today = jiff::Timestamp::from_microsecond(self.database.clock.now())
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
            .date();
        let (name, next) = if today.day() <= 15 {
            (
                format!("{:04}-{:02}-a", today.year(), today.month()),
                today
                    .first_of_month()
                    .checked_add(jiff::Span::new().days(15))
                    .unwrap(),
            )
        } else {
            (
                format!("{:04}-{:02}-b", today.year(), today.month()),
                today
                    .first_of_month()
                    .checked_add(jiff::Span::new().months(1))
                    .unwrap(),
            )
        };
        let target = next.tomorrow().unwrap();
        (name, i64::from((target - today).get_days()) * 24)
    }

    /// The id of the staff member with this e-mail.
    #[allow(dead_code)]
    pub async fn staff_id(&self, email: &str) -> String {
        sqlx::query_scalar("SELECT id FROM staff WHERE email = $1")
            .bind(email)
            .fetch_one(&self.database.reader)
            .await
            .unwrap()
    }

    /// A staff member's console session (password `password1`): its cookie and form token.
    #[allow(dead_code)]
    pub async fn console_session(&self, email: &str) -> (String, String) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let form_token = |html: &str| {
            let marker = "name=\"csrf\" value=\"";
            let start = html.find(marker).expect("a form token") + marker.len();
            html[start..start + html[start..].find('"').unwrap()].to_string()
        };
        let login = client.get(self.url("/login")).send().await.unwrap();
        let login_cookie = cookies(&login).join("; ");
        let html = login.text().await.unwrap();
        let response = client
            .post(self.url("/login"))
            .header(reqwest::header::COOKIE, login_cookie)
            .form(&[
                ("csrf", form_token(&html).as_str()),
                ("email", email),
                ("password", "password1"),
                ("next", "/console"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed in");
        let cookie = cookies(&response)
            .into_iter()
            .find(|cookie| cookie.starts_with("staff_session="))
            .unwrap();
        let console = client
            .get(self.url("/console"))
            .header(reqwest::header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        let html = console.text().await.unwrap();
        (cookie, form_token(&html))
    }

    /// A customer's portal session for the order found by `order` and `contact` as typed: its
    /// cookie (`name=value`).
    pub async fn portal_session(&self, order: &str, contact: &str) -> String {
        let found = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(self.url("/portal/shop"))
            .form(&[("order_number", order), ("contact", contact)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            found.status(),
            StatusCode::SEE_OTHER,
            "{order} was not found"
        );
        found.headers()[reqwest::header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    /// The form token on a portal page the customer sees with `cookie` (every form's action
    /// carries it).
    pub async fn portal_form_token(&self, cookie: &str, path: &str) -> String {
        let html = self
            .client
            .get(self.url(path))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let start = html.find("?csrf=").expect("a form with its token") + "?csrf=".len();
        html[start..start + html[start..].find('"').unwrap()].to_string()
    }

    /// A console page or file as the staff member signed in with `cookie` gets it.
    #[allow(dead_code)]
    pub async fn console_get(&self, cookie: &str, path: &str) -> (StatusCode, Vec<u8>) {
        let response = self
            .client
            .get(self.url(path))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.bytes().await.unwrap().to_vec())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a JSON request as `token` and returns the status and the JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// Creates an order with two lines (¥199.00 × 1 paid 199.00, ¥50.00 × 2 paid 90.00).
    pub async fn order(&self, number: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/v1/orders",
                AGENT,
                json!({
                    "order_number": number,
                    "platform": "tmall",
                    "placed_at": "2026-11-01 10:00",
                    "delivered_at": "2026-11-03 15:30",
                    "customer": { "name": "王小明", "phone": "13800138000" },
                    "lines": [
                        { "sku": "EP-1", "product_name": "蓝牙耳机", "quantity": 1, "unit_price_minor": 19900 },
                        { "sku": "TS-2", "product_name": "纯棉T恤", "quantity": 2, "unit_price_minor": 5000, "paid_minor": 9000 }
                    ]
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// An order delivered two days ago, so that the 7-day no-reason return is still open.
    pub async fn recent_order(&self, number: &str) -> Value {
        let delivered = jiff::Timestamp::from_microsecond(now()).unwrap()
            - jiff::SignedDuration::from_hours(48);
        let placed = delivered - jiff::SignedDuration::from_hours(72);
        let (status, body) = self
            .post(
                "/api/v1/orders",
                AGENT,
                json!({
                    "order_number": number,
                    "platform": "tmall",
                    "placed_at": placed.to_string(),
                    "delivered_at": delivered.to_string(),
                    "customer": { "name": "李小红", "phone": "13800138000" },
                    "lines": [
                        { "sku": "EP-1", "product_name": "蓝牙耳机", "quantity": 1, "unit_price_minor": 19900 },
                        { "sku": "TS-2", "product_name": "纯棉T恤", "quantity": 2, "unit_price_minor": 5000 }
                    ]
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Opens a case of `kind` on `order_number` about both lines.
    pub async fn case(&self, order_number: &str, kind: &str, description: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/v1/cases",
                AGENT,
                json!({
                    "order_number": order_number,
                    "kind": kind,
                    "reason_code": "quality",
                    "description": description,
                    "lines": [{ "line_number": 1 }, { "line_number": 2 }],
                    "contact": { "name": "王小明", "phone": "13800138000" }
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Takes an action at the case's current version; returns status and body.
    pub async fn act(
        &self,
        case_id: &str,
        token: &str,
        action: &str,
        extra: Value,
    ) -> (StatusCode, Value) {
        let (_, case) = self.get(&format!("/api/v1/cases/{case_id}"), token).await;
        let mut body = json!({ "action": action, "version": case["version"] });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        self.post(&format!("/api/v1/cases/{case_id}/transitions"), token, body)
            .await
    }

    pub async fn refund(&self, case_id: &str, key: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(self.url(&format!("/api/v1/cases/{case_id}/refunds")))
            .bearer_auth(AGENT)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }
}

/// Asserts the stable error shape and returns the code.
pub fn error_code(body: &Value) -> String {
    let error = &body["error"];
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "no message in {body}"
    );
    assert!(error.get("details").is_some(), "no details in {body}");
    error["code"].as_str().unwrap_or_default().to_string()
}

/// The `name=value` part of each Set-Cookie of a response.
#[allow(dead_code)]
pub fn cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next())
        .map(str::to_string)
        .collect()
}
