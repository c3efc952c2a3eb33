//! Words the console shows: errors in the person's language, money, due badges.

use crate::db::cases::CaseLineRecord;
use crate::domain::amount::AmountError;
use crate::domain::refund::RefundError;
use crate::domain::{Currency, Money};
use crate::error::AppError;
use crate::i18n::Language;

pub use crate::http::pages::url_encode;

/// An error as a sentence for the page: Chinese by its code (naming the field), or the
/// English message.
pub fn error_text(language: Language, error: &AppError) -> String {
    match error {
        // Already a sentence in the person's language.
        AppError::Invalid { message, details } if details["sentence"] == true => message.clone(),
        AppError::Invalid { message, details } => {
            let field = details["field"].as_str().unwrap_or_default();
            let label = language.text_or(&format!("field-{field}"), field);
            if message.contains("required") {
                language.text_with("console-error-required", "name", &label)
            } else if language == Language::English {
                format!("“{label}”: {message}")
            } else {
                format!("「{label}」不可接受：{message}")
            }
        }
        AppError::Conflict {
            code: "checklist_incomplete",
            details,
            ..
        } => language.text_with(
            "console-error-checklist",
            "text",
            &details["texts"]
                .as_array()
                .map(|texts| {
                    texts
                        .iter()
                        .filter_map(|text| text.as_str())
                        .collect::<Vec<_>>()
                        .join("；")
                })
                .unwrap_or_default(),
        ),
        _ if language == Language::English => error.to_string(),
        other => crate::http::api::chinese_message(other.code(), None),
    }
}

/// `¥12.50`
pub fn money(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency).to_string()
}

/// How long until (or since) a due time, in words: "3 小时后到期" / "已超时 2 天".
pub fn due_in(language: Language, due_at: i64, now: i64) -> (String, &'static str) {
    let minutes = (due_at - now) / 60_000_000;
    let (amount, unit) = match minutes.unsigned_abs() {
        0..=59 => (minutes.unsigned_abs(), "minutes"),
        60..=2879 => (minutes.unsigned_abs() / 60, "hours"),
        _ => (minutes.unsigned_abs() / 1440, "days"),
    };
    let amount = amount.to_string();
    if minutes < 0 {
        (
            language.text_with(&format!("due-overdue-{unit}"), "n", &amount),
            "overdue",
        )
    } else if minutes < 24 * 60 {
        (
            language.text_with(&format!("due-in-{unit}"), "n", &amount),
            "soon",
        )
    } else {
        (
            language.text_with(&format!("due-in-{unit}"), "n", &amount),
            "later",
        )
    }
}

/// A refused amount typed for `what` (an item's name, or "运费"), in the person's language.
pub fn amount_error(language: Language, what: &str, error: &AmountError) -> String {
    let (key, text, decimals, example) = match error {
        AmountError::NotAnAmount {
            text,
            decimals,
            example,
        } => (
            "amount-error-not-an-amount",
            text.as_str(),
            *decimals,
            example.as_str(),
        ),
        AmountError::TooManyDecimals {
            text,
            decimals,
            example,
            ..
        } => (
            "amount-error-too-many-decimals",
            text.as_str(),
            *decimals,
            example.as_str(),
        ),
        AmountError::Ambiguous { text, example } => {
            ("amount-error-ambiguous", text.as_str(), 0, example.as_str())
        }
        AmountError::Overflow => ("amount-error-overflow", "", 0, ""),
    };
    language.text_args(
        key,
        &[
            ("name", what),
            ("text", text),
            ("n", &decimals.to_string()),
            ("amount", example),
        ],
    )
}

/// A refused refund, naming the item as the person sees it and the amounts in the order's
/// currency — never a line id or minor units.
pub fn refund_error(
    language: Language,
    error: &RefundError,
    lines: &[CaseLineRecord],
    currency: Currency,
) -> String {
    let name_of = |order_line_id: &str| {
        lines
            .iter()
            .find(|line| line.order_line_id == order_line_id)
            .map(|line| line.product_name.clone())
            .unwrap_or_else(|| language.text("refund-error-unknown-item"))
    };
    match error {
        RefundError::Empty => language.text("refund-error-empty"),
        RefundError::NothingLeft { paid_minor } => language.text_with(
            "refund-error-nothing-left",
            "amount",
            &money(*paid_minor, currency),
        ),
        RefundError::NotPositive { order_line_id } => {
            language.text_with("refund-error-not-positive", "name", &name_of(order_line_id))
        }
        RefundError::LineNotInCase { order_line_id } => {
            language.text_with("refund-error-not-in-case", "name", &name_of(order_line_id))
        }
        RefundError::DuplicateLine { order_line_id } => {
            language.text_with("refund-error-duplicate", "name", &name_of(order_line_id))
        }
        RefundError::ExceedsPaid {
            order_line_id,
            requested_minor,
            remaining_minor,
            ..
        } => language.text_args(
            "refund-error-exceeds",
            &[
                ("name", &name_of(order_line_id)),
                ("amount", &money(*remaining_minor, currency)),
                ("text", &money(*requested_minor, currency)),
            ],
        ),
    }
}
