//! Measuring over HTTP: requests at a given concurrency, their latencies, and the helpers that
//! make each kind of request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::TOKEN;

/// Latency figures of one run.
pub struct Figures {
    pub requests: usize,
    pub errors: usize,
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

    pub fn seconds(&self) -> f64 {
        self.elapsed.as_secs_f64()
    }

    pub fn line(&self, name: &str, concurrency: usize) -> String {
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

pub fn urlencode(text: &str) -> String {
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

pub fn get(
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
pub async fn console_session(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
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
pub fn page(
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
pub async fn measure<F, Fut>(requests: usize, concurrency: usize, call: F) -> Figures
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
