//! Repair appointments (docs/REPAIRS.md, "Appointments"): the shop's service points, the slots
//! still free, a booking made, moved or cancelled by the customer or the staff (never more than
//! a slot holds, however many book at once), the reminder the day before, and the day's list.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::text_field;
use crate::db::appointments::{
    self, AppointmentRecord, LocationFields, LocationRecord, NewAppointment,
};
use crate::db::cases::{self, CaseRecord, NewEvent};
use crate::db::shops::{Actor, Shop};
use crate::db::{Database, settings};
use crate::domain::appointments::{Service, Slot, bounds, check_slots, ics, offered, open_on};
use crate::domain::permissions::Capability;
use crate::domain::time::format_in_zone;
use crate::domain::{CaseKind, Role, Status};
use crate::error::{AppError, AppResult};

const HOUR_MICROS: i64 = 3_600_000_000;
/// How far ahead a customer may book, and how soon a slot may start after booking.
pub const DAYS_AHEAD: i64 = 14;
const LEAD_MICROS: i64 = 2 * HOUR_MICROS;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub name: Option<String>,
    pub address: Option<String>,
    /// drop_in, pickup, on_site (at least one).
    #[serde(default)]
    pub services: Vec<String>,
    /// The daily slots.
    #[serde(default)]
    pub slots: Vec<Slot>,
    /// Days it is closed besides the working calendar's days off (YYYY-MM-DD).
    #[serde(default)]
    pub blackout: Vec<String>,
    pub active: Option<bool>,
    /// For a change: the version read.
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocationView {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub services: Vec<String>,
    pub slots: Vec<Slot>,
    pub blackout: Vec<String>,
    pub active: bool,
    pub version: i64,
}

pub fn location_view(record: LocationRecord) -> LocationView {
    LocationView {
        id: record.id,
        name: record.name,
        address: record.address,
        services: record.services,
        slots: record.slots,
        blackout: record.blackout,
        active: record.active,
        version: record.version,
    }
}

struct Checked {
    name: String,
    address: Option<String>,
    services: Vec<String>,
    slots: Vec<Slot>,
    blackout: Vec<String>,
    active: bool,
}

fn check(input: &LocationInput) -> AppResult<Checked> {
    let name = text_field("name", input.name.as_deref(), true, 100)?.unwrap_or_default();
    let mut services = Vec::new();
    for service in &input.services {
        let service = Service::parse(service.trim()).ok_or_else(|| {
            AppError::invalid(
                "services",
                format!("unknown service '{service}'; use drop_in, pickup or on_site"),
            )
        })?;
        if !services.contains(&service.as_str().to_string()) {
            services.push(service.as_str().to_string());
        }
    }
    if services.is_empty() {
        return Err(AppError::invalid(
            "services",
            "give at least one service: drop_in, pickup or on_site",
        ));
    }
    let slots = check_slots(&input.slots).map_err(|message| AppError::invalid("slots", message))?;
    if input.blackout.len() > 366 {
        return Err(AppError::invalid("blackout", "at most 366 blackout days"));
    }
    let mut blackout = Vec::new();
    for day in &input.blackout {
        let date: Date = day.trim().parse().map_err(|_| {
            AppError::invalid("blackout", format!("'{day}' is not a day like 2026-12-24"))
        })?;
        blackout.push(date.to_string());
    }
    blackout.sort();
    blackout.dedup();
    Ok(Checked {
        name,
        address: text_field("address", input.address.as_deref(), false, 500)?,
        services,
        slots,
        blackout,
        active: input.active.unwrap_or(true),
    })
}

impl Checked {
    fn fields(&self) -> LocationFields<'_> {
        LocationFields {
            name: &self.name,
            address: self.address.as_deref(),
            services: &self.services,
            slots: &self.slots,
            blackout: &self.blackout,
            active: self.active,
        }
    }
}

fn name_taken(name: &str) -> AppError {
    AppError::Conflict {
        code: "location_name_taken",
        message: format!("the shop has a repair location called '{name}' already"),
        details: json!({ "name": name }),
    }
}

pub async fn create_location(
    database: &Database,
    actor: &Actor,
    input: &LocationInput,
) -> AppResult<LocationRecord> {
    AppError::require(actor.role, Capability::ManageSuppliers)?;
    let checked = check(input)?;
    let id = super::unless_taken(
        appointments::insert_location(
            &database.writer,
            &actor.shop.id,
            &checked.fields(),
            database.clock.now(),
        )
        .await,
        || name_taken(&checked.name),
    )?;
    location(database, actor, &id).await
}

pub async fn update_location(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &LocationInput,
) -> AppResult<LocationRecord> {
    AppError::require(actor.role, Capability::ManageSuppliers)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "version is required: the one you read"))?;
    let checked = check(input)?;
    let current = location(database, actor, id).await?;
    let changed = super::unless_taken(
        appointments::update_location(
            &database.writer,
            &actor.shop.id,
            id,
            version,
            &checked.fields(),
            database.clock.now(),
        )
        .await,
        || name_taken(&checked.name),
    )?;
    if !changed {
        return Err(super::changed_meanwhile(
            "location",
            version,
            current.version,
        ));
    }
    location(database, actor, id).await
}

pub async fn location(database: &Database, actor: &Actor, id: &str) -> AppResult<LocationRecord> {
    appointments::location(&database.writer, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("repair location"))
}

pub async fn locations(database: &Database, actor: &Actor) -> AppResult<Vec<LocationRecord>> {
    Ok(appointments::locations(&database.reader, &actor.shop.id).await?)
}

/// A slot one may book, with the places left.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Opening {
    pub location_id: String,
    /// YYYY-MM-DD, the shop's day.
    pub day: String,
    /// HH:MM
    pub start: String,
    pub end: String,
    pub free: i64,
}

fn blackout_days(record: &LocationRecord) -> Vec<Date> {
    record
        .blackout
        .iter()
        .filter_map(|day| day.parse().ok())
        .collect()
}

/// The location's slots with places left over the next two weeks.
pub async fn openings(
    database: &Database,
    shop: &Shop,
    record: &LocationRecord,
) -> AppResult<Vec<Opening>> {
    let settings = settings::get(database, &shop.id).await?;
    let calendar = settings.sla.calendar();
    let now = database.clock.now();
    let offered = offered(
        &record.slots,
        &calendar,
        &blackout_days(record),
        &shop.time_zone,
        now,
        DAYS_AHEAD,
        LEAD_MICROS,
    );
    let (Some(first), Some(last)) = (offered.first(), offered.last()) else {
        return Ok(Vec::new());
    };
    let booked = appointments::booked(
        &database.reader,
        &record.id,
        &first.0.to_string(),
        &last.0.to_string(),
    )
    .await?;
    Ok(offered
        .into_iter()
        .map(|(day, slot, _, _)| {
            let day = day.to_string();
            let taken = booked
                .iter()
                .find(|(booked_day, start, _)| *booked_day == day && *start == slot.start)
                .map_or(0, |(_, _, taken)| *taken);
            Opening {
                location_id: record.id.clone(),
                day,
                start: slot.start,
                end: slot.end,
                free: (slot.capacity - taken).max(0),
            }
        })
        .filter(|opening| opening.free > 0)
        .collect())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingInput {
    pub location_id: String,
    /// drop_in, pickup or on_site (one the location offers).
    pub service: String,
    /// YYYY-MM-DD
    pub day: String,
    /// The slot's start, HH:MM.
    pub start: String,
    /// To move a booking: its version (a change made meanwhile is a 409).
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppointmentView {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub location_id: String,
    pub location_name: String,
    pub address: Option<String>,
    pub service: String,
    pub day: String,
    pub slot: String,
    /// In the shop's zone.
    pub starts_at: String,
    pub ends_at: String,
    pub reminded: bool,
    pub version: i64,
}

pub fn view(shop: &Shop, record: AppointmentRecord) -> AppointmentView {
    AppointmentView {
        id: record.id,
        case_id: record.case_id,
        case_number: record.case_number,
        location_id: record.location_id,
        location_name: record.location_name,
        address: record.address,
        service: record.service,
        day: record.day,
        slot: record.slot,
        starts_at: format_in_zone(record.starts_at, &shop.time_zone),
        ends_at: format_in_zone(record.ends_at, &shop.time_zone),
        reminded: record.reminded_at.is_some(),
        version: record.version,
    }
}

/// The case's booking.
pub async fn of_case(
    database: &Database,
    actor: &Actor,
    case_id: &str,
) -> AppResult<Option<AppointmentRecord>> {
    let case = cases::get(&database.reader, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    Ok(appointments::of_case(&database.writer, &case.id).await?)
}

fn not_bookable(case: &CaseRecord) -> AppError {
    AppError::Conflict {
        code: "not_bookable",
        message: format!(
            "only a repair not yet received takes an appointment (this is a {} case, {})",
            case.kind, case.status
        ),
        details: json!({ "kind": case.kind, "status": case.status }),
    }
}

/// Books a slot for the case, or moves its booking there (with the booking's version).
pub async fn book(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &BookingInput,
) -> AppResult<AppointmentRecord> {
    if actor.role != Role::Customer {
        AppError::require(actor.role, Capability::EditCases)?;
    }
    let shop = &actor.shop;
    let record = appointments::location(&database.reader, &shop.id, input.location_id.trim())
        .await?
        .filter(|record| record.active)
        .ok_or_else(|| {
            AppError::invalid("location_id", "no such repair location open for booking")
        })?;
    let service = Service::parse(input.service.trim())
        .filter(|service| {
            record
                .services
                .iter()
                .any(|offered| offered == service.as_str())
        })
        .ok_or_else(|| {
            AppError::invalid(
                "service",
                format!("{} offers: {}", record.name, record.services.join(", ")),
            )
        })?;
    let day: Date = input.day.trim().parse().map_err(|_| {
        AppError::invalid(
            "day",
            format!("'{}' is not a day like 2026-12-07", input.day),
        )
    })?;
    let slot = record
        .slots
        .iter()
        .find(|slot| slot.start == input.start.trim())
        .cloned()
        .ok_or_else(|| {
            let starts: Vec<&str> = record
                .slots
                .iter()
                .map(|slot| slot.start.as_str())
                .collect();
            AppError::invalid(
                "start",
                format!(
                    "{} has slots starting at {}",
                    record.name,
                    starts.join(", ")
                ),
            )
        })?;
    let settings = settings::get(database, &shop.id).await?;
    let now = database.clock.now();
    let window = bounds(day, &slot, &shop.time_zone).ok_or_else(|| {
        AppError::invalid("day", "that day and time do not exist in the shop's zone")
    })?;
    let last_day = crate::domain::time::local_date(now, &shop.time_zone)
        .checked_add(jiff::Span::new().days(DAYS_AHEAD - 1))
        .unwrap_or(day);
    if !open_on(day, &settings.sla.calendar(), &blackout_days(&record))
        || window.0 < now + LEAD_MICROS
        || day > last_day
    {
        return Err(AppError::invalid(
            "day",
            format!(
                "{} is not open for booking then: choose a working day within {DAYS_AHEAD} days, at least 2 hours ahead",
                record.name
            ),
        ));
    }
    let day_text = day.to_string();
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    if case.kind != CaseKind::Repair || !matches!(case.status, Status::Submitted | Status::Approved)
    {
        return Err(not_bookable(&case));
    }
    let current = appointments::of_case(&mut *transaction, &case.id).await?;
    let booking = NewAppointment {
        shop_id: &shop.id,
        case_id: &case.id,
        location_id: &record.id,
        service: service.as_str(),
        day: &day_text,
        slot: &slot.start,
        bounds: window,
        now,
    };
    if !appointments::take_place(
        &mut transaction,
        &record.id,
        &day_text,
        &slot.start,
        slot.capacity,
    )
    .await?
    {
        return Err(AppError::Conflict {
            code: "slot_full",
            message: format!(
                "{day_text} {} at {} is fully booked: choose another slot",
                slot.start, record.name
            ),
            details: json!({ "day": day_text, "start": slot.start }),
        });
    }
    let action = match &current {
        None => {
            appointments::insert(&mut transaction, &booking)
                .await?
                .ok_or_else(|| AppError::Conflict {
                    code: "already_booked",
                    message: "the case has a booking already: move it with its version".into(),
                    details: json!({}),
                })?;
            "appointment_booked"
        }
        Some(current) => {
            let version = input.version.ok_or_else(|| AppError::Conflict {
                code: "already_booked",
                message: "the case has a booking already: send its version to move it".into(),
                details: json!({ "appointment_id": current.id, "version": current.version }),
            })?;
            if !appointments::move_to(&mut transaction, &current.id, version, &booking).await? {
                return Err(super::changed_meanwhile(
                    "booking",
                    version,
                    current.version,
                ));
            }
            appointments::free_place(
                &mut transaction,
                &current.location_id,
                &current.day,
                &current.slot,
            )
            .await?;
            "appointment_moved"
        }
    };
    let detail = format!(
        "{day_text} {}–{} · {}",
        slot.start,
        slot.end,
        place(&record.name, record.address.as_deref())
    );
    cases::insert_event(
        &mut transaction,
        &NewEvent {
            shop_id: &shop.id,
            case_id: &case.id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action,
            from_status: None,
            to_status: None,
            data: json!({ "location": record.name, "service": service, "day": day_text,
                "start": slot.start, "end": slot.end, "starts_at": window.0, "detail": detail }),
        },
    )
    .await?;
    transaction.commit().await?;
    appointments::of_case(&database.writer, &case.id)
        .await?
        .ok_or(AppError::Unavailable)
}

/// Cancels the case's booking (the place is free again).
pub async fn cancel(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    version: i64,
) -> AppResult<()> {
    if actor.role != Role::Customer {
        AppError::require(actor.role, Capability::EditCases)?;
    }
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let current = appointments::of_case(&mut *transaction, &case.id)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    if !appointments::cancel(&mut transaction, &current.id, version, now).await? {
        return Err(super::changed_meanwhile(
            "booking",
            version,
            current.version,
        ));
    }
    appointments::free_place(
        &mut transaction,
        &current.location_id,
        &current.day,
        &current.slot,
    )
    .await?;
    let detail = format!(
        "{} {} · {}",
        current.day, current.slot, current.location_name
    );
    super::record_event(
        &mut transaction,
        actor,
        &case.id,
        "appointment_cancelled",
        json!({ "day": current.day, "start": current.slot, "location": current.location_name, "detail": detail }),
        now,
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// A location in words: its name, and its address in brackets when it has one.
pub fn place(name: &str, address: Option<&str>) -> String {
    match address {
        Some(address) => format!("{name}（{address}）"),
        None => name.to_string(),
    }
}

/// The booking as a calendar file.
pub fn calendar_file(shop: &Shop, record: &AppointmentRecord, now: i64) -> String {
    let summary = format!(
        "{} 维修预约 Repair appointment {}",
        shop.name, record.case_number
    );
    let place = match &record.address {
        Some(address) => format!("{} {address}", record.location_name),
        None => record.location_name.clone(),
    };
    ics(
        &record.id,
        (record.starts_at, record.ends_at),
        &summary,
        &place,
        record.version - 1,
        now,
    )
}

/// The shop's bookings of a day (YYYY-MM-DD; default today).
pub async fn day(
    database: &Database,
    actor: &Actor,
    day: Option<&str>,
) -> AppResult<(String, Vec<AppointmentRecord>)> {
    let day = match day.map(str::trim).filter(|day| !day.is_empty()) {
        Some(text) => text.parse::<Date>().map_err(|_| {
            AppError::invalid("day", format!("'{text}' is not a day like 2026-12-07"))
        })?,
        None => crate::domain::time::local_date(database.clock.now(), &actor.shop.time_zone),
    }
    .to_string();
    let found = appointments::of_day(&database.reader, &actor.shop.id, &day).await?;
    Ok((day, found))
}

/// Reminds each customer whose booking starts within a day, once: an event on the case, which
/// the customer hears of. The reminders sent.
pub async fn remind(database: &Database, now: i64) -> anyhow::Result<usize> {
    let mut sent = 0;
    for (id, shop_id, case_id) in
        appointments::to_remind(&database.reader, now, now + 24 * HOUR_MICROS, 200).await?
    {
        let mut transaction = database.begin().await?;
        if !appointments::mark_reminded(&mut transaction, &id, now).await? {
            continue;
        }
        let Some(record) = appointments::of_case(&mut *transaction, &case_id).await? else {
            continue;
        };
        let detail = format!(
            "{} {} · {}",
            record.day,
            record.slot,
            place(&record.location_name, record.address.as_deref())
        );
        cases::insert_event(
            &mut transaction,
            &NewEvent {
                shop_id: &shop_id,
                case_id: &case_id,
                at: now,
                actor_role: Role::System,
                actor_id: None,
                action: "appointment_reminder",
                from_status: None,
                to_status: None,
                data: json!({ "appointment_id": id, "day": record.day, "start": record.slot, "detail": detail }),
            },
        )
        .await?;
        transaction.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
