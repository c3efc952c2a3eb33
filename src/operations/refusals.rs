//! A refusal checked against what the platform demands (`domain::refusals`): the reason from the
//! list, the platform's own reason id, the proof photos (the case's own attachments). When the
//! case is linked to a platform's after-sales record that is still open, the platform's demands
//! apply and the event carries what a connector sends back to the platform.

use serde_json::{Value, json};

use crate::db::cases::CaseRecord;
use crate::db::{Database, aftersales, attachments};
use crate::domain::aftersales::Stage;
use crate::domain::refusals::{Refusal, demands, proof_problem};
use crate::domain::{Action, Status};
use crate::error::{AppError, AppResult};

/// What a refusal was given with.
pub struct Given<'a> {
    pub code: Option<&'a str>,
    pub platform_reason_id: Option<&'a str>,
    pub proof: &'a [String],
    pub reason: Option<&'a str>,
}

/// The refusal's part of the event (`refusal`), or `None` when the action refuses nothing.
pub async fn check(
    database: &Database,
    case: &CaseRecord,
    action: Action,
    status: Status,
    given: &Given<'_>,
) -> AppResult<Option<Value>> {
    let Some(refusal) = Refusal::of(action, status) else {
        if given.code.is_some() || !given.proof.is_empty() {
            return Err(AppError::invalid(
                "refusal_code",
                "a refusal reason and proof go with reject only",
            ));
        }
        return Ok(None);
    };
    let records = aftersales::for_case(&database.reader, &case.id).await?;
    let record = records
        .iter()
        .rev()
        .find(|record| Stage::parse(&record.stage).is_some_and(|stage| !stage.is_final()));
    let codes: Vec<&str> = refusal.reasons().iter().map(|(code, _, _)| *code).collect();
    let words = match given.code {
        Some(code) => Some(
            refusal
                .reasons()
                .iter()
                .find(|(known, _, _)| *known == code)
                .ok_or_else(|| {
                    AppError::invalid(
                        "refusal_code",
                        format!(
                            "unknown reason '{code}' for refusing {}; use one of: {}",
                            words_of(refusal),
                            codes.join(", ")
                        ),
                    )
                })?,
        ),
        None if record.is_some() => {
            return Err(AppError::invalid(
                "refusal_code",
                format!(
                    "the platform's record {} needs a reason for refusing {}: one of {}",
                    record
                        .map(|record| record.external_id.as_str())
                        .unwrap_or_default(),
                    words_of(refusal),
                    codes.join(", ")
                ),
            ));
        }
        None => None,
    };
    let platform = record
        .map(|record| record.platform.as_str())
        .unwrap_or(&case.platform);
    let demanded = demands(platform, refusal);
    let files = attachments::for_case(&database.reader, &case.id).await?;
    let mut proof = Vec::new();
    for id in given.proof {
        let file = files.iter().find(|file| &file.id == id).ok_or_else(|| {
            AppError::invalid(
                "proof",
                format!("'{id}' is not a file of this case: upload the photo to the case first"),
            )
        })?;
        if let Some(problem) = proof_problem(&demanded, &file.content_type, file.size_bytes) {
            return Err(AppError::invalid(
                "proof",
                format!("{}: {problem}", file.file_name),
            ));
        }
        proof.push(json!({ "id": file.id, "file_name": file.file_name, "content_type": file.content_type }));
    }
    if record.is_some() && demanded.proof && proof.is_empty() {
        return Err(AppError::invalid(
            "proof",
            format!(
                "{platform} wants a photo as proof for refusing {}: upload it to the case and name it in proof",
                words_of(refusal)
            ),
        ));
    }
    let mut data = json!({
        "kind": refusal.as_str(),
        "code": given.code,
        "words": words.map(|(_, zh, _)| *zh),
        "platform_reason_id": given.platform_reason_id,
        "proof": proof,
    });
    if let Some(record) = record {
        // What the connector sends to the platform (the call's own field names).
        data["platform"] = json!({
            "platform": record.platform,
            "call": refusal.platform_call(&record.platform),
            "refund_id": record.external_id,
            "refund_version": record.version,
            "refund_phase": record.phase,
            "refuse_message": given.reason.or(words.map(|(_, zh, _)| *zh)),
            "refuse_reason_id": given.platform_reason_id,
            "refuse_proof": proof.first().map(|file| file["id"].clone()),
        });
    }
    Ok(Some(data))
}

fn words_of(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::Request => "the request",
        Refusal::ReturnedGoods => "the returned goods",
    }
}
