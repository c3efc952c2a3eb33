//! Orders in: one JSON order, checked and stored (new, updated or unchanged).

use serde::Deserialize;
use utoipa::ToSchema;

use super::text_field;
use crate::db::Database;
use crate::db::orders::{self, Outcome};
use crate::db::shops::Actor;
use crate::domain::identifiers::{EmailAddress, OrderNumber, PhoneNumber};
use crate::domain::money::Currency;
use crate::domain::order::{
    Discount, MoneyDetail, NewCustomer, NewOrder, NewOrderLine, Payment, PaymentStatus,
    ShippingLine, ShopMoney, TaxMode, allocate_discount, check_line, line_paid, normalise_platform,
};
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

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
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
    /// The discount already allocated to this line by the platform (its own discounts and its
    /// share of the order's), in minor units.
    pub discount_minor: Option<i64>,
    /// The line's tax in minor units: part of the price when `tax_mode` is inclusive, added to
    /// it when exclusive.
    pub tax_minor: Option<i64>,
    /// What the buyer paid for the whole line, in minor units; defaults to quantity × unit
    /// price − discount (+ tax when exclusive).
    pub paid_minor: Option<i64>,
    /// What the line came to in the shop's currency (`shop_currency`), if the buyer paid in
    /// another one.
    pub shop_paid_minor: Option<i64>,
    pub serial_number: Option<String>,
    /// What one unit cost the shop (its cost price), in minor units: goods written off or
    /// restocked are valued at it in the cost ledger.
    pub cost_minor: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscountInput {
    /// code, automatic, manual, threshold (满减), coupon, points, gift_card …
    pub kind: String,
    pub code: Option<String>,
    /// The whole discount in minor units.
    pub amount_minor: i64,
    /// `true` when the lines' `discount_minor` already contain it (the platform allocated it);
    /// otherwise it is spread over the lines in proportion to their price (largest remainder).
    #[serde(default)]
    pub allocated: bool,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
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
    /// inclusive (prices contain the tax, the default) or exclusive (tax added on top).
    pub tax_mode: Option<TaxMode>,
    /// paid (default), pending or voided: an order never paid has nothing to refund.
    pub payment_status: Option<PaymentStatus>,
    /// The order's discounts.
    #[serde(default)]
    pub discounts: Vec<DiscountInput>,
    /// How the buyer paid; when given, the amounts must add up to the order's total.
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// Delivery lines; when given, `shipping_fee_minor` is their sum.
    #[serde(default)]
    pub shipping_lines: Vec<ShippingLine>,
    /// The shop's currency when the buyer paid in another one (Shopify's shop money).
    pub shop_currency: Option<String>,
    /// The order's total in `shop_currency`.
    pub shop_total_minor: Option<i64>,
    /// When the order was cancelled, if it was.
    pub cancelled_at: Option<String>,
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
pub fn check(actor: &Actor, input: &OrderInput, now: i64) -> AppResult<NewOrder> {
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
    // A phone the platform masked (138****5678) is kept on the order as given; it finds no
    // customer, so the order has one only when an e-mail (or a real phone) is there too.
    let masked = input
        .customer
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|phone| crate::domain::layouts::is_masked(phone));
    let contact_masked = match masked {
        Some(phone) if phone.chars().count() > 64 => {
            return Err(AppError::invalid(
                "customer.phone",
                "a masked phone is at most 64 characters",
            ));
        }
        masked => masked.map(str::to_string),
    };
    let customer = if contact_masked.is_some() {
        let unmasked = CustomerInput {
            phone: None,
            ..input.customer.clone()
        };
        let customer = check_customer(&unmasked)?;
        if customer.email.is_none() {
            crate::domain::order::NewCustomer::default()
        } else {
            customer
        }
    } else {
        check_customer(&input.customer)?
    };
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
            discount_minor: line.discount_minor.unwrap_or(0),
            tax_minor: line.tax_minor.unwrap_or(0),
            // Worked out below, once the order's discounts are spread.
            paid_minor: line.paid_minor.unwrap_or(0),
            shop_paid_minor: line.shop_paid_minor,
            serial_number: line
                .serial_number
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_string),
            cost_minor: line.cost_minor,
        };
        lines.push(checked);
    }
    let tax_mode = input.tax_mode.unwrap_or_default();
    let detail = money_detail(input, &mut lines)?;
    for (index, (line, given)) in lines.iter_mut().zip(&input.lines).enumerate() {
        let field = format!("lines[{index}]");
        let computed = line_paid(
            line.quantity,
            line.unit_price_minor,
            line.discount_minor,
            line.tax_minor,
            tax_mode,
        );
        if given.paid_minor.is_none() {
            line.paid_minor = computed.unwrap_or(0).max(0);
        }
        check_line(line).map_err(|error| AppError::invalid(&field, error.to_string()))?;
        if given.paid_minor.is_none() && computed.is_none_or(|paid| paid < 0) {
            return Err(AppError::invalid(
                &field,
                "the discount is more than the line's price",
            ));
        }
    }
    let shipping_fee_minor = if detail.shipping_lines.is_empty() {
        input.shipping_fee_minor
    } else {
        let sum: i64 = detail
            .shipping_lines
            .iter()
            .map(|line| line.amount_minor)
            .sum();
        if input.shipping_fee_minor != 0 && input.shipping_fee_minor != sum {
            return Err(AppError::invalid(
                "shipping_fee_minor",
                format!(
                    "shipping_fee_minor {} differs from the shipping lines' sum {sum}; give one of them",
                    input.shipping_fee_minor
                ),
            ));
        }
        sum
    };
    let shop_money = shop_money(input, currency)?;
    let mut order = NewOrder {
        order_number,
        platform,
        currency,
        placed_at,
        paid_at: time_field("paid_at", input.paid_at.as_deref(), actor)?,
        shipped_at: time_field("shipped_at", input.shipped_at.as_deref(), actor)?,
        delivered_at: time_field("delivered_at", input.delivered_at.as_deref(), actor)?,
        shipping_fee_minor,
        invoice_number: text_field("invoice_number", input.invoice_number.as_deref(), false, 64)?,
        contact_masked,
        customer,
        lines,
        tax_mode,
        payment_status: input.payment_status.unwrap_or_default(),
        detail,
        shop_money,
        cancelled_at: time_field("cancelled_at", input.cancelled_at.as_deref(), actor)?,
    };
    if let Some(shop_money) = order.shop_money
        && order
            .lines
            .iter()
            .any(|line| line.shop_paid_minor.is_none())
    {
        // The platform gave only the total in the shop's currency: each line its share.
        let mut weights: Vec<i64> = order.lines.iter().map(|line| line.paid_minor).collect();
        weights.push(order.shipping_fee_minor);
        let shares = crate::domain::allocation::allocate(shop_money.total_minor, &weights);
        for (line, share) in order.lines.iter_mut().zip(shares) {
            line.shop_paid_minor = Some(share);
        }
    }
    let total = order.total_minor();
    let paid: i64 = order
        .detail
        .payments
        .iter()
        .map(|payment| payment.amount_minor)
        .sum();
    if !order.detail.payments.is_empty() && paid != total {
        return Err(AppError::invalid(
            "payments",
            format!("the payments add up to {paid} but the lines and shipping come to {total}"),
        ));
    }
    if order.payment_status != PaymentStatus::Paid {
        order.detail.payments.clear();
    }
    crate::domain::order::check_dates(
        &[
            ("placed_at", Some(order.placed_at)),
            ("paid_at", order.paid_at),
            ("shipped_at", order.shipped_at),
            ("delivered_at", order.delivered_at),
            ("cancelled_at", order.cancelled_at),
        ],
        now,
    )
    .map_err(|(field, message)| AppError::invalid(field, message))?;
    Ok(order)
}

/// The order's discounts (spreading those the platform did not allocate over the lines), its
/// payments and its shipping lines, checked.
fn money_detail(input: &OrderInput, lines: &mut [NewOrderLine]) -> AppResult<MoneyDetail> {
    let mut detail = MoneyDetail::default();
    if input.discounts.len() > 50 || input.payments.len() > 20 || input.shipping_lines.len() > 20 {
        return Err(AppError::invalid(
            "discounts",
            "an order has at most 50 discounts, 20 payments and 20 shipping lines",
        ));
    }
    let in_range = |amount: i64| (0..=crate::domain::order::MAX_AMOUNT_MINOR).contains(&amount);
    for (index, discount) in input.discounts.iter().enumerate() {
        let field = format!("discounts[{index}]");
        if !in_range(discount.amount_minor) {
            return Err(AppError::invalid(
                &field,
                "amount_minor must be between 0 and 1000000000000",
            ));
        }
        let kind = text_field(&format!("{field}.kind"), Some(&discount.kind), true, 32)?
            .unwrap_or_default();
        if !discount.allocated {
            let shares = allocate_discount(discount.amount_minor, lines);
            for (line, share) in lines.iter_mut().zip(shares) {
                line.discount_minor += share;
            }
        }
        detail.discounts.push(Discount {
            kind,
            code: text_field(
                &format!("{field}.code"),
                discount.code.as_deref(),
                false,
                100,
            )?,
            amount_minor: discount.amount_minor,
        });
    }
    for (index, payment) in input.payments.iter().enumerate() {
        let field = format!("payments[{index}]");
        if !in_range(payment.amount_minor) {
            return Err(AppError::invalid(
                &field,
                "amount_minor must be between 0 and 1000000000000",
            ));
        }
        detail.payments.push(Payment {
            method: text_field(&format!("{field}.method"), Some(&payment.method), true, 64)?
                .unwrap_or_default(),
            amount_minor: payment.amount_minor,
        });
    }
    for (index, shipping) in input.shipping_lines.iter().enumerate() {
        let field = format!("shipping_lines[{index}]");
        if !in_range(shipping.amount_minor) {
            return Err(AppError::invalid(
                &field,
                "amount_minor must be between 0 and 1000000000000",
            ));
        }
        detail.shipping_lines.push(ShippingLine {
            title: text_field(&format!("{field}.title"), Some(&shipping.title), false, 200)?
                .unwrap_or_default(),
            amount_minor: shipping.amount_minor,
        });
    }
    Ok(detail)
}

/// The shop-currency equivalent, when the buyer paid in another currency.
fn shop_money(input: &OrderInput, currency: Currency) -> AppResult<Option<ShopMoney>> {
    let Some(code) = input
        .shop_currency
        .as_deref()
        .map(str::trim)
        .filter(|code| !code.is_empty())
    else {
        return Ok(None);
    };
    let shop_currency = Currency::parse(code)
        .map_err(|error| AppError::invalid("shop_currency", error.to_string()))?;
    if shop_currency == currency {
        return Ok(None);
    }
    let total_minor = input
        .shop_total_minor
        .filter(|total| (0..=crate::domain::order::MAX_AMOUNT_MINOR).contains(total))
        .ok_or_else(|| {
            AppError::invalid(
                "shop_total_minor",
                "shop_total_minor (the total in the shop's currency) is required with shop_currency",
            )
        })?;
    Ok(Some(ShopMoney {
        currency: shop_currency,
        total_minor,
    }))
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

/// One of the shop's orders by its id or its order number.
pub async fn find(
    database: &Database,
    shop_id: &crate::domain::identifiers::ShopId,
    id: &str,
) -> AppResult<crate::db::orders::OrderRecord> {
    if let Some(order) = crate::db::orders::get(&database.reader, shop_id, id).await? {
        return Ok(order);
    }
    crate::db::orders::find_by_number(&database.reader, shop_id, id)
        .await?
        .ok_or(AppError::NotFound("order"))
}
