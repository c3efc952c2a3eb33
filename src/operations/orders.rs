//! Orders in: one JSON order, checked and stored (new, updated or unchanged).

use serde::Deserialize;
use utoipa::ToSchema;

use super::text_field;
use crate::db::Database;
use crate::db::orders::{self, Outcome};
use crate::db::shops::Actor;
use crate::domain::identifiers::{EmailAddress, OrderNumber, PhoneNumber};
use crate::domain::money::Currency;
use crate::domain::order::{NewCustomer, NewOrder, NewOrderLine, check_line, normalise_platform};
use crate::domain::time::parse_time;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    #[serde(default)]
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    /// Defaults to the line's position in `lines`, from 1.
    pub line_number: Option<i64>,
    pub sku: String,
    pub product_name: String,
    pub category: Option<String>,
    pub quantity: i64,
    /// Minor units (fen for CNY).
    pub unit_price_minor: i64,
    /// What the buyer paid for the whole line, in minor units; defaults to quantity × unit price.
    pub paid_minor: Option<i64>,
    pub serial_number: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    pub order_number: String,
    /// taobao, tmall, jd, pinduoduo, douyin, wechat, shopify, woocommerce, own_store (default).
    pub platform: Option<String>,
    /// ISO 4217; defaults to the shop's currency.
    pub currency: Option<String>,
    /// RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` in the shop's time zone.
    pub placed_at: String,
    pub paid_at: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    #[serde(default)]
    pub shipping_fee_minor: i64,
    pub invoice_number: Option<String>,
    #[serde(default)]
    pub customer: CustomerInput,
    pub lines: Vec<OrderLineInput>,
}

pub(crate) fn time_field(
    field: &str,
    value: Option<&str>,
    actor: &Actor,
) -> AppResult<Option<i64>> {
    match value.map(str::trim).filter(|value| !value.is_empty()) {
        None => Ok(None),
        Some(value) => parse_time(value, &actor.shop.time_zone)
            .map(Some)
            .map_err(|message| AppError::invalid(field, message)),
    }
}

/// A buyer's contact details, checked.
pub fn check_customer(input: &CustomerInput) -> AppResult<NewCustomer> {
    Ok(NewCustomer {
        name: text_field("customer.name", Some(&input.name), false, 100)?.unwrap_or_default(),
        phone: match text_field("customer.phone", input.phone.as_deref(), false, 40)? {
            Some(phone) => Some(
                PhoneNumber::parse(&phone)
                    .map_err(|error| AppError::invalid("customer.phone", error.to_string()))?,
            ),
            None => None,
        },
        email: match text_field("customer.email", input.email.as_deref(), false, 254)? {
            Some(email) => Some(
                EmailAddress::parse(&email)
                    .map_err(|error| AppError::invalid("customer.email", error.to_string()))?,
            ),
            None => None,
        },
        address: text_field("customer.address", input.address.as_deref(), false, 300)?,
    })
}

/// Adds a customer, or finds the shop's customer with the same phone (or e-mail).
/// Returns the id and whether the customer is new.
pub async fn store_customer(
    database: &Database,
    actor: &Actor,
    input: &CustomerInput,
) -> AppResult<(String, bool)> {
    let customer = check_customer(input)?;
    if customer.name.is_empty() {
        return Err(AppError::invalid("name", "name is required"));
    }
    if customer.phone.is_none() && customer.email.is_none() {
        return Err(AppError::invalid(
            "phone",
            "a phone number or an e-mail address is required",
        ));
    }
    let mut transaction = database.begin().await?;
    let result = crate::db::customers::find_or_insert(
        &mut transaction,
        &actor.shop.id,
        &customer,
        database.clock.now(),
    )
    .await?;
    transaction.commit().await?;
    Ok(result)
}

/// Turns the input into a checked order, naming the field at fault.
pub fn check(actor: &Actor, input: &OrderInput) -> AppResult<NewOrder> {
    let order_number = OrderNumber::parse(&input.order_number)
        .map_err(|error| AppError::invalid("order_number", error.to_string()))?;
    let platform = normalise_platform(input.platform.as_deref().unwrap_or_default())
        .map_err(|error| AppError::invalid("platform", error.to_string()))?;
    let currency = match input
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|code| !code.is_empty())
    {
        Some(code) => Currency::parse(code)
            .map_err(|error| AppError::invalid("currency", error.to_string()))?,
        None => actor.shop.currency,
    };
    let placed_at = time_field("placed_at", Some(&input.placed_at), actor)?
        .ok_or_else(|| AppError::invalid("placed_at", "placed_at is required"))?;
    if !(0..=crate::domain::order::MAX_AMOUNT_MINOR).contains(&input.shipping_fee_minor) {
        return Err(AppError::invalid(
            "shipping_fee_minor",
            "shipping_fee_minor must be between 0 and 1000000000000",
        ));
    }
    let customer = check_customer(&input.customer)?;
    if input.lines.is_empty() {
        return Err(AppError::invalid(
            "lines",
            "an order needs at least one line",
        ));
    }
    if input.lines.len() > 500 {
        return Err(AppError::invalid("lines", "an order has at most 500 lines"));
    }
    let mut lines: Vec<NewOrderLine> = Vec::with_capacity(input.lines.len());
    for (index, line) in input.lines.iter().enumerate() {
        let field = format!("lines[{index}]");
        let line_number = line.line_number.unwrap_or(index as i64 + 1);
        if line_number < 1
            || lines
                .iter()
                .any(|existing| existing.line_number == line_number)
        {
            return Err(AppError::invalid(
                &field,
                format!("line_number {line_number} must be positive and unique"),
            ));
        }
        let paid_minor = match line.paid_minor {
            Some(paid) => paid,
            None => line
                .unit_price_minor
                .checked_mul(line.quantity)
                .ok_or_else(|| AppError::invalid(&field, "amount too large"))?,
        };
        let checked = NewOrderLine {
            line_number,
            sku: line.sku.trim().to_string(),
            product_name: line.product_name.trim().to_string(),
            category: line
                .category
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_string),
            quantity: line.quantity,
            unit_price_minor: line.unit_price_minor,
            paid_minor,
            serial_number: line
                .serial_number
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_string),
        };
        check_line(&checked).map_err(|error| AppError::invalid(&field, error.to_string()))?;
        lines.push(checked);
    }
    Ok(NewOrder {
        order_number,
        platform,
        currency,
        placed_at,
        paid_at: time_field("paid_at", input.paid_at.as_deref(), actor)?,
        shipped_at: time_field("shipped_at", input.shipped_at.as_deref(), actor)?,
        delivered_at: time_field("delivered_at", input.delivered_at.as_deref(), actor)?,
        shipping_fee_minor: input.shipping_fee_minor,
        invoice_number: text_field("invoice_number", input.invoice_number.as_deref(), false, 64)?,
        customer,
        lines,
    })
}

/// Stores a checked order. Staff roles that handle orders only.
pub async fn store(
    database: &Database,
    actor: &Actor,
    order: &NewOrder,
) -> AppResult<(String, Outcome)> {
    AppError::require(
        actor.role,
        crate::domain::permissions::Capability::ChangeOrders,
    )?;
    let mut transaction = database.begin().await?;
    let result = orders::upsert(
        &mut transaction,
        &actor.shop.id,
        order,
        database.clock.now(),
    )
    .await?;
    transaction.commit().await?;
    Ok(result)
}
