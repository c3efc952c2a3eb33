//! Quality audits (docs/MANAGEMENT.md, "QA audits"): a half-month's round drawn once (each
//! agent's random sample of their ended cases), scored by an auditor against the shop's
//! scorecard, disputed once by the agent, the dispute answered by a supervisor; a second
//! auditor's scoring of the same case for calibration; the agents' QA scores for the KPIs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::db::Database;
use crate::db::audits::{self, AuditRecord, NewRound, Scoring};
use crate::db::shops::Actor;
use crate::domain::audits::{Half, draw as sample, total};
use crate::domain::permissions::Capability;
use crate::error::{AppError, AppResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    pub id: String,
    /// 2026-11-a or 2026-11-b.
    pub period: String,
    pub case_id: String,
    pub case_number: String,
    pub agent_id: String,
    /// open, scored, disputed, settled.
    pub state: String,
    pub auditor_id: Option<String>,
    /// Each criterion's score, 0–100.
    #[schema(value_type = Object)]
    pub scores: serde_json::Value,
    /// The weighted total, 0–100 …
    pub total: Option<i64>,
    /// … and after a dispute was answered, the one that counts.
    pub final_total: Option<i64>,
    pub comment: Option<String>,
    pub scored_at: Option<String>,
    pub dispute: Option<String>,
    pub answer: Option<String>,
    /// The audit this one calibrates (a second auditor on the same case).
    pub calibrates: Option<String>,
}

pub fn view(actor: &Actor, audit: &AuditRecord) -> AuditView {
    let time = |micros| crate::domain::time::format_in_zone(micros, &actor.shop.time_zone);
    AuditView {
        id: audit.id.clone(),
        period: audit.period.clone(),
        case_id: audit.case_id.clone(),
        case_number: audit.case_number.clone(),
        agent_id: audit.agent_id.clone(),
        state: audit.state.clone(),
        auditor_id: audit.auditor_id.clone(),
        scores: audit.scores.clone(),
        total: audit.total,
        final_total: audit.final_total,
        comment: audit.comment.clone(),
        scored_at: audit.scored_at.map(time),
        dispute: audit.dispute.clone(),
        answer: audit.answer.clone(),
        calibrates: audit.calibrates.clone(),
    }
}

fn half(name: Option<&str>, today: jiff::civil::Date) -> AppResult<Half> {
    match name.map(str::trim).filter(|name| !name.is_empty()) {
        Some(name) => Half::parse(name).ok_or_else(|| {
            AppError::invalid(
                "period",
                format!("'{name}' is not a half-month like 2026-11-a (1st–15th) or 2026-11-b"),
            )
        }),
        None => Half::previous(today)
            .ok_or_else(|| AppError::invalid("period", "no half-month before today")),
    }
}

/// Draws the half-month's audits (over): each agent's share of their cases that ended in it. A
/// half-month is drawn once; asked again, the round drawn first (false).
pub async fn draw(
    database: &Database,
    actor: &Actor,
    period: Option<&str>,
    seed: Option<u64>,
) -> AppResult<(String, bool)> {
    AppError::require(actor.role, Capability::AuditCases)?;
    let zone = &actor.shop.time_zone;
    let today = crate::domain::time::local_date(database.clock.now(), zone);
    let half = half(period, today)?;
    if half.end > today {
        return Err(AppError::invalid(
            "period",
            format!(
                "{} is not over yet: it can be drawn from {}",
                half.name(),
                half.end
            ),
        ));
    }
    let name = half.name();
    if let Some(round) = audits::round(&database.reader, &actor.shop.id, &name).await? {
        return Ok((round.period, false));
    }
    let settings = crate::db::settings::get(database, &actor.shop.id).await?;
    let day = |date| crate::domain::time::start_of_day(date, zone);
    let (start, end) = (day(half.first), day(half.end));
    let cases = audits::ended_by_agent(&database.reader, &actor.shop.id, start, end).await?;
    let seed = seed.unwrap_or_else(rand::random::<u64>) >> 1;
    let chosen = sample(&cases, settings.audits.per_agent(), seed);
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let Some(round_id) = audits::insert_round(
        &mut transaction,
        &NewRound {
            shop_id: &actor.shop.id,
            period: &name,
            starts_at: start,
            ends_at: end,
            seed: seed as i64,
            drawn_by: actor.staff_id.as_deref(),
            now,
        },
    )
    .await?
    else {
        transaction.rollback().await?;
        return Ok((name, false));
    };
    for (agent, case) in &chosen {
        audits::insert(
            &mut transaction,
            &actor.shop.id,
            &round_id,
            case,
            agent,
            now,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok((name, true))
}

/// The half-month's audits (an agent sees their own).
pub async fn list(
    database: &Database,
    actor: &Actor,
    period: Option<&str>,
) -> AppResult<Vec<AuditRecord>> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("audits are for staff".into()));
    }
    let today = crate::domain::time::local_date(database.clock.now(), &actor.shop.time_zone);
    let half = half(period, today)?;
    let Some(round) = audits::round(&database.reader, &actor.shop.id, &half.name()).await? else {
        return Ok(Vec::new());
    };
    let own = match crate::domain::permissions::allows(actor.role, Capability::AuditCases) {
        true => None,
        false => Some(actor.staff_id.clone().unwrap_or_default()),
    };
    Ok(audits::list(&database.reader, &actor.shop.id, &round.id, own.as_deref()).await?)
}

pub async fn get(database: &Database, actor: &Actor, id: &str) -> AppResult<AuditRecord> {
    let audit = audits::get(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("audit"))?;
    let own = actor.staff_id.as_deref() == Some(audit.agent_id.as_str());
    if !own && !crate::domain::permissions::allows(actor.role, Capability::AuditCases) {
        return Err(AppError::NotFound("audit"));
    }
    Ok(audit)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// Each criterion of the scorecard, 0–100.
    #[schema(value_type = Object)]
    pub scores: BTreeMap<String, u32>,
    #[serde(default)]
    pub comment: Option<String>,
}

fn conflict(code: &'static str, message: &str, id: &str) -> AppError {
    AppError::Conflict {
        code,
        message: message.into(),
        details: json!({ "audit_id": id }),
    }
}

/// Scores an open audit (once), or, when it was scored by someone else, adds this auditor's
/// scoring of the same case as a calibration.
pub async fn score(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &ScoreInput,
) -> AppResult<AuditRecord> {
    AppError::require(actor.role, Capability::AuditCases)?;
    let audit = get(database, actor, id).await?;
    let auditor = actor
        .staff_id
        .as_deref()
        .ok_or_else(|| AppError::Forbidden("an audit is scored by a person".into()))?;
    if audit.calibrates.is_some() {
        return Err(conflict(
            "audit_is_calibration",
            "score the audit this one calibrates",
            id,
        ));
    }
    if auditor == audit.agent_id {
        return Err(AppError::Forbidden("nobody audits their own case".into()));
    }
    let settings = crate::db::settings::get(database, &actor.shop.id).await?;
    let card = settings.audits.scorecard();
    let total =
        total(&card, &input.scores).map_err(|message| AppError::invalid("scores", message))?;
    let comment: String = input
        .comment
        .as_deref()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(4000)
        .collect();
    let scores = serde_json::to_value(&input.scores).unwrap_or_default();
    let scoring = Scoring {
        auditor_id: auditor,
        scores: &scores,
        total: i64::from(total),
        comment: &comment,
        now: database.clock.now(),
    };
    let mut transaction = database.begin().await?;
    let scored_id = if audits::score(&mut transaction, &actor.shop.id, id, &scoring).await? {
        id.to_string()
    } else if audit.auditor_id.as_deref() == Some(auditor) {
        transaction.rollback().await?;
        return Err(conflict(
            "audit_scored",
            "you scored this audit already",
            id,
        ));
    } else {
        match audits::calibrate(&mut transaction, &actor.shop.id, &audit, &scoring).await? {
            Some(calibration) => calibration,
            None => {
                transaction.rollback().await?;
                return Err(conflict("audit_scored", "you scored this case already", id));
            }
        }
    };
    transaction.commit().await?;
    get(database, actor, &scored_id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeInput {
    /// Why the agent disagrees (1–2000 characters).
    pub text: String,
}

/// The audited agent disputes the score, once.
pub async fn dispute(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &DisputeInput,
) -> AppResult<AuditRecord> {
    let audit = get(database, actor, id).await?;
    if actor.staff_id.as_deref() != Some(audit.agent_id.as_str()) {
        return Err(AppError::Forbidden(
            "only the audited agent disputes an audit".into(),
        ));
    }
    let text = input.text.trim();
    if !(1..=2000).contains(&text.chars().count()) {
        return Err(AppError::invalid(
            "text",
            "say why, in 1 to 2000 characters",
        ));
    }
    let mut transaction = database.begin().await?;
    if !audits::dispute(
        &mut transaction,
        &actor.shop.id,
        id,
        &audit.agent_id,
        text,
        database.clock.now(),
    )
    .await?
    {
        transaction.rollback().await?;
        return Err(match audit.state.as_str() {
            "open" => conflict("audit_not_scored", "the audit has no score yet", id),
            _ => conflict("audit_disputed", "an audit can be disputed once", id),
        });
    }
    transaction.commit().await?;
    get(database, actor, id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AuditAnswerInput)]
pub struct AnswerInput {
    /// The answer to the agent (1–2000 characters).
    pub text: String,
    /// The total that counts now (0–100); default the auditor's.
    #[serde(default)]
    pub total: Option<u32>,
}

/// A supervisor answers the agent's dispute: the total kept, or changed.
pub async fn answer(
    database: &Database,
    actor: &Actor,
    id: &str,
    input: &AnswerInput,
) -> AppResult<AuditRecord> {
    AppError::require(actor.role, Capability::AuditCases)?;
    let audit = get(database, actor, id).await?;
    let text = input.text.trim();
    if !(1..=2000).contains(&text.chars().count()) {
        return Err(AppError::invalid("text", "answer in 1 to 2000 characters"));
    }
    if input.total.is_some_and(|total| total > 100) {
        return Err(AppError::invalid("total", "a total is 0 to 100"));
    }
    let final_total = input.total.map(i64::from).or(audit.total).unwrap_or(0);
    let by = actor.staff_id.as_deref().unwrap_or("system");
    let mut transaction = database.begin().await?;
    if !audits::answer(
        &mut transaction,
        &actor.shop.id,
        id,
        by,
        text,
        final_total,
        database.clock.now(),
    )
    .await?
    {
        transaction.rollback().await?;
        return Err(conflict(
            "audit_not_disputed",
            "only a disputed audit is answered, once",
            id,
        ));
    }
    transaction.commit().await?;
    get(database, actor, id).await
}

const HEADER: [&str; 13] = [
    "半月 Period",
    "案件编号 Case number",
    "被审核人 Agent",
    "状态 State",
    "审核人 Auditor",
    "总分 Total",
    "最终得分 Final total",
    "各项得分 Scores",
    "评语 Comment",
    "评分时间 Scored at",
    "申诉 Dispute",
    "答复 Answer",
    "校准 Calibrates",
];

fn rows(views: &[AuditView]) -> Vec<[String; 13]> {
    let number = |value: Option<i64>| value.map(|n| n.to_string()).unwrap_or_default();
    views
        .iter()
        .map(|audit| {
            [
                audit.period.clone(),
                audit.case_number.clone(),
                audit.agent_id.clone(),
                audit.state.clone(),
                audit.auditor_id.clone().unwrap_or_default(),
                number(audit.total),
                number(audit.final_total),
                match &audit.scores {
                    serde_json::Value::Object(map) if map.is_empty() => String::new(),
                    scores => scores.to_string(),
                },
                audit.comment.clone().unwrap_or_default(),
                audit.scored_at.clone().unwrap_or_default(),
                audit.dispute.clone().unwrap_or_default(),
                audit.answer.clone().unwrap_or_default(),
                audit.calibrates.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

/// A half-month's audits as CSV (UTF-8 with a BOM).
pub fn csv(views: &[AuditView]) -> String {
    super::exports::csv(HEADER, &rows(views))
}

/// A half-month's audits as XLSX, the totals as numbers.
pub fn xlsx(views: &[AuditView]) -> AppResult<Vec<u8>> {
    super::exports::xlsx("质检 Audits", HEADER, &rows(views), &[5, 6])
}
