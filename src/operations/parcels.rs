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

/// A parcel's news on every shipment with its tracking number: its status and delivery time, a
/// `tracking` event on its case; a return delivered to the shop is received (by the system),
/// an original delivery dates the order's delivery (from which return windows count).
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
    let system = Actor {
        shop: shop.clone(),
        role: Role::System,
        staff_id: None,
    };
    let mut changed = 0;
    for parcel in parcels {
        if parcel.status == state
            && parcel.last_scan.as_deref() == Some(update.description.as_str())
        {
            continue;
        }
        let direction = parcel.direction;
        let case_id = parcel.case_id;
        let mut transaction = database.begin().await?;
        shipments::record_scan(
            &mut transaction,
            &parcel.id,
            state,
            delivered,
            at,
            &update.description,
        )
        .await?;
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
                        action: "tracking",
                        from_status: None,
                        to_status: None,
                        data: json!({
                            "note": update.description,
                            "shipment": { "carrier": update.carrier, "tracking_number": update.tracking_number, "direction": direction },
                            "state": state,
                            "scanned_at": update.at,
                        }),
                    },
                )
                .await?;
            }
            None if delivered && direction == "to_customer" => {
                crate::db::orders::mark_delivered(&mut transaction, &parcel.order_id, at).await?;
            }
            None => {}
        }
        transaction.commit().await?;
        changed += 1;
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
                },
            )
            .await?;
        }
    }
    Ok((
        if changed > 0 { "applied" } else { "unchanged" },
        format!(
            "{changed} shipment(s) with tracking number {} now {state}",
            update.tracking_number
        ),
    ))
}
