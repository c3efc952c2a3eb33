//! Disputes (客服介入) on cases: opened, stepped through with the platform's deadlines, and the
//! evidence pack to upload (PDF or ZIP).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Authenticated, Json, Path, Query};
use crate::db::shops::Shop;
use crate::domain::disputes::{Outcome, Stage};
use crate::domain::time::format_in_zone;
use crate::error::{AppError, AppResult};
use crate::operations::disputes::{self as operations, Dispute, DisputeOpening, DisputeStep};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct DisputeView {
    pub id: String,
    pub case_id: String,
    pub platform: String,
    /// The platform's id of the dispute.
    pub dispute_id: Option<String>,
    pub reason: String,
    /// open, evidence_requested, answered, suspended, decided or closed.
    pub stage: String,
    pub stage_zh: String,
    pub stage_en: String,
    /// The deadline of the shop's next move, and the rule that sets it (rules-cn.md ids such as
    /// CN-P22, or "the platform's notice").
    pub due_at: Option<String>,
    pub due_rule: Option<String>,
    /// buyer, seller, forced_refund, settled or withdrawn.
    pub outcome: Option<String>,
    /// Penalties the platform charged, in minor units of `currency`.
    pub penalty_minor: i64,
    pub currency: String,
    pub outcome_note: Option<String>,
    pub opened_at: String,
    pub decided_at: Option<String>,
    pub closed_at: Option<String>,
    /// Until when the ruling may be appealed (7 natural days after it closed, CN-P25).
    pub appeal_until: Option<String>,
    pub version: i64,
    /// What the platform wants to see, and whether the case has it.
    pub checklist: Vec<DisputeRequirementView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisputeRequirementView {
    pub code: String,
    pub text_zh: String,
    pub text_en: String,
    pub present: bool,
}

impl DisputeView {
    pub fn new(shop: &Shop, dispute: Dispute) -> DisputeView {
        let zone = &shop.time_zone;
        let record = dispute.record;
        let (stage_zh, stage_en) = Stage::parse(&record.stage)
            .map(Stage::label)
            .unwrap_or(("", ""));
        DisputeView {
            id: record.id,
            case_id: record.case_id,
            platform: record.platform,
            dispute_id: record.external_id,
            reason: record.reason,
            stage: record.stage,
            stage_zh: stage_zh.into(),
            stage_en: stage_en.into(),
            due_at: record.due_at.map(|at| format_in_zone(at, zone)),
            due_rule: record.due_rule,
            outcome: record
                .outcome
                .filter(|outcome| Outcome::parse(outcome).is_some()),
            penalty_minor: record.penalty_minor,
            currency: record.currency,
            outcome_note: record.outcome_note,
            opened_at: format_in_zone(record.opened_at, zone),
            decided_at: record.decided_at.map(|at| format_in_zone(at, zone)),
            closed_at: record.closed_at.map(|at| format_in_zone(at, zone)),
            appeal_until: record.appeal_until.map(|at| format_in_zone(at, zone)),
            version: record.version,
            checklist: dispute
                .checklist
                .into_iter()
                .map(|item| DisputeRequirementView {
                    code: item.code.into(),
                    text_zh: item.zh.into(),
                    text_en: item.en.into(),
                    present: item.present,
                })
                .collect(),
        }
    }
}

#[utoipa::path(post, path = "/cases/{id}/disputes", operation_id = "openDispute", tag = "cases",
    params(("id" = String, Path)), request_body = DisputeOpening,
    responses((status = 201, body = DisputeView, description = "the dispute, the case escalated"),
        (status = 409, description = "the case already has an open dispute, or cannot be escalated")),
    security(("bearer" = [])))]
/// The platform stepped in (客服介入): the case is escalated and the shop's answer gets the
/// platform's deadline as a clock (JD: 24 hours).
pub async fn open(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<DisputeOpening>,
) -> AppResult<(StatusCode, axum::Json<DisputeView>)> {
    let (dispute, _) = operations::open(&state.database, &actor, &id, &input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(DisputeView::new(&actor.shop, dispute)),
    ))
}

#[utoipa::path(get, path = "/cases/{id}/disputes", operation_id = "listDisputes", tag = "cases",
    params(("id" = String, Path)), responses((status = 200, body = Vec<DisputeView>)),
    security(("bearer" = [])))]
/// The case's disputes, oldest first.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Vec<DisputeView>>> {
    let case = crate::operations::cases::fetch(&state.database, &actor, &id).await?;
    let disputes = operations::of_case(&state.database, &case).await?;
    Ok(axum::Json(
        disputes
            .into_iter()
            .map(|dispute| DisputeView::new(&actor.shop, dispute))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/disputes/{id}", operation_id = "getDispute", tag = "cases",
    params(("id" = String, Path)), responses((status = 200, body = DisputeView), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> AppResult<axum::Json<DisputeView>> {
    let (dispute, _) = operations::find(&state.database, &actor, &id).await?;
    Ok(axum::Json(DisputeView::new(&actor.shop, dispute)))
}

#[utoipa::path(post, path = "/disputes/{id}/steps", operation_id = "recordDisputeStep", tag = "cases",
    params(("id" = String, Path)), request_body = DisputeStep,
    responses((status = 200, body = DisputeView, description = "the dispute after the step"),
        (status = 409, description = "the step is not possible now, or someone recorded another first")),
    security(("bearer" = [])))]
/// A step in the dispute: the platform asked for evidence, the shop answered, the parties
/// suspended it to negotiate (or it resumed), the platform ruled (with any penalty), it closed.
/// A ruling for the shop (or a withdrawal, or a forced refund) closes the escalated case.
pub async fn step(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<DisputeStep>,
) -> AppResult<axum::Json<DisputeView>> {
    let (dispute, _) = operations::step(&state.database, &actor, &id, &input).await?;
    Ok(axum::Json(DisputeView::new(&actor.shop, dispute)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceQuery {
    /// pdf (default) or zip (the PDF, the original photos and videos, the return label, the
    /// timeline and conversation as JSON).
    #[param(pattern = "^(pdf|zip)$")]
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/disputes/{id}/evidence", operation_id = "getDisputeEvidence", tag = "cases",
    params(("id" = String, Path), EvidenceQuery),
    responses((status = 200, content((Vec<u8> = "application/pdf"), (Vec<u8> = "application/zip")), description = "the evidence pack: the PDF, or with format=zip the ZIP"),
        (status = 503, description = "no Chinese font installed on the server")),
    security(("bearer" = [])))]
/// The evidence pack, in Chinese with English beside it, ready to upload to the platform.
pub async fn evidence(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Query(query): Query<EvidenceQuery>,
) -> AppResult<axum::response::Response> {
    let zip = match query.format.as_deref().map(str::trim) {
        None | Some("" | "pdf") => false,
        Some("zip") => true,
        Some(other) => {
            return Err(AppError::invalid(
                "format",
                format!("unknown format '{other}'; use pdf or zip"),
            ));
        }
    };
    crate::http::evidence_file(&state, &actor, &id, zip).await
}
