//! Upgrades (docs/RELEASES.md): a database made by each earlier release, kept in
//! `tests/fixtures/releases/<version>/` (made by that release's binary: `aftersale migrate`,
//! then `aftersale demo`), migrates to this one and passes a smoke test: every case and its
//! timeline still read, an order, a case, a transition and a refund on the upgraded data.
//! SQLite always; PostgreSQL (its `pg_dump` of the same) with TEST_DATABASE_URL.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::BTreeMap;
use std::io::Read;

use aftersale::db::Database;
use aftersale::domain::Role;
use aftersale::operations::shops as shop_setup;
use reqwest::StatusCode;
use serde_json::{Value, json};

const RELEASES: &[&str] = &["0.1.0"];
const TOKEN: &str = "upgrade-admin-token";

fn fixture(release: &str, name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/releases")
        .join(release)
        .join(name)
}

/// Each case's number of timeline events.
async fn events_per_case(database: &Database) -> BTreeMap<String, i64> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT case_id, count(*) FROM case_events GROUP BY case_id")
            .fetch_all(&database.reader)
            .await
            .unwrap();
    rows.into_iter().collect()
}

/// Migrates the release's database and checks what it held and that it works.
async fn upgrade_and_smoke(database: Database, url: &str, release: &str) {
    let before = events_per_case(&database).await;
    assert!(
        before.len() >= 10,
        "{release}: the fixture holds only {} cases",
        before.len()
    );
    let old_version = database.schema_version().await.unwrap().unwrap();
    assert!(old_version < database.known_schema_version());
    database
        .migrate()
        .await
        .unwrap_or_else(|error| panic!("{release} → now: {error:#}"));
    assert_eq!(
        database.schema_version().await.unwrap(),
        Some(database.known_schema_version())
    );
    assert_eq!(
        events_per_case(&database).await,
        before,
        "{release}: timelines changed"
    );

    let shop = shop_setup::ensure_shop(&database, "demo", "小鹿数码旗舰店")
        .await
        .unwrap();
    let staff = shop_setup::add_staff(
        &database,
        &shop,
        "upgrade@test.local",
        "升级检查",
        Role::Admin,
        "password1",
    )
    .await
    .unwrap();
    shop_setup::add_token(
        &database,
        &shop,
        Some(&staff),
        Role::Admin,
        "upgrade",
        TOKEN,
    )
    .await
    .unwrap();
    let base = common::serve(database.clone(), url).await;
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let response = client
                .get(format!("{base}{path}"))
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    // Every old case reads, with its whole timeline and its order.
    for (id, events) in &before {
        let (status, case) = get(format!("/api/v1/cases/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{release}: case {id}: {case}");
        let (status, timeline) = get(format!("/api/v1/cases/{id}/events?limit=200")).await;
        assert_eq!(status, StatusCode::OK, "{timeline}");
        assert_eq!(
            timeline["items"].as_array().map(Vec::len),
            Some(*events as usize),
            "{release}: case {id}'s timeline"
        );
        let order = case["order_number"].as_str().unwrap();
        let (status, body) = get(format!("/api/v1/orders/{order}")).await;
        assert_eq!(status, StatusCode::OK, "{release}: order {order}: {body}");
    }
    let (status, list) = get("/api/v1/cases?status=open&sort=due_at".into()).await;
    assert_eq!(status, StatusCode::OK, "{list}");

    // New work on the upgraded database: an order, a refund-only case approved and refunded.
    let post = |path: &str, body: Value, key: Option<&str>| {
        let mut request = client
            .post(format!("{base}{path}"))
            .bearer_auth(TOKEN)
            .json(&body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = post(
        "/api/v1/orders",
        json!({
            "order_number": "UPGRADE-1", "platform": "tmall",
            "placed_at": "2026-11-01 10:00", "delivered_at": "2026-11-03 15:30",
            "customer": { "name": "王小明", "phone": "13800138000" },
            "lines": [{ "sku": "EP-1", "product_name": "蓝牙耳机", "quantity": 1, "unit_price_minor": 19900 }]
        }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, case) = post(
        "/api/v1/cases",
        json!({
            "order_number": "UPGRADE-1", "kind": "refund_only", "reason_code": "quality",
            "description": "升级后的新售后", "lines": [{ "line_number": 1 }]
        }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();
    // The demo shop's SOP asks for its checklist before approving: done as an agent would.
    let (status, checklist) = get(format!("/api/v1/cases/{id}/checklist")).await;
    assert_eq!(status, StatusCode::OK, "{checklist}");
    for step in checklist["items"].as_array().unwrap() {
        let key = step["code"].as_str().unwrap();
        let (status, body) = post(
            &format!("/api/v1/cases/{id}/checklist/{key}"),
            json!({ "done": true }),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, case) = get(format!("/api/v1/cases/{id}")).await;
    let (status, body) = post(
        &format!("/api/v1/cases/{id}/transitions"),
        json!({ "action": "approve", "version": case["version"] }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, refund) = post(
        &format!("/api/v1/cases/{id}/refunds"),
        json!({ "lines": [{ "line_number": 1, "amount_minor": 19900 }] }),
        Some("upgrade-refund"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(refund["amount_minor"], 19900);
}

#[tokio::test]
async fn each_earlier_release_upgrades_to_this_one() {
    for release in RELEASES {
        match common::test_database_url() {
            None => {
                let directory = std::env::temp_dir().join(format!(
                    "aftersale-upgrade-{}",
                    uuid::Uuid::now_v7().simple()
                ));
                std::fs::create_dir_all(&directory).unwrap();
                let mut bytes = Vec::new();
                flate2::read::GzDecoder::new(
                    std::fs::File::open(fixture(release, "aftersale.db.gz")).unwrap(),
                )
                .read_to_end(&mut bytes)
                .unwrap();
                let file = directory.join("aftersale.db");
                std::fs::write(&file, bytes).unwrap();
                let url = format!("sqlite://{}", file.display());
                let database = Database::connect(&url).await.unwrap();
                upgrade_and_smoke(database, &url, release).await;
                let _ = std::fs::remove_dir_all(&directory);
            }
            Some(server) => {
                let (base, _) = server.rsplit_once('/').unwrap();
                let url = format!("{base}/aftersale_upgrade_{}", uuid::Uuid::now_v7().simple());
                let database = Database::connect(&url).await.unwrap();
                let output = std::process::Command::new("pg_restore")
                    .args(["--no-owner", "--no-privileges", "--exit-on-error"])
                    .arg(format!("--dbname={url}"))
                    .arg(fixture(release, "postgres.dump"))
                    .output()
                    .unwrap();
                assert!(
                    output.status.success(),
                    "{}",
                    String::from_utf8_lossy(&output.stderr)
                );
                upgrade_and_smoke(database, &url, release).await;
            }
        }
    }
}
