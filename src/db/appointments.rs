//! Repair locations, the booked count of each slot, and appointments.

use sqlx::AnyPool;

use super::columns::{Flag, JsonText};
use super::{Transaction, new_id};
use crate::domain::appointments::Slot;
use crate::domain::identifiers::ShopId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LocationRecord {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    #[sqlx(try_from = "JsonText<Vec<String>>")]
    pub services: Vec<String>,
    #[sqlx(try_from = "JsonText<Vec<Slot>>")]
    pub slots: Vec<Slot>,
    #[sqlx(try_from = "JsonText<Vec<String>>")]
    pub blackout: Vec<String>,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
    pub version: i64,
    pub updated_at: i64,
}

const LOCATION_COLUMNS: &str =
    "id, name, address, services, slots, blackout, active, version, updated_at";

pub struct LocationFields<'a> {
    pub name: &'a str,
    pub address: Option<&'a str>,
    pub services: &'a [String],
    pub slots: &'a [Slot],
    pub blackout: &'a [String],
    pub active: bool,
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

pub async fn insert_location(
    pool: &AnyPool,
    shop_id: &ShopId,
    fields: &LocationFields<'_>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO repair_locations (id, shop_id, name, address, services, slots, blackout, active, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
    )
    .bind(&id)
    .bind(shop_id)
    .bind(fields.name)
    .bind(fields.address)
    .bind(json(&fields.services))
    .bind(json(&fields.slots))
    .bind(json(&fields.blackout))
    .bind(i64::from(fields.active))
    .bind(now)
    .execute(pool)
    .await?;
    Ok(id)
}

/// Replaces a location's fields if it is still at `version`.
pub async fn update_location(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
    version: i64,
    fields: &LocationFields<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE repair_locations SET name = $1, address = $2, services = $3, slots = $4, blackout = $5, \
         active = $6, version = version + 1, updated_at = $7 WHERE shop_id = $8 AND id = $9 AND version = $10",
    )
    .bind(fields.name)
    .bind(fields.address)
    .bind(json(&fields.services))
    .bind(json(&fields.slots))
    .bind(json(&fields.blackout))
    .bind(i64::from(fields.active))
    .bind(now)
    .bind(shop_id)
    .bind(id)
    .bind(version)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn location(
    pool: &AnyPool,
    shop_id: &ShopId,
    id: &str,
) -> Result<Option<LocationRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {LOCATION_COLUMNS} FROM repair_locations WHERE shop_id = $1 AND id = $2"
    )))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn locations(
    pool: &AnyPool,
    shop_id: &ShopId,
) -> Result<Vec<LocationRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {LOCATION_COLUMNS} FROM repair_locations WHERE shop_id = $1 ORDER BY name, id"
    )))
    .bind(shop_id)
    .fetch_all(pool)
    .await
}

/// How many of each slot of a location are booked on the days `from`–`to` (YYYY-MM-DD).
pub async fn booked(
    pool: &AnyPool,
    location_id: &str,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT day, slot, booked FROM appointment_slots WHERE location_id = $1 AND day >= $2 AND day <= $3",
    )
    .bind(location_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

/// Takes one place in a slot if fewer than `capacity` are booked; false when it is full.
pub async fn take_place(
    transaction: &mut Transaction,
    location_id: &str,
    day: &str,
    slot: &str,
    capacity: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "INSERT INTO appointment_slots (location_id, day, slot, booked) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (location_id, day, slot) DO NOTHING",
    )
    .bind(location_id)
    .bind(day)
    .bind(slot)
    .execute(&mut **transaction)
    .await?;
    let done = sqlx::query(
        "UPDATE appointment_slots SET booked = booked + 1 \
         WHERE location_id = $1 AND day = $2 AND slot = $3 AND booked < $4",
    )
    .bind(location_id)
    .bind(day)
    .bind(slot)
    .bind(capacity)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a place back.
pub async fn free_place(
    transaction: &mut Transaction,
    location_id: &str,
    day: &str,
    slot: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE appointment_slots SET booked = booked - 1 \
         WHERE location_id = $1 AND day = $2 AND slot = $3 AND booked > 0",
    )
    .bind(location_id)
    .bind(day)
    .bind(slot)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentRecord {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub location_id: String,
    pub location_name: String,
    pub address: Option<String>,
    pub service: String,
    pub day: String,
    pub slot: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: String,
    pub reminded_at: Option<i64>,
    pub version: i64,
    pub customer_name: Option<String>,
}

const APPOINTMENT_COLUMNS: &str = "a.id, a.case_id, c.number AS case_number, a.location_id, \
    l.name AS location_name, l.address, a.service, a.day, a.slot, a.starts_at, a.ends_at, a.status, \
    a.reminded_at, a.version, c.contact_name AS customer_name \
    FROM appointments a JOIN repair_locations l ON l.id = a.location_id JOIN cases c ON c.id = a.case_id";

pub struct NewAppointment<'a> {
    pub shop_id: &'a ShopId,
    pub case_id: &'a str,
    pub location_id: &'a str,
    pub service: &'a str,
    pub day: &'a str,
    pub slot: &'a str,
    pub bounds: (i64, i64),
    pub now: i64,
}

/// Books; None when the case has a booking already.
pub async fn insert(
    transaction: &mut Transaction,
    booking: &NewAppointment<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let done = sqlx::query(
        "INSERT INTO appointments (id, shop_id, case_id, location_id, service, day, slot, starts_at, ends_at, status, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'booked', 1, $10, $10) ON CONFLICT DO NOTHING",
    )
    .bind(&id)
    .bind(booking.shop_id)
    .bind(booking.case_id)
    .bind(booking.location_id)
    .bind(booking.service)
    .bind(booking.day)
    .bind(booking.slot)
    .bind(booking.bounds.0)
    .bind(booking.bounds.1)
    .bind(booking.now)
    .execute(&mut **transaction)
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

/// Moves a booking to another slot if it is still at `version`.
pub async fn move_to(
    transaction: &mut Transaction,
    id: &str,
    version: i64,
    booking: &NewAppointment<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE appointments SET location_id = $1, service = $2, day = $3, slot = $4, starts_at = $5, ends_at = $6, \
         reminded_at = NULL, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9 AND status = 'booked'",
    )
    .bind(booking.location_id)
    .bind(booking.service)
    .bind(booking.day)
    .bind(booking.slot)
    .bind(booking.bounds.0)
    .bind(booking.bounds.1)
    .bind(booking.now)
    .bind(id)
    .bind(version)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn cancel(
    transaction: &mut Transaction,
    id: &str,
    version: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE appointments SET status = 'cancelled', version = version + 1, updated_at = $1 \
         WHERE id = $2 AND version = $3 AND status = 'booked'",
    )
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The case's booking, if it has one.
pub async fn of_case(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    case_id: &str,
) -> Result<Option<AppointmentRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {APPOINTMENT_COLUMNS} WHERE a.case_id = $1 AND a.status = 'booked'"
    )))
    .bind(case_id)
    .fetch_optional(executor)
    .await
}

/// The shop's bookings of a day, by time and location.
pub async fn of_day(
    pool: &AnyPool,
    shop_id: &ShopId,
    day: &str,
) -> Result<Vec<AppointmentRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {APPOINTMENT_COLUMNS} WHERE a.shop_id = $1 AND a.day = $2 AND a.status = 'booked' \
         ORDER BY a.starts_at, l.name, a.id"
    )))
    .bind(shop_id)
    .bind(day)
    .fetch_all(pool)
    .await
}

/// Bookings starting before `before` not yet reminded (at most `limit`): (id, shop, case).
pub async fn to_remind(
    pool: &AnyPool,
    now: i64,
    before: i64,
    limit: i64,
) -> Result<Vec<(String, ShopId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, shop_id, case_id FROM appointments WHERE status = 'booked' AND reminded_at IS NULL \
         AND starts_at > $1 AND starts_at <= $2 ORDER BY starts_at LIMIT $3",
    )
    .bind(now)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Marks the booking reminded; false when another worker did.
pub async fn mark_reminded(
    transaction: &mut Transaction,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE appointments SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL AND status = 'booked'",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(done.rows_affected() == 1)
}
