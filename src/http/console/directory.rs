//! Customers and orders: search, a customer's profile (orders, cases, tier, tags) and an
//! order's page (lines, shipments, cases) where staff open a case for the customer.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::form::{Fields, Posted};
use super::rows::{CaseRow, Choice, OrderLineRow, OrderRow, ShipmentRow};
use super::text::{money, url_encode};
use super::{Frame, PageResult, Staff, error_text};
use crate::db::case_list::{self, CaseFilter, CaseSort};
use crate::db::customers::{self, CustomerRecord};
use crate::db::orders::{self, OrderRecord};
use crate::db::shops::list_reasons;
use crate::domain::{CaseKind, Currency};
use crate::error::AppError;
use crate::http::api::Page;
use crate::http::pages::{minutes, render};
use crate::i18n::Language;
use crate::operations::cases::{
    self as case_operations, CaseLineInput, ContactInput, NewCaseInput,
};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub(super) struct SearchQuery {
    q: Option<String>,
    cursor: Option<String>,
}

async fn cases_where(
    state: &AppState,
    staff: &Staff,
    order_id: Option<String>,
    customer_id: Option<String>,
) -> Result<Vec<CaseRow>, sqlx::Error> {
    let language = staff.language;
    let shop = &staff.actor.shop;
    let filter = CaseFilter {
        order_id,
        customer_id,
        ..CaseFilter::all(CaseSort::CreatedAtDescending, 100)
    };
    let records = case_list::list(
        &state.database.reader,
        state.database.backend,
        &shop.id,
        &filter,
    )
    .await?;
    Ok(records
        .into_iter()
        .map(|case| CaseRow::new(language, &shop.time_zone, case))
        .collect())
}

fn next_link(base: &str, query: &Option<String>, cursor: Option<String>) -> Option<String> {
    cursor.map(|cursor| {
        let q = query
            .as_deref()
            .map(|q| format!("q={}&", url_encode(q)))
            .unwrap_or_default();
        format!("{base}?{q}cursor={cursor}")
    })
}

fn search_term(query: &SearchQuery) -> Result<Option<String>, AppError> {
    let term = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_string);
    if term.as_ref().is_some_and(|q| q.chars().count() > 100) {
        return Err(AppError::invalid("q", "q is longer than 100 characters"));
    }
    Ok(term)
}

#[derive(Template)]
#[template(path = "console/customers.html")]
struct CustomersPage {
    frame: Frame,
    q: String,
    /// (id, name, phone, email, tier)
    rows: Vec<CustomerRow>,
    next: Option<String>,
}

/// A customer in the list.
struct CustomerRow {
    id: String,
    name: String,
    phone: String,
    email: String,
    tier: String,
}

fn tier(language: Language, tier: &str) -> String {
    language.text_or(&format!("tier-{tier}"), tier)
}

pub(super) async fn customers_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<SearchQuery>,
) -> PageResult {
    let term = search_term(&query)?;
    let after = crate::http::api::after(query.cursor.as_deref())?;
    let shop = &staff.actor.shop;
    let records = customers::list(
        &state.database.reader,
        state.database.backend,
        &shop.id,
        term.as_deref(),
        after,
        50,
    )
    .await?;
    let page = Page::of(
        records,
        50,
        |customer: &CustomerRecord| (customer.created_at, customer.id.as_str()),
        |customer| customer,
    );
    let language = staff.language;
    let view = CustomersPage {
        frame: Frame::new(&state, &staff, "customers").await?,
        rows: page
            .items
            .into_iter()
            .map(|customer| CustomerRow {
                tier: tier(language, &customer.tier),
                id: customer.id,
                name: customer.name,
                phone: customer.phone.unwrap_or_default(),
                email: customer.email.unwrap_or_default(),
            })
            .collect(),
        next: next_link("/console/customers", &term, page.next_cursor),
        q: term.unwrap_or_default(),
    };
    Ok(render(&view, StatusCode::OK, language))
}

#[derive(Template)]
#[template(path = "console/customer.html")]
struct CustomerPage {
    frame: Frame,
    customer: CustomerRecord,
    tier: String,
    /// The tiers to choose from: (code, name).
    tiers: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
    /// (id, number, platform, placed, total)
    orders: Vec<OrderRow>,
    cases: Vec<CaseRow>,
}

fn order_row(language: Language, staff: &Staff, order: OrderRecord) -> OrderRow {
    let shop = &staff.actor.shop;
    let currency = crate::domain::Currency::parse(&order.currency).unwrap_or(shop.currency);
    OrderRow::new(language, &shop.time_zone, currency, order)
}

pub(super) async fn customer_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    customer_view(&state, &staff, id, None, None, StatusCode::OK).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct TierForm {
    tier: Option<String>,
}

/// Sets the customer's tier from their page.
pub(super) async fn set_tier(
    State(state): State<AppState>,
    Path(id): Path<String>,
    super::form::Posted { staff, form }: super::form::Posted<TierForm>,
) -> PageResult {
    let tier = form.tier.unwrap_or_default();
    match crate::operations::tiers::set(&state.database, &staff.actor, &id, &tier).await {
        Ok(()) => {
            let notice = staff.language.text("customer-tier-saved");
            customer_view(&state, &staff, id, Some(notice), None, StatusCode::OK).await
        }
        Err(error @ AppError::Invalid { .. }) => {
            let error = super::error_text(staff.language, &error);
            customer_view(
                &state,
                &staff,
                id,
                None,
                Some(error),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

async fn customer_view(
    state: &AppState,
    staff: &Staff,
    id: String,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let shop = &staff.actor.shop;
    let reader = &state.database.reader;
    let customer = customers::get(reader, &shop.id, &id)
        .await?
        .ok_or(AppError::NotFound("customer"))?;
    let language = staff.language;
    let orders = orders::list(
        reader,
        state.database.backend,
        &shop.id,
        None,
        Some(&id),
        None,
        100,
    )
    .await?
    .into_iter()
    .map(|order| order_row(language, staff, order))
    .collect();
    let mut tiers: Vec<(String, String)> = ["normal", "vip", "svip"]
        .into_iter()
        .map(|code| (code.to_string(), tier(language, code)))
        .collect();
    if !tiers.iter().any(|(code, _)| *code == customer.tier) {
        tiers.push((customer.tier.clone(), customer.tier.clone()));
    }
    let view = CustomerPage {
        frame: Frame::new(state, staff, "customers").await?,
        tier: tier(language, &customer.tier),
        tiers,
        notice,
        error,
        cases: cases_where(state, staff, None, Some(id)).await?,
        customer,
        orders,
    };
    Ok(render(&view, status, language))
}

#[derive(Template)]
#[template(path = "console/orders.html")]
struct OrdersPage {
    frame: Frame,
    q: String,
    rows: Vec<OrderRow>,
    next: Option<String>,
}

pub(super) async fn orders_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<SearchQuery>,
) -> PageResult {
    let term = search_term(&query)?;
    let after = crate::http::api::after(query.cursor.as_deref())?;
    let shop = &staff.actor.shop;
    let records = orders::list(
        &state.database.reader,
        state.database.backend,
        &shop.id,
        term.as_deref(),
        None,
        after,
        50,
    )
    .await?;
    let page = Page::of(
        records,
        50,
        |order: &OrderRecord| (order.placed_at, order.id.as_str()),
        |order| order,
    );
    let language = staff.language;
    let view = OrdersPage {
        frame: Frame::new(&state, &staff, "orders").await?,
        rows: page
            .items
            .into_iter()
            .map(|order| order_row(language, &staff, order))
            .collect(),
        next: next_link("/console/orders", &term, page.next_cursor),
        q: term.unwrap_or_default(),
    };
    Ok(render(&view, StatusCode::OK, language))
}

#[derive(Template)]
#[template(path = "console/order.html")]
pub(super) struct OrderPage {
    frame: Frame,
    order: OrderRecord,
    platform: String,
    placed_at: String,
    total: String,
    /// The order's money in words: discounts, tax, payments, the shop-currency equivalent.
    money_notes: Vec<String>,
    /// Refunds made on the platform: (when, amount, note).
    platform_refunds: Vec<(String, String, String)>,
    customer: Option<CustomerRecord>,
    lines: Vec<OrderLineRow>,
    shipments: Vec<ShipmentRow>,
    cases: Vec<CaseRow>,
    kinds: Vec<Choice>,
    reasons: Vec<Choice>,
    /// What was typed into the new-case form, when it was refused.
    typed: HashMap<String, String>,
    error: Option<String>,
    /// The order's current invoice, its kinds for the form, and why the form was refused.
    invoice: Option<super::invoices::InvoiceSummary>,
    invoice_kinds: Vec<Choice>,
    invoice_error: Option<String>,
}

/// The order's discounts, tax, payments and shop-currency total, one phrase each.
fn money_notes(language: Language, order: &OrderRecord, currency: Currency) -> Vec<String> {
    let mut notes: Vec<String> = order
        .money_detail
        .discounts
        .iter()
        .map(|discount| {
            format!(
                "{} {} −{}",
                language.text("console-discount"),
                discount.code.as_deref().unwrap_or(&discount.kind),
                money(discount.amount_minor, currency)
            )
        })
        .collect();
    if order.tax_minor > 0 {
        notes.push(format!(
            "{} {} ({})",
            language.text("console-tax"),
            money(order.tax_minor, currency),
            language.text(&format!("console-tax-{}", order.tax_mode))
        ));
    }
    notes.extend(order.money_detail.payments.iter().map(|payment| {
        format!(
            "{} {}",
            payment.method,
            money(payment.amount_minor, currency)
        )
    }));
    if let (Some(code), Some(total)) = (&order.shop_currency, order.shop_total_minor)
        && let Ok(shop_currency) = Currency::parse(code)
    {
        notes.push(format!("= {}", money(total, shop_currency)));
    }
    if order.payment_status != "paid" {
        notes.push(language.text(&format!("console-payment-{}", order.payment_status)));
    }
    notes
}

impl OrderPage {
    fn typed(&self, field: &str) -> String {
        self.typed.get(field).cloned().unwrap_or_default()
    }

    fn chosen_quantity(&self, line_number: &i64) -> String {
        self.typed(&format!("quantity_{line_number}"))
    }
}

pub(super) async fn order_view(
    state: &AppState,
    staff: &Staff,
    id: &str,
    typed: HashMap<String, String>,
    error: Option<String>,
    invoice_error: Option<String>,
) -> Result<OrderPage, super::PageError> {
    let shop = &staff.actor.shop;
    let reader = &state.database.reader;
    let language = staff.language;
    let order = orders::get(reader, &shop.id, id)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    let customer = match &order.customer_id {
        Some(customer_id) => customers::get(reader, &shop.id, customer_id).await?,
        None => None,
    };
    let currency = crate::domain::Currency::parse(&order.currency).unwrap_or(shop.currency);
    let lines = orders::lines(reader, &order.id)
        .await?
        .into_iter()
        .map(|line| OrderLineRow::new(currency, line))
        .collect();
    let shipments = crate::db::shipments::for_order(reader, &order.id)
        .await?
        .into_iter()
        .map(|shipment| ShipmentRow::new(language, &shop.time_zone, shipment))
        .collect();
    let reasons = list_reasons(reader, &shop.id)
        .await?
        .into_iter()
        .filter(|reason| reason.active)
        .map(|reason| {
            let name = match language {
                Language::Chinese => reason.name_zh,
                Language::English => reason.name_en,
            };
            Choice {
                code: reason.code,
                name,
            }
        })
        .collect();
    let invoice = crate::db::invoices::of_order(reader, &order.id)
        .await?
        .into_iter()
        .find(|invoice| invoice.state == "current")
        .map(|invoice| super::invoices::InvoiceSummary::new(language, invoice));
    Ok(OrderPage {
        invoice,
        invoice_kinds: super::invoices::kinds(language),
        invoice_error,
        frame: Frame::new(state, staff, "orders").await?,
        platform: language.text_or(&format!("platform-{}", order.platform), &order.platform),
        placed_at: minutes(order.placed_at, &shop.time_zone),
        total: money(order.total_minor, currency),
        money_notes: money_notes(language, &order, currency),
        platform_refunds: crate::db::platform_refunds::of_order(reader, &order.id)
            .await?
            .into_iter()
            .map(|refund| {
                (
                    minutes(refund.refunded_at, &shop.time_zone),
                    money(refund.amount_minor, currency),
                    refund.note.unwrap_or_default(),
                )
            })
            .collect(),
        cases: cases_where(state, staff, Some(order.id.clone()), None).await?,
        customer,
        lines,
        shipments,
        kinds: CaseKind::ALL
            .iter()
            .map(|kind| Choice {
                code: kind.as_str().to_string(),
                name: language.text(&format!("kind-{kind}")),
            })
            .collect(),
        reasons,
        order,
        typed,
        error,
    })
}

pub(super) async fn order_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    let view = order_view(&state, &staff, &id, HashMap::new(), None, None).await?;
    Ok(render(&view, StatusCode::OK, staff.language))
}

/// Staff open a case for the customer (a phone call, a chat): the same operation as the API,
/// and the case page opens.
pub(super) async fn open_case(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let shop = &staff.actor.shop;
    let order = orders::get(&state.database.reader, &shop.id, &id)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    let field = |name: &str| {
        fields
            .get(name)
            .map(|value| value.trim().to_string())
            .unwrap_or_default()
    };
    let mut lines = Vec::new();
    let mut problem = None;
    for (name, value) in &fields {
        let Some(line_number) = name
            .strip_prefix("quantity_")
            .and_then(|number| number.parse().ok())
        else {
            continue;
        };
        match value.trim() {
            "" | "0" => {}
            text => match text.parse::<i64>() {
                Ok(quantity) if quantity > 0 => lines.push(CaseLineInput {
                    line_number,
                    quantity: Some(quantity),
                }),
                _ => {
                    problem = Some(AppError::invalid(
                        "lines",
                        format!("line {line_number}: '{text}' is not a number of pieces"),
                    ))
                }
            },
        }
    }
    lines.sort_by_key(|line| line.line_number);
    let result = match problem {
        Some(error) => Err(error),
        None if lines.is_empty() => Err(AppError::invalid(
            "lines",
            "lines is required: choose how many pieces of at least one item",
        )),
        None => {
            let input = NewCaseInput {
                order_number: order.order_number.clone(),
                kind: field("kind"),
                reason_code: field("reason_code"),
                description: field("description"),
                lines,
                contact: ContactInput::default(),
                priority: None,
                assignee_id: Some(staff.staff_id.clone()),
                tags: Vec::new(),
                channel: Some(match field("channel").as_str() {
                    "" => "phone".to_string(),
                    other => other.to_string(),
                }),
            };
            case_operations::create(&state.database, &staff.actor, &input, None).await
        }
    };
    match result {
        Ok(created) => Ok(crate::http::pages::redirect(&format!(
            "/console/cases/{}",
            created.case.id
        ))
        .into_response()),
        Err(error @ (AppError::NotFound(_) | AppError::Internal(_))) => Err(error.into()),
        Err(error) => {
            let status = error.status();
            let message = error_text(staff.language, &error);
            let view = order_view(&state, &staff, &id, fields, Some(message), None).await?;
            Ok(render(&view, status, staff.language))
        }
    }
}
