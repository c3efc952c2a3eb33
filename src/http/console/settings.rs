//! The shop's settings for supervisors and admins: return address and portal branding, reply
//! templates, reason codes and categories, staff and roles, and the policy, clock, SLA
//! (business calendar) and SOP documents, each checked by the same code as
//! `PUT /api/v1/settings`. A refused change shows the page again with the reason next to its
//! section and what was typed kept.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::Value;

use super::form::{Fields, Posted};
use super::rows::Choice;
use super::{Frame, PageError, PageResult, Staff, error_text, timing};
use crate::db::settings;
use crate::db::shops::{Reason, list_reasons};
use crate::db::staff_sessions;
use crate::domain::Role;
use crate::domain::permissions::{Capability, allows};
use crate::domain::settings::{ReplyTemplate, ShopSettings};
use crate::error::AppError;
use crate::http::pages::render;
use crate::operations::settings as operations;
use crate::state::AppState;

/// The documents edited as JSON: (field name in the settings, heading key).
const DOCUMENTS: &[(&str, &str)] = &[
    ("sop", "settings-sop"),
    ("policy", "settings-policy"),
    ("clocks", "settings-clocks-json"),
    ("sla", "settings-sla-json"),
    ("costs", "settings-costs-json"),
    ("exchanges", "settings-exchanges-json"),
    ("surveys", "settings-surveys-json"),
    ("audits", "settings-audits-json"),
    ("reviews", "settings-reviews-json"),
    ("visits", "settings-visits-json"),
    ("reports", "settings-reports-json"),
    ("knowledge", "settings-knowledge-json"),
];

/// A member of the shop's staff, with their role.
struct Member {
    id: String,
    name: String,
    role_code: String,
    role: String,
}

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage {
    frame: Frame,
    is_admin: bool,
    return_address: String,
    colour: String,
    logo_url: String,
    faq_url: String,
    jurisdiction: String,
    /// (index, name, body, action, tag) as shown: what was typed when refused, else what is
    /// stored; the last row is the empty one for a new template.
    templates: Vec<(usize, String, String, String, String)>,
    /// The actions a template may take after its reply: (code, name).
    macro_actions: Vec<Choice>,
    reasons: Vec<Reason>,
    staff: Vec<Member>,
    /// Open invitations: the address typed and the role offered, in words.
    invited: Vec<(String, String)>,
    roles: Vec<Choice>,
    /// (field, heading, JSON text)
    documents: Vec<(String, String, String)>,
    clocks: Vec<timing::ClockRow>,
    targets: Vec<timing::TargetRow>,
    /// The SLA counts working hours (else every hour), from `opens` to `closes`.
    sla_business: bool,
    /// The years the working calendar knows.
    calendar_years: Vec<super::calendar::KnownYear>,
    opens: String,
    closes: String,
    /// Which section a refused change belongs to, the reason, and what was typed.
    section: String,
    error: String,
    typed: HashMap<String, String>,
    saved: bool,
}

impl SettingsPage {
    fn error_for(&self, section: &str) -> Option<&str> {
        (self.section == section && !self.error.is_empty()).then_some(self.error.as_str())
    }

    /// What was typed into `field` of `section` when it was refused, else `current`.
    fn shown(&self, section: &str, field: &str, current: &str) -> String {
        if self.section == section
            && let Some(value) = self.typed.get(field)
        {
            return value.clone();
        }
        current.to_string()
    }
}

fn managers_only(staff: &Staff) -> Result<(), PageError> {
    if allows(staff.role(), Capability::ManageSettings) {
        Ok(())
    } else {
        Err(PageError::said(StatusCode::FORBIDDEN, "settings-forbidden"))
    }
}

async fn view(
    state: &AppState,
    staff: &Staff,
    section: &str,
    error: String,
    typed: HashMap<String, String>,
    saved: bool,
) -> Result<SettingsPage, PageError> {
    let language = staff.language;
    let shop = &staff.actor.shop;
    let reader = &state.database.reader;
    let current = settings::load(reader, &shop.id).await?;
    let document = serde_json::to_value(&current).unwrap_or(Value::Null);
    let typed_in = |name: &str| (section == name).then_some(&typed);
    let sla_typed = typed_in("sla");
    Ok(SettingsPage {
        clocks: timing::clock_rows(language, &current, typed_in("clocks")),
        targets: timing::target_rows(language, &current, sla_typed),
        calendar_years: super::calendar::known_years(&current),
        sla_business: match sla_typed {
            Some(typed) => typed.get("hours").map(String::as_str) != Some("calendar"),
            None => current.sla.hours == crate::domain::sla::HoursMode::Business,
        },
        opens: match sla_typed {
            Some(typed) => typed.get("opens").cloned().unwrap_or_default(),
            None => current.sla.opens.strftime("%H:%M").to_string(),
        },
        closes: match sla_typed {
            Some(typed) => typed.get("closes").cloned().unwrap_or_default(),
            None => current.sla.closes.strftime("%H:%M").to_string(),
        },
        frame: Frame::new(state, staff, "settings").await?,
        is_admin: allows(staff.role(), Capability::ManageStaff),
        return_address: current.return_address.clone().unwrap_or_default(),
        colour: current.branding.colour.clone().unwrap_or_default(),
        logo_url: current.branding.logo_url.clone().unwrap_or_default(),
        faq_url: current.branding.faq_url.clone().unwrap_or_default(),
        jurisdiction: document["jurisdiction"]
            .as_str()
            .unwrap_or("CN")
            .to_string(),
        templates: current
            .reply_templates
            .iter()
            .map(|template| {
                (
                    template.name.clone(),
                    template.body.clone(),
                    template.action.clone().unwrap_or_default(),
                    template.tag.clone().unwrap_or_default(),
                )
            })
            .chain(std::iter::once(Default::default()))
            .enumerate()
            .map(|(index, (name, body, action, tag))| {
                let typed_value = |field: &str, stored: String| {
                    if section == "templates" {
                        typed
                            .get(&format!("{field}_{index}"))
                            .cloned()
                            .unwrap_or(stored)
                    } else {
                        stored
                    }
                };
                (
                    index,
                    typed_value("name", name),
                    typed_value("body", body),
                    typed_value("action", action),
                    typed_value("tag", tag),
                )
            })
            .collect(),
        macro_actions: crate::domain::Action::ALL
            .iter()
            .filter(|action| {
                !matches!(
                    action,
                    crate::domain::Action::Refund | crate::domain::Action::Reopen
                )
            })
            .map(|action| Choice {
                code: action.as_str().to_string(),
                name: language.text(&format!("action-{action}")),
            })
            .collect(),
        reasons: list_reasons(reader, &shop.id).await?,
        invited: crate::db::invitations::of_shop(reader, &shop.id)
            .await?
            .into_iter()
            .map(|(email, role)| (email, language.text(&format!("role-{role}"))))
            .collect(),
        staff: staff_sessions::staff_of(reader, &shop.id)
            .await?
            .into_iter()
            .map(|(id, name, role)| Member {
                id,
                name,
                role_code: role.as_str().to_string(),
                role: language.text(&format!("role-{role}")),
            })
            .collect(),
        roles: [Role::Agent, Role::Inspector, Role::Supervisor, Role::Admin]
            .iter()
            .map(|role| Choice {
                code: role.as_str().to_string(),
                name: language.text(&format!("role-{role}")),
            })
            .collect(),
        documents: DOCUMENTS
            .iter()
            .map(|(field, heading)| {
                (
                    field.to_string(),
                    language.text(heading),
                    serde_json::to_string_pretty(&document[*field]).unwrap_or_default(),
                )
            })
            .collect(),
        section: section.to_string(),
        error,
        typed,
        saved,
    })
}

pub(super) async fn settings_page(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> PageResult {
    managers_only(&staff)?;
    let saved = query
        .as_deref()
        .is_some_and(|query| query.contains("saved"));
    let page = view(&state, &staff, "", String::new(), HashMap::new(), saved).await?;
    Ok(render(&page, StatusCode::OK, staff.language))
}

/// After a change: the page again (a GET), or with the reason next to the section.
async fn answer(
    state: &AppState,
    staff: &Staff,
    section: &str,
    fields: HashMap<String, String>,
    result: Result<(), AppError>,
) -> PageResult {
    match result {
        Ok(()) => Ok(
            crate::http::pages::redirect(&format!("/console/settings?saved#{section}"))
                .into_response(),
        ),
        Err(error @ AppError::Internal(_)) => Err(error.into()),
        Err(error) => {
            let status = error.status();
            let page = view(
                state,
                staff,
                section,
                error_text(staff.language, &error),
                fields,
                false,
            )
            .await?;
            Ok(render(&page, status, staff.language))
        }
    }
}

fn field(fields: &HashMap<String, String>, name: &str) -> Option<String> {
    fields
        .get(name)
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

async fn current(state: &AppState, staff: &Staff) -> Result<ShopSettings, AppError> {
    Ok(settings::load(&state.database.reader, &staff.actor.shop.id).await?)
}

/// Changes the shop's current settings with `change` and saves them through the one set of
/// checks (supervisors and admins); the page answers in `section`.
async fn change_settings(
    state: &AppState,
    staff: &Staff,
    section: &str,
    fields: Fields,
    change: impl FnOnce(&mut ShopSettings, &Fields) -> Result<(), AppError>,
) -> PageResult {
    managers_only(staff)?;
    let result = async {
        let mut new = current(state, staff).await?;
        change(&mut new, &fields)?;
        operations::save(&state.database, &staff.actor, new, "saved")
            .await
            .map(|_| ())
    }
    .await;
    answer(state, staff, section, fields, result).await
}

/// Each clock's wait and whether it runs, for every platform.
pub(super) async fn save_clocks(
    State(state): State<AppState>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let language = staff.language;
    change_settings(&state, &staff, "clocks", fields, |new, fields| {
        timing::apply_clocks(language, new, fields)
    })
    .await
}

/// The SLA's working hours and its targets per priority.
pub(super) async fn save_sla(
    State(state): State<AppState>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let language = staff.language;
    change_settings(&state, &staff, "sla", fields, |new, fields| {
        timing::apply_sla(language, new, fields)
    })
    .await
}

/// One year of the working calendar, from the State Council's notice.
pub(super) async fn save_calendar(
    State(state): State<AppState>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let language = staff.language;
    change_settings(&state, &staff, "calendar", fields, |new, fields| {
        super::calendar::apply(language, new, fields)
    })
    .await
}

/// Return address and the portal's branding.
pub(super) async fn save_general(
    State(state): State<AppState>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    change_settings(&state, &staff, "general", fields, |new, fields| {
        new.return_address = field(fields, "return_address");
        new.branding.colour = field(fields, "colour");
        new.branding.logo_url = field(fields, "logo_url");
        new.branding.faq_url = field(fields, "faq_url");
        Ok(())
    })
    .await
}

/// The reply templates: each row kept, changed or (ticked) deleted, and a new one added.
pub(super) async fn save_templates(
    State(state): State<AppState>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    change_settings(&state, &staff, "templates", fields, |new, fields| {
        let mut templates = Vec::new();
        for index in 0..new.reply_templates.len() + 1 {
            if fields.contains_key(&format!("delete_{index}")) {
                continue;
            }
            let name = field(fields, &format!("name_{index}"));
            let body = field(fields, &format!("body_{index}"));
            match (name, body) {
                (None, None) => {}
                (name, body) => templates.push(ReplyTemplate {
                    name: name.unwrap_or_default(),
                    body: body.unwrap_or_default(),
                    action: field(fields, &format!("action_{index}")),
                    tag: field(fields, &format!("tag_{index}")),
                }),
            }
        }
        new.reply_templates = templates;
        Ok(())
    })
    .await
}

/// Adds or changes a reason code.
pub(super) async fn save_reason(
    State(state): State<AppState>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let reason = Reason {
        code: field(&fields, "code").unwrap_or_default().to_lowercase(),
        category: field(&fields, "category").unwrap_or_default(),
        name_zh: field(&fields, "name_zh").unwrap_or_default(),
        name_en: field(&fields, "name_en").unwrap_or_default(),
        active: fields.contains_key("active"),
    };
    let result = operations::save_reason(&state.database, &staff.actor, &reason).await;
    answer(&state, &staff, "reasons", fields, result).await
}

/// Gives a person a role in the shop.
pub(super) async fn save_member(
    State(state): State<AppState>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let role = Role::parse(fields.get("role").map(String::as_str).unwrap_or_default())
        .unwrap_or(Role::Customer);
    let result = operations::add_member(
        &state.database,
        &staff.actor,
        fields.get("email").map(String::as_str).unwrap_or_default(),
        fields.get("name").map(String::as_str).unwrap_or_default(),
        role,
        fields
            .get("password")
            .map(String::as_str)
            .unwrap_or_default(),
    )
    .await;
    let mut kept = fields;
    kept.remove("password");
    answer(&state, &staff, "staff", kept, result).await
}

/// Changes a member's role.
pub(super) async fn change_role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let role = Role::parse(fields.get("role").map(String::as_str).unwrap_or_default())
        .unwrap_or(Role::Customer);
    let result = operations::set_role(&state.database, &staff.actor, &id, role).await;
    answer(&state, &staff, "staff", fields, result).await
}

pub(super) async fn remove_member(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let result = operations::remove_member(&state.database, &staff.actor, &id).await;
    answer(&state, &staff, "staff", fields, result).await
}

/// One of the JSON documents (SOP, policy, clocks, SLA with its calendar), or the jurisdiction.
pub(super) async fn save_document(
    State(state): State<AppState>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let name = fields.get("document").cloned().unwrap_or_default();
    let section = format!("document-{name}");
    change_settings(&state, &staff, &section, fields, |settings, fields| {
        let mut document =
            serde_json::to_value(&*settings).map_err(|error| AppError::Internal(error.into()))?;
        if name == "jurisdiction" {
            document["jurisdiction"] = Value::String(field(fields, "value").unwrap_or_default());
        } else if DOCUMENTS.iter().any(|(known, _)| *known == name) {
            let text = fields.get("value").map(String::as_str).unwrap_or_default();
            let value: Value =
                serde_json::from_str(if text.trim().is_empty() { "{}" } else { text }).map_err(
                    |error| AppError::invalid(&name, format!("{name}: not JSON: {error}")),
                )?;
            document[name.as_str()] = value;
        } else {
            return Err(AppError::invalid(
                "document",
                format!("unknown settings document '{name}'"),
            ));
        }
        *settings = operations::read_document(document)?;
        Ok(())
    })
    .await
}
