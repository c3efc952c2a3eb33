//! An order as it arrives from a sales channel, checked: the input of every import path.

use super::identifiers::{EmailAddress, OrderNumber, PhoneNumber};
use super::money::Currency;

/// The buyer named on an order or a case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewCustomer {
    pub name: String,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrderLine {
    /// The line's position in the order, from 1; the key that makes re-imports idempotent.
    pub line_number: i64,
    pub sku: String,
    pub product_name: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price_minor: i64,
    /// The discount allocated to the line (its own and its share of the order's).
    pub discount_minor: i64,
    /// The line's tax: included in the price (inclusive orders) or added to it (exclusive).
    pub tax_minor: i64,
    /// What the buyer paid for the whole line: quantity × unit price − discount, plus tax when
    /// tax is added to prices.
    pub paid_minor: i64,
    /// The same in the shop's currency, when the buyer paid in another one.
    pub shop_paid_minor: Option<i64>,
    pub serial_number: Option<String>,
    /// What one unit cost the shop (its cost price), for goods written off or recovered.
    pub cost_minor: Option<i64>,
}

/// Whether prices contain the tax (EU, UK and Chinese shops, WooCommerce's "prices include
/// tax") or it is added on top (most US shops).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    #[default]
    Inclusive,
    Exclusive,
}

impl TaxMode {
    /// From a platform's "prices include tax" flag.
    pub fn included(prices_include_tax: bool) -> TaxMode {
        if prices_include_tax {
            TaxMode::Inclusive
        } else {
            TaxMode::Exclusive
        }
    }
}

super::case::wire_names!(TaxMode {
    Inclusive => "inclusive",
    Exclusive => "exclusive",
});

/// Whether the buyer's money was taken. An order never paid has nothing to refund.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    #[default]
    Paid,
    /// Not paid yet (pending, authorised only).
    Pending,
    /// Cancelled before payment; nothing was ever taken.
    Voided,
}

super::case::wire_names!(PaymentStatus {
    Paid => "paid",
    Pending => "pending",
    Voided => "voided",
});

/// One discount on the order, as the platform named it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = OrderDiscount)]
pub struct Discount {
    /// code, automatic, manual, threshold (满减), coupon, points, gift_card …
    pub kind: String,
    /// The code or title the buyer saw.
    #[serde(default)]
    pub code: Option<String>,
    pub amount_minor: i64,
}

/// One way the buyer paid, and how much.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = OrderPayment)]
pub struct Payment {
    pub method: String,
    pub amount_minor: i64,
}

/// One shipping line: what the buyer paid for delivery after its discounts, tax included.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ShippingLine {
    pub title: String,
    pub amount_minor: i64,
}

/// The order's money lists, kept as the platform sent them.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct MoneyDetail {
    #[serde(default)]
    pub discounts: Vec<Discount>,
    #[serde(default)]
    pub payments: Vec<Payment>,
    #[serde(default)]
    pub shipping_lines: Vec<ShippingLine>,
}

/// The order's total in the shop's own currency, when the buyer paid in another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShopMoney {
    pub currency: Currency,
    pub total_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub order_number: OrderNumber,
    pub platform: String,
    pub currency: Currency,
    pub placed_at: i64,
    pub paid_at: Option<i64>,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
    /// What the buyer paid for delivery, after its discounts, tax included.
    pub shipping_fee_minor: i64,
    pub invoice_number: Option<String>,
    /// The buyer's phone as the platform masked it (138****5678): it finds no customer.
    pub contact_masked: Option<String>,
    pub customer: NewCustomer,
    pub lines: Vec<NewOrderLine>,
    pub tax_mode: TaxMode,
    pub payment_status: PaymentStatus,
    pub detail: MoneyDetail,
    pub shop_money: Option<ShopMoney>,
    pub cancelled_at: Option<i64>,
}

impl NewOrder {
    /// What the buyer paid in all: the lines and the shipping.
    pub fn total_minor(&self) -> i64 {
        self.shipping_fee_minor + self.lines.iter().map(|line| line.paid_minor).sum::<i64>()
    }
}

/// Spreads the order-level discounts that were not allocated by the platform over the lines,
/// in proportion to what each line costs after its own discounts (largest remainder), and
/// returns each line's share; the shares add up to `discount` exactly.
pub fn allocate_discount(discount: i64, lines: &[NewOrderLine]) -> Vec<i64> {
    let weights: Vec<i64> = lines
        .iter()
        .map(|line| line.unit_price_minor * line.quantity - line.discount_minor)
        .collect();
    super::allocation::allocate(discount, &weights)
}

/// What a line costs the buyer from its price, discount and tax.
pub fn line_paid(
    quantity: i64,
    unit_price_minor: i64,
    discount_minor: i64,
    tax_minor: i64,
    tax_mode: TaxMode,
) -> Option<i64> {
    let list = unit_price_minor.checked_mul(quantity)?;
    let tax = match tax_mode {
        TaxMode::Inclusive => 0,
        TaxMode::Exclusive => tax_minor,
    };
    list.checked_sub(discount_minor)?.checked_add(tax)
}

/// The sales channels the product knows by name; any other lower-case word is kept as given.
pub const PLATFORMS: &[&str] = &[
    "taobao",
    "tmall",
    "jd",
    "pinduoduo",
    "douyin",
    "wechat",
    "shopify",
    "woocommerce",
    "own_store",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("{0}")]
    Field(String),
}

/// The largest amount one line, price or fee may hold: 10 billion in major units (¥10,000,000,000.00),
/// so that sums over an order can never overflow.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;

/// Checks a line's numbers: quantity 1..=100000, amounts not negative, the discount at most
/// the list price, paid at most quantity × unit price plus tax.
pub fn check_line(line: &NewOrderLine) -> Result<(), OrderError> {
    let fail = |message: String| Err(OrderError::Field(message));
    if line.sku.trim().is_empty() {
        return fail("sku is empty".into());
    }
    if line.product_name.trim().is_empty() {
        return fail("product_name is empty".into());
    }
    if !(1..=100_000).contains(&line.quantity) {
        return fail(format!(
            "quantity {} must be between 1 and 100000",
            line.quantity
        ));
    }
    if line.unit_price_minor < 0
        || line.paid_minor < 0
        || line.discount_minor < 0
        || line.tax_minor < 0
        || line.shop_paid_minor.is_some_and(|paid| paid < 0)
        || line.cost_minor.is_some_and(|cost| cost < 0)
    {
        return fail("amounts cannot be negative".into());
    }
    if [
        line.unit_price_minor,
        line.paid_minor,
        line.discount_minor,
        line.tax_minor,
        line.shop_paid_minor.unwrap_or(0),
        line.cost_minor.unwrap_or(0),
    ]
    .iter()
    .any(|amount| *amount > MAX_AMOUNT_MINOR)
    {
        return fail(format!(
            "amounts above {MAX_AMOUNT_MINOR} minor units are not accepted"
        ));
    }
    let ceiling = line
        .unit_price_minor
        .checked_mul(line.quantity)
        .ok_or_else(|| OrderError::Field("amount too large".into()))?;
    if line.discount_minor > ceiling {
        return fail(format!(
            "the discount {} is more than quantity × unit price ({ceiling})",
            line.discount_minor
        ));
    }
    if line.paid_minor > ceiling + line.tax_minor {
        return fail(format!(
            "paid {} is more than quantity × unit price ({ceiling}) plus tax ({})",
            line.paid_minor, line.tax_minor
        ));
    }
    Ok(())
}

/// Normalises a platform name: lower case, spaces to underscores; empty means own store.
pub fn normalise_platform(text: &str) -> Result<String, OrderError> {
    let platform = text.trim().to_lowercase().replace([' ', '-'], "_");
    if platform.is_empty() {
        return Ok("own_store".into());
    }
    if platform.len() > 32
        || !platform
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '_')
    {
        return Err(OrderError::Field(format!(
            "platform '{text}' must be a short name such as taobao, jd or shopify"
        )));
    }
    Ok(platform)
}

/// How far an order's times may be out of step (two systems' clocks, a platform's rounding).
const TOLERANCE_MICROS: i64 = 10 * 60 * 1_000_000;
/// How far ahead of now a time may be (a shop's clock a little ahead, a far zone).
const FUTURE_MICROS: i64 = 24 * 3_600_000_000;
/// 2000-01-01T00:00:00Z: no order of an online shop is older.
const EARLIEST_MICROS: i64 = 946_684_800_000_000;

/// Checks an order's times, given in the order placed, paid, shipped, delivered, cancelled:
/// none in the future or before 2000, none before the order was placed, and delivery not
/// before shipping. The error names the field and says what is wrong.
pub fn check_dates(
    times: &[(&'static str, Option<i64>)],
    now: i64,
) -> Result<(), (&'static str, String)> {
    let shown = |micros: i64| {
        jiff::Timestamp::from_microsecond(micros)
            .map(|at| at.to_string())
            .unwrap_or_else(|_| micros.to_string())
    };
    for (field, at) in times {
        let Some(at) = *at else { continue };
        if at > now + FUTURE_MICROS {
            return Err((field, format!("{field} {} is in the future", shown(at))));
        }
        if at < EARLIEST_MICROS {
            return Err((
                field,
                format!("{field} {} is before the year 2000", shown(at)),
            ));
        }
    }
    let find = |name: &str| {
        times
            .iter()
            .find(|(field, _)| *field == name)
            .and_then(|(_, at)| *at)
    };
    if let Some(placed) = find("placed_at") {
        for (field, at) in times.iter().filter(|(field, _)| *field != "placed_at") {
            if let Some(at) = *at
                && at + TOLERANCE_MICROS < placed
            {
                return Err((
                    field,
                    format!(
                        "{field} {} is before the order was placed ({})",
                        shown(at),
                        shown(placed)
                    ),
                ));
            }
        }
    }
    if let (Some(shipped), Some(delivered)) = (find("shipped_at"), find("delivered_at"))
        && delivered + TOLERANCE_MICROS < shipped
    {
        return Err((
            "delivered_at",
            format!(
                "delivered_at {} is before shipped_at {}",
                shown(delivered),
                shown(shipped)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity: i64, unit: i64, paid: i64) -> NewOrderLine {
        NewOrderLine {
            line_number: 1,
            sku: "SKU".into(),
            product_name: "商品".into(),
            category: None,
            quantity,
            unit_price_minor: unit,
            discount_minor: 0,
            tax_minor: 0,
            paid_minor: paid,
            shop_paid_minor: None,
            serial_number: None,
            cost_minor: None,
        }
    }

    #[test]
    fn lines_are_checked() {
        assert!(check_line(&line(2, 1000, 1800)).is_ok());
        assert!(check_line(&line(2, 1000, 2001)).is_err());
        // Tax added on top: 54.95 + 4.50 tax = 59.45 paid.
        let mut taxed = line(1, 5495, 5945);
        assert!(check_line(&taxed).is_err());
        taxed.tax_minor = 450;
        assert!(check_line(&taxed).is_ok());
        assert_eq!(line_paid(1, 5495, 0, 450, TaxMode::Exclusive), Some(5945));
        assert_eq!(line_paid(1, 9900, 1910, 0, TaxMode::Inclusive), Some(7990));
        assert!(check_line(&line(0, 1000, 0)).is_err());
        assert!(check_line(&line(1, -1, 0)).is_err());
        assert!(check_line(&line(1, MAX_AMOUNT_MINOR + 1, 0)).is_err());
        assert_eq!(normalise_platform(" Tmall ").unwrap(), "tmall");
        assert_eq!(normalise_platform("").unwrap(), "own_store");
        assert!(normalise_platform("淘宝").is_err());
    }
}

#[cfg(test)]
mod date_tests {
    use super::check_dates;

    const DAY: i64 = 24 * 3_600_000_000;
    const NOW: i64 = 1_796_000_000_000_000;

    #[test]
    fn impossible_order_times_are_refused_with_the_field() {
        let placed = Some(NOW - 10 * DAY);
        assert!(
            check_dates(
                &[("placed_at", placed), ("delivered_at", Some(NOW - 8 * DAY))],
                NOW
            )
            .is_ok()
        );
        let in_2099 = 4_070_908_800_000_000;
        assert_eq!(
            check_dates(&[("placed_at", Some(in_2099))], NOW)
                .unwrap_err()
                .0,
            "placed_at"
        );
        assert_eq!(
            check_dates(&[("placed_at", Some(0))], NOW).unwrap_err().0,
            "placed_at"
        );
        let (field, message) = check_dates(
            &[
                ("placed_at", placed),
                ("delivered_at", Some(NOW - 11 * DAY)),
            ],
            NOW,
        )
        .unwrap_err();
        assert_eq!(field, "delivered_at");
        assert!(message.contains("before the order was placed"), "{message}");
        let shipped_late = check_dates(
            &[
                ("placed_at", placed),
                ("shipped_at", Some(NOW - 5 * DAY)),
                ("delivered_at", Some(NOW - 7 * DAY)),
            ],
            NOW,
        );
        assert_eq!(shipped_late.unwrap_err().0, "delivered_at");
        // A few minutes out of step between two systems is not an error.
        assert!(
            check_dates(
                &[
                    ("placed_at", placed),
                    ("paid_at", Some(NOW - 10 * DAY - 60_000_000))
                ],
                NOW
            )
            .is_ok()
        );
    }
}
