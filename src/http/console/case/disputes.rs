//! The case page's dispute (客服介入) part: each dispute with its stage, the platform's deadline,
//! the checklist and the evidence pack; forms to open one and to record its steps.

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::answer;
use super::forms::{text, typed_amount, version};
use crate::domain::Currency;
use crate::domain::disputes::{Outcome, Stage, Step};
use crate::http::console::form::{Fields, Posted};
use crate::http::console::rows::Choice;
use crate::http::console::text::money;
use crate::http::console::{PageError, PageResult, Staff};
use crate::http::pages::minutes;
use crate::i18n::Language;
use crate::operations::disputes::{self as operations, Dispute, DisputeOpening, DisputeStep};
use crate::state::AppState;

fn said(language: Language, (zh, en): (&str, &str)) -> String {
    match language {
        Language::Chinese => zh.to_string(),
        Language::English => en.to_string(),
    }
}

/// One requirement of the checklist, in words.
pub struct RequirementRow {
    pub text: String,
    pub present: bool,
}

/// A dispute on the case page.
pub struct DisputeRow {
    pub id: String,
    pub title: String,
    pub reason: String,
    pub stage: String,
    pub due: String,
    pub rule: String,
    pub outcome: String,
    pub penalty: String,
    pub appeal_until: String,
    pub version: i64,
    pub open: bool,
    pub steps: Vec<Choice>,
    pub checklist: Vec<RequirementRow>,
}

impl DisputeRow {
    pub fn new(language: Language, zone: &jiff::tz::TimeZone, dispute: Dispute) -> DisputeRow {
        let record = dispute.record;
        let stage = Stage::parse(&record.stage).unwrap_or(Stage::Open);
        let currency = Currency::parse(&record.currency).ok();
        DisputeRow {
            title: format!(
                "{} {}",
                record.platform,
                record.external_id.as_deref().unwrap_or_default()
            ),
            stage: said(language, stage.label()),
            due: record
                .due_at
                .map(|at| minutes(at, zone))
                .unwrap_or_default(),
            rule: record.due_rule.unwrap_or_default(),
            outcome: record
                .outcome
                .as_deref()
                .and_then(Outcome::parse)
                .map(|outcome| said(language, outcome.label()))
                .unwrap_or_default(),
            penalty: match (record.penalty_minor, currency) {
                (0, _) | (_, None) => String::new(),
                (minor, Some(currency)) => money(minor, currency),
            },
            appeal_until: record
                .appeal_until
                .map(|at| minutes(at, zone))
                .unwrap_or_default(),
            version: record.version,
            open: stage != Stage::Closed,
            steps: Step::possible(stage)
                .into_iter()
                .map(|step| Choice {
                    code: step.as_str().into(),
                    name: said(language, step.label()),
                })
                .collect(),
            checklist: dispute
                .checklist
                .into_iter()
                .map(|item| RequirementRow {
                    text: said(language, (item.zh, item.en)),
                    present: item.present,
                })
                .collect(),
            reason: record.reason,
            id: record.id,
        }
    }
}

/// The outcomes a ruling can have, for the step form's select.
pub fn outcomes(language: Language) -> Vec<Choice> {
    Outcome::ALL
        .iter()
        .map(|outcome| Choice {
            code: outcome.as_str().into(),
            name: said(language, outcome.label()),
        })
        .collect()
}

pub(in crate::http::console) async fn open(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let input = DisputeOpening {
        reason: text(&fields, "reason").unwrap_or_default(),
        platform: text(&fields, "platform"),
        dispute_id: text(&fields, "dispute_id"),
        opened_at: text(&fields, "opened_at"),
        due_at: text(&fields, "due_at"),
    };
    let result = operations::open(&state.database, &staff.actor, &id, &input)
        .await
        .map(|_| ());
    answer(&state, &staff, &id, "dispute", fields, result).await
}

pub(in crate::http::console) async fn step(
    State(state): State<AppState>,
    Path((id, dispute_id)): Path<(String, String)>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let form = format!("dispute-{dispute_id}");
    let penalty = match text(&fields, "penalty") {
        None => Ok(None),
        Some(written) => typed_amount(&state, &staff, &id, "penalty", &written)
            .await
            .map(Some),
    };
    let result = match penalty {
        Ok(penalty_minor) => {
            let input = DisputeStep {
                step: text(&fields, "step").unwrap_or_default(),
                version: version(&fields),
                outcome: text(&fields, "outcome"),
                penalty_minor,
                note: text(&fields, "note"),
                at: text(&fields, "at"),
                due_at: text(&fields, "due_at"),
            };
            operations::step(&state.database, &staff.actor, &dispute_id, &input)
                .await
                .map(|_| ())
        }
        Err(error) => Err(error),
    };
    answer(&state, &staff, &id, &form, fields, result).await
}

#[derive(serde::Deserialize, Default)]
pub(in crate::http::console) struct EvidenceQuery {
    format: Option<String>,
}

/// The evidence pack, as the API gives it: `?format=zip` for the ZIP, else the PDF.
pub(in crate::http::console) async fn evidence(
    State(state): State<AppState>,
    staff: Staff,
    Path(dispute_id): Path<String>,
    Query(query): Query<EvidenceQuery>,
) -> Result<Response, PageError> {
    let zip = query.format.as_deref() == Some("zip");
    Ok(crate::http::evidence_file(&state, &staff.actor, &dispute_id, zip).await?)
}
