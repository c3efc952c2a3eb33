//! A shop's policy and clock settings (one row; absent means the defaults).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row};
use utoipa::ToSchema;

use super::Database;

use crate::domain::checklist::Checklist;
use crate::domain::clocks::ClockSettings;
use crate::domain::parcels::ParcelWatch;
use crate::domain::policy::request::{Jurisdiction, ShopPolicy};
use crate::domain::sla::SlaSettings;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShopSettings {
    /// Whose law the shop sells under: CN (default), EU, UK or US.
    #[serde(default)]
    pub jurisdiction: Jurisdiction,
    /// The shop's own return policy, layered on the law (docs/POLICY.md).
    #[serde(default)]
    pub policy: ShopPolicy,
    /// Platform clocks: per platform (or `default`), per clock, hours / enabled / action.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub clocks: ClockSettings,
    /// Service-level targets, working hours and the shop's calendar.
    #[serde(default)]
    pub sla: SlaSettings,
    /// Where customers send returns (printed on the return label).
    #[serde(default)]
    pub return_address: Option<String>,
    /// How the customer portal looks: colour, logo, FAQ link.
    #[serde(default)]
    pub branding: Branding,
    /// Canned replies for the console's reply box. `{customer_name}`, `{case_number}`,
    /// `{order_number}`, `{return_address}` and `{shop_name}` are filled in.
    #[serde(default)]
    pub reply_templates: Vec<ReplyTemplate>,
    /// SOP checklists per reason category; a step may have to be done before some actions.
    #[serde(default)]
    pub sop: Vec<Checklist>,
    /// When a parcel on its way is followed up: days without a scan, days since shipping.
    #[serde(default)]
    pub parcels: ParcelWatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyTemplate {
    pub name: String,
    pub body: String,
}

impl ReplyTemplate {
    /// At most 100 templates, each named (1–60 characters) with a body of 1–4000 characters.
    pub fn check_all(templates: &[ReplyTemplate]) -> Result<(), String> {
        if templates.len() > 100 {
            return Err("reply_templates: at most 100 templates".into());
        }
        for (index, template) in templates.iter().enumerate() {
            let name = template.name.trim().chars().count();
            let body = template.body.trim().chars().count();
            if !(1..=60).contains(&name) {
                return Err(format!(
                    "reply_templates[{index}].name must have 1 to 60 characters"
                ));
            }
            if !(1..=4000).contains(&body) {
                return Err(format!(
                    "reply_templates[{index}].body must have 1 to 4000 characters"
                ));
            }
        }
        Ok(())
    }

    /// The body with the case's values in place of its placeholders.
    pub fn fill(&self, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.body.clone(), |body, (name, value)| {
                body.replace(&format!("{{{name}}}"), value)
            })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// `#rrggbb`
    #[serde(default)]
    pub colour: Option<String>,
    /// An https (or http) address of the logo image.
    #[serde(default)]
    pub logo_url: Option<String>,
    /// The shop's FAQ page, linked on every portal page.
    #[serde(default)]
    pub faq_url: Option<String>,
}

impl Branding {
    pub fn check(&self) -> Result<(), String> {
        if let Some(colour) = &self.colour
            && !(colour.len() == 7
                && colour.starts_with('#')
                && colour[1..]
                    .chars()
                    .all(|character| character.is_ascii_hexdigit()))
        {
            return Err(format!(
                "branding.colour: '{colour}' is not a colour like #0f766e"
            ));
        }
        for (field, url) in [("logo_url", &self.logo_url), ("faq_url", &self.faq_url)] {
            if let Some(url) = url
                && (!(url.starts_with("https://") || url.starts_with("http://"))
                    || url.len() > 500
                    || url
                        .chars()
                        .any(|character| character.is_whitespace() || character == '"'))
            {
                return Err(format!(
                    "branding.{field}: '{url}' is not an http(s) address"
                ));
            }
        }
        Ok(())
    }
}

/// How long a read of a shop's settings is reused. A change made on this instance is seen at
/// once; one made on another instance within this time.
pub const CACHE_SECONDS: u64 = 5;

/// When each shop's settings were read, and what they were.
type Entries = HashMap<String, (Instant, Arc<ShopSettings>)>;

#[derive(Debug, Clone, Default)]
pub struct Cache {
    entries: Arc<Mutex<Entries>>,
}

impl Cache {
    fn fresh(&self, shop_id: &str) -> Option<Arc<ShopSettings>> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(shop_id)
            .filter(|(read_at, _)| read_at.elapsed() < Duration::from_secs(CACHE_SECONDS))
            .map(|(_, settings)| settings.clone())
    }

    fn put(&self, shop_id: &str, settings: Arc<ShopSettings>) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.insert(shop_id.to_string(), (Instant::now(), settings));
    }

    fn forget(&self, shop_id: &str) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.remove(shop_id);
    }
}

/// The shop's settings, from the cache when read within the last few seconds.
pub async fn get(database: &Database, shop_id: &str) -> Result<Arc<ShopSettings>, sqlx::Error> {
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
    shop_id: &str,
    settings: &ShopSettings,
    now: i64,
) -> Result<(), sqlx::Error> {
    save(&database.writer, shop_id, settings, now).await?;
    database.settings.forget(shop_id);
    Ok(())
}

fn corrupt(column: &str, error: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(format!("shop_settings.{column}: {error}").into())
}

pub async fn load(pool: &AnyPool, shop_id: &str) -> Result<ShopSettings, sqlx::Error> {
    let row = sqlx::query(
        "SELECT jurisdiction, policy, clocks, sla, return_address, branding, reply_templates, sop, parcels FROM shop_settings WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(ShopSettings::default());
    };
    let jurisdiction: String = row.try_get("jurisdiction")?;
    let policy: String = row.try_get("policy")?;
    let clocks: String = row.try_get("clocks")?;
    let sla: String = row.try_get("sla")?;
    Ok(ShopSettings {
        jurisdiction: serde_json::from_value(serde_json::Value::String(jurisdiction))
            .map_err(|error| corrupt("jurisdiction", error))?,
        policy: serde_json::from_str(&policy).map_err(|error| corrupt("policy", error))?,
        clocks: serde_json::from_str(&clocks).map_err(|error| corrupt("clocks", error))?,
        return_address: row.try_get("return_address")?,
        branding: serde_json::from_str(&row.try_get::<String, _>("branding")?)
            .map_err(|error| corrupt("branding", error))?,
        reply_templates: serde_json::from_str(&row.try_get::<String, _>("reply_templates")?)
            .map_err(|error| corrupt("reply_templates", error))?,
        sop: serde_json::from_str(&row.try_get::<String, _>("sop")?)
            .map_err(|error| corrupt("sop", error))?,
        parcels: serde_json::from_str(&row.try_get::<String, _>("parcels")?)
            .map_err(|error| corrupt("parcels", error))?,
        sla: if sla == "{}" {
            SlaSettings::default()
        } else {
            serde_json::from_str(&sla).map_err(|error| corrupt("sla", error))?
        },
    })
}

pub async fn save(
    pool: &AnyPool,
    shop_id: &str,
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
        "INSERT INTO shop_settings (shop_id, jurisdiction, policy, clocks, sla, return_address, branding, reply_templates, sop, parcels, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (shop_id) DO UPDATE SET jurisdiction = $2, policy = $3, clocks = $4, sla = $5, return_address = $6, branding = $7, reply_templates = $8, sop = $9, parcels = $10, updated_at = $11",
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
    .execute(pool)
    .await?;
    Ok(())
}
