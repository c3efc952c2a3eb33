//! SOP checklists: the steps a shop wants done on a case of a problem category (e.g. "quality":
//! ask for photos, check the serial number), some of them before a given action may be taken.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Action;

/// One step of a category's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A short code, unique within the checklist (`photos`, `serial`).
    pub code: String,
    /// What to do, as the agent reads it.
    pub text: String,
    /// Actions that must wait until this step is done (e.g. `approve`, `refund`).
    #[serde(default)]
    pub before: Vec<Action>,
}

/// A checklist for one reason category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// The reason category it applies to (`quality`, `logistics`, …).
    pub category: String,
    pub steps: Vec<Step>,
}

/// The steps still to do before `action`, in checklist order.
pub fn missing_before<'a>(steps: &'a [Step], done: &[String], action: Action) -> Vec<&'a Step> {
    steps
        .iter()
        .filter(|step| step.before.contains(&action) && !done.contains(&step.code))
        .collect()
}

/// The checklist of a category, if the shop has one.
pub fn for_category<'a>(checklists: &'a [Checklist], category: &str) -> &'a [Step] {
    checklists
        .iter()
        .find(|checklist| checklist.category == category)
        .map(|checklist| checklist.steps.as_slice())
        .unwrap_or(&[])
}

/// At most 50 checklists of at most 30 steps; codes unique and short, texts 1–200 characters.
pub fn check(checklists: &[Checklist]) -> Result<(), String> {
    if checklists.len() > 50 {
        return Err("at most 50 checklists".into());
    }
    for (index, checklist) in checklists.iter().enumerate() {
        if checklist.category.trim().is_empty() {
            return Err(format!("sop[{index}].category is empty"));
        }
        if checklists[..index]
            .iter()
            .any(|other| other.category == checklist.category)
        {
            return Err(format!(
                "sop[{index}]: a second checklist for category '{}'",
                checklist.category
            ));
        }
        if checklist.steps.len() > 30 {
            return Err(format!("sop[{index}]: at most 30 steps"));
        }
        for (position, step) in checklist.steps.iter().enumerate() {
            let code_ok = (1..=40).contains(&step.code.len())
                && step
                    .code
                    .chars()
                    .all(|character| character.is_ascii_alphanumeric() || character == '_');
            if !code_ok {
                return Err(format!(
                    "sop[{index}].steps[{position}].code '{}' must be 1–40 letters, digits or _",
                    step.code
                ));
            }
            if checklist.steps[..position]
                .iter()
                .any(|other| other.code == step.code)
            {
                return Err(format!(
                    "sop[{index}].steps[{position}].code '{}' is used twice",
                    step.code
                ));
            }
            if !(1..=200).contains(&step.text.trim().chars().count()) {
                return Err(format!(
                    "sop[{index}].steps[{position}].text must have 1 to 200 characters"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(code: &str, before: &[Action]) -> Step {
        Step {
            code: code.into(),
            text: format!("do {code}"),
            before: before.to_vec(),
        }
    }

    #[test]
    fn a_step_blocks_only_its_actions_until_done() {
        let steps = vec![
            step("photos", &[Action::Approve, Action::Refund]),
            step("serial", &[Action::Approve]),
            step("call", &[]),
        ];
        let missing = missing_before(&steps, &[], Action::Approve);
        assert_eq!(
            missing
                .iter()
                .map(|step| step.code.as_str())
                .collect::<Vec<_>>(),
            ["photos", "serial"]
        );
        assert!(missing_before(&steps, &[], Action::Reject).is_empty());
        let done = vec!["photos".to_string()];
        assert_eq!(missing_before(&steps, &done, Action::Refund).len(), 0);
        assert_eq!(
            missing_before(&steps, &done, Action::Approve)[0].code,
            "serial"
        );
    }

    #[test]
    fn checklists_are_checked() {
        let good = vec![Checklist {
            category: "quality".into(),
            steps: vec![step("photos", &[Action::Approve])],
        }];
        assert!(check(&good).is_ok());
        let mut twice = good.clone();
        twice[0].steps.push(step("photos", &[]));
        assert!(check(&twice).unwrap_err().contains("twice"));
        let mut bad_code = good.clone();
        bad_code[0].steps[0].code = "照片".into();
        assert!(check(&bad_code).is_err());
        let mut same_category = good.clone();
        same_category.push(good[0].clone());
        assert!(check(&same_category).is_err());
        assert_eq!(for_category(&good, "quality").len(), 1);
        assert!(for_category(&good, "logistics").is_empty());
    }
}
