//! Keeping the SLA figures of a case: targets when it opens, the first response, pauses while it
//! waits on the customer or a parcel, resolution, and breaches (priority up, an event, a notice
//! to the supervisors in the outbox).

use jiff::tz::TimeZone;
use serde_json::json;

use crate::db::cases::{self, CaseRecord, NewEvent, SlaState};
use crate::db::timers::{self, NewTimer, TimerRecord};
use crate::db::{Transaction, new_id};
use crate::domain::clocks::Clock;
use crate::domain::settings::ShopSettings;
use crate::domain::sla::{self, SlaSettings};
use crate::domain::{CaseKind, Priority, Role, Status};

/// The first-response and resolution due moments of a case opened `now`.
pub fn targets(
    settings: &SlaSettings,
    zone: &TimeZone,
    kind: CaseKind,
    priority: Priority,
    tier: Option<&str>,
    now: i64,
) -> (i64, i64) {
    let (first, resolution) = settings.target(kind, priority, tier);
    let working = settings.working_time(zone);
    (
        working.add_minutes(now, i64::from(first) * 60),
        working.add_minutes(now, i64::from(resolution) * 60),
    )
}

fn timer<'a>(
    id: &'a str,
    case: &'a CaseRecord,
    clock: Clock,
    due_at: i64,
    status: Status,
    now: i64,
) -> NewTimer<'a> {
    NewTimer {
        id,
        shop_id: &case.shop_id,
        case_id: &case.id,
        clock,
        rule: "shop SLA",
        steps: &[],
        status,
        due_at,
        now,
    }
}

/// Starts the SLA clock for the next target still open (first response, then resolution).
async fn schedule(
    transaction: &mut Transaction,
    case: &CaseRecord,
    state: &SlaState,
    status: Status,
    now: i64,
) -> Result<(), sqlx::Error> {
    timers::cancel_for_case(transaction, &case.id, true, now).await?;
    if state.paused_at.is_some() || state.resolved_at.is_some() {
        return Ok(());
    }
    // One SLA clock at a time: the next target still owed.
    let first_owed = state.first_response_at.is_none() && state.breached.is_none();
    let next = if first_owed {
        state
            .first_response_due
            .map(|due| (Clock::SlaFirstResponse, due))
    } else {
        state.resolution_due.map(|due| (Clock::SlaResolution, due))
    };
    if let Some((clock, due)) = next
        && !timers::fired_before(transaction, &case.id, clock).await?
    {
        let id = new_id();
        timers::insert(transaction, &timer(&id, case, clock, due, status, now)).await?;
    }
    Ok(())
}

fn next_due(state: &SlaState, fallback: i64) -> i64 {
    match state.first_response_at {
        None => state.first_response_due.unwrap_or(fallback),
        Some(_) => state.resolution_due.unwrap_or(fallback),
    }
}

/// After a change by `role` that moved the case to `to` (or kept its status, for a message):
/// records the first response, pauses, resumes and resolution, and reschedules the SLA clocks.
pub async fn after_change(
    transaction: &mut Transaction,
    case: &CaseRecord,
    to: Status,
    role: Role,
    settings: &ShopSettings,
    zone: &TimeZone,
    now: i64,
) -> Result<(), sqlx::Error> {
    let before = cases::sla_state(transaction, &case.id).await?;
    let working = settings.sla.working_time(zone);
    let state = sla::advance(&before, to, role.is_staff(), case.created_at, now, &working);
    if state != before {
        cases::set_sla(transaction, &case.id, &state, next_due(&state, case.due_at)).await?;
        schedule(transaction, case, &state, to, now).await?;
    }
    Ok(())
}

/// A target ran out: unless it was met meanwhile, the priority rises one step, the breach is
/// recorded on the case and its timeline, and the shop's supervisors get a notice.
pub async fn breach(
    transaction: &mut Transaction,
    case: &CaseRecord,
    timer: &TimerRecord,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut state = cases::sla_state(transaction, &case.id).await?;
    let target = match timer.clock {
        Clock::SlaFirstResponse if state.first_response_at.is_none() => "first_response",
        Clock::SlaResolution if state.resolved_at.is_none() => "resolution",
        _ => return Ok(false),
    };
    if state.paused_at.is_some() {
        return Ok(false);
    }
    let raised = case.priority.raised();
    cases::raise_priority(transaction, &case.id, raised).await?;
    if state.breached.is_none() {
        state.breached = Some(target.into());
        cases::set_sla(transaction, &case.id, &state, next_due(&state, case.due_at)).await?;
        // The first response was missed: the resolution target's clock runs next.
        if target == "first_response" {
            schedule(transaction, case, &state, case.status, now).await?;
        }
    }
    let data = json!({
        "target": target, "due_at": timer.due_at, "clock": timer.clock, "timer_id": timer.id,
        "priority": { "from": case.priority, "to": raised }, "notified": "supervisor"
    });
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &case.shop_id,
            case_id: &case.id,
            at: now,
            actor_role: Role::System,
            actor_id: None,
            action: "sla_breached",
            from_status: None,
            to_status: None,
            data: data.clone(),
        },
    )
    .await?;
    crate::db::outbox::insert(
        transaction,
        &crate::db::outbox::NewMessage {
            shop_id: &case.shop_id,
            case_id: Some(&case.id),
            audience: "supervisor",
            topic: "sla_breached",
            payload: &json!({ "case_id": case.id, "case_number": case.number, "target": target, "due_at": timer.due_at }),
            now,
        },
    )
    .await?;
    Ok(true)
}
