//! A shop's policy and clock settings (one row; absent means the defaults).

use crate::domain::identifiers::ShopId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::AnyPool;

use super::Database;
use super::columns::JsonText;
use crate::domain::audits::AuditSettings;
use crate::domain::checklist::Checklist;
use crate::domain::clocks::ClockSettings;
use crate::domain::costs::CostSettings;
use crate::domain::knowledge::KnowledgeSettings;
use crate::domain::layouts::SavedLayout;
use crate::domain::parcels::ParcelWatch;
use crate::domain::policy::request::ShopPolicy;
use crate::domain::reports::ReportSettings;
use crate::domain::reviews::ReviewSettings;
use crate::domain::sla::SlaSettings;
use crate::domain::surveys::SurveySettings;
use crate::domain::visits::VisitSettings;

use crate::domain::settings::{
    Branding, ExchangeSettings, RefundSettings, ReplyTemplate, ShopSettings,
};

/// How long a read of a shop's settings is reused. A change made on this instance is seen at
/// once; one made on another instance within this time.
pub const CACHE_SECONDS: u64 = 5;

/// When each shop's settings were read, and what they were.
type Entries = HashMap<ShopId, (Instant, Arc<ShopSettings>)>;

#[derive(Debug, Clone, Default)]
pub struct Cache {
    entries: Arc<Mutex<Entries>>,
}

impl Cache {
    fn fresh(&self, shop_id: &ShopId) -> Option<Arc<ShopSettings>> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(shop_id)
            .filter(|(read_at, _)| read_at.elapsed() < Duration::from_secs(CACHE_SECONDS))
            .map(|(_, settings)| settings.clone())
    }

    fn put(&self, shop_id: &ShopId, settings: Arc<ShopSettings>) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.insert(shop_id.clone(), (Instant::now(), settings));
    }

    fn forget(&self, shop_id: &ShopId) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.remove(shop_id);
    }
}

/// The shop's settings, from the cache when read within the last few seconds.
pub async fn get(database: &Database, shop_id: &ShopId) -> Result<Arc<ShopSettings>, sqlx::Error> {
    if let Some(settings) = database.settings.fresh(shop_id) {
        return Ok(settings);
    }
    let settings = Arc::new(load(&database.reader, shop_id).await?);
    database.settings.put(shop_id, settings.clone());
    Ok(settings)
}

/// Saves and makes this instance see the change at once (the demo's setup; a person's change
/// goes through `operations::settings`, which keeps its version and audit entry).
pub async fn store(
    database: &Database,
    shop_id: &ShopId,
    settings: &ShopSettings,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut transaction = database.begin().await?;
    save(&mut transaction, shop_id, settings, now).await?;
    transaction.commit().await?;
    database.settings.forget(shop_id);
    Ok(())
}

/// Makes this instance read the shop's settings afresh (after a change committed elsewhere in
/// this module's callers).
pub fn forget(database: &Database, shop_id: &ShopId) {
    database.settings.forget(shop_id);
}

/// One kept version of a shop's settings.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRecord {
    pub version: i64,
    /// The whole settings document as JSON.
    pub document: String,
    pub changed_by: Option<String>,
    pub changed_by_name: Option<String>,
    pub changed_at: i64,
    /// saved, patched, restored from version n, as it was
    pub how: String,
}

/// Keeps `document` as the shop's next settings version; its number.
pub async fn add_version(
    transaction: &mut super::Transaction,
    shop_id: &ShopId,
    document: &serde_json::Value,
    changed_by: Option<&str>,
    how: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM settings_versions WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_one(&mut **transaction)
            .await?;
    let version = last.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO settings_versions (shop_id, version, document, changed_by, changed_at, how) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(shop_id)
    .bind(version)
    .bind(document.to_string())
    .bind(changed_by)
    .bind(now)
    .bind(how)
    .execute(&mut **transaction)
    .await?;
    Ok(version)
}

const VERSION_COLUMNS: &str = "v.version, v.document, v.changed_by, s.name AS changed_by_name, v.changed_at, v.how \
    FROM settings_versions v LEFT JOIN staff s ON s.id = v.changed_by";

/// A page of the shop's versions, newest first, before version `before` if given.
pub async fn versions(
    pool: &AnyPool,
    shop_id: &ShopId,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<VersionRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} WHERE v.shop_id = $1 AND v.version < $2 ORDER BY v.version DESC LIMIT $3"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// One version of the shop's settings.
pub async fn version(
    pool: &AnyPool,
    shop_id: &ShopId,
    version: i64,
) -> Result<Option<VersionRecord>, sqlx::Error> {
    let sql = format!("SELECT {VERSION_COLUMNS} WHERE v.shop_id = $1 AND v.version = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(version)
        .fetch_optional(pool)
        .await
}

/// Whether the shop has kept any version yet.
pub async fn has_versions(
    transaction: &mut super::Transaction,
    shop_id: &ShopId,
) -> Result<bool, sqlx::Error> {
    let any: Option<i64> =
        sqlx::query_scalar("SELECT version FROM settings_versions WHERE shop_id = $1 LIMIT 1")
            .bind(shop_id)
            .fetch_optional(&mut **transaction)
            .await?;
    Ok(any.is_some())
}

/// The settings row as stored: JSON text per part, the jurisdiction's code.
#[derive(sqlx::FromRow)]
struct Stored {
    jurisdiction: String,
    #[sqlx(try_from = "JsonText<ShopPolicy>")]
    policy: ShopPolicy,
    #[sqlx(try_from = "JsonText<ClockSettings>")]
    clocks: ClockSettings,
    /// `{}` until a shop saves its SLA settings: the defaults.
    sla: String,
    return_address: Option<String>,
    #[sqlx(try_from = "JsonText<Branding>")]
    branding: Branding,
    #[sqlx(try_from = "JsonText<Vec<ReplyTemplate>>")]
    reply_templates: Vec<ReplyTemplate>,
    #[sqlx(try_from = "JsonText<Vec<Checklist>>")]
    sop: Vec<Checklist>,
    #[sqlx(try_from = "JsonText<ParcelWatch>")]
    parcels: ParcelWatch,
    #[sqlx(try_from = "JsonText<RefundSettings>")]
    refunds: RefundSettings,
    #[sqlx(try_from = "JsonText<Vec<SavedLayout>>")]
    import_layouts: Vec<SavedLayout>,
    #[sqlx(try_from = "JsonText<ExchangeSettings>")]
    exchanges: ExchangeSettings,
    #[sqlx(try_from = "JsonText<CostSettings>")]
    costs: CostSettings,
    #[sqlx(try_from = "JsonText<SurveySettings>")]
    surveys: SurveySettings,
    #[sqlx(try_from = "JsonText<AuditSettings>")]
    audits: AuditSettings,
    #[sqlx(try_from = "JsonText<ReviewSettings>")]
    reviews: ReviewSettings,
    #[sqlx(try_from = "JsonText<VisitSettings>")]
    visits: VisitSettings,
    #[sqlx(try_from = "JsonText<ReportSettings>")]
    reports: ReportSettings,
    #[sqlx(try_from = "JsonText<KnowledgeSettings>")]
    knowledge: KnowledgeSettings,
}

impl Stored {
    fn settings(self) -> Result<ShopSettings, sqlx::Error> {
        let corrupt = |column: &str, error: serde_json::Error| {
            sqlx::Error::Decode(format!("shop_settings.{column}: {error}").into())
        };
        Ok(ShopSettings {
            jurisdiction: serde_json::from_value(serde_json::Value::String(self.jurisdiction))
                .map_err(|error| corrupt("jurisdiction", error))?,
            sla: if self.sla == "{}" {
                SlaSettings::default()
            } else {
                serde_json::from_str(&self.sla).map_err(|error| corrupt("sla", error))?
            },
            policy: self.policy,
            clocks: self.clocks,
            return_address: self.return_address,
            branding: self.branding,
            reply_templates: self.reply_templates,
            sop: self.sop,
            parcels: self.parcels,
            refunds: self.refunds,
            import_layouts: self.import_layouts,
            exchanges: self.exchanges,
            costs: self.costs,
            surveys: self.surveys,
            audits: self.audits,
            reviews: self.reviews,
            visits: self.visits,
            reports: self.reports,
            knowledge: self.knowledge,
        })
    }
}

/// The shop's settings as stored, or the defaults when it has saved none.
pub async fn load(pool: &AnyPool, shop_id: &ShopId) -> Result<ShopSettings, sqlx::Error> {
    let stored: Option<Stored> = sqlx::query_as(
        "SELECT jurisdiction, policy, clocks, sla, return_address, branding, reply_templates, sop, parcels, refunds, import_layouts, exchanges, costs, surveys, audits, reviews, visits, reports, knowledge FROM shop_settings WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_optional(pool)
    .await?;
    match stored {
        Some(stored) => stored.settings(),
        None => Ok(ShopSettings::default()),
    }
}

/// The shops whose surveys are on or send milestone surveys, with those settings.
pub async fn with_surveys(pool: &AnyPool) -> Result<Vec<(ShopId, SurveySettings)>, sqlx::Error> {
    let rows: Vec<(ShopId, JsonText<SurveySettings>)> =
        sqlx::query_as("SELECT shop_id, surveys FROM shop_settings WHERE surveys <> '{}'")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(shop, settings)| (shop, settings.0))
        .filter(|(_, settings)| settings.enabled || settings.milestone_days.is_some())
        .collect())
}

/// The shops with visit rules, with those settings.
pub async fn with_visits(pool: &AnyPool) -> Result<Vec<(ShopId, VisitSettings)>, sqlx::Error> {
    let rows: Vec<(ShopId, JsonText<VisitSettings>)> =
        sqlx::query_as("SELECT shop_id, visits FROM shop_settings WHERE visits <> '{}'")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(shop, settings)| (shop, settings.0))
        .filter(|(_, settings)| !settings.rules.is_empty())
        .collect())
}

/// The shops whose reports are scheduled, with those settings.
pub async fn with_reports(pool: &AnyPool) -> Result<Vec<(ShopId, ReportSettings)>, sqlx::Error> {
    let rows: Vec<(ShopId, JsonText<ReportSettings>)> =
        sqlx::query_as("SELECT shop_id, reports FROM shop_settings WHERE reports <> '{}'")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(shop, settings)| (shop, settings.0))
        .filter(|(_, settings)| settings.schedule != crate::domain::reports::Schedule::Off)
        .collect())
}

pub async fn save(
    transaction: &mut super::Transaction,
    shop_id: &ShopId,
    settings: &ShopSettings,
    now: i64,
) -> Result<(), sqlx::Error> {
    let jurisdiction = serde_json::to_value(settings.jurisdiction)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_else(|| "CN".into());
    let policy = serde_json::to_string(&settings.policy).unwrap_or_else(|_| "{}".into());
    let clocks = serde_json::to_string(&settings.clocks).unwrap_or_else(|_| "{}".into());
    let sla = serde_json::to_string(&settings.sla).unwrap_or_else(|_| "{}".into());
    sqlx::query(
        "INSERT INTO shop_settings (shop_id, jurisdiction, policy, clocks, sla, return_address, branding, reply_templates, sop, parcels, updated_at, refunds, import_layouts, exchanges, costs, surveys, audits, reviews, visits, reports, knowledge) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
         ON CONFLICT (shop_id) DO UPDATE SET jurisdiction = $2, policy = $3, clocks = $4, sla = $5, return_address = $6, branding = $7, reply_templates = $8, sop = $9, parcels = $10, updated_at = $11, refunds = $12, import_layouts = $13, exchanges = $14, costs = $15, surveys = $16, audits = $17, reviews = $18, visits = $19, reports = $20, knowledge = $21",
    )
    .bind(shop_id)
    .bind(jurisdiction)
    .bind(policy)
    .bind(clocks)
    .bind(sla)
    .bind(settings.return_address.as_deref())
    .bind(serde_json::to_string(&settings.branding).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(&settings.reply_templates).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&settings.sop).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&settings.parcels).unwrap_or_else(|_| "{}".into()))
    .bind(now)
    .bind(serde_json::to_string(&settings.refunds).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(&settings.import_layouts).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&settings.exchanges).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(&settings.costs).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(&settings.surveys).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(&settings.audits).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(&settings.reviews).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(&settings.visits).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(&settings.reports).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(&settings.knowledge).unwrap_or_else(|_| "{}".into()))
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
