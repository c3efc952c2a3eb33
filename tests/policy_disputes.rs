//! Platform dispute facts that drive verdicts (issue 19, capability 8): what the parties did —
//! the buyer's evidence, the seller's documents, a quality test, the merchant's silence — leads
//! to the platform's default outcome (CN-P12, CN-P13, CN-P22), and that outcome decides the
//! remedy, over the general grounds.

mod policy;
use policy::*;

/// A Taobao quality dispute on day 20 after signing: past every no-reason window.
fn taobao_dispute(dispute: Value) -> Value {
    json!({
        "jurisdiction": "CN", "platform": "taobao", "reason": "not_as_described", "kind": "return_and_refund",
        "items": [{"name": "名牌手表", "unit_price": "1200.00", "category": "watch"}],
        "money": {"payments": [{"method": "alipay", "amount": "1200.00"}]},
        "dates": {"signed": "2026-06-01", "requested": "2026-06-21"},
        "dispute": dispute
    })
}

fn ground<'a>(decision: &'a Value, name: &str, basis: &str) -> &'a Value {
    remedy(decision, name)["grounds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|ground| ground["basis"] == basis)
        .unwrap_or_else(|| panic!("no {basis} ground on {name}: {decision:#}"))
}

#[test]
fn cn_p12_a_counterfeit_claim_puts_the_proof_on_the_seller() {
    let decision = decide(taobao_dispute(json!({"counterfeit_alleged": true})));
    assert_eq!(decision["burden_of_proof"]["party"], "seller");
    assert_eq!(strings(&decision["burden_of_proof"]["rules"]), ["CN-P12"]);
    finding(&decision, "seller_must_prove");
}

#[test]
fn cn_p12_a_seller_without_documents_loses_the_counterfeit_dispute() {
    let decision = decide(taobao_dispute(
        json!({"counterfeit_alleged": true, "documents": []}),
    ));
    assert!(allowed(&decision, "return_and_refund"));
    assert_eq!(
        strings(&remedy(&decision, "return_and_refund")["rules"]),
        ["CN-P12"]
    );
    assert_eq!(
        ground(&decision, "return_and_refund", "platform_dispute")["decisive"],
        true
    );
    assert_eq!(decision["freight"]["return"], "seller");
    assert_eq!(decision["refund"]["amount"], "1200.00");
}

#[test]
fn cn_p12_an_import_needs_its_customs_documents_too() {
    let mut request = taobao_dispute(
        json!({"counterfeit_alleged": true, "imported": true, "documents": ["invoice"]}),
    );
    let decision = decide(request.clone());
    assert!(allowed(&decision, "return_and_refund"));
    assert!(
        ground(&decision, "return_and_refund", "platform_dispute")["explanation"]["en-US"]
            .as_str()
            .unwrap()
            .contains("customs")
    );
    request["dispute"]["documents"] = json!(["invoice", "customs"]);
    let decision = decide(request);
    assert!(!allowed(&decision, "return_and_refund"), "proven genuine");
    assert_eq!(
        strings(&remedy(&decision, "return_and_refund")["rules"]),
        ["CN-P12"]
    );
}

#[test]
fn cn_p12_a_proven_seller_still_owes_the_no_reason_return_inside_the_window() {
    let mut request =
        taobao_dispute(json!({"counterfeit_alleged": true, "documents": ["distribution"]}));
    request["reason"] = json!("no_reason");
    request["dates"]["requested"] = json!("2026-06-05");
    let decision = decide(request);
    assert!(allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R6"));
}

#[test]
fn cn_p12_a_visible_problem_needs_the_buyers_first_evidence() {
    let mut request = taobao_dispute(json!({"defect_visible": true}));
    request["dates"]["requested"] = json!("2026-06-05");
    request["reason"] = json!("quality");
    let decision = decide(request.clone());
    assert!(
        !allowed(&decision, "return_and_refund"),
        "day 4, quality, no photos: paid to the seller"
    );
    assert!(!allowed(&decision, "refund_only"));
    assert_eq!(decision["burden_of_proof"]["party"], "buyer");
    request["dispute"]["buyer_evidence"] = json!(true);
    let decision = decide(request);
    assert!(
        allowed(&decision, "return_and_refund"),
        "the law's own ground again"
    );
    assert_eq!(decision["burden_of_proof"]["party"], "seller");
}

#[test]
fn cn_p12_a_hidden_problem_needs_the_sellers_conformity_certificate() {
    let decision = decide(taobao_dispute(
        json!({"defect_visible": false, "documents": ["invoice"]}),
    ));
    assert!(allowed(&decision, "return_and_refund"));
    let decision = decide(taobao_dispute(
        json!({"defect_visible": false, "documents": ["conformity"]}),
    ));
    assert!(!allowed(&decision, "return_and_refund"));
}

#[test]
fn cn_p13_the_quality_test_decides_and_a_confirmed_one_is_paid_by_the_seller() {
    let decision = decide(taobao_dispute(json!({"quality_test": "confirmed"})));
    assert!(allowed(&decision, "return_and_refund"));
    finding(&decision, "testing_fee_seller");
    let decision = decide(taobao_dispute(json!({"quality_test": "not_confirmed"})));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-P13"));
}

fn jd_dispute(as_of: &str) -> Value {
    json!({
        "jurisdiction": "CN", "platform": "jd", "reason": "quality", "kind": "return_and_refund",
        "items": [{"name": "空气炸锅", "unit_price": "399.00"}],
        "money": {"payments": [{"method": "wechat_pay", "amount": "399.00"}]},
        "dates": {"signed": "2026-05-01", "requested": "2026-05-30 09:00",
                  "dispute_opened": "2026-06-01 10:00", "as_of": as_of}
    })
}

#[test]
fn cn_p22_a_merchant_silent_for_24_hours_loses_on_the_evidence() {
    let decision = decide(jd_dispute("2026-06-02 10:01"));
    assert_eq!(
        deadline(&decision, "merchant_dispute_response")["met"],
        false
    );
    finding(&decision, "merchant_silent");
    assert!(allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-P22"));
    assert_eq!(decision["freight"]["return"], "seller");
    // At 10:00 the 24 hours are not over yet.
    let decision = decide(jd_dispute("2026-06-02 10:00"));
    assert!(deadline(&decision, "merchant_dispute_response")["met"].is_null());
    assert!(!has_finding(&decision, "merchant_silent"));
}

#[test]
fn cn_p22_an_answer_in_time_keeps_the_dispute_open() {
    let mut request = jd_dispute("2026-06-03 12:00");
    request["dates"]["merchant_answered"] = json!("2026-06-02 09:30");
    let decision = decide(request.clone());
    assert_eq!(
        deadline(&decision, "merchant_dispute_response")["met"],
        true
    );
    assert!(!has_finding(&decision, "merchant_silent"));
    request["dates"]["merchant_answered"] = json!("2026-06-02 10:30");
    assert_eq!(
        deadline(&decide(request), "merchant_dispute_response")["met"],
        false
    );
}

#[test]
fn cn_p22_goods_that_cannot_go_back_are_refunded_without_return() {
    let mut request = jd_dispute("2026-06-03 12:00");
    request["dispute"] = json!({"not_returnable": true});
    let decision = decide(request);
    assert!(allowed(&decision, "refund_only"));
    assert!(decided_by(&decision, "refund_only", "CN-P22"));
}

#[test]
fn cn_p23_late_evidence_is_a_missed_deadline() {
    let mut request = jd_dispute("2026-06-01 12:00");
    request["dates"]["evidence_requested"] = json!("2026-06-01 14:01");
    request["dates"]["evidence_supplied"] = json!("2026-06-02 09:01");
    request["dates"]["as_of"] = json!("2026-06-02 12:00");
    request["dates"]["merchant_answered"] = json!("2026-06-01 11:00");
    assert_eq!(
        deadline(&decide(request.clone()), "merchant_evidence")["met"],
        true
    );
    request["dates"]["evidence_supplied"] = json!("2026-06-02 09:02");
    assert_eq!(
        deadline(&decide(request), "merchant_evidence")["met"],
        false
    );
}

#[test]
fn dispute_input_that_cannot_be_read_is_refused_with_what_to_write() {
    let message = refused(taobao_dispute(json!({"documents": ["receipt"]})));
    assert!(
        message.contains("dispute.documents[0]") && message.contains("conformity"),
        "{message}"
    );
    let mut request = taobao_dispute(json!({"quality_test": "not_confirmed"}));
    request["facts"] = json!({"quality_test_confirmed": true});
    assert!(refused(request).contains("opposite"));
}
