//! EU, UK and US, rule by rule (`shared/data/policy/rules-intl.md`): for each rule id, a scenario
//! at each of its boundaries, written from the rule's text. The public scenarios (INT-01 …) are
//! in `policy_scenarios.rs`, periods in `policy_periods.rs`, member states in `policy_terms.rs`.

mod policy;
use policy::*;

fn withdrawal(jurisdiction: &str, item: Value, dates: Value) -> Value {
    json!({"jurisdiction": jurisdiction, "reason": "no_reason", "kind": "return_and_refund",
           "items": [item], "dates": dates})
}

#[test]
fn eu_r3_a_period_ending_on_a_saturday_runs_to_monday() {
    // Delivered Saturday 2026-03-07: day 14 is Saturday 03-21, extended to Monday 03-23.
    let request = |sent: &str| {
        withdrawal(
            "EU",
            json!({"name": "Lamp"}),
            json!({"delivered": "2026-03-07", "requested": sent}),
        )
    };
    let decision = decide(request("2026-03-23"));
    assert_eq!(deadline(&decision, "withdrawal")["last_day"], "2026-03-23");
    assert!(allowed(&decision, "return_and_refund"));
    assert!(!allowed(
        &decide(request("2026-03-24")),
        "return_and_refund"
    ));
}

#[test]
fn eu_r5a_the_withdrawal_function_is_owed_for_contracts_from_19_june_2026() {
    let request = |ordered: &str| {
        let mut request = withdrawal(
            "EU",
            json!({"name": "Lamp"}),
            json!({"ordered": ordered, "delivered": "2026-06-25", "requested": "2026-06-26"}),
        );
        request["facts"] = json!({"withdrawal_function_offered": false});
        request
    };
    assert!(!has_finding(
        &decide(request("2026-06-18")),
        "withdrawal_function_missing"
    ));
    assert!(has_finding(
        &decide(request("2026-06-19")),
        "withdrawal_function_missing"
    ));
}

#[test]
fn eu_r7_the_refund_is_due_14_days_after_the_trader_is_informed() {
    let mut request = withdrawal(
        "EU",
        json!({"name": "Lamp", "unit_price": "40.00"}),
        json!({"delivered": "2026-03-02", "requested": "2026-03-05", "return_shipped": "2026-03-09",
               "refunded": "2026-03-19"}),
    );
    request["money"] = json!({"currency": "EUR", "payments": [{"method": "card", "amount": "45.00"}],
                              "shipping_fee": "5.00"});
    let decision = decide(request.clone());
    let due = deadline(&decision, "refund_due");
    assert_eq!(due["last_day"], "2026-03-19");
    assert_eq!(due["met"], true);
    assert_eq!(
        decision["refund"]["amount"], "45.00",
        "standard delivery included"
    );
    request["dates"]["refunded"] = json!("2026-03-20");
    assert_eq!(deadline(&decide(request), "refund_due")["met"], false);
}

#[test]
fn eu_r9_the_trader_may_wait_for_the_goods_unless_it_collects_them() {
    let mut request = withdrawal(
        "EU",
        json!({"name": "Sofa"}),
        json!({"delivered": "2026-03-02", "requested": "2026-03-05"}),
    );
    assert!(has_finding(
        &decide(request.clone()),
        "refund_may_wait_for_goods"
    ));
    request["facts"] = json!({"trader_collects": true});
    assert!(!has_finding(&decide(request), "refund_may_wait_for_goods"));
}

#[test]
fn eu_r10_the_goods_go_back_within_14_days_of_the_notice_at_the_consumers_cost_if_told() {
    let request = |shipped: &str| {
        withdrawal(
            "EU",
            json!({"name": "Lamp"}),
            json!({"delivered": "2026-03-02", "requested": "2026-03-10", "return_shipped": shipped}),
        )
    };
    let decision = decide(request("2026-03-24"));
    assert_eq!(deadline(&decision, "return_shipment")["met"], true);
    assert!(!has_finding(&decision, "late_return_shipment"));
    assert_eq!(decision["freight"]["return"], "buyer");
    assert!(has_finding(
        &decide(request("2026-03-25")),
        "late_return_shipment"
    ));
    let mut untold = request("2026-03-20");
    untold["facts"] = json!({"return_cost_information_given": false});
    assert_eq!(decide(untold)["freight"]["return"], "seller");
}

#[test]
fn eu_r12_exceptions_at_their_edges() {
    let dates = json!({"delivered": "2026-03-02", "requested": "2026-03-05"});
    let case = |item: Value| decide(withdrawal("EU", item, dates.clone()));
    // (e) hygiene goods: sealed → the right stays; unsealed → gone.
    assert!(allowed(
        &case(json!({"name": "Toothbrush", "nature": ["hygiene_sealed"], "sealed": true})),
        "return_and_refund"
    ));
    let unsealed =
        case(json!({"name": "Toothbrush", "nature": ["hygiene_sealed"], "sealed": false}));
    assert!(!allowed(&unsealed, "return_and_refund"));
    assert!(decided_by(&unsealed, "return_and_refund", "EU-R12(e)"));
    // (j) a periodical is excluded, a subscription is not.
    assert!(decided_by(
        &case(json!({"name": "Magazine", "nature": ["periodical"]})),
        "return_and_refund",
        "EU-R12(j)"
    ));
    assert!(allowed(
        &case(json!({"name": "Magazine", "nature": ["periodical", "subscription"]})),
        "return_and_refund"
    ));
    // (d) perishable; (b) market-priced; (f) mixed.
    assert!(decided_by(
        &case(json!({"name": "Flowers", "nature": ["perishable"]})),
        "return_and_refund",
        "EU-R12(d)"
    ));
    assert!(decided_by(
        &case(json!({"name": "Gold bar", "nature": ["market_priced"]})),
        "return_and_refund",
        "EU-R12(b)"
    ));
    assert!(decided_by(
        &case(json!({"name": "Fuel", "nature": ["mixed_inseparably"]})),
        "return_and_refund",
        "EU-R12(f)"
    ));
    // (g) alcohol priced in advance, (h) an urgent repair, (l) a dated service.
    assert!(decided_by(
        &case(json!({"name": "Wine en primeur", "nature": ["alcohol_priced_in_advance"]})),
        "return_and_refund",
        "EU-R12(g)"
    ));
    assert!(decided_by(
        &case(json!({"name": "Boiler repair", "nature": ["urgent_repair"]})),
        "return_and_refund",
        "EU-R12(h)"
    ));
    assert!(decided_by(
        &case(json!({"name": "Concert ticket", "nature": ["dated_service"]})),
        "return_and_refund",
        "EU-R12(l)"
    ));
    // (m) digital content: only with consent and acknowledgement.
    let mut consented = withdrawal(
        "EU",
        json!({"name": "E-book", "nature": ["digital_download"]}),
        dates.clone(),
    );
    consented["facts"] = json!({"digital_consent_acknowledged": true});
    assert!(decided_by(
        &decide(consented),
        "return_and_refund",
        "EU-R12(m)"
    ));
}

fn eu_quality(history: Value, facts: Value) -> Value {
    json!({"jurisdiction": "EU", "region": "DE", "reason": "quality", "kind": "return_and_refund",
           "items": [{"name": "Coat", "unit_price": "120.00"}],
           "money": {"currency": "EUR", "payments": [{"method": "card", "amount": "120.00"}]},
           "dates": {"delivered": "2026-03-02", "fault_found": "2026-05-01", "requested": "2026-05-01"},
           "history": history, "facts": facts})
}

#[test]
fn eu_r15_r17_termination_after_a_failed_repair_unless_minor() {
    let first = decide(eu_quality(json!({}), json!({})));
    assert!(
        !allowed(&first, "return_and_refund"),
        "repair or replacement first"
    );
    assert!(allowed(&first, "repair"));
    let failed = decide(eu_quality(
        json!({"repairs": 1, "still_faulty": true}),
        json!({}),
    ));
    assert!(allowed(&failed, "return_and_refund"));
    assert!(decided_by(&failed, "return_and_refund", "EU-R17"));
    assert!(allowed(&failed, "price_reduction"));
    let minor = decide(eu_quality(
        json!({"repairs": 1, "still_faulty": true}),
        json!({"minor_defect": true}),
    ));
    assert!(!allowed(&minor, "return_and_refund"));
    assert!(allowed(&minor, "price_reduction"));
    let refused = decide(eu_quality(
        json!({}),
        json!({"seller_refused_remedy": true}),
    ));
    assert!(
        allowed(&refused, "return_and_refund"),
        "the seller declared it will not remedy"
    );
}

#[test]
fn uk_r1_r3_r4_cancellation_at_its_edges() {
    let decision = decide(withdrawal(
        "UK",
        json!({"name": "Lamp"}),
        json!({"delivered": "2026-03-02", "requested": "2026-03-16"}),
    ));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "UK-R1"));
    // The goods go back within 14 days after the day the trader was told (UK-R3).
    let shipment = deadline(&decision, "return_shipment");
    assert_eq!(shipment["last_day"], "2026-03-30");
    assert_eq!(strings(&shipment["rules"]), ["UK-R3"]);
    let custom = decide(withdrawal(
        "UK",
        json!({"name": "Engraved ring", "nature": ["custom_made"]}),
        json!({"delivered": "2026-03-02", "requested": "2026-03-03"}),
    ));
    assert!(!allowed(&custom, "return_and_refund"));
    assert!(decided_by(&custom, "return_and_refund", "UK-R4"));
}

fn uk_faulty(found: &str, history: Value) -> Value {
    json!({"jurisdiction": "UK", "reason": "quality", "kind": "return_and_refund",
           "items": [{"name": "TV", "unit_price": "400.00"}],
           "money": {"currency": "GBP", "payments": [{"method": "card", "amount": "400.00"}]},
           "dates": {"delivered": "2026-01-15", "fault_found": found, "requested": found},
           "history": history})
}

#[test]
fn uk_r7_final_rejection_without_deduction_for_use_within_6_months() {
    let after_repair = json!({"repairs": 1, "still_faulty": true});
    let decision = decide(uk_faulty("2026-07-15", after_repair.clone()));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(has_finding(&decision, "no_deduction_for_use"));
    let decision = decide(uk_faulty("2026-07-16", after_repair));
    assert!(has_finding(&decision, "deduction_for_use"));
}

#[test]
fn uk_r8_presumed_for_6_months_from_delivery() {
    assert_eq!(
        decide(uk_faulty("2026-07-15", json!({})))["burden_of_proof"]["party"],
        "seller"
    );
    assert_eq!(
        decide(uk_faulty("2026-07-16", json!({})))["burden_of_proof"]["party"],
        "buyer"
    );
}

#[test]
fn uk_r9_claims_past_six_years_meet_the_limitation_period() {
    assert!(!has_finding(
        &decide(uk_faulty("2032-01-15", json!({}))),
        "limitation_period"
    ));
    assert!(has_finding(
        &decide(uk_faulty("2032-01-16", json!({}))),
        "limitation_period"
    ));
}

#[test]
fn us_r3_california_without_a_posted_policy_takes_returns_for_30_days() {
    let request = |requested: &str| {
        json!({"jurisdiction": "US", "region": "CA", "reason": "no_reason", "kind": "return_and_refund",
               "items": [{"name": "Sweater"}],
               "dates": {"paid": "2026-06-01", "delivered": "2026-06-05", "requested": requested},
               "facts": {"return_policy_posted": false}})
    };
    let decision = decide(request("2026-07-01"));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "US-R3"));
    assert!(!allowed(
        &decide(request("2026-07-02")),
        "return_and_refund"
    ));
}

#[test]
fn us_r4_defective_goods_under_the_implied_warranty() {
    let decision = decide(
        json!({"jurisdiction": "US", "reason": "quality", "kind": "repair",
        "items": [{"name": "Blender"}], "dates": {"delivered": "2026-06-05", "requested": "2026-08-01"}}),
    );
    assert!(allowed(&decision, "repair"));
    assert!(decided_by(&decision, "repair", "US-R4"));
}

#[test]
fn eu_r12_an_excluded_item_leaves_the_others_withdrawable() {
    let decision = decide(json!({
        "jurisdiction": "EU", "reason": "no_reason", "kind": "return_and_refund",
        "items": [{"name": "Engraved pen", "nature": ["custom_made"], "unit_price": "30.00"},
                  {"name": "Notebook", "unit_price": "10.00"}],
        "money": {"currency": "EUR", "payments": [{"method": "card", "amount": "40.00"}]},
        "dates": {"delivered": "2026-03-02", "requested": "2026-03-05"}
    }));
    assert!(allowed(&decision, "return_and_refund"));
    assert_eq!(decision["items"][0]["allowed"], false);
    assert!(strings(&decision["items"][0]["rules"]).contains(&"EU-R12(c)".to_string()));
    assert_eq!(decision["refund"]["amount"], "10.00");
}

#[test]
fn eu_r9_the_refund_waits_for_the_goods_or_proof_whichever_is_earlier() {
    // Told on 03-05: 14 days end 03-19. The goods came back 03-25, proof of sending was given
    // 03-22: the trader could wait until the earlier, 03-22.
    let mut request = withdrawal(
        "EU",
        json!({"name": "Lamp"}),
        json!({"delivered": "2026-03-02", "requested": "2026-03-05",
               "return_shipped": "2026-03-22", "return_received": "2026-03-25", "refunded": "2026-03-22"}),
    );
    let decision = decide(request.clone());
    let due = deadline(&decision, "refund_due");
    assert_eq!(due["last_day"], "2026-03-22");
    assert_eq!(due["met"], true);
    assert!(strings(&due["rules"]).contains(&"EU-R9".to_string()));
    request["dates"]["refunded"] = json!("2026-03-23");
    assert_eq!(
        deadline(&decide(request.clone()), "refund_due")["met"],
        false
    );
    // A trader that offered to collect cannot wait: 14 days from the notice.
    request["facts"] = json!({"trader_collects": true});
    assert_eq!(
        deadline(&decide(request), "refund_due")["last_day"],
        "2026-03-19"
    );
}

#[test]
fn uk_r9_scotland_counts_five_years() {
    let mut request = uk_faulty("2031-01-16", json!({}));
    request["region"] = json!("SCT");
    assert!(has_finding(&decide(request.clone()), "limitation_period"));
    request["dates"]["fault_found"] = json!("2031-01-15");
    request["dates"]["requested"] = json!("2031-01-15");
    assert!(!has_finding(&decide(request), "limitation_period"));
}

#[test]
fn uk_r7_a_motor_vehicle_may_be_charged_for_use_even_within_6_months() {
    let mut request = uk_faulty("2026-04-15", json!({"repairs": 1, "still_faulty": true}));
    request["items"] =
        json!([{"name": "Car", "category": "motor_vehicle", "unit_price": "9000.00"}]);
    let decision = decide(request);
    assert!(has_finding(&decision, "deduction_for_use"));
    assert!(!has_finding(&decision, "no_deduction_for_use"));
}

#[test]
fn us_ny1_new_york_without_a_posted_policy_refunds_unused_goods_for_30_days() {
    let request = |requested: &str, condition: Value| {
        json!({"jurisdiction": "US", "region": "NY", "reason": "no_reason", "kind": "return_and_refund",
               "items": [{"name": "Sweater", "unit_price": "60.00", "condition": condition}],
               "money": {"currency": "USD", "payments": [{"method": "card", "amount": "60.00"}]},
               "dates": {"paid": "2026-06-01", "delivered": "2026-06-05", "requested": requested},
               "facts": {"return_policy_posted": false}})
    };
    let decision = decide(request("2026-07-01", json!([])));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "US-NY1"));
    assert_eq!(
        deadline(&decision, "new_york_return")["last_day"],
        "2026-07-01"
    );
    assert_eq!(decision["refund"]["amount"], "60.00");
    assert!(!allowed(
        &decide(request("2026-07-02", json!([]))),
        "return_and_refund"
    ));
    assert!(!allowed(
        &decide(request("2026-06-20", json!(["damaged"]))),
        "return_and_refund"
    ));
    // A posted policy: the shop's policy decides, no state fallback.
    let mut posted = request("2026-06-20", json!([]));
    posted["facts"] = json!({"return_policy_posted": true});
    assert!(!decided_by(&decide(posted), "return_and_refund", "US-NY1"));
}
