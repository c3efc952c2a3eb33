//! Suppliers and repair centres (docs/REPAIRS.md): the shop's records, checked, changed with
//! the version read, and each one's scorecard over a period.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::text_field;
use crate::db::Database;
use crate::db::shops::{Actor, Shop};
use crate::db::suppliers::{self, SupplierFields, SupplierRecord};
use crate::domain::permissions::Capability;
use crate::domain::suppliers::{
    Finding, FreightPayer, Outcome, RepairResult, Scorecard, SupplierKind, scorecard,
};
use crate::domain::time::format_in_zone;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierInput {
    /// 1 to 100 characters, unique in the shop.
    pub name: Option<String>,
    /// supplier (default), service_centre (a brand's authorised repair centre) or workshop.
    pub kind: Option<String>,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Where items are sent.
    pub address: Option<String>,
    /// The products, brands or categories it handles.
    #[serde(default)]
    pub handles: Vec<String>,
    /// Days to confirm the fault (1–60, default 3).
    pub confirm_days: Option<i64>,
    /// Days until the item is back (1–120, default 15).
    pub repair_days: Option<i64>,
    /// Who pays the freight to the supplier: shop (default) or supplier.
    pub outbound_payer: Option<String>,
    /// Who pays the freight back: supplier (default) or shop.
    pub return_payer: Option<String>,
    /// false keeps the record but offers it for no new send-out.
    pub active: Option<bool>,
    /// For a change: the version read (a change made meanwhile is a 409).
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupplierView {
    pub id: String,
    pub name: String,
    pub kind: SupplierKind,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub handles: Vec<String>,
    pub confirm_days: i64,
    pub repair_days: i64,
    pub outbound_payer: FreightPayer,
    pub return_payer: FreightPayer,
    pub active: bool,
    pub version: i64,
    pub updated_at: String,
}

pub fn view(shop: &Shop, record: SupplierRecord) -> SupplierView {
    SupplierView {
        id: record.id,
        name: record.name,
        kind: record.kind,
        contact_name: record.contact_name,
        phone: record.phone,
        email: record.email,
        address: record.address,
        handles: record.handles,
        confirm_days: record.confirm_days,
        repair_days: record.repair_days,
        outbound_payer: record.outbound_payer,
        return_payer: record.return_payer,
        active: record.active,
        version: record.version,
        updated_at: format_in_zone(record.updated_at, &shop.time_zone),
    }
}

/// The input's fields, checked; each mistake names its field.
struct Checked {
    name: String,
    kind: SupplierKind,
    contact_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    handles: Vec<String>,
    confirm_days: i64,
    repair_days: i64,
    outbound_payer: FreightPayer,
    return_payer: FreightPayer,
    active: bool,
}

impl Checked {
    fn fields(&self) -> SupplierFields<'_> {
        SupplierFields {
            name: &self.name,
            kind: self.kind,
            contact_name: self.contact_name.as_deref(),
            phone: self.phone.as_deref(),
            email: self.email.as_deref(),
            address: self.address.as_deref(),
            handles: &self.handles,
            confirm_days: self.confirm_days,
            repair_days: self.repair_days,
            outbound_payer: self.outbound_payer,
            return_payer: self.return_payer,
            active: self.active,
        }
    }
}

fn payer(field: &str, given: Option<&str>, default: FreightPayer) -> AppResult<FreightPayer> {
    match given.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(default),
        Some(text) => FreightPayer::parse(text).ok_or_else(|| {
            AppError::invalid(
                field,
                format!("unknown payer '{text}'; use shop or supplier"),
            )
        }),
    }
}

fn days(field: &str, given: Option<i64>, default: i64, maximum: i64) -> AppResult<i64> {
    let days = given.unwrap_or(default);
    if (1..=maximum).contains(&days) {
        Ok(days)
    } else {
        Err(AppError::invalid(
            field,
            format!("{field} must be between 1 and {maximum} days"),
        ))
    }
}

fn check(input: &SupplierInput) -> AppResult<Checked> {
    let name = text_field("name", input.name.as_deref(), true, 100)?.unwrap_or_default();
    let kind = match input.kind.as_deref().map(str::trim) {
        None | Some("") => SupplierKind::Supplier,
        Some(text) => SupplierKind::parse(text).ok_or_else(|| {
            AppError::invalid(
                "kind",
                format!("unknown kind '{text}'; use supplier, service_centre or workshop"),
            )
        })?,
    };
    let email = text_field("email", input.email.as_deref(), false, 200)?;
    if email.as_deref().is_some_and(|email| !email.contains('@')) {
        return Err(AppError::invalid(
            "email",
            "the e-mail address needs an @ (e.g. repair@brand.example)",
        ));
    }
    if input.handles.len() > 50 {
        return Err(AppError::invalid(
            "handles",
            "at most 50 products or brands",
        ));
    }
    let mut handles = Vec::new();
    for handle in &input.handles {
        let handle = text_field("handles", Some(handle), false, 100)?;
        if let Some(handle) = handle.filter(|handle| !handles.contains(handle)) {
            handles.push(handle);
        }
    }
    let confirm_days = days("confirm_days", input.confirm_days, 3, 60)?;
    let repair_days = days("repair_days", input.repair_days, 15, 120)?;
    if repair_days < confirm_days {
        return Err(AppError::invalid(
            "repair_days",
            format!(
                "the item cannot be back ({repair_days} days) before the fault is confirmed ({confirm_days} days)"
            ),
        ));
    }
    Ok(Checked {
        name,
        kind,
        contact_name: text_field("contact_name", input.contact_name.as_deref(), false, 100)?,
        phone: text_field("phone", input.phone.as_deref(), false, 40)?,
        email,
        address: text_field("address", input.address.as_deref(), false, 500)?,
        handles,
        confirm_days,
        repair_days,
        outbound_payer: payer(
            "outbound_payer",
            input.outbound_payer.as_deref(),
            FreightPayer::Shop,
        )?,
        return_payer: payer(
            "return_payer",
            input.return_payer.as_deref(),
            FreightPayer::Supplier,
        )?,
        active: input.active.unwrap_or(true),
    })
}

fn name_taken(name: &str) -> AppError {
    AppError::Conflict {
        code: "supplier_name_taken",
        message: format!("the shop has a supplier called '{name}' already"),
        details: json!({ "name": name }),
    }
}

pub async fn create(
    database: &Database,
    actor: &Actor,
    input: &SupplierInput,
) -> AppResult<SupplierRecord> {
    AppError::require(actor.role, Capability::ManageSuppliers)?;
    let checked = check(input)?;
    let id = super::unless_taken(
        suppliers::insert_supplier(
            &database.writer,
            &actor.shop.id,
            &checked.fields(),
            database.clock.now(),
        )
        .await,
        || name_taken(&checked.name),
    )?;
    get(database, actor, &id).await
}

pub async fn update(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &SupplierInput,
) -> AppResult<SupplierRecord> {
    AppError::require(actor.role, Capability::ManageSuppliers)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "version is required: the one you read"))?;
    let checked = check(input)?;
    let current = get(database, actor, id).await?;
    let changed = super::unless_taken(
        suppliers::update_supplier(
            &database.writer,
            &actor.shop.id,
            id,
            version,
            &checked.fields(),
            database.clock.now(),
        )
        .await,
        || name_taken(&checked.name),
    )?;
    if !changed {
        return Err(super::changed_meanwhile(
            "supplier",
            version,
            current.version,
        ));
    }
    get(database, actor, id).await
}

pub async fn get(database: &Database, actor: &Actor, id: &str) -> AppResult<SupplierRecord> {
    suppliers::supplier(&database.writer, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("supplier"))
}

pub async fn list(database: &Database, actor: &Actor) -> AppResult<Vec<SupplierRecord>> {
    Ok(suppliers::suppliers(&database.reader, &actor.shop.id).await?)
}

/// A supplier's scorecard over the days `from`–`to` (the shop's zone; default: everything).
#[derive(Debug, Serialize, ToSchema)]
pub struct SupplierScorecard {
    pub supplier_id: String,
    pub name: String,
    /// The period's first and last day, when one was given.
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(flatten)]
    pub figures: Scorecard,
}

pub async fn score(
    database: &Database,
    actor: &Actor,
    id: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<SupplierScorecard> {
    let supplier = get(database, actor, id).await?;
    let (start, end) = super::period(from, to, &actor.shop.time_zone)?;
    let rows = suppliers::outcomes(&database.reader, &actor.shop.id, id, start, end).await?;
    let outcomes: Vec<Outcome> = rows
        .into_iter()
        .map(|row| Outcome {
            order_id: row.order_id,
            sent_at: row.sent_at,
            repair_due_at: row.repair_due_at,
            finding: row.finding.as_deref().and_then(Finding::parse),
            result: row.result.as_deref().and_then(RepairResult::parse),
            back_at: row.back_at,
        })
        .collect();
    Ok(SupplierScorecard {
        supplier_id: supplier.id,
        name: supplier.name,
        from: from.map(str::to_string),
        to: to.map(str::to_string),
        figures: scorecard(&outcomes),
    })
}
