//! The cost ledger of a case (docs/MONEY.md, "The cost ledger"): entries staff book (freight
//! from the carrier's bill, parts, labour, a supplier's charge or credit), entries the case books
//! on its own (freight when a parcel goes back or out, goods at cost on a disposition,
//! compensation accepted, a platform's penalty), corrections as new entries, and the sums.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::text_field;
use crate::db::Transaction;
use crate::db::cases::{self, CaseRecord};
use crate::db::costs::{self, CostRecord, NewCost};
use crate::db::shops::{Actor, Shop};
use crate::db::{Database, refunds};
use crate::domain::Action;
use crate::domain::costs::{CostKind, Payer, Totals};
use crate::domain::permissions::Capability;
use crate::domain::settings::ShopSettings;
use crate::error::{AppError, AppResult};

/// The largest single entry: ten billion minor units.
const MAXIMUM_MINOR: i64 = 10_000_000_000;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostInput {
    /// return_freight, outbound_freight, label, repair_parts, repair_labour, supplier_charge,
    /// supplier_credit, compensation, write_off, recovered, platform_penalty,
    /// advance_refund_deduction or other. A correction takes its original's.
    pub kind: Option<String>,
    /// shop, customer, carrier, supplier or platform; default the shop (a supplier for a
    /// supplier_credit). A correction takes its original's.
    pub payer: Option<String>,
    /// In minor units of the case's currency; more than zero, except a correction (the change:
    /// below zero lowers the original). For repair_labour it may be left out with `hours`.
    pub amount_minor: Option<i64>,
    /// Hours of repair labour, priced at the shop's `costs.labour_per_hour_minor`.
    pub hours: Option<f64>,
    /// The product the cost is about.
    pub sku: Option<String>,
    /// What it is (the carrier's bill number, the part); required for a correction.
    pub note: Option<String>,
    /// The id of the entry this one corrects (that entry stays as it was).
    pub corrects: Option<String>,
}

/// A case's ledger: the entries with what each costs the shop, the sums, and what was
/// refunded on the case beside them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ledger {
    pub case_id: String,
    pub currency: String,
    pub entries: Vec<LedgerEntry>,
    pub totals: Totals,
    /// Money paid back on the case (refunds of every state but failed), for comparison.
    pub refunded_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntry {
    pub id: String,
    pub kind: CostKind,
    pub payer: Payer,
    pub amount_minor: i64,
    pub currency: String,
    /// What it costs the shop: the amount when the shop pays, below zero for a recovery, 0
    /// when another party pays.
    pub shop_cost_minor: i64,
    pub sku: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub corrects: Option<String>,
    /// Corrected by later entries (the ids).
    pub corrected_by: Vec<String>,
    pub actor_id: Option<String>,
    /// When it was booked, in the shop's time zone.
    pub created_at: String,
}

/// Books an entry (or a correction) by hand.
pub async fn record(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &CostInput,
) -> AppResult<CostRecord> {
    AppError::require(actor.role, Capability::RecordCosts)?;
    let settings = crate::db::settings::get(database, &actor.shop.id).await?;
    let note = text_field("note", input.note.as_deref(), input.corrects.is_some(), 500)?;
    let sku = text_field("sku", input.sku.as_deref(), false, 100)?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let (kind, payer, amount, corrects) = match input.corrects.as_deref() {
        Some(original) => {
            let original = costs::get_in(&mut transaction, &case.id, original)
                .await?
                .ok_or_else(|| {
                    AppError::invalid(
                        "corrects",
                        format!("no entry '{original}' in this case's ledger"),
                    )
                })?;
            let amount = input.amount_minor.unwrap_or(0);
            if amount == 0 || amount.abs() > MAXIMUM_MINOR {
                return Err(AppError::invalid(
                    "amount_minor",
                    "a correction carries the change, not zero: below zero lowers the entry it corrects",
                ));
            }
            (original.kind, original.payer, amount, Some(original.id))
        }
        None => {
            let kind = parse_kind(input.kind.as_deref())?;
            let payer = match input.payer.as_deref().map(str::trim) {
                None | Some("") => kind.default_payer(),
                Some(payer) => Payer::parse(payer).ok_or_else(|| {
                    AppError::invalid(
                        "payer",
                        format!(
                            "unknown payer '{payer}'; use one of: shop, customer, carrier, supplier, platform"
                        ),
                    )
                })?,
            };
            let amount = amount_of(kind, input, &settings, &case, &actor.shop)?;
            (kind, payer, amount, None)
        }
    };
    let month = month_of(now, &actor.shop.time_zone);
    let id = costs::append(
        &mut transaction,
        &NewCost {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            kind,
            payer,
            amount_minor: amount,
            currency: &case.currency,
            month: &month,
            source: None,
            note: note.as_deref(),
            corrects: corrects.as_deref(),
            actor_id: actor.staff_id.as_deref(),
            now,
        },
        sku.as_deref(),
    )
    .await?
    .ok_or(AppError::Unavailable)?;
    super::record_event(
        &mut transaction,
        actor,
        &case.id,
        if corrects.is_some() {
            "cost_corrected"
        } else {
            "cost_recorded"
        },
        json!({ "cost_id": id, "kind": kind, "payer": payer, "amount_minor": amount,
                "currency": case.currency, "note": note, "corrects": corrects }),
        now,
    )
    .await?;
    transaction.commit().await?;
    costs::of_case(&database.writer, &case.id)
        .await?
        .into_iter()
        .find(|entry| entry.id == id)
        .ok_or(AppError::Unavailable)
}

fn parse_kind(kind: Option<&str>) -> AppResult<CostKind> {
    let kind = kind.map(str::trim).unwrap_or_default();
    CostKind::parse(kind).ok_or_else(|| {
        let known: Vec<&str> = CostKind::ALL.iter().map(|kind| kind.as_str()).collect();
        AppError::invalid(
            "kind",
            format!("unknown kind '{kind}'; use one of: {}", known.join(", ")),
        )
    })
}

/// The amount of a new entry: as given, or labour hours at the shop's hourly rate.
fn amount_of(
    kind: CostKind,
    input: &CostInput,
    settings: &ShopSettings,
    case: &CaseRecord,
    shop: &Shop,
) -> AppResult<i64> {
    let amount = match (input.amount_minor, input.hours) {
        (Some(amount), _) => amount,
        (None, Some(hours)) if kind == CostKind::RepairLabour => {
            let rate = settings
                .costs
                .labour_per_hour_minor
                .filter(|_| settings.costs.applies_to(&case.currency, shop.currency.as_str()))
                .ok_or_else(|| {
                    AppError::invalid(
                        "hours",
                        "the shop has no labour rate in this case's currency (settings costs.labour_per_hour_minor): give amount_minor",
                    )
                })?;
            if !(hours.is_finite() && hours > 0.0 && hours <= 1000.0) {
                return Err(AppError::invalid(
                    "hours",
                    "hours must be more than 0 and at most 1000",
                ));
            }
            // Rounded to the nearest minor unit.
            (hours * rate as f64).round() as i64
        }
        (None, _) => {
            return Err(AppError::invalid(
                "amount_minor",
                "amount_minor is required (in minor units: 1200 = ¥12.00)",
            ));
        }
    };
    if !(1..=MAXIMUM_MINOR).contains(&amount) {
        return Err(AppError::invalid(
            "amount_minor",
            "the amount must be more than zero (a correction lowers an entry: send corrects)",
        ));
    }
    Ok(amount)
}

/// The month of a moment in the shop's zone, YYYY-MM.
pub fn month_of(now: i64, zone: &jiff::tz::TimeZone) -> String {
    crate::domain::time::local_date(now, zone)
        .strftime("%Y-%m")
        .to_string()
}

/// A case's ledger, for staff.
pub async fn ledger(database: &Database, actor: &Actor, case_id: &str) -> AppResult<Ledger> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("the cost ledger is for staff".into()));
    }
    let case = cases::get(&database.reader, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let records = costs::of_case(&database.reader, &case.id).await?;
    let refunded_minor = refunds::of_case(&database.reader, &case.id)
        .await?
        .iter()
        .filter(|refund| refund.status != "failed")
        .map(|refund| refund.amount_minor)
        .sum();
    Ok(ledger_of(
        &case,
        records,
        refunded_minor,
        &actor.shop.time_zone,
    ))
}

/// The ledger's view of stored entries.
pub fn ledger_of(
    case: &CaseRecord,
    records: Vec<CostRecord>,
    refunded_minor: i64,
    zone: &jiff::tz::TimeZone,
) -> Ledger {
    let mut totals = Totals::default();
    let mut entries: Vec<LedgerEntry> = Vec::with_capacity(records.len());
    for record in &records {
        totals.add(record.kind, record.payer, record.amount_minor);
    }
    for record in records.iter() {
        entries.push(LedgerEntry {
            id: record.id.clone(),
            kind: record.kind,
            payer: record.payer,
            amount_minor: record.amount_minor,
            currency: record.currency.clone(),
            shop_cost_minor: crate::domain::costs::shop_cost(
                record.kind,
                record.payer,
                record.amount_minor,
            ),
            sku: record.sku.clone(),
            source: record.source.clone(),
            note: record.note.clone(),
            corrects: record.corrects.clone(),
            corrected_by: records
                .iter()
                .filter(|later| later.corrects.as_deref() == Some(record.id.as_str()))
                .map(|later| later.id.clone())
                .collect(),
            actor_id: record.actor_id.clone(),
            created_at: crate::domain::time::format_in_zone(record.created_at, zone),
        });
    }
    Ledger {
        case_id: case.id.clone(),
        currency: case.currency.clone(),
        entries,
        totals,
        refunded_minor,
    }
}

/// An entry the case books on its own, once per `source`.
pub(crate) struct Automatic {
    pub kind: CostKind,
    pub payer: Payer,
    pub amount_minor: i64,
    pub sku: Option<String>,
    pub source: String,
    pub note: Option<String>,
}

/// Books automatic entries in the caller's transaction (a source already booked is skipped).
pub(crate) async fn book(
    transaction: &mut Transaction,
    actor: &Actor,
    case: &CaseRecord,
    entries: &[Automatic],
    now: i64,
) -> AppResult<()> {
    let month = month_of(now, &actor.shop.time_zone);
    for entry in entries.iter().filter(|entry| entry.amount_minor != 0) {
        costs::append(
            transaction,
            &NewCost {
                shop_id: &actor.shop.id,
                case_id: &case.id,
                kind: entry.kind,
                payer: entry.payer,
                amount_minor: entry.amount_minor,
                currency: &case.currency,
                month: &month,
                source: Some(&entry.source),
                note: entry.note.as_deref(),
                corrects: None,
                actor_id: actor.staff_id.as_deref(),
                now,
            },
            entry.sku.as_deref(),
        )
        .await?;
    }
    Ok(())
}

/// What an action on a case costs by itself: the return freight when the goods go back and the
/// policy says the shop pays it; the freight of what goes out to the customer; the goods at cost
/// and what the disposition recovers at an inspection. `data` is the action's event data.
pub(crate) async fn after_action(
    transaction: &mut Transaction,
    actor: &Actor,
    case: &CaseRecord,
    action: Action,
    data: &serde_json::Value,
    settings: &ShopSettings,
    now: i64,
) -> AppResult<()> {
    let defaults = &settings.costs;
    let source = format!("action:{}:{}", case.id, case.version);
    let in_currency = defaults.applies_to(&case.currency, actor.shop.currency.as_str());
    let carrier = data["shipment"]["carrier"].as_str().unwrap_or_default();
    let mut entries = Vec::new();
    match action {
        Action::ShipReturn if in_currency => {
            // A shop that buys return labels pays one per parcel sent back.
            if let Some(amount) = defaults.label_minor.filter(|amount| *amount > 0) {
                entries.push(Automatic {
                    kind: CostKind::Label,
                    payer: Payer::Shop,
                    amount_minor: amount,
                    sku: None,
                    source: format!("{source}:label"),
                    note: Some("(default)".into()),
                });
            }
            let shop_pays = costs::return_freight_party(transaction, &case.id)
                .await?
                .is_some_and(|party| party == "seller");
            if let (true, Some(amount)) = (shop_pays, defaults.freight(carrier, false)) {
                entries.push(Automatic {
                    kind: CostKind::ReturnFreight,
                    payer: Payer::Shop,
                    amount_minor: amount,
                    sku: None,
                    source,
                    note: Some(format!("{carrier} (default)")),
                });
            }
        }
        Action::ShipReplacement | Action::ShipBack if in_currency => {
            if let Some(amount) = defaults.freight(carrier, true) {
                entries.push(Automatic {
                    kind: CostKind::OutboundFreight,
                    payer: Payer::Shop,
                    amount_minor: amount,
                    sku: None,
                    source,
                    note: Some(format!("{carrier} (default)")),
                });
            }
        }
        Action::InspectPass | Action::InspectFail => {
            let Some(disposition) = data["disposition"].as_str() else {
                return Ok(());
            };
            let goods = costs::goods_of_case(transaction, &case.id).await?;
            for (index, (sku, cost, quantity)) in goods.iter().enumerate() {
                let Some(cost) = cost else { continue };
                for (part, (kind, amount)) in crate::domain::costs::disposition(
                    disposition,
                    *cost,
                    *quantity,
                    defaults.refurbish_percent(),
                )
                .into_iter()
                .enumerate()
                {
                    entries.push(Automatic {
                        kind,
                        payer: Payer::Shop,
                        amount_minor: amount,
                        sku: Some(sku.clone()),
                        source: format!("{source}:{index}:{part}"),
                        note: Some(format!("{disposition}: {quantity} × {cost}")),
                    });
                }
            }
        }
        _ => {}
    }
    book(transaction, actor, case, &entries, now).await
}
