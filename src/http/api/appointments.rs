//! Repair locations, the slots still free, a case's booking, and a day's bookings
//! (docs/REPAIRS.md, "Appointments").

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use super::views::Page;
use crate::error::{AppError, AppResult};
use crate::operations::appointments::{
    self as operations, AppointmentView, BookingInput, LocationInput, LocationView, Opening,
};
use crate::state::AppState;

#[utoipa::path(get, path = "/repair-locations", operation_id = "listRepairLocations", tag = "repairs",
    responses((status = 200, body = Page<LocationView>, description = "the shop's service points, by name")),
    security(("bearer" = [])))]
/// The shop's repair locations (service points) with their services and daily slots.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> AppResult<axum::Json<Page<LocationView>>> {
    let found = operations::locations(&state.database, &actor).await?;
    Ok(axum::Json(Page::whole(
        found.into_iter().map(operations::location_view).collect(),
    )))
}

#[utoipa::path(post, path = "/repair-locations", operation_id = "createRepairLocation", tag = "repairs",
    request_body = LocationInput,
    responses((status = 201, body = LocationView), (status = 403),
        (status = 409, description = "the name is taken (`location_name_taken`)"), (status = 422)),
    security(("bearer" = [])))]
/// Adds a service point: its services (drop-in, pick-up by courier, on-site), daily slots with
/// their capacity, blackout days.
pub async fn create(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<LocationInput>,
) -> AppResult<(StatusCode, axum::Json<LocationView>)> {
    let record = operations::create_location(&state.database, &actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(operations::location_view(record)),
    ))
}

#[utoipa::path(get, path = "/repair-locations/{id}", operation_id = "getRepairLocation", tag = "repairs",
    params(("id" = String, Path)),
    responses((status = 200, body = LocationView), (status = 404)),
    security(("bearer" = [])))]
/// One repair location.
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<LocationView>> {
    let record = operations::location(&state.database, &actor, &id).await?;
    Ok(axum::Json(operations::location_view(record)))
}

#[utoipa::path(put, path = "/repair-locations/{id}", operation_id = "replaceRepairLocation", tag = "repairs",
    params(("id" = String, Path)), request_body = LocationInput,
    responses((status = 200, body = LocationView), (status = 403), (status = 404),
        (status = 409, description = "changed meanwhile, or the name is taken"), (status = 422)),
    security(("bearer" = [])))]
/// Replaces a location's fields, with the version read.
pub async fn replace(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<LocationInput>,
) -> AppResult<axum::Json<LocationView>> {
    let record = operations::update_location(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(operations::location_view(record)))
}

#[utoipa::path(get, path = "/repair-locations/{id}/openings", operation_id = "listRepairOpenings", tag = "repairs",
    params(("id" = String, Path)),
    responses((status = 200, body = Page<Opening>, description = "the slots with places left over the next 14 days"),
        (status = 404)),
    security(("bearer" = [])))]
/// The slots one may still book at a location: open days, at least two hours ahead.
pub async fn openings(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Page<Opening>>> {
    let record = operations::location(&state.database, &actor, &id).await?;
    Ok(axum::Json(Page::whole(
        operations::openings(&state.database, &actor.shop, &record).await?,
    )))
}

#[utoipa::path(get, path = "/cases/{id}/appointment", operation_id = "getCaseAppointment", tag = "repairs",
    params(("id" = String, Path)),
    responses((status = 200, body = AppointmentView), (status = 404, description = "no case, or no booking")),
    security(("bearer" = [])))]
/// The case's repair appointment.
pub async fn of_case(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<AppointmentView>> {
    let record = operations::of_case(&state.database, &actor, &id)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    Ok(axum::Json(operations::view(&actor.shop, record)))
}

#[utoipa::path(put, path = "/cases/{id}/appointment", operation_id = "bookCaseAppointment", tag = "repairs",
    params(("id" = String, Path)), request_body = BookingInput,
    responses((status = 200, body = AppointmentView, description = "booked, or moved"),
        (status = 404),
        (status = 409, description = "the slot is full (`slot_full`), the case has a booking (`already_booked`: send its version), it changed meanwhile, or it takes no appointment now"),
        (status = 422)),
    security(("bearer" = [])))]
/// Books a repair slot for the case, or moves its booking (with the booking's version).
pub async fn book(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<BookingInput>,
) -> AppResult<axum::Json<AppointmentView>> {
    let record = operations::book(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(operations::view(&actor.shop, record)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// The booking's version.
    pub version: i64,
}

#[utoipa::path(post, path = "/cases/{id}/appointment/cancel", operation_id = "cancelCaseAppointment", tag = "repairs",
    params(("id" = String, Path)), request_body = CancelInput,
    responses((status = 204, description = "cancelled; the place is free again"), (status = 404),
        (status = 409, description = "changed meanwhile"), (status = 422)),
    security(("bearer" = [])))]
/// Cancels the case's booking.
pub async fn cancel(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<CancelInput>,
) -> AppResult<StatusCode> {
    operations::cancel(&state.database, &actor, &id, input.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// YYYY-MM-DD (default today, the shop's zone).
    pub day: Option<String>,
}

#[utoipa::path(get, path = "/appointments", operation_id = "listAppointments", tag = "repairs",
    params(DayQuery),
    responses((status = 200, body = Page<AppointmentView>, description = "the day's bookings by time"), (status = 422)),
    security(("bearer" = [])))]
/// A day's repair appointments, by time and location.
pub async fn day(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(query): Query<DayQuery>,
) -> AppResult<axum::Json<Page<AppointmentView>>> {
    let (_, found) = operations::day(&state.database, &actor, query.day.as_deref()).await?;
    Ok(axum::Json(Page::whole(
        found
            .into_iter()
            .map(|record| operations::view(&actor.shop, record))
            .collect(),
    )))
}
