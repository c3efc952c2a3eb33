//! Follow-up visits (回访, docs/MANAGEMENT.md, "Follow-up visits"): the hourly sweep turns the
//! shop's rules into visits (an order above an amount delivered some days ago, a case closed
//! some days ago, a VIP customer not visited this period), each once, with its script, due date
//! and assignee; an agent records the outcome: reached, not reached (tried again the next day
//! until the shop's attempts are used), or an issue found, which opens a case on the order.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::cases::{ContactInput, NewCaseInput};
use crate::db::shops::{Actor, Shop};
use crate::db::visits::{self, Done, NewVisit, VisitRecord};
use crate::db::{Database, settings};
use crate::domain::Role;
use crate::domain::permissions::Capability;
use crate::domain::time::format_in_zone;
use crate::domain::visits::{Outcome, Trigger, VisitRule, after, cadence_period, script};
use crate::error::{AppError, AppResult};
use crate::operations::exports::{Listing, Read, Table};

const DAY: i64 = 24 * 3_600_000_000;
/// A start older than this (plus the rule's days) is not visited any more: a server that was
/// down a while catches up on a week, never on years of history.
const CATCH_UP: i64 = 7 * DAY;

/// Every shop's rules, turned into visits due now; how many were made.
pub async fn sweep(database: &Database, now: i64) -> anyhow::Result<usize> {
    let mut made = 0;
    for (shop_id, settings) in settings::with_visits(&database.reader).await? {
        let Some(shop) = crate::db::shops::find_shop_by_id(&database.reader, &shop_id).await?
        else {
            continue;
        };
        for rule in &settings.rules {
            made += apply(database, &shop, rule, now).await?;
        }
    }
    Ok(made)
}

async fn apply(
    database: &Database,
    shop: &Shop,
    rule: &VisitRule,
    now: i64,
) -> anyhow::Result<usize> {
    let due_at = now + i64::from(rule.due_days()) * DAY;
    let since = now - i64::from(rule.after_days()) * DAY;
    let mut made = 0;
    let mut store = async |source_key: String,
                           customer: (Option<&str>, &str),
                           order: (Option<&str>, &str, &str),
                           case_id: Option<&str>,
                           assignee: Option<&str>|
           -> anyhow::Result<()> {
        let words = script(&rule.script, customer.1, order.1, order.2, &shop.name);
        if visits::insert(
            &database.writer,
            &NewVisit {
                shop_id: &shop.id,
                rule: &rule.name,
                trigger_kind: rule.trigger.as_str(),
                source_key: &source_key,
                customer_id: customer.0,
                order_id: order.0,
                case_id,
                script: &words,
                assignee_id: rule.assignee_id.as_deref().or(assignee),
                due_at,
                now,
            },
        )
        .await?
        {
            made += 1;
        }
        Ok(())
    };
    match rule.trigger {
        Trigger::Delivered => {
            for order in visits::delivered_orders(
                &database.reader,
                &shop.id,
                &rule.name,
                (since - CATCH_UP, since),
                rule.min_order_minor.unwrap_or(0),
            )
            .await?
            {
                store(
                    format!("delivered:{}", order.id),
                    (
                        order.customer_id.as_deref(),
                        order.customer_name.as_deref().unwrap_or_default(),
                    ),
                    (
                        Some(&order.id),
                        &order.order_number,
                        order.product.as_deref().unwrap_or_default(),
                    ),
                    None,
                    None,
                )
                .await?;
            }
        }
        Trigger::CaseClosed => {
            for case in visits::closed_cases(
                &database.reader,
                &shop.id,
                &rule.name,
                (since - CATCH_UP, since),
            )
            .await?
            {
                if !rule.kinds.is_empty()
                    && !rule.kinds.iter().any(|kind| kind.as_str() == case.kind)
                {
                    continue;
                }
                store(
                    format!("case:{}", case.id),
                    (
                        case.customer_id.as_deref(),
                        case.customer_name.as_deref().unwrap_or_default(),
                    ),
                    (Some(&case.order_id), &case.order_number, ""),
                    Some(&case.id),
                    case.assignee_id.as_deref(),
                )
                .await?;
            }
        }
        Trigger::Cadence => {
            let period = format!(":{}", cadence_period(now, rule.every_days()));
            for tier in &rule.tiers {
                for customer in
                    visits::cared_for(&database.reader, &shop.id, &rule.name, tier, &period).await?
                {
                    store(
                        format!("cadence:{}{period}", customer.id),
                        (Some(&customer.id), &customer.name),
                        (
                            customer.order_id.as_deref(),
                            customer.order_number.as_deref().unwrap_or_default(),
                            "",
                        ),
                        None,
                        None,
                    )
                    .await?;
                }
            }
        }
    }
    Ok(made)
}

/// A visit as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitView {
    pub id: String,
    pub rule: String,
    /// delivered, case_closed or cadence.
    pub trigger: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_tier: Option<String>,
    pub order_number: Option<String>,
    /// The closed case it follows up, for a `case_closed` rule.
    pub case_id: Option<String>,
    pub script: String,
    pub assignee_id: Option<String>,
    /// open, reached, not_reached or issue_found.
    pub state: String,
    pub attempts: i64,
    pub due_at: String,
    pub note: Option<String>,
    /// The case an issue found opened.
    pub opened_case_id: Option<String>,
    pub done_at: Option<String>,
    pub version: i64,
}

pub fn view(shop: &Shop, visit: &VisitRecord) -> VisitView {
    let zone = &shop.time_zone;
    VisitView {
        id: visit.id.clone(),
        rule: visit.rule.clone(),
        trigger: visit.trigger_kind.clone(),
        customer_id: visit.customer_id.clone(),
        customer_name: visit.customer_name.clone(),
        customer_phone: visit.customer_phone.clone(),
        customer_tier: visit.customer_tier.clone(),
        order_number: visit.order_number.clone(),
        case_id: visit.case_id.clone(),
        script: visit.script.clone(),
        assignee_id: visit.assignee_id.clone(),
        state: visit.state.clone(),
        attempts: visit.attempts,
        due_at: format_in_zone(visit.due_at, zone),
        note: visit.note.clone(),
        opened_case_id: visit.opened_case_id.clone(),
        done_at: visit.done_at.map(|at| format_in_zone(at, zone)),
        version: visit.version,
    }
}

fn staff(actor: &Actor) -> AppResult<()> {
    match actor.role {
        Role::Customer => Err(AppError::Forbidden(
            "customers have no visits to make".into(),
        )),
        _ => AppError::require(actor.role, Capability::EditCases),
    }
}

/// The open visits (soonest due first) or the done ones; `mine`: the person's and nobody's.
pub async fn list(
    database: &Database,
    actor: &Actor,
    open: bool,
    mine: bool,
    after: Option<(i64, String)>,
    limit: i64,
) -> AppResult<Vec<VisitRecord>> {
    staff(actor)?;
    let assignee = actor.staff_id.as_deref().filter(|_| mine);
    Ok(visits::list(
        &database.reader,
        &actor.shop.id,
        open,
        assignee,
        after,
        limit,
    )
    .await?)
}

const HEADER: [&str; 14] = [
    "规则 Rule",
    "触发 Trigger",
    "客户 Customer",
    "电话 Phone",
    "等级 Tier",
    "订单号 Order number",
    "话术 Script",
    "处理人 Assignee",
    "结果 Outcome",
    "拨打次数 Attempts",
    "应回访 Due at",
    "备注 Note",
    "发现问题的案件 Case opened",
    "完成时间 Done at",
];

/// The open visits (or the done ones) as a file, read a thousand at a time as it is sent.
pub fn export(
    database: &Database,
    actor: &Actor,
    open: bool,
    mine: bool,
) -> AppResult<Table<VisitRecord>> {
    staff(actor)?;
    let assignee = actor.staff_id.clone().filter(|_| mine);
    let (pool, shop_id) = (database.reader.clone(), actor.shop.id.clone());
    let read: Read<VisitRecord> = Box::new(move |after| {
        let (pool, shop_id, assignee) = (pool.clone(), shop_id.clone(), assignee.clone());
        Box::pin(async move {
            Ok(visits::list(&pool, &shop_id, open, assignee.as_deref(), after, 1000).await?)
        })
    });
    let shop = actor.shop.clone();
    Ok(Table {
        file: "visits".into(),
        sheet: "回访 Visits",
        header: &HEADER,
        numbers: &[9],
        listing: Listing::new(
            1000,
            read,
            move |visit| {
                let key = if open {
                    visit.due_at
                } else {
                    visit.done_at.unwrap_or(0)
                };
                (key, visit.id.clone())
            },
            move |visit| {
                let view = view(&shop, &visit);
                vec![
                    view.rule,
                    view.trigger,
                    view.customer_name.unwrap_or_default(),
                    view.customer_phone.unwrap_or_default(),
                    view.customer_tier.unwrap_or_default(),
                    view.order_number.unwrap_or_default(),
                    view.script,
                    view.assignee_id.unwrap_or_default(),
                    view.state,
                    view.attempts.to_string(),
                    view.due_at,
                    view.note.unwrap_or_default(),
                    view.opened_case_id.unwrap_or_default(),
                    view.done_at.unwrap_or_default(),
                ]
            },
        ),
    })
}

pub async fn get(database: &Database, actor: &Actor, id: &str) -> AppResult<VisitRecord> {
    staff(actor)?;
    visits::get(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("visit"))
}

/// What the agent records.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitOutcomeInput {
    /// reached, not_reached or issue_found.
    #[schema(pattern = "^(reached|not_reached|issue_found)$")]
    pub outcome: String,
    /// The visit's version as read (a visit recorded meanwhile is a conflict).
    pub version: i64,
    /// What the customer said.
    #[serde(default)]
    pub note: Option<String>,
    /// issue_found: the case to open on the visit's order (default a complaint, reason
    /// `other`; the note is its description).
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub reason_code: Option<String>,
}

/// Records a visit's outcome; an issue found opens a case on its order.
pub async fn record(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &VisitOutcomeInput,
) -> AppResult<VisitRecord> {
    staff(actor)?;
    let outcome = Outcome::parse(input.outcome.trim()).ok_or_else(|| {
        AppError::invalid(
            "outcome",
            format!(
                "unknown outcome '{}'; use reached, not_reached or issue_found",
                input.outcome
            ),
        )
    })?;
    let note = super::text_field("note", input.note.as_deref(), false, 2000)?;
    let visit = get(database, actor, id).await?;
    if visit.state != "open" || visit.version != input.version {
        return Err(AppError::Conflict {
            code: "version_conflict",
            message: format!(
                "the visit was recorded meanwhile (now {}, version {}): read it again",
                visit.state, visit.version
            ),
            details: json!({ "state": visit.state, "version": visit.version }),
        });
    }
    let opened = match outcome {
        Outcome::IssueFound => {
            let order_number = visit.order_number.clone().ok_or_else(|| {
                AppError::invalid(
                    "outcome",
                    "the customer has no order to open a case on: open one from their page",
                )
            })?;
            let description = note
                .clone()
                .ok_or_else(|| AppError::invalid("note", "say what the customer's problem is"))?;
            let created = super::cases::create(
                database,
                actor,
                &NewCaseInput {
                    order_number,
                    kind: input.kind.clone().unwrap_or_else(|| "complaint".into()),
                    reason_code: input.reason_code.clone().unwrap_or_else(|| "other".into()),
                    description,
                    lines: Vec::new(),
                    contact: ContactInput::default(),
                    priority: None,
                    assignee_id: actor.staff_id.clone(),
                    tags: vec!["visit".into()],
                    channel: Some("phone".into()),
                },
                None,
            )
            .await?;
            Some(created.case.id)
        }
        _ => None,
    };
    let settings = settings::get(database, &actor.shop.id).await?;
    let now = database.clock.now();
    let attempts = u32::try_from(visit.attempts).unwrap_or(u32::MAX);
    let (state, due_at) = after(outcome, attempts, settings.visits.attempts(), now);
    let mut transaction = database.begin().await?;
    if !visits::record(
        &mut transaction,
        &visit.id,
        visit.version,
        &Done {
            state,
            due_at,
            note: note.as_deref(),
            opened_case_id: opened.as_deref(),
            by: actor.staff_id.as_deref(),
            now,
        },
    )
    .await?
    {
        return Err(AppError::Conflict {
            code: "version_conflict",
            message: "the visit was recorded meanwhile: read it again".into(),
            details: json!({}),
        });
    }
    // The closed case it followed up hears how the customer is now.
    if let Some(case_id) = &visit.case_id {
        super::record_event(
            &mut transaction,
            actor,
            case_id,
            "visited",
            json!({ "visit_id": visit.id, "outcome": outcome, "note": note, "opened_case_id": opened }),
            now,
        )
        .await?;
    }
    transaction.commit().await?;
    get(database, actor, id).await
}
