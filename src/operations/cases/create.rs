//! Opening a case: the order and its lines checked, the policy asked, the number taken, the
//! clocks started, all in one write.

use super::*;

/// A new case with what was decided and started for it.
pub struct Created {
    pub case: CaseRecord,
    pub lines: Vec<CaseLineRecord>,
    /// The policy decision, as stored (JSON).
    pub policy_decision: Option<String>,
    /// The clocks started: the status's platform clock, if any, and the SLA targets.
    pub timers: Vec<TimerRecord>,
    /// The SLA's resolution target (the first-response one is `case.due_at`).
    pub resolution_due: i64,
}

/// The case an API client created under `key` (see `http::api::idempotency`), if any: a retry
/// after a crash answers with it instead of opening a second case.
pub async fn created_under(
    database: &Database,
    actor: &Actor,
    key: &str,
) -> AppResult<Option<CaseRecord>> {
    match cases::id_by_creation_key(&database.writer, &actor.shop.id, key).await? {
        Some(id) => Ok(Some(fetch(database, actor, &id).await?)),
        None => Ok(None),
    }
}

/// Opens a case on one of the shop's orders; `creation_key` is the API client's key, if any.
pub async fn create(
    database: &Database,
    actor: &Actor,
    input: &NewCaseInput,
    creation_key: Option<&str>,
) -> AppResult<Created> {
    let shop = &actor.shop;
    let kind = parse_kind(&input.kind)?;
    let asked = input
        .priority
        .as_deref()
        .map(parse_priority)
        .transpose()?
        .unwrap_or(Priority::Normal);
    let description =
        text_field("description", Some(&input.description), true, 4000)?.unwrap_or_default();
    let mut tags = check_tags(&input.tags)?;
    // What the description says may not wait: its flags raise the priority and tag the case.
    let triage = crate::domain::triage::read(&description);
    let priority = triage.raise(asked);
    tags.extend(
        triage
            .new_flags(&tags)
            .iter()
            .map(|flag| flag.tag().to_string()),
    );
    // The reason and kind the description suggests, kept on the timeline (docs/TRIAGE.md).
    let suggested = if description.trim().is_empty() {
        None
    } else {
        let suggestion =
            crate::operations::suggestions::suggest(database, &shop.id, &description).await?;
        Some(json!({
            "reason": suggestion.reasons.first(),
            "kind": suggestion.kinds.first(),
            "model": suggestion.model,
        }))
    };
    let channel =
        text_field("channel", input.channel.as_deref(), false, 32)?.unwrap_or_else(|| "api".into());
    let contact_name = text_field("contact.name", input.contact.name.as_deref(), false, 100)?;
    let contact_phone =
        match text_field("contact.phone", input.contact.phone.as_deref(), false, 40)? {
            Some(phone) => Some(
                PhoneNumber::parse(&phone)
                    .map_err(|error| AppError::invalid("contact.phone", error.to_string()))?
                    .as_str()
                    .to_string(),
            ),
            None => None,
        };
    let contact_email =
        match text_field("contact.email", input.contact.email.as_deref(), false, 254)? {
            Some(email) => Some(
                EmailAddress::parse(&email)
                    .map_err(|error| AppError::invalid("contact.email", error.to_string()))?
                    .as_str()
                    .to_string(),
            ),
            None => None,
        };
    let reason_code = input.reason_code.trim();
    let order_number = input.order_number.trim();
    let order = cases::order_for_case(&database.reader, &shop.id, order_number, reason_code)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "order_number",
                format!("no order '{order_number}' in this shop"),
            )
        })?;
    if !order.reason_active {
        return Err(AppError::invalid(
            "reason_code",
            format!("unknown reason code '{reason_code}'; see GET /api/v1/reasons"),
        ));
    }
    let order_lines = &order.lines;
    if kind.concerns_goods() && input.lines.is_empty() {
        return Err(AppError::invalid(
            "lines",
            format!("a {} case needs at least one order line", kind.as_str()),
        ));
    }
    let mut chosen: Vec<CaseLineRecord> = Vec::new();
    for (index, line) in input.lines.iter().enumerate() {
        let field = format!("lines[{index}]");
        let order_line = order_lines
            .iter()
            .find(|order_line| order_line.line_number == line.line_number)
            .ok_or_else(|| {
                AppError::invalid(
                    &field,
                    format!(
                        "order {} has no line {}",
                        order.order_number, line.line_number
                    ),
                )
            })?;
        let quantity = line.quantity.unwrap_or(order_line.quantity);
        if !(1..=order_line.quantity).contains(&quantity) {
            return Err(AppError::invalid(
                &field,
                format!(
                    "quantity {quantity} must be between 1 and {} (ordered)",
                    order_line.quantity
                ),
            ));
        }
        if chosen
            .iter()
            .any(|chosen| chosen.order_line_id == order_line.id)
        {
            return Err(AppError::invalid(
                &field,
                format!("line {} is listed twice", line.line_number),
            ));
        }
        chosen.push(CaseLineRecord {
            order_line_id: order_line.id.clone(),
            line_number: order_line.line_number,
            sku: order_line.sku.clone(),
            product_name: order_line.product_name.clone(),
            quantity,
            ordered_quantity: order_line.quantity,
            paid_minor: order_line.paid_minor,
            refunded_minor: order_line.refunded_minor,
            case_refunded_minor: 0,
            unit_price_minor: order_line.unit_price_minor,
            discount_minor: order_line.discount_minor,
            tax_minor: order_line.tax_minor,
            serial_number: order_line.serial_number.clone(),
        });
    }
    chosen.sort_by_key(|line| line.line_number);
    if kind.concerns_goods() {
        check_units_free(&order, kind, &chosen)?;
    }
    check_assignee(database, actor, input.assignee_id.as_deref()).await?;

    let now = database.clock.now();
    let day = local_date(now, &shop.time_zone);
    let id = new_id();
    let status = kind.initial_status();
    let settings = settings::get(database, &shop.id).await?;
    if kind == CaseKind::Exchange
        && let Some(limit) = settings.exchanges.per_order
        && cases::count_of_kind(&database.reader, &order.order_id, kind).await? >= i64::from(limit)
    {
        return Err(AppError::Conflict {
            code: "exchange_limit",
            message: format!(
                "order {} has had {limit} exchange(s), as many as the shop allows: ask for a return and refund instead",
                order.order_number
            ),
            details: json!({ "per_order": limit }),
        });
    }
    let request = policy::case_request(
        &order,
        kind,
        reason_code,
        &chosen,
        &settings,
        shop.time_zone.iana_name().unwrap_or("Asia/Shanghai"),
        now,
    );
    let decision = policy::decide_for_case(&request, kind, now);
    if actor.role == Role::Customer
        && let Some(refused) = decision.as_ref().and_then(refusal)
    {
        return Err(refused);
    }
    let policy_decision = decision.and_then(|decision| serde_json::to_string(&decision).ok());
    let clock = clocks::plan(
        kind,
        status,
        &order.platform,
        order.shipped_at.or(order.delivered_at).is_some(),
        &settings.clocks,
    );
    let timer_id = new_id();
    let (due_at, resolution_due) = sla::targets(
        &settings.sla,
        &shop.time_zone,
        kind,
        priority,
        order.customer_tier.as_deref(),
        now,
    );
    let first_timer_id = new_id();
    let day_text = day.strftime("%Y%m%d").to_string();
    let writes = {
        let (id, shop_id, backend) = (id.clone(), shop.id.clone(), database.backend);
        let (order_id, customer_id, order_number) = (
            order.order_id.clone(),
            order.customer_id.clone(),
            order.order_number.clone(),
        );
        let customer_text = dialect::search_text(&[
            order.customer_name.as_deref(),
            order.customer_phone.as_deref(),
        ]);
        let (reason_code, description, tags, channel) = (
            reason_code.to_string(),
            description.clone(),
            tags.clone(),
            channel.clone(),
        );
        let (contact_name, contact_phone, contact_email) = (
            contact_name.clone(),
            contact_phone.clone(),
            contact_email.clone(),
        );
        let (assignee_id, lines) = (input.assignee_id.clone(), chosen.clone());
        // Packed here, not in the write: the writer's critical path stays short.
        let (policy_decision, clock, timer_id) = (
            policy_decision.as_deref().map(crate::db::packed::pack),
            clock.clone(),
            timer_id.clone(),
        );
        let first_timer_id = first_timer_id.clone();
        let (actor_role, actor_id) = (actor.role, actor.staff_id.clone());
        let mut created = json!({ "kind": kind, "reason_code": reason_code, "channel": channel });
        if !triage.flags.is_empty() {
            created["triage"] = json!({ "flags": triage.flags, "cues": triage.cues, "priority": { "asked": asked, "set": priority } });
        }
        if let Some(suggested) = suggested.clone() {
            created["suggested"] = suggested;
        }
        let flagged = triage
            .tells_supervisors()
            .then(|| json!({ "case_id": id, "flags": triage.flags, "cues": triage.cues }));
        let creation_key = creation_key.map(str::to_string);
        move |sequence: i64| {
            let number = CaseNumber::new(day, sequence);
            let search_text = format!(
                "{} \u{1f} {customer_text}",
                dialect::search_text(&[
                    Some(number.as_str()),
                    Some(&order_number),
                    contact_name.as_deref(),
                    contact_phone.as_deref(),
                    Some(&description),
                ])
            );
            let mut batch = Batch::new();
            cases::push_insert(
                &mut batch,
                backend,
                &NewCase {
                    id: &id,
                    shop_id: &shop_id,
                    number: number.as_str(),
                    order_id: &order_id,
                    customer_id: customer_id.as_deref(),
                    kind,
                    status,
                    reason_code: &reason_code,
                    description: &description,
                    priority,
                    assignee_id: assignee_id.as_deref(),
                    tags: &tags,
                    channel: &channel,
                    contact_name: contact_name.as_deref(),
                    contact_phone: contact_phone.as_deref(),
                    contact_email: contact_email.as_deref(),
                    due_at,
                    now,
                    search_text: &search_text,
                    policy_decision: policy_decision.as_deref(),
                    resolution_due,
                    creation_key: creation_key.as_deref(),
                },
            );
            timers::push_insert(
                &mut batch,
                &NewTimer {
                    id: &first_timer_id,
                    shop_id: &shop_id,
                    case_id: &id,
                    clock: Clock::SlaFirstResponse,
                    rule: "shop SLA",
                    steps: &[],
                    status,
                    due_at,
                    now,
                },
            );
            if let Some(plan) = &clock {
                timers::push_insert(
                    &mut batch,
                    &NewTimer {
                        id: &timer_id,
                        shop_id: &shop_id,
                        case_id: &id,
                        clock: plan.clock,
                        rule: &plan.rule,
                        steps: &plan.steps,
                        status,
                        due_at: now + i64::from(plan.hours) * HOUR_MICROS,
                        now,
                    },
                );
            }
            for line in &lines {
                cases::push_line(
                    &mut batch,
                    &shop_id,
                    &id,
                    &line.order_line_id,
                    line.quantity,
                );
            }
            cases::push_event(
                &mut batch,
                &NewEvent {
                    shop_id: &shop_id,
                    case_id: &id,
                    at: now,
                    actor_role,
                    actor_id: actor_id.as_deref(),
                    action: "created",
                    from_status: None,
                    to_status: Some(status),
                    data: created.clone(),
                },
            );
            // The supervisors hear at once of danger and of threats.
            if let Some(flagged) = &flagged {
                crate::db::outbox::push_insert(
                    &mut batch,
                    &crate::db::outbox::NewMessage {
                        shop_id: &shop_id,
                        case_id: Some(&id),
                        audience: "supervisor",
                        topic: "case_flagged",
                        payload: flagged,
                        now,
                    },
                );
            }
            batch
        }
    };
    let sequence = batch::numbered(database, &shop.id, &day_text, writes).await?;
    crate::metrics::case_created(kind.as_str());
    let number = CaseNumber::new(day, sequence);
    let case = CaseRecord {
        shop_id: shop.id.clone(),
        id,
        number: number.as_str().to_string(),
        order_id: order.order_id,
        order_number: order.order_number,
        customer_id: order.customer_id,
        customer_name: order.customer_name,
        kind,
        status,
        reason_code: reason_code.to_string(),
        description,
        priority,
        assignee_id: input.assignee_id.clone(),
        tags,
        channel,
        contact_name,
        contact_phone,
        contact_email,
        due_at,
        created_at: now,
        updated_at: now,
        ended_at: None,
        version: 1,
        platform: order.platform.clone(),
        order_shipped_at: order.shipped_at.or(order.delivered_at),
        currency: order.currency.clone(),
        customer_waiting_since: None,
    };
    let record =
        |id: String, clock: Clock, rule: String, steps: Vec<Action>, due_at: i64| TimerRecord {
            id,
            shop_id: shop.id.clone(),
            case_id: case.id.clone(),
            clock,
            rule,
            steps,
            status,
            due_at,
            attempts: 0,
        };
    let mut timers: Vec<TimerRecord> = clock
        .map(|plan| {
            let due = now + i64::from(plan.hours) * HOUR_MICROS;
            record(timer_id, plan.clock, plan.rule, plan.steps, due)
        })
        .into_iter()
        .collect();
    timers.push(record(
        first_timer_id,
        Clock::SlaFirstResponse,
        "shop SLA".into(),
        Vec::new(),
        due_at,
    ));
    timers.sort_by_key(|timer| timer.due_at);
    Ok(Created {
        case,
        lines: chosen,
        policy_decision,
        timers,
        resolution_due,
    })
}

/// A customer may only open what the policy allows now; staff may be more generous. The refusal
/// carries the reasons in both languages.
/// Refuses a case whose units are claimed by another open case, or (for a refund) were
/// refunded already; an order never paid has nothing to refund.
fn check_units_free(
    order: &cases::OrderForCase,
    kind: CaseKind,
    chosen: &[CaseLineRecord],
) -> AppResult<()> {
    if kind.pays_back() && order.payment_status != "paid" {
        return Err(AppError::Conflict {
            code: "order_not_paid",
            message: format!(
                "order {} was never paid, so there is nothing to refund",
                order.order_number
            ),
            details: json!({ "payment_status": order.payment_status }),
        });
    }
    for line in chosen {
        let Some(units) = order
            .lines
            .iter()
            .find(|order_line| order_line.id == line.order_line_id)
        else {
            continue;
        };
        let free = crate::domain::refund::free_units(
            line.ordered_quantity,
            units.open_units,
            units.refunded_units,
            kind.pays_back(),
        );
        if line.quantity > free {
            return Err(AppError::Conflict {
                code: "units_already_claimed",
                message: format!(
                    "line {}: only {free} of {} units can still be claimed ({} in open cases, {} refunded already)",
                    line.line_number, line.ordered_quantity, units.open_units, units.refunded_units
                ),
                details: json!({
                    "line_number": line.line_number,
                    "free": free,
                    "open": units.open_units,
                    "refunded": units.refunded_units,
                }),
            });
        }
    }
    Ok(())
}

pub(super) fn refusal(decision: &crate::domain::policy::Decision) -> Option<AppError> {
    let requested = decision
        .requested
        .as_ref()
        .filter(|requested| !requested.allowed)?;
    let grounds: Vec<&crate::domain::policy::decision::Ground> = decision
        .remedies
        .iter()
        .filter(|remedy| remedy.remedy == requested.remedy)
        .flat_map(|remedy| remedy.grounds.iter())
        .filter(|ground| !ground.allowed)
        .collect();
    let english: Vec<String> = grounds
        .iter()
        .map(|ground| ground.explanation.english.clone())
        .collect();
    let allowed: Vec<&str> = decision
        .remedies
        .iter()
        .filter(|remedy| remedy.allowed)
        .map(|remedy| remedy.remedy.as_case_kind().as_str())
        .collect();
    Some(AppError::Conflict {
        code: "not_allowed_by_policy",
        message: if english.is_empty() {
            "this request is not possible for this order now".into()
        } else {
            english.join("; ")
        },
        details: json!({
            "remedy": requested.remedy,
            "rules": requested.rules,
            "reasons": grounds.iter().map(|ground| &ground.explanation).collect::<Vec<_>>(),
            "allowed_kinds": allowed,
        }),
    })
}
