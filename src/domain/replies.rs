//! Suggested replies (docs/KNOWLEDGE.md, "Suggested replies"): the shop's reply templates as its
//! agents really send them. A reply sent from a template is turned back into a template — the
//! case's values (name, numbers, amounts, deadline) put back as placeholders — and kept as a
//! variant of that template for the case's kind and reason; the variant sent most for a case's
//! kind and reason is the one suggested next, filled with the new case's values. So an agent's
//! edits, once they are what the team sends, become the suggestion.

/// The placeholders a template may hold, in the order they are put back.
pub const PLACEHOLDERS: &[&str] = &[
    "customer_name",
    "case_number",
    "order_number",
    "return_address",
    "shop_name",
    "amount",
    "refunded",
    "deadline",
];

/// The body with the case's values in place of its placeholders.
pub fn fill(body: &str, values: &[(String, String)]) -> String {
    values.iter().fold(body.to_string(), |body, (name, value)| {
        body.replace(&format!("{{{name}}}"), value)
    })
}

/// A sent reply turned back into a template: each of the case's values (the longest first, and
/// only values of two characters or more, so that a 0 or a single letter stays as written)
/// replaced by its placeholder.
pub fn unfill(text: &str, values: &[(String, String)]) -> String {
    let mut ordered: Vec<&(String, String)> = values
        .iter()
        .filter(|(_, value)| value.trim().chars().count() >= 2)
        .collect();
    ordered.sort_by_key(|(_, value)| std::cmp::Reverse(value.chars().count()));
    ordered
        .iter()
        .fold(text.trim().to_string(), |text, (name, value)| {
            text.replace(value.as_str(), &format!("{{{name}}}"))
        })
}

/// A template as the team sends it for a kind of case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub template: String,
    pub kind: String,
    pub reason: String,
    pub body: String,
    pub uses: i64,
    pub last_used_at: i64,
}

/// The variant to suggest for a case: the most sent for its kind and reason, else for its
/// kind, else none (a template nobody sent for this kind is not suggested over the list).
pub fn best<'a>(variants: &'a [Variant], kind: &str, reason: &str) -> Option<&'a Variant> {
    let most = |matches: &dyn Fn(&Variant) -> bool| {
        variants
            .iter()
            .filter(|variant| matches(variant))
            .max_by_key(|variant| (variant.uses, variant.last_used_at))
    };
    most(&|variant| variant.kind == kind && variant.reason == reason)
        .or_else(|| most(&|variant| variant.kind == kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Vec<(String, String)> {
        [
            ("customer_name", "王小明"),
            ("case_number", "AS-20261206-000012"),
            ("amount", "¥199.00"),
            ("refunded", "¥0.00"),
            ("deadline", ""),
        ]
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
    }

    #[test]
    fn a_sent_reply_becomes_a_template_again() {
        let sent = "王小明您好，申请 AS-20261206-000012 已通过，¥199.00 将原路退回。";
        let template = unfill(sent, &values());
        assert_eq!(
            template,
            "{customer_name}您好，申请 {case_number} 已通过，{amount} 将原路退回。"
        );
        assert_eq!(fill(&template, &values()), sent);
    }

    #[test]
    fn the_variant_sent_most_for_the_kind_and_reason_wins() {
        let variant = |template: &str, kind: &str, reason: &str, uses| Variant {
            template: template.into(),
            kind: kind.into(),
            reason: reason.into(),
            body: template.into(),
            uses,
            last_used_at: 0,
        };
        let variants = vec![
            variant("a", "refund_only", "quality", 2),
            variant("b", "refund_only", "quality", 5),
            variant("c", "refund_only", "late_delivery", 9),
            variant("d", "exchange", "size_colour", 1),
        ];
        assert_eq!(
            best(&variants, "refund_only", "quality").unwrap().template,
            "b"
        );
        assert_eq!(
            best(&variants, "refund_only", "price").unwrap().template,
            "c"
        );
        assert!(best(&variants, "repair", "quality").is_none());
    }
}
