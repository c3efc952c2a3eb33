//! Values that arrive as text and are checked once at the edge: order numbers, phone numbers,
//! e-mail addresses, case numbers.

use jiff::civil::Date;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("the order number must be 1 to 64 characters without spaces or control characters")]
    OrderNumber,
    #[error("'{0}' is not a phone number (digits, optionally starting with +, 5 to 20 digits)")]
    Phone(String),
    #[error("'{0}' is not an e-mail address")]
    Email(String),
    #[error("'{0}' is not a case number (expected AS-YYYYMMDD-NNNNNN)")]
    CaseNumber(String),
}

/// The shop's order number as its sales channel gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderNumber(String);

impl OrderNumber {
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let trimmed = text.trim();
        let valid = !trimmed.is_empty()
            && trimmed.chars().count() <= 64
            && !trimmed
                .chars()
                .any(|character| character.is_control() || character.is_whitespace());
        if valid {
            Ok(OrderNumber(trimmed.to_string()))
        } else {
            Err(IdentifierError::OrderNumber)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number kept as digits (with a leading + when international).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts common spellings: spaces, dashes, dots and brackets are dropped.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let trimmed = text.trim();
        let plus = trimmed.starts_with('+');
        let mut digits = String::with_capacity(trimmed.len());
        for character in trimmed.trim_start_matches('+').chars() {
            match character {
                '0'..='9' => digits.push(character),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(IdentifierError::Phone(text.to_string())),
            }
        }
        if !(5..=20).contains(&digits.len()) {
            return Err(IdentifierError::Phone(text.to_string()));
        }
        Ok(PhoneNumber(if plus {
            format!("+{digits}")
        } else {
            digits
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits to compare with: without a leading +86 country code.
    pub fn national(&self) -> &str {
        self.0.strip_prefix("+86").unwrap_or(&self.0)
    }
}

/// An e-mail address, checked for shape only (one @, a dot in the domain, no spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let trimmed = text.trim();
        let valid = match trimmed.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && trimmed.len() <= 254
                    && !trimmed.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if valid {
            Ok(EmailAddress(trimmed.to_lowercase()))
        } else {
            Err(IdentifierError::Email(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The human case number, `AS-YYYYMMDD-NNNNNN`: the shop's local date and a per-day sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNumber(String);

impl CaseNumber {
    pub fn new(date: Date, sequence: i64) -> Self {
        CaseNumber(format!(
            "AS-{:04}{:02}{:02}-{:06}",
            date.year(),
            date.month(),
            date.day(),
            sequence
        ))
    }

    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let upper = text.trim().to_ascii_uppercase();
        let bad = || IdentifierError::CaseNumber(text.to_string());
        let rest = upper.strip_prefix("AS-").ok_or_else(bad)?;
        let (date, sequence) = rest.split_once('-').ok_or_else(bad)?;
        let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if date.len() != 8 || sequence.len() < 6 || !digits(date) || !digits(sequence) {
            return Err(bad());
        }
        Ok(CaseNumber(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers() {
        let date = Date::new(2026, 11, 22).unwrap();
        assert_eq!(CaseNumber::new(date, 123).as_str(), "AS-20261122-000123");
        assert_eq!(
            CaseNumber::new(date, 1_234_567).as_str(),
            "AS-20261122-1234567"
        );
        assert!(CaseNumber::parse("as-20261122-000123").is_ok());
        assert!(CaseNumber::parse("AS-2026112-000123").is_err());
        assert!(CaseNumber::parse("XX-20261122-000123").is_err());
    }

    #[test]
    fn phones_and_emails() {
        assert_eq!(
            PhoneNumber::parse("138-0013-8000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            PhoneNumber::parse("+86 138 0013 8000").unwrap().national(),
            "13800138000"
        );
        assert!(PhoneNumber::parse("call me").is_err());
        assert!(PhoneNumber::parse("123").is_err());
        assert_eq!(
            EmailAddress::parse(" Li@Example.COM ").unwrap().as_str(),
            "li@example.com"
        );
        assert!(EmailAddress::parse("li@example").is_err());
        assert!(EmailAddress::parse("li example.com").is_err());
        assert!(OrderNumber::parse("  ").is_err());
        assert!(OrderNumber::parse("TB 123").is_err());
        assert_eq!(OrderNumber::parse(" TB123 ").unwrap().as_str(), "TB123");
    }
}

/// A shop's id. Typed, so that storage cannot be handed a case's or an order's id in its
/// place: every query that takes a shop id takes this.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ShopId(String);

impl ShopId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for ShopId {
    fn from(id: String) -> ShopId {
        ShopId(id)
    }
}

impl From<&str> for ShopId {
    fn from(id: &str) -> ShopId {
        ShopId(id.to_string())
    }
}

impl std::ops::Deref for ShopId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ShopId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}
