//! The case page's forms: an action, a refund, a reply or note, a checklist step, assignment.

use std::collections::HashMap;

use axum::extract::{Path, State};

use super::{Refusal, answer, answer_refusal};
use crate::db::cases::CaseLineRecord;
use crate::domain::Currency;
use crate::domain::amount::{self, NumberStyle};
use crate::error::AppError;
use crate::http::console::PageResult;
use crate::http::console::form::{Fields, Posted};
use crate::http::console::text::{amount_error, refund_error};
use crate::operations::cases::{self as case_operations, CaseChanges, Visibility};
use crate::operations::checklist;
use crate::operations::refunds::{self as refund_operations, RefundInput, RefundLineInput};
use crate::operations::transitions::{self, TransitionInput};
use crate::state::AppState;

/// A field as typed, trimmed; none when empty.
pub(super) fn text(fields: &HashMap<String, String>, name: &str) -> Option<String> {
    fields
        .get(name)
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

/// The photos ticked as proof (`proof_{id}`), in a stable order.
fn proof_of(fields: &HashMap<String, String>) -> Vec<String> {
    let mut proof: Vec<String> = fields
        .keys()
        .filter_map(|name| name.strip_prefix("proof_"))
        .map(str::to_string)
        .collect();
    proof.sort();
    proof
}

pub(super) fn version(fields: &HashMap<String, String>) -> i64 {
    fields
        .get("version")
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(-1)
}

pub(in crate::http::console) async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let action = text(&fields, "action").unwrap_or_default();
    let input = TransitionInput {
        action: action.clone(),
        version: version(&fields),
        reason: text(&fields, "reason"),
        note: text(&fields, "note"),
        carrier: text(&fields, "carrier"),
        tracking_number: text(&fields, "tracking_number"),
        disposition: text(&fields, "disposition"),
        close_unanswered: fields.contains_key("close_unanswered"),
        refusal_code: text(&fields, "refusal_code"),
        platform_reason_id: text(&fields, "platform_reason_id"),
        proof: proof_of(&fields),
        serial_number: text(&fields, "serial_number"),
    };
    let result = transitions::transition(&state.database, &staff.actor, &id, &input)
        .await
        .map(|_| ());
    answer(&state, &staff, &id, &action, fields, result).await
}

/// An amount typed on the case's page, in its order's currency as the shop writes numbers: its
/// minor units, or the field's error.
pub(super) async fn typed_amount(
    state: &AppState,
    staff: &crate::http::console::Staff,
    case_id: &str,
    field: &str,
    written: &str,
) -> Result<i64, AppError> {
    let case = case_operations::fetch(&state.database, &staff.actor, case_id).await?;
    let currency = Currency::parse(&case.currency).unwrap_or(staff.actor.shop.currency);
    amount::parse(
        written,
        currency,
        NumberStyle::for_locale(&staff.actor.shop.locale),
    )
    .map(|money| money.amount_minor)
    .map_err(|error| AppError::invalid(field, error.to_string()))
}

/// The currency of the case's order (amounts typed on its page are in it) and the case's lines
/// (to name them in a refusal).
async fn currency_and_lines(
    state: &AppState,
    staff: &crate::http::console::Staff,
    case_id: &str,
) -> Result<(Currency, Vec<CaseLineRecord>), AppError> {
    let shop = &staff.actor.shop;
    let reader = &state.database.reader;
    let case = crate::db::cases::get(reader, &shop.id, case_id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let lines = crate::db::cases::lines(reader, &case.id).await?;
    Ok((
        Currency::parse(&case.currency).unwrap_or(shop.currency),
        lines,
    ))
}

/// A refund of the amounts typed per line and for delivery (in the order's currency), once per
/// form: the form's key is the idempotency key, so a double click or a resent form refunds once.
/// A refusal names the item and the amounts as the person sees them.
pub(in crate::http::console) async fn refund(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let language = staff.language;
    let (currency, case_lines) = currency_and_lines(&state, &staff, &id).await?;
    let style = NumberStyle::for_locale(&staff.actor.shop.locale);
    let product = |line_number: i64| {
        case_lines
            .iter()
            .find(|line| line.line_number == line_number)
            .map(|line| line.product_name.clone())
            .unwrap_or_else(|| line_number.to_string())
    };
    let mut shipping = 0;
    let mut lines = Vec::new();
    let mut problem: Option<String> = None;
    let mut numbers: Vec<(i64, &String)> = fields
        .iter()
        .filter_map(|(name, value)| {
            name.strip_prefix("amount_")
                .and_then(|number| number.parse().ok())
                .map(|number| (number, value))
        })
        .collect();
    numbers.sort();
    for (line_number, value) in numbers {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match amount::parse(value, currency, style) {
            Ok(amount) if amount.amount_minor > 0 => lines.push(RefundLineInput {
                line_number,
                amount_minor: amount.amount_minor,
            }),
            Ok(amount) if amount.amount_minor == 0 => {}
            Ok(_) => {
                problem = Some(language.text_with(
                    "amount-error-below-zero",
                    "name",
                    &product(line_number),
                ))
            }
            Err(error) => problem = Some(amount_error(language, &product(line_number), &error)),
        }
    }
    let delivery = language.text("console-shipping");
    if let Some(value) = text(&fields, "shipping") {
        match amount::parse(&value, currency, style) {
            Ok(amount) if amount.amount_minor >= 0 => shipping = amount.amount_minor,
            Ok(_) => {
                problem = Some(language.text_with("amount-error-below-zero", "name", &delivery))
            }
            Err(error) => problem = Some(amount_error(language, &delivery, &error)),
        }
    }
    if problem.is_none() && lines.is_empty() && shipping == 0 {
        problem = Some(language.text("refund-error-empty"));
    }
    let result = match problem {
        Some(sentence) => Err(Refusal::Said(sentence)),
        None => {
            let key = text(&fields, "key").unwrap_or_default();
            refund_operations::execute(
                &state.database,
                &staff.actor,
                &id,
                &format!("console:{key}"),
                &RefundInput {
                    lines,
                    shipping_minor: Some(shipping),
                    paid_reference: text(&fields, "paid_reference"),
                    method: text(&fields, "method"),
                    note: text(&fields, "note"),
                },
            )
            .await
            .map(|_| ())
            .map_err(|error| match &error {
                AppError::Refund(refused) => {
                    Refusal::Said(refund_error(language, refused, &case_lines, currency))
                }
                _ => Refusal::Error(error),
            })
        }
    };
    answer_refusal(&state, &staff, &id, "refund", fields, result).await
}

/// A reply to the customer, or an internal note (`visibility=internal`). A reply may then take
/// an action and add a tag (a macro, or chosen by hand): the action is checked against the
/// version the page showed before anything is sent; if it fails after the reply went out, the
/// page says the reply was sent and why the action was not taken.
pub(in crate::http::console) async fn message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: mut fields,
    }: Posted<Fields>,
) -> PageResult {
    let internal = fields.get("visibility").map(String::as_str) == Some("internal");
    let (visibility, form_name) = if internal {
        (Visibility::Internal, "note")
    } else {
        (Visibility::Customer, "message")
    };
    let then_action = text(&fields, "then_action").filter(|_| !internal);
    let then_tag = text(&fields, "then_tag").filter(|_| !internal);
    if then_action.is_some() {
        let case = case_operations::fetch(&state.database, &staff.actor, &id).await?;
        let expected = version(&fields);
        if case.version != expected {
            let changed = transitions::version_conflict(&case, expected);
            return answer(&state, &staff, &id, form_name, fields, Err(changed)).await;
        }
    }
    let body = fields.get("body").cloned().unwrap_or_default();
    let sent = case_operations::post_message(&state.database, &staff.actor, &id, visibility, &body)
        .await
        .map(|_| ());
    if sent.is_ok()
        && !internal
        && let Some(article) = text(&fields, "article")
    {
        // An article unpublished meanwhile is not counted; the reply is out all the same.
        let counted = crate::operations::knowledge::feedback(
            &state.database,
            &staff.actor.shop,
            &article,
            crate::operations::knowledge::Feedback::Inserted,
        )
        .await;
        if let Err(error) = counted
            && !matches!(error, AppError::NotFound(_))
        {
            return Err(error.into());
        }
    }
    if sent.is_ok()
        && !internal
        && let Some(template) = text(&fields, "template")
    {
        // The reply is out: keeping it for the suggestions must not turn it into an error.
        let kept = async {
            let case = case_operations::fetch(&state.database, &staff.actor, &id).await?;
            crate::operations::replies::sent(&state.database, &staff.actor, &case, &template, &body)
                .await
        };
        if let Err(error) = kept.await {
            tracing::warn!(%error, "keeping a reply sent from a template");
        }
    }
    if sent.is_err() || (then_action.is_none() && then_tag.is_none()) {
        return answer(&state, &staff, &id, form_name, fields, sent).await;
    }
    let followed = then(&state, &staff, &id, then_action.as_deref(), then_tag).await;
    match followed {
        Ok(()) => answer(&state, &staff, &id, form_name, fields, Ok(())).await,
        Err(error) => {
            // The reply is out: it is not offered again.
            fields.remove("body");
            let language = staff.language;
            let sentence = language.text_with(
                "console-reply-sent-action-failed",
                "text",
                &crate::http::console::error_text(language, &error),
            );
            answer_refusal(
                &state,
                &staff,
                &id,
                form_name,
                fields,
                Err(Refusal::Said(sentence)),
            )
            .await
        }
    }
}

/// What a reply does after it is sent: an action, then a tag added.
async fn then(
    state: &AppState,
    staff: &crate::http::console::Staff,
    id: &str,
    action: Option<&str>,
    tag: Option<String>,
) -> Result<(), AppError> {
    if let Some(action) = action {
        let case = case_operations::fetch(&state.database, &staff.actor, id).await?;
        let input = TransitionInput {
            action: action.to_string(),
            version: case.version,
            reason: None,
            note: None,
            carrier: None,
            tracking_number: None,
            disposition: None,
            close_unanswered: false,
            refusal_code: None,
            platform_reason_id: None,
            proof: Vec::new(),
            serial_number: None,
        };
        transitions::transition(&state.database, &staff.actor, id, &input).await?;
    }
    if let Some(tag) = tag {
        let case = case_operations::fetch(&state.database, &staff.actor, id).await?;
        if !case.tags.contains(&tag) {
            let mut tags = case.tags.clone();
            tags.push(tag);
            let changes = CaseChanges {
                version: case.version,
                tags: Some(tags),
                ..CaseChanges::default()
            };
            case_operations::update(&state.database, &staff.actor, id, &changes).await?;
        }
    }
    Ok(())
}

/// Ticks a checklist step off, or undoes it.
pub(in crate::http::console) async fn check_step(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let done = fields.get("done").map(String::as_str) == Some("1");
    let result = checklist::tick(&state.database, &staff.actor, &id, &code, done).await;
    answer(&state, &staff, &id, "checklist", fields, result).await
}

/// Assignee, priority and tags.
pub(in crate::http::console) async fn change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let changes = CaseChanges {
        version: version(&fields),
        assignee_id: Some(text(&fields, "assignee")),
        priority: text(&fields, "priority"),
        tags: fields.get("tags").map(|tags| {
            tags.split([',', '，'])
                .map(str::trim)
                .filter(|tag| !tag.is_empty())
                .map(str::to_string)
                .collect()
        }),
        reason_code: text(&fields, "reason_code"),
    };
    let result = case_operations::update(&state.database, &staff.actor, &id, &changes)
        .await
        .map(|_| ());
    answer(&state, &staff, &id, "change", fields, result).await
}

/// Confirms that a refund was paid (with its reference), or records that its payment failed.
pub(in crate::http::console) async fn settle_refund(
    State(state): State<AppState>,
    Path((id, refund_id)): Path<(String, String)>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let input = crate::operations::refund_payments::SettleInput {
        status: text(&fields, "status").unwrap_or_else(|| "succeeded".into()),
        reference: text(&fields, "reference"),
        reason: text(&fields, "reason"),
        method: text(&fields, "method"),
    };
    // The refund must belong to this case's shop; `settle` looks it up in the shop.
    let result = crate::operations::refund_payments::settle(
        &state.database,
        &staff.actor,
        &refund_id,
        &input,
    )
    .await
    .map(|_| ());
    answer(
        &state,
        &staff,
        &id,
        &format!("settle-{refund_id}"),
        fields,
        result,
    )
    .await
}
