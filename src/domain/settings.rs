//! A shop's settings: jurisdiction, its policy layer, clocks, SLA, SOP checklists, parcel watch,
//! return address, the portal's branding and reply templates; each part with its own rules.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::checklist::Checklist;
use super::clocks::ClockSettings;
use super::parcels::ParcelWatch;
use super::policy::request::{Jurisdiction, ShopPolicy};
use super::sla::SlaSettings;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShopSettings {
    /// Whose law the shop sells under: CN (default), EU, UK or US.
    #[serde(default)]
    pub jurisdiction: Jurisdiction,
    /// The shop's own return policy, layered on the law (docs/POLICY.md).
    #[serde(default)]
    pub policy: ShopPolicy,
    /// Platform clocks: per platform (or `default`), per clock, hours / enabled / action.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub clocks: ClockSettings,
    /// Service-level targets, working hours and the shop's calendar.
    #[serde(default)]
    pub sla: SlaSettings,
    /// Where customers send returns (printed on the return label).
    #[serde(default)]
    pub return_address: Option<String>,
    /// How the customer portal looks: colour, logo, FAQ link.
    #[serde(default)]
    pub branding: Branding,
    /// Canned replies for the console's reply box. `{customer_name}`, `{case_number}`,
    /// `{order_number}`, `{return_address}`, `{shop_name}`, `{amount}`, `{refunded}` and
    /// `{deadline}` are filled in.
    #[serde(default)]
    pub reply_templates: Vec<ReplyTemplate>,
    /// SOP checklists per reason category; a step may have to be done before some actions.
    #[serde(default)]
    pub sop: Vec<Checklist>,
    /// When a parcel on its way is followed up: days without a scan, days since shipping.
    #[serde(default)]
    pub parcels: ParcelWatch,
    /// How refunds are paid: `manual` (the shop pays elsewhere and confirms each one) or
    /// `http` (the shop's payment service gets a signed `refund.requested` webhook and answers
    /// at `/hooks/{shop}/payments`).
    #[serde(default)]
    pub refunds: RefundSettings,
    /// The shop's own import layouts: exports no platform layout matches, their columns mapped
    /// once and found again by their headers (docs/PLATFORMS.md).
    #[serde(default)]
    pub import_layouts: Vec<super::layouts::SavedLayout>,
    /// Exchanges: how many one order may have, where the customer pays a difference.
    #[serde(default)]
    pub exchanges: ExchangeSettings,
    /// Default costs booked on their own (freight, labels, labour, what refurbishing
    /// recovers) in the cost ledger (docs/MONEY.md).
    #[serde(default)]
    pub costs: super::costs::CostSettings,
    /// Satisfaction surveys: a random sample of each period's ended cases (docs/MANAGEMENT.md).
    #[serde(default)]
    pub surveys: super::surveys::SurveySettings,
    /// Quality audits: cases drawn per agent twice a month, the scorecard (docs/MANAGEMENT.md).
    #[serde(default)]
    pub audits: super::audits::AuditSettings,
    /// Reviews: which grades open a case, the explanation replies' templates (docs/MANAGEMENT.md).
    #[serde(default)]
    pub reviews: super::reviews::ReviewSettings,
    /// Follow-up visits: the rules that make them, the attempts (docs/MANAGEMENT.md).
    #[serde(default)]
    pub visits: super::visits::VisitSettings,
    /// Scheduled reports: the week's or month's KPIs e-mailed to the managers (docs/MANAGEMENT.md).
    #[serde(default)]
    pub reports: super::reports::ReportSettings,
    /// The knowledge base: synonyms, suggestions in the request form (docs/KNOWLEDGE.md).
    #[serde(default)]
    pub knowledge: super::knowledge::KnowledgeSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeSettings {
    /// How many exchanges one order may have (a replacement exchanged again counts; cancelled
    /// ones do not); none: no limit.
    #[serde(default)]
    pub per_order: Option<u32>,
    /// Where the customer pays an exchange's difference: a link with `{amount}` (e.g. 15.00),
    /// `{currency}` and `{case}` filled in, shown with the replacement.
    #[serde(default)]
    pub payment_link: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundSettings {
    #[serde(default)]
    pub provider: crate::domain::refund::Provider,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyTemplate {
    pub name: String,
    pub body: String,
    /// A macro: after the reply is sent, take this action (e.g. `approve`) on the case …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// … and add this tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

impl ReplyTemplate {
    /// At most 100 templates, each named (1–60 characters) with a body of 1–4000 characters.
    pub fn check_all(templates: &[ReplyTemplate]) -> Result<(), String> {
        if templates.len() > 100 {
            return Err("reply_templates: at most 100 templates".into());
        }
        for (index, template) in templates.iter().enumerate() {
            let name = template.name.trim().chars().count();
            let body = template.body.trim().chars().count();
            if !(1..=60).contains(&name) {
                return Err(format!(
                    "reply_templates[{index}].name must have 1 to 60 characters"
                ));
            }
            if !(1..=4000).contains(&body) {
                return Err(format!(
                    "reply_templates[{index}].body must have 1 to 4000 characters"
                ));
            }
            if let Some(action) = &template.action
                && !super::Action::parse(action)
                    .is_some_and(|action| action != super::Action::Refund)
            {
                return Err(format!(
                    "reply_templates[{index}].action: '{action}' is not an action a reply can take (a refund needs its amounts)"
                ));
            }
            if let Some(tag) = &template.tag
                && !(1..=40).contains(&tag.trim().chars().count())
            {
                return Err(format!(
                    "reply_templates[{index}].tag must have 1 to 40 characters"
                ));
            }
        }
        Ok(())
    }

    /// The body with the case's values in place of its placeholders.
    pub fn fill(&self, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.body.clone(), |body, (name, value)| {
                body.replace(&format!("{{{name}}}"), value)
            })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// `#rrggbb`
    #[serde(default)]
    pub colour: Option<String>,
    /// An https (or http) address of the logo image.
    #[serde(default)]
    pub logo_url: Option<String>,
    /// The shop's FAQ page, linked on every portal page.
    #[serde(default)]
    pub faq_url: Option<String>,
}

impl Branding {
    pub fn check(&self) -> Result<(), String> {
        if let Some(colour) = &self.colour
            && !(colour.len() == 7
                && colour.starts_with('#')
                && colour[1..]
                    .chars()
                    .all(|character| character.is_ascii_hexdigit()))
        {
            return Err(format!(
                "branding.colour: '{colour}' is not a colour like #0f766e"
            ));
        }
        for (field, url) in [("logo_url", &self.logo_url), ("faq_url", &self.faq_url)] {
            if let Some(url) = url
                && (!(url.starts_with("https://") || url.starts_with("http://"))
                    || url.len() > 500
                    || url
                        .chars()
                        .any(|character| character.is_whitespace() || character == '"'))
            {
                return Err(format!(
                    "branding.{field}: '{url}' is not an http(s) address"
                ));
            }
        }
        Ok(())
    }
}

/// Every section of the settings document: a `PUT` must carry each of them (`null` is a value;
/// a missing key is an error, never an erasure).
pub const SECTIONS: [&str; 19] = [
    "jurisdiction",
    "policy",
    "clocks",
    "sla",
    "return_address",
    "branding",
    "reply_templates",
    "sop",
    "parcels",
    "refunds",
    "import_layouts",
    "exchanges",
    "costs",
    "surveys",
    "audits",
    "reviews",
    "visits",
    "reports",
    "knowledge",
];

/// The sections a replacement document leaves out.
pub fn missing_sections(document: &serde_json::Value) -> Vec<&'static str> {
    SECTIONS
        .iter()
        .copied()
        .filter(|section| document.get(section).is_none())
        .collect()
}

/// Applies a JSON merge patch (RFC 7396) to `target`: objects merge key by key, `null` removes
/// a key, anything else replaces.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    let Some(patch) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = serde_json::Value::Object(serde_json::Map::new());
    }
    if let Some(map) = target.as_object_mut() {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(
                    map.entry(key.clone()).or_insert(serde_json::Value::Null),
                    value,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_merge_patch_changes_only_what_it_names() {
        // The RFC 7396 appendix's example.
        let mut target = json!({ "title": "Goodbye!", "author": { "givenName": "John", "familyName": "Doe" },
            "tags": ["example", "sample"], "content": "This will be unchanged" });
        let patch = json!({ "title": "Hello!", "phoneNumber": "+01-123-456-7890",
            "author": { "familyName": null }, "tags": ["example"] });
        merge_patch(&mut target, &patch);
        assert_eq!(
            target,
            json!({ "title": "Hello!", "author": { "givenName": "John" }, "tags": ["example"],
                "content": "This will be unchanged", "phoneNumber": "+01-123-456-7890" })
        );
    }

    #[test]
    fn a_replacement_names_every_section() {
        let whole = serde_json::to_value(ShopSettings::default()).unwrap();
        assert!(missing_sections(&whole).is_empty());
        assert_eq!(
            missing_sections(&json!({ "jurisdiction": "CN" })).len(),
            SECTIONS.len() - 1
        );
    }
}
