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
use crate::domain::clocks::{self, HOUR_MICROS};
use crate::domain::lifecycle::{self, Moment};
use crate::domain::settings::ShopSettings;
use crate::domain::{Action, Role, Status};
use crate::error::{AppError, AppResult};

/// Stops the case's clocks and starts the one for `status`, if it has one.
pub async fn restart(
    transaction: &mut Transaction,
    case: &CaseRecord,
    status: Status,
    settings: &ShopSettings,
    now: i64,
) -> Result<(), sqlx::Error> {
    timers::cancel_for_case(transaction, &case.id, false, now).await?;
    let plan = clocks::plan(
        case.kind,
        status,
        &case.platform,
        case.order_shipped_at.is_some(),
        &settings.clocks,
    );
    if let Some(plan) = plan {
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
        .await?;
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
    let steps = timer.steps.clone();
    let data = json!({ "clock": timer.clock, "rule": timer.rule, "timer_id": timer.id, "due_at": timer.due_at });
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
            current.status = to;
            current.version += 1;
            current.ended_at = ended_at;
        }
        restart(&mut transaction, &current, current.status, &settings, now).await?;
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
