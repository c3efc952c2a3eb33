//! Words the console shows: errors in the person's language, money, due badges.

use crate::domain::{Currency, Money};
use crate::error::AppError;
use crate::i18n::Language;

pub use crate::http::pages::url_encode;

/// An error as a sentence for the page: Chinese by its code (naming the field), or the
/// English message.
pub fn error_text(language: Language, error: &AppError) -> String {
    if language == Language::English {
        return error.to_string();
    }
    match error {
        AppError::Invalid { message, details } => {
            let field = details["field"].as_str().unwrap_or_default();
            let label = language.text(&format!("field-{field}"));
            let label = if label.starts_with("field-") {
                field.to_string()
            } else {
                label
            };
            if message.contains("required") {
                format!("请填写「{label}」")
            } else {
                format!("「{label}」不可接受：{message}")
            }
        }
        AppError::Conflict {
            code: "checklist_incomplete",
            details,
            ..
        } => format!(
            "请先完成检查清单：{}",
            details["texts"]
                .as_array()
                .map(|texts| texts
                    .iter()
                    .filter_map(|text| text.as_str())
                    .collect::<Vec<_>>()
                    .join("；"))
                .unwrap_or_default()
        ),
        AppError::Refund(_) => format!(
            "{}（{}）",
            crate::http::api::chinese_message(error.code(), None),
            error
        ),
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
