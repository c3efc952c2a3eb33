//! The case page's repairs with suppliers: send a diagnosing repair to a supplier, and for each
//! send-out of the case its targets, the supplier's finding, its result (with a charge or a
//! credit and the parcel back), and the item back.

use axum::extract::{Path, State};

use super::answer;
use super::forms::{text, typed_amount, version};
use crate::db::suppliers::SendOutRecord;
use crate::domain::{CaseKind, Status};
use crate::http::console::form::{Fields, Posted};
use crate::http::console::rows::Choice;
use crate::http::console::{PageResult, Staff};
use crate::i18n::Language;
use crate::operations::send_outs::{
    self, BackInput, CaseVersion, ChargeInput, FindingInput, ResultInput, SendOutInput,
};
use crate::state::AppState;

/// A unit the case is about: its serial, where it came from, its warranty today, its cases.
pub struct UnitPart {
    pub serial: String,
    pub origin: String,
    pub warranty: String,
    pub free_repair: bool,
    pub explanation: String,
    /// (case id, number, kind and status in words), the other cases about the unit.
    pub cases: Vec<(String, String, String)>,
}

impl UnitPart {
    pub fn new(
        language: Language,
        unit: crate::operations::units::UnitView,
        case_id: &str,
    ) -> UnitPart {
        let origin = match (&unit.replaces, &unit.replaced_by) {
            (Some(replaces), _) => language.text_args(
                "unit-replacement",
                &[
                    ("code", replaces.as_str()),
                    ("number", unit.sent_by_case.as_deref().unwrap_or_default()),
                ],
            ),
            (None, _) => language.text_with("unit-sold", "number", &unit.order_number),
        };
        let origin = match &unit.replaced_by {
            Some(next) => format!(
                "{origin} · {}",
                language.text_with("unit-replaced-by", "code", next)
            ),
            None => origin,
        };
        let repair = unit
            .warranty
            .iter()
            .find(|remedy| remedy.remedy == crate::domain::policy::Remedy::Repair);
        let explanation = repair
            .and_then(|remedy| remedy.explanation.as_ref())
            .map(|text| match language {
                Language::Chinese => text.chinese.clone(),
                Language::English => text.english.clone(),
            })
            .unwrap_or_default();
        let free_repair = unit.free_repair.unwrap_or(false);
        UnitPart {
            serial: unit.serial_number,
            origin,
            warranty: match unit.free_repair {
                Some(true) => language.text("unit-free-repair"),
                Some(false) => language.text("unit-paid-repair"),
                None => String::new(),
            },
            free_repair,
            explanation,
            cases: unit
                .cases
                .into_iter()
                .filter(|case| case.id != case_id)
                .map(|case| {
                    let what = format!(
                        "{} · {}",
                        language.text(&format!("kind-{}", case.kind)),
                        language.text(&format!("staff-status-{}", case.status))
                    );
                    (case.id, case.number, what)
                })
                .collect(),
        }
    }
}

/// A send-out as the case page shows it.
pub struct SendOutRow {
    pub id: String,
    pub supplier: String,
    pub stage: String,
    pub sent: String,
    pub confirm_by: String,
    pub back_by: String,
    pub parcel: String,
    pub return_parcel: String,
    pub report: String,
    pub result_note: String,
    pub overdue: bool,
    pub has_finding: bool,
    pub has_result: bool,
    pub back: bool,
    pub version: i64,
}

/// The part: the send-outs, and what may be done now.
pub struct RepairPart {
    pub send_outs: Vec<SendOutRow>,
    /// Active suppliers to send to (empty when the case cannot go now).
    pub suppliers: Vec<Choice>,
    pub findings: Vec<Choice>,
    pub results: Vec<Choice>,
    pub can_handle: bool,
}

fn day(micros: i64, zone: &jiff::tz::TimeZone) -> String {
    crate::domain::time::local_date(micros, zone).to_string()
}

fn row(language: Language, zone: &jiff::tz::TimeZone, record: SendOutRecord) -> SendOutRow {
    let parcel = |carrier: &Option<String>, tracking: &Option<String>| match (carrier, tracking) {
        (Some(carrier), Some(tracking)) => format!("{carrier} {tracking}"),
        _ => String::new(),
    };
    SendOutRow {
        supplier: record.supplier_name.clone(),
        stage: language.text(&format!("send-out-stage-{}", record.stage)),
        sent: day(record.sent_at, zone),
        confirm_by: day(record.confirm_due_at, zone),
        back_by: day(record.repair_due_at, zone),
        parcel: parcel(&record.carrier, &record.tracking_number),
        return_parcel: parcel(&record.return_carrier, &record.return_tracking_number),
        report: record.report.clone().unwrap_or_default(),
        result_note: record.result_note.clone().unwrap_or_default(),
        overdue: record.confirm_overdue_at.is_some() || record.repair_overdue_at.is_some(),
        has_finding: record.finding.is_some(),
        has_result: record.result.is_some(),
        back: record.back_at.is_some(),
        version: record.version,
        id: record.id,
    }
}

impl RepairPart {
    /// The part for a repair case; none for other kinds.
    pub async fn of_case(
        state: &AppState,
        staff: &Staff,
        case: &crate::db::cases::CaseRecord,
    ) -> Result<Option<RepairPart>, crate::error::AppError> {
        if case.kind != CaseKind::Repair {
            return Ok(None);
        }
        let language = staff.language;
        let shop = &staff.actor.shop;
        let records =
            crate::db::suppliers::of_case(&state.database.reader, &shop.id, &case.id).await?;
        let suppliers = match case.status {
            Status::Diagnosing => crate::db::suppliers::suppliers(&state.database.reader, &shop.id)
                .await?
                .into_iter()
                .filter(|supplier| supplier.active)
                .map(|supplier| Choice {
                    code: supplier.id,
                    name: supplier.name,
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(Some(RepairPart {
            send_outs: records
                .into_iter()
                .map(|record| row(language, &shop.time_zone, record))
                .collect(),
            suppliers,
            findings: Choice::named(
                language,
                "send-out-stage",
                &["confirmed", "not_confirmed", "not_reproducible"],
            ),
            results: Choice::named(
                language,
                "send-out-stage",
                &[
                    "repaired",
                    "replaced",
                    "unrepairable",
                    "returned_unrepaired",
                ],
            ),
            can_handle: crate::domain::permissions::allows(
                staff.role(),
                crate::domain::permissions::Capability::HandleRepairs,
            ),
        }))
    }
}

/// Sends the case to a supplier.
pub(in crate::http::console) async fn send(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let result = send_outs::create(
        &state.database,
        &staff.actor,
        &SendOutInput {
            supplier_id: text(&fields, "supplier_id").unwrap_or_default(),
            cases: vec![CaseVersion {
                id: id.clone(),
                version: version(&fields),
            }],
            carrier: text(&fields, "carrier"),
            tracking_number: text(&fields, "tracking_number"),
            note: text(&fields, "note"),
        },
    )
    .await
    .map(|_| ());
    answer(&state, &staff, &id, "send-out", fields, result).await
}

/// The supplier's finding, result or the item back: `step` names which.
pub(in crate::http::console) async fn step(
    State(state): State<AppState>,
    Path((id, send_out, step)): Path<(String, String, String)>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let version = version(&fields);
    let database = &state.database;
    let result = match step.as_str() {
        "finding" => send_outs::finding(
            database,
            &staff.actor,
            &send_out,
            &FindingInput {
                version,
                finding: text(&fields, "finding").unwrap_or_default(),
                report: text(&fields, "report"),
                photos: Vec::new(),
            },
        )
        .await
        .map(|_| ()),
        "result" => {
            let charge = match text(&fields, "charge") {
                None => Ok(None),
                Some(written) => typed_amount(&state, &staff, &id, "charge", &written)
                    .await
                    .map(Some),
            };
            match charge {
                Err(error) => Err(error),
                Ok(charge) => send_outs::result(
                    database,
                    &staff.actor,
                    &send_out,
                    &ResultInput {
                        version,
                        result: text(&fields, "result").unwrap_or_default(),
                        note: text(&fields, "note"),
                        finding: None,
                        report: None,
                        parts: Vec::new(),
                        charges: charge
                            .map(|amount_minor| ChargeInput {
                                case_id: Some(id.clone()),
                                kind: text(&fields, "charge_kind")
                                    .unwrap_or_else(|| "charge".into()),
                                amount_minor,
                                note: None,
                            })
                            .into_iter()
                            .collect(),
                        return_carrier: text(&fields, "return_carrier"),
                        return_tracking_number: text(&fields, "return_tracking_number"),
                    },
                )
                .await
                .map(|_| ()),
            }
        }
        _ => send_outs::back(database, &staff.actor, &send_out, &BackInput { version })
            .await
            .map(|_| ()),
    };
    answer(&state, &staff, &id, "send-out", fields, result).await
}
