//! What the cost reports read: a period's ledger entries summed per group and currency, the
//! period's sales, and the cases opened per kind (for the repair share).

use sqlx::AnyPool;

use crate::domain::identifiers::ShopId;

/// What entries are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// The cost's own kind (freight, parts, compensation …).
    CostKind,
    /// The case's kind (return, exchange, repair …).
    CaseKind,
    Reason,
    Product,
    Category,
    Agent,
    Month,
    Payer,
    Case,
}

impl Dimension {
    pub const ALL: [(&'static str, Dimension); 9] = [
        ("cost_kind", Dimension::CostKind),
        ("case_kind", Dimension::CaseKind),
        ("reason", Dimension::Reason),
        ("sku", Dimension::Product),
        ("category", Dimension::Category),
        ("agent", Dimension::Agent),
        ("month", Dimension::Month),
        ("payer", Dimension::Payer),
        ("case", Dimension::Case),
    ];

    pub fn parse(text: &str) -> Option<Dimension> {
        Dimension::ALL
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, dimension)| *dimension)
    }

    pub fn as_str(self) -> &'static str {
        Dimension::ALL
            .iter()
            .find(|(_, dimension)| *dimension == self)
            .map_or("", |(name, _)| name)
    }

    /// The group's key, and whether the case is joined to read it.
    fn key(self) -> (&'static str, bool) {
        match self {
            Dimension::CostKind => ("x.kind", false),
            Dimension::CaseKind => ("c.kind", true),
            Dimension::Reason => ("c.reason_code", true),
            Dimension::Product => ("x.product_sku", false),
            Dimension::Category => ("x.product_category", false),
            Dimension::Agent => ("c.assignee_id", true),
            Dimension::Month => ("x.month", false),
            Dimension::Payer => ("x.payer", false),
            Dimension::Case => ("c.number", true),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Group {
    /// None: entries without one (no product, no agent assigned).
    pub key: Option<String>,
    pub currency: String,
    pub cases: i64,
    pub entries: i64,
    pub shop_cost_minor: i64,
}

/// A period's entries, [from, to), summed per group and currency, the costliest first (at
/// most `limit` groups).
pub async fn groups(
    pool: &AnyPool,
    shop_id: &ShopId,
    dimension: Dimension,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<Vec<Group>, sqlx::Error> {
    let (key, joined) = dimension.key();
    let join = if joined {
        " JOIN cases c ON c.id = x.case_id"
    } else {
        ""
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {key} AS key, x.currency, COUNT(DISTINCT x.case_id) AS cases, COUNT(*) AS entries, \
         CAST(SUM(x.shop_cost_minor) AS BIGINT) AS shop_cost_minor FROM costs x{join} \
         WHERE x.shop_id = $1 AND x.created_at >= $2 AND x.created_at < $3 \
         GROUP BY {key}, x.currency ORDER BY shop_cost_minor DESC, key LIMIT $4"
    )))
    .bind(shop_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The period's totals per currency: cases with costs, entries, the shop's cost.
pub async fn totals(
    pool: &AnyPool,
    shop_id: &ShopId,
    from: i64,
    to: i64,
) -> Result<Vec<Group>, sqlx::Error> {
    sqlx::query_as(
        "SELECT NULL AS key, x.currency, COUNT(DISTINCT x.case_id) AS cases, COUNT(*) AS entries, \
         CAST(SUM(x.shop_cost_minor) AS BIGINT) AS shop_cost_minor FROM costs x \
         WHERE x.shop_id = $1 AND x.created_at >= $2 AND x.created_at < $3 GROUP BY x.currency ORDER BY x.currency",
    )
    .bind(shop_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

/// The period's sales per currency: orders placed in it, what they came to.
pub async fn sales(
    pool: &AnyPool,
    shop_id: &ShopId,
    from: i64,
    to: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT currency, CAST(SUM(total_minor) AS BIGINT) FROM orders \
         WHERE shop_id = $1 AND placed_at >= $2 AND placed_at < $3 AND cancelled_at IS NULL \
         GROUP BY currency ORDER BY currency",
    )
    .bind(shop_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

/// Cases about goods opened in [from, to), per kind.
pub async fn cases_by_kind(
    pool: &AnyPool,
    shop_id: &ShopId,
    from: i64,
    to: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, COUNT(*) FROM cases WHERE shop_id = $1 AND created_at >= $2 AND created_at < $3 \
         AND kind IN ('refund_only', 'return_and_refund', 'exchange', 'repair') GROUP BY kind",
    )
    .bind(shop_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

/// Staff names by id, for the agent dimension.
pub async fn staff_names(
    pool: &AnyPool,
    shop_id: &ShopId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.name FROM staff s JOIN memberships m ON m.staff_id = s.id WHERE m.shop_id = $1",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await
}
