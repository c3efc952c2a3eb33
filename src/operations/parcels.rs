//! Parcels that stall or run late become follow-up tasks, with a notice to the agent, before the
//! customer has to chase them ("still not here after five days"). Run by the clock worker.

use crate::db::follow_ups::{self, NewFollowUp, WatchedParcel};
use crate::db::shops::{Actor, Shop};
use crate::db::{Database, cases, outbox, settings, shipments};
use crate::domain::Role;
use crate::domain::identifiers::ShopId;
use crate::domain::parcels::{Concern, ParcelState, ParcelWatch, TrackingUpdate};
use crate::error::AppResult;
use serde_json::json;

const DAY_MICROS: i64 = 24 * 3_600_000_000;
/// Parcels looked at per shop and round; the next round takes the rest.
const BATCH: i64 = 200;

/// Follows up every parcel that stalled or ran late by `now`; returns the tasks opened.
pub async fn sweep(database: &Database, now: i64) -> anyhow::Result<usize> {
    let mut opened = 0;
    for shop_id in follow_ups::shops_with_parcels(&database.reader).await? {
        let watch = settings::get(database, &shop_id).await?.parcels;
        let shipped_before = now - i64::from(watch.late_days) * DAY_MICROS;
        let parcels = follow_ups::parcels_to_check(
            &database.reader,
            &shop_id,
            watch.still_since(now),
            shipped_before,
            BATCH,
        )
        .await?;
        for parcel in parcels {
            if let Some(concern) = watch.concern(parcel.shipped_at, parcel.moved_at, now)
                && follow_up(database, &shop_id, &parcel, concern, &watch, now).await?
            {
                opened += 1;
            }
        }
    }
    Ok(opened)
}

/// One parcel: flagged, a task for the case's assignee (or the shop), an event on its case,
/// a notice to the staff; all in one transaction, once however many workers look.
async fn follow_up(
    database: &Database,
    shop_id: &ShopId,
    parcel: &WatchedParcel,
    concern: Concern,
    watch: &ParcelWatch,
    now: i64,
) -> anyhow::Result<bool> {
    let case = match &parcel.case_id {
        Some(id) => cases::get(&database.reader, shop_id, id).await?,
        None => None,
    };
    let days = match concern {
        Concern::Stalled => watch.stalled_days,
        Concern::Late => watch.late_days,
    };
    let detail = json!({
        "carrier": parcel.carrier,
        "tracking_number": parcel.tracking_number,
        "direction": parcel.direction,
        "shipped_at": parcel.shipped_at,
        "moved_at": parcel.moved_at,
        "days": days,
    });
    let mut transaction = database.begin().await?;
    if !follow_ups::flag_parcel(&mut transaction, &parcel.id, now).await? {
        return Ok(false);
    }
    let assignee = case.as_ref().and_then(|case| case.assignee_id.clone());
    let Some(task_id) = follow_ups::insert(
        &mut transaction,
        &NewFollowUp {
            shop_id,
            kind: concern.as_str(),
            order_id: &parcel.order_id,
            case_id: parcel.case_id.as_deref(),
            shipment_id: Some(&parcel.id),
            assignee_id: assignee.as_deref(),
            detail: &detail,
            // Someone should call the carrier (and the customer) within a day.
            due_at: now + DAY_MICROS,
            now,
        },
    )
    .await?
    else {
        // Followed up for this before; the flag alone keeps it off the list until it moves.
        transaction.commit().await?;
        return Ok(false);
    };
    if let Some(case) = &case {
        cases::insert_event(
            &mut transaction,
            &cases::NewEvent {
                shop_id,
                case_id: &case.id,
                at: now,
                actor_role: Role::System,
                actor_id: None,
                action: concern.as_str(),
                from_status: None,
                to_status: None,
                data: json!({ "follow_up_id": task_id, "shipment": detail }),
            },
        )
        .await?;
    }
    outbox::insert(
        &mut transaction,
        &outbox::NewMessage {
            shop_id,
            case_id: parcel.case_id.as_deref(),
            audience: "staff",
            topic: concern.as_str(),
            payload: &json!({
                "follow_up_id": task_id,
                "kind": concern.as_str(),
                "order_id": parcel.order_id,
                "assignee_id": assignee,
                "parcel": detail,
            }),
            now,
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(true)
}

/// An action that proves a parcel arrived makes it delivered: the shop's receipt (the return
/// parcel), the customer's confirmation (the replacement or repaired item). No follow-up is
/// raised for it afterwards.
pub async fn arrived_by(
    transaction: &mut crate::db::Transaction,
    case_id: &str,
    action: crate::domain::Action,
    now: i64,
) -> Result<(), sqlx::Error> {
    let direction = match action {
        crate::domain::Action::Receive => "to_shop",
        crate::domain::Action::ConfirmDelivery => "to_customer",
        _ => return Ok(()),
    };
    shipments::mark_arrived(transaction, case_id, direction, now).await?;
    Ok(())
}

/// How a scan bears on a parcel, by the scan's own time against the newest one applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bearing {
    /// Newer: it sets the parcel's state.
    Applies,
    /// Older than a scan already applied, or a movement after delivery: kept on the timeline,
    /// but the state stays and nobody is told again.
    Late,
    /// The very scan already applied (a carrier resending): nothing to do.
    Repeat,
}

fn bearing(parcel: &shipments::ShipmentRecord, update: &TrackingUpdate, at: i64) -> Bearing {
    let state = update.state.as_str();
    let same_words = parcel.last_scan.as_deref() == Some(update.description.as_str());
    if parcel.status == state && same_words && parcel.scanned_at.is_none_or(|seen| at <= seen) {
        return Bearing::Repeat;
    }
    if parcel.scanned_at.is_some_and(|seen| at < seen) {
        return Bearing::Late;
    }
    // A delivered parcel is not "on its way" again because a scan says so (a late-arriving
    // hub scan); only a problem after delivery (refused, returned) is news.
    if parcel.delivered_at.is_some() && update.state == ParcelState::InTransit {
        return Bearing::Late;
    }
    Bearing::Applies
}

/// The order's own parcel moved while a refusal or an interception waits for it to come back:
/// delivered after all, the interception failed (or the buyer took the parcel): the case's
/// priority rises and its timeline says so, for a person to settle it with the buyer; a problem
/// scan (refused, returned) is noted on the case as the parcel starting back.
async fn parcel_back_news(
    database: &Database,
    shop: &Shop,
    parcel: &shipments::ShipmentRecord,
    update: &TrackingUpdate,
    at: i64,
) -> AppResult<()> {
    let action = match update.state {
        ParcelState::Delivered => "parcel_reached_buyer",
        ParcelState::Exception => "parcel_coming_back",
        ParcelState::InTransit => return Ok(()),
    };
    for case in crate::db::cases::waiting_for_parcel(&database.reader, &parcel.order_id).await? {
        let mut transaction = database.begin().await?;
        if action == "parcel_reached_buyer" {
            crate::db::cases::raise_priority(&mut transaction, &case.id, case.priority.raised())
                .await?;
        }
        crate::db::cases::insert_event(
            &mut transaction,
            &crate::db::cases::NewEvent {
                shop_id: &shop.id,
                case_id: &case.id,
                at: database.clock.now(),
                actor_role: Role::System,
                actor_id: None,
                action,
                from_status: None,
                to_status: None,
                data: json!({
                    "note": update.description,
                    "scanned_at": at,
                    "shipment": {
                        "carrier": parcel.carrier,
                        "tracking_number": parcel.tracking_number,
                        "direction": "to_customer",
                    },
                    "priority": if action == "parcel_reached_buyer" {
                        json!({ "from": case.priority, "to": case.priority.raised() })
                    } else {
                        json!(null)
                    },
                }),
            },
        )
        .await?;
        transaction.commit().await?;
    }
    Ok(())
}

/// A parcel's news on every shipment with its tracking number: its status and delivery time, a
/// `tracking` event on its case; a return delivered to the shop is received (by the system),
/// an original delivery dates the order's delivery (from which return windows count). Scans
/// count by their own time: a late older scan is recorded, never moves the state back and
/// never notifies; a repeated one is dropped. The carrier name typed stays; the carrier's own
/// code is kept beside it.
pub async fn record(
    database: &Database,
    shop: &Shop,
    update: &TrackingUpdate,
) -> AppResult<(&'static str, String)> {
    let parcels =
        shipments::by_tracking_number(&database.reader, &shop.id, &update.tracking_number).await?;
    if parcels.is_empty() {
        return Ok((
            "ignored",
            format!("no shipment has tracking number {}", update.tracking_number),
        ));
    }
    let state = update.state.as_str();
    let delivered = update.state == ParcelState::Delivered;
    let at = update.at.unwrap_or_else(|| database.clock.now());
    let carrier_code = Some(update.carrier.trim()).filter(|code| !code.is_empty());
    let system = Actor {
        shop: shop.clone(),
        role: Role::System,
        staff_id: None,
    };
    let mut changed = 0;
    let mut late = 0;
    for parcel in parcels {
        // The carrier's own estimate (a revision may come with no new scan) replaces ours.
        if let Some(expected) = update.expected
            && parcel.direction == "to_customer"
            && parcel.delivered_at.is_none()
            && parcel.expected_to != Some(expected)
        {
            let mut transaction = database.begin().await?;
            shipments::set_expected(
                &mut transaction,
                &parcel.id,
                (
                    expected,
                    expected,
                    crate::domain::arrival::Basis::CarrierEstimate.as_str(),
                ),
            )
            .await?;
            transaction.commit().await?;
            changed += 1;
        }
        let bearing = bearing(&parcel, update, at);
        if bearing == Bearing::Repeat {
            continue;
        }
        let direction = parcel.direction.clone();
        let case_id = parcel.case_id.clone();
        let mut transaction = database.begin().await?;
        if bearing == Bearing::Applies {
            shipments::record_scan(
                &mut transaction,
                &parcel.id,
                state,
                delivered,
                at,
                &update.description,
                carrier_code,
            )
            .await?;
        }
        match &case_id {
            Some(case_id) => {
                crate::db::cases::insert_event(
                    &mut transaction,
                    &crate::db::cases::NewEvent {
                        shop_id: &shop.id,
                        case_id,
                        at: database.clock.now(),
                        actor_role: Role::System,
                        actor_id: None,
                        // A late scan has no topic: it is on the timeline, and no one is told.
                        action: match bearing {
                            Bearing::Applies => "tracking",
                            _ => "tracking_late",
                        },
                        from_status: None,
                        to_status: None,
                        data: json!({
                            "note": update.description,
                            "shipment": {
                                "carrier": parcel.carrier,
                                "carrier_code": carrier_code,
                                "tracking_number": update.tracking_number,
                                "direction": direction,
                            },
                            "state": state,
                            "parcel_state": if bearing == Bearing::Applies { state } else { parcel.status.as_str() },
                            "scanned_at": update.at,
                        }),
                    },
                )
                .await?;
            }
            None if delivered && direction == "to_customer" && bearing == Bearing::Applies => {
                crate::db::orders::mark_delivered(&mut transaction, &parcel.order_id, at).await?;
            }
            None => {}
        }
        if bearing == Bearing::Late {
            transaction.commit().await?;
            late += 1;
            continue;
        }
        transaction.commit().await?;
        changed += 1;
        if case_id.is_none() && direction == "to_customer" {
            parcel_back_news(database, shop, &parcel, update, at).await?;
        }
        if delivered
            && direction == "to_shop"
            && let Some(case_id) = &case_id
            && let Some(case) = crate::db::cases::get(&database.reader, &shop.id, case_id).await?
            && case.status == crate::domain::Status::ReturnShipped
        {
            crate::operations::transitions::transition(
                database,
                &system,
                case_id,
                &crate::operations::transitions::TransitionInput {
                    action: "receive".into(),
                    version: case.version,
                    reason: None,
                    note: Some(
                        format!("{} {}", update.carrier, update.description)
                            .trim()
                            .to_string(),
                    ),
                    carrier: None,
                    tracking_number: None,
                    disposition: None,
                    close_unanswered: false,
                    refusal_code: None,
                    platform_reason_id: None,
                    proof: Vec::new(),
                    serial_number: None,
                },
            )
            .await?;
        }
    }
    let outcome = if changed > 0 { "applied" } else { "unchanged" };
    let mut words = format!(
        "{changed} shipment(s) with tracking number {} now {state}",
        update.tracking_number
    );
    if late > 0 {
        words.push_str(&format!(
            "; {late} older than the newest scan applied: recorded, state kept"
        ));
    }
    Ok((outcome, words))
}
