//! Where a refund's money is after it was decided: paid (with the payment's reference), failed
//! (with the reason), sent again to the payment service, or paid by hand after a failure.
//! Staff settle `manual` refunds here; the shop's payment service answers `http` ones through
//! its signed hook (`/hooks/{shop}/payments`). Each change is a timeline event on the case;
//! the customer hears of a refund when it is paid.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::text_field;
use crate::db::Database;
use crate::db::cases;
use crate::db::refunds::{self, RefundRecord};
use crate::db::settings;
use crate::db::shops::Actor;
use crate::domain::permissions::Capability;
use crate::domain::refund::{Provider, RefundStatus};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleInput {
    /// succeeded (the money went out) or failed.
    pub status: String,
    /// The payment's reference (bank or platform transaction number); needed to mark it paid.
    pub reference: Option<String>,
    /// Why it failed.
    pub reason: Option<String>,
    /// How it was paid by hand after a failure: bank_transfer, cash, balance, original.
    pub method: Option<String>,
}

/// What a settle did: changed the refund, or found it already so (a repeated answer).
pub enum Settled {
    Changed(RefundRecord),
    AlreadySo(RefundRecord),
}

/// Marks a refund paid or failed.
pub async fn settle(
    database: &Database,
    actor: &Actor,
    refund_id: &str,
    input: &SettleInput,
) -> AppResult<Settled> {
    AppError::require(actor.role, Capability::SettleRefunds)?;
    let to = match input.status.as_str() {
        "succeeded" => RefundStatus::Succeeded,
        "failed" => RefundStatus::Failed,
        other => {
            return Err(AppError::invalid(
                "status",
                format!("status '{other}' must be succeeded or failed"),
            ));
        }
    };
    let reference = text_field("reference", input.reference.as_deref(), false, 200)?;
    let reason = text_field("reason", input.reason.as_deref(), false, 1000)?;
    if to == RefundStatus::Succeeded && reference.is_none() {
        return Err(AppError::invalid(
            "reference",
            "a paid refund needs the payment's reference (bank or platform transaction number)",
        ));
    }
    if to == RefundStatus::Failed && reason.is_none() {
        return Err(AppError::invalid("reason", "say why the payment failed"));
    }
    let method = text_field("method", input.method.as_deref(), false, 32)?;
    if let Some(method) = &method
        && !super::refunds::METHODS.contains(&method.as_str())
    {
        return Err(AppError::invalid(
            "method",
            format!(
                "unknown method '{method}'; use one of: {}",
                super::refunds::METHODS.join(", ")
            ),
        ));
    }
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let (refund, from) = locked(&mut transaction, database, actor, refund_id).await?;
    if from == to {
        return Ok(Settled::AlreadySo(refund));
    }
    if !from.may_become(to) {
        return Err(AppError::Conflict {
            code: "refund_settled",
            message: format!(
                "the refund is {} and cannot become {}",
                from.as_str(),
                to.as_str()
            ),
            details: json!({ "status": from.as_str() }),
        });
    }
    refunds::set_status(
        &mut transaction,
        &refund.id,
        to,
        reference.as_deref(),
        reason.as_deref(),
        now,
    )
    .await?;
    if let Some(method) = &method {
        refunds::set_method(&mut transaction, &refund.id, method).await?;
    }
    let action = match to {
        RefundStatus::Succeeded => "refund_paid",
        _ => "refund_failed",
    };
    super::record_event(
        &mut transaction,
        actor,
        &refund.case_id,
        action,
        json!({
            "refund_id": refund.id,
            "amount_minor": refund.amount_minor,
            "currency": refund.currency,
            "status": to.as_str(),
            "reference": reference,
            "reason": reason,
        }),
        now,
    )
    .await?;
    let changed = locked(&mut transaction, database, actor, refund_id)
        .await?
        .0;
    transaction.commit().await?;
    Ok(Settled::Changed(changed))
}

/// Sends a failed refund to the shop's payment service again.
pub async fn retry(database: &Database, actor: &Actor, refund_id: &str) -> AppResult<RefundRecord> {
    AppError::require(actor.role, Capability::SettleRefunds)?;
    let now = database.clock.now();
    let provider = settings::get(database, &actor.shop.id)
        .await?
        .refunds
        .provider;
    if provider != Provider::Http {
        return Err(AppError::Conflict {
            code: "refund_not_retryable",
            message: "refunds are paid by hand in this shop (manual provider): settle it with its reference".into(),
            details: json!({ "provider": provider.as_str() }),
        });
    }
    let mut transaction = database.begin().await?;
    let (refund, from) = locked(&mut transaction, database, actor, refund_id).await?;
    if !from.may_become(RefundStatus::Processing) {
        return Err(AppError::Conflict {
            code: "refund_settled",
            message: format!(
                "only a failed refund can be sent again; this one is {}",
                from.as_str()
            ),
            details: json!({ "status": from.as_str() }),
        });
    }
    refunds::set_status(
        &mut transaction,
        &refund.id,
        RefundStatus::Processing,
        None,
        None,
        now,
    )
    .await?;
    let case = cases::get_for_update(
        &mut transaction,
        database.backend,
        &actor.shop.id,
        &refund.case_id,
    )
    .await?
    .ok_or(AppError::NotFound("case"))?;
    super::record_event(
        &mut transaction,
        actor,
        &refund.case_id,
        "refund_retried",
        json!({
            "refund_id": refund.id,
            "amount_minor": refund.amount_minor,
            "currency": refund.currency,
            "method": refund.method,
            "status": RefundStatus::Processing.as_str(),
            "order_number": case.order_number,
        }),
        now,
    )
    .await?;
    let changed = locked(&mut transaction, database, actor, refund_id)
        .await?
        .0;
    transaction.commit().await?;
    Ok(changed)
}

/// The refund, locked for the transaction, and where its money is.
async fn locked(
    transaction: &mut crate::db::Transaction,
    database: &Database,
    actor: &Actor,
    refund_id: &str,
) -> AppResult<(RefundRecord, RefundStatus)> {
    let refund = refunds::lock(transaction, database.backend, &actor.shop.id, refund_id)
        .await?
        .ok_or(AppError::NotFound("refund"))?;
    let status = RefundStatus::parse(&refund.status).unwrap_or(RefundStatus::Succeeded);
    Ok((refund, status))
}

/// The payment service's answer (`/hooks/{shop}/payments`, topic `refund.outcome`):
/// `{"refund_id", "status": "succeeded" | "failed", "reference", "reason"}`.
pub async fn answer(
    database: &Database,
    shop: &crate::db::shops::Shop,
    body: &serde_json::Value,
) -> AppResult<(&'static str, String)> {
    let refund_id = body["refund_id"]
        .as_str()
        .ok_or_else(|| AppError::invalid("refund_id", "refund_id is missing"))?;
    let input = SettleInput {
        status: body["status"].as_str().unwrap_or_default().to_string(),
        reference: body["reference"].as_str().map(str::to_string),
        reason: body["reason"].as_str().map(str::to_string),
        method: None,
    };
    let actor = Actor {
        shop: shop.clone(),
        role: crate::domain::Role::System,
        staff_id: None,
    };
    Ok(match settle(database, &actor, refund_id, &input).await? {
        Settled::Changed(refund) => (
            "applied",
            format!("refund {} is {}", refund.id, refund.status),
        ),
        Settled::AlreadySo(refund) => (
            "unchanged",
            format!("refund {} was {} already", refund.id, refund.status),
        ),
    })
}
