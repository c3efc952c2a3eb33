//! A small W3C WebDriver client for the browser tests: starts ChromeDriver, opens headless
//! Chromium at a phone's viewport, and offers the few commands the tests use.
// Where Chromium and ChromeDriver are: PATH, CHROMIUM, CHROMEDRIVER.
#![allow(clippy::disallowed_methods)]
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

/// The key W3C WebDriver uses for element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

#[derive(Clone)]
pub struct Element {
    id: String,
}

fn find_program(names: &[&str]) -> Option<String> {
    let path = std::env::var("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|directory| directory.join(name))
            .find(|candidate| candidate.is_file())
            .map(|found| found.display().to_string())
    })
}

impl Browser {
    /// Headless Chromium with a phone's screen (390 × 844 CSS pixels, touch, a phone's user
    /// agent). Fails with what to install when Chromium or ChromeDriver is missing.
    pub async fn phone() -> Browser {
        Browser::start(true).await
    }

    /// Headless Chromium in a laptop-sized window (1366 × 900).
    pub async fn laptop() -> Browser {
        Browser::start(false).await
    }

    /// Headless Chromium on a wide desktop screen (1680 × 1000).
    pub async fn desktop() -> Browser {
        let browser = Browser::start(false).await;
        browser
            .post("/window/rect", json!({ "width": 1680, "height": 1000 }))
            .await;
        browser
    }

    async fn start(phone: bool) -> Browser {
        let driver_path = std::env::var("CHROMEDRIVER")
            .ok()
            .or_else(|| find_program(&["chromedriver"]))
            .expect("ChromeDriver not found: install Debian's chromium and chromium-driver (.ci/run does)");
        let chromium = std::env::var("CHROMIUM")
            .ok()
            .or_else(|| find_program(&["chromium", "chromium-browser", "google-chrome"]))
            .expect("Chromium not found: install Debian's chromium (.ci/run does)");
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ChromeDriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if let Ok(response) = http.get(format!("{base}/status")).send().await
                && response.status().is_success()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // A fresh profile for every browser: a port is used again by later runs and tests, and a
        // profile left behind would bring its cookies (a `lang` cookie turns pages English).
        let profile =
            std::env::temp_dir().join(format!("aftersale-chromium-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        let mut options = json!({
            "binary": chromium,
            "prefs": { "intl.accept_languages": "zh-CN,zh" },
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     format!("--user-data-dir={}", profile.display()), "--lang=zh-CN", "--accept-lang=zh-CN,zh",
                     "--window-size=1366,900"],
        });
        if phone {
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3.0, "touch": true },
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36"
            });
        }
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options
        }}});
        let response: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("new session")
            .json()
            .await
            .unwrap();
        let session = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {response}"))
            .to_string();
        Browser {
            driver,
            base,
            session,
            http,
        }
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response: Value = request.send().await.unwrap().json().await.unwrap();
        if let Some(error) = response["value"]["error"].as_str() {
            panic!(
                "WebDriver {path}: {error}: {}",
                response["value"]["message"]
            );
        }
        response["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.command(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.command(reqwest::Method::GET, path, None).await
    }

    /// Signs in to the console at `login` (the app's /login URL) as `email` with the tests'
    /// password, and waits for the console.
    pub async fn sign_in(&self, login: &str, email: &str) {
        self.open(login).await;
        self.type_into("#email", email).await;
        self.type_into("#password", "password1").await;
        self.submit("form button[type=submit]").await;
        self.wait_for_url("/console").await;
    }

    pub async fn open(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    pub async fn refresh(&self) {
        self.post("/refresh", json!({})).await;
    }

    pub async fn url(&self) -> String {
        self.get("/url")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn source(&self) -> String {
        self.get("/source")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The first element matching the CSS selector, waited for up to 5 s; panics with the page
    /// when there is none.
    pub async fn find(&self, selector: &str) -> Element {
        for _ in 0..50 {
            if let Some(element) = self.try_find(selector).await {
                return element;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no element {selector} on {}:\n{}",
            self.url().await,
            self.source().await
        )
    }

    pub async fn try_find(&self, selector: &str) -> Option<Element> {
        let url = format!("{}/session/{}/element", self.base, self.session);
        let response: Value = self
            .http
            .post(url)
            .json(&json!({ "using": "css selector", "value": selector }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        response["value"][ELEMENT]
            .as_str()
            .map(|id| Element { id: id.to_string() })
    }

    pub async fn type_into(&self, selector: &str, text: &str) {
        let element = self.find(selector).await;
        self.post(&format!("/element/{}/clear", element.id), json!({}))
            .await;
        self.post(
            &format!("/element/{}/value", element.id),
            json!({ "text": text }),
        )
        .await;
    }

    /// Chooses a file for an `<input type=file>`.
    pub async fn choose_file(&self, selector: &str, path: &std::path::Path) {
        let element = self.find(selector).await;
        self.post(
            &format!("/element/{}/value", element.id),
            json!({ "text": path.display().to_string() }),
        )
        .await;
    }

    /// Clicks a submit button and waits (up to 10 s) until the page it leads to has loaded.
    pub async fn submit(&self, selector: &str) {
        self.script("window.__before_submit = true").await;
        self.click(selector).await;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let state = self
                .script("return window.__before_submit ? 'old' : document.readyState")
                .await;
            if state == "complete" {
                return;
            }
        }
        panic!("{selector} led to no new page: at {}", self.url().await)
    }

    /// Clicks a submit button that asks first: waits for the question (a `confirm` dialog),
    /// answers it, and when accepted waits for the page the form leads to. Returns the question.
    pub async fn submit_confirmed(&self, selector: &str, accept: bool) -> String {
        self.script("window.__before_submit = true").await;
        self.click(selector).await;
        let question = self.dialog_text().await;
        let answer = if accept { "accept" } else { "dismiss" };
        self.post(&format!("/alert/{answer}"), json!({})).await;
        if accept {
            for _ in 0..100 {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let state = self
                    .script("return window.__before_submit ? 'old' : document.readyState")
                    .await;
                if state == "complete" {
                    return question;
                }
            }
            panic!("{selector} led to no new page: at {}", self.url().await)
        }
        question
    }

    /// The text of the open dialog, waited for up to 5 s.
    pub async fn dialog_text(&self) -> String {
        let url = format!("{}/session/{}/alert/text", self.base, self.session);
        for _ in 0..50 {
            let response: Value = self
                .http
                .get(&url)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(text) = response["value"].as_str() {
                return text.to_string();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no dialog opened")
    }

    /// Presses keys on whatever has the focus (the page's keyboard shortcuts).
    pub async fn keys(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|key| {
                [
                    json!({ "type": "keyDown", "value": key.to_string() }),
                    json!({ "type": "keyUp", "value": key.to_string() }),
                ]
            })
            .collect();
        self.post(
            "/actions",
            json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] }),
        )
        .await;
        self.command(reqwest::Method::DELETE, "/actions", None)
            .await;
    }

    pub async fn click(&self, selector: &str) {
        let element = self.find(selector).await;
        self.post(&format!("/element/{}/click", element.id), json!({}))
            .await;
    }

    pub async fn text(&self, selector: &str) -> String {
        let element = self.find(selector).await;
        self.get(&format!("/element/{}/text", element.id))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn value(&self, selector: &str) -> String {
        let element = self.find(selector).await;
        self.get(&format!("/element/{}/property/value", element.id))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn attribute(&self, selector: &str, name: &str) -> Option<String> {
        let element = self.find(selector).await;
        self.get(&format!("/element/{}/attribute/{name}", element.id))
            .await
            .as_str()
            .map(str::to_string)
    }

    pub async fn script(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": [] }))
            .await
    }

    /// Runs a script that calls its last argument (a callback) with the result.
    pub async fn script_async(&self, script: &str) -> Value {
        self.post("/execute/async", json!({ "script": script, "args": [] }))
            .await
    }

    /// Sets a cookie on the page's site (the page must be open on it).
    pub async fn add_cookie(&self, name: &str, value: &str) {
        self.post(
            "/cookie",
            json!({ "cookie": { "name": name, "value": value, "path": "/" } }),
        )
        .await;
    }

    /// axe-core's critical and serious violations on the open page (WCAG 2.1 A and AA and best
    /// practice), each as "rule: what is wrong — the elements". axe-core comes from npm into
    /// target/axe (scripts/test installs it) or from AXE_CORE.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let path = std::env::var("AXE_CORE").unwrap_or_else(|_| {
            format!(
                "{}/target/axe/node_modules/axe-core/axe.min.js",
                env!("CARGO_MANIFEST_DIR")
            )
        });
        let source = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!("axe-core not at {path}: run scripts/test, which installs it")
        });
        self.post("/execute/sync", json!({ "script": source, "args": [] }))
            .await;
        self.post("/timeouts", json!({ "script": 30000 })).await;
        let result = self
            .script_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations
                        .filter(v => v.impact === 'critical' || v.impact === 'serious')
                        .map(v => v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
            )
            .await;
        result
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The browser's cookies as a `Cookie` header value.
    pub async fn cookie_header(&self) -> String {
        let cookies = self.get("/cookie").await;
        cookies
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|cookie| {
                        format!(
                            "{}={}",
                            cookie["name"].as_str().unwrap_or(""),
                            cookie["value"].as_str().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }

    /// Saves a PNG of the viewport under target/screenshots/.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let data = self.get("/screenshot").await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .unwrap();
        let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&directory).unwrap();
        let path = directory.join(format!("{name}.png"));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Waits (up to 5 s) until the first element matching `selector` says `part`; panics with
    /// what it said and the page otherwise.
    pub async fn wait_for_text(&self, selector: &str, part: &str) -> String {
        let mut said = String::new();
        for _ in 0..50 {
            if self.try_find(selector).await.is_some() {
                said = self.text(selector).await;
                if said.contains(part) {
                    return said;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{selector} never said {part} (it said {said:?}) at {}:\n{}",
            self.url().await,
            self.source().await
        )
    }

    /// Waits (up to 10 s) until the current URL contains `part`.
    pub async fn wait_for_url(&self, part: &str) -> String {
        for _ in 0..100 {
            let url = self.url().await;
            if url.contains(part) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the page never reached {part}: at {}\n{}",
            self.url().await,
            self.source().await
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session closes Chromium; then the driver goes.
        let url = format!("{}/session/{}", self.base, self.session);
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    let _ = reqwest::Client::new().delete(url).send().await;
                });
            }
        })
        .join();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
