//! Shipping notices (docs/MANAGEMENT.md, "Shipping notices"): when a parcel leaves for the
//! customer, the window it should arrive in is estimated from the shop's own delivery history
//! (`domain::arrival`) and kept on the parcel; a parcel of the order's own delivery (a platform's
//! fulfilment, one added by hand) is announced to the buyer with that window and what to check
//! when signing. A replacement's or repaired item's window goes into its case's own message.

use serde_json::json;

use crate::db::shipments;
use crate::db::{Database, Transaction, outbox};
use crate::domain::arrival::{Basis, Delivered, Expected, estimate, province_of};
use crate::domain::identifiers::ShopId;
use crate::i18n::Language;

/// How many of the shop's latest deliveries an estimate reads (recent enough to follow the
/// carriers' current speed, few enough to read for every parcel).
const HISTORY: i64 = 300;
/// A parcel that left longer ago than this is not announced (the notice would come late).
const ANNOUNCE_WITHIN: i64 = 3 * 24 * 3_600_000_000;

/// The shop's latest deliveries, read once for the parcels of a batch (before its write
/// transaction).
pub async fn history(database: &Database, shop_id: &ShopId) -> Result<Vec<Delivered>, sqlx::Error> {
    Ok(
        shipments::delivery_history(&database.reader, shop_id, HISTORY)
            .await?
            .into_iter()
            .map(|past| Delivered {
                province: past.address.as_deref().and_then(province_of),
                carrier: past.carrier,
                transit_micros: past.transit,
            })
            .collect(),
    )
}

/// The window a parcel shipped at `shipped_at` with `carrier` to `address` should arrive in,
/// from a history read before.
pub fn expected_in(
    history: &[Delivered],
    address: Option<&str>,
    carrier: &str,
    shipped_at: i64,
) -> Option<Expected> {
    estimate(history, carrier, address.and_then(province_of), shipped_at)
}

/// The same for one parcel, reading the history.
pub async fn expected(
    database: &Database,
    shop_id: &ShopId,
    address: Option<&str>,
    carrier: &str,
    shipped_at: i64,
) -> Result<Option<Expected>, sqlx::Error> {
    let history = history(database, shop_id).await?;
    Ok(expected_in(&history, address, carrier, shipped_at))
}

/// Keeps the window on the parcel.
pub async fn keep(
    transaction: &mut Transaction,
    shipment_id: &str,
    expected: &Expected,
) -> Result<(), sqlx::Error> {
    shipments::set_expected(
        transaction,
        shipment_id,
        (expected.from, expected.to, expected.basis.as_str()),
    )
    .await
}

/// Tells the buyer their order's parcel is on its way (an outbox row for the notifier), unless
/// it left days ago.
pub async fn announce(
    transaction: &mut Transaction,
    shop_id: &ShopId,
    shipment_id: &str,
    shipped_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    if now - shipped_at > ANNOUNCE_WITHIN {
        return Ok(());
    }
    outbox::insert(
        transaction,
        &outbox::NewMessage {
            shop_id,
            case_id: None,
            audience: "shipment",
            topic: "shipment.shipped",
            payload: &json!({ "shipment_id": shipment_id }),
            now,
        },
    )
    .await?;
    Ok(())
}

/// The window as a person reads it: `12月8日` or `12月8日–12月9日` (`Dec 8 – Dec 9`).
pub fn window_text(from: i64, to: i64, zone: &jiff::tz::TimeZone, language: Language) -> String {
    let day = |micros: i64| crate::domain::time::local_date(micros, zone);
    let written = |date: jiff::civil::Date| match language {
        Language::Chinese => format!("{}月{}日", date.month(), date.day()),
        Language::English => date.strftime("%b %-d").to_string(),
    };
    let (first, last) = (day(from), day(to));
    if first == last {
        written(first)
    } else {
        format!("{}–{}", written(first), written(last))
    }
}

/// What the estimate rests on, in words (`arrival-basis-…`).
pub fn basis_text(basis: Option<&str>, language: Language) -> String {
    basis
        .and_then(Basis::parse)
        .map(|basis| language.text(&format!("arrival-basis-{}", basis.as_str())))
        .unwrap_or_default()
}
