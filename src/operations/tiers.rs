//! Customer tiers (普通会员, VIP, SVIP or the shop's own words): set on one customer (API,
//! console) or many from a file (phone or e-mail, and the tier). A tier lengthens the policy's
//! windows (`policy.tier_extra_days`), picks SLA targets and the VIP visits' cadence.

use serde::Serialize;
use utoipa::ToSchema;

use super::import::{Format, table};
use crate::db::shops::Actor;
use crate::db::{Database, customers};
use crate::domain::identifiers::{EmailAddress, PhoneNumber};
use crate::domain::layouts::{normalise, plain};
use crate::domain::permissions::Capability;
use crate::error::{AppError, AppResult};

/// A tier as stored: lowercase letters, digits and `_`, 1 to 20 (`normal`, `vip`, `svip` …).
pub fn check_tier(text: &str) -> AppResult<String> {
    let tier = text.trim().to_lowercase();
    let tier = match tier.as_str() {
        "普通" | "普通会员" => "normal".to_string(),
        "vip会员" => "vip".to_string(),
        "svip会员" => "svip".to_string(),
        _ => tier,
    };
    if tier.is_empty()
        || tier.len() > 20
        || !tier.chars().all(|character| {
            character.is_ascii_lowercase() || character.is_ascii_digit() || character == '_'
        })
    {
        return Err(AppError::invalid(
            "tier",
            format!(
                "tier '{}' must be 1 to 20 letters, digits or _ (e.g. normal, vip, svip)",
                text.trim()
            ),
        ));
    }
    Ok(tier)
}

/// Sets one customer's tier.
pub async fn set(
    database: &Database,
    actor: &Actor,
    customer_id: &str,
    tier: &str,
) -> AppResult<()> {
    AppError::require(actor.role, Capability::ChangeOrders)?;
    let tier = check_tier(tier)?;
    if !customers::set_tier(
        &database.writer,
        &actor.shop.id,
        (customer_id, &tier),
        database.clock.now(),
    )
    .await?
    {
        return Err(AppError::NotFound("customer"));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierRowError {
    pub row: usize,
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct TierReport {
    pub rows: usize,
    pub updated: usize,
    /// Rows whose customer is not in the shop (by phone or e-mail).
    pub not_found: usize,
    pub errors: Vec<TierRowError>,
}

/// Sets tiers from a CSV (UTF-8 or GBK) or XLSX file: a phone (手机号) or e-mail (邮箱) column and
/// a tier (会员等级) column; each row reported.
pub async fn import(database: &Database, actor: &Actor, bytes: &[u8]) -> AppResult<TierReport> {
    AppError::require(actor.role, Capability::ChangeOrders)?;
    let mut lines = table(bytes, Format::from_bytes(bytes))?.into_iter();
    let header: Vec<String> = lines
        .next()
        .ok_or_else(|| AppError::invalid("file", "the file is empty: it needs a header row"))?
        .into_iter()
        .map(|cell| normalise(&cell.unwrap_or_default()))
        .collect();
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|header| names.contains(&header.as_str()))
    };
    let phone_at = find(&["phone", "手机号", "手机", "电话", "联系电话"]);
    let email_at = find(&["email", "e-mail", "邮箱", "电子邮箱"]);
    let tier_at = find(&["tier", "会员等级", "等级", "客户等级"]).ok_or_else(|| {
        AppError::invalid(
            "file",
            "the header row needs a tier column (tier / 会员等级)",
        )
    })?;
    if phone_at.is_none() && email_at.is_none() {
        return Err(AppError::invalid(
            "file",
            "the header row needs a phone (phone / 手机号) or e-mail (email / 邮箱) column",
        ));
    }
    let mut report = TierReport::default();
    for (index, cells) in lines.enumerate() {
        let row = index + 2;
        let cell = |at: Option<usize>| {
            at.and_then(|at| cells.get(at))
                .and_then(|cell| cell.as_ref().ok())
                .map(|cell| plain(cell).to_string())
                .filter(|cell| !cell.is_empty())
        };
        let (phone, email, tier) = (cell(phone_at), cell(email_at), cell(Some(tier_at)));
        if phone.is_none() && email.is_none() && tier.is_none() {
            continue;
        }
        report.rows += 1;
        let checked = (|| -> Result<(Option<String>, Option<String>, String), String> {
            let tier = check_tier(tier.as_deref().unwrap_or_default())
                .map_err(|error| error.to_string())?;
            let phone = phone
                .map(|phone| PhoneNumber::parse(&phone).map(|phone| phone.as_str().to_string()))
                .transpose()
                .map_err(|error| error.to_string())?;
            let email = email
                .map(|email| EmailAddress::parse(&email).map(|email| email.as_str().to_string()))
                .transpose()
                .map_err(|error| error.to_string())?;
            if phone.is_none() && email.is_none() {
                return Err("the row has neither a phone nor an e-mail".into());
            }
            Ok((phone, email, tier))
        })();
        match checked {
            Ok((phone, email, tier)) => {
                match customers::by_contact(
                    &database.reader,
                    &actor.shop.id,
                    phone.as_deref(),
                    email.as_deref(),
                )
                .await?
                {
                    Some(id) => {
                        customers::set_tier(
                            &database.writer,
                            &actor.shop.id,
                            (&id, &tier),
                            database.clock.now(),
                        )
                        .await?;
                        report.updated += 1;
                    }
                    None => report.not_found += 1,
                }
            }
            Err(message) => report.errors.push(TierRowError { row, message }),
        }
    }
    Ok(report)
}
