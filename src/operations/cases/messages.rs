//! Replies to the customer and internal notes on a case.

use super::*;

/// Who sees a message: the customer too, or only the shop's staff (an internal note).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Customer,
    Internal,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Customer => "customer",
            Visibility::Internal => "internal",
        }
    }
}

/// Adds a message or an internal note. It does not change the case's version: a message
/// arriving while an agent edits must not make the agent's action fail.
pub async fn post_message(
    database: &Database,
    actor: &Actor,
    id: &str,
    visibility: Visibility,
    body: &str,
) -> AppResult<cases::MessageRecord> {
    let body = text_field("body", Some(body), true, 8000)?.unwrap_or_default();
    if visibility == Visibility::Internal && !actor.role.is_staff() {
        return Err(AppError::Forbidden(
            "only staff can write internal notes".into(),
        ));
    }
    let shop = &actor.shop;
    let now = database.clock.now();
    let answers_customer = visibility != Visibility::Internal && actor.role.is_staff();
    let settings = if answers_customer {
        Some(settings::get(database, &shop.id).await?)
    } else {
        None
    };
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &shop.id, id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    if let Some(settings) = &settings {
        sla::after_change(
            &mut transaction,
            &case,
            case.status,
            actor.role,
            settings,
            &shop.time_zone,
            now,
        )
        .await?;
    }
    let message_id = cases::insert_message(
        &mut transaction,
        &shop.id,
        &case.id,
        actor.role,
        actor.staff_id.as_deref(),
        visibility.as_str(),
        &body,
        now,
    )
    .await?;
    cases::touch(&mut transaction, &shop.id, &case.id, now).await?;
    let action = if visibility == Visibility::Internal {
        "note"
    } else {
        "message"
    };
    cases::insert_event(
        &mut transaction,
        &NewEvent {
            shop_id: &shop.id,
            case_id: &case.id,
            at: now,
            actor_role: actor.role,
            actor_id: actor.staff_id.as_deref(),
            action,
            from_status: None,
            to_status: None,
            data: json!({ "message_id": message_id }),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(cases::MessageRecord {
        id: message_id,
        author_role: actor.role.as_str().into(),
        author_id: actor.staff_id.clone(),
        visibility: visibility.as_str().into(),
        body,
        created_at: now,
    })
}
