//! The first command of the README: `aftersale serve` on an empty database migrates, loads the
//! demo shop with cases in every status, prints the URL and demo tokens, and answers /healthz.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aftersale::domain::CaseKind;
use aftersale::domain::lifecycle::statuses_of;
use serde_json::Value;

#[tokio::test]
async fn serve_loads_demo_data_and_prints_how_to_use_it() {
    let directory =
        std::env::temp_dir().join(format!("aftersale-serve-{}", uuid::Uuid::now_v7().simple()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env(
            "APP_DATABASE_URL",
            format!("sqlite://{}/app.db", directory.display()),
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    while !printed.contains("try: curl") {
        let line = lines
            .next()
            .expect("the server printed its start-up lines")
            .unwrap();
        printed.push_str(&line);
        printed.push('\n');
    }
    assert!(
        printed.contains(&format!("http://127.0.0.1:{port}")),
        "{printed}"
    );
    // The demo's logins are made at random for this database and printed this once.
    assert!(printed.contains("demo logins (password "), "{printed}");
    assert!(!printed.contains("demo-agent-token") && !printed.contains("demo1234"));
    let token = printed
        .lines()
        .find(|line| line.contains("agent@demo.local"))
        .and_then(|line| line.split("API token: ").nth(1))
        .expect("the agent's token is printed")
        .trim()
        .to_string();

    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(response) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && response.status().is_success()
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "healthz never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: Value = client
            .get(format!(
                "http://127.0.0.1:{port}/api/v1/cases?limit=200&cursor={cursor}"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push((
                item["kind"].as_str().unwrap().into(),
                item["status"].as_str().unwrap().into(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.into(),
            None => break,
        }
    }
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&directory);
    for kind in CaseKind::ALL {
        for status in statuses_of(*kind) {
            assert!(
                seen.contains(&(kind.as_str().into(), status.as_str().into())),
                "no demo {kind} case in {status}"
            );
        }
    }
}
