//! Moving a case through its lifecycle: one guarded action at a time.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::cases::fetch;
use super::{clocks, sla, text_field};
use crate::db::Database;
use crate::db::cases::{self, CaseRecord, NewEvent};
use crate::db::settings;
use crate::db::shipments::{self, NewShipment};
use crate::db::shops::Actor;
use crate::domain::Action;
use crate::domain::lifecycle::{self, Moment};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    #[schema(pattern = "^[a-z_]+$")]
    pub action: String,
    /// The case version the caller saw; a newer version means someone else acted first.
    pub version: i64,
    /// Required for reject, inspect_fail and escalate.
    pub reason: Option<String>,
    pub note: Option<String>,
    /// For ship_return, ship_replacement and ship_back.
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// For inspect_pass and inspect_fail: what happens to the goods — restock, refurbish,
    /// scrap or return_to_vendor.
    #[serde(default)]
    #[schema(pattern = "^(restock|refurbish|scrap|return_to_vendor)$")]
    pub disposition: Option<String>,
    /// For close and resolve: end the case even though the customer's last message is
    /// unanswered (otherwise 409 `customer_unanswered`).
    #[serde(default)]
    pub close_unanswered: bool,
    /// For reject: the reason from the refusal's list (docs/PLATFORMS.md, "Refusals") — the
    /// request's (goods_shipped, not_as_described, period_passed, not_returnable,
    /// agreed_otherwise, other) or the returned goods' (not_received, not_our_goods, damaged,
    /// parts_missing, used, other). Needed when a platform's open after-sales record is linked.
    pub refusal_code: Option<String>,
    /// For reject: the platform's own reason id (Taobao's `refuse_reason_id`), passed on.
    pub platform_reason_id: Option<String>,
    /// For reject: ids of the case's photos that prove the refusal (Tmall wants one).
    #[serde(default)]
    pub proof: Vec<String>,
    /// For ship_replacement: the serial number (or IMEI) of the unit sent. It replaces the
    /// case's unit, and its warranty starts again when the customer receives it.
    pub serial_number: Option<String>,
}

/// What may happen to returned goods after inspection.
pub const DISPOSITIONS: &[&str] = &["restock", "refurbish", "scrap", "return_to_vendor"];

pub fn version_conflict(case: &CaseRecord, expected: i64) -> AppError {
    AppError::Conflict {
        code: "version_conflict",
        message: format!(
            "the case changed since you loaded it (version {expected}, now {}); reload it and try again",
            case.version
        ),
        details: json!({ "expected_version": expected, "current_version": case.version, "status": case.status }),
    }
}

/// Takes one lifecycle action on a case, if the state machine and the caller's role allow it.
pub async fn transition(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &TransitionInput,
) -> AppResult<CaseRecord> {
    let action = Action::parse(input.action.trim()).ok_or_else(|| {
        let known: Vec<&str> = Action::ALL.iter().map(|action| action.as_str()).collect();
        AppError::invalid(
            "action",
            format!(
                "unknown action '{}'; use one of: {}",
                input.action,
                known.join(", ")
            ),
        )
    })?;
    if action == Action::Refund {
        return Err(AppError::bad_request(
            "refunds carry amounts: use POST /api/v1/cases/{id}/refunds with an Idempotency-Key",
        ));
    }
    let reason = text_field(
        "reason",
        input.reason.as_deref(),
        lifecycle::needs_reason(action),
        1000,
    )?;
    let note = text_field("note", input.note.as_deref(), false, 2000)?;
    let shipping = matches!(
        action,
        Action::ShipReturn | Action::ShipReplacement | Action::ShipBack
    );
    let carrier = text_field("carrier", input.carrier.as_deref(), shipping, 64)?;
    let tracking_number = text_field(
        "tracking_number",
        input.tracking_number.as_deref(),
        shipping,
        64,
    )?;
    let disposition = match input.disposition.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(_) if !matches!(action, Action::InspectPass | Action::InspectFail) => {
            return Err(AppError::invalid(
                "disposition",
                "a disposition goes with inspect_pass or inspect_fail only",
            ));
        }
        Some(disposition) if DISPOSITIONS.contains(&disposition) => Some(disposition),
        Some(other) => {
            return Err(AppError::invalid(
                "disposition",
                format!(
                    "unknown disposition '{other}'; use one of: {}",
                    DISPOSITIONS.join(", ")
                ),
            ));
        }
    };
    let shop = &actor.shop;
    let now = database.clock.now();
    let settings = settings::get(database, &shop.id).await?;
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &shop.id, id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    if case.version != input.version {
        return Err(version_conflict(&case, input.version));
    }
    super::checklist::require(&mut transaction, actor, &settings, &case, action).await?;
    // A refund the buyer asked on the platform before the order shipped (售中) cannot be refused
    // there (Taobao: the buyer gets the money back unless the goods went out).
    if action == Action::Reject
        && case.order_shipped_at.is_none()
        && let Some(refund_id) =
            crate::db::aftersales::unshipped_request_of(&mut transaction, &case.id).await?
    {
        return Err(AppError::Conflict {
            code: "platform_forbids_refusal",
            message: format!(
                "the buyer asked refund {refund_id} on the platform before the order shipped (售中): \
                 the platform does not let the shop refuse it; agree to it, or ship the order and \
                 answer on the platform"
            ),
            details: json!({ "refund_id": refund_id }),
        });
    }
    if let Some(since) = case.customer_waiting_since
        && matches!(action, Action::Close | Action::Resolve)
        && actor.role.is_staff()
        && !input.close_unanswered
    {
        return Err(AppError::Conflict {
            code: "customer_unanswered",
            message: format!(
                "the customer's message of {} is unanswered: reply first, or {} anyway (close_unanswered: true)",
                crate::domain::time::format_in_zone(since, &shop.time_zone),
                action.as_str()
            ),
            details: json!({ "customer_waiting_since": crate::domain::time::format_in_zone(since, &shop.time_zone) }),
        });
    }
    let mut data = json!({});
    if let Some(reason) = &reason {
        data["reason"] = json!(reason);
    }
    if let Some(note) = &note {
        data["note"] = json!(note);
    }
    if let Some(disposition) = disposition {
        data["disposition"] = json!(disposition);
    }
    if let (Some(carrier), Some(tracking_number)) = (&carrier, &tracking_number) {
        let direction = if action == Action::ShipReturn {
            "to_shop"
        } else {
            "to_customer"
        };
        let shipment_id = shipments::insert(
            &mut transaction,
            &shop.id,
            &NewShipment {
                order_id: &case.order_id,
                case_id: Some(id),
                direction,
                carrier,
                tracking_number,
                status: "in_transit",
                shipped_at: Some(now),
                delivered_at: None,
            },
            database.clock.now(),
        )
        .await?;
        data["shipment"] = json!({ "id": shipment_id, "carrier": carrier, "tracking_number": tracking_number, "direction": direction });
        // A replacement or repaired item: when it should arrive, in the case's own message.
        if direction == "to_customer" {
            let address = shipments::destination(&database.reader, &case.order_id).await?;
            if let Some(expected) =
                super::arrival::expected(database, &shop.id, address.as_deref(), carrier, now)
                    .await?
            {
                super::arrival::keep(&mut transaction, &shipment_id, &expected).await?;
                data["shipment"]["expected"] = json!({
                    "from_at": expected.from, "to_at": expected.to, "basis": expected.basis,
                });
            }
        }
    }
    let serial = text_field("serial_number", input.serial_number.as_deref(), false, 64)?;
    if let Some(serial) = &serial {
        data["serial_number"] = json!(serial);
        replace_unit(&mut transaction, &shop.id, &case, action, serial, now).await?;
    }
    let refusal_code = text_field("refusal_code", input.refusal_code.as_deref(), false, 32)?;
    let platform_reason_id = text_field(
        "platform_reason_id",
        input.platform_reason_id.as_deref(),
        false,
        32,
    )?;
    if input.proof.len() > 6 {
        return Err(AppError::invalid("proof", "at most 6 photos as proof"));
    }
    if let Some(refusal) = super::refusals::check(
        database,
        &case,
        action,
        case.status,
        &super::refusals::Given {
            code: refusal_code.as_deref(),
            platform_reason_id: platform_reason_id.as_deref(),
            proof: &input.proof,
            reason: reason.as_deref(),
        },
    )
    .await?
    {
        data["refusal"] = refusal;
    }
    super::replacements::before(&mut transaction, &case, action, now).await?;
    let to = take(&mut transaction, actor, &case, action, data, &settings, now).await?;
    transaction.commit().await?;
    if case.status.is_open() && !to.is_open() {
        crate::metrics::case_ended(case.kind.as_str(), to.as_str());
    }
    fetch(database, actor, id).await
}

/// An exchange's replacement unit, by its serial: kept on the case's one line in place of the
/// unit there now.
async fn replace_unit(
    transaction: &mut crate::db::Transaction,
    shop_id: &crate::domain::identifiers::ShopId,
    case: &CaseRecord,
    action: Action,
    serial: &str,
    now: i64,
) -> AppResult<()> {
    if action != Action::ShipReplacement {
        return Err(AppError::invalid(
            "serial_number",
            "a serial number goes with ship_replacement only",
        ));
    }
    let lines = cases::lines_in(transaction, &case.id).await?;
    let [line] = lines.as_slice() else {
        return Err(AppError::invalid(
            "serial_number",
            "the case has several lines: a serial number names one unit, send it on a case of one line",
        ));
    };
    let replaced = crate::db::units::latest_on_line(transaction, &line.order_line_id)
        .await?
        .or_else(|| line.serial_number.clone())
        .unwrap_or_default();
    let kept = crate::db::units::insert(
        transaction,
        shop_id,
        (serial, &line.order_line_id, &case.id, &replaced),
        now,
    )
    .await?;
    if !kept {
        return Err(AppError::Conflict {
            code: "serial_known",
            message: format!("serial number {serial} is already one of the shop's units"),
            details: json!({ "serial_number": serial }),
        });
    }
    Ok(())
}

/// Turns an exchange the case holds locked into a return and refund (the replacement is out of
/// stock and the customer agreed, or the platform turned it, Tmall's 请退款): the goods still come
/// back, the money goes back instead of a replacement. Possible while nothing was sent to the
/// customer; the timeline says why, and the clocks follow the new kind.
pub async fn exchange_to_refund(
    transaction: &mut crate::db::Transaction,
    actor: &Actor,
    case: &CaseRecord,
    why: serde_json::Value,
    settings: &crate::domain::settings::ShopSettings,
    now: i64,
) -> AppResult<CaseRecord> {
    use crate::domain::{CaseKind, Status};
    let convertible = matches!(
        case.status,
        Status::Submitted
            | Status::Approved
            | Status::ReturnShipped
            | Status::Received
            | Status::Inspected
            | Status::InspectionFailed
    );
    if case.kind != CaseKind::Exchange || !convertible {
        return Err(AppError::Conflict {
            code: "not_convertible",
            message: format!(
                "only an exchange whose replacement has not gone out turns into a refund (this is a {} case, {})",
                case.kind, case.status
            ),
            details: json!({ "kind": case.kind, "status": case.status }),
        });
    }
    if !cases::set_kind(
        transaction,
        &case.id,
        case.version,
        CaseKind::ReturnAndRefund,
        now,
    )
    .await?
    {
        return Err(version_conflict(case, case.version));
    }
    let mut data = why;
    data["from"] = json!(CaseKind::Exchange);
    data["to"] = json!(CaseKind::ReturnAndRefund);
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action: "converted",
            from_status: None,
            to_status: None,
            data,
        },
    )
    .await?;
    super::replacements::let_go(transaction, case, now).await?;
    let mut converted = case.clone();
    converted.kind = CaseKind::ReturnAndRefund;
    converted.version += 1;
    // A clock of the exchange that the return does not have stops; the return's own starts.
    clocks::restart(transaction, &converted, converted.status, settings, now).await?;
    Ok(converted)
}

/// Takes `action` on a case the transaction holds locked: the guard, the new status (checked
/// against the version read), the event with `data`, the clocks and the SLA. The status reached.
pub async fn take(
    transaction: &mut crate::db::Transaction,
    actor: &Actor,
    case: &CaseRecord,
    action: Action,
    data: serde_json::Value,
    settings: &crate::domain::settings::ShopSettings,
    now: i64,
) -> AppResult<crate::domain::Status> {
    let shop = &actor.shop;
    let to = lifecycle::next_status(
        case.kind,
        case.status,
        action,
        actor.role,
        Moment {
            now,
            ended_at: case.ended_at,
        },
    )?;
    let ended_at = if to.is_open() { None } else { Some(now) };
    if !cases::set_status(
        transaction,
        &shop.id,
        &case.id,
        case.version,
        to,
        now,
        ended_at,
    )
    .await?
    {
        return Err(version_conflict(case, case.version));
    }
    super::costs::after_action(transaction, actor, case, action, &data, settings, now).await?;
    if action == Action::Approve && case.kind == crate::domain::CaseKind::Repair {
        super::invoices::after_repair_approved(transaction, actor, case, now).await?;
    }
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &shop.id,
            case_id: &case.id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action: action.as_str(),
            from_status: Some(case.status),
            to_status: Some(to),
            data,
        },
    )
    .await?;
    super::parcels::arrived_by(transaction, &case.id, action, now).await?;
    if action == Action::ConfirmDelivery {
        crate::db::units::delivered(transaction, &case.id, now).await?;
    }
    if let Some(owed) = super::replacements::after(transaction, case, action, to, now).await? {
        let mut moved = case.clone();
        moved.status = to;
        moved.version += 1;
        super::replacements::refund_difference(transaction, actor, &moved, owed, settings, now)
            .await?;
    }
    clocks::restart(transaction, case, to, settings, now).await?;
    sla::after_change(
        transaction,
        case,
        to,
        actor.role,
        settings,
        &shop.time_zone,
        now,
    )
    .await?;
    Ok(to)
}
