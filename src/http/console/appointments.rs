//! The day's repair appointments: by time, with the location, the service, the case and the
//! customer; the days before and after one click away.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::{Frame, PageResult, Staff};
use crate::http::pages::render;
use crate::state::AppState;

pub struct Row {
    pub time: String,
    pub location: String,
    pub service: String,
    pub case_id: String,
    pub case_number: String,
    pub customer: String,
}

#[derive(Template)]
#[template(path = "console/appointments.html")]
struct AppointmentsPage {
    frame: Frame,
    day: String,
    before: String,
    after: String,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
pub(super) struct DayQuery {
    day: Option<String>,
}

pub(super) async fn appointments_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<DayQuery>,
) -> PageResult {
    let language = staff.language;
    let (day, found) =
        crate::operations::appointments::day(&state.database, &staff.actor, query.day.as_deref())
            .await?;
    let date: jiff::civil::Date = day.parse().unwrap_or_default();
    let step = |days: i64| {
        date.checked_add(jiff::Span::new().days(days))
            .map(|date| date.to_string())
            .unwrap_or_default()
    };
    let view = AppointmentsPage {
        frame: Frame::new(&state, &staff, "appointments").await?,
        before: step(-1),
        after: step(1),
        rows: found
            .into_iter()
            .map(|record| Row {
                time: format!(
                    "{}–{}",
                    record.slot,
                    crate::domain::time::format_in_zone(
                        record.ends_at,
                        &staff.actor.shop.time_zone
                    )
                    .get(11..16)
                    .unwrap_or_default()
                ),
                location: record.location_name,
                service: language.text(&format!("portal-service-{}", record.service)),
                case_id: record.case_id,
                case_number: record.case_number,
                customer: record.customer_name.unwrap_or_default(),
            })
            .collect(),
        day,
    };
    Ok(render(&view, StatusCode::OK, language))
}
