//! Running the clocks: a case entering a status gets that status's clock (its old ones stop);
//! a due clock acts as the system, in one transaction with the timer it finishes, so it acts
//! once even with several workers or a crash half-way.

use serde_json::json;

use super::refunds::{self, RefundInput};
use super::sla;
use crate::db::cases::{self, CaseRecord, NewEvent};
use crate::db::settings;
use crate::db::shops::{self, Actor};
use crate::db::timers::{self, NewTimer, TimerRecord};
use crate::db::{Database, Transaction, new_id};
use crate::domain::clocks::{self, Clock, HOUR_MICROS};
use crate::domain::lifecycle::{self, Moment};
use crate::domain::settings::ShopSettings;
use crate::domain::{Action, Role, Status};
use crate::error::{AppError, AppResult};

/// Stops the case's clocks and starts the one for `status`, if it has one. A case staying in its
/// status (a refund topped up) has its waiting clock moved on instead: one write, not two.
pub async fn restart(
    transaction: &mut Transaction,
    case: &CaseRecord,
    status: Status,
    settings: &ShopSettings,
    now: i64,
) -> Result<(), sqlx::Error> {
    let plan = clocks::plan(
        case.kind,
        status,
        &case.platform,
        case.order_shipped_at.is_some(),
        &settings.clocks,
    );
    if let Some(plan) = &plan
        && status == case.status
        && timers::move_pending(
            transaction,
            &case.id,
            plan.clock,
            now + i64::from(plan.hours) * HOUR_MICROS,
        )
        .await?
    {
        return Ok(());
    }
    timers::cancel_for_case(transaction, &case.id, false, now).await?;
    if let Some(plan) = plan {
        start(transaction, case, &plan, status, now).await?;
    }
    Ok(())
}

/// What a due timer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fired {
    /// It acted: the steps it took.
    Acted(Vec<Action>),
    /// An SLA target was missed: the priority rose and the supervisors were told.
    Breached,
    /// Nothing to do: the case had moved on, or another worker finished it.
    Skipped(String),
    /// It did what a clock does without moving the case (a reminder, a follow-up task, a close
    /// put off): what, in words.
    Waited(String),
}

/// Fires one claimed timer as `worker` at `now`.
pub async fn fire(
    database: &Database,
    worker: &str,
    timer: &TimerRecord,
    now: i64,
) -> AppResult<Fired> {
    let shop = shops::find_shop_by_id(&database.reader, &timer.shop_id)
        .await?
        .ok_or(AppError::NotFound("shop"))?;
    let settings = settings::get(database, &timer.shop_id).await?;
    let actor = Actor {
        shop,
        role: Role::System,
        staff_id: None,
    };
    let mut transaction = database.begin().await?;
    if timers::hold(&mut transaction, database.backend, &timer.id, worker)
        .await?
        .is_none()
    {
        return Ok(Fired::Skipped("another worker finished it".into()));
    }
    let case = cases::get_for_update(
        &mut transaction,
        database.backend,
        &timer.shop_id,
        &timer.case_id,
    )
    .await?
    .ok_or(AppError::NotFound("case"))?;
    if timer.clock == Clock::PlatformDeadline {
        let missed =
            super::aftersales::deadline_passed(&mut transaction, &case, timer, now).await?;
        let outcome = if missed {
            "missed"
        } else {
            "the platform's record moved on"
        };
        timers::finish(
            &mut transaction,
            &timer.id,
            if missed { "fired" } else { "skipped" },
            outcome,
            now,
        )
        .await?;
        transaction.commit().await?;
        return Ok(if missed {
            Fired::Breached
        } else {
            Fired::Skipped(outcome.into())
        });
    }
    if timer.clock == Clock::DisputeDeadline {
        let done = super::disputes::deadline_passed(&mut transaction, &case, timer, now).await?;
        let outcome = done.unwrap_or("the dispute moved on");
        timers::finish(
            &mut transaction,
            &timer.id,
            if done.is_some() { "fired" } else { "skipped" },
            outcome,
            now,
        )
        .await?;
        transaction.commit().await?;
        return Ok(match done {
            Some("missed") => Fired::Breached,
            Some(what) => Fired::Waited(what.into()),
            None => Fired::Skipped(outcome.into()),
        });
    }
    if timer.clock.is_sla() {
        let breached = sla::breach(&mut transaction, &case, timer, now).await?;
        let outcome = if breached { "breached" } else { "target met" };
        timers::finish(
            &mut transaction,
            &timer.id,
            if breached { "fired" } else { "skipped" },
            outcome,
            now,
        )
        .await?;
        transaction.commit().await?;
        return Ok(if breached {
            Fired::Breached
        } else {
            Fired::Skipped(outcome.into())
        });
    }
    if case.status != timer.status {
        let why = format!("the case is now '{}'", case.status);
        timers::finish(&mut transaction, &timer.id, "skipped", &why, now).await?;
        transaction.commit().await?;
        return Ok(Fired::Skipped(why));
    }
    let data = json!({ "clock": timer.clock, "rule": timer.rule, "timer_id": timer.id, "due_at": timer.due_at });
    let waits = match timer.clock {
        Clock::CustomerReminder => {
            Some(remind(&mut transaction, &case, &settings, &data, now).await?)
        }
        Clock::ReturnNotArrived | Clock::ReshipNotSent => {
            Some(chase_return(&mut transaction, database, &case, timer, now).await?)
        }
        Clock::AutoClose => postpone_close(&mut transaction, database, &case, now).await?,
        _ => None,
    };
    if let Some(outcome) = waits {
        timers::finish(&mut transaction, &timer.id, "fired", &outcome, now).await?;
        transaction.commit().await?;
        return Ok(Fired::Waited(outcome));
    }
    let steps = timer.steps.clone();
    if steps.last() == Some(&Action::Refund) {
        // Refund-only agreed, or a return never confirmed: the money goes back at once.
        let key = format!("timer:{}", timer.id);
        let input = RefundInput::default();
        let request = refunds::Request {
            key: &key,
            method: "original",
            note: Some("clock"),
            input: &input,
            now,
            event_data: data.clone(),
            goodwill: false,
        };
        refunds::refund_locked(
            &mut transaction,
            database.backend,
            &actor,
            &case,
            &request,
            &settings,
        )
        .await?;
    } else {
        let mut current = case.clone();
        for step in &steps {
            let to = lifecycle::next_status(
                current.kind,
                current.status,
                *step,
                Role::System,
                Moment {
                    now,
                    ended_at: current.ended_at,
                },
            )?;
            let ended_at = if to.is_open() { None } else { Some(now) };
            if !cases::set_status(
                &mut transaction,
                &timer.shop_id,
                &current.id,
                current.version,
                to,
                now,
                ended_at,
            )
            .await?
            {
                return Err(AppError::Unavailable);
            }
            cases::insert_event(
                &mut transaction,
                &NewEvent {
                    shop_id: &timer.shop_id,
                    case_id: &current.id,
                    at: now,
                    actor_role: Role::System,
                    actor_id: None,
                    action: step.as_str(),
                    from_status: Some(current.status),
                    to_status: Some(to),
                    data: data.clone(),
                },
            )
            .await?;
            super::parcels::arrived_by(&mut transaction, &current.id, *step, now).await?;
            super::replacements::after(&mut transaction, &current, *step, to, now).await?;
            if current.status.is_open() && !to.is_open() {
                crate::metrics::case_ended(current.kind.as_str(), to.as_str());
            }
            current.status = to;
            current.version += 1;
            current.ended_at = ended_at;
        }
        // Against the case as it was: its status changed, so its old clock stops.
        restart(&mut transaction, &case, current.status, &settings, now).await?;
        sla::after_change(
            &mut transaction,
            &current,
            current.status,
            Role::System,
            &settings,
            &actor.shop.time_zone,
            now,
        )
        .await?;
    }
    let names: Vec<&str> = steps.iter().map(|step| step.as_str()).collect();
    timers::finish(&mut transaction, &timer.id, "fired", &names.join(","), now).await?;
    transaction.commit().await?;
    Ok(Fired::Acted(steps))
}

/// Starts a clock from a plan, due `plan.hours` from now, for the case's current `status`.
async fn start(
    transaction: &mut Transaction,
    case: &CaseRecord,
    plan: &clocks::Plan,
    status: Status,
    now: i64,
) -> Result<(), sqlx::Error> {
    let id = new_id();
    timers::insert(
        transaction,
        &NewTimer {
            id: &id,
            shop_id: &case.shop_id,
            case_id: &case.id,
            clock: plan.clock,
            rule: &plan.rule,
            steps: &plan.steps,
            status,
            due_at: now + i64::from(plan.hours) * HOUR_MICROS,
            now,
        },
    )
    .await
}

/// The customer has not answered: they are reminded (an event the customer hears of), and the
/// conversation closes as abandoned if they stay silent.
async fn remind(
    transaction: &mut Transaction,
    case: &CaseRecord,
    settings: &ShopSettings,
    data: &serde_json::Value,
    now: i64,
) -> Result<String, sqlx::Error> {
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &case.shop_id,
            case_id: &case.id,
            at: now,
            actor_role: Role::System,
            actor_id: None,
            action: "reminded",
            from_status: None,
            to_status: None,
            data: data.clone(),
        },
    )
    .await?;
    match clocks::abandon(&case.platform, &settings.clocks) {
        Some(plan) => {
            start(transaction, case, &plan, case.status, now).await?;
            Ok(format!(
                "customer reminded; closes in {} h if still silent",
                plan.hours
            ))
        }
        None => Ok("customer reminded".into()),
    }
}

/// The parcel back to the shop has not arrived: a follow-up task for the case's assignee (or
/// the shop), once, with an event on the case. The case then waits on that person.
async fn chase_return(
    transaction: &mut Transaction,
    database: &Database,
    case: &CaseRecord,
    timer: &TimerRecord,
    now: i64,
) -> Result<String, sqlx::Error> {
    // The parcel coming back: the case's own return, or the order's parcel refused or
    // intercepted on its way; a reship not sent has none.
    let reship = timer.clock == Clock::ReshipNotSent;
    let parcel = crate::db::shipments::for_order(&database.reader, &case.order_id)
        .await?
        .into_iter()
        .rfind(|parcel| {
            !reship
                && if case.kind.brings_parcel_back() {
                    parcel.case_id.is_none() && parcel.direction == "to_customer"
                } else {
                    parcel.case_id.as_deref() == Some(case.id.as_str())
                        && parcel.direction == "to_shop"
                }
        });
    let kind = if reship {
        "reship_not_sent"
    } else {
        "return_not_arrived"
    };
    let sent_days = parcel
        .as_ref()
        .and_then(|parcel| parcel.shipped_at)
        .map(|shipped| (now - shipped) / (24 * HOUR_MICROS))
        .unwrap_or_default();
    let data = &json!({
        "clock": timer.clock, "rule": timer.rule, "timer_id": timer.id,
        "carrier": parcel.as_ref().map(|parcel| parcel.carrier.clone()),
        "tracking_number": parcel.as_ref().map(|parcel| parcel.tracking_number.clone()),
        "direction": "to_shop",
        "days": sent_days,
    });
    let task = crate::db::follow_ups::insert(
        transaction,
        &crate::db::follow_ups::NewFollowUp {
            shop_id: &case.shop_id,
            kind,
            order_id: &case.order_id,
            case_id: Some(&case.id),
            shipment_id: parcel.as_ref().map(|parcel| parcel.id.as_str()),
            assignee_id: case.assignee_id.as_deref(),
            detail: data,
            due_at: now + 24 * HOUR_MICROS,
            now,
        },
    )
    .await?;
    let mut event = data.clone();
    event["follow_up_id"] = json!(task);
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &case.shop_id,
            case_id: &case.id,
            at: now,
            actor_role: Role::System,
            actor_id: None,
            action: kind,
            from_status: None,
            to_status: None,
            data: event,
        },
    )
    .await?;
    Ok("follow-up task opened".into())
}

/// How long a close is put off while something is still owed to the customer.
const POSTPONE_HOURS: u32 = 24;

/// A case is not closed while the customer's message is unanswered or a refund of it is not
/// paid yet: the close is put off by a day (a new clock), and `Some(why)` says so.
async fn postpone_close(
    transaction: &mut Transaction,
    database: &Database,
    case: &CaseRecord,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let unpaid = crate::db::refunds::of_case(&database.reader, &case.id)
        .await?
        .iter()
        .any(|refund| !crate::domain::notifications::money_is_out(Some(&refund.status)));
    let why = if case.customer_waiting_since.is_some() {
        "the customer's message is unanswered"
    } else if unpaid {
        "a refund is not paid yet"
    } else {
        return Ok(None);
    };
    let put_off = clocks::Plan {
        clock: Clock::AutoClose,
        hours: POSTPONE_HOURS,
        steps: vec![Action::Close],
        rule: "postponed".into(),
    };
    start(transaction, case, &put_off, case.status, now).await?;
    Ok(Some(format!("close put off by a day: {why}")))
}
