//! The hot queries stay on their indexes on a database without planner statistics (a fresh one,
//! never analysed: the server refreshes statistics in its workers and after imports, which these
//! tests do not start), so no plan can fall off a cliff while a shop grows.
//! SQLite only: PostgreSQL rightly reads a table of a few rows sequentially, whatever its indexes;
//! for PostgreSQL, the last test checks the server keeps statistics when autovacuum is off.

mod common;

use aftersale::db::{Backend, case_list, customers, order_batches, shops};
use common::TestApp;

async fn test_shop(app: &TestApp) -> shops::Shop {
    shops::find_shop_by_slug(&app.database.reader, "shop")
        .await
        .unwrap()
        .unwrap()
}

fn shown(plan: &[String]) -> String {
    plan.join(" | ")
}

#[tokio::test]
async fn the_customer_lookup_reads_one_index_entry_without_statistics() {
    let app = TestApp::start().await;
    if app.database.backend == Backend::Postgres {
        return;
    }
    let plan = customers::lookup_plans(&app.database).await.unwrap();
    assert!(
        plan.iter()
            .any(|step| step.contains("customers_by_phone (shop_id=? AND phone=?)")),
        "{}",
        shown(&plan)
    );
    assert!(
        plan.iter()
            .any(|step| step.contains("customers_by_email (shop_id=? AND email=?)")),
        "{}",
        shown(&plan)
    );
    assert!(
        plan.iter()
            .all(|step| !step.contains("customers_by_created") && !step.contains("TEMP B-TREE")),
        "neither the shop-wide index nor a sort: {}",
        shown(&plan)
    );
}

#[tokio::test]
async fn an_import_batch_looks_each_order_and_customer_up_without_statistics() {
    let app = TestApp::start().await;
    if app.database.backend == Backend::Postgres {
        return;
    }
    let plan = order_batches::lookup_plans(&app.database).await.unwrap();
    for wanted in [
        "SEARCH orders USING",
        "order_number=?)",
        "SEARCH l USING INDEX",
        "(order_id=?)",
        "customers_by_phone (shop_id=? AND phone=?)",
        "customers_by_email (shop_id=? AND email=?)",
    ] {
        assert!(
            plan.iter().any(|step| step.contains(wanted)),
            "{wanted}: {}",
            shown(&plan)
        );
    }
    assert!(
        plan.iter().all(|step| !step.contains("SCAN orders")
            && !step.contains("SCAN l ")
            && !step.contains("SCAN order_lines")
            && !step.contains("SCAN customers")
            && !step.contains("customers_by_created")),
        "no table walked: {}",
        shown(&plan)
    );
}

#[tokio::test]
async fn the_queue_page_reads_its_index_in_order_without_statistics() {
    let app = TestApp::start().await;
    if app.database.backend == Backend::Postgres {
        return;
    }
    let shop = test_shop(&app).await;
    for sort in [
        case_list::CaseSort::DueAt,
        case_list::CaseSort::UpdatedAtDescending,
    ] {
        let filter = case_list::CaseFilter {
            open: Some(true),
            ..case_list::CaseFilter::all(sort, 50)
        };
        let plan = case_list::plan(&app.database, &shop.id, &filter)
            .await
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX") || step.contains("USING COVERING INDEX")),
            "{sort:?}: {}",
            shown(&plan)
        );
        assert!(
            plan.iter()
                .all(|step| !step.contains("TEMP B-TREE FOR ORDER BY")),
            "{sort:?}: the page comes in the index's order, not sorted: {}",
            shown(&plan)
        );
    }
}

#[tokio::test]
async fn a_customers_and_an_orders_cases_are_found_by_their_index_without_statistics() {
    let app = TestApp::start().await;
    if app.database.backend == Backend::Postgres {
        return;
    }
    let shop = test_shop(&app).await;
    let filters = [
        (
            "cases_by_customer",
            case_list::CaseFilter {
                customer_id: Some("customer".into()),
                ..case_list::CaseFilter::all(case_list::CaseSort::CreatedAtDescending, 11)
            },
        ),
        (
            "cases_by_order",
            case_list::CaseFilter {
                order_id: Some("order".into()),
                ..case_list::CaseFilter::all(case_list::CaseSort::DueAt, 50)
            },
        ),
    ];
    for (index, filter) in filters {
        let plan = case_list::plan(&app.database, &shop.id, &filter)
            .await
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.contains(&format!("SEARCH c USING INDEX {index}"))),
            "the case page's other cases of the customer read their own few rows: {}",
            shown(&plan)
        );
    }
}

/// On PostgreSQL with autovacuum off (as on the machines this is measured on), the server
/// analyses the tables that changed, as autovacuum would, so the planner knows a grown shop.
#[tokio::test]
async fn postgres_without_autovacuum_gets_fresh_statistics_from_the_server() {
    let app = TestApp::start().await;
    if app.database.backend != Backend::Postgres {
        return;
    }
    let autovacuum: String = sqlx::query_scalar("SELECT current_setting('autovacuum')")
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    for index in 0..120 {
        app.order(&format!("STAT-{index}")).await;
    }
    if autovacuum == "on" {
        let tended = app.database.tend().await.unwrap();
        assert!(tended.is_empty(), "autovacuum does it: {tended:?}");
        return;
    }
    // The connections that wrote report their counts to pg_stat within a second or so.
    let mut tended = Vec::new();
    for _ in 0..50 {
        tended.extend(app.database.tend().await.unwrap());
        if tended.contains(&"orders".to_string()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(tended.contains(&"orders".to_string()), "{tended:?}");
    // pg_stat counters reach the view a moment later; the analysis itself is done.
    let analysed: Option<i64> = sqlx::query_scalar(
        "SELECT reltuples::BIGINT FROM pg_class WHERE relname = 'orders' AND relkind = 'r'",
    )
    .fetch_optional(&app.database.reader)
    .await
    .unwrap();
    assert!(analysed.unwrap_or(0) >= 120, "{analysed:?}");
}

/// On PostgreSQL a two-character term (no trigram) is served by the index of each case's
/// two-character pieces: the search's condition matches the index's expression.
#[tokio::test]
async fn postgres_two_character_search_has_an_index() {
    let app = TestApp::start().await;
    if app.database.backend != Backend::Postgres {
        return;
    }
    let shop = test_shop(&app).await;
    let plan = Backend::Postgres
        .search_plan(&app.database.reader, "王伟")
        .await
        .unwrap();
    let (condition, values) = Backend::Postgres.case_search(2, "王伟", &plan);
    let mut transaction = app.database.begin().await.unwrap();
    // A fresh database's few rows are read sequentially; forbid that to see the index is usable.
    sqlx::query("SET LOCAL enable_seqscan = off")
        .execute(&mut *transaction)
        .await
        .unwrap();
    // Without the shop's own condition, which a few rows would rather read by the shop's index.
    let sql = format!("EXPLAIN SELECT c.id FROM cases c WHERE $1 <> '' AND {condition}");
    let mut explain =
        sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(shop.id.as_str());
    for value in values {
        explain = explain.bind(value);
    }
    let plan = explain.fetch_all(&mut *transaction).await.unwrap();
    assert!(
        plan.iter().any(|step| step.contains("cases_bigrams")),
        "{}",
        shown(&plan)
    );
}
