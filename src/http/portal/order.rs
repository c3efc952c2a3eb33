//! The order page: its items, its cases, and the form that asks for help.

use std::collections::HashMap;

use askama::Template;

use crate::domain::Money;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::*;
use crate::db::case_list::{self, CaseFilter, CaseSort};
use crate::db::shops::{self, Shop};
use crate::db::{cases, customers, orders};
use crate::domain::Role;
use crate::domain::policy::request::Remedy;
use crate::error::AppError;
use crate::http::pages::{read_multipart, upload_error_text};
use crate::i18n::Language;
use crate::operations::cases::{CaseLineInput, ContactInput, NewCaseInput};
use crate::state::AppState;

struct CaseRow {
    number: String,
    kind: String,
    status: String,
}

struct ItemRow {
    line_number: i64,
    name: String,
    quantity: i64,
    /// What the customer paid for the line, in the order's currency.
    paid: String,
    /// What came back on it so far, if anything.
    refunded: Option<String>,
    /// What the customer typed (kept when the form comes back with an error).
    chosen: i64,
    /// What 1, 2, … units of the line would bring back (minor units, comma-separated), never
    /// more than is left on it: the request form's refund preview adds them up.
    worth: String,
    /// What one unit cost the customer.
    unit_paid: String,
}

#[derive(Template)]
#[template(path = "portal/order.html")]
struct OrderPage {
    page: Page,
    heading: String,
    order_number: String,
    items: Vec<ItemRow>,
    /// The order's total paid and the delivery in it, in the order's currency.
    total: String,
    delivery: Option<String>,
    cases: Vec<CaseRow>,
    kinds: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    /// What the customer may ask for today without a reason: (remedy, allowed, until, why).
    rights: Vec<Right>,
    /// The upload limits, shown before choosing files.
    limits: String,
    errors: Vec<String>,
    kind: String,
    reason: String,
    description: String,
    exchange_for: String,
    /// The order's currency symbol and its decimals, for the preview.
    currency_symbol: String,
    decimals: u32,
    /// The shop's return address, where goods are sent back.
    return_address: String,
    /// The refund preview's sentence, with `{amount}` and `{text}` for the page to fill.
    preview_text: String,
    /// A question asked here and its answer (7×24 status answers).
    question: String,
    answer: Vec<String>,
    /// The article that answered the question, linked.
    answer_articles: Vec<crate::operations::knowledge::Suggestion>,
    /// Whether matching articles are shown beside the description (the shop's setting), the
    /// order's first product (articles for others are left out), and those shown now.
    suggest: bool,
    product: String,
    articles: Vec<crate::operations::knowledge::Suggestion>,
    /// An article answered the question: no request was sent.
    deflected: bool,
}

/// One remedy in the overview of the customer's rights.
struct Right {
    remedy: String,
    allowed: bool,
    until: Option<String>,
    why: String,
}

/// The policy's answer for the whole order, asked without a reason, in the customer's words.
async fn rights(
    state: &AppState,
    shop: &Shop,
    order: &orders::OrderRecord,
    language: Language,
) -> Result<Vec<Right>, AppError> {
    let Some(facts) =
        cases::order_for_case(&state.database.reader, &shop.id, &order.order_number, "").await?
    else {
        return Ok(Vec::new());
    };
    let settings = crate::db::settings::get(&state.database, &shop.id).await?;
    let Some(decision) = crate::operations::policy::order_overview(
        &facts,
        &settings,
        &shop.time_zone_name,
        state.clock.now(),
    ) else {
        return Ok(Vec::new());
    };
    Ok(decision
        .remedies
        .iter()
        .filter(|remedy| remedy.remedy != Remedy::PriceReduction)
        .map(|remedy| {
            let ground = remedy
                .grounds
                .iter()
                .find(|ground| ground.allowed == remedy.allowed);
            let why = ground.map_or_else(String::new, |ground| match language {
                Language::Chinese => ground.explanation.chinese.clone(),
                Language::English => ground.explanation.english.clone(),
            });
            Right {
                remedy: language.text(&format!("kind-{}", remedy.remedy.as_case_kind().as_str())),
                allowed: remedy.allowed,
                until: remedy.until.clone(),
                why,
            }
        })
        .collect())
}

/// What the customer typed in the request form.
#[derive(Default)]
struct Typed {
    quantities: HashMap<i64, i64>,
    kind: String,
    reason: String,
    description: String,
    exchange_for: String,
    question: String,
    answer: Vec<String>,
    answer_articles: Vec<crate::operations::knowledge::Suggestion>,
    deflected: bool,
}

pub(super) async fn order_page(
    State(state): State<AppState>,
    CustomerOrder {
        shop,
        order,
        language,
    }: CustomerOrder,
    Query(query): Query<LanguageQuery>,
) -> Result<Response, AppError> {
    let page = order_view(
        &state,
        &shop,
        &order,
        language,
        Vec::new(),
        Typed::default(),
    )
    .await?;
    Ok(with_language_cookie(
        render(&page, StatusCode::OK, language),
        query.lang.as_deref(),
    ))
}

/// Lines of more units than this preview proportionally beyond it (the server decides anyway).
const PREVIEWED_UNITS: i64 = 50;

async fn order_view(
    state: &AppState,
    shop: &Shop,
    order: &orders::OrderRecord,
    language: Language,
    errors: Vec<String>,
    typed: Typed,
) -> Result<OrderPage, AppError> {
    let lines = orders::lines(&state.database.reader, &order.id).await?;
    // Every amount in the order's own currency.
    let currency = crate::domain::Currency::parse(&order.currency).unwrap_or(shop.currency);
    let filter = CaseFilter {
        order_id: Some(order.id.clone()),
        ..CaseFilter::all(CaseSort::CreatedAtDescending, 100)
    };
    let records = case_list::list(
        &state.database.reader,
        state.database.backend,
        &shop.id,
        &filter,
    )
    .await?;
    let reasons = shops::list_reasons(&state.database.reader, &shop.id).await?;
    let rights = rights(state, shop, order, language).await?;
    let settings = crate::db::settings::get(&state.database, &shop.id).await?;
    let suggest = settings.knowledge.suggest_in_form;
    let product = lines
        .first()
        .map(|line| line.product_name.clone())
        .unwrap_or_default();
    let articles = if suggest && !typed.description.trim().is_empty() {
        let asking = crate::operations::knowledge::Asking {
            language,
            product: Some(&product)
                .filter(|product| !product.is_empty())
                .map(String::as_str),
            limit: 3,
            keep_misses: false,
        };
        crate::operations::knowledge::search(&state.database, shop, &typed.description, asking)
            .await?
    } else {
        Vec::new()
    };
    let kinds = [
        "return_and_refund",
        "refund_only",
        "exchange",
        "repair",
        "consultation",
        "complaint",
    ];
    Ok(OrderPage {
        heading: language.text_with("portal-order-heading", "number", &order.order_number),
        order_number: crate::http::pages::url_encode(&order.order_number),
        total: Money::new(order.total_minor, currency).to_string(),
        delivery: (order.shipping_fee_minor > 0)
            .then(|| Money::new(order.shipping_fee_minor, currency).to_string()),
        items: lines
            .iter()
            .map(|line| ItemRow {
                line_number: line.line_number,
                name: line.product_name.clone(),
                quantity: line.quantity,
                paid: Money::new(line.paid_minor, currency).to_string(),
                refunded: (line.refunded_minor > 0)
                    .then(|| Money::new(line.refunded_minor, currency).to_string()),
                chosen: typed
                    .quantities
                    .get(&line.line_number)
                    .copied()
                    .unwrap_or(0),
                worth: (1..=line.quantity.min(PREVIEWED_UNITS))
                    .map(|units| {
                        crate::domain::allocation::paid_for_units(
                            line.paid_minor,
                            line.quantity,
                            units,
                        )
                        .min((line.paid_minor - line.refunded_minor).max(0))
                        .to_string()
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                unit_paid: Money::new(
                    crate::domain::allocation::paid_for_units(line.paid_minor, line.quantity, 1),
                    currency,
                )
                .to_string(),
            })
            .collect(),
        cases: records
            .iter()
            .map(|case| CaseRow {
                number: case.number.clone(),
                kind: language.text(&format!("kind-{}", case.kind.as_str())),
                status: language.text(&format!("status-{}", case.status.as_str())),
            })
            .collect(),
        kinds: kinds
            .iter()
            .map(|kind| (kind.to_string(), language.text(&format!("kind-{kind}"))))
            .collect(),
        reasons: reasons
            .iter()
            .filter(|reason| reason.active)
            .map(|reason| {
                let name = match language {
                    Language::Chinese => reason.name_zh.clone(),
                    Language::English => reason.name_en.clone(),
                };
                (reason.code.clone(), name)
            })
            .collect(),
        rights,
        limits: language.text_with(
            "portal-files-limits",
            "number",
            &crate::domain::media::FILES_LIMIT.to_string(),
        ),
        errors,
        kind: typed.kind,
        reason: typed.reason,
        description: typed.description,
        exchange_for: typed.exchange_for,
        question: typed.question,
        answer: typed.answer,
        answer_articles: typed.answer_articles,
        suggest,
        product: crate::http::pages::url_encode(&product),
        articles,
        deflected: typed.deflected,
        preview_text: language.text_args(
            "portal-preview-refund",
            &[("amount", "{amount}"), ("text", "{text}")],
        ),
        currency_symbol: currency.symbol().to_string(),
        decimals: currency.exponent(),
        return_address: settings.return_address.clone().unwrap_or_default(),
        page: page(state, shop, language).await?,
    })
}

/// Opens a request from the portal: the chosen items, kind, reason and description. What the
/// policy refuses comes back with its reasons, and everything typed is kept.
pub(super) async fn ask_for_help(
    State(state): State<AppState>,
    CustomerOrder {
        shop,
        order,
        language,
    }: CustomerOrder,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (form, files) = match read_multipart(multipart).await {
        Ok(read) => read,
        Err(reason) => {
            let errors = vec![language.text("portal-files-unreadable"), reason];
            let page =
                order_view(&state, &shop, &order, language, errors, Typed::default()).await?;
            return Ok(render(&page, StatusCode::PAYLOAD_TOO_LARGE, language));
        }
    };
    let mut typed = Typed {
        kind: form.get("kind").cloned().unwrap_or_default(),
        reason: form.get("reason").cloned().unwrap_or_default(),
        description: form.get("description").cloned().unwrap_or_default(),
        exchange_for: form.get("exchange_for").cloned().unwrap_or_default(),
        ..Typed::default()
    };
    for (key, value) in &form {
        if let (Some(line), Ok(quantity)) = (
            key.strip_prefix("quantity_")
                .and_then(|line| line.parse::<i64>().ok()),
            value.trim().parse::<i64>(),
        ) && quantity > 0
        {
            typed.quantities.insert(line, quantity);
        }
    }
    let mut lines: Vec<CaseLineInput> = typed
        .quantities
        .iter()
        .map(|(line, quantity)| CaseLineInput {
            line_number: *line,
            quantity: Some(*quantity),
        })
        .collect();
    lines.sort_by_key(|line| line.line_number);
    let goods = !matches!(typed.kind.as_str(), "consultation" | "complaint");
    if goods && lines.is_empty() {
        let errors = vec![language.text("portal-ask-no-items")];
        let page = order_view(&state, &shop, &order, language, errors, typed).await?;
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, language));
    }
    let files = match crate::operations::attachments::check(files, 0) {
        Ok(files) => files,
        Err(error) => {
            let errors = vec![
                upload_error_text(language, &error),
                language.text("portal-files-choose-again"),
            ];
            let page = order_view(&state, &shop, &order, language, errors, typed).await?;
            return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, language));
        }
    };
    let customer = match &order.customer_id {
        Some(id) => customers::get(&state.database.reader, &shop.id, id).await?,
        None => None,
    };
    let actor = shops::Actor {
        shop: shop.clone(),
        role: Role::Customer,
        staff_id: None,
    };
    // An exchange says what the customer wants instead (size, colour), in the description the
    // shop reads.
    let wish = typed.exchange_for.trim();
    let description = if typed.kind == "exchange" && !wish.is_empty() {
        format!(
            "{}\n{}{wish}",
            typed.description.trim(),
            language.text("portal-exchange-for-prefix")
        )
    } else {
        typed.description.clone()
    };
    let input = NewCaseInput {
        order_number: order.order_number.clone(),
        kind: typed.kind.clone(),
        reason_code: typed.reason.clone(),
        description,
        lines: if goods { lines } else { Vec::new() },
        contact: ContactInput {
            name: customer.as_ref().map(|customer| customer.name.clone()),
            phone: customer
                .as_ref()
                .and_then(|customer| customer.phone.clone()),
            email: customer
                .as_ref()
                .and_then(|customer| customer.email.clone()),
        },
        priority: None,
        assignee_id: None,
        tags: Vec::new(),
        channel: Some("portal".into()),
    };
    match crate::operations::cases::create(&state.database, &actor, &input, None).await {
        Ok(created) => {
            crate::operations::attachments::store(
                &state.database,
                &actor,
                &created.case,
                &files,
                crate::operations::cases::Visibility::Customer,
            )
            .await?;
            Ok(crate::http::pages::redirect(&format!(
                "/portal/{}/cases/{}",
                shop.slug, created.case.number
            ))
            .into_response())
        }
        Err(error) => {
            let errors = match &error {
                AppError::Conflict {
                    code: "not_allowed_by_policy",
                    details,
                    ..
                } => {
                    let mut list = vec![language.text("portal-ask-refused")];
                    if let Some(reasons) = details
                        .get("reasons")
                        .and_then(|reasons| reasons.as_array())
                    {
                        list.extend(reasons.iter().filter_map(|reason| {
                            reason.get(language.code())?.as_str().map(str::to_string)
                        }));
                    }
                    list
                }
                AppError::Conflict {
                    code: "units_already_claimed",
                    ..
                } => vec![language.text("portal-ask-claimed")],
                AppError::Conflict {
                    code: "order_not_paid",
                    ..
                } => vec![language.text("portal-ask-unpaid")],
                AppError::Invalid { .. } | AppError::BadRequest { .. } => {
                    vec![crate::http::console::error_text(language, &error)]
                }
                _ => return Err(error),
            };
            let page = order_view(&state, &shop, &order, language, errors, typed).await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, language))
        }
    }
}

/// A question about the order in plain words, answered on the page from its records; what the
/// answers do not know goes to the shop (docs/ANSWERS.md).
pub(super) async fn answer(
    State(state): State<AppState>,
    CustomerOrder {
        shop,
        order,
        language,
    }: CustomerOrder,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let question = form.get("question").cloned().unwrap_or_default();
    let (status, answer) =
        match crate::operations::answers::ask(&state.database, &shop, &order, &question, language)
            .await
        {
            Ok(answer) => (StatusCode::OK, (answer.lines, answer.articles)),
            Err(AppError::Invalid { .. }) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                (vec![language.text("portal-answers-invalid")], Vec::new()),
            ),
            Err(error) => return Err(error),
        };
    let (answer, answer_articles) = answer;
    let typed = Typed {
        question,
        answer,
        answer_articles,
        ..Typed::default()
    };
    let page = order_view(&state, &shop, &order, language, Vec::new(), typed).await?;
    Ok(render(&page, status, language))
}

/// "This answered my question" beside the request form: the article is counted as having
/// answered a request, no case is made, and the page says so (what was typed is not kept).
pub(super) async fn deflected(
    State(state): State<AppState>,
    CustomerOrder {
        shop,
        order,
        language,
    }: CustomerOrder,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (fields, _) = read_multipart(multipart)
        .await
        .map_err(AppError::bad_request)?;
    let article = fields.get("article").cloned().unwrap_or_default();
    crate::operations::knowledge::feedback(
        &state.database,
        &shop,
        &article,
        crate::operations::knowledge::Feedback::Deflected,
    )
    .await?;
    let typed = Typed {
        deflected: true,
        ..Typed::default()
    };
    let page = order_view(&state, &shop, &order, language, Vec::new(), typed).await?;
    Ok(render(&page, StatusCode::OK, language))
}
