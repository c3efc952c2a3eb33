//! A unit by its serial number (docs/REPAIRS.md, "The unit"): the order line that sold it or
//! the exchange that sent it, the unit it replaced and the one that replaced it, every case
//! about it with what its supplier found and did, and its warranty today as the policy engine
//! decides it — from the day the customer received it, so a 三包 exchange starts it again.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Database;
use crate::db::cases::CaseLineRecord;
use crate::db::shops::Actor;
use crate::db::units::{self, SoldLine};
use crate::domain::CaseKind;
use crate::domain::policy::Remedy;
use crate::domain::policy::decision::Text;
use crate::domain::time::format_in_zone;
use crate::domain::units::{covers, span};
use crate::error::{AppError, AppResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitCase {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub status: String,
    pub reason_code: String,
    pub opened_at: String,
    /// What its suppliers found and did: finding, result, parts.
    pub send_outs: Vec<UnitSendOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitSendOut {
    pub supplier: String,
    pub finding: Option<String>,
    pub result: Option<String>,
    #[schema(value_type = Object)]
    pub parts: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRemedy {
    pub remedy: Remedy,
    pub allowed: bool,
    /// The customer pays (a repair outside the guarantee: a quote).
    pub paid_by_customer: bool,
    /// Last day, when a period limits it.
    pub until: Option<String>,
    pub explanation: Option<Text>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    pub serial_number: String,
    pub sku: String,
    pub product_name: String,
    pub order_id: String,
    pub order_number: String,
    /// sold (on the order line) or replacement (sent by an exchange).
    pub origin: String,
    /// The exchange case that sent it.
    pub sent_by_case: Option<String>,
    pub replaces: Option<String>,
    pub replaced_by: Option<String>,
    /// Whether it is the order line's unit now.
    pub current: bool,
    /// When the customer received it (its warranty counts from then), in the shop's zone.
    pub received_at: Option<String>,
    /// A repair under the guarantee today (free), or not (a paid quote); none when the engine
    /// could not read the order.
    pub free_repair: Option<bool>,
    /// Each remedy today, as the policy engine decides it for a quality fault.
    pub warranty: Vec<UnitRemedy>,
    pub cases: Vec<UnitCase>,
}

pub async fn unit(database: &Database, actor: &Actor, serial: &str) -> AppResult<UnitView> {
    let serial = serial.trim();
    let shop = &actor.shop;
    let line = units::line_of(&database.reader, &shop.id, serial)
        .await?
        .ok_or(AppError::NotFound("unit"))?;
    let replacements = units::replacements(&database.reader, &line.order_line_id).await?;
    let mut chain: Vec<(&str, Option<i64>)> = vec![(line.serial_number.as_str(), None)];
    chain.extend(
        replacements
            .iter()
            .map(|unit| (unit.serial_number.as_str(), Some(unit.shipped_at))),
    );
    let (place, from, until) = span(&chain, serial).ok_or(AppError::NotFound("unit"))?;
    let own = place.checked_sub(1).map(|index| &replacements[index]);
    let received = match own {
        Some(unit) => Some(unit.delivered_at.unwrap_or(unit.shipped_at)),
        None => line.delivered_at,
    };
    let mut cases = Vec::new();
    for case in units::cases_on_line(&database.reader, &line.order_line_id).await? {
        if !covers((from, until), case.created_at) {
            continue;
        }
        let send_outs = crate::db::suppliers::of_case(&database.reader, &shop.id, &case.id)
            .await?
            .into_iter()
            .map(|send_out| UnitSendOut {
                supplier: send_out.supplier_name,
                finding: send_out.finding,
                result: send_out.result,
                parts: send_out.parts,
            })
            .collect();
        cases.push(UnitCase {
            opened_at: format_in_zone(case.created_at, &shop.time_zone),
            id: case.id,
            number: case.number,
            kind: case.kind,
            status: case.status,
            reason_code: case.reason_code,
            send_outs,
        });
    }
    let warranty = warranty(database, actor, &line, received).await?;
    Ok(UnitView {
        serial_number: serial.to_string(),
        sku: line.sku.clone(),
        product_name: line.product_name.clone(),
        order_id: line.order_id.clone(),
        order_number: line.order_number.clone(),
        origin: if own.is_some() { "replacement" } else { "sold" }.into(),
        sent_by_case: own.map(|unit| unit.case_number.clone()),
        replaces: own.map(|unit| unit.replaces.clone()),
        replaced_by: chain.get(place + 1).map(|(next, _)| next.to_string()),
        current: place + 1 == chain.len(),
        received_at: received.map(|at| format_in_zone(at, &shop.time_zone)),
        free_repair: warranty
            .iter()
            .find(|remedy| remedy.remedy == Remedy::Repair)
            .map(|repair| repair.allowed && !repair.paid_by_customer),
        warranty,
        cases,
    })
}

/// The unit a case opened at `at` on an order line is about (the line's serial, or the
/// replacement it had then); none when the line carries no serial.
pub async fn on_line(
    database: &Database,
    actor: &Actor,
    line: &CaseLineRecord,
    at: i64,
) -> AppResult<Option<UnitView>> {
    let Some(sold) = &line.serial_number else {
        return Ok(None);
    };
    let replacements = units::replacements(&database.reader, &line.order_line_id).await?;
    let serial = replacements
        .iter()
        .rfind(|unit| unit.shipped_at <= at)
        .map_or(sold.as_str(), |unit| unit.serial_number.as_str());
    unit(database, actor, serial).await.map(Some)
}

/// The remedies for a quality fault of the unit today, its periods counted from `received`.
async fn warranty(
    database: &Database,
    actor: &Actor,
    line: &SoldLine,
    received: Option<i64>,
) -> AppResult<Vec<UnitRemedy>> {
    let shop = &actor.shop;
    let Some(mut order) =
        crate::db::cases::order_for_case(&database.reader, &shop.id, &line.order_number, "quality")
            .await?
    else {
        return Ok(Vec::new());
    };
    let Some(sold) = order
        .lines
        .iter()
        .find(|each| each.id == line.order_line_id)
        .cloned()
    else {
        return Ok(Vec::new());
    };
    order.delivered_at = received;
    let chosen = CaseLineRecord {
        order_line_id: sold.id.clone(),
        line_number: sold.line_number,
        sku: sold.sku.clone(),
        product_name: sold.product_name.clone(),
        quantity: 1,
        ordered_quantity: sold.quantity,
        paid_minor: sold.paid_minor,
        refunded_minor: sold.refunded_minor,
        case_refunded_minor: 0,
        unit_price_minor: sold.unit_price_minor,
        discount_minor: sold.discount_minor,
        tax_minor: sold.tax_minor,
        serial_number: sold.serial_number.clone(),
    };
    let settings = crate::db::settings::get(database, &shop.id).await?;
    let now = database.clock.now();
    let mut request = super::policy::case_request(
        &order,
        CaseKind::Repair,
        "quality",
        &[chosen],
        &settings,
        &shop.time_zone_name,
        now,
    );
    // A line whose category is a 三包 catalogue product (手机, mobile_phone …) has its periods.
    for item in &mut request.items {
        item.three_guarantees = item
            .category
            .as_deref()
            .and_then(crate::domain::policy::three_guarantees::catalogue)
            .map(str::to_string);
    }
    let Some(decision) = super::policy::decide_for_case(&request, CaseKind::Repair, now) else {
        return Ok(Vec::new());
    };
    Ok(decision
        .remedies
        .into_iter()
        .map(|remedy| {
            let deciding = remedy
                .grounds
                .iter()
                .find(|ground| ground.allowed == remedy.allowed);
            UnitRemedy {
                paid_by_customer: remedy.allowed
                    && deciding.is_some_and(|ground| ground.paid_by_customer),
                explanation: deciding.map(|ground| ground.explanation.clone()),
                remedy: remedy.remedy,
                allowed: remedy.allowed,
                until: remedy.until,
            }
        })
        .collect())
}
