//! Case lists: filters, sort orders and keyset pages, for queues and search.

use crate::domain::identifiers::ShopId;
use sqlx::AnyPool;

use super::Backend;
use super::Bind;
use super::cases::{CASE_COLUMNS, CASE_FROM, CaseRecord};
use super::dialect::SearchPlan;
use crate::domain::{CaseKind, Priority, Status};

/// The order a list is sorted in: a column and a direction, with the id as tie-breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseSort {
    DueAt,
    DueAtDescending,
    CreatedAt,
    CreatedAtDescending,
    UpdatedAt,
    UpdatedAtDescending,
}

impl CaseSort {
    pub fn parse(text: &str) -> Option<CaseSort> {
        Some(match text {
            "due_at" => CaseSort::DueAt,
            "-due_at" => CaseSort::DueAtDescending,
            "created_at" => CaseSort::CreatedAt,
            "-created_at" => CaseSort::CreatedAtDescending,
            "updated_at" => CaseSort::UpdatedAt,
            "-updated_at" => CaseSort::UpdatedAtDescending,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            CaseSort::DueAt | CaseSort::DueAtDescending => "due_at",
            CaseSort::CreatedAt | CaseSort::CreatedAtDescending => "created_at",
            CaseSort::UpdatedAt | CaseSort::UpdatedAtDescending => "updated_at",
        }
    }

    fn descending(self) -> bool {
        matches!(
            self,
            CaseSort::DueAtDescending
                | CaseSort::CreatedAtDescending
                | CaseSort::UpdatedAtDescending
        )
    }

    /// The sort key of a record, as stored in a cursor.
    pub fn key_of(self, case: &CaseRecord) -> i64 {
        match self.column() {
            "due_at" => case.due_at,
            "created_at" => case.created_at,
            _ => case.updated_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    Nobody,
    Staff(String),
}

/// What a case list asks for; empty vectors mean "any".
#[derive(Debug, Clone)]
pub struct CaseFilter {
    pub statuses: Vec<Status>,
    pub open: Option<bool>,
    pub kinds: Vec<CaseKind>,
    pub assignee: Option<AssigneeFilter>,
    pub priority: Option<Priority>,
    pub reason_code: Option<String>,
    pub query: Option<String>,
    pub order_id: Option<String>,
    pub customer_id: Option<String>,
    /// Only cases that missed an SLA target.
    pub sla_breached: bool,
    /// Cases carrying this tag.
    pub tag: Option<String>,
    /// Cases of orders from this platform (tmall, jd, …).
    pub platform: Option<String>,
    /// Cases due before this moment (unix µs): "due soon" and "overdue".
    pub due_before: Option<i64>,
    /// Cases opened within `[start, end)` (unix µs) …
    pub created_between: Option<(i64, i64)>,
    /// … or ended within it (the KPI dashboard's numbers open the cases behind them).
    pub ended_between: Option<(i64, i64)>,
    pub sort: CaseSort,
    /// The (sort key, id) of the last case of the previous page.
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

impl CaseFilter {
    /// Every case, in `sort` order, `limit` to a page: narrow it by setting fields.
    pub fn all(sort: CaseSort, limit: i64) -> CaseFilter {
        CaseFilter {
            statuses: Vec::new(),
            open: None,
            kinds: Vec::new(),
            assignee: None,
            priority: None,
            reason_code: None,
            query: None,
            order_id: None,
            customer_id: None,
            sla_breached: false,
            tag: None,
            platform: None,
            due_before: None,
            created_between: None,
            ended_between: None,
            sort,
            after: None,
            limit,
        }
    }
}

/// A page of the shop's cases. Binds are collected as the SQL grows, so the placeholders stay
/// numbered correctly whatever filters are present.
pub async fn list(
    pool: &AnyPool,
    backend: Backend,
    shop_id: &ShopId,
    filter: &CaseFilter,
) -> Result<Vec<CaseRecord>, sqlx::Error> {
    let (sql, binds) = page(pool, backend, shop_id, filter).await?;
    let mut statement = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for bind in binds {
        statement = match bind {
            Bind::Text(text) => statement.bind(text),
            Bind::Number(number) => statement.bind(number),
        };
    }
    statement.fetch_all(pool).await
}

/// How the database would read a page of the queue (for the tests that keep it on its index).
pub async fn plan(
    database: &super::Database,
    shop_id: &ShopId,
    filter: &CaseFilter,
) -> Result<Vec<String>, sqlx::Error> {
    let (sql, binds) = page(&database.reader, database.backend, shop_id, filter).await?;
    database.plan(&sql, binds).await
}

async fn page(
    pool: &AnyPool,
    backend: Backend,
    shop_id: &ShopId,
    filter: &CaseFilter,
) -> Result<(String, Vec<Bind>), sqlx::Error> {
    let (mut conditions, mut binds) = conditions(pool, backend, shop_id, filter).await?;
    let placeholder = |binds: &mut Vec<Bind>, bind: Bind| {
        binds.push(bind);
        format!("${}", binds.len())
    };
    let column = filter.sort.column();
    let (comparison, direction) = if filter.sort.descending() {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some((key, id)) = &filter.after {
        let key = placeholder(&mut binds, Bind::Number(*key));
        let id = placeholder(&mut binds, Bind::Text(id.clone()));
        conditions.push(format!(
            "(c.{column} {comparison} {key} OR (c.{column} = {key} AND c.id {comparison} {id}))"
        ));
    }
    let limit = placeholder(&mut binds, Bind::Number(filter.limit));
    let sql = format!(
        "SELECT {CASE_COLUMNS} {CASE_FROM} WHERE {} ORDER BY c.{column} {direction}, c.id {direction} LIMIT {limit}",
        conditions.join(" AND ")
    );
    Ok((sql, binds))
}

/// How many cases match `filter` (its sort, page and limit aside), counted up to `cap`: a
/// view's count costs at most `cap` index entries however large the shop.
pub async fn count(
    pool: &AnyPool,
    backend: Backend,
    shop_id: &ShopId,
    filter: &CaseFilter,
    cap: i64,
) -> Result<i64, sqlx::Error> {
    let (conditions, mut binds) = conditions(pool, backend, shop_id, filter).await?;
    binds.push(Bind::Number(cap));
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 {CASE_FROM} WHERE {} LIMIT ${}) capped",
        conditions.join(" AND "),
        binds.len()
    );
    let mut statement = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for bind in binds {
        statement = match bind {
            Bind::Text(text) => statement.bind(text),
            Bind::Number(number) => statement.bind(number),
        };
    }
    statement.fetch_one(pool).await
}

/// The WHERE conditions of `filter` (sort and page aside) with their values, numbered from $1.
async fn conditions(
    pool: &AnyPool,
    backend: Backend,
    shop_id: &ShopId,
    filter: &CaseFilter,
) -> Result<(Vec<String>, Vec<Bind>), sqlx::Error> {
    let mut binds = vec![Bind::Text(shop_id.to_string())];
    let mut conditions = vec!["c.shop_id = $1".to_string()];
    let placeholder = |binds: &mut Vec<Bind>, bind: Bind| {
        binds.push(bind);
        format!("${}", binds.len())
    };
    if let Some(open) = filter.open {
        let value = placeholder(&mut binds, Bind::Number(i64::from(open)));
        conditions.push(format!("c.is_open = {value}"));
    }
    if !filter.statuses.is_empty() {
        let values: Vec<String> = filter
            .statuses
            .iter()
            .map(|status| placeholder(&mut binds, Bind::Text(status.as_str().into())))
            .collect();
        conditions.push(format!("c.status IN ({})", values.join(", ")));
    }
    if !filter.kinds.is_empty() {
        let values: Vec<String> = filter
            .kinds
            .iter()
            .map(|kind| placeholder(&mut binds, Bind::Text(kind.as_str().into())))
            .collect();
        conditions.push(format!("c.kind IN ({})", values.join(", ")));
    }
    match &filter.assignee {
        Some(AssigneeFilter::Nobody) => conditions.push("c.assignee_id IS NULL".into()),
        Some(AssigneeFilter::Staff(staff_id)) => {
            let value = placeholder(&mut binds, Bind::Text(staff_id.clone()));
            conditions.push(format!("c.assignee_id = {value}"));
        }
        None => {}
    }
    if filter.sla_breached {
        conditions.push("c.sla_breached IS NOT NULL".into());
    }
    if let Some(tag) = &filter.tag {
        // Tags are a JSON array of strings: match the quoted tag.
        let quoted = serde_json::to_string(tag).unwrap_or_default();
        let value = placeholder(
            &mut binds,
            Bind::Text(format!("%{}%", super::dialect::like_escape(&quoted))),
        );
        conditions.push(format!("c.tags LIKE {value} ESCAPE '\\'"));
    }
    if let Some(platform) = &filter.platform {
        let value = placeholder(&mut binds, Bind::Text(platform.clone()));
        conditions.push(format!("o.platform = {value}"));
    }
    if let Some(due_before) = filter.due_before {
        let value = placeholder(&mut binds, Bind::Number(due_before));
        conditions.push(format!("c.due_at < {value}"));
    }
    for (column, between) in [
        ("created_at", filter.created_between),
        ("ended_at", filter.ended_between),
    ] {
        if let Some((start, end)) = between {
            let start = placeholder(&mut binds, Bind::Number(start));
            let end = placeholder(&mut binds, Bind::Number(end));
            conditions.push(format!("c.{column} >= {start} AND c.{column} < {end}"));
        }
    }
    if let Some(priority) = filter.priority {
        let value = placeholder(&mut binds, Bind::Text(priority.as_str().into()));
        conditions.push(format!("c.priority = {value}"));
    }
    if let Some(reason_code) = &filter.reason_code {
        let value = placeholder(&mut binds, Bind::Text(reason_code.clone()));
        conditions.push(format!("c.reason_code = {value}"));
    }
    if let Some(order_id) = &filter.order_id {
        let value = placeholder(&mut binds, Bind::Text(order_id.clone()));
        conditions.push(format!("c.order_id = {value}"));
    }
    if let Some(customer_id) = &filter.customer_id {
        let value = placeholder(&mut binds, Bind::Text(customer_id.clone()));
        conditions.push(format!("c.customer_id = {value}"));
    }
    if backend == Backend::Sqlite && (filter.customer_id.is_some() || filter.order_id.is_some()) {
        // A customer's or an order's few cases come from their own index. Without fresh
        // statistics SQLite would rather walk the shop's cases in the page's order and check
        // each (100,000 rows for a case page's "other cases": tests/plans.rs).
        conditions[0] = "+c.shop_id = $1".to_string();
    }
    if let Some(query) = &filter.query {
        let plan = backend.search_plan(pool, query).await?;
        if backend == Backend::Sqlite && matches!(plan, SearchPlan::Index(_)) {
            // The index's few matches are fetched by rowid. Otherwise SQLite would rather scan
            // a list index holding the search text for the shop, checking each entry's rowid.
            conditions[0] = "+c.shop_id = $1".to_string();
        }
        let (condition, values) = backend.case_search(binds.len() + 1, query, &plan);
        binds.extend(values.into_iter().map(Bind::Text));
        conditions.push(condition);
    }
    Ok((conditions, binds))
}
