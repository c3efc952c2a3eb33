//! Contract terms the law allows within limits (issue 19, capability 9): a shorter legal
//! guarantee agreed for second-hand goods and each EU member state's options — a longer period
//! or one for the goods' lifespan, a two-year presumption, whether and how far second-hand
//! periods may be shortened. The engine says whether the shop's term is valid.

mod policy;
use policy::*;

fn eu_fault(region: &str, item: Value, fault_found: &str) -> Value {
    json!({
        "jurisdiction": "EU", "region": region, "reason": "quality", "kind": "repair",
        "items": [item],
        "dates": {"delivered": "2026-03-02", "fault_found": fault_found, "requested": fault_found}
    })
}

#[test]
fn eu_r13_germany_lets_a_second_hand_sale_agree_one_year() {
    let item =
        json!({"name": "Used bike", "nature": ["second_hand"], "agreed_guarantee_months": 12});
    let decision = decide(eu_fault("DE", item.clone(), "2027-03-02"));
    finding(&decision, "agreed_period_valid");
    assert_eq!(
        deadline(&decision, "legal_guarantee")["last_day"],
        "2027-03-02"
    );
    assert!(
        allowed(&decision, "repair"),
        "the last day of the agreed year"
    );
    let decision = decide(eu_fault("DE", item, "2027-03-03"));
    assert!(!allowed(&decision, "repair"));
    assert!(decided_by(&decision, "repair", "EU-R13"));
}

#[test]
fn eu_r13_a_shorter_period_for_new_goods_or_under_the_minimum_is_void() {
    let new = json!({"name": "Bike", "agreed_guarantee_months": 12});
    let decision = decide(eu_fault("DE", new, "2027-06-01"));
    finding(&decision, "agreed_period_invalid");
    assert_eq!(
        deadline(&decision, "legal_guarantee")["last_day"],
        "2028-03-02"
    );
    assert!(allowed(&decision, "repair"));
    let six = json!({"name": "Used bike", "nature": ["second_hand"], "agreed_guarantee_months": 6});
    let decision = decide(eu_fault("DE", six, "2026-12-01"));
    let void = finding(&decision, "agreed_period_invalid");
    assert!(
        void["explanation"]["en-US"]
            .as_str()
            .unwrap()
            .contains("12 months")
    );
    assert!(allowed(&decision, "repair"));
}

#[test]
fn eu_r13_portugal_allows_eighteen_months_and_france_no_shortening() {
    let agreed = |months: u32| json!({"name": "Used phone", "nature": ["second_hand"], "agreed_guarantee_months": months});
    let decision = decide(eu_fault("PT", agreed(12), "2027-06-01"));
    finding(&decision, "agreed_period_invalid");
    assert_eq!(
        deadline(&decision, "legal_guarantee")["last_day"],
        "2029-03-02",
        "Portugal: 3 years"
    );
    let decision = decide(eu_fault("PT", agreed(18), "2027-06-01"));
    finding(&decision, "agreed_period_valid");
    assert_eq!(
        deadline(&decision, "legal_guarantee")["last_day"],
        "2027-09-02"
    );
    let decision = decide(eu_fault("FR", agreed(12), "2027-06-01"));
    let void = finding(&decision, "agreed_period_invalid");
    assert!(
        void["explanation"]["en-US"]
            .as_str()
            .unwrap()
            .contains("does not allow")
    );
    flag(&decision, "member_state_options_unverified");
}

#[test]
fn eu_r14_the_presumption_follows_the_member_state() {
    // Month 18 after delivery: Spain presumes 2 years, Germany 1.
    let item = json!({"name": "Kettle"});
    let spain = decide(eu_fault("ES", item.clone(), "2027-09-01"));
    assert_eq!(spain["burden_of_proof"]["party"], "seller");
    let germany = decide(eu_fault("DE", item.clone(), "2027-09-01"));
    assert_eq!(germany["burden_of_proof"]["party"], "buyer");
    // France: two years for new goods, one for second-hand.
    let used = json!({"name": "Used kettle", "nature": ["second_hand"]});
    assert_eq!(
        decide(eu_fault("FR", item, "2027-09-01"))["burden_of_proof"]["party"],
        "seller"
    );
    assert_eq!(
        decide(eu_fault("FR", used, "2027-09-01"))["burden_of_proof"]["party"],
        "buyer"
    );
}

#[test]
fn eu_r13_longer_national_periods_and_the_lifespan() {
    let item = json!({"name": "Washing machine"});
    // Sweden: 3 years — a fault in month 30 is covered.
    let decision = decide(eu_fault("SE", item.clone(), "2028-09-01"));
    assert_eq!(
        deadline(&decision, "legal_guarantee")["last_day"],
        "2029-03-02"
    );
    assert!(allowed(&decision, "repair"));
    // The Netherlands: the expected lifespan, no fixed end; a shop's 24 months is void there.
    let mut request = eu_fault("NL", item, "2029-09-01");
    request["shop_policy"] = json!({"guarantee_months": 24});
    let decision = decide(request);
    finding(&decision, "guarantee_by_lifespan");
    finding(&decision, "shop_policy_invalid");
    assert!(allowed(&decision, "repair"));
    assert!(
        decision["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|each| each["name"] != "legal_guarantee")
    );
}

#[test]
fn eu_r13_a_shop_term_shorter_than_the_member_states_period_is_void() {
    let mut request = eu_fault("ES", json!({"name": "Kettle"}), "2028-06-01");
    request["shop_policy"] = json!({"guarantee_months": 24});
    let decision = decide(request.clone());
    let void = finding(&decision, "shop_policy_invalid");
    assert!(
        void["explanation"]["en-US"]
            .as_str()
            .unwrap()
            .contains("36 months")
    );
    assert!(allowed(&decision, "repair"), "month 27 in Spain");
    request["shop_policy"] = json!({"guarantee_months": 36});
    assert!(!has_finding(&decide(request), "shop_policy_invalid"));
}

#[test]
fn the_shops_own_reading_of_national_law_replaces_the_table() {
    let mut request = eu_fault("DE", json!({"name": "Kettle"}), "2027-09-01");
    request["shop_policy"] =
        json!({"national_rules": {"guarantee_months": 24, "presumption_months": 24}});
    let decision = decide(request.clone());
    assert_eq!(decision["burden_of_proof"]["party"], "seller");
    assert!(!has_flag(&decision, "member_state_options_unverified"));
    request["shop_policy"] =
        json!({"national_rules": {"guarantee_months": 12, "presumption_months": 12}});
    assert!(refused(request.clone()).contains("at least 24"));
    request["shop_policy"] = json!({"presumption_years": 2, "national_rules": {"guarantee_months": 24, "presumption_months": 24}});
    assert!(refused(request).contains("presumption_years"));
}

#[test]
fn without_a_member_state_the_directives_minimum_is_said() {
    let mut request = eu_fault("DE", json!({"name": "Kettle"}), "2027-01-01");
    request.as_object_mut().unwrap().remove("region");
    let decision = decide(request);
    flag(&decision, "member_state_unknown");
    assert_eq!(
        deadline(&decision, "legal_guarantee")["last_day"],
        "2028-03-02"
    );
}
