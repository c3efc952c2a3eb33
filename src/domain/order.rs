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
    /// What the buyer paid for the whole line after discounts; at most quantity × unit price.
    pub paid_minor: i64,
    pub serial_number: Option<String>,
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
    pub shipping_fee_minor: i64,
    pub invoice_number: Option<String>,
    pub customer: NewCustomer,
    pub lines: Vec<NewOrderLine>,
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

/// Checks a line's numbers: quantity 1..=100000, price and paid not negative, paid at most
/// quantity × unit price.
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
    if line.unit_price_minor < 0 || line.paid_minor < 0 {
        return fail("prices cannot be negative".into());
    }
    if line.unit_price_minor > MAX_AMOUNT_MINOR || line.paid_minor > MAX_AMOUNT_MINOR {
        return fail(format!(
            "amounts above {MAX_AMOUNT_MINOR} minor units are not accepted"
        ));
    }
    let ceiling = line
        .unit_price_minor
        .checked_mul(line.quantity)
        .ok_or_else(|| OrderError::Field("amount too large".into()))?;
    if line.paid_minor > ceiling {
        return fail(format!(
            "paid {} is more than quantity × unit price ({ceiling})",
            line.paid_minor
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
            paid_minor: paid,
            serial_number: None,
        }
    }

    #[test]
    fn lines_are_checked() {
        assert!(check_line(&line(2, 1000, 1800)).is_ok());
        assert!(check_line(&line(2, 1000, 2001)).is_err());
        assert!(check_line(&line(0, 1000, 0)).is_err());
        assert!(check_line(&line(1, -1, 0)).is_err());
        assert!(check_line(&line(1, MAX_AMOUNT_MINOR + 1, 0)).is_err());
        assert_eq!(normalise_platform(" Tmall ").unwrap(), "tmall");
        assert_eq!(normalise_platform("").unwrap(), "own_store");
        assert!(normalise_platform("淘宝").is_err());
    }
}
