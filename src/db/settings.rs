//! A shop's policy and clock settings (one row; absent means the defaults).

use crate::domain::identifiers::ShopId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::AnyPool;

use super::Database;
use super::columns::JsonText;
use crate::domain::checklist::Checklist;
use crate::domain::clocks::ClockSettings;
use crate::domain::parcels::ParcelWatch;
use crate::domain::policy::request::ShopPolicy;
use crate::domain::sla::SlaSettings;

use crate::domain::settings::{Branding, RefundSettings, ReplyTemplate, ShopSettings};

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

/// Saves and makes this instance see the change at once.
pub async fn store(
    database: &Database,
    shop_id: &ShopId,
    settings: &ShopSettings,
    now: i64,
) -> Result<(), sqlx::Error> {
    save(&database.writer, shop_id, settings, now).await?;
    database.settings.forget(shop_id);
    Ok(())
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
        })
    }
}

/// The shop's settings as stored, or the defaults when it has saved none.
pub async fn load(pool: &AnyPool, shop_id: &ShopId) -> Result<ShopSettings, sqlx::Error> {
    let stored: Option<Stored> = sqlx::query_as(
        "SELECT jurisdiction, policy, clocks, sla, return_address, branding, reply_templates, sop, parcels, refunds FROM shop_settings WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_optional(pool)
    .await?;
    match stored {
        Some(stored) => stored.settings(),
        None => Ok(ShopSettings::default()),
    }
}

pub async fn save(
    pool: &AnyPool,
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
        "INSERT INTO shop_settings (shop_id, jurisdiction, policy, clocks, sla, return_address, branding, reply_templates, sop, parcels, updated_at, refunds) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (shop_id) DO UPDATE SET jurisdiction = $2, policy = $3, clocks = $4, sla = $5, return_address = $6, branding = $7, reply_templates = $8, sop = $9, parcels = $10, updated_at = $11, refunds = $12",
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
    .execute(pool)
    .await?;
    Ok(())
}
