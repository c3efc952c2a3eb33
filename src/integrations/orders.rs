//! Platform orders applied: each delivery becomes the order in its newest state and is logged
//! with what came of it, in the transaction that applied it. Several deliveries go through one
//! transaction the way an import's batch does (one read per kind for all, new orders written
//! together), which is how [`super::intake`] applies the webhooks waiting at a moment.

use std::collections::HashMap;

use serde_json::Value;

use super::platforms::{self, PlatformOrder};
use crate::db::batch::Batch;
use crate::db::orders::Outcome;
use crate::db::shops::{Actor, Shop};
use crate::db::{Database, Transaction, inbound, shipments};
use crate::domain::Role;
use crate::domain::order::{NewOrder, PaymentStatus};
use crate::domain::parcels::ParcelState;
use crate::error::{AppError, AppResult};
use crate::operations::platform_refunds;

/// What applying a delivery came to: a status of the inbound log and its detail.
pub type Done = (&'static str, String);

/// A platform order to apply: the shop it is for, the source it came from, the order as the
/// platform sent it and as checked, and the delivery to log with the outcome (none on a
/// replay, whose delivery is in the log already).
pub struct Arrival {
    pub shop: Shop,
    pub source: String,
    pub order: PlatformOrder,
    pub checked: NewOrder,
    pub delivery: Option<inbound::NewDelivery>,
}

impl Arrival {
    /// The platform order it is: (shop, source, the platform's id).
    pub fn key(&self) -> (&crate::domain::identifiers::ShopId, &str, &str) {
        (&self.shop.id, &self.source, &self.order.external_id)
    }
}

/// Whether a source's topic carries an order.
pub fn is_order(source: &str, topic: &str) -> bool {
    matches!(
        (source, topic),
        (
            "shopify",
            "orders/create"
                | "orders/updated"
                | "orders/paid"
                | "orders/fulfilled"
                | "orders/cancelled"
                | "orders/edited"
        ) | ("woocommerce", "order.created" | "order.updated")
            | ("generic", "order")
    )
}

/// A delivery's body read as an order from `source` and checked as the API checks one
/// (400/422 with the reason).
pub fn read(database: &Database, shop: &Shop, source: &str, body: &str) -> AppResult<Arrival> {
    let payload: Value = serde_json::from_str(body)
        .map_err(|error| AppError::bad_request(format!("the body is not JSON: {error}")))?;
    let order = match source {
        "shopify" => platforms::shopify_order(&payload),
        "generic" => platforms::generic_order(&payload),
        _ => platforms::woocommerce_order(&payload),
    }
    .map_err(|message| AppError::invalid("body", message))?;
    let actor = Actor {
        shop: shop.clone(),
        role: Role::System,
        staff_id: None,
    };
    let checked = crate::operations::orders::check(&actor, &order.input, database.clock.now())?;
    Ok(Arrival {
        shop: shop.clone(),
        source: source.to_string(),
        order,
        checked,
        delivery: None,
    })
}

/// Applies the arrivals in one transaction, each platform order at most once among them: an
/// order whose newer version was applied already is stale and left alone. Any error rolls the
/// whole transaction back (the caller then applies them one by one).
pub async fn apply(database: &Database, arrivals: &[Arrival]) -> AppResult<Vec<Done>> {
    let now = database.clock.now();
    // The delivery history new parcels' windows come from: once per shop whose orders name a
    // parcel on its way, read before the write transaction.
    let mut histories: HashMap<&str, Vec<crate::domain::arrival::Delivered>> = HashMap::new();
    for arrival in arrivals {
        let shop = arrival.shop.id.as_str();
        if arrival.checked.delivered_at.is_none()
            && !arrival.order.parcels.is_empty()
            && !histories.contains_key(shop)
        {
            let history = crate::operations::arrival::history(database, &arrival.shop.id).await?;
            histories.insert(shop, history);
        }
    }
    let mut transaction = database.begin().await?;
    let keys: Vec<_> = arrivals.iter().map(Arrival::key).collect();
    let applied = inbound::lock_external_orders(&mut transaction, &keys).await?;
    let fresh: Vec<usize> = (0..arrivals.len())
        .filter(|&index| applied[index] <= arrivals[index].order.updated_at)
        .collect();
    // The import's way, per shop: new orders in one statement, unchanged ones left alone.
    let mut by_shop: HashMap<&str, Vec<usize>> = HashMap::new();
    for &index in &fresh {
        by_shop
            .entry(arrivals[index].shop.id.as_str())
            .or_default()
            .push(index);
    }
    let mut stored: HashMap<usize, (String, Outcome)> = HashMap::new();
    for indexes in by_shop.values() {
        let orders: Vec<&NewOrder> = indexes
            .iter()
            .map(|&index| &arrivals[index].checked)
            .collect();
        let outcomes = crate::db::orders::upsert_many(
            &mut transaction,
            database.backend,
            &arrivals[indexes[0]].shop.id,
            &orders,
            now,
        )
        .await?;
        for (&index, outcome) in indexes.iter().zip(outcomes) {
            stored.insert(index, outcome?);
        }
    }
    let mut writes = Batch::new();
    let mut done = Vec::with_capacity(arrivals.len());
    for (index, arrival) in arrivals.iter().enumerate() {
        let number = arrival.checked.order_number.as_str();
        let outcome = match stored.remove(&index) {
            None => (
                "stale",
                format!("order {number}: a newer version was applied already"),
            ),
            Some((order_id, outcome)) => {
                let history = histories
                    .get(arrival.shop.id.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let outcome = follow(
                    &mut transaction,
                    database,
                    (arrival, history),
                    &order_id,
                    outcome,
                    now,
                )
                .await?;
                inbound::push_mark(
                    &mut writes,
                    arrival.key(),
                    arrival.order.updated_at,
                    &order_id,
                    &arrival.order.line_ids,
                );
                match outcome {
                    Outcome::Unchanged => ("unchanged", format!("order {number} as it was")),
                    _ => ("applied", format!("order {number} stored")),
                }
            }
        };
        if let Some(delivery) = &arrival.delivery {
            inbound::push_applied(&mut writes, delivery, outcome.0, &outcome.1, now);
        }
        done.push(outcome);
    }
    writes.execute(&mut transaction, database.backend).await?;
    transaction.commit().await?;
    Ok(done)
}

/// What follows the order in the same transaction: parcels not seen before join it (watched
/// from then on), refunds made on the platform are recorded, a void or wholly refunded order
/// stops shipping. The order's outcome, counting these changes.
async fn follow(
    transaction: &mut Transaction,
    database: &Database,
    (arrival, history): (&Arrival, &[crate::domain::arrival::Delivered]),
    order_id: &str,
    mut outcome: Outcome,
    now: i64,
) -> AppResult<Outcome> {
    let (shop, order, checked) = (&arrival.shop, &arrival.order, &arrival.checked);
    let mut changed = false;
    for parcel in &order.parcels {
        if !shipments::exists(transaction, order_id, &parcel.tracking_number).await? {
            let shipment_id = shipments::insert(
                transaction,
                &shop.id,
                &shipments::NewShipment {
                    order_id,
                    case_id: None,
                    direction: "to_customer",
                    carrier: &parcel.carrier,
                    tracking_number: &parcel.tracking_number,
                    status: ParcelState::InTransit.as_str(),
                    shipped_at: parcel.shipped_at,
                    delivered_at: None,
                },
                now,
            )
            .await?;
            // Not yet delivered: the buyer hears it is on its way, and when it should arrive.
            if checked.delivered_at.is_none() {
                let shipped_at = parcel.shipped_at.unwrap_or(now);
                let expected = crate::operations::arrival::expected_in(
                    history,
                    checked.customer.address.as_deref(),
                    &parcel.carrier,
                    shipped_at,
                );
                if let Some(expected) = &expected {
                    crate::operations::arrival::keep(transaction, &shipment_id, expected).await?;
                }
                crate::operations::arrival::announce(
                    transaction,
                    &shop.id,
                    &shipment_id,
                    shipped_at,
                    now,
                )
                .await?;
            }
            changed = true;
        }
    }
    let refunds = platform_refunds::record(
        transaction,
        database.backend,
        shop,
        order_id,
        &order.line_ids,
        &order.refunds,
        now,
    )
    .await?;
    let void = checked.cancelled_at.is_some() || checked.payment_status == PaymentStatus::Voided;
    // A new order without refunds is not all refunded: only a void one stops shipping.
    let new_and_whole = outcome == Outcome::Created && refunds == 0;
    let stopped = (void || !new_and_whole)
        && platform_refunds::stop_shipping_if_void(
            transaction,
            shop,
            order_id,
            checked.order_number.as_str(),
            void,
            now,
        )
        .await?;
    if (changed || refunds > 0 || stopped) && outcome == Outcome::Unchanged {
        outcome = Outcome::Updated;
    }
    Ok(outcome)
}

/// Applies one arrival, then logs its delivery if it could not be applied (see [`settle`]).
pub async fn apply_one(database: &Database, arrival: &Arrival) -> AppResult<Done> {
    let result = apply(database, std::slice::from_ref(arrival))
        .await
        .map(|mut done| done.remove(0));
    match &arrival.delivery {
        Some(delivery) => settle(database, delivery, result).await,
        None => result,
    }
}

/// Logs a delivery that could not be applied: one that cannot be (400/422) as failed, with
/// the reason; one that failed otherwise as received, to replay, and the error returned.
pub async fn settle(
    database: &Database,
    delivery: &inbound::NewDelivery,
    result: AppResult<Done>,
) -> AppResult<Done> {
    let message = match result {
        Ok(done) => return Ok(done),
        Err(AppError::Invalid { message, .. } | AppError::BadRequest { message, .. }) => message,
        Err(other) => {
            super::log(database, delivery).await?;
            return Err(other);
        }
    };
    let mut transaction = database.begin().await?;
    let mut writes = Batch::new();
    inbound::push_applied(
        &mut writes,
        delivery,
        "failed",
        &message,
        database.clock.now(),
    );
    writes.execute(&mut transaction, database.backend).await?;
    transaction.commit().await?;
    Ok(("failed", message))
}
