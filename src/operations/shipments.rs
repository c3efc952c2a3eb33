//! Shipments and scans added by hand (a parcel the carrier does not push, a phone call to the
//! carrier), and follow-up tasks marked done. Same paths as the carriers' pushes.

use serde::Deserialize;
use utoipa::ToSchema;

use super::orders::time_field;
use super::text_field;
use crate::db::follow_ups::{self, FollowUp};
use crate::db::orders;
use crate::db::shipments::{self, NewShipment, ShipmentRecord};
use crate::db::shops::Actor;
use crate::db::{Database, cases};
use crate::domain::parcels::{ParcelState, TrackingUpdate};
use crate::domain::permissions::Capability;
use crate::error::{AppError, AppResult};

fn staff_only(actor: &Actor) -> AppResult<()> {
    AppError::require(actor.role, Capability::HandleParcels)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentInput {
    /// `to_customer` (the original delivery, a replacement, a repaired item) or `to_shop`
    /// (the customer's return).
    pub direction: String,
    pub carrier: String,
    pub tracking_number: String,
    /// The case the parcel belongs to, if any (it must be a case of this order).
    pub case_id: Option<String>,
    /// When it left (RFC 3339, or a local time in the shop's zone); default now.
    pub shipped_at: Option<String>,
}

/// Adds a parcel to one of the shop's orders.
pub async fn add(
    database: &Database,
    actor: &Actor,
    order_id: &str,
    input: &ShipmentInput,
) -> AppResult<ShipmentRecord> {
    staff_only(actor)?;
    let direction = input.direction.trim();
    if !matches!(direction, "to_customer" | "to_shop") {
        return Err(AppError::invalid(
            "direction",
            format!("unknown direction '{direction}'; use to_customer or to_shop"),
        ));
    }
    let carrier = text_field("carrier", Some(&input.carrier), true, 60)?.unwrap_or_default();
    let tracking_number =
        text_field("tracking_number", Some(&input.tracking_number), true, 60)?.unwrap_or_default();
    let shipped_at = time_field("shipped_at", input.shipped_at.as_deref(), actor)?
        .unwrap_or_else(|| database.clock.now());
    let order = orders::get(&database.reader, &actor.shop.id, order_id)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    if let Some(case_id) = &input.case_id {
        let case = cases::get(&database.reader, &actor.shop.id, case_id)
            .await?
            .filter(|case| case.order_id == order.id);
        if case.is_none() {
            return Err(AppError::invalid(
                "case_id",
                format!("no case '{case_id}' on order {}", order.order_number),
            ));
        }
    }
    let to_customer = direction == "to_customer";
    let expected = match to_customer {
        true => {
            let address = shipments::destination(&database.reader, &order.id).await?;
            super::arrival::expected(
                database,
                &actor.shop.id,
                address.as_deref(),
                &carrier,
                shipped_at,
            )
            .await?
        }
        false => None,
    };
    let mut transaction = database.begin().await?;
    let id = shipments::insert(
        &mut transaction,
        &actor.shop.id,
        &NewShipment {
            order_id: &order.id,
            case_id: input.case_id.as_deref(),
            direction,
            carrier: &carrier,
            tracking_number: &tracking_number,
            status: ParcelState::InTransit.as_str(),
            shipped_at: Some(shipped_at),
            delivered_at: None,
        },
        database.clock.now(),
    )
    .await?;
    if let Some(expected) = &expected {
        super::arrival::keep(&mut transaction, &id, expected).await?;
    }
    if to_customer {
        super::arrival::announce(
            &mut transaction,
            &actor.shop.id,
            &id,
            shipped_at,
            database.clock.now(),
        )
        .await?;
    }
    transaction.commit().await?;
    shipments::get(&database.reader, &actor.shop.id, &id)
        .await?
        .ok_or(AppError::NotFound("shipment"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanInput {
    /// in_transit, delivered or exception
    pub state: String,
    /// What was seen, e.g. "已签收，签收人：前台".
    pub description: String,
    /// When (RFC 3339, or a local time in the shop's zone); default now.
    pub at: Option<String>,
}

/// Records a scan by hand, as a carrier's push would: a delivered return is received.
pub async fn scan(
    database: &Database,
    actor: &Actor,
    shipment_id: &str,
    input: &ScanInput,
) -> AppResult<(&'static str, String)> {
    staff_only(actor)?;
    let state = ParcelState::parse(input.state.trim()).ok_or_else(|| {
        AppError::invalid(
            "state",
            format!(
                "unknown state '{}'; use in_transit, delivered or exception",
                input.state
            ),
        )
    })?;
    let description =
        text_field("description", Some(&input.description), true, 500)?.unwrap_or_default();
    let at = time_field("at", input.at.as_deref(), actor)?;
    let shipment = shipments::get(&database.reader, &actor.shop.id, shipment_id)
        .await?
        .ok_or(AppError::NotFound("shipment"))?;
    super::parcels::record(
        database,
        &actor.shop,
        &TrackingUpdate {
            tracking_number: shipment.tracking_number,
            carrier: shipment.carrier,
            state,
            at,
            description,
            expected: None,
        },
    )
    .await
}

/// Marks a follow-up task done, with what was found; a second time is a conflict.
pub async fn finish(
    database: &Database,
    actor: &Actor,
    id: &str,
    note: Option<&str>,
) -> AppResult<FollowUp> {
    staff_only(actor)?;
    let note = text_field("note", note, false, 1000)?;
    let task = follow_ups::get(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("follow-up"))?;
    let closed = follow_ups::finish(
        &database.writer,
        &actor.shop.id,
        &task.id,
        actor.staff_id.as_deref(),
        note.as_deref(),
        database.clock.now(),
    )
    .await?;
    if !closed {
        return Err(AppError::Conflict {
            code: "already_done",
            message: "this follow-up was done already".into(),
            details: serde_json::json!({ "done_at": task.done_at }),
        });
    }
    follow_ups::get(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("follow-up"))
}
