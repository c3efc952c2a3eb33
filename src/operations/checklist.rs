//! SOP checklists on a case: which steps its category asks for, ticking them off, and the
//! guard that keeps an action waiting until the steps before it are done.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::db::cases::{self, CaseRecord, NewEvent};
use crate::db::shops::Actor;
use crate::db::{Database, Transaction, checks, settings};
use crate::domain::Action;
use crate::domain::checklist::{self, Step};
use crate::domain::settings::ShopSettings;
use crate::error::{AppError, AppResult};

/// One step as a case shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepState {
    pub code: String,
    pub text: String,
    /// Actions waiting for this step.
    pub before: Vec<Action>,
    pub done: bool,
    /// The staff id that ticked it.
    pub done_by: Option<String>,
    /// Unix microseconds.
    #[serde(skip)]
    pub done_at: Option<i64>,
}

async fn steps_of(
    database: &Database,
    settings: &ShopSettings,
    case: &CaseRecord,
) -> AppResult<Vec<Step>> {
    if settings.sop.is_empty() {
        return Ok(Vec::new());
    }
    let mut transaction = database.reader.begin().await?;
    let category = checks::category_of(&mut transaction, &case.shop_id, &case.reason_code).await?;
    Ok(category
        .map(|category| checklist::for_category(&settings.sop, &category).to_vec())
        .unwrap_or_default())
}

/// The case's checklist with what is done.
pub async fn of_case(database: &Database, case: &CaseRecord) -> AppResult<Vec<StepState>> {
    let settings = settings::get(database, &case.shop_id).await?;
    let steps = steps_of(database, &settings, case).await?;
    if steps.is_empty() {
        return Ok(Vec::new());
    }
    let done = checks::of_case(&database.reader, &case.id).await?;
    Ok(steps
        .into_iter()
        .map(|step| {
            let record = done.iter().find(|check| check.step_code == step.code);
            StepState {
                done: record.is_some(),
                done_by: record.and_then(|check| check.done_by.clone()),
                done_at: record.map(|check| check.done_at),
                code: step.code,
                text: step.text,
                before: step.before,
            }
        })
        .collect())
}

/// Ticks a step off (or back on); recorded on the timeline.
pub async fn tick(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    code: &str,
    done: bool,
) -> AppResult<()> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden(
            "only staff tick checklist steps".into(),
        ));
    }
    let case = super::cases::fetch(database, actor, case_id).await?;
    let settings = settings::get(database, &actor.shop.id).await?;
    let steps = steps_of(database, &settings, &case).await?;
    let step = steps.iter().find(|step| step.code == code).ok_or_else(|| {
        AppError::invalid("step", format!("the case's checklist has no step '{code}'"))
    })?;
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let changed = checks::set(
        &mut transaction,
        &actor.shop.id,
        &case.id,
        &step.code,
        done.then_some((actor.staff_id.as_deref(), now)),
    )
    .await?;
    if changed {
        cases::insert_event(
            &mut transaction,
            &NewEvent {
                shop_id: &actor.shop.id,
                case_id: &case.id,
                at: now,
                actor_role: actor.role,
                actor_id: actor.staff_id.as_deref(),
                action: if done { "checked" } else { "unchecked" },
                from_status: None,
                to_status: None,
                data: json!({ "step": step.code, "text": step.text }),
            },
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// Refuses `action` while steps before it are not done (inside the transaction holding the
/// case, so a step cannot be unticked in between). The clock and the customer are not held.
pub async fn require(
    transaction: &mut Transaction,
    actor: &Actor,
    settings: &ShopSettings,
    case: &CaseRecord,
    action: Action,
) -> AppResult<()> {
    if settings.sop.is_empty() || !actor.role.is_staff() {
        return Ok(());
    }
    let Some(category) = checks::category_of(transaction, &case.shop_id, &case.reason_code).await?
    else {
        return Ok(());
    };
    let steps = checklist::for_category(&settings.sop, &category);
    if steps.is_empty() {
        return Ok(());
    }
    let done = checks::done_codes(transaction, &case.id).await?;
    let missing = checklist::missing_before(steps, &done, action);
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::Conflict {
        code: "checklist_incomplete",
        message: format!(
            "do these checklist steps before '{action}': {}",
            missing
                .iter()
                .map(|step| step.text.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        details: json!({
            "action": action,
            "steps": missing.iter().map(|step| &step.code).collect::<Vec<_>>(),
            "texts": missing.iter().map(|step| &step.text).collect::<Vec<_>>(),
        }),
    })
}
