//! Send-outs (docs/REPAIRS.md, "The supplier send-out"): one or more repair cases sent to a
//! supplier in one parcel, the supplier's finding, its result with charges and the parcel back,
//! the item back at the shop; and the targets missed, followed up once.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::text_field;
use super::transitions::{take, version_conflict};
use crate::db::cases::{self, CaseRecord, NewEvent};
use crate::db::costs::{self, NewCost};
use crate::db::follow_ups::{self, NewFollowUp};
use crate::db::shipments::{self, NewShipment};
use crate::db::shops::{Actor, Shop};
use crate::db::suppliers::{self, NewSendOut, SendOutRecord, SetResult};
use crate::db::{Database, Transaction, outbox, settings};
use crate::domain::costs::{CostKind, Payer};
use crate::domain::permissions::Capability;
use crate::domain::suppliers::{Finding, Overdue, RepairResult, due_dates, overdue};
use crate::domain::time::format_in_zone;
use crate::domain::{Action, Role, Status};
use crate::error::{AppError, AppResult};

/// At most this many cases in one parcel.
const MOST_CASES: usize = 50;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseVersion {
    pub id: String,
    /// The case version the caller saw.
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendOutInput {
    pub supplier_id: String,
    /// The cases in the parcel (1 to 50), each diagnosing, with the version read.
    pub cases: Vec<CaseVersion>,
    /// The parcel to the supplier (both or neither): watched like every parcel.
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    /// The send-out version read.
    pub version: i64,
    /// confirmed, not_confirmed or not_reproducible.
    pub finding: String,
    /// The supplier's report, in its words.
    pub report: Option<String>,
    /// Ids of photos of the report, attached to the send-out's cases (at most 6).
    #[serde(default)]
    pub photos: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FittedPart {
    /// The part number.
    pub number: String,
    pub name: Option<String>,
    /// A genuine (original) part.
    #[serde(default = "genuine")]
    pub genuine: bool,
}

fn genuine() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargeInput {
    /// The case it is booked on; may be left out when the send-out carries one case.
    pub case_id: Option<String>,
    /// charge (the supplier bills the shop) or credit (the supplier pays the shop back).
    pub kind: String,
    /// In minor units of the case's currency, more than zero.
    pub amount_minor: i64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultInput {
    pub version: i64,
    /// repaired, replaced, unrepairable or returned_unrepaired.
    pub result: String,
    /// What was done.
    pub note: Option<String>,
    /// The finding, when the supplier gives it with the result (and none was recorded).
    pub finding: Option<String>,
    pub report: Option<String>,
    /// Parts replaced (at most 20).
    #[serde(default)]
    pub parts: Vec<FittedPart>,
    /// The supplier's charges and credits, booked in the cases' cost ledgers.
    #[serde(default)]
    pub charges: Vec<ChargeInput>,
    /// The parcel back to the shop (both or neither).
    pub return_carrier: Option<String>,
    pub return_tracking_number: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackInput {
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SendOutCase {
    pub id: String,
    pub number: String,
    pub status: Status,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SendOutView {
    pub id: String,
    pub supplier_id: String,
    pub supplier_name: String,
    /// sent, confirmed, not_confirmed, not_reproducible, repaired, replaced, unrepairable,
    /// returned_unrepaired, back.
    pub stage: String,
    pub cases: Vec<SendOutCase>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub return_carrier: Option<String>,
    pub return_tracking_number: Option<String>,
    pub note: Option<String>,
    pub finding: Option<String>,
    pub report: Option<String>,
    pub photos: Vec<String>,
    pub result: Option<String>,
    pub result_note: Option<String>,
    pub parts: Value,
    /// Times in the shop's zone.
    pub sent_at: String,
    pub confirm_due_at: String,
    pub repair_due_at: String,
    pub found_at: Option<String>,
    pub result_at: Option<String>,
    pub back_at: Option<String>,
    /// The targets missed and followed up: confirmation, repair.
    pub overdue: Vec<String>,
    pub version: i64,
}

pub async fn view(
    database: &Database,
    shop: &Shop,
    record: SendOutRecord,
) -> AppResult<SendOutView> {
    let mut cases_view = Vec::new();
    for case_id in suppliers::cases_of(&database.reader, &record.id).await? {
        if let Some(case) = cases::get(&database.reader, &shop.id, &case_id).await? {
            cases_view.push(SendOutCase {
                id: case.id,
                number: case.number,
                status: case.status,
            });
        }
    }
    let zone = &shop.time_zone;
    let at = |micros: Option<i64>| micros.map(|micros| format_in_zone(micros, zone));
    let mut missed = Vec::new();
    if record.confirm_overdue_at.is_some() {
        missed.push("confirmation".to_string());
    }
    if record.repair_overdue_at.is_some() {
        missed.push("repair".to_string());
    }
    Ok(SendOutView {
        id: record.id,
        supplier_id: record.supplier_id,
        supplier_name: record.supplier_name,
        stage: record.stage,
        cases: cases_view,
        carrier: record.carrier,
        tracking_number: record.tracking_number,
        return_carrier: record.return_carrier,
        return_tracking_number: record.return_tracking_number,
        note: record.note,
        finding: record.finding,
        report: record.report,
        photos: record.photos,
        result: record.result,
        result_note: record.result_note,
        parts: record.parts,
        sent_at: format_in_zone(record.sent_at, zone),
        confirm_due_at: format_in_zone(record.confirm_due_at, zone),
        repair_due_at: format_in_zone(record.repair_due_at, zone),
        found_at: at(record.found_at),
        result_at: at(record.result_at),
        back_at: at(record.back_at),
        overdue: missed,
        version: record.version,
    })
}

pub async fn get(database: &Database, actor: &Actor, id: &str) -> AppResult<SendOutRecord> {
    suppliers::send_out(&database.writer, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("send-out"))
}

/// Both parts of a parcel or neither.
fn parcel(
    carrier: Option<&str>,
    tracking: Option<&str>,
    fields: (&str, &str),
) -> AppResult<Option<(String, String)>> {
    let carrier = text_field(fields.0, carrier, false, 64)?;
    let tracking = text_field(fields.1, tracking, false, 64)?;
    match (carrier, tracking) {
        (Some(carrier), Some(tracking)) => Ok(Some((carrier, tracking))),
        (None, None) => Ok(None),
        _ => Err(AppError::invalid(
            fields.1,
            format!("give the parcel's {} and {} together", fields.0, fields.1),
        )),
    }
}

/// A parcel for each case of the send-out (a parcel may be on several orders).
async fn add_parcels(
    transaction: &mut Transaction,
    shop: &Shop,
    cases: &[CaseRecord],
    direction: &str,
    (carrier, tracking): (&str, &str),
    now: i64,
) -> AppResult<()> {
    for case in cases {
        shipments::insert(
            transaction,
            &shop.id,
            &NewShipment {
                order_id: &case.order_id,
                case_id: Some(&case.id),
                direction,
                carrier,
                tracking_number: tracking,
                status: "in_transit",
                shipped_at: Some(now),
                delivered_at: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// Sends cases to a supplier: each moves to `at_vendor` (checked against the version read and
/// the SOP), and the customer hears where the item is and by when the fault will be confirmed.
pub async fn create(
    database: &Database,
    actor: &Actor,
    input: &SendOutInput,
) -> AppResult<SendOutRecord> {
    AppError::require(actor.role, Capability::HandleRepairs)?;
    let shop = &actor.shop;
    if input.cases.is_empty() || input.cases.len() > MOST_CASES {
        return Err(AppError::invalid(
            "cases",
            format!("send 1 to {MOST_CASES} cases in one parcel"),
        ));
    }
    let mut ids: Vec<&str> = input.cases.iter().map(|case| case.id.as_str()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(AppError::invalid("cases", "a case is named twice"));
    }
    let note = text_field("note", input.note.as_deref(), false, 2000)?;
    let parcel = parcel(
        input.carrier.as_deref(),
        input.tracking_number.as_deref(),
        ("carrier", "tracking_number"),
    )?;
    let supplier = suppliers::supplier(&database.reader, &shop.id, input.supplier_id.trim())
        .await?
        .ok_or_else(|| AppError::invalid("supplier_id", "no such supplier in this shop"))?;
    if !supplier.active {
        return Err(AppError::invalid(
            "supplier_id",
            format!(
                "{} is no longer active: choose another supplier",
                supplier.name
            ),
        ));
    }
    let settings = settings::get(database, &shop.id).await?;
    let now = database.clock.now();
    let due = due_dates(now, supplier.confirm_days, supplier.repair_days);
    let mut transaction = database.begin().await?;
    // Locked in id order, so two batches sharing cases cannot wait on each other.
    let mut locked = Vec::new();
    let mut ordered = input.cases.clone();
    ordered.sort_by(|a, b| a.id.cmp(&b.id));
    for given in &ordered {
        let case = cases::get_for_update(&mut transaction, database.backend, &shop.id, &given.id)
            .await?
            .ok_or_else(|| {
                AppError::invalid("cases", format!("no case '{}' in this shop", given.id))
            })?;
        if case.version != given.version {
            return Err(version_conflict(&case, given.version));
        }
        super::checklist::require(
            &mut transaction,
            actor,
            &settings,
            &case,
            Action::SendToVendor,
        )
        .await?;
        locked.push(case);
    }
    let case_ids: Vec<String> = locked.iter().map(|case| case.id.clone()).collect();
    let id = suppliers::insert_send_out(
        &mut transaction,
        &NewSendOut {
            shop_id: &shop.id,
            supplier_id: &supplier.id,
            case_ids: &case_ids,
            carrier: parcel.as_ref().map(|(carrier, _)| carrier.as_str()),
            tracking_number: parcel.as_ref().map(|(_, tracking)| tracking.as_str()),
            note: note.as_deref(),
            due,
            actor_id: actor.staff_id.as_deref(),
            now,
        },
    )
    .await?;
    if let Some((carrier, tracking)) = &parcel {
        add_parcels(
            &mut transaction,
            shop,
            &locked,
            "to_supplier",
            (carrier, tracking),
            now,
        )
        .await?;
    }
    for case in &locked {
        let mut data = json!({
            "send_out_id": id,
            "supplier": supplier.name,
            "detail": supplier.name,
            "confirm_by": due.0,
            "back_by": due.1,
        });
        if let Some(note) = &note {
            data["note"] = json!(note);
        }
        if let Some((carrier, tracking)) = &parcel {
            data["shipment"] = json!({ "carrier": carrier, "tracking_number": tracking, "direction": "to_supplier" });
        }
        take(
            &mut transaction,
            actor,
            case,
            Action::SendToVendor,
            data,
            &settings,
            now,
        )
        .await?;
    }
    transaction.commit().await?;
    get(database, actor, &id).await
}

/// The send-out locked for a change at `version`, and its cases locked too.
async fn lock(
    database: &Database,
    transaction: &mut Transaction,
    actor: &Actor,
    id: &str,
    version: i64,
) -> AppResult<(SendOutRecord, Vec<CaseRecord>)> {
    let send_out = suppliers::send_out_in(transaction, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("send-out"))?;
    if send_out.version != version {
        return Err(super::changed_meanwhile(
            "send-out",
            version,
            send_out.version,
        ));
    }
    let mut locked = Vec::new();
    for case_id in suppliers::cases_of(&mut **transaction, id).await? {
        if let Some(case) =
            cases::get_for_update(transaction, database.backend, &actor.shop.id, &case_id).await?
        {
            locked.push(case);
        }
    }
    Ok((send_out, locked))
}

fn stale(send_out: &SendOutRecord, what: &str) -> AppError {
    AppError::Conflict {
        code: "send_out_done",
        message: format!(
            "this send-out has its {what} already (stage {}); a correction is a note on the case",
            send_out.stage
        ),
        details: json!({ "stage": send_out.stage }),
    }
}

fn finding_of(text: &str) -> AppResult<Finding> {
    Finding::parse(text.trim()).ok_or_else(|| {
        AppError::invalid(
            "finding",
            format!("unknown finding '{text}'; use confirmed, not_confirmed or not_reproducible"),
        )
    })
}

/// An event on every case of the send-out.
async fn tell(
    transaction: &mut Transaction,
    actor: &Actor,
    cases: &[CaseRecord],
    action: &str,
    data: &Value,
    now: i64,
) -> AppResult<()> {
    for case in cases {
        super::record_event(transaction, actor, &case.id, action, data.clone(), now).await?;
    }
    Ok(())
}

/// Records the finding in a transaction holding the send-out and its cases: the parcel there
/// arrived, and each case (and so its customer) hears whether the fault was confirmed.
async fn record_finding(
    transaction: &mut Transaction,
    actor: &Actor,
    (send_out, cases): (&SendOutRecord, &[CaseRecord]),
    finding: Finding,
    report: Option<&str>,
    photos: &[String],
    now: i64,
) -> AppResult<()> {
    if !suppliers::set_finding(
        transaction,
        &send_out.id,
        send_out.version,
        finding,
        report,
        photos,
        now,
    )
    .await?
    {
        return Err(stale(send_out, "finding"));
    }
    for case in cases {
        shipments::mark_arrived(transaction, &case.id, "to_supplier", now).await?;
    }
    let data = json!({
        "send_out_id": send_out.id,
        "supplier": send_out.supplier_name,
        "finding": finding,
        "report": report,
        "detail": report.unwrap_or_default(),
        "photos": photos,
    });
    tell(transaction, actor, cases, finding.event(), &data, now).await
}

pub async fn finding(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &FindingInput,
) -> AppResult<SendOutRecord> {
    AppError::require(actor.role, Capability::HandleRepairs)?;
    let finding = finding_of(&input.finding)?;
    let report = text_field("report", input.report.as_deref(), false, 4000)?;
    if input.photos.len() > 6 {
        return Err(AppError::invalid(
            "photos",
            "at most 6 photos of the report",
        ));
    }
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let (send_out, cases) = lock(database, &mut transaction, actor, id, input.version).await?;
    if send_out.finding.is_some() || send_out.back_at.is_some() {
        return Err(stale(&send_out, "finding"));
    }
    check_photos(database, &cases, &input.photos).await?;
    record_finding(
        &mut transaction,
        actor,
        (&send_out, &cases),
        finding,
        report.as_deref(),
        &input.photos,
        now,
    )
    .await?;
    transaction.commit().await?;
    get(database, actor, id).await
}

/// Photos must be the send-out's cases' own attachments.
async fn check_photos(
    database: &Database,
    cases: &[CaseRecord],
    photos: &[String],
) -> AppResult<()> {
    let mut known = Vec::new();
    for case in cases {
        known.extend(
            crate::db::attachments::for_case(&database.reader, &case.id)
                .await?
                .into_iter()
                .map(|attachment| attachment.id),
        );
    }
    match photos.iter().find(|photo| !known.contains(photo)) {
        Some(photo) => Err(AppError::invalid(
            "photos",
            format!(
                "'{photo}' is not a photo attached to this send-out's cases: attach it to the case first"
            ),
        )),
        None => Ok(()),
    }
}

/// A charge or credit, checked: the case it is booked on, kind, payer, amount and note.
type Charge<'a> = (&'a CaseRecord, CostKind, Payer, i64, Option<String>);

fn charges<'a>(given: &[ChargeInput], cases: &'a [CaseRecord]) -> AppResult<Vec<Charge<'a>>> {
    if given.len() > 20 {
        return Err(AppError::invalid(
            "charges",
            "at most 20 charges and credits",
        ));
    }
    let mut checked = Vec::new();
    for charge in given {
        let case = match charge.case_id.as_deref() {
            Some(case_id) => cases
                .iter()
                .find(|case| case.id == case_id)
                .ok_or_else(|| {
                    AppError::invalid(
                        "charges",
                        format!("case '{case_id}' is not in this send-out"),
                    )
                })?,
            None if cases.len() == 1 => &cases[0],
            None => {
                return Err(AppError::invalid(
                    "charges",
                    "this send-out carries several cases: name each charge's case_id",
                ));
            }
        };
        let (kind, payer) = match charge.kind.trim() {
            "charge" => (CostKind::SupplierCharge, Payer::Shop),
            "credit" => (CostKind::SupplierCredit, Payer::Supplier),
            other => {
                return Err(AppError::invalid(
                    "charges",
                    format!("unknown charge kind '{other}'; use charge or credit"),
                ));
            }
        };
        if !(1..=10_000_000_000).contains(&charge.amount_minor) {
            return Err(AppError::invalid(
                "charges",
                "a charge's amount_minor must be more than zero (minor units: 3500 = ¥35.00)",
            ));
        }
        let note = text_field("charges", charge.note.as_deref(), false, 500)?;
        checked.push((case, kind, payer, charge.amount_minor, note));
    }
    Ok(checked)
}

fn parts(given: &[FittedPart]) -> AppResult<Value> {
    if given.len() > 20 {
        return Err(AppError::invalid("parts", "at most 20 parts"));
    }
    let mut parts = Vec::new();
    for part in given {
        let number = text_field("parts", Some(&part.number), true, 64)?;
        let name = text_field("parts", part.name.as_deref(), false, 200)?;
        parts.push(json!({ "number": number, "name": name, "genuine": part.genuine }));
    }
    Ok(Value::Array(parts))
}

/// The supplier's result: parts, charges into the cases' ledgers, the parcel back (watched).
pub async fn result(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &ResultInput,
) -> AppResult<SendOutRecord> {
    AppError::require(actor.role, Capability::HandleRepairs)?;
    let result = RepairResult::parse(input.result.trim()).ok_or_else(|| {
        AppError::invalid(
            "result",
            format!(
                "unknown result '{}'; use repaired, replaced, unrepairable or returned_unrepaired",
                input.result
            ),
        )
    })?;
    let given_finding = input.finding.as_deref().map(finding_of).transpose()?;
    let report = text_field("report", input.report.as_deref(), false, 4000)?;
    let note = text_field("note", input.note.as_deref(), false, 2000)?;
    let parts = parts(&input.parts)?;
    let back_parcel = parcel(
        input.return_carrier.as_deref(),
        input.return_tracking_number.as_deref(),
        ("return_carrier", "return_tracking_number"),
    )?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let (mut send_out, cases) = lock(database, &mut transaction, actor, id, input.version).await?;
    if send_out.result.is_some() || send_out.back_at.is_some() {
        return Err(stale(&send_out, "result"));
    }
    let charges = charges(&input.charges, &cases)?;
    match (send_out.finding.is_some(), given_finding) {
        (false, Some(finding)) => {
            record_finding(
                &mut transaction,
                actor,
                (&send_out, &cases),
                finding,
                report.as_deref(),
                &[],
                now,
            )
            .await?;
            send_out.version += 1;
        }
        (false, None) => {
            return Err(AppError::invalid(
                "finding",
                "the supplier's finding is not recorded yet: give it here (confirmed, not_confirmed or not_reproducible)",
            ));
        }
        (true, _) => {}
    }
    if !suppliers::set_result(
        &mut transaction,
        id,
        send_out.version,
        &SetResult {
            result,
            note: note.as_deref(),
            parts: &parts,
            return_carrier: back_parcel.as_ref().map(|(carrier, _)| carrier.as_str()),
            return_tracking_number: back_parcel.as_ref().map(|(_, tracking)| tracking.as_str()),
        },
        now,
    )
    .await?
    {
        return Err(stale(&send_out, "result"));
    }
    if let Some(first) = cases.first() {
        super::parts::fitted_by_supplier(
            &mut transaction,
            actor,
            (&first.id, &send_out.supplier_id),
            &parts,
            now,
        )
        .await?;
    }
    if let Some((carrier, tracking)) = &back_parcel {
        add_parcels(
            &mut transaction,
            &actor.shop,
            &cases,
            "from_supplier",
            (carrier, tracking),
            now,
        )
        .await?;
    }
    let month = super::costs::month_of(now, &actor.shop.time_zone);
    let mut booked = Vec::new();
    for (number, (case, kind, payer, amount, charge_note)) in charges.iter().enumerate() {
        let source = format!("send_out:{id}:{number}");
        let note = charge_note
            .clone()
            .unwrap_or_else(|| send_out.supplier_name.clone());
        costs::append(
            &mut transaction,
            &NewCost {
                shop_id: &actor.shop.id,
                case_id: &case.id,
                kind: *kind,
                payer: *payer,
                amount_minor: *amount,
                currency: &case.currency,
                month: &month,
                source: Some(&source),
                note: Some(&note),
                corrects: None,
                actor_id: actor.staff_id.as_deref(),
                now,
            },
            None,
        )
        .await?;
        booked.push(json!({ "case_id": case.id, "kind": kind, "amount_minor": amount, "currency": case.currency }));
    }
    let mut data = json!({
        "send_out_id": id,
        "supplier": send_out.supplier_name,
        "result": result,
        "note": note,
        "parts": parts,
        "charges": booked,
    });
    if let Some((carrier, tracking)) = &back_parcel {
        data["shipment"] = json!({ "carrier": carrier, "tracking_number": tracking, "direction": "from_supplier" });
    }
    tell(
        &mut transaction,
        actor,
        &cases,
        "supplier_result",
        &data,
        now,
    )
    .await?;
    transaction.commit().await?;
    get(database, actor, id).await
}

/// The item is back at the shop: each case still at the supplier returns to diagnosing (the
/// shop checks the repair and ships it back), and the customer hears it came back.
pub async fn back(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &BackInput,
) -> AppResult<SendOutRecord> {
    AppError::require(actor.role, Capability::HandleRepairs)?;
    let settings = settings::get(database, &actor.shop.id).await?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let (send_out, cases) = lock(database, &mut transaction, actor, id, input.version).await?;
    if send_out.back_at.is_some() {
        return Err(stale(&send_out, "return"));
    }
    if !suppliers::set_back(&mut transaction, id, send_out.version, now).await? {
        return Err(stale(&send_out, "return"));
    }
    let data = json!({
        "send_out_id": id,
        "supplier": send_out.supplier_name,
        "detail": send_out.supplier_name,
        "finding": send_out.finding,
        "result": send_out.result,
    });
    for case in &cases {
        shipments::mark_arrived(&mut transaction, &case.id, "from_supplier", now).await?;
        shipments::mark_arrived(&mut transaction, &case.id, "to_supplier", now).await?;
        if case.status == Status::AtVendor {
            take(
                &mut transaction,
                actor,
                case,
                Action::VendorReturn,
                data.clone(),
                &settings,
                now,
            )
            .await?;
        } else {
            // Moved on by hand meanwhile: the timeline still says the item is back.
            super::record_event(
                &mut transaction,
                actor,
                &case.id,
                "supplier_returned",
                data.clone(),
                now,
            )
            .await?;
        }
    }
    transaction.commit().await?;
    get(database, actor, id).await
}

/// Send-outs looked at per round.
const BATCH: i64 = 200;

/// Follows up every send-out that missed a target by `now`, once per target: a task for the
/// first case's assignee, an event on each case, a notice to the staff. The tasks opened.
pub async fn sweep(database: &Database, now: i64) -> anyhow::Result<usize> {
    let mut opened = 0;
    for away in suppliers::away_past_target(&database.reader, now, BATCH).await? {
        let Some(missed) = overdue(
            away.found_at.is_some(),
            (away.confirm_due_at, away.repair_due_at),
            (
                away.confirm_overdue_at.is_some(),
                away.repair_overdue_at.is_some(),
            ),
            now,
        ) else {
            continue;
        };
        if follow_up(database, &away, missed, now).await? {
            opened += 1;
        }
    }
    Ok(opened)
}

async fn follow_up(
    database: &Database,
    away: &suppliers::Away,
    missed: Overdue,
    now: i64,
) -> anyhow::Result<bool> {
    let Some(send_out) = suppliers::send_out(&database.reader, &away.shop_id, &away.id).await?
    else {
        return Ok(false);
    };
    let mut transaction = database.begin().await?;
    if !suppliers::mark_overdue(&mut transaction, &away.id, missed == Overdue::Repair, now).await? {
        return Ok(false);
    }
    let case_ids = suppliers::cases_of(&mut *transaction, &away.id).await?;
    let mut cases_found = Vec::new();
    for case_id in &case_ids {
        if let Some(case) = cases::get(&database.reader, &away.shop_id, case_id).await? {
            cases_found.push(case);
        }
    }
    let Some(first) = cases_found.first() else {
        transaction.commit().await?;
        return Ok(false);
    };
    let due = match missed {
        Overdue::Confirmation => send_out.confirm_due_at,
        Overdue::Repair => send_out.repair_due_at,
    };
    let days = (now - send_out.sent_at) / crate::domain::suppliers::DAY_MICROS;
    let detail = json!({
        "send_out_id": send_out.id,
        "supplier": send_out.supplier_name,
        "missed": missed.as_str(),
        "due_at": due,
        "days": days,
        // The follow-up list shows who has the item and the parcel it went in.
        "carrier": match &send_out.carrier {
            Some(carrier) => format!("{} · {carrier}", send_out.supplier_name),
            None => send_out.supplier_name.clone(),
        },
        "tracking_number": send_out.tracking_number,
    });
    let task = follow_ups::insert(
        &mut transaction,
        &NewFollowUp {
            shop_id: &away.shop_id,
            kind: "send_out_overdue",
            order_id: &first.order_id,
            case_id: Some(&first.id),
            shipment_id: None,
            assignee_id: first.assignee_id.as_deref(),
            detail: &detail,
            // Someone should call the supplier within a day.
            due_at: now + crate::domain::suppliers::DAY_MICROS,
            now,
        },
    )
    .await?;
    for case in &cases_found {
        cases::insert_event(
            &mut transaction,
            &NewEvent {
                shop_id: &away.shop_id,
                case_id: &case.id,
                at: now,
                actor_role: Role::System,
                actor_id: None,
                action: "send_out_overdue",
                from_status: None,
                to_status: None,
                data: json!({ "follow_up_id": task, "send_out": detail }),
            },
        )
        .await?;
    }
    outbox::insert(
        &mut transaction,
        &outbox::NewMessage {
            shop_id: &away.shop_id,
            case_id: Some(&first.id),
            audience: "staff",
            topic: "send_out_overdue",
            payload: &json!({
                "follow_up_id": task,
                "kind": "send_out_overdue",
                "order_id": first.order_id,
                "assignee_id": first.assignee_id,
                "text": send_out.supplier_name,
                "parcel": {
                    "carrier": send_out.carrier,
                    "tracking_number": send_out.tracking_number,
                    "days": days,
                },
            }),
            now,
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(true)
}
