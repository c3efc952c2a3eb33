//! The suppliers page: the shop's suppliers and repair centres with their scorecards, the items
//! still away at them (overdue ones marked), and a form to add one (supervisors and admins).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::form::{Fields, Posted};
use super::{Frame, PageResult, Staff, error_text};
use crate::domain::permissions::{Capability, allows};
use crate::http::console::rows::Choice;
use crate::http::pages::render;
use crate::operations::suppliers::{self as operations, SupplierInput};
use crate::state::AppState;

pub struct SupplierRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub contact: String,
    pub handles: String,
    pub targets: String,
    pub active: bool,
    pub send_outs: u64,
    pub turnaround: String,
    pub on_time: String,
    pub confirmation: String,
    pub repeat: String,
}

pub struct AwayRow {
    pub supplier: String,
    pub stage: String,
    pub cases: Vec<(String, String)>,
    pub sent: String,
    pub back_by: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "console/suppliers.html")]
struct SuppliersPage {
    frame: Frame,
    suppliers: Vec<SupplierRow>,
    away: Vec<AwayRow>,
    kinds: Vec<Choice>,
    can_manage: bool,
    error: Option<String>,
    typed: Fields,
}

impl SuppliersPage {
    fn typed(&self, name: &str) -> &str {
        self.typed.get(name).map(String::as_str).unwrap_or_default()
    }
}

fn percent(share: Option<f64>) -> String {
    share
        .map(|share| format!("{:.0} %", share * 100.0))
        .unwrap_or_else(|| "—".into())
}

async fn page(state: &AppState, staff: &Staff, error: Option<String>, typed: Fields) -> PageResult {
    let language = staff.language;
    let actor = &staff.actor;
    let zone = &actor.shop.time_zone;
    let mut suppliers = Vec::new();
    for record in operations::list(&state.database, actor).await? {
        let card = operations::score(&state.database, actor, &record.id, None, None).await?;
        let days = |value: Option<f64>| {
            value
                .map(|days| format!("{days}"))
                .unwrap_or_else(|| "—".into())
        };
        suppliers.push(SupplierRow {
            kind: language.text(&format!("supplier-kind-{}", record.kind)),
            contact: [record.contact_name, record.phone, record.email]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            handles: record.handles.join("、"),
            targets: language.text_args(
                "supplier-targets",
                &[
                    ("n", record.confirm_days.to_string().as_str()),
                    ("days", record.repair_days.to_string().as_str()),
                ],
            ),
            active: record.active,
            send_outs: card.figures.send_outs,
            turnaround: format!(
                "{} / {}",
                days(card.figures.turnaround_median_days),
                days(card.figures.turnaround_p90_days)
            ),
            on_time: percent(card.figures.on_time_share),
            confirmation: percent(card.figures.confirmation_rate),
            repeat: percent(card.figures.repeat_fault_rate),
            name: record.name,
            id: record.id,
        });
    }
    let mut away = Vec::new();
    for record in crate::db::suppliers::list(
        &state.database.reader,
        &actor.shop.id,
        true,
        None,
        None,
        200,
    )
    .await?
    {
        let view = crate::operations::send_outs::view(&state.database, &actor.shop, record.clone())
            .await?;
        away.push(AwayRow {
            supplier: record.supplier_name,
            stage: language.text(&format!("send-out-stage-{}", record.stage)),
            cases: view
                .cases
                .into_iter()
                .map(|case| (case.id, case.number))
                .collect(),
            sent: crate::domain::time::local_date(record.sent_at, zone).to_string(),
            back_by: crate::domain::time::local_date(record.repair_due_at, zone).to_string(),
            overdue: record.confirm_overdue_at.is_some() || record.repair_overdue_at.is_some(),
        });
    }
    let view = SuppliersPage {
        frame: Frame::new(state, staff, "suppliers").await?,
        suppliers,
        away,
        kinds: Choice::named(
            language,
            "supplier-kind",
            &["supplier", "service_centre", "workshop"],
        ),
        can_manage: allows(staff.role(), Capability::ManageSuppliers),
        error,
        typed,
    };
    let status = match view.error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    Ok(render(&view, status, language))
}

pub(super) async fn suppliers_page(State(state): State<AppState>, staff: Staff) -> PageResult {
    page(&state, &staff, None, Fields::default()).await
}

/// Adds a supplier; a refusal shows the page again with what was typed.
pub(super) async fn add(
    State(state): State<AppState>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let field = |name: &str| {
        fields
            .get(name)
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
    };
    let number = |name: &str| field(name).map(|value| value.parse::<i64>().unwrap_or(-1));
    let input = SupplierInput {
        name: field("name"),
        kind: field("kind"),
        contact_name: field("contact_name"),
        phone: field("phone"),
        email: field("email"),
        address: field("address"),
        handles: field("handles")
            .map(|handles| {
                handles
                    .split([',', '，', '、'])
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        confirm_days: number("confirm_days"),
        repair_days: number("repair_days"),
        ..SupplierInput::default()
    };
    match operations::create(&state.database, &staff.actor, &input).await {
        Ok(_) => Ok(crate::http::pages::redirect("/console/suppliers").into_response()),
        Err(
            error @ (crate::error::AppError::NotFound(_) | crate::error::AppError::Internal(_)),
        ) => Err(error.into()),
        Err(error) => {
            let said = error_text(staff.language, &error);
            page(&state, &staff, Some(said), fields).await
        }
    }
}
