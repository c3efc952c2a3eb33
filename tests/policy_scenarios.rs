//! Every public scenario of `shared/data/policy/scenarios.md`, as a request in the documented JSON
//! format (docs/POLICY.md) and the decision the law requires. Each test reads the JSON the CLI
//! and `POST /api/v1/policy/evaluate` return.

mod policy;
use policy::*;

fn no_reason_cn(platform: &str, signed: &str, requested: &str, item: Value) -> Value {
    json!({
        "jurisdiction": "CN", "platform": platform, "kind": "return_and_refund", "reason": "no_reason",
        "items": [item],
        "dates": {"signed": signed, "requested": requested}
    })
}

#[test]
fn cn_01_sealed_phone_on_day_7_is_eligible() {
    let decision = decide(no_reason_cn(
        "tmall",
        "2026-06-01 10:00",
        "2026-06-08 18:00",
        json!({"name": "手机", "category": "electronics", "sealed": true}),
    ));
    assert_eq!(decision["requested"]["allowed"], true);
    assert!(decided_by(&decision, "return_and_refund", "CN-R1"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R6"));
    let window = deadline(&decision, "no_reason_return");
    assert_eq!(window["last_day"], "2026-06-08");
    assert_eq!(window["ends_before"], "2026-06-09T00:00:00+08:00");
    assert_eq!(window["met"], true);
}

#[test]
fn cn_03_the_signing_day_is_not_counted() {
    let decision = decide(no_reason_cn(
        "own_store",
        "2026-06-01 23:50",
        "2026-06-02 00:10",
        json!({"name": "耳机"}),
    ));
    assert!(allowed(&decision, "return_and_refund"));
    assert_eq!(
        deadline(&decision, "no_reason_return")["starts"],
        "2026-06-02"
    );
    // Day 8 is too late.
    let late = decide(no_reason_cn(
        "own_store",
        "2026-06-01 23:50",
        "2026-06-09 00:10",
        json!({"name": "耳机"}),
    ));
    assert!(!allowed(&late, "return_and_refund"));
    assert_eq!(deadline(&late, "no_reason_return")["met"], false);
}

#[test]
fn cn_05_a_sunday_last_day_is_eligible_under_every_reading() {
    for reading in ["consumer_favourable", "strict"] {
        let mut request = no_reason_cn(
            "own_store",
            "2026-03-01",
            "2026-03-08 21:00",
            json!({"name": "外套"}),
        );
        request["shop_policy"] = json!({"period_end_reading": reading});
        let decision = decide(request);
        assert!(allowed(&decision, "return_and_refund"), "{reading}");
        assert_eq!(
            flag(&decision, "period_ends_on_rest_day")["reading"],
            reading
        );
    }
    // The readings differ for a request on Monday 03-09.
    let mut favourable = no_reason_cn(
        "own_store",
        "2026-03-01",
        "2026-03-09 10:00",
        json!({"name": "外套"}),
    );
    let extended = decide(favourable.clone());
    assert!(allowed(&extended, "return_and_refund"));
    assert_eq!(
        deadline(&extended, "no_reason_return")["last_day"],
        "2026-03-09"
    );
    favourable["shop_policy"] = json!({"period_end_reading": "strict"});
    assert!(!allowed(&decide(favourable), "return_and_refund"));
}

#[test]
fn cn_07_no_return_address_for_more_than_15_days_is_punishable() {
    let decision = decide(json!({
        "jurisdiction": "CN", "reason": "no_reason",
        "dates": {"signed": "2026-05-30", "requested": "2026-06-02 10:00", "request_processed": "2026-06-20"}
    }));
    let breach = finding(&decision, "seller_breach");
    assert_eq!(strings(&breach["rules"]), ["CN-R12", "CN-R22(c)"]);
    assert_eq!(
        deadline(&decision, "process_return_request")["last_day"],
        "2026-06-17"
    );
    assert_eq!(deadline(&decision, "process_return_request")["met"], false);
}

fn not_intact_case(category: &str, condition: Value) -> Value {
    decide(no_reason_cn(
        "own_store",
        "2026-06-01",
        "2026-06-03",
        json!({"name": "x", "category": category, "condition": condition}),
    ))
}

#[test]
fn cn_09_activated_phone_with_personal_data_is_not_intact() {
    let decision = not_intact_case("electronics", json!(["activated", "personal_data_left"]));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R11(2)"));
    finding(&decision, "not_intact");
}

#[test]
fn cn_11_torn_serial_sticker_is_not_intact() {
    let decision = not_intact_case("electronics", json!(["serial_label_damaged"]));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R11(2)"));
}

fn excluded_case(item: Value) -> Value {
    decide(no_reason_cn("own_store", "2026-06-01", "2026-06-02", item))
}

#[test]
fn cn_13_fresh_cherries_are_excluded() {
    let decision = excluded_case(json!({"name": "车厘子", "nature": ["perishable"]}));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R1(2)"));
}

#[test]
fn cn_15_unsealed_dvd_is_excluded_but_sealed_is_not() {
    let decision =
        excluded_case(json!({"name": "DVD", "nature": ["audio_visual"], "sealed": false}));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R1(3)"));
    let sealed = excluded_case(json!({"name": "DVD", "nature": ["audio_visual"], "sealed": true}));
    assert!(allowed(&sealed, "return_and_refund"));
}

#[test]
fn cn_17_a_delivered_magazine_issue_is_excluded() {
    let decision = excluded_case(json!({"name": "杂志", "nature": ["periodical"]}));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R1(4)"));
}

#[test]
fn cn_19_near_expiry_without_checkout_confirmation_may_not_be_refused() {
    let decision = decide(no_reason_cn(
        "own_store",
        "2026-06-01",
        "2026-06-05",
        json!({"name": "临期饼干", "category": "food", "nature": ["near_expiry"], "confirmed_non_returnable": false, "sealed": true}),
    ));
    assert!(allowed(&decision, "return_and_refund"));
    let note = finding(&decision, "exclusion_not_confirmed");
    assert_eq!(strings(&note["rules"]), ["CN-R8(3)", "CN-R9"]);
    // With the confirmation the shop may refuse.
    let confirmed = decide(no_reason_cn(
        "own_store",
        "2026-06-01",
        "2026-06-05",
        json!({"name": "临期饼干", "nature": ["near_expiry"], "confirmed_non_returnable": true}),
    ));
    assert!(!allowed(&confirmed, "return_and_refund"));
    assert!(decided_by(&confirmed, "return_and_refund", "CN-R8(3)"));
}

#[test]
fn cn_21_excluding_ordinary_t_shirts_is_unlawful() {
    let mut request = no_reason_cn(
        "taobao",
        "2026-06-01",
        "2026-06-03",
        json!({"name": "T恤", "category": "clothing", "shop_excluded": true}),
    );
    request["shop_policy"] = json!({"excluded_categories": ["clothing"]});
    let decision = decide(request);
    assert!(allowed(&decision, "return_and_refund"));
    let unlawful = finding(&decision, "unlawful_exclusion");
    assert_eq!(strings(&unlawful["rules"]), ["CN-R22(a)", "CN-R25"]);
}

#[test]
fn cn_23_dress_with_label_cut_off_is_not_intact() {
    let decision = not_intact_case("clothing", json!(["label_removed"]));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R11(3)"));
}

#[test]
fn cn_25_alipay_part_back_to_alipay_and_coupon_back_as_coupon() {
    let mut request = no_reason_cn(
        "own_store",
        "2026-06-01",
        "2026-06-03",
        json!({"name": "鞋", "unit_price": "200.00"}),
    );
    request["money"] = json!({"payments": [{"method": "alipay", "amount": "180.00"}, {"method": "coupon", "amount": "20.00"}]});
    let decision = decide(request);
    let refund = &decision["refund"];
    assert_eq!(refund["amount"], "200.00");
    assert_eq!(
        refund["by_method"],
        json!([
            {"method": "alipay", "amount": "180.00", "in_kind": false},
            {"method": "coupon", "amount": "20.00", "in_kind": true}
        ])
    );
    assert!(strings(&refund["rules"]).contains(&"CN-R15".to_string()));
    assert!(strings(&refund["rules"]).contains(&"CN-R16".to_string()));
}

#[test]
fn cn_27_a_broken_spend_and_save_discount_is_settled_at_purchase_prices() {
    let decision = decide(json!({
        "jurisdiction": "CN", "reason": "no_reason", "kind": "return_and_refund",
        "items": [
            {"name": "A", "unit_price": "200.00", "return_quantity": 1},
            {"name": "B", "unit_price": "100.00", "return_quantity": 0}
        ],
        "money": {"payments": [{"method": "alipay", "amount": "250.00"}],
                  "discounts": [{"name": "满300减50", "threshold": "300.00", "amount": "50.00"}]},
        "dates": {"signed": "2026-06-01", "requested": "2026-06-03"}
    }));
    assert_eq!(decision["refund"]["amount"], "150.00");
    assert_eq!(decision["refund"]["amount_minor"], 15000);
    let lost = &decision["refund"]["deductions"][0];
    assert_eq!(lost["kind"], "discount_lost");
    assert_eq!(strings(&lost["rules"]), ["CN-R18"]);
}

#[test]
fn cn_29_the_buyer_pays_return_freight_of_a_no_reason_return() {
    let decision = decide(no_reason_cn(
        "own_store",
        "2026-06-01",
        "2026-06-03",
        json!({"name": "x"}),
    ));
    assert_eq!(decision["freight"]["return"], "buyer");
    assert!(strings(&decision["freight"]["rules"]).contains(&"CN-R3".to_string()));
}

#[test]
fn cn_31_taobao_non_free_shipping_buyer_pays_all_freight() {
    let decision = decide(no_reason_cn(
        "taobao",
        "2026-06-01",
        "2026-06-03",
        json!({"name": "x"}),
    ));
    assert_eq!(decision["freight"]["forward"], "buyer");
    assert_eq!(decision["freight"]["return"], "buyer");
    assert!(strings(&decision["freight"]["rules"]).contains(&"CN-P8".to_string()));
    let mut free = no_reason_cn("taobao", "2026-06-01", "2026-06-03", json!({"name": "x"}));
    free["facts"] = json!({"free_shipping": true});
    let decision = decide(free);
    assert_eq!(decision["freight"]["forward"], "seller");
    assert_eq!(decision["freight"]["return"], "buyer");
}

#[test]
fn cn_33_leaking_kettle_on_day_5_may_be_returned_at_the_sellers_cost() {
    let decision = decide(json!({
        "jurisdiction": "CN", "reason": "quality", "kind": "return_and_refund",
        "items": [{"name": "电水壶", "category": "household"}],
        "dates": {"signed": "2026-06-01", "fault_found": "2026-06-06", "requested": "2026-06-06"}
    }));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R4"));
    assert_eq!(decision["freight"]["return"], "seller");
    assert_eq!(decision["freight"]["forward"], "seller");
    // After 7 days: exchange or repair only.
    let late = decide(json!({
        "jurisdiction": "CN", "reason": "quality",
        "items": [{"name": "电水壶"}],
        "dates": {"signed": "2026-06-01", "requested": "2026-06-20"}
    }));
    assert!(!allowed(&late, "return_and_refund"));
    assert!(allowed(&late, "exchange") && allowed(&late, "repair"));
}

#[test]
fn cn_35_tv_defect_in_month_5_the_seller_must_prove() {
    let decision = decide(json!({
        "jurisdiction": "CN", "reason": "quality",
        "items": [{"name": "电视", "nature": ["durable"]}],
        "facts": {"cause_disputed": true},
        "dates": {"signed": "2026-01-10", "fault_found": "2026-06-05"}
    }));
    assert_eq!(decision["burden_of_proof"]["party"], "seller");
    assert_eq!(strings(&decision["burden_of_proof"]["rules"]), ["CN-R5"]);
}

fn washing_machine(fault_found: &str, history: Value) -> Value {
    decide(json!({
        "jurisdiction": "CN", "platform": "jd", "reason": "quality",
        "items": [{"name": "洗衣机", "three_guarantees": "washing_machine", "unit_price": "3000.00"}],
        "money": {"payments": [{"method": "wechat_pay", "amount": "3000.00"}]},
        "history": history,
        "dates": {"paid": "2026-06-01", "signed": "2026-06-01", "invoiced": "2026-06-01", "fault_found": fault_found}
    }))
}

#[test]
fn cn_37_washing_machine_fault_on_day_6_return_exchange_or_repair() {
    let decision = washing_machine("2026-06-07", json!({}));
    for remedy in ["return_and_refund", "exchange", "repair"] {
        assert!(allowed(&decision, remedy), "{remedy}");
        assert!(decided_by(&decision, remedy, "CN-R26"), "{remedy}");
    }
    assert_eq!(decision["refund"]["amount"], "3000.00");
    assert!(
        decision["refund"]["deductions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn cn_39_day_12_exchange_or_repair_but_no_return() {
    let decision = washing_machine("2026-06-13", json!({}));
    assert!(allowed(&decision, "exchange") && allowed(&decision, "repair"));
    assert!(decided_by(&decision, "exchange", "CN-R27"));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R27"));
}

#[test]
fn cn_41_exchange_due_same_model_in_stock_customer_insists_on_return() {
    let decision = washing_machine("2026-06-13", json!({"same_model_available": true}));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R29"));
    let deductions = decision["refund"]["deductions"].as_array().unwrap();
    assert!(deductions.iter().any(|each| each["kind"] == "depreciation"));
    // CN-40: none in stock, the customer declines another model: taken back without depreciation.
    let none = washing_machine("2026-06-13", json!({"same_model_available": false}));
    assert!(allowed(&none, "return_and_refund"));
    assert!(none["refund"]["deductions"].as_array().unwrap().is_empty());
}

#[test]
fn cn_43_repair_over_30_days_for_the_repairers_reasons_means_free_exchange() {
    let decision = washing_machine(
        "2026-09-01",
        json!({"repairs": 1, "repair_days": 35, "repair_delay": "repairer"}),
    );
    assert!(allowed(&decision, "exchange"));
    assert!(decided_by(&decision, "exchange", "CN-R31"));
}

#[test]
fn cn_45_compressor_in_month_20_is_repaired_free_as_a_main_part() {
    let decision = decide(json!({
        "jurisdiction": "CN", "reason": "quality",
        "items": [{"name": "空调", "three_guarantees": "air_conditioner", "faulty_part": "compressor"}],
        "dates": {"invoiced": "2025-01-10", "signed": "2025-01-12", "fault_found": "2026-09-15"}
    }));
    assert!(allowed(&decision, "repair"));
    assert!(decided_by(&decision, "repair", "CN-R36"));
    assert!(
        remedy(&decision, "repair")["grounds"]
            .as_array()
            .unwrap()
            .iter()
            .all(|ground| ground.get("paid_by_customer").is_none())
    );
    assert_eq!(deadline(&decision, "main_parts")["last_day"], "2028-01-10");
}

#[test]
fn cn_47_laptop_screen_in_month_25_is_a_paid_repair() {
    let decision = decide(json!({
        "jurisdiction": "CN", "reason": "quality",
        "items": [{"name": "笔记本电脑", "three_guarantees": "microcomputer", "faulty_part": "display"}],
        "dates": {"invoiced": "2024-06-01", "fault_found": "2026-07-05"}
    }));
    let repair = remedy(&decision, "repair");
    assert_eq!(repair["allowed"], true);
    assert_eq!(repair["grounds"][0]["paid_by_customer"], true);
    assert!(decided_by(&decision, "repair", "CN-R36"));
    assert!(!allowed(&decision, "exchange"));
    finding(&decision, "outside_three_guarantees");
}

#[test]
fn cn_49_water_damage_is_not_three_guarantees() {
    let decision = decide(json!({
        "jurisdiction": "CN", "reason": "quality",
        "items": [{"name": "手机", "three_guarantees": "mobile_phone", "condition": ["misuse"]}],
        "dates": {"invoiced": "2026-03-01", "signed": "2026-03-02", "fault_found": "2026-06-01"}
    }));
    assert_eq!(
        remedy(&decision, "repair")["grounds"][0]["paid_by_customer"],
        true
    );
    assert!(!allowed(&decision, "exchange") && !allowed(&decision, "return_and_refund"));
    assert_eq!(
        strings(&finding(&decision, "three_guarantees_not_applicable")["rules"]),
        ["CN-R35"]
    );
}

#[test]
fn cn_51_jd_evidence_asked_at_14_01_is_due_09_01_next_day() {
    let decision = decide(json!({
        "jurisdiction": "CN", "platform": "jd", "reason": "quality",
        "dates": {"evidence_requested": "2026-06-01 14:01"}
    }));
    let due = deadline(&decision, "merchant_evidence");
    assert_eq!(due["ends_before"], "2026-06-02T09:01:00+08:00");
    assert_eq!(strings(&due["rules"]), ["CN-P23"]);
}

#[test]
fn cn_53_jd_intervention_after_15_natural_days_may_be_declined() {
    let decision = decide(json!({
        "jurisdiction": "CN", "platform": "jd", "reason": "quality",
        "dates": {"rejected": "2026-06-01", "intervention_requested": "2026-06-18"}
    }));
    let window = deadline(&decision, "platform_intervention");
    assert_eq!(window["last_day"], "2026-06-16");
    assert_eq!(window["met"], false);
    finding(&decision, "intervention_window_missed");
}

#[test]
fn cn_55_taobao_shipping_after_the_refund_request_then_refused_means_refund() {
    let decision = decide(json!({
        "jurisdiction": "CN", "platform": "taobao", "kind": "refund_only", "reason": "no_reason",
        "facts": {"shipped_without_consent": true, "delivery_refused": true},
        "dates": {"paid": "2026-06-01", "requested": "2026-06-02 09:00", "shipped": "2026-06-02 15:00"}
    }));
    assert_eq!(decision["requested"]["allowed"], true);
    assert!(decided_by(&decision, "refund_only", "CN-P5"));
    assert_eq!(decision["freight"]["forward"], "seller");
    assert_eq!(decision["freight"]["return"], "seller");
}

#[test]
fn cn_57_taobao_168_hours_from_midnight_after_signing() {
    let decision = decide(no_reason_cn(
        "taobao",
        "2026-06-01 15:20",
        "2026-06-08 23:30",
        json!({"name": "x"}),
    ));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-P1"));
    assert_eq!(
        deadline(&decision, "no_reason_return")["ends_before"],
        "2026-06-09T00:00:00+08:00"
    );
}

fn eu_withdrawal(delivered: &str, requested: &str) -> Value {
    json!({
        "jurisdiction": "EU", "kind": "return_and_refund", "reason": "no_reason",
        "items": [{"name": "shoes", "unit_price": "80.00"}],
        "dates": {"signed": delivered, "requested": requested}
    })
}

#[test]
fn int_01_eu_day_14_is_in_time() {
    let decision = decide(eu_withdrawal("2026-03-02", "2026-03-16 12:00"));
    assert!(allowed(&decision, "return_and_refund"));
    assert_eq!(deadline(&decision, "withdrawal")["last_day"], "2026-03-16");
    for rule in ["EU-R1", "EU-R2", "EU-R3"] {
        assert!(decided_by(&decision, "return_and_refund", rule), "{rule}");
    }
    assert!(!allowed(
        &decide(eu_withdrawal("2026-03-02", "2026-03-17 08:00")),
        "return_and_refund"
    ));
}

#[test]
fn int_03_eu_sending_on_the_last_evening_is_enough() {
    let decision = decide(eu_withdrawal("2026-03-09", "2026-03-23 23:30"));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "EU-R5"));
}

#[test]
fn int_05_eu_two_deliveries_run_from_the_last() {
    let decision = decide(json!({
        "jurisdiction": "EU", "reason": "no_reason",
        "items": [{"name": "a", "delivered": "2026-03-02"}, {"name": "b", "delivered": "2026-03-10"}],
        "dates": {"requested": "2026-03-20"}
    }));
    assert_eq!(deadline(&decision, "withdrawal")["last_day"], "2026-03-24");
    assert!(decided_by(&decision, "return_and_refund", "EU-R2"));
}

#[test]
fn int_07_eu_no_withdrawal_information_extends_by_12_months() {
    let mut request = eu_withdrawal("2026-03-02", "2026-12-01");
    request["facts"] = json!({"withdrawal_information_given": false});
    let decision = decide(request);
    assert_eq!(deadline(&decision, "withdrawal")["last_day"], "2027-03-16");
    assert!(allowed(&decision, "return_and_refund"));
    assert!(cites(&decision, "EU-R4"));
}

#[test]
fn int_09_eu_withdrawal_by_phone_is_valid() {
    let mut request = eu_withdrawal("2026-03-02", "2026-03-05");
    request["channel"] = json!("phone");
    let decision = decide(request);
    assert!(allowed(&decision, "return_and_refund"));
    assert_eq!(
        strings(&finding(&decision, "withdrawal_statement_valid")["rules"]),
        ["EU-R5"]
    );
}

#[test]
fn int_11_eu_only_standard_delivery_is_refunded() {
    let mut request = eu_withdrawal("2026-03-02", "2026-03-05");
    request["money"] = json!({"currency": "EUR", "payments": [{"method": "card", "amount": "95.00"}],
                              "shipping_fee": "15.00", "standard_shipping_fee": "5.00"});
    let decision = decide(request);
    assert_eq!(decision["refund"]["goods"], "80.00");
    assert_eq!(decision["refund"]["shipping"], "5.00");
    assert_eq!(decision["refund"]["amount"], "85.00");
    assert!(cites(&decision, "EU-R8"));
}

#[test]
fn int_13_eu_late_return_shipment_keeps_the_withdrawal_valid() {
    let mut request = eu_withdrawal("2026-03-02", "2026-03-10");
    request["dates"]["return_shipped"] = json!("2026-03-30");
    let decision = decide(request);
    assert!(allowed(&decision, "return_and_refund"));
    let shipment = deadline(&decision, "return_shipment");
    assert_eq!(shipment["last_day"], "2026-03-24");
    assert_eq!(shipment["met"], false);
    assert_eq!(
        strings(&finding(&decision, "late_return_shipment")["rules"]),
        ["EU-R10"]
    );
}

#[test]
fn int_15_eu_worn_dress_allowed_with_diminished_value() {
    let decision = decide(json!({
        "jurisdiction": "EU", "reason": "no_reason",
        "items": [{"name": "dress", "unit_price": "120.00", "condition": ["used_beyond_inspection", "soiled"]}],
        "dates": {"signed": "2026-03-02", "requested": "2026-03-06"}
    }));
    assert!(allowed(&decision, "return_and_refund"));
    let deduction = &decision["refund"]["deductions"][0];
    assert_eq!(deduction["kind"], "diminished_value");
    assert_eq!(strings(&deduction["rules"]), ["EU-R11"]);
}

#[test]
fn int_17_eu_custom_printed_t_shirt_has_no_withdrawal() {
    let decision = decide(json!({
        "jurisdiction": "EU", "reason": "no_reason",
        "items": [{"name": "T-shirt with photo", "nature": ["custom_made"]}],
        "dates": {"signed": "2026-03-02", "requested": "2026-03-04"}
    }));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "EU-R12(c)"));
}

#[test]
fn int_19_eu_sealed_blu_ray_may_be_withdrawn() {
    let decision = decide(json!({
        "jurisdiction": "EU", "reason": "no_reason",
        "items": [{"name": "Blu-ray", "nature": ["audio_visual"], "sealed": true}],
        "dates": {"signed": "2026-03-02", "requested": "2026-03-04"}
    }));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(cites(&decision, "EU-R12(i)"));
}

#[test]
fn int_21_eu_downloaded_ebook_without_acknowledgement_keeps_the_right() {
    let decision = decide(json!({
        "jurisdiction": "EU", "reason": "no_reason",
        "items": [{"name": "e-book", "nature": ["digital_download"]}],
        "facts": {"digital_consent_acknowledged": false},
        "dates": {"signed": "2026-03-02", "requested": "2026-03-04"}
    }));
    assert!(allowed(&decision, "return_and_refund"));
    assert_eq!(
        strings(&finding(&decision, "withdrawal_right_remains")["rules"]),
        ["EU-R12(m)"]
    );
}

#[test]
fn int_23_eu_no_withdrawal_function_from_june_2026_is_non_compliant() {
    let decision = decide(json!({
        "jurisdiction": "EU", "reason": "no_reason",
        "facts": {"withdrawal_function_offered": false},
        "dates": {"ordered": "2026-07-01", "signed": "2026-07-03", "requested": "2026-07-05"}
    }));
    assert_eq!(
        strings(&finding(&decision, "withdrawal_function_missing")["rules"]),
        ["EU-R5a"]
    );
    let before = decide(json!({
        "jurisdiction": "EU", "reason": "no_reason",
        "facts": {"withdrawal_function_offered": false},
        "dates": {"ordered": "2026-06-01"}
    }));
    assert!(!has_finding(&before, "withdrawal_function_missing"));
}

#[test]
fn int_25_eu_tv_failing_in_year_two_seller_liable_consumer_proves() {
    let decision = decide(json!({
        "jurisdiction": "EU", "reason": "quality",
        "items": [{"name": "TV"}],
        "dates": {"signed": "2026-03-02", "fault_found": "2027-06-01"}
    }));
    assert!(allowed(&decision, "repair") && allowed(&decision, "exchange"));
    assert!(decided_by(&decision, "repair", "EU-R13"));
    assert_eq!(decision["burden_of_proof"]["party"], "buyer");
    assert!(strings(&decision["burden_of_proof"]["rules"]).contains(&"EU-R14".to_string()));
    let mut extended = json!({
        "jurisdiction": "EU", "reason": "quality",
        "dates": {"signed": "2026-03-02", "fault_found": "2027-06-01"}
    });
    extended["shop_policy"] = json!({"presumption_years": 2});
    assert_eq!(decide(extended)["burden_of_proof"]["party"], "seller");
}

#[test]
fn int_27_eu_loose_button_repair_first_never_termination() {
    let decision = decide(json!({
        "jurisdiction": "EU", "reason": "quality", "kind": "return_and_refund",
        "items": [{"name": "coat"}],
        "facts": {"minor_defect": true},
        "dates": {"signed": "2026-03-02", "fault_found": "2026-05-01"}
    }));
    assert_eq!(decision["requested"]["allowed"], false);
    assert!(decided_by(&decision, "return_and_refund", "EU-R15"));
    assert!(allowed(&decision, "repair") && allowed(&decision, "exchange"));
}

#[test]
fn int_29_eu_guarantee_repair_is_free_including_postage() {
    let decision = decide(json!({
        "jurisdiction": "EU", "reason": "quality", "kind": "repair",
        "dates": {"signed": "2026-03-02", "fault_found": "2026-05-01"}
    }));
    assert!(allowed(&decision, "repair"));
    assert_eq!(decision["freight"]["forward"], "seller");
    assert_eq!(decision["freight"]["return"], "seller");
    assert_eq!(
        strings(&finding(&decision, "remedy_free_of_charge")["rules"]),
        ["EU-R16"]
    );
}

#[test]
fn int_31_uk_rejecting_on_day_30_is_in_time() {
    let decision = decide(json!({
        "jurisdiction": "UK", "reason": "quality", "kind": "return_and_refund",
        "items": [{"name": "kettle", "unit_price": "30.00"}],
        "money": {"payments": [{"method": "card", "amount": "30.00"}]},
        "dates": {"signed": "2026-03-02", "requested": "2026-04-01"}
    }));
    assert_eq!(decision["requested"]["allowed"], true);
    assert_eq!(
        deadline(&decision, "short_term_reject")["last_day"],
        "2026-04-01"
    );
    assert!(decided_by(&decision, "return_and_refund", "UK-R5"));
    assert_eq!(decision["refund"]["amount"], "30.00");
}

#[test]
fn int_33_uk_after_a_repair_the_consumer_gets_at_least_7_days() {
    let decision = decide(json!({
        "jurisdiction": "UK", "reason": "quality",
        "dates": {"signed": "2026-03-02", "repair_started": "2026-03-27", "repair_returned": "2026-04-10", "requested": "2026-04-15"}
    }));
    let window = deadline(&decision, "short_term_reject");
    assert_eq!(window["last_day"], "2026-04-17");
    assert!(allowed(&decision, "return_and_refund"));
    assert_eq!(
        strings(&finding(&decision, "reject_period_paused")["rules"]),
        ["UK-R5"]
    );
}

#[test]
fn int_35_uk_second_failure_within_6_months_final_reject_without_deduction() {
    let decision = decide(json!({
        "jurisdiction": "UK", "reason": "quality",
        "history": {"repairs": 1, "still_faulty": true},
        "dates": {"signed": "2026-01-10", "fault_found": "2026-05-05", "requested": "2026-05-06"}
    }));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "UK-R7"));
    assert_eq!(
        strings(&finding(&decision, "no_deduction_for_use")["rules"]),
        ["UK-R7"]
    );
}

#[test]
fn int_37_uk_fault_in_month_5_is_presumed_present_at_delivery() {
    let decision = decide(json!({
        "jurisdiction": "UK", "reason": "quality",
        "facts": {"cause_disputed": true},
        "dates": {"signed": "2026-01-10", "fault_found": "2026-06-01"}
    }));
    assert_eq!(decision["burden_of_proof"]["party"], "seller");
    assert_eq!(strings(&decision["burden_of_proof"]["rules"]), ["UK-R8"]);
}

#[test]
fn int_39_us_no_federal_right_california_fallback() {
    let decision = decide(json!({
        "jurisdiction": "US", "reason": "no_reason", "kind": "return_and_refund",
        "items": [{"name": "sweater"}],
        "dates": {"paid": "2026-03-01", "signed": "2026-03-05", "requested": "2026-03-10"}
    }));
    assert_eq!(decision["requested"]["allowed"], false);
    assert!(decided_by(&decision, "return_and_refund", "US-R2"));
    let california = decide(json!({
        "jurisdiction": "US", "region": "CA", "reason": "no_reason",
        "facts": {"return_policy_posted": false},
        "dates": {"paid": "2026-03-01", "requested": "2026-03-10"}
    }));
    assert!(allowed(&california, "return_and_refund"));
    assert!(cites(&california, "US-R3"));
    assert_eq!(
        deadline(&california, "california_return")["last_day"],
        "2026-03-31"
    );
}

#[test]
fn int_41_us_cancelled_card_order_refunded_within_one_billing_cycle() {
    let decision = decide(json!({
        "jurisdiction": "US", "reason": "not_received",
        "money": {"payments": [{"method": "credit_card", "amount": "40.00"}]},
        "items": [{"name": "lamp", "unit_price": "40.00"}],
        "dates": {"ordered": "2026-03-01", "cancelled": "2026-04-10"}
    }));
    assert_eq!(
        strings(&finding(&decision, "refund_within_billing_cycle")["rules"]),
        ["US-R1"]
    );
    assert!(allowed(&decision, "refund_only"));
    // Cash: 7 working days.
    let cash = decide(json!({
        "jurisdiction": "US", "reason": "not_received",
        "money": {"payments": [{"method": "cheque", "amount": "40.00"}]},
        "dates": {"ordered": "2026-03-01", "cancelled": "2026-04-10"}
    }));
    assert_eq!(deadline(&cash, "refund_due")["last_day"], "2026-04-21");
}

#[test]
fn bad_requests_name_the_field() {
    let now = "2026-11-22T00:00:00Z".parse().unwrap();
    for (request, field) in [
        (
            json!({"jurisdiction": "CN", "dates": {"signed": "yesterday"}}),
            "dates.signed",
        ),
        (
            json!({"jurisdiction": "CN", "time_zone": "Mars/Base"}),
            "time_zone",
        ),
        (
            json!({"jurisdiction": "CN", "items": [{"unit_price": "12.345"}], "reason": "no_reason", "dates": {"signed": "2026-06-01"}}),
            "unit_price",
        ),
        (
            json!({"jurisdiction": "CN", "items": [{"quantity": 1, "return_quantity": 2}]}),
            "return_quantity",
        ),
        (json!({"jurisdiction": "CN", "colour": "red"}), "colour"),
    ] {
        let (output, decided) = aftersale::domain::policy::evaluate_json(&request.to_string(), now);
        assert!(!decided, "{request}");
        let value: Value = serde_json::from_str(&output).unwrap();
        let message = value["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{message} should name {field}");
    }
}

#[test]
fn a_wrong_type_deep_inside_names_its_path_and_an_array_keeps_the_good_requests() {
    let now = "2026-11-22T00:00:00Z".parse().unwrap();
    let input = json!([
        {"jurisdiction": "CN", "items": [{"name": "x", "quantity": "two"}]},
        {"jurisdiction": "EU", "reason": "no_reason", "dates": {"signed": "2026-03-02", "requested": "2026-03-03"}}
    ]);
    let (output, decided) = aftersale::domain::policy::evaluate_json(&input.to_string(), now);
    assert!(!decided);
    let value: Value = serde_json::from_str(&output).unwrap();
    let message = value[0]["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("items[0].quantity"), "{message}");
    assert_eq!(value[1]["jurisdiction"], "EU");
    assert!(allowed(&value[1], "return_and_refund"));
}

// Beyond the public set: rules the scenarios do not show, checked the same way.

#[test]
fn fraud_is_three_times_the_price_at_least_500_yuan() {
    let small = decide(
        json!({"jurisdiction": "CN", "reason": "not_as_described", "facts": {"fraud": true},
        "items": [{"unit_price": "100.00"}], "dates": {"signed": "2026-06-01", "requested": "2026-06-03"}}),
    );
    assert_eq!(small["compensation"]["amount"], "500.00");
    assert_eq!(strings(&small["compensation"]["rules"]), ["CN-R5b"]);
    let large = decide(
        json!({"jurisdiction": "CN", "reason": "not_as_described", "facts": {"fraud": true},
        "items": [{"unit_price": "1000.00"}], "dates": {"signed": "2026-06-01", "requested": "2026-06-03"}}),
    );
    assert_eq!(large["compensation"]["amount"], "3000.00");
}

#[test]
fn taobao_partial_return_breaking_free_shipping_costs_the_buyer_all_freight() {
    let decision = decide(json!({
        "jurisdiction": "CN", "platform": "taobao", "reason": "no_reason",
        "items": [{"name": "A", "unit_price": "60.00", "return_quantity": 1}, {"name": "B", "unit_price": "50.00", "return_quantity": 0}],
        "money": {"payments": [{"method": "alipay", "amount": "110.00"}], "free_shipping_threshold": "99.00", "waived_shipping_fee": "8.00"},
        "facts": {"free_shipping": true},
        "dates": {"signed": "2026-06-01", "requested": "2026-06-03"}
    }));
    assert_eq!(decision["refund"]["amount"], "52.00");
    assert_eq!(decision["freight"]["forward"], "buyer");
    assert!(strings(&decision["refund"]["rules"]).contains(&"CN-R19".to_string()));
}

#[test]
fn undetermined_responsibility_on_taobao_splits_the_freight() {
    let decision = decide(
        json!({"jurisdiction": "CN", "platform": "taobao", "reason": "quality",
        "facts": {"responsibility_unclear": true}, "dates": {"signed": "2026-06-01", "requested": "2026-06-20"}}),
    );
    assert!(decided_by(&decision, "return_and_refund", "CN-P2"));
    assert_eq!(decision["freight"]["forward"], "seller");
    assert_eq!(decision["freight"]["return"], "buyer");
}

#[test]
fn a_phone_battery_has_six_months() {
    let decision = decide(json!({"jurisdiction": "CN", "reason": "quality",
        "items": [{"three_guarantees": "mobile_phone", "faulty_part": "battery"}],
        "dates": {"invoiced": "2026-01-10", "signed": "2026-01-11", "fault_found": "2026-08-01"}}));
    assert_eq!(
        remedy(&decision, "repair")["grounds"][0]["paid_by_customer"],
        true
    );
    assert_eq!(
        deadline(&decision, "three_guarantees")["last_day"],
        "2026-07-10"
    );
}

#[test]
fn an_eu_period_ending_on_saturday_runs_to_monday() {
    // Delivered Saturday 2026-03-07: day 14 is Saturday 03-21 → Monday 03-23.
    let decision = decide(eu_withdrawal("2026-03-07", "2026-03-23 20:00"));
    assert_eq!(deadline(&decision, "withdrawal")["last_day"], "2026-03-23");
    assert!(allowed(&decision, "return_and_refund"));
}

#[test]
fn eu_late_information_gives_14_days_from_receiving_it() {
    let mut request = eu_withdrawal("2026-03-02", "2026-05-20");
    request["facts"] = json!({"withdrawal_information_given": false});
    request["dates"]["withdrawal_information_given"] = json!("2026-05-10");
    let decision = decide(request);
    assert_eq!(deadline(&decision, "withdrawal")["last_day"], "2026-05-25");
    assert!(allowed(&decision, "return_and_refund"));
}

#[test]
fn uk_day_31_means_repair_or_replacement_first() {
    let decision = decide(
        json!({"jurisdiction": "UK", "reason": "quality", "kind": "return_and_refund",
        "dates": {"signed": "2026-03-02", "requested": "2026-04-02"}}),
    );
    assert_eq!(decision["requested"]["allowed"], false);
    assert!(allowed(&decision, "repair") && allowed(&decision, "exchange"));
}

#[test]
fn a_us_shop_policy_window_is_honoured() {
    let decision = decide(
        json!({"jurisdiction": "US", "reason": "no_reason", "shop_policy": {"no_reason_days": 30},
        "dates": {"signed": "2026-03-02", "requested": "2026-03-30"}}),
    );
    assert!(allowed(&decision, "return_and_refund"));
    assert_eq!(
        deadline(&decision, "shop_return_window")["last_day"],
        "2026-04-01"
    );
}

#[test]
fn a_shop_window_shorter_than_the_law_is_void() {
    let mut request = no_reason_cn(
        "own_store",
        "2026-06-01",
        "2026-06-07",
        json!({"name": "x"}),
    );
    request["shop_policy"] = json!({"no_reason_days": 3});
    let decision = decide(request);
    assert!(allowed(&decision, "return_and_refund"));
    assert_eq!(
        strings(&finding(&decision, "shop_policy_invalid")["rules"]),
        ["CN-R1"]
    );
    let mut vip = no_reason_cn(
        "own_store",
        "2026-06-01",
        "2026-06-20",
        json!({"name": "x"}),
    );
    vip["shop_policy"] =
        json!({"no_reason_days": 15, "tier_extra_days": {"vip": 5}, "customer_tier": "vip"});
    assert_eq!(
        deadline(&decide(vip), "no_reason_return")["last_day"],
        "2026-06-22"
    );
}

/// A Taobao/Tmall no-reason exchange (CN-P9) with `kind: exchange`.
fn taobao_exchange(signed: &str, requested: &str, item: Value) -> Value {
    json!({
        "jurisdiction": "CN", "platform": "taobao", "kind": "exchange", "reason": "no_reason",
        "items": [item],
        "dates": {"signed": signed, "requested": requested}
    })
}

#[test]
fn cn_p9_the_no_reason_exchange_has_the_no_reason_window_at_both_ends() {
    // Signed 1 June 15:20: the 168 hours run from the midnight after, to the end of 8 June.
    let last = decide(taobao_exchange(
        "2026-06-01 15:20",
        "2026-06-08 23:59",
        json!({"name": "T恤"}),
    ));
    assert_eq!(last["requested"]["allowed"], true, "{last:#}");
    let exchange = remedy(&last, "exchange");
    assert_eq!(exchange["until"], "2026-06-08", "{exchange:#}");
    assert_eq!(exchange["grounds"][0]["paid_by_customer"], true);
    assert!(decided_by(&last, "exchange", "CN-P9"));
    assert!(decided_by(&last, "exchange", "CN-P1"));
    let late = decide(taobao_exchange(
        "2026-06-01 15:20",
        "2026-06-09 00:01",
        json!({"name": "T恤"}),
    ));
    assert_eq!(late["requested"]["allowed"], false, "{late:#}");
    assert_eq!(remedy(&late, "exchange")["grounds"][0]["basis"], "late");
    assert!(decided_by(&late, "exchange", "CN-R6"));
}

#[test]
fn cn_p9_goods_excluded_from_the_no_reason_return_are_excluded_from_the_exchange() {
    let fresh = decide(taobao_exchange(
        "2026-06-01 10:00",
        "2026-06-02 10:00",
        json!({"name": "车厘子", "nature": ["perishable"]}),
    ));
    assert!(!allowed(&fresh, "exchange"), "{fresh:#}");
    assert_eq!(
        remedy(&fresh, "exchange")["grounds"][0]["basis"],
        "excluded"
    );
    let worn = decide(taobao_exchange(
        "2026-06-01 10:00",
        "2026-06-02 10:00",
        json!({"name": "T恤", "condition": ["used_beyond_inspection"]}),
    ));
    assert!(!allowed(&worn, "exchange"), "{worn:#}");
    // Not signed for yet: the window has not started, the exchange may be asked.
    let unsigned = decide(json!({
        "jurisdiction": "CN", "platform": "tmall", "kind": "exchange", "reason": "no_reason",
        "items": [{"name": "T恤"}], "dates": {"requested": "2026-06-02 10:00"}
    }));
    assert!(allowed(&unsigned, "exchange"), "{unsigned:#}");
}

/// CN-R22(d): the 15 days after the goods come back are a deadline with its date as soon as the
/// goods are back — not only a breach found afterwards — met on day 15, missed on day 16.
#[test]
fn cn_r22d_the_refund_penalty_threshold_is_a_date_ahead_of_time() {
    let returned = |refunded: Option<&str>| {
        let mut dates = json!({"signed": "2026-11-15 10:00", "requested": "2026-11-16 10:00",
                               "return_received": "2026-11-20 10:00"});
        if let Some(refunded) = refunded {
            dates["refunded"] = json!(refunded);
        }
        decide(json!({
            "jurisdiction": "CN", "platform": "own_store", "kind": "return_and_refund",
            "reason": "no_reason", "items": [{"name": "x"}], "dates": dates
        }))
    };
    // Evaluated on 22 November, two days after the goods came back: the date is known, the
    // outcome not yet.
    let ahead = returned(None);
    let threshold = deadline(&ahead, "refund_penalty_threshold");
    assert_eq!(threshold["last_day"], "2026-12-05", "{threshold:#}");
    assert!(threshold["met"].is_null(), "{threshold:#}");
    assert_eq!(strings(&threshold["rules"]), ["CN-R22(d)"]);
    assert_eq!(deadline(&ahead, "refund_due")["last_day"], "2026-11-27");
    let on_day_15 = returned(Some("2026-12-05 23:00"));
    assert_eq!(
        deadline(&on_day_15, "refund_penalty_threshold")["met"],
        true
    );
    let on_day_16 = returned(Some("2026-12-06 09:00"));
    assert_eq!(
        deadline(&on_day_16, "refund_penalty_threshold")["met"],
        false
    );
    assert_eq!(
        strings(&finding(&on_day_16, "seller_breach")["rules"]),
        ["CN-R22(d)"]
    );
}

/// Capability 3: an exclusion considered that does not bite, and a deduction withheld, are said
/// with their rule.
#[test]
fn what_does_not_apply_is_said_with_its_rule() {
    // A sealed DVD: the audio-visual exception needs it unsealed by the consumer (CN-R1(3)).
    let sealed = decide(no_reason_cn(
        "own_store",
        "2026-06-01 10:00",
        "2026-06-03 10:00",
        json!({"name": "DVD", "nature": ["audio_visual"], "sealed": true}),
    ));
    assert!(allowed(&sealed, "return_and_refund"), "{sealed:#}");
    assert!(
        strings(&finding(&sealed, "exclusion_not_applicable")["rules"])
            .contains(&"CN-R1(3)".to_string())
    );
    // EU: handled beyond checking, but the withdrawal information was not given: no deduction.
    let withdrawal = |informed: bool| {
        decide(json!({
            "jurisdiction": "EU", "kind": "return_and_refund", "reason": "no_reason",
            "items": [{"name": "shoes", "unit_price": "80.00", "condition": ["used_beyond_inspection"]}],
            "facts": {"withdrawal_information_given": informed},
            "dates": {"signed": "2026-06-01", "requested": "2026-06-05"}
        }))
    };
    let uninformed = withdrawal(false);
    assert_eq!(
        strings(&finding(&uninformed, "no_deduction_without_information")["rules"]),
        ["EU-R11"]
    );
    assert!(
        uninformed["refund"]["deductions"]
            .as_array()
            .is_none_or(|list| list.iter().all(|each| each["kind"] != "diminished_value")),
        "{uninformed:#}"
    );
    let informed = withdrawal(true);
    assert!(
        informed["refund"]["deductions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|each| each["kind"] == "diminished_value"),
        "{informed:#}"
    );
    assert!(!has_finding(&informed, "no_deduction_without_information"));
}

/// Capability 10: one fact, one field. `sealed: false` and `condition: ["seal_broken"]` are the
/// same fact for every exception that reads "unsealed"; saying both ways at once is refused.
#[test]
fn unsealed_is_one_fact_whichever_field_says_it() {
    let hygiene = |item: Value| {
        decide(json!({
            "jurisdiction": "EU", "kind": "return_and_refund", "reason": "no_reason",
            "items": [item], "dates": {"signed": "2026-06-01", "requested": "2026-06-05"}
        }))
    };
    let by_flag = hygiene(
        json!({"name": "lipstick", "unit_price": "20.00", "nature": ["hygiene_sealed"], "sealed": false}),
    );
    let by_condition = hygiene(
        json!({"name": "lipstick", "unit_price": "20.00", "nature": ["hygiene_sealed"], "condition": ["seal_broken"]}),
    );
    assert_eq!(
        allowed(&by_flag, "return_and_refund"),
        allowed(&by_condition, "return_and_refund")
    );
    assert!(
        !allowed(&by_condition, "return_and_refund"),
        "{by_condition:#}"
    );
    assert_eq!(
        remedy(&by_flag, "return_and_refund")["rules"],
        remedy(&by_condition, "return_and_refund")["rules"]
    );
    // Both ways at once: refused, naming the item.
    let now = "2026-11-22T00:00:00Z".parse().unwrap();
    let (output, decided) = aftersale::domain::policy::evaluate_json(
        &json!({
            "jurisdiction": "CN", "reason": "no_reason",
            "items": [{"name": "DVD", "sealed": true, "condition": ["seal_broken"]}]
        })
        .to_string(),
        now,
    );
    assert!(!decided);
    assert!(
        output.contains("items[0]") && output.contains("opposite"),
        "{output}"
    );
}

/// Capability 10, second half: days at repair extend the 三包 period the same whether given as
/// `history.repair_days` or `history.waiting_days` (they are one fact).
#[test]
fn days_at_repair_extend_the_period_whichever_field_gives_them() {
    let battery = |history: Value| {
        decide(json!({"jurisdiction": "CN", "reason": "quality",
            "items": [{"three_guarantees": "mobile_phone", "faulty_part": "battery"}],
            "history": history,
            "dates": {"invoiced": "2026-01-10", "signed": "2026-01-11", "fault_found": "2026-08-01"}}))
    };
    let none = battery(json!({}));
    let waited = battery(json!({"waiting_days": 35}));
    let repaired = battery(json!({"repair_days": 35, "repair_delay": "repairer"}));
    let both = battery(json!({"repair_days": 35, "waiting_days": 35, "repair_delay": "repairer"}));
    let last = |decision: &Value| deadline(decision, "three_guarantees")["last_day"].clone();
    assert_eq!(last(&none), "2026-07-10");
    assert_eq!(last(&waited), "2026-08-14", "{waited:#}");
    assert_eq!(last(&repaired), last(&waited));
    assert_eq!(last(&both), last(&waited), "counted once, not twice");
}

/// Capability 5: a regular delivery over a period (a subscription) runs the EU withdrawal period
/// from the first good; goods ordered together and delivered separately, from the last.
#[test]
fn eu_r2_a_regular_delivery_runs_from_the_first_good() {
    let boxes = |regular: bool, requested: &str| {
        decide(json!({
            "jurisdiction": "EU", "kind": "return_and_refund", "reason": "no_reason",
            "facts": {"regular_delivery": regular},
            "items": [
                {"name": "coffee box 1", "unit_price": "20.00", "delivered": "2026-03-02"},
                {"name": "coffee box 2", "unit_price": "20.00", "delivered": "2026-03-09"},
                {"name": "coffee box 3", "unit_price": "20.00", "delivered": "2026-03-16"}
            ],
            "dates": {"requested": requested}
        }))
    };
    // From the first box (2 March): day 14 is Monday 16 March.
    let on_day_14 = boxes(true, "2026-03-16 20:00");
    assert!(allowed(&on_day_14, "return_and_refund"), "{on_day_14:#}");
    assert_eq!(deadline(&on_day_14, "withdrawal")["last_day"], "2026-03-16");
    assert!(decided_by(&on_day_14, "return_and_refund", "EU-R2"));
    let on_day_15 = boxes(true, "2026-03-17 09:00");
    assert!(!allowed(&on_day_15, "return_and_refund"), "{on_day_15:#}");
    // Delivered separately but not a subscription: from the last box (16 March).
    let separate = boxes(false, "2026-03-17 09:00");
    assert!(allowed(&separate, "return_and_refund"), "{separate:#}");
    assert_eq!(deadline(&separate, "withdrawal")["last_day"], "2026-03-30");
}
