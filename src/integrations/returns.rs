//! A return a customer asked for on a platform (Shopify `returns/request`) opens a return case
//! on the order that came in from there: once, however often the platform delivers it.

use super::platforms::PlatformReturn;
use crate::db::shops::{self, Actor, Shop};
use crate::db::{Database, inbound, orders};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::operations::cases::{CaseLineInput, ContactInput, NewCaseInput, create};

pub async fn open_case(
    database: &Database,
    shop: &Shop,
    source: &str,
    request: &PlatformReturn,
) -> AppResult<(&'static str, String)> {
    let known = inbound::external_order(
        &database.reader,
        &shop.id,
        source,
        &request.order_external_id,
    )
    .await?;
    let not_yet = || {
        AppError::invalid(
            "body",
            format!(
                "order {} has not come in from {source} yet; replay this delivery once it has",
                request.order_external_id
            ),
        )
    };
    let known = known.ok_or_else(not_yet)?;
    let line_ids = known.line_ids;
    let order = orders::get(
        &database.reader,
        &shop.id,
        known.order_id.as_deref().unwrap_or_default(),
    )
    .await?
    .ok_or_else(not_yet)?;
    let mut lines = Vec::new();
    for (line_id, quantity) in &request.lines {
        let position = line_ids
            .iter()
            .position(|id| id == line_id)
            .ok_or_else(|| {
                AppError::invalid(
                    "body",
                    format!("line item {line_id} is not on order {}", order.order_number),
                )
            })?;
        lines.push(CaseLineInput {
            line_number: position as i64 + 1,
            quantity: Some(*quantity),
        });
    }

    // Claimed first, so that two deliveries at once open one case.
    let claimed = inbound::claim_return(
        &database.writer,
        &shop.id,
        source,
        &request.external_id,
        database.clock.now(),
    )
    .await?;
    if !claimed {
        return Ok((
            "unchanged",
            format!("return {} has its case already", request.name),
        ));
    }
    let reasons = shops::list_reasons(&database.reader, &shop.id).await?;
    let wanted = request.reason_code();
    let reason_code = [wanted, "other"]
        .into_iter()
        .find(|code| {
            reasons
                .iter()
                .any(|reason| reason.code == *code && reason.active)
        })
        .unwrap_or(wanted);
    let description = if request.note.is_empty() {
        format!("{source} return {} ({})", request.name, request.reason)
    } else {
        request.note.clone()
    };
    let system = Actor {
        shop: shop.clone(),
        role: Role::System,
        staff_id: None,
    };
    let opened = create(
        database,
        &system,
        &NewCaseInput {
            order_number: order.order_number.clone(),
            kind: "return_and_refund".into(),
            reason_code: reason_code.into(),
            description,
            lines,
            contact: ContactInput::default(),
            priority: None,
            assignee_id: None,
            tags: vec![source.to_string()],
            channel: Some("platform".into()),
        },
        None,
    )
    .await;
    match opened {
        Ok(created) => {
            inbound::settle_return(
                &database.writer,
                &shop.id,
                source,
                &request.external_id,
                Some(&created.case.id),
            )
            .await?;
            Ok((
                "applied",
                format!(
                    "return {} opened case {}",
                    request.name, created.case.number
                ),
            ))
        }
        Err(error) => {
            // Let go of the claim, so a replay can try again.
            inbound::settle_return(
                &database.writer,
                &shop.id,
                source,
                &request.external_id,
                None,
            )
            .await?;
            Err(error)
        }
    }
}
