//! Amounts as people and files write them, read without guessing. One parser for console
//! forms, CSV/XLSX cells and the API's decimal strings:
//! - `1,299.00` and `1.299,00` are 1299.00 (both marks: the last one is the decimal mark);
//! - a mark that occurs more than once groups thousands (`1,299,000`, `1 299 000`);
//! - a single mark followed by other than three digits is the decimal mark in either style
//!   (`12.5`, `10,5`), except where the reader's style makes it the group mark, which it cannot
//!   be: then it is refused with how to write it;
//! - a single mark followed by exactly three digits (`1,299`) is read by the style (the shop's
//!   locale): the group mark for the style that groups with it, else the decimal mark;
//! - spaces (also no-break and thin spaces) and `'` only group thousands; currency signs and
//!   the currency's code around the number are dropped.
//!
//! The decimals may not exceed the currency's minor unit: `1.234` CNY is refused, never rounded.

use super::money::{Currency, Money};

/// How a locale writes numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// `1,299.50` (Chinese, English, Japanese, Korean …).
    Point,
    /// `1.299,50` or `1 299,50` (German, French, Spanish, Russian, Vietnamese …).
    Comma,
}

impl NumberStyle {
    /// The style of a locale tag such as `zh-CN`, `de-DE` or `fr`.
    pub fn for_locale(locale: &str) -> NumberStyle {
        let language = locale
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        const COMMA: &[&str] = &[
            "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "tr", "vi", "id", "da", "sv", "nb",
            "no", "fi", "cs", "sk", "hu", "ro", "bg", "uk", "el", "hr", "sl", "sr", "lt", "lv",
            "et",
        ];
        if COMMA.contains(&language.as_str()) {
            NumberStyle::Comma
        } else {
            NumberStyle::Point
        }
    }

    fn decimal_mark(self) -> char {
        match self {
            NumberStyle::Point => '.',
            NumberStyle::Comma => ',',
        }
    }
}

/// Why an amount was refused, with how to write it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error(
        "'{text}' is not an amount: write digits with at most {decimals} decimals, such as {example}"
    )]
    NotAnAmount {
        text: String,
        decimals: u32,
        example: String,
    },
    #[error("'{text}' has more decimals than {currency} has ({decimals}): write it as {example}")]
    TooManyDecimals {
        text: String,
        currency: String,
        decimals: u32,
        example: String,
    },
    #[error("'{text}' is ambiguous here: write {example}")]
    Ambiguous { text: String, example: String },
    #[error("the amount is too large")]
    Overflow,
}

/// The amount as a form field holds it in `style`, ungrouped: `1299.50` or `1299,50`.
pub fn written(money: Money, style: NumberStyle) -> String {
    let decimal = money.decimal();
    match style {
        NumberStyle::Point => decimal,
        NumberStyle::Comma => decimal.replace('.', ","),
    }
}

/// `1299.50` written in `style`, for messages that show how to write an amount.
fn example(currency: Currency, style: NumberStyle) -> String {
    written(
        Money::new(129_950 * 10_i64.pow(currency.exponent()) / 100, currency),
        style,
    )
}

/// Reads `text` as an amount of `currency`, written in `style`.
pub fn parse(text: &str, currency: Currency, style: NumberStyle) -> Result<Money, AmountError> {
    let exponent = currency.exponent();
    let not_an_amount = || AmountError::NotAnAmount {
        text: text.to_string(),
        decimals: exponent,
        example: example(currency, style),
    };
    let mut body = text.trim();
    for sign in [
        "¥",
        "￥",
        "€",
        "$",
        "£",
        "₩",
        "₫",
        "₹",
        "₽",
        "₺",
        "฿",
        currency.as_str(),
    ] {
        body = body.trim_start_matches(sign).trim_end_matches(sign).trim();
    }
    let (negative, body) = match body.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, body),
    };
    // Spaces and apostrophes only group thousands: mark them as a group separator.
    let body: String = body
        .chars()
        .map(|character| match character {
            ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' => '_',
            other => other,
        })
        .collect();
    if body.is_empty()
        || !body
            .chars()
            .all(|character| character.is_ascii_digit() || matches!(character, '.' | ',' | '_'))
    {
        return Err(not_an_amount());
    }
    let points = body.matches('.').count();
    let commas = body.matches(',').count();
    let last_mark = body.rfind(['.', ',']);
    let decimal_mark: Option<char> = match (points, commas) {
        (0, 0) => None,
        (_, _) if points > 0 && commas > 0 => {
            let mark = body[last_mark.unwrap_or(0)..].chars().next();
            // The decimal mark comes last and once; the other groups.
            match mark {
                Some('.') if points == 1 => Some('.'),
                Some(',') if commas == 1 => Some(','),
                _ => return Err(not_an_amount()),
            }
        }
        (count, 0) | (0, count) if count > 1 => None,
        _ => {
            let mark = if points == 1 { '.' } else { ',' };
            let after = body.len() - last_mark.unwrap_or(0) - 1;
            if after == 3 {
                // 1,299 or 1.299: the style says whether the mark groups or is decimal.
                (mark == style.decimal_mark()).then_some(mark)
            } else if mark == style.decimal_mark() {
                Some(mark)
            } else {
                let written = body
                    .replace('_', " ")
                    .replace(mark, &style.decimal_mark().to_string());
                return Err(AmountError::Ambiguous {
                    text: text.to_string(),
                    example: written,
                });
            }
        }
    };
    let (whole, fraction) = match decimal_mark {
        Some(mark) => {
            let at = body.rfind(mark).unwrap_or(0);
            (&body[..at], &body[at + 1..])
        }
        None => (body.as_str(), ""),
    };
    if fraction.contains(['.', ',', '_']) {
        return Err(not_an_amount());
    }
    let digits = group_digits(whole).ok_or_else(not_an_amount)?;
    if digits.is_empty() && fraction.is_empty() {
        return Err(not_an_amount());
    }
    if fraction.len() > exponent as usize {
        return Err(AmountError::TooManyDecimals {
            text: text.to_string(),
            currency: currency.as_str().to_string(),
            decimals: exponent,
            example: example(currency, style),
        });
    }
    let whole_value: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| AmountError::Overflow)?
    };
    let fraction_value: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<width$}", width = exponent as usize)
            .parse()
            .map_err(|_| not_an_amount())?
    };
    let minor = whole_value
        .checked_mul(10_i64.pow(exponent))
        .and_then(|value| value.checked_add(fraction_value))
        .ok_or(AmountError::Overflow)?;
    Ok(Money::new(if negative { -minor } else { minor }, currency))
}

/// The digits of a whole part whose thousands may be grouped by one kind of separator
/// (`1,299,000`, `1.299.000`, `1_299_000`): groups of three after the first. None when the
/// grouping is wrong (`12,34`) or separators are mixed.
fn group_digits(whole: &str) -> Option<String> {
    let separators: Vec<char> = whole
        .chars()
        .filter(|character| !character.is_ascii_digit())
        .collect();
    let Some(separator) = separators.first().copied() else {
        return Some(whole.to_string());
    };
    if separators.iter().any(|other| *other != separator) {
        return None;
    }
    let groups: Vec<&str> = whole.split(separator).collect();
    let well_grouped =
        (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|group| group.len() == 3);
    well_grouped.then(|| groups.concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(text: &str, code: &str, style: NumberStyle) -> Result<i64, AmountError> {
        parse(text, Currency::parse(code).unwrap(), style).map(|money| money.amount_minor)
    }

    use NumberStyle::{Comma, Point};

    #[test]
    fn both_marks_are_never_ambiguous() {
        for style in [Point, Comma] {
            assert_eq!(read("1,299.00", "CNY", style), Ok(129_900));
            assert_eq!(read("1.299,00", "EUR", style), Ok(129_900));
            assert_eq!(read("1,299,000.5", "USD", style), Ok(129_900_050));
        }
    }

    #[test]
    fn ten_comma_five_is_never_one_hundred_and_five() {
        assert_eq!(read("10,5", "EUR", Comma), Ok(1_050));
        let refused = read("10,5", "CNY", Point).unwrap_err();
        assert!(
            matches!(refused, AmountError::Ambiguous { .. }),
            "{refused}"
        );
        assert!(refused.to_string().contains("10.5"), "{refused}");
    }

    #[test]
    fn three_digits_after_one_mark_follow_the_locale() {
        assert_eq!(read("1,299", "CNY", Point), Ok(129_900));
        assert_eq!(read("1.299", "EUR", Comma), Ok(129_900));
        // A decimal mark with three decimals is too many for a two-decimal currency.
        assert!(matches!(
            read("1.299", "CNY", Point),
            Err(AmountError::TooManyDecimals { .. })
        ));
        assert_eq!(read("1.299", "KWD", Point), Ok(1_299));
        assert_eq!(read("1,299", "KWD", Comma), Ok(1_299));
    }

    #[test]
    fn spaces_and_signs() {
        assert_eq!(read("1 299,00", "EUR", Comma), Ok(129_900));
        assert_eq!(read("1\u{a0}299,00 €", "EUR", Comma), Ok(129_900));
        assert_eq!(read("¥ 1,299.00", "CNY", Point), Ok(129_900));
        assert_eq!(read("CNY 12.5", "CNY", Point), Ok(1_250));
        assert_eq!(read("1'299.50", "CHF", Point), Ok(129_950));
        assert_eq!(read("-3", "CNY", Point), Ok(-300));
        assert_eq!(read(".5", "CNY", Point), Ok(50));
    }

    #[test]
    fn minor_units_from_the_standard() {
        assert_eq!(read("500000", "VND", Point), Ok(500_000));
        assert_eq!(read("500,000", "VND", Point), Ok(500_000));
        assert!(read("5.5", "JPY", Point).is_err());
        assert_eq!(read("1.5", "KWD", Point), Ok(1_500));
        assert_eq!(read("12.50", "TWD", Point), Ok(1_250));
        assert_eq!(read("12.50", "HUF", Point), Ok(1_250));
    }

    #[test]
    fn what_is_not_an_amount() {
        for text in [
            "",
            "abc",
            "12,34,5",
            "1,2.3.4",
            "1.2.3,4,5",
            "12 34",
            "--3",
            "1e5",
            "1,,299",
        ] {
            assert!(read(text, "CNY", Point).is_err(), "{text}");
        }
        assert!(matches!(
            read("99999999999999999999", "CNY", Point),
            Err(AmountError::Overflow)
        ));
    }

    fn in_style(minor: i64, exponent: u32, style: NumberStyle, group: Option<char>) -> String {
        let scale = 10_i64.pow(exponent);
        let whole = (minor / scale).to_string();
        let mut grouped = String::new();
        for (index, digit) in whole.chars().enumerate() {
            if let Some(group) = group
                && index > 0
                && (whole.len() - index).is_multiple_of(3)
            {
                grouped.push(group);
            }
            grouped.push(digit);
        }
        if exponent == 0 {
            return grouped;
        }
        let fraction = format!("{:0width$}", minor % scale, width = exponent as usize);
        format!("{grouped}{}{fraction}", style.decimal_mark())
    }

    proptest! {
        /// What a form is filled with reads back as the same amount.
        #[test]
        fn filled_in_amounts_read_back(
            minor in -1_000_000_000_000_i64..1_000_000_000_000,
            code in prop::sample::select(vec!["CNY", "JPY", "KWD", "EUR"]),
            style in prop::sample::select(vec![Point, Comma]),
        ) {
            let money = Money::new(minor, Currency::parse(code).unwrap());
            prop_assert_eq!(parse(&super::written(money, style), money.currency, style), Ok(money));
        }

        /// Any amount written as its locale writes it, grouped or not, reads back exactly.
        #[test]
        fn written_amounts_read_back(
            minor in 0_i64..1_000_000_000_000,
            code in prop::sample::select(vec!["CNY", "JPY", "KWD", "VND", "EUR", "USD"]),
            style in prop::sample::select(vec![Point, Comma]),
            grouped in any::<bool>(),
        ) {
            let currency = Currency::parse(code).unwrap();
            let group = match (grouped, style) {
                (false, _) => None,
                (true, Point) => Some(','),
                (true, Comma) => Some('.'),
            };
            let text = in_style(minor, currency.exponent(), style, group);
            prop_assert_eq!(read(&text, code, style), Ok(minor), "{}", text);
        }
    }
}
