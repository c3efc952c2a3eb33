//! 7×24 status answers (docs/ANSWERS.md): a customer asks about their order in plain words —
//! "退款到哪了", "什么时候能到", "怎么寄回" — and is answered from the order and its latest case:
//! the refund's state and amount, the parcel's last scan and expected window, the return address
//! and label with the deadline, the next step. Every sentence is read from the records at the
//! moment of asking. What these answers do not know goes to the shop with the question kept: a
//! message on the case, or a new consultation when the order has none.

use serde::Serialize;
use utoipa::ToSchema;

use super::cases::{self as case_operations, ContactInput, NewCaseInput, Visibility};
use super::progress;
use crate::db::case_list::{self, CaseFilter, CaseSort};
use crate::db::cases::CaseRecord;
use crate::db::orders::OrderRecord;
use crate::db::shops::{self, Actor, Shop};
use crate::db::{Database, refunds, settings, shipments, timers};
use crate::domain::answers::{Topic, topic};
use crate::domain::money::written;
use crate::domain::time::format_in_zone;
use crate::domain::{CaseKind, Role, Status};
use crate::error::{AppError, AppResult};
use crate::i18n::Language;

#[derive(Debug, Serialize, ToSchema)]
pub struct Answer {
    /// What the question was taken to ask: return, refund, repair, parcel or progress; null:
    /// a question for a person.
    #[schema(value_type = Option<String>)]
    pub topic: Option<Topic>,
    /// The case the answer is about (or the one the question went to).
    pub case_number: Option<String>,
    /// The answer, a sentence each, in the customer's language.
    pub lines: Vec<String>,
    /// The question went to the shop (a message on the case, or a new consultation).
    pub forwarded: bool,
    /// The knowledge-base article that answers a question the records cannot (it holds at
    /// least half of the question's words); then nothing is forwarded.
    pub articles: Vec<crate::operations::knowledge::Suggestion>,
}

/// An article answers instead of a person when it holds at least this share of the question's
/// words.
const ANSWERED_BY_ARTICLE: f32 = 0.5;

/// Answers `question` about `order` (whose customer is asking) in `language`.
pub async fn ask(
    database: &Database,
    shop: &Shop,
    order: &OrderRecord,
    question: &str,
    language: Language,
) -> AppResult<Answer> {
    let question = question.trim();
    if question.is_empty() || question.chars().count() > 500 {
        return Err(AppError::invalid(
            "question",
            "ask a question of 1 to 500 characters",
        ));
    }
    let found = case_list::list(
        &database.reader,
        database.backend,
        &shop.id,
        &CaseFilter {
            order_id: Some(order.id.clone()),
            ..CaseFilter::all(CaseSort::CreatedAtDescending, 20)
        },
    )
    .await?;
    let case = found
        .iter()
        .find(|case| case.ended_at.is_none())
        .or(found.first());
    let asked = topic(question);
    let mut answer = Answer {
        topic: asked,
        case_number: case.map(|case| case.number.clone()),
        lines: Vec::new(),
        forwarded: false,
        articles: Vec::new(),
    };
    if asked.is_none() {
        let asking = crate::operations::knowledge::Asking {
            language,
            product: None,
            limit: 1,
            keep_misses: false,
        };
        let found = crate::operations::knowledge::search(database, shop, question, asking).await?;
        if let Some(article) = found
            .into_iter()
            .find(|article| article.coverage >= ANSWERED_BY_ARTICLE)
        {
            answer.lines = vec![
                language.text_with("answer-article", "text", &article.title),
                article.summary.clone(),
            ];
            answer.articles = vec![article];
            return Ok(answer);
        }
    }
    match (asked, case) {
        (Some(Topic::Parcel), _) => {
            answer.lines = parcels(database, shop, order, case, language).await?;
        }
        (Some(asked), Some(case)) => {
            answer.lines = about_case(database, shop, case, asked, language).await?;
        }
        (Some(_), None) => {
            answer.lines =
                vec![language.text_with("answer-no-case", "number", &order.order_number)];
        }
        (None, Some(case)) => {
            let customer = customer(shop);
            case_operations::post_message(
                database,
                &customer,
                &case.id,
                Visibility::Customer,
                question,
            )
            .await?;
            answer.forwarded = true;
            answer.lines = vec![language.text_with("answer-forwarded", "number", &case.number)];
        }
        (None, None) => {
            let number = consultation(database, shop, order, question).await?;
            answer.forwarded = true;
            answer.lines = vec![language.text_with("answer-forwarded-new", "number", &number)];
            answer.case_number = Some(number);
        }
    }
    Ok(answer)
}

fn customer(shop: &Shop) -> Actor {
    Actor {
        shop: shop.clone(),
        role: Role::Customer,
        staff_id: None,
    }
}

/// A new consultation on the order holding the question, for a person to answer.
async fn consultation(
    database: &Database,
    shop: &Shop,
    order: &OrderRecord,
    question: &str,
) -> AppResult<String> {
    let reasons = shops::list_reasons(&database.reader, &shop.id).await?;
    let reason = reasons
        .iter()
        .filter(|reason| reason.active)
        .find(|reason| reason.code == "no_reason")
        .or_else(|| reasons.iter().find(|reason| reason.active))
        .ok_or_else(|| {
            AppError::invalid(
                "question",
                "the shop has no reasons to file a question under",
            )
        })?;
    let created = case_operations::create(
        database,
        &customer(shop),
        &NewCaseInput {
            order_number: order.order_number.clone(),
            kind: CaseKind::Consultation.as_str().into(),
            reason_code: reason.code.clone(),
            description: question.to_string(),
            lines: Vec::new(),
            contact: ContactInput::default(),
            priority: None,
            assignee_id: None,
            tags: Vec::new(),
            channel: Some("answers".into()),
        },
        None,
    )
    .await?;
    Ok(created.case.number)
}

fn when(micros: i64, shop: &Shop) -> String {
    format_in_zone(micros, &shop.time_zone)
        .replace('T', " ")
        .chars()
        .take(16)
        .collect()
}

/// The case's state, then what the question asks about, then the deadlines running.
async fn about_case(
    database: &Database,
    shop: &Shop,
    case: &CaseRecord,
    asked: Topic,
    language: Language,
) -> AppResult<Vec<String>> {
    let reader = &database.reader;
    let status = language.text(&format!("status-{}", case.status.as_str()));
    let mut lines = vec![language.text_args(
        "answer-case",
        &[("number", case.number.as_str()), ("text", status.as_str())],
    )];
    let events = crate::db::cases::events(reader, &case.id).await?;
    let refunds = refunds::of_case(reader, &case.id).await?;
    let next = progress::next_step(language, case, &events, &refunds);
    match asked {
        Topic::Refund => match refunds.last() {
            Some(refund) => {
                let amount = written(refund.amount_minor, &refund.currency);
                let state = if refund.status == "failed" {
                    "failed"
                } else if crate::domain::notifications::money_is_out(Some(&refund.status)) {
                    "paid"
                } else {
                    "processing"
                };
                lines.push(language.text_args(
                    &format!("answer-refund-{state}"),
                    &[
                        ("amount", amount.as_str()),
                        ("at", when(refund.created_at, shop).as_str()),
                    ],
                ));
            }
            None => {
                lines.push(language.text("answer-refund-none"));
                lines.push(next);
            }
        },
        Topic::Return => {
            let goods_back = matches!(
                case.kind,
                CaseKind::ReturnAndRefund | CaseKind::Exchange | CaseKind::Repair
            );
            if !goods_back {
                lines.push(language.text("answer-return-none"));
            } else if case.status == Status::Approved {
                let settings = settings::get(database, &shop.id).await?;
                if let Some(address) = settings.return_address.as_deref() {
                    lines.push(language.text_with("answer-return-address", "text", address));
                }
                lines.push(language.text_with(
                    "answer-return-label",
                    "text",
                    &format!("/portal/{}/cases/{}/label.pdf", shop.slug, case.number),
                ));
            } else {
                lines.push(next);
            }
        }
        Topic::Repair | Topic::Progress | Topic::Parcel => lines.push(next),
    }
    for timer in timers::pending_for_case(reader, &case.id).await? {
        if !timer.clock.is_sla() {
            lines.push(language.text_args(
                "answer-deadline",
                &[
                    ("text", progress::deadline_text(language, &timer).as_str()),
                    ("at", when(timer.due_at, shop).as_str()),
                ],
            ));
        }
    }
    Ok(lines)
}

/// The parcels to the customer: the case's own (a replacement, a repaired item) before the
/// order's, each with its last scan and when it should arrive.
async fn parcels(
    database: &Database,
    shop: &Shop,
    order: &OrderRecord,
    case: Option<&CaseRecord>,
    language: Language,
) -> AppResult<Vec<String>> {
    let all = shipments::for_order(&database.reader, &order.id).await?;
    let to_customer: Vec<&shipments::ShipmentRecord> = all
        .iter()
        .filter(|parcel| parcel.direction == "to_customer")
        .collect();
    let own: Vec<&&shipments::ShipmentRecord> = to_customer
        .iter()
        .filter(|parcel| {
            case.is_some_and(|case| parcel.case_id.as_deref() == Some(case.id.as_str()))
        })
        .collect();
    let chosen: Vec<&shipments::ShipmentRecord> = if own.is_empty() {
        to_customer.clone()
    } else {
        own.into_iter().copied().collect()
    };
    if chosen.is_empty() {
        return Ok(vec![language.text_with(
            "answer-parcel-none",
            "number",
            &order.order_number,
        )]);
    }
    let mut lines = Vec::new();
    for parcel in chosen {
        let values = [
            ("carrier", parcel.carrier.as_str()),
            ("tracking", parcel.tracking_number.as_str()),
        ];
        lines.push(language.text_args("answer-parcel", &values));
        if let Some(scan) = parcel.last_scan.as_deref() {
            let at = parcel
                .scanned_at
                .map(|at| when(at, shop))
                .unwrap_or_default();
            lines.push(
                language.text_args("answer-parcel-scan", &[("text", scan), ("at", at.as_str())]),
            );
        }
        match (
            parcel.delivered_at,
            parcel.expected_from,
            parcel.expected_to,
        ) {
            (Some(delivered), _, _) => lines.push(language.text_with(
                "answer-parcel-delivered",
                "at",
                &when(delivered, shop),
            )),
            (None, Some(from), Some(to)) => lines.push(language.text_with(
                "mail-expected",
                "date",
                &super::arrival::window_text(from, to, &shop.time_zone, language),
            )),
            _ => {}
        }
    }
    Ok(lines)
}
