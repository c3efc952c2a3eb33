//! The queue: the shop's cases filtered and sorted, saved views, keyset paging, and bulk
//! assign / tag / close.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::form::{Empty, Posted};
use super::text::{due_in, url_encode};
use super::{Frame, PageError, PageResult, Staff};
use crate::db::case_list;
use crate::db::cases::CaseRecord;
use crate::db::shops::list_reasons;
use crate::db::staff_sessions;
use crate::domain::order::PLATFORMS;
use crate::domain::{Action, CaseKind, Priority, Status};
use crate::error::AppError;
use crate::http::api::{CaseListQuery, Page, case_filter};
use crate::http::pages::render;
use crate::i18n::Language;
use crate::operations::cases::{self as case_operations, CaseChanges};
use crate::operations::transitions::{self, TransitionInput};
use crate::state::AppState;

/// One row of the queue.
pub struct Row {
    pub id: String,
    pub number: String,
    pub version: i64,
    pub kind: String,
    pub status: String,
    pub priority: String,
    pub priority_code: &'static str,
    pub customer: String,
    pub order_number: String,
    pub assignee: String,
    pub due: String,
    /// overdue, soon or later (the badge's colour)
    pub due_class: &'static str,
    pub tags: Vec<String>,
    /// The customer wrote and nobody answered yet.
    pub customer_replied: bool,
    /// How long since the case was opened, and since anything last happened to it.
    pub age: String,
    pub activity: String,
}

/// A sortable column's header link: (the sort it asks for, its arrow when it is the sort now).
pub struct SortLink {
    pub href: String,
    pub arrow: &'static str,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage {
    frame: Frame,
    query: CaseListQuery,
    rows: Vec<Row>,
    next: Option<String>,
    /// The query string of this view without the cursor (for "next page" and saving).
    current: String,
    statuses: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    staff: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    platforms: Vec<(String, String)>,
    /// Built-in views and the person's own: (name, query string, saved view id).
    views: Vec<(String, String, Option<String>)>,
    notice: Option<String>,
    /// Cases a bulk change could not touch, and why.
    failures: Option<String>,
    error: Option<String>,
    /// The header links of the columns that sort: number (opened), due, last activity.
    sort_links: HashMap<&'static str, SortLink>,
}

impl QueuePage {
    fn sort_link(&self, column: &str) -> &SortLink {
        &self.sort_links[column]
    }

    fn selected(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "status" => self.query.status.as_deref(),
            "kind" => self.query.kind.as_deref(),
            "reason_code" => self.query.reason_code.as_deref(),
            "assignee" => self.query.assignee.as_deref(),
            "priority" => self.query.priority.as_deref(),
            "platform" => self.query.platform.as_deref(),
            "due" => self.query.due.as_deref(),
            "sla" => self.query.sla.as_deref(),
            "sort" => self.query.sort.as_deref(),
            _ => None,
        };
        current.unwrap_or_default() == value
    }
}

#[derive(Deserialize, Default)]
struct Notice {
    done: Option<usize>,
    failed: Option<String>,
}

/// The query string a list of pairs makes, without empty values.
fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    pairs
        .iter()
        .filter_map(|(name, value)| {
            value
                .filter(|value| !value.trim().is_empty())
                .map(|value| format!("{name}={}", url_encode(value.trim())))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn current_query(query: &CaseListQuery) -> String {
    let limit = query.limit.map(|limit| limit.to_string());
    query_string(&[
        ("status", query.status.as_deref()),
        ("kind", query.kind.as_deref()),
        ("reason_code", query.reason_code.as_deref()),
        ("assignee", query.assignee.as_deref()),
        ("tag", query.tag.as_deref()),
        ("priority", query.priority.as_deref()),
        ("platform", query.platform.as_deref()),
        ("due", query.due.as_deref()),
        ("sla", query.sla.as_deref()),
        ("created_from", query.created_from.as_deref()),
        ("created_to", query.created_to.as_deref()),
        ("ended_from", query.ended_from.as_deref()),
        ("ended_to", query.ended_to.as_deref()),
        ("q", query.q.as_deref()),
        ("sort", query.sort.as_deref()),
        ("limit", limit.as_deref()),
    ])
}

fn labelled<T: Copy>(
    language: Language,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    prefix: &str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|item| {
            let code = code(*item);
            (code.to_string(), language.text(&format!("{prefix}{code}")))
        })
        .collect()
}

/// The queue's query from its address: the open cases by default; a search or a period (a
/// dashboard number's cases) shows every status, as the number counted them.
pub(super) fn queue_query(raw: &str) -> CaseListQuery {
    let mut query: CaseListQuery = serde_urlencoded::from_str(raw).unwrap_or_default();
    let period = [&query.created_from, &query.created_to]
        .iter()
        .any(|day| day.as_deref().is_some_and(|day| !day.trim().is_empty()));
    if query.status.is_none() && query.q.is_none() && !period {
        query.status = Some("open".into());
    }
    query
}

pub(super) async fn queue_page(
    State(state): State<AppState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let raw = raw.unwrap_or_default();
    let query = queue_query(&raw);
    let notice: Notice = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let language = staff.language;
    let mut error = None;
    let filter = match case_filter(&staff.actor, &query, state.clock.now()) {
        Ok(filter) => Some(filter),
        Err(problem) => {
            error = Some(super::error_text(language, &problem));
            None
        }
    };
    let records = match &filter {
        Some(filter) => {
            case_list::list(
                &state.database.reader,
                state.database.backend,
                &staff.actor.shop.id,
                filter,
            )
            .await?
        }
        None => Vec::new(),
    };
    let limit = filter.as_ref().map(|filter| filter.limit).unwrap_or(50);
    let sort = filter
        .as_ref()
        .map(|filter| filter.sort)
        .unwrap_or(case_list::CaseSort::DueAt);
    let page = Page::of(
        records,
        limit,
        |case: &CaseRecord| (sort.key_of(case), case.id.as_str()),
        |case| case,
    );
    let reader = &state.database.reader;
    let shop = &staff.actor.shop;
    let people = staff_sessions::staff_of(reader, &shop.id).await?;
    let names: HashMap<&str, &str> = people
        .iter()
        .map(|(id, name, _)| (id.as_str(), name.as_str()))
        .collect();
    let now = state.clock.now();
    let ago = Ago::new(language);
    let rows = page
        .items
        .iter()
        .map(|case| {
            let (due, due_class) = if case.status.is_open() {
                due_in(language, case.due_at, now)
            } else {
                (String::new(), "ended")
            };
            Row {
                id: case.id.clone(),
                number: case.number.clone(),
                version: case.version,
                kind: language.text(&format!("kind-{}", case.kind)),
                status: language.text(&format!("staff-status-{}", case.status)),
                priority: language.text(&format!("priority-{}", case.priority)),
                priority_code: case.priority.as_str(),
                customer: case
                    .customer_name
                    .clone()
                    .or_else(|| case.contact_name.clone())
                    .unwrap_or_default(),
                order_number: case.order_number.clone(),
                customer_replied: case.customer_waiting_since.is_some(),
                assignee: case
                    .assignee_id
                    .as_deref()
                    .and_then(|id| names.get(id))
                    .map(|name| name.to_string())
                    .unwrap_or_default(),
                due,
                due_class,
                tags: case.tags.clone(),
                age: ago.since(now - case.created_at),
                activity: ago.since(now - case.updated_at),
            }
        })
        .collect();
    let reasons = list_reasons(reader, &shop.id)
        .await?
        .into_iter()
        .map(|reason| {
            let name = match language {
                Language::Chinese => reason.name_zh,
                Language::English => reason.name_en,
            };
            (reason.code, name)
        })
        .collect();
    let mut views = vec![
        (
            language.text("view-my-open"),
            "status=open&assignee=me".to_string(),
            None,
        ),
        (
            language.text("view-unassigned"),
            "status=open&assignee=none".to_string(),
            None,
        ),
        (
            language.text("view-to-inspect"),
            "status=received".to_string(),
            None,
        ),
        (
            language.text("view-due-soon"),
            "status=open&due=soon".to_string(),
            None,
        ),
        (
            language.text("view-sla-breach"),
            "status=open&sla=breached".to_string(),
            None,
        ),
    ];
    for (id, name, query) in staff_sessions::saved_views(reader, &shop.id, &staff.staff_id).await? {
        views.push((name, query, Some(id)));
    }
    // What was done in the success colour; what was not, in its own box as an alert.
    let failures = notice
        .failed
        .clone()
        .filter(|failed| !failed.is_empty())
        .map(|failed| {
            language
                .text_with("console-bulk-failed", "cases", &failed)
                .trim()
                .to_string()
        });
    let notice = notice
        .done
        .filter(|done| *done > 0 || failures.is_none())
        .map(|done| language.text_with("console-bulk-done", "n", &done.to_string()));
    let current = current_query(&query);
    let sort_links = sort_links(&query);
    let view = QueuePage {
        sort_links,
        frame: Frame::new(&state, &staff, "queue").await?,
        next: page.next_cursor.map(|cursor| {
            format!(
                "{current}{}cursor={cursor}",
                if current.is_empty() { "" } else { "&" }
            )
        }),
        current,
        query,
        rows,
        statuses: labelled(language, Status::ALL, Status::as_str, "staff-status-"),
        kinds: labelled(language, CaseKind::ALL, CaseKind::as_str, "kind-"),
        reasons,
        staff: people.into_iter().map(|(id, name, _)| (id, name)).collect(),
        priorities: labelled(language, Priority::ALL, Priority::as_str, "priority-"),
        platforms: PLATFORMS
            .iter()
            .map(|code| (code.to_string(), language.text(&format!("platform-{code}"))))
            .collect(),
        views,
        notice,
        failures,
        error,
    };
    let status = if view.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(&view, status, language))
}

/// "3 分钟" / "2 days": how long ago, roughly. The three wordings are looked up once per page,
/// not once per row.
struct Ago {
    minutes: String,
    hours: String,
    days: String,
}

impl Ago {
    fn new(language: Language) -> Ago {
        let unit = |unit: &str| language.text_with(&format!("console-ago-{unit}"), "n", "{n}");
        Ago {
            minutes: unit("minutes"),
            hours: unit("hours"),
            days: unit("days"),
        }
    }

    fn since(&self, microseconds: i64) -> String {
        let minutes = (microseconds / 60_000_000).max(0);
        let (amount, words) = match minutes {
            0..=59 => (minutes, &self.minutes),
            60..=2879 => (minutes / 60, &self.hours),
            _ => (minutes / 1440, &self.days),
        };
        words.replace("{n}", &amount.to_string())
    }
}

/// Each sortable column's link: the view with that sort, reversed when it is the sort now.
fn sort_links(query: &CaseListQuery) -> HashMap<&'static str, SortLink> {
    let now = query.sort.clone().unwrap_or_else(|| "due_at".into());
    [
        ("number", "created_at"),
        ("due", "due_at"),
        ("activity", "updated_at"),
    ]
    .into_iter()
    .map(|(column, sort)| {
        let descending = format!("-{sort}");
        let (next, arrow, state) = if now == sort {
            (descending.as_str(), " ▲", "ascending")
        } else if now == descending {
            (sort, " ▼", "descending")
        } else {
            (sort, "", "none")
        };
        let with_sort = CaseListQuery {
            sort: Some(next.to_string()),
            cursor: None,
            ..query.clone()
        };
        (
            column,
            SortLink {
                href: format!("/console?{}", current_query(&with_sort)),
                arrow,
                state,
            },
        )
    })
    .collect()
}

/// `GET /console/counts?view=QUERY&view=QUERY…`: how many cases each view holds (up to 1,000),
/// for the menu and the views' badges, fetched by the page after it is shown.
pub(super) async fn counts(
    State(state): State<AppState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Result<axum::Json<serde_json::Value>, PageError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&raw.unwrap_or_default()).unwrap_or_default();
    let now = state.clock.now();
    let mut counts = Vec::new();
    for (_, view) in pairs.iter().filter(|(name, _)| name == "view").take(20) {
        let query: CaseListQuery = serde_urlencoded::from_str(view).unwrap_or_default();
        let count = match case_filter(&staff.actor, &query, now) {
            Ok(filter) => Some(
                case_list::count(
                    &state.database.reader,
                    state.database.backend,
                    &staff.actor.shop.id,
                    &filter,
                    COUNTED_UP_TO,
                )
                .await?,
            ),
            Err(_) => None,
        };
        counts.push(count);
    }
    Ok(axum::Json(
        serde_json::json!({ "counts": counts, "cap": COUNTED_UP_TO }),
    ))
}

const COUNTED_UP_TO: i64 = 1000;

/// `GET /console/next?after=ID`: the open case after this one in due order — the person's own
/// first, then unassigned ones — wrapping round to the most urgent; the queue when there is none.
pub(super) async fn next_case(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Query(after): axum::extract::Query<HashMap<String, String>>,
) -> PageResult {
    let skip = after.get("after").cloned().unwrap_or_default();
    let reader = &state.database.reader;
    let shop = &staff.actor.shop;
    let current = crate::db::cases::get(reader, &shop.id, &skip).await?;
    let position = current.map(|case| (case.due_at, case.id));
    let mine = || case_list::AssigneeFilter::Staff(staff.staff_id.clone());
    let nobody = || case_list::AssigneeFilter::Nobody;
    // After this case in due order (own, then unassigned), then from the top.
    let mut tries = Vec::new();
    if position.is_some() {
        tries.push((mine(), position.clone()));
        tries.push((nobody(), position.clone()));
    }
    tries.push((mine(), None));
    tries.push((nobody(), None));
    for (assignee, after) in tries {
        let filter = case_list::CaseFilter {
            open: Some(true),
            assignee: Some(assignee),
            after,
            ..case_list::CaseFilter::all(case_list::CaseSort::DueAt, 2)
        };
        let found = case_list::list(reader, state.database.backend, &shop.id, &filter).await?;
        if let Some(case) = found.into_iter().find(|case| case.id != skip) {
            return Ok(
                crate::http::pages::redirect(&format!("/console/cases/{}", case.id))
                    .into_response(),
            );
        }
    }
    Ok(crate::http::pages::redirect("/console").into_response())
}

/// Assign, tag or close the ticked cases, each through the same operation as one at a time;
/// what could not be done is listed by case number.
pub(super) async fn bulk(
    State(state): State<AppState>,
    Posted { staff, form }: Posted<Vec<(String, String)>>,
) -> PageResult {
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let back = field("back").unwrap_or_default().to_string();
    let operation = field("operation").unwrap_or_default();
    let language = staff.language;
    let mut done = 0;
    let mut failed = Vec::new();
    for (_, value) in form.iter().filter(|(key, _)| key == "case") {
        let Some((id, version)) = value.split_once(':') else {
            continue;
        };
        let version: i64 = version.parse().unwrap_or(-1);
        let result = match operation {
            "assign" => {
                let assignee = field("assignee").unwrap_or_default();
                let changes = CaseChanges {
                    version,
                    assignee_id: Some(match assignee {
                        "" | "none" => None,
                        "me" => Some(staff.staff_id.clone()),
                        other => Some(other.to_string()),
                    }),
                    ..CaseChanges::default()
                };
                case_operations::update(&state.database, &staff.actor, id, &changes)
                    .await
                    .map(|_| ())
            }
            "tag" => {
                let tag = field("tag").unwrap_or_default().trim().to_string();
                match case_operations::fetch(&state.database, &staff.actor, id).await {
                    Ok(case) if !tag.is_empty() => {
                        let mut tags = case.tags.clone();
                        if !tags.contains(&tag) {
                            tags.push(tag);
                        }
                        let changes = CaseChanges {
                            version,
                            tags: Some(tags),
                            ..CaseChanges::default()
                        };
                        case_operations::update(&state.database, &staff.actor, id, &changes)
                            .await
                            .map(|_| ())
                    }
                    Ok(_) => Err(AppError::invalid("tag", "tag is required")),
                    Err(error) => Err(error),
                }
            }
            "close" => transitions::transition(
                &state.database,
                &staff.actor,
                id,
                &TransitionInput {
                    action: Action::Close.as_str().into(),
                    version,
                    reason: None,
                    note: None,
                    carrier: None,
                    tracking_number: None,
                    disposition: None,
                    close_unanswered: false,
                    refusal_code: None,
                    platform_reason_id: None,
                    proof: Vec::new(),
                    serial_number: None,
                },
            )
            .await
            .map(|_| ()),
            _ => {
                return Err(PageError::said(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "console-bulk-choose",
                ));
            }
        };
        match result {
            Ok(()) => done += 1,
            Err(error) => {
                let number = case_operations::fetch(&state.database, &staff.actor, id)
                    .await
                    .map(|case| case.number)
                    .unwrap_or_else(|_| id.to_string());
                failed.push(format!(
                    "{number}（{}）",
                    super::error_text(language, &error)
                ));
            }
        }
    }
    let back = if back.is_empty() {
        String::new()
    } else {
        format!("{back}&")
    };
    Ok(crate::http::pages::redirect(&format!(
        "/console?{back}done={done}&failed={}",
        url_encode(&failed.join("；"))
    ))
    .into_response())
}

#[derive(Deserialize)]
pub(super) struct ViewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
}

/// Saves the current filters under a name, for this person in this shop.
pub(super) async fn save_view(
    State(state): State<AppState>,
    Posted { staff, form }: Posted<ViewForm>,
) -> PageResult {
    let name: String = form.name.trim().chars().take(60).collect();
    let query = form.query;
    if name.is_empty() {
        return Err(PageError::said(
            StatusCode::UNPROCESSABLE_ENTITY,
            "console-view-name",
        ));
    }
    staff_sessions::save_view(
        &state.database,
        &staff.actor.shop.id,
        &staff.staff_id,
        &name,
        &query,
        state.clock.now(),
    )
    .await?;
    Ok(crate::http::pages::redirect(&format!("/console?{query}")).into_response())
}

pub(super) async fn delete_view(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, .. }: Posted<Empty>,
) -> PageResult {
    staff_sessions::delete_view(&state.database, &staff.actor.shop.id, &staff.staff_id, &id)
        .await?;
    Ok(crate::http::pages::redirect("/console").into_response())
}
