//! What every policy scenario test reads: a decision as the CLI and `POST /api/v1/policy/evaluate`
//! return it, and its parts by name.
#![allow(dead_code)]

pub use serde_json::{Value, json};

pub fn decide(request: Value) -> Value {
    let now = "2026-11-22T00:00:00Z".parse().unwrap();
    let (output, decided) = aftersale::domain::policy::evaluate_json(&request.to_string(), now);
    assert!(decided, "not decided: {output}");
    serde_json::from_str(&output).unwrap()
}

pub fn remedy<'a>(decision: &'a Value, name: &str) -> &'a Value {
    decision["remedies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|remedy| remedy["remedy"] == name)
        .unwrap_or_else(|| panic!("no verdict on {name}: {decision:#}"))
}

pub fn allowed(decision: &Value, name: &str) -> bool {
    remedy(decision, name)["allowed"].as_bool().unwrap()
}

pub fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|list| {
            list.iter()
                .map(|each| each.as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

pub fn decided_by(decision: &Value, name: &str, rule: &str) -> bool {
    strings(&remedy(decision, name)["rules"])
        .iter()
        .any(|each| each == rule)
}

pub fn cites(decision: &Value, rule: &str) -> bool {
    strings(&decision["rules"]).iter().any(|each| each == rule)
}

pub fn finding<'a>(decision: &'a Value, code: &str) -> &'a Value {
    decision["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["code"] == code)
        .unwrap_or_else(|| panic!("no finding {code}: {decision:#}"))
}

pub fn flag<'a>(decision: &'a Value, code: &str) -> &'a Value {
    decision["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|flag| flag["code"] == code)
        .unwrap_or_else(|| panic!("no flag {code}: {decision:#}"))
}

pub fn deadline<'a>(decision: &'a Value, name: &str) -> &'a Value {
    decision["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|deadline| deadline["name"] == name)
        .unwrap_or_else(|| panic!("no deadline {name}: {decision:#}"))
}

/// The error a request that cannot be decided gets.
pub fn refused(request: Value) -> String {
    let now = "2026-11-22T00:00:00Z".parse().unwrap();
    let (output, decided) = aftersale::domain::policy::evaluate_json(&request.to_string(), now);
    assert!(!decided, "decided: {output}");
    let value: Value = serde_json::from_str(&output).unwrap();
    assert_eq!(value["error"]["code"], "invalid_request");
    value["error"]["message"].as_str().unwrap().to_string()
}

pub fn has_finding(decision: &Value, code: &str) -> bool {
    decision["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|each| each["code"] == code)
}

pub fn has_flag(decision: &Value, code: &str) -> bool {
    decision["flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|each| each["code"] == code)
}
