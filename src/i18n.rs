//! Pages in zh-CN (first) and en-US: Fluent files in `locales/`, the language from `?lang=`,
//! the `lang` cookie or Accept-Language, Chinese when nothing says otherwise.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Chinese,
    English,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Chinese => "zh-CN",
            Language::English => "en-US",
        }
    }

    pub fn parse(text: &str) -> Option<Language> {
        let lower = text.trim().to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Language::Chinese)
        } else if lower.starts_with("en") {
            Some(Language::English)
        } else {
            None
        }
    }

    /// `?lang=` first, then the `lang` cookie, then Accept-Language; Chinese by default.
    pub fn choose(query: Option<&str>, headers: &HeaderMap) -> Language {
        if let Some(language) = query.and_then(Language::parse) {
            return language;
        }
        let cookie = crate::http::pages::cookie(headers, "lang").and_then(Language::parse);
        if let Some(language) = cookie {
            return language;
        }
        if crate::http::api::prefers_chinese(headers.get(header::ACCEPT_LANGUAGE))
            || headers.get(header::ACCEPT_LANGUAGE).is_none()
        {
            Language::Chinese
        } else {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .and_then(|text| text.split(',').next())
                .and_then(Language::parse)
                .unwrap_or(Language::Chinese)
        }
    }

    pub fn other(self) -> Language {
        match self {
            Language::Chinese => Language::English,
            Language::English => Language::Chinese,
        }
    }

    fn identifier(self) -> LanguageIdentifier {
        self.code().parse().expect("a valid language tag")
    }

    /// The text for `key`; a missing key shows as the key itself (and fails the tests).
    pub fn text(self, key: &str) -> String {
        LOCALES
            .try_lookup(&self.identifier(), key)
            .unwrap_or_else(|| key.to_string())
    }

    /// The text for `key`, or `fallback` when there is none (for values a shop or a platform
    /// names freely, such as a customer tier).
    pub fn text_or(self, key: &str, fallback: &str) -> String {
        LOCALES
            .try_lookup(&self.identifier(), key)
            .unwrap_or_else(|| fallback.to_string())
    }

    /// Minutes in the reader's words: "45 分钟", "3.5 小时", "2.1 天".
    pub fn duration(self, minutes: f64) -> String {
        let (value, unit) = if minutes < 90.0 {
            (format!("{minutes:.0}"), "minutes")
        } else if minutes < 48.0 * 60.0 {
            (format!("{:.1}", minutes / 60.0), "hours")
        } else {
            (format!("{:.1}", minutes / 1440.0), "days")
        };
        self.text_with(&format!("dashboard-{unit}"), "n", &value)
    }

    /// The text for `key` with several arguments.
    pub fn text_args(self, key: &str, values: &[(&str, &str)]) -> String {
        let arguments: HashMap<std::borrow::Cow<'static, str>, FluentValue> = values
            .iter()
            .map(|(name, value)| {
                (
                    std::borrow::Cow::Owned(name.to_string()),
                    FluentValue::from(value.to_string()),
                )
            })
            .collect();
        LOCALES
            .try_lookup_with_args(&self.identifier(), key, &arguments)
            .unwrap_or_else(|| key.to_string())
    }

    pub fn text_with(self, key: &str, name: &str, value: &str) -> String {
        let mut arguments = HashMap::new();
        arguments.insert(
            std::borrow::Cow::Owned(name.to_string()),
            FluentValue::from(value.to_string()),
        );
        LOCALES
            .try_lookup_with_args(&self.identifier(), key, &arguments)
            .unwrap_or_else(|| key.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        let mut keys: Vec<String> = text
            .lines()
            .filter_map(|line| {
                line.split_once(" = ")
                    .map(|(key, _)| key.trim().to_string())
            })
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let chinese = keys(concat!(
            include_str!("../locales/zh-CN/main.ftl"),
            include_str!("../locales/zh-CN/console.ftl"),
            include_str!("../locales/zh-CN/mail.ftl")
        ));
        let english = keys(concat!(
            include_str!("../locales/en-US/main.ftl"),
            include_str!("../locales/en-US/console.ftl"),
            include_str!("../locales/en-US/mail.ftl")
        ));
        assert_eq!(chinese, english);
        // Every argument a message uses is one of these.
        let found = |language: Language, key: &str| {
            let all = [
                "number", "name", "date", "amount", "n", "cases", "code", "at", "shop", "reason",
                "carrier", "tracking", "text", "days", "detail",
            ]
            .map(|argument| (argument, "1"));
            language.text_args(key, &all) != key
        };
        for key in &chinese {
            assert!(found(Language::Chinese, key), "{key} missing in zh-CN");
            assert!(found(Language::English, key), "{key} missing in en-US");
        }
        for status in crate::domain::Status::ALL {
            assert!(
                chinese.contains(&format!("status-{}", status.as_str())),
                "{status}"
            );
        }
        // The console names every status, action, priority and role.
        let named = crate::domain::Status::ALL
            .iter()
            .map(|status| format!("staff-status-{status}"))
            .chain(
                crate::domain::Action::ALL
                    .iter()
                    .flat_map(|action| [format!("action-{action}"), format!("event-{action}")]),
            )
            .chain(
                crate::domain::Priority::ALL
                    .iter()
                    .map(|priority| format!("priority-{priority}")),
            )
            .chain(
                crate::domain::Role::ALL
                    .iter()
                    .map(|role| format!("role-{role}")),
            )
            .chain(
                crate::operations::transitions::DISPOSITIONS
                    .iter()
                    .map(|code| format!("disposition-{code}")),
            )
            .chain(
                crate::operations::refunds::METHODS
                    .iter()
                    .map(|code| format!("method-{code}")),
            )
            .chain(
                crate::domain::order::PLATFORMS
                    .iter()
                    .map(|code| format!("platform-{code}")),
            );
        for key in named {
            assert!(chinese.contains(&key), "{key} missing");
        }
        for kind in crate::domain::CaseKind::ALL {
            assert!(
                chinese.contains(&format!("kind-{}", kind.as_str())),
                "{kind}"
            );
        }
        assert_eq!(
            Language::English.text_with("portal-order-heading", "number", "A1"),
            "Order A1"
        );
    }
}
