//! The case page: header and clocks, the order and customer, the timeline, the actions allowed
//! now (each with the fields it needs), refunds, replies with templates, internal notes,
//! assignment, photos. A refused change shows the page again with the reason next to the form
//! and what was typed kept.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::form::{Fields, Posted};
use super::text::{due_in, money};
use super::{Frame, PageError, PageResult, Staff, error_text};
use crate::app::AppState;
use crate::db::case_list::{self, CaseFilter, CaseSort};
use crate::db::cases::{self, CaseRecord};
use crate::db::{attachments, customers, orders, refunds, settings, staff_sessions, timers};
use crate::documents::label::Size;
use crate::domain::lifecycle::{Moment, allowed_actions, needs_reason};
use crate::domain::{Action, Money};
use crate::error::AppError;
use crate::http::pages::{minutes, read_multipart, render, upload_error_text};
use crate::i18n::Language;
use crate::operations::cases::{self as case_operations, CaseChanges, Visibility};
use crate::operations::refunds::{self as refund_operations, RefundInput, RefundLineInput};
use crate::operations::transitions::{self, DISPOSITIONS, TransitionInput};
use crate::operations::{attachments as attachment_operations, checklist};

/// What the person sent with the form that failed, to show it again.
#[derive(Default)]
pub struct Typed {
    /// Which form: an action's code, `refund`, `message`, `note` or `change`.
    pub form: String,
    pub fields: HashMap<String, String>,
    pub error: String,
}

impl Typed {
    pub fn value(&self, form: &str, field: &str) -> String {
        if self.form == form {
            self.fields.get(field).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }

    /// The refund amount typed for an order line.
    pub fn amount(&self, line_number: &i64) -> String {
        self.value("refund", &format!("amount_{line_number}"))
    }

    pub fn error_for(&self, form: &str) -> Option<&str> {
        (self.form == form && !self.error.is_empty()).then_some(self.error.as_str())
    }
}

pub struct ActionForm {
    pub code: &'static str,
    pub label: String,
    pub needs_reason: bool,
    pub needs_shipping: bool,
    pub needs_disposition: bool,
    /// Ends or refuses the case: shown in red.
    pub danger: bool,
}

pub struct LineRow {
    pub line_number: i64,
    pub product: String,
    pub sku: String,
    pub quantity: i64,
    pub ordered: i64,
    pub paid: String,
    pub refunded: String,
    /// What is left to refund, as a decimal to put in the refund form.
    pub remaining: String,
}

pub struct Entry {
    pub at: String,
    pub who: String,
    pub what: String,
    pub detail: String,
    /// event, message, customer or note
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "console/case.html")]
pub struct CasePage {
    frame: Frame,
    id: String,
    number: String,
    version: i64,
    kind: String,
    status: String,
    status_code: &'static str,
    priority: String,
    priority_code: &'static str,
    assignee_id: String,
    assignee: String,
    tags: String,
    reason: String,
    description: String,
    due: String,
    due_class: &'static str,
    sla: Vec<String>,
    /// (when, what happens)
    clocks: Vec<(String, String)>,
    order_number: String,
    platform: String,
    placed_at: String,
    order_total: String,
    lines: Vec<LineRow>,
    /// (direction, carrier, tracking number, status, shipped)
    shipments: Vec<(String, String, String, String, String)>,
    customer_name: String,
    customer_contact: String,
    customer_tier: String,
    /// The customer's other cases: (id, number, kind, status)
    other_cases: Vec<(String, String, String, String)>,
    timeline: Vec<Entry>,
    actions: Vec<ActionForm>,
    dispositions: Vec<(String, String)>,
    can_refund: bool,
    refund_key: String,
    /// Refund methods: (code, name)
    methods: Vec<(String, String)>,
    currency_symbol: String,
    /// (when, amount, method)
    refunds: Vec<(String, String, String)>,
    /// (id, kind, file name)
    files: Vec<(String, String, String)>,
    /// (name, filled body)
    templates: Vec<(String, String)>,
    staff: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    has_label: bool,
    /// The SOP checklist: (code, text, done, "before …" actions, done by/at)
    checklist: Vec<(String, String, bool, String, String)>,
    typed: Typed,
}

fn staff_action_label(language: Language, action: Action) -> String {
    language.text(&format!("action-{action}"))
}

async fn case_view(
    state: &AppState,
    staff: &Staff,
    case: CaseRecord,
    typed: Typed,
) -> Result<CasePage, PageError> {
    let language = staff.language;
    let shop = &staff.actor.shop;
    let zone = &shop.time_zone;
    let reader = &state.database.reader;
    let now = state.clock.now();
    let lines = cases::lines(reader, &case.id).await?;
    let order = orders::get(reader, &shop.id, &case.order_id)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    let people = staff_sessions::staff_of(reader, &shop.id).await?;
    let name_of = |id: &str| {
        people
            .iter()
            .find(|(staff_id, _, _)| staff_id == id)
            .map(|(_, name, _)| name.clone())
    };
    let customer = match &case.customer_id {
        Some(id) => customers::get(reader, &shop.id, id).await?,
        None => None,
    };
    let other_cases = match &case.customer_id {
        Some(customer_id) => {
            let filter = CaseFilter {
                customer_id: Some(customer_id.clone()),
                ..CaseFilter::all(CaseSort::CreatedAtDescending, 11)
            };
            case_list::list(reader, state.database.backend, &shop.id, &filter)
                .await?
                .into_iter()
                .filter(|other| other.id != case.id)
                .take(10)
                .map(|other| {
                    (
                        other.id,
                        other.number,
                        language.text(&format!("kind-{}", other.kind)),
                        language.text(&format!("staff-status-{}", other.status)),
                    )
                })
                .collect()
        }
        None => Vec::new(),
    };
    let events = cases::events(reader, &case.id).await?;
    let messages = cases::messages(reader, &case.id, true).await?;
    let mut timeline: Vec<(i64, Entry)> = Vec::new();
    let who = |role: &str, id: Option<&str>| {
        id.and_then(name_of)
            .unwrap_or_else(|| language.text(&format!("role-{role}")))
    };
    for event in &events {
        if matches!(event.action.as_str(), "message" | "note") {
            continue;
        }
        let what = match (&event.from_status, &event.to_status) {
            (Some(from), Some(to)) => format!(
                "{} · {} → {}",
                language.text_or(&format!("event-{}", event.action), &event.action),
                language.text(&format!("staff-status-{from}")),
                language.text(&format!("staff-status-{to}"))
            ),
            _ => language.text_or(&format!("event-{}", event.action), &event.action),
        };
        let mut detail = Vec::new();
        for field in ["reason", "note", "comment", "text"] {
            if let Some(text) = event.data[field].as_str() {
                detail.push(text.to_string());
            }
        }
        if let Some(disposition) = event.data["disposition"].as_str() {
            detail.push(language.text(&format!("disposition-{disposition}")));
        }
        if let Some(stars) = event.data["stars"].as_i64() {
            detail.push(format!("{stars} ★"));
        }
        if let Some(shipment) = event.data.get("shipment") {
            detail.push(format!(
                "{} {}",
                shipment["carrier"].as_str().unwrap_or_default(),
                shipment["tracking_number"].as_str().unwrap_or_default()
            ));
        }
        timeline.push((
            event.at,
            Entry {
                at: minutes(event.at, zone),
                who: who(&event.actor_role, event.actor_id.as_deref()),
                what,
                detail: detail.join(" · "),
                class: "event",
            },
        ));
    }
    for message in &messages {
        let internal = message.visibility == "internal";
        timeline.push((
            message.created_at,
            Entry {
                at: minutes(message.created_at, zone),
                who: who(&message.author_role, message.author_id.as_deref()),
                what: language.text(if internal {
                    "console-note"
                } else if message.author_role == "customer" {
                    "console-from-customer"
                } else {
                    "console-reply"
                }),
                detail: message.body.clone(),
                class: if internal {
                    "note"
                } else if message.author_role == "customer" {
                    "customer"
                } else {
                    "message"
                },
            },
        ));
    }
    timeline.sort_by_key(|(at, _)| *at);
    let allowed = allowed_actions(
        case.kind,
        case.status,
        staff.role(),
        Moment {
            now,
            ended_at: case.ended_at,
        },
    );
    let can_refund = allowed.contains(&Action::Refund);
    let actions: Vec<ActionForm> = allowed
        .into_iter()
        .filter(|action| *action != Action::Refund)
        .map(|action| ActionForm {
            code: action.as_str(),
            label: staff_action_label(language, action),
            needs_reason: needs_reason(action),
            needs_shipping: matches!(
                action,
                Action::ShipReturn | Action::ShipReplacement | Action::ShipBack
            ),
            needs_disposition: matches!(action, Action::InspectPass | Action::InspectFail),
            danger: matches!(
                action,
                Action::Reject | Action::Cancel | Action::InspectFail
            ),
        })
        .collect();
    let clocks = timers::pending_for_case(reader, &case.id)
        .await?
        .iter()
        .map(|timer| {
            let view = crate::http::api::ClockView::new(shop, timer);
            let text = match language {
                Language::Chinese => view.explanation.chinese,
                Language::English => view.explanation.english,
            };
            (minutes(timer.due_at, zone), text)
        })
        .collect();
    let sla_state = cases::read_sla(reader, &case.id).await?.unwrap_or_default();
    let mut sla = Vec::new();
    if let (Some(due), None) = (sla_state.first_response_due, sla_state.first_response_at) {
        sla.push(language.text_with("console-sla-first-response", "at", &minutes(due, zone)));
    }
    if let (Some(due), None) = (sla_state.resolution_due, sla_state.resolved_at) {
        sla.push(language.text_with("console-sla-resolution", "at", &minutes(due, zone)));
    }
    if let Some(target) = &sla_state.breached {
        sla.push(language.text(&format!("console-sla-breached-{target}")));
    }
    let currency = shop.currency;
    let shop_settings = settings::get(&state.database, &shop.id).await?;
    let customer_name = customer
        .as_ref()
        .map(|customer| customer.name.clone())
        .or(case.contact_name.clone())
        .unwrap_or_default();
    let values = [
        ("customer_name", customer_name.as_str()),
        ("case_number", case.number.as_str()),
        ("order_number", case.order_number.as_str()),
        (
            "return_address",
            shop_settings.return_address.as_deref().unwrap_or_default(),
        ),
        ("shop_name", shop.name.as_str()),
    ];
    let templates = shop_settings
        .reply_templates
        .iter()
        .map(|template| (template.name.clone(), template.fill(&values)))
        .collect();
    let (due, due_class) = if case.status.is_open() {
        due_in(language, case.due_at, now)
    } else {
        (String::new(), "ended")
    };
    let reasons = crate::db::shops::list_reasons(reader, &shop.id).await?;
    let reason = reasons
        .iter()
        .find(|reason| reason.code == case.reason_code)
        .map(|reason| match language {
            Language::Chinese => reason.name_zh.clone(),
            Language::English => reason.name_en.clone(),
        })
        .unwrap_or_else(|| case.reason_code.clone());
    Ok(CasePage {
        frame: Frame::new(state, staff, "").await?,
        id: case.id.clone(),
        number: case.number.clone(),
        version: case.version,
        kind: language.text(&format!("kind-{}", case.kind)),
        status: language.text(&format!("staff-status-{}", case.status)),
        status_code: case.status.as_str(),
        priority: language.text(&format!("priority-{}", case.priority)),
        priority_code: case.priority.as_str(),
        assignee_id: case.assignee_id.clone().unwrap_or_default(),
        assignee: case
            .assignee_id
            .as_deref()
            .and_then(name_of)
            .unwrap_or_else(|| language.text("console-unassigned")),
        tags: case.tags.join(", "),
        reason,
        description: case.description.clone(),
        due,
        due_class,
        sla,
        clocks,
        order_number: order.order_number.clone(),
        platform: language.text_or(&format!("platform-{}", order.platform), &order.platform),
        placed_at: minutes(order.placed_at, zone),
        order_total: money(order.total_minor, currency),
        lines: lines
            .iter()
            .map(|line| LineRow {
                line_number: line.line_number,
                product: line.product_name.clone(),
                sku: line.sku.clone(),
                quantity: line.quantity,
                ordered: line.ordered_quantity,
                paid: money(line.paid_minor, currency),
                refunded: money(line.refunded_minor, currency),
                remaining: Money::new((line.paid_minor - line.refunded_minor).max(0), currency)
                    .decimal(),
            })
            .collect(),
        shipments: crate::db::shipments::for_order(reader, &order.id)
            .await?
            .into_iter()
            .map(|shipment| {
                (
                    language.text_or(
                        &format!("direction-{}", shipment.direction),
                        &shipment.direction,
                    ),
                    shipment.carrier,
                    shipment.tracking_number,
                    language.text_or(&format!("shipment-{}", shipment.status), &shipment.status),
                    shipment
                        .shipped_at
                        .map(|at| minutes(at, zone))
                        .unwrap_or_default(),
                )
            })
            .collect(),
        customer_contact: [
            customer
                .as_ref()
                .and_then(|customer| customer.phone.clone()),
            customer
                .as_ref()
                .and_then(|customer| customer.email.clone()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · "),
        customer_tier: customer
            .as_ref()
            .map(|customer| language.text_or(&format!("tier-{}", customer.tier), &customer.tier))
            .unwrap_or_default(),
        customer_name,
        other_cases,
        timeline: timeline.into_iter().map(|(_, entry)| entry).collect(),
        actions,
        dispositions: DISPOSITIONS
            .iter()
            .map(|code| {
                (
                    code.to_string(),
                    language.text(&format!("disposition-{code}")),
                )
            })
            .collect(),
        can_refund,
        refund_key: uuid::Uuid::now_v7().to_string(),
        methods: refund_operations::METHODS
            .iter()
            .map(|code| (code.to_string(), language.text(&format!("method-{code}"))))
            .collect(),
        currency_symbol: currency.symbol().to_string(),
        refunds: refunds::of_case(reader, &case.id)
            .await?
            .into_iter()
            .map(|refund| {
                (
                    minutes(refund.created_at, zone),
                    money(refund.amount_minor, currency),
                    language.text_or(&format!("method-{}", refund.method), &refund.method),
                )
            })
            .collect(),
        files: attachments::for_case(reader, &case.id)
            .await?
            .into_iter()
            .map(|file| (file.id, file.kind, file.file_name))
            .collect(),
        templates,
        staff: people
            .iter()
            .map(|(id, name, _)| (id.clone(), name.clone()))
            .collect(),
        priorities: crate::domain::Priority::ALL
            .iter()
            .map(|priority| {
                (
                    priority.as_str().to_string(),
                    language.text(&format!("priority-{priority}")),
                )
            })
            .collect(),
        has_label: case.kind.ships_back(),
        checklist: checklist::of_case(&state.database, &case)
            .await?
            .into_iter()
            .map(|step| {
                let before = step
                    .before
                    .iter()
                    .map(|action| staff_action_label(language, *action))
                    .collect::<Vec<_>>()
                    .join("、");
                let done = match (&step.done_by, step.done_at) {
                    (by, Some(at)) => format!(
                        "{} {}",
                        by.as_deref().and_then(name_of).unwrap_or_default(),
                        minutes(at, zone)
                    ),
                    _ => String::new(),
                };
                (step.code, step.text, step.done, before, done)
            })
            .collect(),
        typed,
    })
}

async fn shown(
    state: &AppState,
    staff: &Staff,
    id: &str,
    typed: Typed,
    status: StatusCode,
) -> PageResult {
    let case = case_operations::fetch(&state.database, &staff.actor, id).await?;
    let page = case_view(state, staff, case, typed).await?;
    Ok(render(&page, status, staff.language))
}

pub(super) async fn case_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    shown(&state, &staff, &id, Typed::default(), StatusCode::OK).await
}

/// After a change: back to the case page (a GET, so a reload does not send it again); when it
/// was refused, the page again with the reason and the typed values.
async fn answer(
    state: &AppState,
    staff: &Staff,
    id: &str,
    form_name: &str,
    fields: HashMap<String, String>,
    result: Result<(), AppError>,
) -> PageResult {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/console/cases/{id}")).into_response()),
        Err(error @ (AppError::NotFound(_) | AppError::Internal(_))) => Err(error.into()),
        Err(error) => {
            let status = error.status();
            let typed = Typed {
                form: form_name.to_string(),
                error: error_text(staff.language, &error),
                fields,
            };
            shown(state, staff, id, typed, status).await
        }
    }
}

fn text(fields: &HashMap<String, String>, name: &str) -> Option<String> {
    fields
        .get(name)
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

fn version(fields: &HashMap<String, String>) -> i64 {
    fields
        .get("version")
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(-1)
}

pub(super) async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let action = text(&fields, "action").unwrap_or_default();
    let input = TransitionInput {
        action: action.clone(),
        version: version(&fields),
        reason: text(&fields, "reason"),
        note: text(&fields, "note"),
        carrier: text(&fields, "carrier"),
        tracking_number: text(&fields, "tracking_number"),
        disposition: text(&fields, "disposition"),
    };
    let result = transitions::transition(&state.database, &staff.actor, &id, &input)
        .await
        .map(|_| ());
    answer(&state, &staff, &id, &action, fields, result).await
}

/// A refund of the amounts typed per line (in yuan), once per form: the form's key is the
/// idempotency key, so a double click or a resent form refunds once.
pub(super) async fn refund(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let currency = staff.actor.shop.currency;
    let mut lines = Vec::new();
    let mut problem = None;
    let mut numbers: Vec<(i64, &String)> = fields
        .iter()
        .filter_map(|(name, value)| {
            name.strip_prefix("amount_")
                .and_then(|number| number.parse().ok())
                .map(|number| (number, value))
        })
        .collect();
    numbers.sort();
    for (line_number, value) in numbers {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match Money::parse_decimal(value, currency) {
            Ok(amount) if amount.amount_minor > 0 => lines.push(RefundLineInput {
                line_number,
                amount_minor: amount.amount_minor,
            }),
            Ok(amount) if amount.amount_minor == 0 => {}
            _ => {
                problem = Some(AppError::invalid(
                    "amount",
                    format!("line {line_number}: '{value}' is not an amount such as 12.50"),
                ));
            }
        }
    }
    if problem.is_none() && lines.is_empty() {
        problem = Some(AppError::invalid(
            "amount",
            "amount is required: type what to refund on at least one line",
        ));
    }
    let result = match problem {
        Some(error) => Err(error),
        None => {
            let key = text(&fields, "key").unwrap_or_default();
            refund_operations::execute(
                &state.database,
                &staff.actor,
                &id,
                &format!("console:{key}"),
                &RefundInput {
                    lines,
                    method: text(&fields, "method"),
                    note: text(&fields, "note"),
                },
            )
            .await
            .map(|_| ())
        }
    };
    answer(&state, &staff, &id, "refund", fields, result).await
}

/// A reply to the customer, or an internal note (`visibility=internal`).
pub(super) async fn message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let internal = fields.get("visibility").map(String::as_str) == Some("internal");
    let (visibility, form_name) = if internal {
        (Visibility::Internal, "note")
    } else {
        (Visibility::Customer, "message")
    };
    let body = fields.get("body").cloned().unwrap_or_default();
    let result =
        case_operations::post_message(&state.database, &staff.actor, &id, visibility, &body)
            .await
            .map(|_| ());
    answer(&state, &staff, &id, form_name, fields, result).await
}

/// Ticks a checklist step off, or undoes it.
pub(super) async fn check_step(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let done = fields.get("done").map(String::as_str) == Some("1");
    let result = checklist::tick(&state.database, &staff.actor, &id, &code, done).await;
    answer(&state, &staff, &id, "checklist", fields, result).await
}

/// Assignee, priority and tags.
pub(super) async fn change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let changes = CaseChanges {
        version: version(&fields),
        assignee_id: Some(text(&fields, "assignee")),
        priority: text(&fields, "priority"),
        tags: fields.get("tags").map(|tags| {
            tags.split([',', '，'])
                .map(str::trim)
                .filter(|tag| !tag.is_empty())
                .map(str::to_string)
                .collect()
        }),
    };
    let result = case_operations::update(&state.database, &staff.actor, &id, &changes)
        .await
        .map(|_| ());
    answer(&state, &staff, &id, "change", fields, result).await
}

/// Photos or videos the staff add (e.g. the condition of a returned parcel), checked from their
/// bytes like the customer's.
pub(super) async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    multipart: axum::extract::Multipart,
) -> PageResult {
    let language = staff.language;
    let refuse = |error: String| Typed {
        form: "files".into(),
        fields: HashMap::new(),
        error,
    };
    let (fields, files) = match read_multipart(multipart).await {
        Ok(read) => read,
        Err(reason) => {
            let typed = refuse(format!(
                "{} ({reason})",
                language.text("portal-files-unreadable")
            ));
            return shown(&state, &staff, &id, typed, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    staff.check_csrf(fields.get("csrf").map(String::as_str))?;
    let case = case_operations::fetch(&state.database, &staff.actor, &id).await?;
    if files.is_empty() {
        let typed = refuse(language.text("portal-files-none"));
        return shown(&state, &staff, &id, typed, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let already = attachment_operations::count(&state.database, &case).await?;
    match attachment_operations::check(files, already) {
        Ok(checked) => {
            attachment_operations::store(&state.database, &staff.actor, &case, &checked).await?;
            Ok(Redirect::to(&format!("/console/cases/{id}#files")).into_response())
        }
        Err(error) => {
            let typed = refuse(upload_error_text(language, &error));
            shown(&state, &staff, &id, typed, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub(super) async fn attachment(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, attachment_id)): Path<(String, String)>,
) -> PageResult {
    let case = case_operations::fetch(&state.database, &staff.actor, &id).await?;
    let (record, content) = attachments::content(&state.database.reader, &case.id, &attachment_id)
        .await?
        .ok_or(AppError::NotFound("attachment"))?;
    Ok(crate::http::file_response(&record, content))
}

#[derive(Deserialize)]
pub(super) struct LabelQuery {
    size: Option<String>,
}

pub(super) async fn label(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<LabelQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let size = Size::parse(query.size.as_deref().unwrap_or("a4")).unwrap_or(Size::A4);
    let case = case_operations::fetch(&state.database, &staff.actor, &id).await?;
    Ok(crate::http::label_pdf(&state, &staff.actor.shop, &case, size, &headers).await?)
}
