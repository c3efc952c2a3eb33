//! Disputes (客服介入): the platform steps into a case. Opening one escalates the case; each step
//! the platform or the shop takes is recorded with the platform's deadline for the shop's next
//! move as the case's `dispute_deadline` clock (`domain::disputes`); the ruling, any penalty and
//! the appeal window are kept. Missed deadlines raise the priority; a suspension's end resumes the
//! dispute; a ruling carried out (the case moved on) closes it.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::text_field;
use crate::db::cases::{self, CaseRecord, NewEvent};
use crate::db::disputes::{self, Change, DisputeRecord, NewDispute};
use crate::db::shops::Actor;
use crate::db::timers::{self, NewTimer, TimerRecord};
use crate::db::{Database, Transaction, attachments, settings};
use crate::domain::clocks::Clock;
use crate::domain::disputes::{
    self as rules, Holdings, Outcome, PlatformMove, Requirement, Stage, Step, StepError,
};
use crate::domain::permissions::Capability;
use crate::domain::time::parse_time;
use crate::domain::{Action, Role, Status};
use crate::error::{AppError, AppResult};

/// The platform stepped in (or the shop asked it to).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeOpening {
    /// Why, in the platform's or the buyer's words (shown in the pack).
    pub reason: String,
    /// taobao, tmall, jd, pinduoduo, douyin, wechat…; by default the order's platform.
    pub platform: Option<String>,
    /// The platform's id of the dispute (介入单号), if it has one.
    pub dispute_id: Option<String>,
    /// When the dispute reached the shop, `2026-12-07 10:00` in the shop's zone or RFC 3339;
    /// by default now. The deadline counts from it.
    pub opened_at: Option<String>,
    /// The platform's own deadline for the shop's answer, when its notice gives one; by default
    /// the platform's rule (JD: 24 hours, CN-P22).
    pub due_at: Option<String>,
}

/// A step in the dispute.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeStep {
    /// evidence_requested, answered, suspended, resumed, decided or closed.
    pub step: String,
    /// The dispute's version as read; a newer one means someone else recorded a step first.
    pub version: i64,
    /// For decided (and closed without a ruling): buyer, seller, forced_refund, settled or
    /// withdrawn.
    pub outcome: Option<String>,
    /// A penalty the platform charged the shop, in minor units of the order's currency.
    pub penalty_minor: Option<i64>,
    /// What happened, in a few words.
    pub note: Option<String>,
    /// When it happened on the platform; by default now. Deadlines count from it.
    pub at: Option<String>,
    /// The platform's own deadline for the shop's next move, when its notice gives one.
    pub due_at: Option<String>,
}

/// A dispute with what the shop must hand in.
pub struct Dispute {
    pub record: DisputeRecord,
    pub checklist: Vec<Requirement>,
}

fn moment(field: &str, text: Option<&str>, actor: &Actor, now: i64) -> AppResult<i64> {
    match text.map(str::trim) {
        None | Some("") => Ok(now),
        Some(text) => {
            parse_time(text, &actor.shop.time_zone).map_err(|error| AppError::invalid(field, error))
        }
    }
}

fn optional_moment(field: &str, text: Option<&str>, actor: &Actor) -> AppResult<Option<i64>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_time(text, &actor.shop.time_zone)
            .map(Some)
            .map_err(|error| AppError::invalid(field, error)),
    }
}

/// What the case holds for its evidence: messages, photos, parcels, the inspection.
pub async fn holdings(database: &Database, case: &CaseRecord) -> AppResult<Holdings> {
    let messages = cases::messages(&database.reader, &case.id, true).await?;
    let files = attachments::for_case(&database.reader, &case.id).await?;
    let parcels = crate::db::shipments::for_order(&database.reader, &case.order_id).await?;
    let events = cases::events(&database.reader, &case.id).await?;
    Ok(Holdings {
        messages: messages.len(),
        photos: files.len(),
        documents: files
            .iter()
            .filter(|file| file.author_role != Role::Customer.as_str())
            .count(),
        outbound_tracking: parcels
            .iter()
            .any(|parcel| parcel.direction == "to_customer" && parcel.case_id.is_none()),
        return_tracking: parcels.iter().any(|parcel| {
            parcel.direction == "to_shop" && parcel.case_id.as_deref() == Some(&case.id)
        }),
        inspected: events
            .iter()
            .any(|event| matches!(event.action.as_str(), "inspect_pass" | "inspect_fail")),
        quality_claim: matches!(
            case.reason_code.as_str(),
            "quality" | "defective" | "counterfeit" | "not_as_described"
        ),
    })
}

/// The case's disputes, each with its checklist.
pub async fn of_case(database: &Database, case: &CaseRecord) -> AppResult<Vec<Dispute>> {
    let records = disputes::of_case(&database.reader, &case.id).await?;
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let holdings = holdings(database, case).await?;
    Ok(records
        .into_iter()
        .map(|record| Dispute {
            record,
            checklist: rules::checklist(case.kind, &holdings),
        })
        .collect())
}

/// One dispute of the shop with its case.
pub async fn find(
    database: &Database,
    actor: &Actor,
    id: &str,
) -> AppResult<(Dispute, CaseRecord)> {
    let record = disputes::get(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("dispute"))?;
    let case = cases::get(&database.reader, &actor.shop.id, &record.case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let holdings = holdings(database, &case).await?;
    Ok((
        Dispute {
            record,
            checklist: rules::checklist(case.kind, &holdings),
        },
        case,
    ))
}

/// Opens a dispute on a case: the case is escalated (if it is not already) and the shop's answer
/// gets its deadline.
pub async fn open(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    input: &DisputeOpening,
) -> AppResult<(Dispute, CaseRecord)> {
    AppError::require(actor.role, Capability::HandleDisputes)?;
    let reason = text_field("reason", Some(&input.reason), true, 1000)?.unwrap_or_default();
    let external_id = text_field("dispute_id", input.dispute_id.as_deref(), false, 64)?;
    let platform = text_field("platform", input.platform.as_deref(), false, 32)?
        .map(|platform| platform.to_lowercase());
    let now = database.clock.now();
    let opened_at = moment("opened_at", input.opened_at.as_deref(), actor, now)?;
    let given_due = optional_moment("due_at", input.due_at.as_deref(), actor)?;
    let settings = settings::get(database, &actor.shop.id).await?;
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let platform = platform.unwrap_or_else(|| case.platform.clone());
    let (due_at, rule) = due(&platform, Stage::Open, opened_at, given_due);
    let id = crate::db::new_id();
    let added = disputes::insert(
        &mut transaction,
        &NewDispute {
            id: &id,
            shop_id: &actor.shop.id,
            case_id: &case.id,
            platform: &platform,
            external_id: external_id.as_deref(),
            reason: &reason,
            stage: Stage::Open.as_str(),
            due_at,
            due_rule: rule.as_deref(),
            currency: &case.currency,
            opened_at,
            opened_by: actor.staff_id.as_deref(),
            now,
        },
    )
    .await?;
    if !added {
        return Err(AppError::Conflict {
            code: "dispute_open",
            message: "the case already has an open dispute: record its steps instead".into(),
            details: json!({ "case_id": case.id }),
        });
    }
    let data = json!({
        "dispute_id": id, "platform": platform, "platform_dispute_id": external_id,
        "reason": reason, "due_at": due_at, "rule": rule,
    });
    if case.status != Status::Escalated {
        super::transitions::take(
            &mut transaction,
            actor,
            &case,
            Action::Escalate,
            json!({ "reason": reason, "dispute_id": id }),
            &settings,
            now,
        )
        .await?;
    }
    event(&mut transaction, actor, &case, "dispute_opened", data, now).await?;
    set_clock(&mut transaction, &case, &id, due_at, rule.as_deref(), now).await?;
    transaction.commit().await?;
    find(database, actor, &id).await
}

/// The deadline: the platform's own when given, else its rule's.
fn due(
    platform: &str,
    stage: Stage,
    since: i64,
    given: Option<i64>,
) -> (Option<i64>, Option<String>) {
    match (given, rules::deadline(platform, stage, since)) {
        (Some(at), _) => (Some(at), Some("the platform's notice".into())),
        (None, Some(deadline)) => (Some(deadline.due_at), Some(deadline.rule.into())),
        (None, None) => (None, None),
    }
}

async fn event(
    transaction: &mut Transaction,
    actor: &Actor,
    case: &CaseRecord,
    action: &str,
    data: serde_json::Value,
    now: i64,
) -> AppResult<()> {
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &actor.shop.id,
            case_id: &case.id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action,
            from_status: None,
            to_status: None,
            data,
        },
    )
    .await?;
    cases::touch(transaction, &actor.shop.id, &case.id, now).await?;
    Ok(())
}

/// The case's dispute clock: the one deadline standing, replaced at each step.
async fn set_clock(
    transaction: &mut Transaction,
    case: &CaseRecord,
    dispute_id: &str,
    due_at: Option<i64>,
    rule: Option<&str>,
    now: i64,
) -> AppResult<()> {
    timers::drop_pending(transaction, &case.id, Clock::DisputeDeadline).await?;
    if let Some(due_at) = due_at {
        let rule = format!("dispute {dispute_id}: {}", rule.unwrap_or("platform"));
        timers::insert(
            transaction,
            &NewTimer {
                id: &crate::db::new_id(),
                shop_id: &case.shop_id,
                case_id: &case.id,
                clock: Clock::DisputeDeadline,
                rule: &rule,
                steps: &[],
                status: case.status,
                due_at,
                now,
            },
        )
        .await?;
    }
    Ok(())
}

/// Records a step of the dispute.
pub async fn step(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &DisputeStep,
) -> AppResult<(Dispute, CaseRecord)> {
    AppError::require(actor.role, Capability::HandleDisputes)?;
    let step = Step::parse(input.step.trim()).ok_or_else(|| {
        let known: Vec<&str> = Step::ALL.iter().map(|step| step.as_str()).collect();
        AppError::invalid(
            "step",
            format!(
                "unknown step '{}'; use one of: {}",
                input.step,
                known.join(", ")
            ),
        )
    })?;
    let outcome =
        match input.outcome.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(Outcome::parse(text).ok_or_else(|| {
                AppError::invalid("outcome", StepError::OutcomeNeeded.to_string())
            })?),
        };
    let penalty = input.penalty_minor.unwrap_or(0);
    if !(0..=1_000_000_000_000).contains(&penalty) {
        return Err(AppError::invalid(
            "penalty_minor",
            "a penalty is zero or more, in minor units of the order's currency",
        ));
    }
    let note = text_field("note", input.note.as_deref(), false, 2000)?;
    let now = database.clock.now();
    let at = moment("at", input.at.as_deref(), actor, now)?;
    let given_due = optional_moment("due_at", input.due_at.as_deref(), actor)?;
    let settings = settings::get(database, &actor.shop.id).await?;
    let found = disputes::get(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("dispute"))?;
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(
        &mut transaction,
        database.backend,
        &actor.shop.id,
        &found.case_id,
    )
    .await?
    .ok_or(AppError::NotFound("case"))?;
    let dispute = disputes::get_in(&mut transaction, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("dispute"))?;
    if dispute.version != input.version {
        return Err(AppError::Conflict {
            code: "version_conflict",
            message: format!(
                "the dispute changed since you loaded it (version {}, now {}); reload it and try again",
                input.version, dispute.version
            ),
            details: json!({ "expected_version": input.version, "current_version": dispute.version, "stage": dispute.stage }),
        });
    }
    let stage = Stage::parse(&dispute.stage).unwrap_or(Stage::Open);
    let ruled = dispute.outcome.as_deref().and_then(Outcome::parse);
    let next = rules::after(stage, step, outcome, ruled).map_err(|error| AppError::Conflict {
        code: "dispute_step_refused",
        message: error.to_string(),
        details: json!({ "stage": dispute.stage, "step": step.as_str() }),
    })?;
    let outcome = outcome.or(ruled);
    let (due_at, rule) = due(&dispute.platform, next, at, given_due);
    let decided_at = if step == Step::Decided {
        Some(at)
    } else {
        dispute.decided_at
    };
    let closed_at = (next == Stage::Closed).then_some(at);
    let penalty_minor = dispute.penalty_minor + penalty;
    let moved = disputes::update(
        &mut transaction,
        &dispute.id,
        dispute.version,
        &Change {
            stage: next.as_str(),
            due_at,
            due_rule: rule.as_deref(),
            outcome: outcome.map(Outcome::as_str),
            penalty_minor,
            outcome_note: note.as_deref().or(dispute.outcome_note.as_deref()),
            decided_at,
            closed_at,
            appeal_until: closed_at.map(rules::appeal_until),
            now,
        },
    )
    .await?;
    if !moved {
        return Err(AppError::Conflict {
            code: "version_conflict",
            message: "the dispute changed since you loaded it; reload it and try again".into(),
            details: json!({ "expected_version": input.version }),
        });
    }
    let mut data = json!({
        "dispute_id": dispute.id, "step": step.as_str(), "stage": next.as_str(), "at": at,
        "due_at": due_at, "rule": rule,
    });
    if let Some(outcome) = outcome {
        data["outcome"] = json!(outcome.as_str());
    }
    if penalty > 0 {
        data["penalty_minor"] = json!(penalty);
        data["currency"] = json!(dispute.currency);
        super::costs::book(
            &mut transaction,
            actor,
            &case,
            &[super::costs::Automatic {
                kind: crate::domain::costs::CostKind::PlatformPenalty,
                payer: crate::domain::costs::Payer::Shop,
                amount_minor: penalty,
                sku: None,
                source: format!("dispute:{}:{}", dispute.id, dispute.version),
                note: Some(format!("{} {}", dispute.platform, step.as_str())),
            }],
            now,
        )
        .await?;
    }
    if let Some(note) = &note {
        data["note"] = json!(note);
    }
    event(
        &mut transaction,
        actor,
        &case,
        &format!("dispute_{}", step.as_str()),
        data,
        now,
    )
    .await?;
    set_clock(
        &mut transaction,
        &case,
        &dispute.id,
        due_at,
        rule.as_deref(),
        now,
    )
    .await?;
    // A ruling that leaves the shop nothing to do ends the escalated case with it.
    if next == Stage::Closed
        && case.status == Status::Escalated
        && matches!(
            outcome,
            Some(Outcome::Seller | Outcome::Withdrawn | Outcome::ForcedRefund)
        )
    {
        let system = Actor {
            shop: actor.shop.clone(),
            role: Role::System,
            staff_id: None,
        };
        let case =
            cases::get_for_update(&mut transaction, database.backend, &actor.shop.id, &case.id)
                .await?
                .ok_or(AppError::NotFound("case"))?;
        super::transitions::take(
            &mut transaction,
            &system,
            &case,
            Action::Close,
            json!({ "dispute_id": dispute.id, "outcome": outcome.map(Outcome::as_str) }),
            &settings,
            now,
        )
        .await?;
    }
    transaction.commit().await?;
    find(database, actor, id).await
}

/// A platform's record says its customer service moved (Taobao's `cs_status`): the case's
/// dispute follows — opened when the platform steps in (its record's id as the dispute's), asked
/// for evidence, ruled, withdrawn — as the system, skipping what was already recorded.
pub async fn follow_platform(
    database: &Database,
    actor: &Actor,
    case_id: &str,
    platform: &str,
    refund_id: &str,
    movement: PlatformMove,
) -> AppResult<()> {
    let system = Actor {
        shop: actor.shop.clone(),
        role: Role::System,
        staff_id: None,
    };
    let open_one = disputes::of_case(&database.reader, case_id)
        .await?
        .into_iter()
        .find(|dispute| dispute.stage != Stage::Closed.as_str());
    let current = match open_one {
        Some(dispute) => dispute,
        None if movement == PlatformMove::Withdrawn => return Ok(()),
        None => {
            let (opened, _) = open(
                database,
                &system,
                case_id,
                &DisputeOpening {
                    reason: format!("平台客服介入（{platform} 退款 {refund_id}）"),
                    platform: Some(platform.to_string()),
                    dispute_id: Some(refund_id.to_string()),
                    opened_at: None,
                    due_at: None,
                },
            )
            .await?;
            opened.record
        }
    };
    let stage = Stage::parse(&current.stage).unwrap_or(Stage::Open);
    let (next, outcome) = match movement {
        PlatformMove::Opened => return Ok(()),
        PlatformMove::EvidenceRequested if stage == Stage::EvidenceRequested => return Ok(()),
        PlatformMove::EvidenceRequested => (Step::EvidenceRequested, None),
        PlatformMove::Ruled(_) if matches!(stage, Stage::Decided) => return Ok(()),
        PlatformMove::Ruled(outcome) => (Step::Decided, Some(outcome)),
        PlatformMove::Withdrawn => (Step::Closed, Some(Outcome::Withdrawn)),
    };
    if rules::after(stage, next, outcome, None).is_err() {
        return Ok(());
    }
    step(
        database,
        &system,
        &current.id,
        &DisputeStep {
            step: next.as_str().into(),
            version: current.version,
            outcome: outcome.map(|outcome| outcome.as_str().into()),
            penalty_minor: None,
            note: Some(format!("{platform} cs_status")),
            at: None,
            due_at: None,
        },
    )
    .await
    .map(|_| ())
}

/// What the clock changes on a dispute: its stage and deadline (closing it dates the close and
/// the appeal window); the ruling stays.
fn moved_by_clock<'a>(
    dispute: &'a DisputeRecord,
    stage: Stage,
    due_at: Option<i64>,
    rule: Option<&'a str>,
    now: i64,
) -> Change<'a> {
    Change {
        stage: stage.as_str(),
        due_at,
        due_rule: rule,
        outcome: dispute.outcome.as_deref(),
        penalty_minor: dispute.penalty_minor,
        outcome_note: dispute.outcome_note.as_deref(),
        decided_at: dispute.decided_at,
        closed_at: (stage == Stage::Closed).then_some(now),
        appeal_until: (stage == Stage::Closed).then(|| rules::appeal_until(now)),
        now,
    }
}

/// A dispute's deadline came (the timer of `Clock::DisputeDeadline`): a suspension ends and the
/// dispute resumes; a ruling carried out (the case left `escalated`) closes it; otherwise the
/// shop missed the platform's deadline and the case's priority rises. What happened, or `None`
/// when the dispute had moved on.
pub async fn deadline_passed(
    transaction: &mut Transaction,
    case: &CaseRecord,
    timer: &TimerRecord,
    now: i64,
) -> AppResult<Option<&'static str>> {
    let Some(dispute) = disputes::waiting_at(transaction, &case.id, timer.due_at).await? else {
        return Ok(None);
    };
    let stage = Stage::parse(&dispute.stage).unwrap_or(Stage::Open);
    let system = |action: &'static str, data: serde_json::Value| NewEvent {
        shop_id: &case.shop_id,
        case_id: &case.id,
        at: now,
        actor_role: Role::System,
        actor_id: None,
        action,
        from_status: None,
        to_status: None,
        data,
    };
    if stage == Stage::Suspended {
        let (due_at, rule) = due(&dispute.platform, Stage::Open, now, None);
        disputes::update(
            transaction,
            &dispute.id,
            dispute.version,
            &moved_by_clock(&dispute, Stage::Open, due_at, rule.as_deref(), now),
        )
        .await?;
        cases::insert_event(
            transaction,
            &system(
                "dispute_resumed",
                json!({ "dispute_id": dispute.id, "step": "resumed", "stage": "open", "due_at": due_at, "rule": rule, "why": "suspension_ended" }),
            ),
        )
        .await?;
        set_clock(transaction, case, &dispute.id, due_at, rule.as_deref(), now).await?;
        return Ok(Some("the suspension ended: the dispute resumed"));
    }
    if stage == Stage::Decided && case.status != Status::Escalated {
        disputes::update(
            transaction,
            &dispute.id,
            dispute.version,
            &moved_by_clock(&dispute, Stage::Closed, None, None, now),
        )
        .await?;
        cases::insert_event(
            transaction,
            &system(
                "dispute_closed",
                json!({ "dispute_id": dispute.id, "step": "closed", "stage": "closed", "outcome": dispute.outcome, "why": "ruling_carried_out" }),
            ),
        )
        .await?;
        return Ok(Some("the ruling was carried out: the dispute closed"));
    }
    let raised = case.priority.raised();
    cases::raise_priority(transaction, &case.id, raised).await?;
    cases::insert_event(
        transaction,
        &system(
            "dispute_deadline_missed",
            json!({
                "dispute_id": dispute.id, "stage": dispute.stage, "due_at": dispute.due_at,
                "rule": dispute.due_rule, "timer_id": timer.id,
                "priority": { "from": case.priority, "to": raised }
            }),
        ),
    )
    .await?;
    Ok(Some("missed"))
}
