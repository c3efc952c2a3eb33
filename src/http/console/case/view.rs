//! What the case page shows, read at once (the reads run concurrently) and put in words.

use askama::Template;
use futures::TryFutureExt;

use super::Typed;
use super::timeline::{self, Entry};
use crate::db::case_list::{self, CaseFilter, CaseSort};
use crate::db::cases::{self, CaseRecord};
use crate::db::{
    attachments, customers, orders, refunds, settings, shipments, staff_sessions, timers,
};
use crate::domain::amount::{self, NumberStyle};
use crate::domain::lifecycle::{Moment, allowed_actions, needs_reason};
use crate::domain::{Action, Money};
use crate::error::AppError;
use crate::http::console::rows::{Choice, PlatformRecordRow, ShipmentRow};
use crate::http::console::text::{due_in, money};
use crate::http::console::{Frame, PageError, Staff};
use crate::http::pages::minutes;
use crate::i18n::Language;
use crate::operations::checklist;
use crate::operations::refunds as refund_operations;
use crate::operations::transitions::DISPOSITIONS;
use crate::state::AppState;

pub struct ActionForm {
    pub code: &'static str,
    pub label: String,
    pub needs_reason: bool,
    pub needs_shipping: bool,
    pub needs_disposition: bool,
    /// Ends the conversation while the customer's message is unanswered: asks to confirm.
    pub over_unanswered: bool,
    /// Ends or refuses the case: shown in red.
    pub danger: bool,
    /// What to ask before it is done (empty: nothing to ask).
    pub confirm: String,
    /// For a refusal: the reasons to pick from (the request's or the returned goods').
    pub refusal_reasons: Vec<Choice>,
}

pub struct LineRow {
    pub line_number: i64,
    pub product: String,
    pub sku: String,
    pub quantity: i64,
    pub ordered: i64,
    pub paid: String,
    /// How the line's price came to what was paid: list price × units − discount (+ tax).
    pub breakdown: String,
    /// What the units this case claims cost.
    pub claimed: String,
    pub refunded: String,
    /// What is left to refund for this case, as a decimal to put in the refund form.
    pub remaining: String,
}

pub struct ClockRow {
    pub at: String,
    pub what: String,
}

pub struct OtherCase {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub status: String,
}

pub struct RefundRow {
    pub id: String,
    pub at: String,
    pub amount: String,
    pub method: String,
    /// Where its money is: 待付款 / 付款中 / 已付款 / 付款失败, with the reference or reason.
    pub state: String,
    pub detail: String,
    /// Still to be confirmed as paid (requested or failed).
    pub to_settle: bool,
    /// The question before confirming it paid.
    pub confirm: String,
}

pub struct FileRow {
    pub id: String,
    /// photo or video
    pub kind: String,
    pub name: String,
    /// Staff only: not shown to the customer.
    pub internal: bool,
}

pub struct TemplateRow {
    pub name: String,
    /// The template with the case's values filled in.
    pub body: String,
    /// A macro's action and tag (empty when none), and both in words.
    pub action: String,
    pub tag: String,
    pub then: String,
    /// The knowledge-base article it is (empty for a reply template): counted when sent.
    pub article: String,
    /// The article's public page.
    pub path: String,
}

pub struct StepRow {
    pub code: String,
    pub text: String,
    pub done: bool,
    /// The actions waiting for this step, in words.
    pub before: String,
    /// Who ticked it and when.
    pub done_note: String,
}

#[derive(Template)]
#[template(path = "console/case.html")]
pub struct CasePage {
    frame: Frame,
    /// What the last change did, in words ("已批准"), shown once after it.
    notice: String,
    /// The latest event shown: the live stream tells of any after it.
    last_event: String,
    id: String,
    order_id: String,
    customer_id: String,
    /// The customer's history with the shop, in words: orders and spend, refunds, ratings.
    customer_history: Vec<String>,
    /// Since when the customer's message waits for an answer ("customer replied"), if it does.
    customer_waiting: String,
    number: String,
    version: i64,
    kind: String,
    status: String,
    status_code: &'static str,
    priority: String,
    priority_code: &'static str,
    assignee_id: String,
    assignee: String,
    tags: String,
    /// What triage read in the description (by the case's flag tags), in words.
    warnings: Vec<String>,
    /// The reason and kind the description suggests (learned), in words; empty without one.
    suggested: String,
    reason: String,
    description: String,
    due: String,
    due_class: &'static str,
    sla: Vec<String>,
    clocks: Vec<ClockRow>,
    order_number: String,
    platform: String,
    placed_at: String,
    order_total: String,
    lines: Vec<LineRow>,
    /// Delivery cost that can still go back, and what the refund form offers by default (all
    /// of it when the case takes back the whole order before it was shipped).
    shipping_left: String,
    shipping_prefill: String,
    do_not_ship: bool,
    shipments: Vec<ShipmentRow>,
    /// The platforms' after-sales records linked to the case, with what the shop must do.
    platform_records: Vec<PlatformRecordRow>,
    /// Disputes (客服介入) on the case, and whether another may be opened.
    disputes: Vec<super::disputes::DisputeRow>,
    /// The review a `review` case was opened for.
    review: Option<super::review::ReviewPart>,
    /// A repair's send-outs to suppliers, and the form to send it.
    repair: Option<super::repairs::RepairPart>,
    /// The units (by serial number) the case is about: their warranty and history.
    units: Vec<super::repairs::UnitPart>,
    /// An exchange's replacement, and whether one may be chosen now.
    replacement: Option<super::replacement::ReplacementRow>,
    can_choose_replacement: bool,
    /// The negotiation: every offer, newest first; whether one may be made now.
    offers: Vec<super::offers::OfferRow>,
    offer_kinds: Vec<Choice>,
    can_offer: bool,
    /// The cost ledger, and whether the person may book costs.
    costs: super::costs::CostsPart,
    can_book_costs: bool,
    /// Supervisors approve compensation above the caps.
    can_approve: bool,
    /// Goodwill compensation that fits the case, in words (docs/POLICY.md, "Goodwill").
    suggestions: Vec<String>,
    invoice: super::invoice::InvoicePart,
    invoice_kinds: Vec<Choice>,
    /// The case's photos, to name as proof of a refusal.
    proof_photos: Vec<Choice>,
    can_open_dispute: bool,
    outcomes: Vec<Choice>,
    customer_name: String,
    customer_contact: String,
    customer_tier: String,
    other_cases: Vec<OtherCase>,
    timeline: Vec<Entry>,
    actions: Vec<ActionForm>,
    dispositions: Vec<Choice>,
    can_refund: bool,
    refund_key: String,
    methods: Vec<Choice>,
    currency_symbol: String,
    refunds: Vec<RefundRow>,
    files: Vec<FileRow>,
    templates: Vec<TemplateRow>,
    /// The knowledge base's best articles for the case, ready to put in a reply.
    articles: Vec<TemplateRow>,
    /// The template as the team sends it for this kind and reason, filled in.
    suggested_reply: Option<TemplateRow>,
    staff: Vec<Choice>,
    priorities: Vec<Choice>,
    /// The shop's active reasons, to correct the case's (its own kept even when retired).
    reason_choices: Vec<Choice>,
    reason_code: String,
    has_label: bool,
    checklist: Vec<StepRow>,
    /// The refund form's question, with `{amount}` for the total typed (filled in by the page).
    refund_confirm: String,
    currency_decimals: u32,
    typed: Typed,
}

/// "¥99.00 × 1 − 优惠 ¥19.10 = ¥79.90", with "+ 税" when tax comes on top.
fn breakdown(
    language: Language,
    line: &crate::db::cases::CaseLineRecord,
    tax_mode: &str,
    currency: crate::domain::Currency,
) -> String {
    let mut text = format!(
        "{} × {}",
        Money::new(line.unit_price_minor, currency),
        line.ordered_quantity
    );
    if line.discount_minor > 0 {
        text.push_str(&format!(
            " − {} {}",
            language.text("console-discount"),
            Money::new(line.discount_minor, currency)
        ));
    }
    if line.tax_minor > 0 {
        let sign = if tax_mode == "exclusive" { "+" } else { "⊃" };
        text.push_str(&format!(
            " {sign} {} {}",
            language.text("console-tax"),
            Money::new(line.tax_minor, currency)
        ));
    }
    format!("{text} = {}", Money::new(line.paid_minor, currency))
}

/// Actions that refuse, end or cannot be taken back are asked about first.
fn confirms(action: Action) -> bool {
    matches!(
        action,
        Action::Reject | Action::Cancel | Action::InspectFail | Action::Close | Action::Resolve
    )
}

/// The customer's orders and spend, refunds and ratings, one line each (none when there are none).
fn history_lines(language: Language, summary: &customers::CustomerSummary) -> Vec<String> {
    let per_currency = |rows: &[(String, i64, i64)]| {
        rows.iter()
            .map(
                |(code, _, minor)| match crate::domain::Currency::parse(code) {
                    Ok(currency) => money(*minor, currency),
                    Err(_) => format!("{minor} {code}"),
                },
            )
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let count = |rows: &[(String, i64, i64)]| rows.iter().map(|(_, n, _)| n).sum::<i64>();
    let mut lines = Vec::new();
    if !summary.orders.is_empty() {
        lines.push(if summary.capped {
            // Too many to add up on every page: how many, at least.
            language.text_with(
                "console-history-orders",
                "n",
                &format!("{}+", customers::SUMMARY_CAP),
            )
        } else {
            format!(
                "{} · {}",
                language.text_with(
                    "console-history-orders",
                    "n",
                    &count(&summary.orders).to_string()
                ),
                per_currency(&summary.orders)
            )
        });
    }
    // Beyond the cap, refunds and ratings would be of some cases only: not shown as totals.
    if !summary.refunds.is_empty() && !summary.capped {
        lines.push(format!(
            "{} · {}",
            language.text_with(
                "console-history-refunds",
                "n",
                &count(&summary.refunds).to_string()
            ),
            per_currency(&summary.refunds)
        ));
    }
    if summary.ratings > 0 && !summary.capped {
        let mean = summary.stars as f64 / summary.ratings as f64;
        lines.push(format!(
            "{} · {mean:.1} ★",
            language.text_with("console-history-ratings", "n", &summary.ratings.to_string())
        ));
    }
    lines
}

fn action_label(language: Language, action: Action) -> String {
    language.text(&format!("action-{action}"))
}

/// The page for `case` as `staff` sees it, with `typed` shown again next to its form.
pub async fn case_view(
    state: &AppState,
    staff: &Staff,
    case: CaseRecord,
    typed: Typed,
    notice: String,
) -> Result<CasePage, PageError> {
    let language = staff.language;
    let shop = &staff.actor.shop;
    let zone = &shop.time_zone;
    let reader = &state.database.reader;
    let now = state.clock.now();
    let other_cases_filter = case.customer_id.clone().map(|customer_id| CaseFilter {
        customer_id: Some(customer_id),
        ..CaseFilter::all(CaseSort::CreatedAtDescending, 11)
    });
    let (lines, order, people, customer, other_cases, events, messages) = tokio::try_join!(
        cases::lines(reader, &case.id).err_into::<AppError>(),
        orders::get(reader, &shop.id, &case.order_id).err_into(),
        staff_sessions::staff_of(reader, &shop.id).err_into(),
        async {
            match &case.customer_id {
                Some(id) => Ok(customers::get(reader, &shop.id, id).await?),
                None => Ok(None),
            }
        },
        async {
            match &other_cases_filter {
                Some(filter) => {
                    Ok(case_list::list(reader, state.database.backend, &shop.id, filter).await?)
                }
                None => Ok(Vec::new()),
            }
        },
        cases::events(reader, &case.id).err_into(),
        cases::messages(reader, &case.id, true).err_into(),
    )?;
    let (pending, sla_state, shop_settings, reasons, refunds, files, steps, history) = tokio::try_join!(
        timers::pending_for_case(reader, &case.id).err_into::<AppError>(),
        cases::read_sla(reader, &case.id).err_into(),
        settings::get(&state.database, &shop.id).err_into(),
        crate::db::shops::list_reasons(reader, &shop.id).err_into(),
        refunds::of_case(reader, &case.id).err_into(),
        attachments::for_case(reader, &case.id).err_into(),
        checklist::of_case(&state.database, &case),
        async {
            match &case.customer_id {
                Some(id) => Ok(Some(customers::summary(reader, &shop.id, id).await?)),
                None => Ok(None),
            }
        },
    )?;
    let order = order.ok_or(AppError::NotFound("order"))?;
    // Delivery is read only when the order charged for it; whether the case takes back the
    // whole order only when it has not gone out (then the refund form offers the delivery).
    let delivery = order.shipping_fee_minor > 0;
    let unshipped = delivery && order.shipped_at.is_none();
    let (shipments, order_lines, shipping_refunded, platform_records) = tokio::try_join!(
        shipments::for_order(reader, &order.id).err_into::<AppError>(),
        async {
            match unshipped {
                true => Ok(orders::lines(reader, &order.id).await?),
                false => Ok(Vec::new()),
            }
        },
        async {
            match delivery {
                true => Ok(orders::shipping_refunded(reader, &order.id).await?),
                false => Ok(0),
            }
        },
        crate::db::aftersales::for_case(reader, &case.id).err_into::<AppError>(),
    )?;
    let disputes = crate::operations::disputes::of_case(&state.database, &case).await?;
    let review = match case.kind {
        crate::domain::CaseKind::Review => {
            super::review::ReviewPart::of_case(state, staff, &case.id).await?
        }
        _ => None,
    };
    let repair = super::repairs::RepairPart::of_case(state, staff, &case).await?;
    let mut units = Vec::new();
    for line in &lines {
        if let Some(unit) =
            crate::operations::units::on_line(&state.database, &staff.actor, line, case.created_at)
                .await?
        {
            units.push(super::repairs::UnitPart::new(language, unit, &case.id));
        }
    }
    let offers = crate::db::offers::for_case(reader, &case.id).await?;
    let costs = crate::operations::costs::ledger(&state.database, &staff.actor, &case.id).await?;
    let invoice = {
        let current = crate::db::invoices::of_order(reader, &case.order_id)
            .await?
            .into_iter()
            .find(|invoice| invoice.state == "current")
            .map(|invoice| crate::http::console::invoices::InvoiceSummary::new(language, invoice));
        let period = crate::operations::invoices::period(
            &state.database,
            &staff.actor,
            None,
            None,
            Some(&case.id),
        )
        .await?;
        super::invoice::InvoicePart {
            invoice: current
                .map(|invoice| {
                    format!(
                        "{} {} · {} · {} · {}",
                        invoice.kind,
                        invoice.number,
                        invoice.issued_on,
                        invoice.buyer,
                        invoice.total
                    )
                })
                .unwrap_or_default(),
            credit_notes: period
                .credit_notes
                .into_iter()
                .map(|note| {
                    let amount = crate::domain::money::written(-note.total_minor, &note.currency);
                    (
                        note.id,
                        note.number,
                        language.text(&format!("credit-state-{}", note.state)),
                        amount,
                    )
                })
                .collect(),
            changes: period
                .changes
                .into_iter()
                .map(|change| {
                    let mut words = format!(
                        "{} {}",
                        language.text(&format!("event-invoice_{}", change.kind)),
                        change.invoice_number
                    );
                    if let Some(number) = change.new_invoice_number {
                        words.push_str(&format!(" → {number}"));
                    }
                    words
                })
                .collect(),
            can_change: case.kind == crate::domain::CaseKind::Exchange
                && case.status.is_open()
                && crate::domain::permissions::allows(
                    staff.role(),
                    crate::domain::permissions::Capability::EditCases,
                ),
        }
    };
    let suggestions: Vec<String> = crate::operations::offers::suggestions(&case, &lines)
        .into_iter()
        .map(|suggestion| {
            let value = crate::domain::money::written(suggestion.amount_minor, &case.currency);
            let why = match language {
                Language::Chinese => suggestion.explanation.chinese,
                Language::English => suggestion.explanation.english,
            };
            format!(
                "{} {value} — {why} ({})",
                language.text(&format!("offer-kind-{}", suggestion.kind)),
                suggestion.rule
            )
        })
        .collect();
    let replacement = match case.kind {
        crate::domain::CaseKind::Exchange => {
            crate::db::stock::replacement(reader, &case.id).await?
        }
        _ => None,
    };
    let can_choose_replacement = case.kind == crate::domain::CaseKind::Exchange
        && matches!(
            case.status,
            crate::domain::Status::Submitted
                | crate::domain::Status::Approved
                | crate::domain::Status::ReturnShipped
                | crate::domain::Status::Received
                | crate::domain::Status::Inspected
                | crate::domain::Status::InspectionFailed
        );
    let can_offer = case.status.is_open()
        && crate::domain::permissions::allows(
            staff.role(),
            crate::domain::permissions::Capability::MakeOffers,
        )
        && offers
            .iter()
            .all(|offer| !matches!(offer.state.as_str(), "open" | "pending_approval"));
    let name_of = |id: &str| {
        people
            .iter()
            .find(|(staff_id, _, _)| staff_id == id)
            .map(|(_, name, _)| name.clone())
    };
    let allowed = allowed_actions(
        case.kind,
        case.status,
        staff.role(),
        Moment {
            now,
            ended_at: case.ended_at,
        },
    );
    let can_refund = allowed.contains(&Action::Refund);
    let can_open_dispute = crate::domain::permissions::allows(
        staff.role(),
        crate::domain::permissions::Capability::HandleDisputes,
    ) && disputes
        .iter()
        .all(|dispute| dispute.record.stage == "closed")
        && (case.status == crate::domain::Status::Escalated || allowed.contains(&Action::Escalate));
    let actions = allowed
        .into_iter()
        .filter(|action| *action != Action::Refund)
        .map(|action| ActionForm {
            code: action.as_str(),
            label: action_label(language, action),
            confirm: if confirms(action) {
                language.text_with(
                    "console-confirm-action",
                    "name",
                    &action_label(language, action),
                )
            } else {
                String::new()
            },
            needs_reason: needs_reason(action),
            needs_shipping: matches!(
                action,
                Action::ShipReturn | Action::ShipReplacement | Action::ShipBack
            ),
            needs_disposition: matches!(action, Action::InspectPass | Action::InspectFail),
            over_unanswered: case.customer_waiting_since.is_some()
                && matches!(action, Action::Close | Action::Resolve),
            danger: matches!(
                action,
                Action::Reject | Action::Cancel | Action::InspectFail
            ),
            refusal_reasons: crate::domain::refusals::Refusal::of(action, case.status)
                .map(|refusal| {
                    refusal
                        .reasons()
                        .iter()
                        .map(|(code, zh, en)| Choice {
                            code: code.to_string(),
                            name: match language {
                                Language::Chinese => zh.to_string(),
                                Language::English => en.to_string(),
                            },
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let next_due = pending.iter().map(|timer| timer.due_at).min();
    let clocks = pending
        .iter()
        .map(|timer| {
            let view = crate::http::api::ClockView::new(shop, timer);
            ClockRow {
                at: minutes(timer.due_at, zone),
                what: match language {
                    Language::Chinese => view.explanation.chinese,
                    Language::English => view.explanation.english,
                },
            }
        })
        .collect();
    let sla_state = sla_state.unwrap_or_default();
    let mut sla = Vec::new();
    if let (Some(due), None) = (sla_state.first_response_due, sla_state.first_response_at) {
        sla.push(language.text_with("console-sla-first-response", "at", &minutes(due, zone)));
    }
    if let (Some(due), None) = (sla_state.resolution_due, sla_state.resolved_at) {
        sla.push(language.text_with("console-sla-resolution", "at", &minutes(due, zone)));
    }
    if let Some(target) = &sla_state.breached {
        sla.push(language.text(&format!("console-sla-breached-{target}")));
    }
    // The order's currency: every amount on the page is in it.
    let currency = crate::domain::Currency::parse(&case.currency).unwrap_or(shop.currency);
    let shipping_left = (order.shipping_fee_minor - shipping_refunded).max(0);
    let shipping_prefill =
        if unshipped && refund_operations::claims_whole_order(&order_lines, &lines) {
            shipping_left
        } else {
            0
        };
    let customer_name = customer
        .as_ref()
        .map(|customer| customer.name.clone())
        .or(case.contact_name.clone())
        .unwrap_or_default();
    // The values read above: no second round of queries for the templates.
    let values = crate::operations::replies::values_of(
        shop,
        &case,
        (&customer_name, shop_settings.return_address.as_deref()),
        &lines,
        next_due,
    );
    let suggested_reply =
        crate::operations::replies::suggested(&state.database, shop, &case, &values)
            .await?
            .map(|(name, body)| TemplateRow {
                name,
                body,
                action: String::new(),
                tag: String::new(),
                then: String::new(),
                article: String::new(),
                path: String::new(),
            });
    let templates = shop_settings
        .reply_templates
        .iter()
        .map(|template| TemplateRow {
            name: template.name.clone(),
            body: crate::domain::replies::fill(&template.body, &values),
            action: template.action.clone().unwrap_or_default(),
            tag: template.tag.clone().unwrap_or_default(),
            then: [
                template
                    .action
                    .as_deref()
                    .map(|action| language.text(&format!("action-{action}"))),
                template.tag.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" + "),
            article: String::new(),
            path: String::new(),
        })
        .collect();
    let articles = suggested_articles(
        state,
        shop,
        (&case.description, &case.reason_code),
        order_lines.first().map(|line| line.product_name.as_str()),
        language,
    )
    .await?;
    let (due, due_class) = if case.status.is_open() {
        due_in(language, case.due_at, now)
    } else {
        (String::new(), "ended")
    };
    let reason = reasons
        .iter()
        .find(|reason| reason.code == case.reason_code)
        .map(|reason| match language {
            Language::Chinese => reason.name_zh.clone(),
            Language::English => reason.name_en.clone(),
        })
        .unwrap_or_else(|| case.reason_code.clone());
    let timeline = timeline::entries(language, zone, &events, &messages, &name_of);
    Ok(CasePage {
        frame: Frame::new(state, staff, "").await?,
        notice,
        last_event: events
            .last()
            .map(|event| event.id.clone())
            .unwrap_or_default(),
        order_id: case.order_id.clone(),
        customer_id: case.customer_id.clone().unwrap_or_default(),
        customer_history: history
            .as_ref()
            .map(|summary| history_lines(language, summary))
            .unwrap_or_default(),
        refund_confirm: language.text_with("console-confirm-refund", "amount", "{amount}"),
        currency_decimals: currency.exponent(),
        customer_waiting: case
            .customer_waiting_since
            .map(|at| crate::http::pages::minutes(at, &shop.time_zone))
            .unwrap_or_default(),
        id: case.id.clone(),
        number: case.number.clone(),
        version: case.version,
        kind: language.text(&format!("kind-{}", case.kind)),
        status: language.text(&format!("staff-status-{}", case.status)),
        status_code: case.status.as_str(),
        priority: language.text(&format!("priority-{}", case.priority)),
        priority_code: case.priority.as_str(),
        assignee_id: case.assignee_id.clone().unwrap_or_default(),
        assignee: case
            .assignee_id
            .as_deref()
            .and_then(name_of)
            .unwrap_or_else(|| language.text("console-unassigned")),
        tags: case.tags.join(", "),
        warnings: case
            .tags
            .iter()
            .filter_map(|tag| crate::domain::triage::Flag::of_tag(tag))
            .map(|flag| language.text(&format!("triage-flag-{}", flag.name())))
            .collect(),
        suggested: suggested_text(state, shop, &case, &reasons, language).await?,
        reason_choices: reasons
            .iter()
            .filter(|reason| reason.active || reason.code == case.reason_code)
            .map(|reason| Choice {
                code: reason.code.clone(),
                name: match language {
                    Language::Chinese => reason.name_zh.clone(),
                    Language::English => reason.name_en.clone(),
                },
            })
            .collect(),
        reason_code: case.reason_code.clone(),
        reason,
        description: case.description.clone(),
        due,
        due_class,
        sla,
        clocks,
        order_number: order.order_number.clone(),
        platform: language.text_or(&format!("platform-{}", order.platform), &order.platform),
        placed_at: minutes(order.placed_at, zone),
        order_total: money(order.total_minor, currency),
        lines: lines
            .iter()
            .map(|line| {
                let balance = line.balance();
                LineRow {
                    line_number: line.line_number,
                    product: line.product_name.clone(),
                    sku: match &line.serial_number {
                        Some(serial) => format!("{} · SN {serial}", line.sku),
                        None => line.sku.clone(),
                    },
                    quantity: line.quantity,
                    ordered: line.ordered_quantity,
                    paid: money(line.paid_minor, currency),
                    breakdown: breakdown(language, line, &order.tax_mode, currency),
                    claimed: money(balance.paid_minor, currency),
                    refunded: money(line.refunded_minor, currency),
                    remaining: amount::written(
                        Money::new(balance.remaining_minor(), currency),
                        NumberStyle::for_locale(&shop.locale),
                    ),
                }
            })
            .collect(),
        shipping_left: money(shipping_left, currency),
        shipping_prefill: amount::written(
            Money::new(shipping_prefill, currency),
            NumberStyle::for_locale(&shop.locale),
        ),
        do_not_ship: order.do_not_ship,
        shipments: shipments
            .into_iter()
            .map(|shipment| ShipmentRow::new(language, zone, shipment))
            .collect(),
        platform_records: platform_records
            .into_iter()
            .map(|record| PlatformRecordRow::new(language, zone, record))
            .collect(),
        disputes: disputes
            .into_iter()
            .map(|dispute| super::disputes::DisputeRow::new(language, zone, dispute))
            .collect(),
        can_open_dispute,
        review,
        repair,
        units,
        replacement: replacement.map(|record| {
            let link = crate::operations::replacements::payment_link(
                &shop_settings,
                &record,
                &case.number,
            );
            super::replacement::ReplacementRow::new(language, record, link)
        }),
        can_choose_replacement,
        offers: offers
            .into_iter()
            .map(|offer| super::offers::OfferRow::new(language, zone, offer))
            .collect(),
        offer_kinds: super::offers::kinds(language),
        can_offer,
        costs: super::costs::CostsPart::new(language, costs),
        suggestions,
        invoice,
        invoice_kinds: crate::http::console::invoices::kinds(language),
        can_approve: crate::domain::permissions::allows(
            staff.role(),
            crate::domain::permissions::Capability::ApproveCompensation,
        ),
        can_book_costs: crate::domain::permissions::allows(
            staff.role(),
            crate::domain::permissions::Capability::RecordCosts,
        ),
        proof_photos: files
            .iter()
            .filter(|file| file.kind == "photo")
            .map(|file| Choice {
                code: file.id.clone(),
                name: file.file_name.clone(),
            })
            .collect(),
        outcomes: super::disputes::outcomes(language),
        customer_contact: customer
            .iter()
            .flat_map(|customer| [customer.phone.clone(), customer.email.clone()])
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        customer_tier: customer
            .as_ref()
            .map(|customer| language.text_or(&format!("tier-{}", customer.tier), &customer.tier))
            .unwrap_or_default(),
        customer_name,
        other_cases: other_cases
            .into_iter()
            .filter(|other| other.id != case.id)
            .take(10)
            .map(|other| OtherCase {
                kind: language.text(&format!("kind-{}", other.kind)),
                status: language.text(&format!("staff-status-{}", other.status)),
                id: other.id,
                number: other.number,
            })
            .collect(),
        timeline,
        actions,
        dispositions: Choice::named(language, "disposition", DISPOSITIONS),
        can_refund,
        refund_key: uuid::Uuid::now_v7().to_string(),
        methods: Choice::named(language, "method", refund_operations::METHODS),
        currency_symbol: currency.symbol().to_string(),
        refunds: refunds
            .into_iter()
            .map(|refund| RefundRow {
                confirm: language.text_with(
                    "console-confirm-settle",
                    "amount",
                    &money(refund.amount_minor, currency),
                ),
                at: minutes(refund.created_at, zone),
                amount: money(refund.amount_minor, currency),
                method: language.text_or(&format!("method-{}", refund.method), &refund.method),
                state: language.text(&format!(
                    "refund-status-{}",
                    if refund.status == "executed" {
                        "succeeded"
                    } else {
                        &refund.status
                    }
                )),
                detail: refund
                    .reference
                    .clone()
                    .or(refund.failure.clone())
                    .unwrap_or_default(),
                to_settle: matches!(refund.status.as_str(), "requested" | "failed"),
                id: refund.id,
            })
            .collect(),
        files: files
            .into_iter()
            .map(|file| FileRow {
                id: file.id,
                kind: file.kind,
                internal: file.visibility == "internal",
                name: file.file_name,
            })
            .collect(),
        templates,
        articles,
        suggested_reply,
        staff: people
            .iter()
            .map(|(id, name, _)| Choice {
                code: id.clone(),
                name: name.clone(),
            })
            .collect(),
        priorities: crate::domain::Priority::ALL
            .iter()
            .map(|priority| Choice {
                code: priority.as_str().to_string(),
                name: language.text(&format!("priority-{priority}")),
            })
            .collect(),
        has_label: case.kind.ships_back(),
        checklist: steps
            .into_iter()
            .map(|step| StepRow {
                before: step
                    .before
                    .iter()
                    .map(|action| action_label(language, *action))
                    .collect::<Vec<_>>()
                    .join("、"),
                done_note: match (&step.done_by, step.done_at) {
                    (by, Some(at)) => format!(
                        "{} {}",
                        by.as_deref().and_then(name_of).unwrap_or_default(),
                        minutes(at, zone)
                    ),
                    _ => String::new(),
                },
                code: step.code,
                text: step.text,
                done: step.done,
            })
            .collect(),
        typed,
    })
}

/// The published articles that best answer the case (its description and reason, for its
/// product): each as a reply ready to edit, with the article's text and its public address.
async fn suggested_articles(
    state: &AppState,
    shop: &crate::db::shops::Shop,
    (description, reason): (&str, &str),
    product: Option<&str>,
    language: Language,
) -> Result<Vec<TemplateRow>, AppError> {
    use crate::operations::knowledge::{self as knowledge, Asking};
    let asking = Asking {
        language,
        product,
        limit: 3,
        keep_misses: false,
    };
    let question = format!("{description} {}", reason.replace('_', " "));
    let found = knowledge::search(&state.database, shop, &question, asking).await?;
    let base = state.config.base_url().unwrap_or_default();
    let mut rows = Vec::with_capacity(found.len());
    for suggestion in found {
        let Ok(article) =
            knowledge::published(&state.database, shop, &suggestion.slug, false).await
        else {
            continue;
        };
        let body = match language {
            Language::English if !article.body_en.is_empty() => &article.body_en,
            _ if article.body_zh.is_empty() => &article.body_en,
            _ => &article.body_zh,
        };
        let text = crate::domain::knowledge::markdown::plain(body);
        rows.push(TemplateRow {
            name: suggestion.title.clone(),
            body: format!(
                "{}\n\n{text}\n\n{base}{}",
                suggestion.title, suggestion.path
            ),
            action: String::new(),
            tag: String::new(),
            then: String::new(),
            article: suggestion.id,
            path: suggestion.path,
        });
    }
    Ok(rows)
}

/// "建议：原因 尺码 / 颜色不合适 82% · 类型 换货 70%" from the shop's learned model, when the
/// case has a description.
async fn suggested_text(
    state: &AppState,
    shop: &crate::db::shops::Shop,
    case: &CaseRecord,
    reasons: &[crate::db::shops::Reason],
    language: Language,
) -> Result<String, AppError> {
    if case.description.trim().is_empty() {
        return Ok(String::new());
    }
    let suggestion =
        crate::operations::suggestions::suggest(&state.database, &shop.id, &case.description)
            .await?;
    let (Some(reason), Some(kind)) = (suggestion.reasons.first(), suggestion.kinds.first()) else {
        return Ok(String::new());
    };
    let reason_name = reasons
        .iter()
        .find(|known| known.code == reason.class)
        .map(|known| match language {
            Language::Chinese => known.name_zh.clone(),
            Language::English => known.name_en.clone(),
        })
        .unwrap_or_else(|| reason.class.clone());
    let percent = |confidence: f64| format!("{:.0}%", confidence * 100.0);
    Ok(language.text_args(
        "console-suggested",
        &[
            (
                "reason",
                &format!("{reason_name} {}", percent(reason.confidence)),
            ),
            (
                "name",
                &format!(
                    "{} {}",
                    language.text(&format!("kind-{}", kind.class)),
                    percent(kind.confidence)
                ),
            ),
            (
                "text",
                &language.text(&format!("console-suggested-{}", suggestion.model)),
            ),
        ],
    ))
}
