//! The case page: status, timeline, messages, the customer's actions, rating and label.

use std::collections::HashMap;

use super::*;
use crate::db::cases;
use crate::db::shops::Shop;
use crate::documents::label::Size;
use crate::domain::lifecycle::{Moment, allowed_actions};
use crate::domain::time::format_in_zone;
use crate::domain::{Action, Role, Status};
use crate::error::AppError;
use crate::http::pages::{read_multipart, upload_error_text};
use crate::i18n::Language;
use crate::operations::cases::Visibility;
use crate::operations::progress;
use crate::operations::ratings::{self, Rated};
use crate::operations::transitions::{self, TransitionInput};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "portal/case.html")]
struct CasePage {
    page: Page,
    heading: String,
    number: String,
    kind: String,
    status: String,
    has_label: bool,
    timeline: Vec<(String, String)>,
    /// (when, who, text, `you` or `shop`)
    messages: Vec<(String, String, String, &'static str)>,
    errors: Vec<String>,
    version: i64,
    can_ship: bool,
    /// (action, button text)
    other_actions: Vec<(String, String)>,
    carrier: String,
    tracking_number: String,
    /// The customer's stars, once rated.
    rated: Option<i64>,
    /// The case has ended and is not rated yet.
    can_rate: bool,
    /// What happens next, in plain words.
    next_step: String,
    /// (when, what) the running clocks will do.
    deadlines: Vec<(String, String)>,
    /// (id, kind, file name) of the files on the case.
    files: Vec<(String, String, String)>,
    can_attach: bool,
    limits: String,
    /// The open offer: (id, amount, note).
    offer: Option<(String, String, String)>,
    /// Offers already answered: (amount, state in words).
    past_offers: Vec<(String, String)>,
    /// The case's parcels both ways.
    parcels: Vec<ParcelRow>,
    /// The case's progress: (step in words, done/current/stopped/later, when reached).
    tracker: Vec<(String, &'static str, String)>,
    /// A repair's appointment: the booking and the slots to choose from.
    appointment: Option<super::appointment::AppointmentPart>,
    /// A repair's stages in plain words with their dates, and the next one's expected date.
    repair: Vec<(String, String, String)>,
    repair_expected: String,
    /// The items of the case: (name, units, what they cost the customer).
    items: Vec<(String, i64, String)>,
    /// Money back: (amount, how, where it is in words, when).
    refunds: Vec<(String, String, String, String)>,
}

pub struct ParcelRow {
    pub way: String,
    pub carrier: String,
    pub tracking_number: String,
    pub state: String,
    /// When it should arrive, while it is on its way (empty when not known).
    pub expected: String,
    /// A page where the customer can follow the parcel.
    pub link: String,
}

pub(super) async fn case_page(
    State(state): State<AppState>,
    CustomerCase {
        shop,
        case,
        language,
    }: CustomerCase,
    Query(query): Query<LanguageQuery>,
) -> Result<Response, AppError> {
    let page = case_view(
        &state,
        &shop,
        &case,
        language,
        Vec::new(),
        ShipTyped::default(),
    )
    .await?;
    Ok(with_language_cookie(
        render(&page, StatusCode::OK, language),
        query.lang.as_deref(),
    ))
}

/// The carrier and tracking number the customer typed.
#[derive(Default)]
struct ShipTyped {
    carrier: String,
    tracking_number: String,
}

async fn case_view(
    state: &AppState,
    shop: &Shop,
    case: &cases::CaseRecord,
    language: Language,
    errors: Vec<String>,
    typed: ShipTyped,
) -> Result<CasePage, AppError> {
    let events = cases::events(&state.database.reader, &case.id).await?;
    let when = |micros: i64| {
        let text = format_in_zone(micros, &shop.time_zone).replace('T', " ");
        text.chars().take(16).collect::<String>()
    };
    let timeline = events
        .iter()
        .filter_map(|event| {
            let status = event.to_status.as_ref()?;
            Some((when(event.at), language.text(&format!("status-{status}"))))
        })
        .collect();
    let messages = cases::messages(&state.database.reader, &case.id, false)
        .await?
        .into_iter()
        .map(|message| {
            let (who, side) = if message.author_role == "customer" {
                (language.text("portal-you"), "you")
            } else {
                (language.text("portal-shop"), "shop")
            };
            (when(message.created_at), who, message.body, side)
        })
        .collect();
    let actions = allowed_actions(
        case.kind,
        case.status,
        Role::Customer,
        Moment {
            now: state.clock.now(),
            ended_at: case.ended_at,
        },
    );
    let rated = crate::db::ratings::stars(&state.database.reader, &case.id).await?;
    let deadlines = crate::db::timers::pending_for_case(&state.database.reader, &case.id)
        .await?
        .iter()
        .filter(|timer| !timer.clock.is_sla())
        .map(|timer| (when(timer.due_at), progress::deadline_text(language, timer)))
        .collect();
    // Only what the customer sent and what the shop chose to show them.
    let files = crate::db::attachments::for_case(&state.database.reader, &case.id)
        .await?
        .into_iter()
        .filter(|file| file.visibility == "customer")
        .map(|file| (file.id, file.kind, file.file_name))
        .collect::<Vec<_>>();
    let offers = crate::db::offers::for_case(&state.database.reader, &case.id).await?;
    let parcels = crate::db::shipments::for_order(&state.database.reader, &case.order_id)
        .await?
        .into_iter()
        .filter(|parcel| parcel.case_id.as_deref() == Some(case.id.as_str()))
        .map(|parcel| ParcelRow {
            expected: match (
                parcel.delivered_at,
                parcel.expected_from,
                parcel.expected_to,
            ) {
                (None, Some(from), Some(to)) => language.text_with(
                    "mail-expected",
                    "date",
                    &crate::operations::arrival::window_text(from, to, &shop.time_zone, language),
                ),
                _ => String::new(),
            },
            way: language.text(&format!("portal-parcel-{}", parcel.direction)),
            link: format!(
                "https://t.17track.net/{}#nums={}",
                match language {
                    Language::Chinese => "zh-cn",
                    Language::English => "en",
                },
                crate::http::pages::url_encode(&parcel.tracking_number)
            ),
            carrier: parcel.carrier,
            tracking_number: parcel.tracking_number,
            state: language.text(&format!("portal-parcel-state-{}", parcel.status)),
        })
        .collect();
    let currency = crate::domain::Currency::parse(&case.currency).unwrap_or(shop.currency);
    let money = |minor: i64| crate::domain::Money::new(minor, currency).to_string();
    let items = cases::lines(&state.database.reader, &case.id)
        .await?
        .iter()
        .map(|line| {
            (
                line.product_name.clone(),
                line.quantity,
                money(line.balance().paid_minor),
            )
        })
        .collect();
    let refund_records = crate::db::refunds::of_case(&state.database.reader, &case.id).await?;
    let refunds = refund_records
        .iter()
        .map(|refund| {
            let out = crate::domain::notifications::money_is_out(Some(refund.status.as_str()));
            (
                money(refund.amount_minor),
                language.text_or(&format!("method-{}", refund.method), &refund.method),
                language.text(if out {
                    "portal-refund-paid"
                } else if refund.status == "failed" {
                    "portal-refund-failed"
                } else {
                    "portal-refund-pending"
                }),
                when(refund.created_at),
            )
        })
        .collect();
    let (repair, repair_expected) = match case.kind {
        crate::domain::CaseKind::Repair => {
            let (stages, expected) = super::tracker::repair_stages(case.status, &events);
            (
                stages
                    .into_iter()
                    .map(|stage| (language.text(&stage.key), stage.detail, when(stage.at)))
                    .collect(),
                expected
                    .map(|(key, at)| {
                        let day = crate::domain::time::local_date(at, &shop.time_zone).to_string();
                        language.text_with(key, "date", &day)
                    })
                    .unwrap_or_default(),
            )
        }
        _ => (Vec::new(), String::new()),
    };
    let tracker = super::tracker::progress(case.kind, case.status, &events)
        .into_iter()
        .map(|step| {
            (
                language.text(&step.key),
                step.state,
                step.at.map(when).unwrap_or_default(),
            )
        })
        .collect();
    // What the offer gives, in words: money back, or a coupon, points, a gift with its value.
    let amount = |offer: &crate::db::offers::OfferRecord| {
        let value = crate::domain::Currency::parse(&offer.currency)
            .map(|currency| crate::domain::Money::new(offer.amount_minor, currency).to_string())
            .unwrap_or_else(|_| format!("{} {}", offer.amount_minor, offer.currency));
        let key = match offer.kind.as_str() {
            "coupon" | "points" | "gift" | "return_address" | "refund_instead" => {
                format!("portal-offer-{}", offer.kind)
            }
            _ => "portal-offer-partial".into(),
        };
        let words = language.text_args(
            &key,
            &[
                ("amount", value.as_str()),
                ("detail", offer.detail.as_deref().unwrap_or_default()),
            ],
        );
        match &offer.valid_until {
            Some(day) => format!(
                "{words}{}",
                language.text_args("portal-offer-valid-until", &[("date", day.as_str())])
            ),
            None => words,
        }
    };
    let offer = offers
        .iter()
        .find(|offer| offer.state == "open")
        .map(|offer| {
            (
                offer.id.clone(),
                amount(offer),
                offer.note.clone().unwrap_or_default(),
            )
        });
    // What waits for (or was refused by) a supervisor was never offered to the customer.
    let past_offers = offers
        .iter()
        .filter(|offer| matches!(offer.state.as_str(), "accepted" | "declined" | "withdrawn"))
        .map(|offer| {
            (
                amount(offer),
                language.text(&format!("portal-offer-{}", offer.state)),
            )
        })
        .collect();
    Ok(CasePage {
        next_step: progress::next_step(language, case, &events, &refund_records),
        tracker,
        appointment: super::appointment::part(state, shop, case, language).await?,
        repair,
        repair_expected,
        items,
        refunds,
        deadlines,
        can_attach: case.status.is_open() && files.len() < crate::domain::media::FILES_LIMIT,
        files,
        limits: language.text_with(
            "portal-files-limits",
            "number",
            &crate::domain::media::FILES_LIMIT.to_string(),
        ),
        offer,
        past_offers,
        parcels,
        can_rate: rated.is_none() && !case.status.is_open(),
        rated,
        heading: language.text_with("portal-case-heading", "number", &case.number),
        number: case.number.clone(),
        kind: language.text(&format!("kind-{}", case.kind.as_str())),
        status: language.text(&format!("status-{}", case.status.as_str())),
        has_label: case.kind.ships_back()
            && matches!(case.status, Status::Approved | Status::ReturnShipped),
        timeline,
        messages,
        errors,
        version: case.version,
        can_ship: actions.contains(&Action::ShipReturn),
        other_actions: actions
            .iter()
            .filter(|action| **action != Action::ShipReturn && **action != Action::Escalate)
            .map(|action| {
                (
                    action.as_str().to_string(),
                    language.text(&format!("portal-action-{}", action.as_str())),
                )
            })
            .collect(),
        carrier: typed.carrier,
        tracking_number: typed.tracking_number,
        page: page(state, shop, language).await?,
    })
}

/// An action the customer takes on the case page: add the return's tracking number, cancel,
/// confirm the replacement arrived, close, reopen. The same guards as for staff apply.
pub(super) async fn case_action(
    State(state): State<AppState>,
    CustomerCase {
        shop,
        case,
        language,
    }: CustomerCase,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let field = |name: &str| {
        form.get(name)
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
    };
    let input = TransitionInput {
        action: field("action").unwrap_or_default(),
        version: field("version")
            .and_then(|value| value.parse().ok())
            .unwrap_or(case.version),
        reason: None,
        note: None,
        carrier: field("carrier"),
        tracking_number: field("tracking_number"),
        disposition: None,
        close_unanswered: false,
        refusal_code: None,
        platform_reason_id: None,
        proof: Vec::new(),
        serial_number: None,
    };
    match transitions::transition(&state.database, &customer(&shop), &case.id, &input).await {
        Ok(_) => Ok(crate::http::pages::redirect(&format!(
            "/portal/{}/cases/{}",
            shop.slug, case.number
        ))
        .into_response()),
        Err(error) => {
            let message = match &error {
                AppError::Conflict {
                    code: "version_conflict",
                    ..
                } => language.text("portal-changed"),
                AppError::Invalid { .. }
                | AppError::BadRequest { .. }
                | AppError::Transition(_)
                | AppError::Conflict { .. } => crate::http::console::error_text(language, &error),
                _ => return Err(error),
            };
            let typed = ShipTyped {
                carrier: field("carrier").unwrap_or_default(),
                tracking_number: field("tracking_number").unwrap_or_default(),
            };
            case_with_errors(&state, &shop, &case, language, vec![message], typed).await
        }
    }
}

pub(super) async fn case_message(
    State(state): State<AppState>,
    CustomerCase {
        shop,
        case,
        language,
    }: CustomerCase,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let body = form.get("body").cloned().unwrap_or_default();
    match crate::operations::cases::post_message(
        &state.database,
        &customer(&shop),
        &case.id,
        Visibility::Customer,
        &body,
    )
    .await
    {
        Ok(_) => Ok(crate::http::pages::redirect(&format!(
            "/portal/{}/cases/{}",
            shop.slug, case.number
        ))
        .into_response()),
        Err(error @ AppError::Invalid { .. }) => {
            let errors = vec![crate::http::console::error_text(language, &error)];
            case_with_errors(&state, &shop, &case, language, errors, ShipTyped::default()).await
        }
        Err(error) => Err(error),
    }
}

/// The case page again, with what went wrong and what the customer typed.
/// The case page again with what went wrong, in the customer's words.
pub(super) async fn with_errors(
    state: &AppState,
    shop: &Shop,
    case: &cases::CaseRecord,
    language: Language,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    case_with_errors(state, shop, case, language, errors, ShipTyped::default()).await
}

async fn case_with_errors(
    state: &AppState,
    shop: &Shop,
    case: &cases::CaseRecord,
    language: Language,
    errors: Vec<String>,
    typed: ShipTyped,
) -> Result<Response, AppError> {
    let page = case_view(state, shop, case, language, errors, typed).await?;
    Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, language))
}

/// 1–5 stars and a comment, once per case, after it has ended; recorded on the timeline.
pub(super) async fn rate(
    State(state): State<AppState>,
    CustomerCase {
        shop,
        case,
        language,
    }: CustomerCase,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let stars = form
        .get("stars")
        .and_then(|value| value.trim().parse::<i64>().ok());
    let comment = form.get("comment").map(String::as_str).unwrap_or_default();
    let refusal = match ratings::rate(&state.database, &case, stars, comment).await? {
        Rated::Recorded => None,
        Rated::Invalid => Some("portal-rate-invalid"),
        Rated::Twice => Some("portal-rate-twice"),
    };
    if let Some(refusal) = refusal {
        return case_with_errors(
            &state,
            &shop,
            &case,
            language,
            vec![language.text(refusal)],
            ShipTyped::default(),
        )
        .await;
    }
    Ok(
        crate::http::pages::redirect(&format!("/portal/{}/cases/{}", shop.slug, case.number))
            .into_response(),
    )
}

#[derive(Deserialize)]
pub(super) struct LabelQuery {
    size: Option<String>,
}

pub(super) async fn case_label(
    State(state): State<AppState>,
    CustomerCase { shop, case, .. }: CustomerCase,
    Query(query): Query<LabelQuery>,
) -> Result<Response, AppError> {
    let size = query
        .size
        .as_deref()
        .and_then(Size::parse)
        .unwrap_or(Size::A4);
    crate::http::label_pdf(&state, &shop, &case, size).await
}

/// More photos or a video for the case, from the case page.
pub(super) async fn attach(
    State(state): State<AppState>,
    CustomerCase {
        shop,
        case,
        language,
    }: CustomerCase,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let refuse = |errors: Vec<String>| {
        case_with_errors(&state, &shop, &case, language, errors, ShipTyped::default())
    };
    let files = match read_multipart(multipart).await {
        Ok((_, files)) => files,
        Err(reason) => return refuse(vec![language.text("portal-files-unreadable"), reason]).await,
    };
    if files.is_empty() || !case.status.is_open() {
        return refuse(vec![language.text("portal-files-none")]).await;
    }
    let already = crate::operations::attachments::count(&state.database, &case).await?;
    match crate::operations::attachments::check(files, already) {
        Ok(files) => {
            crate::operations::attachments::store(
                &state.database,
                &customer(&shop),
                &case,
                &files,
                Visibility::Customer,
            )
            .await?;
            Ok(crate::http::pages::redirect(&format!(
                "/portal/{}/cases/{}",
                shop.slug, case.number
            ))
            .into_response())
        }
        Err(error) => refuse(vec![upload_error_text(language, &error)]).await,
    }
}

/// One of the case's files, for the customer who owns the case.
pub(super) async fn attachment(
    State(state): State<AppState>,
    CustomerCase { case, .. }: CustomerCase,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (file, content) = crate::db::attachments::content(&state.database.reader, &case.id, &id)
        .await?
        .filter(|(file, _)| file.visibility == "customer")
        .ok_or(AppError::NotFound("attachment"))?;
    Ok(crate::http::file_response(&file, content))
}

/// The customer accepts or declines the open offer.
pub(super) async fn answer_offer(
    State(state): State<AppState>,
    CustomerCase {
        shop,
        case,
        language,
    }: CustomerCase,
    Path((_, _, id)): Path<(String, String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    use crate::operations::offers::{self, Answer};
    let answer = match form.get("answer").map(String::as_str) {
        Some("accept") => Answer::Accept,
        Some("decline") => Answer::Decline,
        _ => {
            let errors = vec![language.text("portal-offer-choose")];
            return case_with_errors(&state, &shop, &case, language, errors, ShipTyped::default())
                .await;
        }
    };
    match offers::answer(&state.database, &customer(&shop), &case.id, &id, answer).await {
        Ok(_) => Ok(crate::http::pages::redirect(&format!(
            "/portal/{}/cases/{}",
            shop.slug, case.number
        ))
        .into_response()),
        Err(AppError::Conflict { .. }) => {
            let errors = vec![language.text("portal-offer-gone")];
            case_with_errors(&state, &shop, &case, language, errors, ShipTyped::default()).await
        }
        Err(error) => Err(error),
    }
}
