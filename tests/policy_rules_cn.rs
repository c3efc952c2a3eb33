//! China, rule by rule (`shared/data/policy/rules-cn.md`): for each rule id, a scenario at each
//! of its boundaries, written from the rule's text. The public scenarios (CN-01 …) are in
//! `policy_scenarios.rs`; what they already pin down is not repeated here.

mod policy;
use policy::*;

fn cn(platform: &str, reason: &str, item: Value, dates: Value) -> Value {
    json!({
        "jurisdiction": "CN", "platform": platform, "reason": reason, "kind": "return_and_refund",
        "items": [item], "dates": dates
    })
}

fn deduction<'a>(decision: &'a Value, kind: &str) -> Option<&'a Value> {
    decision["refund"]["deductions"]
        .as_array()
        .and_then(|list| list.iter().find(|each| each["kind"] == kind))
}

#[test]
fn cn_r2_goods_unsuitable_by_nature_are_excluded_only_when_confirmed_at_purchase() {
    let item = |confirmed: bool| {
        json!({"name": "内衣", "category": "clothing", "nature": ["hygiene_sealed"],
               "sealed": false, "confirmed_non_returnable": confirmed})
    };
    let dates = json!({"signed": "2026-06-01", "requested": "2026-06-03"});
    let decision = decide(cn("own_store", "no_reason", item(true), dates.clone()));
    assert!(!allowed(&decision, "return_and_refund"));
    let decision = decide(cn("own_store", "no_reason", item(false), dates));
    assert!(
        allowed(&decision, "return_and_refund"),
        "not confirmed at purchase: CN-R9"
    );
    assert!(cites(&decision, "CN-R9"));
}

#[test]
fn cn_r3_r14_the_refund_is_due_7_days_after_the_goods_come_back() {
    let mut request = cn(
        "own_store",
        "no_reason",
        json!({"name": "T恤", "unit_price": "99.00"}),
        json!({"signed": "2026-06-01", "requested": "2026-06-03", "return_received": "2026-06-10",
               "refunded": "2026-06-17"}),
    );
    let decision = decide(request.clone());
    let due = deadline(&decision, "refund_due");
    assert_eq!(due["last_day"], "2026-06-17");
    assert_eq!(due["met"], true);
    assert!(
        strings(&due["rules"])
            .iter()
            .any(|id| id == "CN-R14" || id == "CN-R3")
    );
    request["dates"]["refunded"] = json!("2026-06-18");
    assert_eq!(deadline(&decide(request), "refund_due")["met"], false);
    // The buyer pays the return freight without an agreement (CN-R3).
}

#[test]
fn cn_r4_a_faulty_item_goes_back_within_7_days_of_receipt_at_the_sellers_cost() {
    let item = json!({"name": "电水壶", "category": "household", "unit_price": "89.00"});
    let day = |requested: &str| {
        cn(
            "own_store",
            "quality",
            item.clone(),
            json!({"signed": "2026-06-01", "requested": requested}),
        )
    };
    let decision = decide(day("2026-06-08"));
    assert!(allowed(&decision, "return_and_refund"), "day 7");
    assert!(decided_by(&decision, "return_and_refund", "CN-R4"));
    assert_eq!(decision["freight"]["return"], "seller");
    let decision = decide(day("2026-06-09"));
    assert!(
        !allowed(&decision, "return_and_refund"),
        "day 8 without grounds to end the contract"
    );
    assert!(allowed(&decision, "exchange"));
    assert!(allowed(&decision, "repair"));
    let mut request = day("2026-06-09");
    request["facts"] = json!({"termination_grounds": true});
    assert!(
        allowed(&decide(request), "return_and_refund"),
        "day 8 with grounds to end it"
    );
}

#[test]
fn cn_r5_the_seller_proves_for_durable_goods_for_6_months_from_receipt() {
    let request = |found: &str| {
        let mut request = cn(
            "own_store",
            "quality",
            json!({"name": "电视", "category": "electronics", "nature": ["durable"]}),
            json!({"signed": "2026-01-10", "fault_found": found, "requested": found}),
        );
        request["facts"] = json!({"cause_disputed": true});
        request
    };
    let decision = decide(request("2026-07-10"));
    assert_eq!(decision["burden_of_proof"]["party"], "seller");
    assert_eq!(strings(&decision["burden_of_proof"]["rules"]), ["CN-R5"]);
    let decision = decide(request("2026-07-11"));
    assert_eq!(decision["burden_of_proof"]["party"], "buyer");
}

#[test]
fn cn_r5b_fraud_is_three_times_the_price_and_at_least_500_yuan() {
    let fraud = |paid: &str| {
        let mut request = cn(
            "own_store",
            "not_as_described",
            json!({"name": "假冒耳机", "unit_price": paid}),
            json!({"signed": "2026-06-01", "requested": "2026-06-03"}),
        );
        request["money"] = json!({"payments": [{"method": "alipay", "amount": paid}]});
        request["facts"] = json!({"fraud": true});
        decide(request)
    };
    assert_eq!(fraud("166.00")["compensation"]["amount"], "500.00");
    assert_eq!(fraud("167.00")["compensation"]["amount"], "501.00");
    assert_eq!(
        strings(&fraud("100.00")["compensation"]["rules"]),
        ["CN-R5b"]
    );
}

#[test]
fn cn_r10_opening_the_package_to_inspect_keeps_the_goods_intact() {
    let decision = decide(cn(
        "own_store",
        "no_reason",
        json!({"name": "蓝牙音箱", "category": "electronics", "condition": ["opened_for_inspection"]}),
        json!({"signed": "2026-06-01", "requested": "2026-06-04"}),
    ));
    assert!(allowed(&decision, "return_and_refund"));
    assert!(has_finding(&decision, "intact_after_inspection"));
}

#[test]
fn cn_r11_1_a_broken_single_use_seal_on_cosmetics_is_not_intact_an_intact_one_is() {
    let item =
        |condition: Value| json!({"name": "面霜", "category": "cosmetics", "condition": condition});
    let dates = json!({"signed": "2026-06-01", "requested": "2026-06-03"});
    let decision = decide(cn(
        "own_store",
        "no_reason",
        item(json!(["seal_broken"])),
        dates.clone(),
    ));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R11(1)"));
    let decision = decide(cn("own_store", "no_reason", item(json!([])), dates));
    assert!(allowed(&decision, "return_and_refund"));
}

#[test]
fn cn_r11_3_soiled_shoes_are_not_intact() {
    let decision = decide(cn(
        "own_store",
        "no_reason",
        json!({"name": "运动鞋", "category": "shoes", "condition": ["soiled"]}),
        json!({"signed": "2026-06-01", "requested": "2026-06-03"}),
    ));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(decided_by(&decision, "return_and_refund", "CN-R11(3)"));
}

#[test]
fn cn_r13_a_gift_not_returned_costs_its_marked_price_and_nothing_without_one() {
    let mut request = cn(
        "own_store",
        "no_reason",
        json!({"name": "吹风机", "unit_price": "299.00"}),
        json!({"signed": "2026-06-01", "requested": "2026-06-03"}),
    );
    request["money"] = json!({"payments": [{"method": "alipay", "amount": "299.00"}],
                              "gifts": [{"name": "收纳包", "value": "19.00", "returned": false}]});
    let decision = decide(request.clone());
    assert!(
        allowed(&decision, "return_and_refund"),
        "a missing gift never blocks the return"
    );
    assert_eq!(
        deduction(&decision, "gift_not_returned").unwrap()["amount"],
        "19.00"
    );
    assert_eq!(decision["refund"]["amount"], "280.00");
    // No price marked in advance: nothing may be charged (CN-R13 allows only the marked price).
    request["money"]["gifts"] = json!([{"name": "收纳包", "returned": false}]);
    let decision = decide(request);
    assert_eq!(decision["refund"]["amount"], "299.00");
}

#[test]
fn cn_p11_on_taobao_a_gift_without_a_declared_value_is_priced_by_the_platform() {
    let mut request = cn(
        "taobao",
        "no_reason",
        json!({"name": "吹风机", "unit_price": "299.00"}),
        json!({"signed": "2026-06-01", "requested": "2026-06-03"}),
    );
    request["money"] = json!({"payments": [{"method": "alipay", "amount": "299.00"}],
                              "gifts": [{"name": "收纳包", "returned": false}]});
    let decision = decide(request);
    let gift = deduction(&decision, "gift_not_returned").expect("the gift is named");
    assert!(
        gift["amount"].is_null(),
        "assessed at a fair market price: {gift}"
    );
    assert!(strings(&gift["rules"]).contains(&"CN-P11".to_string()));
    assert_eq!(
        decision["refund"]["amount"], "299.00",
        "an unassessed amount is not subtracted"
    );
}

#[test]
fn cn_r22_c_not_processing_a_return_request_for_more_than_15_days() {
    let request = |processed: &str| {
        cn(
            "own_store",
            "no_reason",
            json!({"name": "T恤"}),
            json!({"signed": "2026-06-01", "requested": "2026-06-02", "request_processed": processed}),
        )
    };
    let decision = decide(request("2026-06-17"));
    assert_eq!(deadline(&decision, "process_return_request")["met"], true);
    let decision = decide(request("2026-06-18"));
    assert_eq!(deadline(&decision, "process_return_request")["met"], false);
    assert!(has_finding(&decision, "seller_breach"));
}

#[test]
fn cn_r23_a_quality_return_is_not_barred_by_the_no_reason_exclusions() {
    let decision = decide(cn(
        "own_store",
        "quality",
        json!({"name": "樱桃", "category": "food", "nature": ["perishable"]}),
        json!({"signed": "2026-06-01", "requested": "2026-06-02"}),
    ));
    assert!(
        allowed(&decision, "return_and_refund"),
        "rotten cherries go back under CN-R4"
    );
    assert!(decided_by(&decision, "return_and_refund", "CN-R4"));
}

fn three_guarantees(product: &str, invoiced: &str, found: &str) -> Value {
    json!({
        "jurisdiction": "CN", "platform": "own_store", "reason": "quality",
        "items": [{"name": product, "three_guarantees": product}],
        "dates": {"invoiced": invoiced, "signed": invoiced, "fault_found": found, "requested": found},
        "shop_policy": {"three_guarantees_start": "invoice"}
    })
}

#[test]
fn cn_r26_r27_the_7_and_15_days_from_sale() {
    let day7 = decide(three_guarantees(
        "washing_machine",
        "2026-06-01",
        "2026-06-08",
    ));
    assert!(allowed(&day7, "return_and_refund"));
    assert!(decided_by(&day7, "return_and_refund", "CN-R26"));
    let day8 = decide(three_guarantees(
        "washing_machine",
        "2026-06-01",
        "2026-06-09",
    ));
    assert!(!allowed(&day8, "return_and_refund"));
    assert!(allowed(&day8, "exchange"));
    assert!(decided_by(&day8, "exchange", "CN-R27"));
    let day15 = decide(three_guarantees(
        "washing_machine",
        "2026-06-01",
        "2026-06-16",
    ));
    assert!(allowed(&day15, "exchange"));
    let day16 = decide(three_guarantees(
        "washing_machine",
        "2026-06-01",
        "2026-06-17",
    ));
    assert!(!decided_by(&day16, "exchange", "CN-R27") || !allowed(&day16, "exchange"));
    assert!(allowed(&day16, "repair"));
}

#[test]
fn cn_r28_still_unusable_after_two_repairs_is_exchanged_free() {
    let mut request = three_guarantees("refrigerator", "2026-01-10", "2026-08-01");
    request["history"] = json!({"repairs": 2, "still_faulty": true, "same_model_available": true});
    let decision = decide(request.clone());
    assert!(allowed(&decision, "exchange"));
    assert!(decided_by(&decision, "exchange", "CN-R28"));
    request["history"]["repairs"] = json!(1);
    let decision = decide(request);
    assert!(!decided_by(&decision, "exchange", "CN-R28") || !allowed(&decision, "exchange"));
}

#[test]
fn cn_r30_no_parts_for_more_than_90_days_means_a_free_exchange() {
    let mut request = three_guarantees("tv", "2026-01-10", "2026-08-01");
    request["history"] = json!({"repair_days": 91, "repair_delay": "parts"});
    let decision = decide(request.clone());
    assert!(allowed(&decision, "exchange"));
    assert!(decided_by(&decision, "exchange", "CN-R30"));
    request["history"]["repair_days"] = json!(90);
    let decision = decide(request);
    assert!(!decided_by(&decision, "exchange", "CN-R30") || !allowed(&decision, "exchange"));
}

#[test]
fn cn_r31_a_repairer_taking_more_than_30_days_exchanges() {
    let mut request = three_guarantees("tv", "2026-01-10", "2026-08-01");
    request["history"] = json!({"repair_days": 31, "repair_delay": "repairer"});
    assert!(decided_by(&decide(request.clone()), "exchange", "CN-R31"));
    request["history"]["repair_days"] = json!(30);
    let decision = decide(request);
    assert!(!decided_by(&decision, "exchange", "CN-R31") || !allowed(&decision, "exchange"));
}

#[test]
fn cn_r33_the_period_restarts_after_an_exchange() {
    // Invoiced 2025-01-10: a whole-unit year ends 2026-01-10; exchanged 2025-12-01 → 2026-12-01.
    let mut request = three_guarantees("washing_machine", "2025-01-10", "2026-06-01");
    let decision = decide(request.clone());
    assert!(has_finding(&decision, "outside_three_guarantees"));
    assert_eq!(
        remedy(&decision, "repair")["grounds"][0]["paid_by_customer"],
        true
    );
    request["dates"]["exchanged"] = json!("2025-12-01");
    let decision = decide(request);
    assert!(allowed(&decision, "repair"));
    assert!(
        remedy(&decision, "repair")["grounds"][0]["paid_by_customer"].is_null(),
        "free again"
    );
    assert_eq!(
        deadline(&decision, "three_guarantees")["last_day"],
        "2026-12-01"
    );
}

#[test]
fn cn_r35_without_an_invoice_there_is_no_three_guarantees() {
    let mut request = three_guarantees("washing_machine", "2026-03-01", "2026-06-01");
    request["facts"] = json!({"has_invoice": false});
    let decision = decide(request);
    assert!(has_finding(&decision, "three_guarantees_not_applicable"));
}

#[test]
fn cn_p3_the_return_parcel_in_transit() {
    let mut request = cn(
        "taobao",
        "no_reason",
        json!({"name": "花瓶"}),
        json!({"signed": "2026-06-01", "requested": "2026-06-03"}),
    );
    request["facts"] = json!({"transit_damage": "broken"});
    assert!(has_finding(&decide(request.clone()), "transit_risk_seller"));
    request["facts"] = json!({"transit_damage": "lost"});
    assert!(has_finding(&decide(request), "transit_risk_buyer"));
}

#[test]
fn cn_p4_shipped_but_not_signed_the_buyer_is_refunded_after_interception() {
    let mut request = cn(
        "taobao",
        "not_received",
        json!({"name": "台灯", "unit_price": "59.00"}),
        json!({"shipped": "2026-06-01", "requested": "2026-06-02"}),
    );
    request["kind"] = json!("refund_only");
    request["money"] = json!({"payments": [{"method": "alipay", "amount": "59.00"}]});
    let decision = decide(request);
    assert!(allowed(&decision, "refund_only"));
    assert!(decided_by(&decision, "refund_only", "CN-P4"));
}

#[test]
fn cn_p6_refusing_delivery() {
    let mut request = cn(
        "taobao",
        "no_reason",
        json!({"name": "T恤"}),
        json!({"shipped": "2026-06-01", "requested": "2026-06-02"}),
    );
    request["facts"] = json!({"delivery_refused": true});
    let decision = decide(request.clone());
    assert!(allowed(&decision, "refund_only"));
    assert!(decided_by(&decision, "refund_only", "CN-P6"));
    request["items"] = json!([{"name": "定制T恤", "nature": ["custom_made"]}]);
    let decision = decide(request);
    assert!(
        !allowed(&decision, "refund_only"),
        "an item without 7-day return: paid to the seller"
    );
}

#[test]
fn cn_p7_an_agreement_before_taobao_steps_in_without_freight_terms_is_at_the_sellers_cost() {
    let mut request = cn(
        "taobao",
        "quality",
        json!({"name": "外套"}),
        json!({"signed": "2026-06-01", "requested": "2026-06-20"}),
    );
    request["kind"] = json!("exchange");
    request["facts"] = json!({"platform_intervened": false});
    let decision = decide(request);
    assert_eq!(decision["freight"]["return"], "seller");
}

#[test]
fn cn_p14_a_suspended_dispute_resumes_after_30_days() {
    let mut request = cn(
        "taobao",
        "quality",
        json!({"name": "外套"}),
        json!({"signed": "2026-06-01", "requested": "2026-06-05", "suspended": "2026-06-10"}),
    );
    request["kind"] = json!("return_and_refund");
    let decision = decide(request);
    let period = deadline(&decision, "negotiation_suspension");
    assert_eq!(period["last_day"], "2026-07-10");
    assert_eq!(strings(&period["rules"]), ["CN-P14"]);
}

fn jd(dates: Value) -> Value {
    json!({"jurisdiction": "CN", "platform": "jd", "reason": "quality", "kind": "return_and_refund",
           "items": [{"name": "电饭煲"}], "dates": dates})
}

#[test]
fn cn_p20_the_consumer_may_ask_jd_in_after_24_hours() {
    let decision = decide(jd(
        json!({"signed": "2026-06-01", "requested": "2026-06-05 10:00"}),
    ));
    let due = deadline(&decision, "merchant_first_answer");
    assert_eq!(due["ends_before"], "2026-06-06T10:00:00+08:00");
}

#[test]
fn cn_p21_intervention_within_15_natural_days_of_the_rejection() {
    let request = |asked: &str| {
        jd(
            json!({"signed": "2026-05-20", "requested": "2026-05-25", "rejected": "2026-06-01",
                  "intervention_requested": asked}),
        )
    };
    assert_eq!(
        deadline(&decide(request("2026-06-16")), "platform_intervention")["met"],
        true
    );
    let late = decide(request("2026-06-17"));
    assert_eq!(deadline(&late, "platform_intervention")["met"], false);
    assert!(has_finding(&late, "intervention_window_missed"));
}

#[test]
fn cn_p24_p25_execution_within_24_hours_and_appeal_within_7_natural_days() {
    let decision = decide(jd(
        json!({"signed": "2026-05-20", "requested": "2026-05-25",
                                    "platform_decided": "2026-06-01 15:00", "dispute_closed": "2026-06-02"}),
    ));
    assert_eq!(
        deadline(&decision, "merchant_execution")["ends_before"],
        "2026-06-02T15:00:00+08:00"
    );
    assert_eq!(deadline(&decision, "appeal")["last_day"], "2026-06-09");
}

/// Per item inside one order: the law excludes goods, not orders.
fn two_items(first: Value, second: Value) -> Value {
    json!({
        "jurisdiction": "CN", "platform": "tmall", "reason": "no_reason", "kind": "return_and_refund",
        "items": [first, second],
        "money": {"payments": [{"method": "alipay", "amount": "300.00"}]},
        "dates": {"signed": "2026-06-01", "requested": "2026-06-03"}
    })
}

#[test]
fn an_excluded_item_does_not_take_the_rest_of_the_order_with_it() {
    let decision = decide(two_items(
        json!({"name": "定制T恤", "nature": ["custom_made"], "unit_price": "100.00"}),
        json!({"name": "牛仔裤", "unit_price": "200.00"}),
    ));
    let items = decision["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["allowed"], false);
    assert!(strings(&items[0]["rules"]).contains(&"CN-R1(1)".to_string()));
    assert_eq!(items[1]["allowed"], true);
    assert!(allowed(&decision, "return_and_refund"), "the jeans go back");
    finding(&decision, "partly_allowed");
    assert_eq!(
        decision["refund"]["amount"], "200.00",
        "only the jeans' share"
    );
    // Both excluded: refused, each saying why.
    let decision = decide(two_items(
        json!({"name": "定制T恤", "nature": ["custom_made"], "unit_price": "100.00"}),
        json!({"name": "樱桃", "nature": ["perishable"], "unit_price": "200.00"}),
    ));
    assert!(!allowed(&decision, "return_and_refund"));
    assert!(
        decision["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item["allowed"] == false)
    );
    // One item alone: no per-item list.
    let single = decide(cn(
        "tmall",
        "no_reason",
        json!({"name": "牛仔裤"}),
        json!({"signed": "2026-06-01", "requested": "2026-06-03"}),
    ));
    assert!(single["items"].as_array().unwrap().is_empty());
}

#[test]
fn a_not_intact_item_is_refused_alone() {
    let decision = decide(two_items(
        json!({"name": "面霜", "category": "cosmetics", "condition": ["seal_broken"], "unit_price": "100.00"}),
        json!({"name": "洗面奶", "category": "cosmetics", "unit_price": "200.00"}),
    ));
    assert!(allowed(&decision, "return_and_refund"));
    assert_eq!(decision["items"][0]["allowed"], false);
    assert!(strings(&decision["items"][0]["rules"]).contains(&"CN-R11(1)".to_string()));
    assert_eq!(decision["refund"]["amount"], "200.00");
}
