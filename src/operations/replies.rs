//! Suggested replies (docs/KNOWLEDGE.md, "Suggested replies"): a case's values for the reply
//! templates (the customer's name, the case and order numbers, the return address, the shop,
//! what the case's units cost and what it refunded in the order's currency, the next deadline);
//! the template as the team sends it for this kind and reason, filled in; and each reply sent
//! from a template kept, turned back into a template, so that the suggestions follow the edits.

use crate::db::cases::{CaseLineRecord, CaseRecord};
use crate::db::shops::{Actor, Shop};
use crate::db::{Database, cases, customers, reply_variants, settings, timers};
use crate::domain::allocation::paid_for_units;
use crate::domain::replies::{self, PLACEHOLDERS};
use crate::domain::{Currency, Money};
use crate::error::AppResult;

/// The case's values by placeholder name, read from the database.
pub async fn values(
    database: &Database,
    shop: &Shop,
    case: &CaseRecord,
) -> AppResult<Vec<(String, String)>> {
    let reader = &database.reader;
    let customer_name = match &case.customer_id {
        Some(id) => customers::get(reader, &shop.id, id)
            .await?
            .map(|customer| customer.name),
        None => None,
    }
    .or(case.contact_name.clone())
    .unwrap_or_default();
    let settings = settings::get(database, &shop.id).await?;
    let lines = cases::lines(reader, &case.id).await?;
    let pending = timers::pending_for_case(reader, &case.id).await?;
    let next_due = pending.iter().map(|timer| timer.due_at).min();
    let known = (customer_name.as_str(), settings.return_address.as_deref());
    Ok(values_of(shop, case, known, &lines, next_due))
}

/// The case's values by placeholder name, from what the caller has read: the customer's name,
/// the shop's return address, the case's lines and its next clock.
pub fn values_of(
    shop: &Shop,
    case: &CaseRecord,
    (customer_name, return_address): (&str, Option<&str>),
    lines: &[CaseLineRecord],
    next_due: Option<i64>,
) -> Vec<(String, String)> {
    let currency = Currency::parse(&case.currency).unwrap_or(shop.currency);
    let amount: i64 = lines
        .iter()
        .map(|line| paid_for_units(line.paid_minor, line.ordered_quantity, line.quantity))
        .sum();
    let refunded: i64 = lines.iter().map(|line| line.case_refunded_minor).sum();
    let deadline = next_due
        .and_then(|at| jiff::Timestamp::from_microsecond(at).ok())
        .map(|at| {
            at.to_zoned(shop.time_zone.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    let found = [
        customer_name.to_string(),
        case.number.clone(),
        case.order_number.clone(),
        return_address.unwrap_or_default().to_string(),
        shop.name.clone(),
        Money::new(amount, currency).to_string(),
        Money::new(refunded, currency).to_string(),
        deadline,
    ];
    PLACEHOLDERS
        .iter()
        .map(|name| name.to_string())
        .zip(found)
        .collect()
}

/// The reply to suggest for the case: the name of its template and its text filled in.
pub async fn suggested(
    database: &Database,
    shop: &Shop,
    case: &CaseRecord,
    values: &[(String, String)],
) -> AppResult<Option<(String, String)>> {
    let variants = reply_variants::of_kind(&database.reader, &shop.id, case.kind.as_str()).await?;
    let templates = &settings::get(database, &shop.id).await?.reply_templates;
    Ok(
        replies::best(&variants, case.kind.as_str(), &case.reason_code)
            .filter(|variant| {
                templates
                    .iter()
                    .any(|template| template.name == variant.template)
            })
            .map(|variant| {
                (
                    variant.template.clone(),
                    replies::fill(&variant.body, values),
                )
            }),
    )
}

/// Keeps a reply sent from the shop's template `template` on the case (a template the shop no
/// longer has is not kept).
pub async fn sent(
    database: &Database,
    actor: &Actor,
    case: &CaseRecord,
    template: &str,
    body: &str,
) -> AppResult<()> {
    let shop = &actor.shop;
    let known = settings::get(database, &shop.id)
        .await?
        .reply_templates
        .iter()
        .any(|known| known.name == template);
    if !known || body.trim().is_empty() {
        return Ok(());
    }
    let values = values(database, shop, case).await?;
    let text = replies::unfill(body, &values);
    reply_variants::sent(
        &database.writer,
        &shop.id,
        (template, case.kind.as_str(), &case.reason_code),
        &text,
        database.clock.now(),
    )
    .await?;
    Ok(())
}
