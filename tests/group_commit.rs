//! Numbered writes (case creation's path) committed in groups: a failing write fails alone,
//! the others commit with distinct, consecutive numbers; other writes are not starved.

mod common;

use aftersale::db::batch::{self, Batch};
use common::TestApp;
use futures::future::join_all;

#[tokio::test]
async fn a_bad_write_in_a_group_fails_alone() {
    let app = TestApp::start().await;
    let shop_id: aftersale::domain::identifiers::ShopId =
        sqlx::query_scalar("SELECT id FROM shops WHERE slug = 'shop'")
            .fetch_one(&app.database.reader)
            .await
            .unwrap();
    let writes = (0..12).map(|index| {
        let database = app.database.clone();
        let shop_id = shop_id.clone();
        async move {
            let shop = shop_id.clone();
            batch::numbered(&database, &shop_id, "20261122", move |number| {
                let mut batch = Batch::new();
                if index == 5 {
                    batch.push("INSERT INTO no_such_table (x) VALUES ($1)", vec![number.into()]);
                } else {
                    batch.push(
                        "INSERT INTO reasons (shop_id, code, category, name_zh, name_en, active, position) \
                         VALUES ($1, $2, 'test', '测试', 'test', 1, $3)",
                        vec![shop.as_str().into(), format!("group-{number}").into(), number.into()],
                    );
                }
                batch
            })
            .await
        }
    });
    let results = join_all(writes).await;
    assert!(results[5].is_err());
    let mut numbers: Vec<i64> = results
        .iter()
        .filter_map(|result| result.as_ref().ok().copied())
        .collect();
    numbers.sort();
    assert_eq!(numbers.len(), 11);
    numbers.dedup();
    assert_eq!(numbers.len(), 11, "numbers are distinct");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reasons WHERE code LIKE 'group-%'")
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    assert_eq!(stored, 11);
    let counter: i64 = sqlx::query_scalar("SELECT value FROM case_counters WHERE day = '20261122'")
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    assert!(counter >= 11);
}

#[tokio::test]
async fn cases_created_at_once_are_whole_and_findable() {
    let app = TestApp::start().await;
    app.order("G-1").await;
    let descriptions: Vec<String> = (0..40)
        .map(|index| format!("批量并发{index:02}号"))
        .collect();
    let created = join_all(descriptions.iter().map(|description| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/cases",
                common::AGENT,
                serde_json::json!({
                    "order_number": "G-1", "kind": "complaint", "reason_code": "quality",
                    "description": description, "lines": [{ "line_number": 2, "quantity": 1 }],
                    "contact": { "name": "并发测试", "phone": "13800138000" }
                }),
            )
            .await
        }
    }))
    .await;
    let mut numbers = Vec::new();
    for ((status, case), description) in created.iter().zip(&descriptions) {
        assert_eq!(*status, reqwest::StatusCode::CREATED, "{case}");
        numbers.push(case["number"].as_str().unwrap().to_string());
        let id = case["id"].as_str().unwrap();
        let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), common::AGENT).await;
        assert_eq!(shown["description"], description.as_str());
        assert_eq!(shown["contact"]["phone"], "13800138000", "{shown}");
        assert_eq!(shown["lines"][0]["line_number"], 2);
        assert_eq!(shown["lines"][0]["quantity"], 1);
        assert_eq!(shown["version"], 1);
        let (_, events) = app
            .get(&format!("/api/v1/cases/{id}/events"), common::AGENT)
            .await;
        assert_eq!(events["items"][0]["action"], "created", "{events}");
        let (_, found) = app
            .get(&format!("/api/v1/cases?q={description}"), common::AGENT)
            .await;
        assert_eq!(found["items"].as_array().unwrap().len(), 1, "{description}");
        assert_eq!(found["items"][0]["id"], id);
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 40, "each case its own number");
    let notices: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE topic = 'case.created' AND audience = 'event'",
    )
    .fetch_one(&app.database.reader)
    .await
    .unwrap();
    assert_eq!(notices, 40);
}

/// A second server on the same database file, both creating cases at once, each grouping its
/// writes: every case ends with its own number, and no number is skipped. Each instance
/// remembers the day's counter between groups; once the other has taken numbers, its next group
/// collides with theirs, fails whole, and is written again with the counter read afresh.
#[tokio::test]
async fn two_instances_on_one_file_never_share_a_case_number() {
    let app = TestApp::start().await;
    if app.database.backend != aftersale::db::Backend::Sqlite {
        return; // PostgreSQL takes numbers in each transaction; nothing is remembered.
    }
    app.order("G-2").await;
    let second = aftersale::db::Database::connect(&app.database_url)
        .await
        .unwrap();
    let bases = [
        app.base.clone(),
        common::serve(second, &app.database_url).await,
    ];
    let mut numbers = Vec::new();
    for round in 0..4 {
        // Several at once on each instance, so that both group their writes.
        let created = join_all((0..12).map(|index| {
            let url = format!("{}/api/v1/cases", bases[(index + round) % 2]);
            let client = app.client.clone();
            async move {
                let response = client
                    .post(url)
                    .bearer_auth(common::AGENT)
                    .json(&serde_json::json!({
                        "order_number": "G-2", "kind": "consultation", "reason_code": "other",
                        "description": format!("两台实例{round}-{index}"), "lines": []
                    }))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (status, response.json::<serde_json::Value>().await.unwrap())
            }
        }))
        .await;
        for (status, case) in created {
            assert_eq!(status, reqwest::StatusCode::CREATED, "{case}");
            numbers.push(case["number"].as_str().unwrap().to_string());
        }
    }
    let count = numbers.len();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), count, "a number was given twice");
    let mut sequences: Vec<usize> = numbers
        .iter()
        .map(|number| number.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    sequences.sort();
    assert_eq!(sequences, (1..=count).collect::<Vec<_>>(), "{numbers:?}");
}

/// While creations keep the group committer busy (it keeps the writer between groups), other
/// writes still get their turn: ten changes to a case, one after another, all land.
#[tokio::test]
async fn other_writes_go_through_while_creations_keep_coming() {
    let app = TestApp::start().await;
    app.order("G-3").await;
    let case = app.case("G-3", "consultation", "别的写入也要轮到").await;
    let id = case["id"].as_str().unwrap().to_string();
    let creating = join_all((0..8).map(|worker| {
        let app = &app;
        async move {
            let mut created = 0;
            for index in 0..25 {
                let (status, body) = app
                    .post(
                        "/api/v1/cases",
                        common::AGENT,
                        serde_json::json!({
                            "order_number": "G-3", "kind": "consultation", "reason_code": "other",
                            "description": format!("持续创建{worker}-{index}"), "lines": []
                        }),
                    )
                    .await;
                assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
                created += 1;
            }
            created
        }
    }));
    let changing = async {
        let mut version = case["version"].as_i64().unwrap();
        for round in 0..10 {
            let priority = if round % 2 == 0 { "high" } else { "normal" };
            let (status, body) = app
                .call(
                    reqwest::Method::PATCH,
                    &format!("/api/v1/cases/{id}"),
                    common::AGENT,
                    Some(serde_json::json!({ "version": version, "priority": priority })),
                )
                .await;
            assert_eq!(status, reqwest::StatusCode::OK, "{body}");
            assert_eq!(body["priority"], priority);
            version = body["version"].as_i64().unwrap();
        }
        version
    };
    let (created, version) = tokio::join!(creating, changing);
    assert_eq!(created.iter().sum::<i32>(), 200);
    assert_eq!(version, case["version"].as_i64().unwrap() + 10);
    let (_, listed) = app
        .get("/api/v1/cases?q=持续创建&limit=200", common::AGENT)
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 200);
}
