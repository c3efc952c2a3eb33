//! Money in integer minor units (分 for CNY) with its currency. Never a float.

use serde::{Deserialize, Serialize};

pub use super::currency::Currency;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not an ISO 4217 currency code (such as CNY, USD, EUR, JPY)")]
    BadCurrency(String),
    #[error("'{0}' is not an amount (use digits with at most {1} decimals, such as 12.50)")]
    BadAmount(String, u32),
    #[error("the amount is too large")]
    Overflow,
    #[error(transparent)]
    Amount(#[from] super::amount::AmountError),
}

/// An amount of money: integer minor units and a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Money {
    /// Amount in the currency's minor unit (分 for CNY, cents for EUR).
    pub amount_minor: i64,
    /// ISO 4217 code.
    #[serde(with = "currency_text")]
    #[schema(value_type = String, example = "CNY")]
    pub currency: Currency,
}

/// An amount in a stored currency code, written as `Money` writes it (`¥199.00`); a code that is
/// not a currency keeps the bare number with the code.
pub fn written(amount_minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(currency) => Money::new(amount_minor, currency).to_string(),
        Err(_) => format!("{amount_minor} {currency}"),
    }
}

impl Money {
    pub fn new(amount_minor: i64, currency: Currency) -> Self {
        Money {
            amount_minor,
            currency,
        }
    }

    /// Parses a decimal amount such as `12.5`, `12.50`, `1,299.00` or `-3` exactly into minor
    /// units, written with a decimal point ([`super::amount`] reads other locales' styles).
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        Ok(super::amount::parse(
            text,
            currency,
            super::amount::NumberStyle::Point,
        )?)
    }

    /// `12.50` for 1250 fen: the plain decimal, no symbol.
    pub fn decimal(&self) -> String {
        let exponent = self.currency.exponent();
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let absolute = self.amount_minor.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{absolute}");
        }
        let scale = 10_u64.pow(exponent);
        format!(
            "{sign}{}.{:0width$}",
            absolute / scale,
            absolute % scale,
            width = exponent as usize
        )
    }
}

/// For people: the currency's sign, thousands grouped, the currency's own decimals
/// (¥1,299.00, ₫500,000, KWD 1.250, -¥0.05).
impl std::fmt::Display for Money {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let decimal = self.decimal();
        let (sign, digits) = match decimal.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", decimal.as_str()),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (digits, None),
        };
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (index, digit) in whole.chars().enumerate() {
            if index > 0 && (whole.len() - index) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(formatter, "{sign}{}{grouped}", self.currency.symbol())?;
        match fraction {
            Some(fraction) => write!(formatter, ".{fraction}"),
            None => Ok(()),
        }
    }
}

mod currency_text {
    use super::Currency;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(currency: &Currency, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(currency.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Currency, D::Error> {
        let text = String::deserialize(deserializer)?;
        Currency::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_decimals_exactly() {
        let cny = Currency::CNY;
        assert_eq!(
            Money::parse_decimal("12.5", cny).unwrap().amount_minor,
            1250
        );
        assert_eq!(Money::parse_decimal("0.01", cny).unwrap().amount_minor, 1);
        assert_eq!(
            Money::parse_decimal("¥1,299.00", cny).unwrap().amount_minor,
            129_900
        );
        assert_eq!(Money::parse_decimal("-3", cny).unwrap().amount_minor, -300);
        assert!(Money::parse_decimal("1.234", cny).is_err());
        assert!(Money::parse_decimal("abc", cny).is_err());
        assert!(Money::parse_decimal("", cny).is_err());
        let yen = Currency::parse("jpy").unwrap();
        assert_eq!(Money::parse_decimal("500", yen).unwrap().amount_minor, 500);
        assert!(Money::parse_decimal("5.5", yen).is_err());
    }

    #[test]
    fn displays_with_symbol() {
        assert_eq!(Money::new(129_900, Currency::CNY).to_string(), "¥1,299.00");
        assert_eq!(Money::new(-5, Currency::CNY).to_string(), "-¥0.05");
        let vnd = Currency::parse("VND").unwrap();
        assert_eq!(Money::new(500_000, vnd).to_string(), "₫500,000");
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Money::new(1_250, kwd).to_string(), "KWD 1.250");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::new(123_456_789, jpy).to_string(), "JP¥123,456,789");
        assert!(Currency::parse("C1Y").is_err());
    }

    proptest! {
        #[test]
        fn decimal_round_trips(minor in -1_000_000_000_000_i64..1_000_000_000_000) {
            let money = Money::new(minor, Currency::CNY);
            prop_assert_eq!(Money::parse_decimal(&money.decimal(), Currency::CNY).unwrap(), money);
        }
    }
}
