//! A return a customer asked for on a platform (Shopify `returns/request`) opens a return case
//! on the order that came in from there: once, however often the platform delivers it.

use sqlx::Row;

use super::platforms::PlatformReturn;
use crate::db::shops::{self, Actor, Shop};
use crate::db::{Database, orders};
use crate::domain::Role;
use crate::domain::time::now_micros;
use crate::error::{AppError, AppResult};
use crate::operations::cases::{CaseLineInput, ContactInput, NewCaseInput, create};

pub async fn open_case(
    database: &Database,
    shop: &Shop,
    source: &str,
    request: &PlatformReturn,
) -> AppResult<(&'static str, String)> {
    let row = sqlx::query(
        "SELECT order_id, line_ids FROM inbound_orders WHERE shop_id = $1 AND source = $2 AND external_id = $3",
    )
    .bind(&shop.id)
    .bind(source)
    .bind(&request.order_external_id)
    .fetch_optional(&database.reader)
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
    let row = row.ok_or_else(not_yet)?;
    let order_id: Option<String> = row.try_get("order_id")?;
    let line_ids: Option<String> = row.try_get("line_ids")?;
    let line_ids: Vec<String> = line_ids
        .and_then(|ids| serde_json::from_str(&ids).ok())
        .unwrap_or_default();
    let order = orders::get(
        &database.reader,
        &shop.id,
        order_id.as_deref().unwrap_or_default(),
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
    let claimed = sqlx::query(
        "INSERT INTO inbound_cases (shop_id, source, external_id, case_id, created_at) VALUES ($1, $2, $3, '', $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&shop.id)
    .bind(source)
    .bind(&request.external_id)
    .bind(now_micros())
    .execute(&database.writer)
    .await?;
    if claimed.rows_affected() == 0 {
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
    )
    .await;
    match opened {
        Ok(created) => {
            sqlx::query(
                "UPDATE inbound_cases SET case_id = $1 WHERE shop_id = $2 AND source = $3 AND external_id = $4",
            )
            .bind(&created.case.id)
            .bind(&shop.id)
            .bind(source)
            .bind(&request.external_id)
            .execute(&database.writer)
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
            sqlx::query(
                "DELETE FROM inbound_cases WHERE shop_id = $1 AND source = $2 AND external_id = $3",
            )
            .bind(&shop.id)
            .bind(source)
            .bind(&request.external_id)
            .execute(&database.writer)
            .await?;
            Err(error)
        }
    }
}
