//! The shop's clocks and SLA as forms: each clock's wait in hours and whether it runs, the SLA's
//! targets per priority, its working hours. What the forms do not show (per-platform clocks,
//! targets per kind or customer tier, the holiday calendar) is kept as it is and stays
//! editable in the JSON documents.

use std::collections::HashMap;

use crate::domain::Priority;
use crate::domain::clocks::{Clock, ClockSetting};
use crate::domain::settings::ShopSettings;
use crate::domain::sla::{HoursMode, SlaTarget};
use crate::error::AppError;
use crate::i18n::Language;

/// One clock's row in the form.
pub struct ClockRow {
    pub code: &'static str,
    pub label: String,
    /// The wait when nothing is set, in hours.
    pub default_hours: u32,
    /// The shop's own wait for every platform, if set (or what was typed).
    pub hours: String,
    pub enabled: bool,
}

/// One SLA target's row: every priority, or one.
pub struct TargetRow {
    /// `any` or a priority's code.
    pub code: &'static str,
    pub label: String,
    pub first_response: String,
    pub resolution: String,
}

/// What the form fields are named: `clock_{code}_hours`, `clock_{code}_enabled`.
pub fn clock_rows(
    language: Language,
    settings: &ShopSettings,
    typed: Option<&HashMap<String, String>>,
) -> Vec<ClockRow> {
    let shop_wide = settings.clocks.get("default");
    Clock::ALL
        .iter()
        .filter(|clock| clock.is_configurable())
        .map(|clock| {
            let code = clock.as_str();
            let set = shop_wide.and_then(|clocks| clocks.get(clock));
            let stored = set
                .and_then(|setting| setting.hours)
                .map(|hours| hours.to_string())
                .unwrap_or_default();
            ClockRow {
                code,
                label: language.text(&format!("settings-clock-{code}")),
                default_hours: clock.default_hours("default"),
                hours: typed
                    .map(|typed| {
                        typed
                            .get(&format!("clock_{code}_hours"))
                            .cloned()
                            .unwrap_or_default()
                    })
                    .unwrap_or(stored),
                enabled: match typed {
                    Some(typed) => typed.contains_key(&format!("clock_{code}_enabled")),
                    None => set.and_then(|setting| setting.enabled).unwrap_or(true),
                },
            }
        })
        .collect()
}

/// Hours typed into a field: empty is none; otherwise a whole number in `1..=limit`, else a
/// sentence naming the field.
fn hours(
    language: Language,
    fields: &HashMap<String, String>,
    name: &str,
    label: &str,
    limit: u32,
) -> Result<Option<u32>, AppError> {
    let text = fields.get(name).map(|text| text.trim()).unwrap_or_default();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(hours) if (1..=limit).contains(&hours) => Ok(Some(hours)),
        _ => Err(AppError::Invalid {
            message: language.text_args(
                "settings-hours-invalid",
                &[("name", label), ("text", text), ("n", &limit.to_string())],
            ),
            details: serde_json::json!({ "field": name, "sentence": true }),
        }),
    }
}

/// The clocks form into the settings: the shop-wide (`default`) wait and switch of each clock.
pub fn apply_clocks(
    language: Language,
    settings: &mut ShopSettings,
    fields: &HashMap<String, String>,
) -> Result<(), AppError> {
    let shop_wide = settings.clocks.entry("default".into()).or_default();
    for clock in Clock::ALL.iter().filter(|clock| clock.is_configurable()) {
        let code = clock.as_str();
        let label = language.text(&format!("settings-clock-{code}"));
        let hours = hours(
            language,
            fields,
            &format!("clock_{code}_hours"),
            &label,
            24 * 365,
        )?;
        let enabled = fields.contains_key(&format!("clock_{code}_enabled"));
        let setting = shop_wide.entry(*clock).or_default();
        setting.hours = hours;
        setting.enabled = (!enabled).then_some(false);
        if *setting == ClockSetting::default() {
            shop_wide.remove(clock);
        }
    }
    if shop_wide.is_empty() {
        settings.clocks.remove("default");
    }
    Ok(())
}

const PRIORITIES: [(&str, Option<Priority>); 5] = [
    ("any", None),
    ("urgent", Some(Priority::Urgent)),
    ("high", Some(Priority::High)),
    ("normal", Some(Priority::Normal)),
    ("low", Some(Priority::Low)),
];

/// The SLA targets that apply to every kind and tier: one row per priority (and one for all).
pub fn target_rows(
    language: Language,
    settings: &ShopSettings,
    typed: Option<&HashMap<String, String>>,
) -> Vec<TargetRow> {
    PRIORITIES
        .iter()
        .map(|(code, priority)| {
            let stored = settings.sla.targets.iter().find(|target| {
                target.kind.is_none() && target.tier.is_none() && target.priority == *priority
            });
            let value = |field: &str, stored: Option<u32>| match typed {
                Some(typed) => typed
                    .get(&format!("sla_{code}_{field}"))
                    .cloned()
                    .unwrap_or_default(),
                None => stored.map(|hours| hours.to_string()).unwrap_or_default(),
            };
            TargetRow {
                code,
                label: match priority {
                    Some(priority) => language.text(&format!("priority-{priority}")),
                    None => language.text("settings-sla-every-priority"),
                },
                first_response: value("first", stored.map(|target| target.first_response_hours)),
                resolution: value("resolution", stored.map(|target| target.resolution_hours)),
            }
        })
        .collect()
}

/// The SLA form into the settings: working hours and the targets per priority; targets per
/// kind or tier are kept.
pub fn apply_sla(
    language: Language,
    settings: &mut ShopSettings,
    fields: &HashMap<String, String>,
) -> Result<(), AppError> {
    let time = |name: &str| {
        let text = fields.get(name).map(|text| text.trim()).unwrap_or_default();
        jiff::civil::Time::strptime("%H:%M", text).map_err(|_| AppError::Invalid {
            message: language.text_args(
                "settings-time-invalid",
                &[
                    ("name", &language.text(&format!("settings-sla-{name}"))),
                    ("text", text),
                ],
            ),
            details: serde_json::json!({ "field": name, "sentence": true }),
        })
    };
    settings.sla.hours = if fields.get("hours").map(String::as_str) == Some("calendar") {
        HoursMode::Calendar
    } else {
        HoursMode::Business
    };
    settings.sla.opens = time("opens")?;
    settings.sla.closes = time("closes")?;
    let mut targets: Vec<SlaTarget> = settings
        .sla
        .targets
        .iter()
        .filter(|target| target.kind.is_some() || target.tier.is_some())
        .cloned()
        .collect();
    for (code, priority) in PRIORITIES {
        let label = match priority {
            Some(priority) => language.text(&format!("priority-{priority}")),
            None => language.text("settings-sla-every-priority"),
        };
        let first = hours(
            language,
            fields,
            &format!("sla_{code}_first"),
            &label,
            24 * 90,
        )?;
        let resolution = hours(
            language,
            fields,
            &format!("sla_{code}_resolution"),
            &label,
            24 * 365,
        )?;
        match (first, resolution) {
            (Some(first_response_hours), Some(resolution_hours)) => targets.push(SlaTarget {
                kind: None,
                priority,
                tier: None,
                first_response_hours,
                resolution_hours,
            }),
            (None, None) if priority.is_some() => {}
            _ => {
                return Err(AppError::Invalid {
                    message: language.text_with("settings-sla-both", "name", &label),
                    details: serde_json::json!({ "field": format!("sla_{code}_first"), "sentence": true }),
                });
            }
        }
    }
    settings.sla.targets = targets;
    settings.sla.check().map_err(|message| AppError::Invalid {
        message: language.text_with("settings-sla-refused", "text", &message),
        details: serde_json::json!({ "field": "sla", "sentence": true }),
    })
}
