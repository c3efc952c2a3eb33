//! Numbered writes (case creation's path) committed in groups: a failing write fails alone,
//! the others commit with distinct, consecutive numbers.

mod common;

use aftersale::db::batch::{self, Batch};
use common::TestApp;
use futures::future::join_all;

#[tokio::test]
async fn a_bad_write_in_a_group_fails_alone() {
    let app = TestApp::start().await;
    let shop_id: String = sqlx::query_scalar("SELECT id FROM shops WHERE slug = 'shop'")
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
