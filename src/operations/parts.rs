//! Spare parts (docs/REPAIRS.md, "Parts"): the shop's list with stock and reorder levels, a part
//! used on a case (taken from stock, its cost booked in the ledger), the parts a supplier fitted
//! on a send-out, and the genuine-part rate per supplier and month.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::text_field;
use crate::db::costs::{self, NewCost};
use crate::db::parts::{self, NewUse, PartFields, PartRecord};
use crate::db::shops::Actor;
use crate::db::{Database, Transaction, cases};
use crate::domain::costs::{CostKind, Payer};
use crate::domain::permissions::Capability;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartInput {
    /// The part number, unique in the shop.
    pub number: Option<String>,
    pub name: Option<String>,
    /// An original part (default true).
    pub genuine: Option<bool>,
    /// What one costs the shop, in minor units of `currency`.
    pub cost_minor: Option<i64>,
    /// ISO 4217 (default the shop's).
    pub currency: Option<String>,
    /// How many are in stock (counted).
    pub stock: Option<i64>,
    /// At or below this, the part is to be reordered.
    pub reorder_level: Option<i64>,
    /// For a change: the version read.
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartView {
    pub id: String,
    pub number: String,
    pub name: String,
    pub genuine: bool,
    pub cost_minor: i64,
    pub currency: String,
    pub stock: i64,
    pub reorder_level: i64,
    /// At or below its reorder level.
    pub low: bool,
    pub version: i64,
}

pub fn view(record: PartRecord) -> PartView {
    PartView {
        low: record.stock <= record.reorder_level,
        id: record.id,
        number: record.number,
        name: record.name,
        genuine: record.genuine,
        cost_minor: record.cost_minor,
        currency: record.currency,
        stock: record.stock,
        reorder_level: record.reorder_level,
        version: record.version,
    }
}

fn count(field: &str, value: Option<i64>) -> AppResult<i64> {
    let value = value.unwrap_or(0);
    if (0..=1_000_000).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::invalid(
            field,
            format!("{field} must be 0 to 1000000"),
        ))
    }
}

struct Checked {
    number: String,
    name: String,
    genuine: bool,
    cost_minor: i64,
    currency: String,
    stock: i64,
    reorder_level: i64,
}

fn check(actor: &Actor, input: &PartInput) -> AppResult<Checked> {
    let number = text_field("number", input.number.as_deref(), true, 64)?.unwrap_or_default();
    let name = text_field("name", input.name.as_deref(), true, 200)?.unwrap_or_default();
    let currency = match input.currency.as_deref().map(str::trim) {
        None | Some("") => actor.shop.currency,
        Some(code) => crate::domain::Currency::parse(code).map_err(|_| {
            AppError::invalid(
                "currency",
                format!("'{code}' is not an ISO 4217 currency (e.g. CNY)"),
            )
        })?,
    };
    let cost_minor = input.cost_minor.unwrap_or(0);
    if !(0..=10_000_000_000).contains(&cost_minor) {
        return Err(AppError::invalid(
            "cost_minor",
            "cost_minor must be 0 or more (minor units: 3500 = ¥35.00)",
        ));
    }
    Ok(Checked {
        number,
        name,
        genuine: input.genuine.unwrap_or(true),
        cost_minor,
        currency: currency.as_str().to_string(),
        stock: count("stock", input.stock)?,
        reorder_level: count("reorder_level", input.reorder_level)?,
    })
}

impl Checked {
    fn fields(&self) -> PartFields<'_> {
        PartFields {
            number: &self.number,
            name: &self.name,
            genuine: self.genuine,
            cost_minor: self.cost_minor,
            currency: &self.currency,
            stock: self.stock,
            reorder_level: self.reorder_level,
        }
    }
}

fn number_taken(number: &str) -> AppError {
    AppError::Conflict {
        code: "part_number_taken",
        message: format!("the shop has a part numbered '{number}' already"),
        details: json!({ "number": number }),
    }
}

pub async fn create(
    database: &Database,
    actor: &Actor,
    input: &PartInput,
) -> AppResult<PartRecord> {
    AppError::require(actor.role, Capability::ManageSuppliers)?;
    let checked = check(actor, input)?;
    let id = super::unless_taken(
        parts::insert(
            &database.writer,
            &actor.shop.id,
            &checked.fields(),
            database.clock.now(),
        )
        .await,
        || number_taken(&checked.number),
    )?;
    get(database, actor, &id).await
}

pub async fn update(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &PartInput,
) -> AppResult<PartRecord> {
    AppError::require(actor.role, Capability::ManageSuppliers)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "version is required: the one you read"))?;
    let checked = check(actor, input)?;
    let current = get(database, actor, id).await?;
    let changed = super::unless_taken(
        parts::update(
            &database.writer,
            &actor.shop.id,
            id,
            version,
            &checked.fields(),
            database.clock.now(),
        )
        .await,
        || number_taken(&checked.number),
    )?;
    if !changed {
        return Err(super::changed_meanwhile("part", version, current.version));
    }
    get(database, actor, id).await
}

pub async fn get(database: &Database, actor: &Actor, id: &str) -> AppResult<PartRecord> {
    parts::get(&database.writer, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("part"))
}

pub async fn list(database: &Database, actor: &Actor) -> AppResult<Vec<PartRecord>> {
    Ok(parts::list(&database.reader, &actor.shop.id).await?)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UseInput {
    /// The shop's part number.
    pub number: String,
    /// 1 to 100 (default 1).
    pub quantity: Option<i64>,
    /// Who pays the part: shop (default; a repair under guarantee) or customer (a paid repair).
    pub payer: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartUsed {
    pub part: PartView,
    pub quantity: i64,
    /// The ledger entry booked, when the part's currency is the case's.
    pub cost_id: Option<String>,
}

/// A part from stock fitted on a case: stock taken (never below zero), its cost booked in the
/// ledger, the timeline told (with "reorder" when the stock fell to its level).
pub async fn use_part(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &UseInput,
) -> AppResult<PartUsed> {
    AppError::require(actor.role, Capability::HandleRepairs)?;
    let quantity = input.quantity.unwrap_or(1);
    if !(1..=100).contains(&quantity) {
        return Err(AppError::invalid("quantity", "quantity must be 1 to 100"));
    }
    let payer = match input.payer.as_deref().map(str::trim) {
        None | Some("") | Some("shop") => Payer::Shop,
        Some("customer") => Payer::Customer,
        Some(other) => {
            return Err(AppError::invalid(
                "payer",
                format!("unknown payer '{other}'; use shop or customer"),
            ));
        }
    };
    let number = input.number.trim();
    let shop = &actor.shop;
    let now = database.clock.now();
    let month = super::costs::month_of(now, &shop.time_zone);
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let part = parts::by_number(&mut transaction, &shop.id, number)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "number",
                format!("the shop has no part numbered '{number}'"),
            )
        })?;
    if !parts::take(&mut transaction, &part.id, quantity, now).await? {
        return Err(AppError::Conflict {
            code: "out_of_stock",
            message: format!("only {} of part {number} in stock", part.stock),
            details: json!({ "stock": part.stock }),
        });
    }
    let use_id = parts::record_use(
        &mut transaction,
        &NewUse {
            shop_id: &shop.id,
            case_id: &case.id,
            part_id: Some(&part.id),
            supplier_id: None,
            number: &part.number,
            name: Some(&part.name),
            genuine: part.genuine,
            quantity,
            month: &month,
            now,
        },
    )
    .await?;
    let cost_id = match (part.currency == case.currency, part.cost_minor * quantity) {
        (true, amount) if amount > 0 => {
            let source = format!("part_use:{use_id}");
            costs::append(
                &mut transaction,
                &NewCost {
                    shop_id: &shop.id,
                    case_id: &case.id,
                    kind: CostKind::RepairParts,
                    payer,
                    amount_minor: amount,
                    currency: &case.currency,
                    month: &month,
                    source: Some(&source),
                    note: Some(&format!("{} × {quantity}", part.name)),
                    corrects: None,
                    actor_id: actor.staff_id.as_deref(),
                    now,
                },
                None,
            )
            .await?
        }
        _ => None,
    };
    let left = part.stock - quantity;
    super::record_event(
        &mut transaction,
        actor,
        &case.id,
        "part_used",
        json!({ "number": part.number, "name": part.name, "genuine": part.genuine, "quantity": quantity,
            "stock_left": left, "reorder": left <= part.reorder_level, "cost_id": cost_id }),
        now,
    )
    .await?;
    transaction.commit().await?;
    Ok(PartUsed {
        part: view(get(database, actor, &part.id).await?),
        quantity,
        cost_id,
    })
}

/// The parts a supplier fitted on a send-out, counted for its genuine-part rate.
pub async fn fitted_by_supplier(
    transaction: &mut Transaction,
    actor: &Actor,
    (case_id, supplier_id): (&str, &str),
    fitted: &serde_json::Value,
    now: i64,
) -> AppResult<()> {
    let month = super::costs::month_of(now, &actor.shop.time_zone);
    for part in fitted.as_array().into_iter().flatten() {
        parts::record_use(
            transaction,
            &NewUse {
                shop_id: &actor.shop.id,
                case_id,
                part_id: None,
                supplier_id: Some(supplier_id),
                number: part["number"].as_str().unwrap_or_default(),
                name: part["name"].as_str(),
                genuine: part["genuine"].as_bool().unwrap_or(true),
                quantity: 1,
                month: &month,
                now,
            },
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GenuineRate {
    /// None: the shop's own workshop (parts from its stock).
    pub supplier_id: Option<String>,
    pub supplier: Option<String>,
    pub used: i64,
    pub genuine: i64,
    /// genuine / used (0–1).
    pub rate: f64,
}

/// The genuine-part rate per supplier in a month (YYYY-MM, default this one).
pub async fn genuine_rates(
    database: &Database,
    actor: &Actor,
    month: Option<&str>,
) -> AppResult<(String, Vec<GenuineRate>)> {
    let month = match month.map(str::trim).filter(|month| !month.is_empty()) {
        Some(month) => {
            let valid =
                month.len() == 7 && format!("{month}-01").parse::<jiff::civil::Date>().is_ok();
            if !valid {
                return Err(AppError::invalid(
                    "month",
                    format!("'{month}' is not a month like 2026-12"),
                ));
            }
            month.to_string()
        }
        None => super::costs::month_of(database.clock.now(), &actor.shop.time_zone),
    };
    let rows = parts::genuine_by_supplier(&database.reader, &actor.shop.id, &month).await?;
    let rates = rows
        .into_iter()
        .map(|(supplier_id, supplier, used, genuine)| GenuineRate {
            supplier_id,
            supplier,
            used,
            genuine,
            rate: if used > 0 {
                ((genuine as f64 / used as f64) * 1000.0).round() / 1000.0
            } else {
                0.0
            },
        })
        .collect();
    Ok((month, rates))
}
