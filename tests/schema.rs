//! The two migration trees describe the same tables and columns: SQLite's and PostgreSQL's
//! schemas, each migrated fresh, are read back and compared (names, and whether a column may be
//! NULL). SQLite's FTS5 search index, which PostgreSQL does with pg_trgm on `cases`, is the one
//! table only SQLite has. Needs TEST_DATABASE_URL (CI's PostgreSQL run sets it).

mod common;

use std::collections::BTreeMap;

use aftersale::db::Database;
use sqlx::Row;

/// table → column → nullable
type Schema = BTreeMap<String, BTreeMap<String, bool>>;

async fn sqlite_schema() -> Schema {
    let directory = std::env::temp_dir().join(format!(
        "aftersale-schema-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&directory).unwrap();
    let database = Database::connect(&format!("sqlite://{}/schema.db", directory.display()))
        .await
        .unwrap();
    database.migrate().await.unwrap();
    let rows = sqlx::query(
        "SELECT m.name AS table_name, p.name AS column_name, p.\"notnull\" AS required, p.pk AS key \
         FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
           AND m.name NOT LIKE 'case_search%'",
    )
    .fetch_all(&database.reader)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for row in rows {
        let required: i64 = row.get("required");
        let key: i64 = row.get("key");
        schema
            .entry(row.get("table_name"))
            .or_default()
            .insert(row.get("column_name"), required == 0 && key == 0);
    }
    let _ = std::fs::remove_dir_all(&directory);
    schema
}

async fn postgres_schema(server: &str) -> Schema {
    sqlx::any::install_default_drivers();
    let name = format!("aftersale_schema_{}", uuid::Uuid::now_v7().simple());
    let admin = sqlx::AnyPool::connect(server).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    )))
    .execute(&admin)
    .await
    .unwrap();
    let (base, _) = server.rsplit_once('/').unwrap();
    let database = Database::connect(&format!("{base}/{name}")).await.unwrap();
    database.migrate().await.unwrap();
    let rows = sqlx::query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                (is_nullable = 'YES') AS nullable \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&database.reader)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for row in rows {
        schema
            .entry(row.get("table_name"))
            .or_default()
            .insert(row.get("column_name"), row.get("nullable"));
    }
    database.reader.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    schema
}

#[tokio::test]
async fn sqlite_and_postgres_have_the_same_tables_and_columns() {
    let sqlite = sqlite_schema().await;
    assert!(sqlite.contains_key("cases") && sqlite["cases"].contains_key("version"));
    let Some(server) = common::test_database_url() else {
        eprintln!("TEST_DATABASE_URL is not set: only SQLite's schema was read");
        return;
    };
    let postgres = postgres_schema(&server).await;
    let tables = |schema: &Schema| schema.keys().cloned().collect::<Vec<_>>();
    assert_eq!(tables(&sqlite), tables(&postgres), "the same tables");
    for (table, columns) in &sqlite {
        assert_eq!(
            columns, &postgres[table],
            "table {table}: the same columns, each as nullable (true) or not"
        );
    }
}
