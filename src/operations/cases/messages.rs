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
    let from_customer = actor.role == Role::Customer;
    let settings = settings::get(database, &shop.id).await?;
    let mut transaction = database.begin().await?;
    let case = cases::get_for_update(&mut transaction, database.backend, &shop.id, id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    if answers_customer {
        sla::after_change(
            &mut transaction,
            &case,
            case.status,
            actor.role,
            &settings,
            &shop.time_zone,
            now,
        )
        .await?;
        cases::set_customer_waiting(&mut transaction, &case.id, None).await?;
    }
    if from_customer {
        cases::set_customer_waiting(&mut transaction, &case.id, Some(now)).await?;
        if case.status == Status::WaitingOnCustomer {
            back_to_the_shop(&mut transaction, &case, &settings, &shop.time_zone, now).await?;
        }
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
    if from_customer {
        triage(&mut transaction, &case, &message_id, &body, now).await?;
    }
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

/// The customer answered a case that waited on them: it waits on the shop again (the system's
/// move), its clocks restart and the SLA runs again.
async fn back_to_the_shop(
    transaction: &mut crate::db::Transaction,
    case: &CaseRecord,
    settings: &crate::domain::settings::ShopSettings,
    zone: &jiff::tz::TimeZone,
    now: i64,
) -> AppResult<()> {
    let to = crate::domain::lifecycle::next_status(
        case.kind,
        case.status,
        Action::WaitOnShop,
        Role::System,
        crate::domain::lifecycle::Moment {
            now,
            ended_at: case.ended_at,
        },
    )?;
    if !cases::set_status(
        transaction,
        &case.shop_id,
        &case.id,
        case.version,
        to,
        now,
        None,
    )
    .await?
    {
        return Err(version_conflict(case, case.version));
    }
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &case.shop_id,
            case_id: &case.id,
            at: now,
            actor_role: Role::System,
            actor_id: None,
            action: Action::WaitOnShop.as_str(),
            from_status: Some(case.status),
            to_status: Some(to),
            data: json!({ "because": "customer_replied" }),
        },
    )
    .await?;
    crate::operations::clocks::restart(transaction, case, to, settings, now).await?;
    sla::after_change(transaction, case, to, Role::Customer, settings, zone, now).await?;
    Ok(())
}

/// What a customer's message says that the case does not know yet — danger, a threat, anger —
/// raises its priority, tags it, goes on the timeline, and (but for anger) reaches the
/// supervisors at once (docs/TRIAGE.md). A flag the case has already is not raised again.
async fn triage(
    transaction: &mut crate::db::Transaction,
    case: &CaseRecord,
    message_id: &str,
    body: &str,
    now: i64,
) -> AppResult<()> {
    let reading = crate::domain::triage::read(body);
    let new = reading.new_flags(&case.tags);
    if new.is_empty() {
        return Ok(());
    }
    let priority = reading.raise(case.priority);
    let mut tags = case.tags.clone();
    tags.extend(new.iter().map(|flag| flag.tag().to_string()));
    cases::flag(transaction, &case.id, priority, &tags).await?;
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &case.shop_id,
            case_id: &case.id,
            at: now,
            actor_role: Role::System,
            actor_id: None,
            action: "triaged",
            from_status: None,
            to_status: None,
            data: json!({ "message_id": message_id, "flags": new, "cues": reading.cues,
                "priority": { "from": case.priority, "to": priority } }),
        },
    )
    .await?;
    if new.iter().any(|flag| flag.tells_supervisors()) {
        crate::db::outbox::insert(
            transaction,
            &crate::db::outbox::NewMessage {
                shop_id: &case.shop_id,
                case_id: Some(&case.id),
                audience: "supervisor",
                topic: "case_flagged",
                payload: &json!({ "case_id": case.id, "flags": new, "cues": reading.cues, "message": body }),
                now,
            },
        )
        .await?;
    }
    Ok(())
}
