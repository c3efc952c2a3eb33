//! The customer's repair appointment on the case page: the free slots of the shop's service
//! points, a booking made, moved or cancelled, and its calendar file (.ics).

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::CustomerCase;
use crate::db::appointments::AppointmentRecord;
use crate::db::cases::CaseRecord;
use crate::db::shops::Shop;
use crate::domain::{CaseKind, Status};
use crate::error::AppError;
use crate::i18n::Language;
use crate::operations::appointments::{self as operations, BookingInput};
use crate::state::AppState;

/// What the page shows: the booking (if any) and the slots one may choose.
pub struct AppointmentPart {
    /// The booking in words, its version.
    pub booked: Option<(String, i64)>,
    /// (`location|day|start`, the slot in words with the places left)
    pub openings: Vec<(String, String)>,
    /// (code, name) of the services the locations offer, and the one booked.
    pub services: Vec<(String, String)>,
    pub service: String,
}

fn booked_text(language: Language, record: &AppointmentRecord) -> String {
    format!(
        "{} {} · {} · {}",
        record.day,
        record.slot,
        language.text(&format!("portal-service-{}", record.service)),
        operations::place(&record.location_name, record.address.as_deref())
    )
}

/// The part for a repair that takes appointments: before the item reached the shop, with a
/// location open for booking.
pub async fn part(
    state: &AppState,
    shop: &Shop,
    case: &CaseRecord,
    language: Language,
) -> Result<Option<AppointmentPart>, AppError> {
    if case.kind != CaseKind::Repair || !matches!(case.status, Status::Submitted | Status::Approved)
    {
        return Ok(None);
    }
    let locations: Vec<_> = crate::db::appointments::locations(&state.database.reader, &shop.id)
        .await?
        .into_iter()
        .filter(|location| location.active)
        .collect();
    if locations.is_empty() {
        return Ok(None);
    }
    let booked = crate::db::appointments::of_case(&state.database.reader, &case.id).await?;
    let mut openings = Vec::new();
    let mut services: Vec<(String, String)> = Vec::new();
    for location in &locations {
        for service in &location.services {
            if !services.iter().any(|(code, _)| code == service) {
                services.push((
                    service.clone(),
                    language.text(&format!("portal-service-{service}")),
                ));
            }
        }
        for opening in operations::openings(&state.database, shop, location).await? {
            openings.push((
                format!("{}|{}|{}", location.id, opening.day, opening.start),
                language.text_args(
                    "portal-appointment-opening",
                    &[
                        (
                            "date",
                            &format!("{} {}–{}", opening.day, opening.start, opening.end),
                        ),
                        ("name", &location.name),
                        ("n", &opening.free.to_string()),
                    ],
                ),
            ));
        }
    }
    Ok(Some(AppointmentPart {
        service: booked
            .as_ref()
            .map(|record| record.service.clone())
            .unwrap_or_default(),
        booked: booked.map(|record| (booked_text(language, &record), record.version)),
        openings,
        services,
    }))
}

fn back_to(shop: &Shop, case: &CaseRecord) -> Response {
    crate::http::pages::redirect(&format!(
        "/portal/{}/cases/{}#appointment",
        shop.slug, case.number
    ))
    .into_response()
}

/// What a refusal says to the customer.
fn refusal(language: Language, error: &AppError) -> String {
    match error {
        AppError::Conflict {
            code: "slot_full", ..
        } => language.text("portal-appointment-full"),
        AppError::Conflict {
            code: "version_conflict",
            ..
        } => language.text("portal-appointment-changed"),
        _ => language.text("portal-appointment-choose"),
    }
}

/// Books the slot chosen, or moves the booking there.
pub(super) async fn book(
    State(state): State<AppState>,
    CustomerCase {
        shop,
        case,
        language,
    }: CustomerCase,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let chosen = form.get("slot").map(String::as_str).unwrap_or_default();
    let mut parts = chosen.splitn(3, '|');
    let (location_id, day, start) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let input = BookingInput {
        location_id: location_id.to_string(),
        service: form.get("service").cloned().unwrap_or_default(),
        day: day.to_string(),
        start: start.to_string(),
        version: form.get("version").and_then(|version| version.parse().ok()),
    };
    match operations::book(&state.database, &super::customer(&shop), &case.id, &input).await {
        Ok(_) => Ok(back_to(&shop, &case)),
        Err(error @ (AppError::Conflict { .. } | AppError::Invalid { .. })) => {
            let errors = vec![refusal(language, &error)];
            super::case::with_errors(&state, &shop, &case, language, errors).await
        }
        Err(error) => Err(error),
    }
}

/// Cancels the booking.
pub(super) async fn cancel(
    State(state): State<AppState>,
    CustomerCase {
        shop,
        case,
        language,
    }: CustomerCase,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let version = form
        .get("version")
        .and_then(|version| version.parse().ok())
        .unwrap_or(-1);
    match operations::cancel(&state.database, &super::customer(&shop), &case.id, version).await {
        Ok(()) => Ok(back_to(&shop, &case)),
        Err(error @ AppError::Conflict { .. }) => {
            let errors = vec![refusal(language, &error)];
            super::case::with_errors(&state, &shop, &case, language, errors).await
        }
        Err(error) => Err(error),
    }
}

/// The booking as a calendar file.
pub(super) async fn calendar(
    State(state): State<AppState>,
    CustomerCase { shop, case, .. }: CustomerCase,
) -> Result<Response, AppError> {
    let record = crate::db::appointments::of_case(&state.database.reader, &case.id)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    let file = operations::calendar_file(&shop, &record, state.clock.now());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"repair-{}.ics\"", case.number),
            ),
        ],
        file,
    )
        .into_response())
}
