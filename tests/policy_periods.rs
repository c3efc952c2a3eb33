//! Each period counted the way its own text counts (issue 19, capabilities 6 and 7): "N days
//! after X" leaves X out, "N days beginning with X" counts it; the UK's refund after the trader
//! agrees; late withdrawal information; the US Mail Order Rule after the shipping date, on
//! working days that skip federal holidays. Each at both of its boundaries.

mod policy;
use policy::*;

fn uk_quality(delivered: &str, requested: &str) -> Value {
    json!({
        "jurisdiction": "UK", "reason": "quality", "kind": "return_and_refund",
        "items": [{"name": "Kettle", "unit_price": "40.00"}],
        "money": {"currency": "GBP", "payments": [{"method": "card", "amount": "40.00"}]},
        "dates": {"delivered": delivered, "requested": requested}
    })
}

#[test]
fn uk_r6_refund_within_14_days_beginning_with_the_day_the_trader_agrees() {
    let mut request = uk_quality("2026-06-01", "2026-06-10");
    request["dates"]["refund_agreed"] = json!("2026-06-12");
    request["dates"]["refunded"] = json!("2026-06-25");
    let decision = decide(request.clone());
    let due = deadline(&decision, "refund_due");
    assert_eq!(due["starts"], "2026-06-12");
    assert_eq!(due["last_day"], "2026-06-25", "the agreeing day is day 1");
    assert_eq!(due["counting"], "days_beginning_with");
    assert_eq!(due["met"], true);
    assert_eq!(strings(&due["rules"]), ["UK-R6"]);

    request["dates"]["refunded"] = json!("2026-06-26");
    assert_eq!(deadline(&decide(request), "refund_due")["met"], false);
}

#[test]
fn uk_r5_thirty_days_beginning_with_the_day_after_delivery_at_both_ends() {
    let decision = decide(uk_quality("2026-03-02", "2026-04-01"));
    let period = deadline(&decision, "short_term_reject");
    assert_eq!(period["starts"], "2026-03-03");
    assert_eq!(period["last_day"], "2026-04-01");
    assert!(allowed(&decision, "return_and_refund"));
    let decision = decide(uk_quality("2026-03-02", "2026-04-02"));
    assert!(!allowed(&decision, "return_and_refund"));
}

fn withdrawal(jurisdiction: &str, delivered: &str, requested: &str) -> Value {
    json!({
        "jurisdiction": jurisdiction, "reason": "no_reason", "kind": "return_and_refund",
        "items": [{"name": "Shoes", "unit_price": "80.00"}],
        "dates": {"delivered": delivered, "requested": requested}
    })
}

#[test]
fn uk_r1_fourteen_days_after_possession_end_on_a_sunday_without_extension() {
    // Delivered Sunday 2026-03-01: day 14 is Sunday 03-15. The UK regulations move no end.
    let decision = decide(withdrawal("UK", "2026-03-01", "2026-03-15"));
    let period = deadline(&decision, "withdrawal");
    assert_eq!(period["last_day"], "2026-03-15");
    assert_eq!(period["counting"], "days_after");
    assert!(allowed(&decision, "return_and_refund"));
    assert!(!allowed(
        &decide(withdrawal("UK", "2026-03-01", "2026-03-16")),
        "return_and_refund"
    ));
    // The EU counts by Regulation 1182/71: a Sunday end moves to Monday (EU-R3).
    let decision = decide(withdrawal("EU", "2026-03-01", "2026-03-16"));
    assert_eq!(deadline(&decision, "withdrawal")["last_day"], "2026-03-16");
    assert!(allowed(&decision, "return_and_refund"));
}

#[test]
fn uk_r1_information_given_late_runs_14_days_past_the_twelve_months() {
    // Delivered 2026-03-02: the 12 months end on 2027-03-16. Information given on 2027-03-10
    // makes the period end 14 days after it, 2027-03-24, past the 12 months.
    let mut request = withdrawal("UK", "2026-03-02", "2027-03-24");
    request["facts"] = json!({"withdrawal_information_given": false});
    request["dates"]["withdrawal_information_given"] = json!("2027-03-10");
    let decision = decide(request.clone());
    assert_eq!(deadline(&decision, "withdrawal")["last_day"], "2027-03-24");
    assert!(allowed(&decision, "return_and_refund"));
    request["dates"]["requested"] = json!("2027-03-25");
    assert!(!allowed(&decide(request.clone()), "return_and_refund"));
    // Given after the 12 months ran out, it revives nothing.
    request["dates"]["withdrawal_information_given"] = json!("2027-03-17");
    request["dates"]["requested"] = json!("2027-03-20");
    let decision = decide(request);
    assert_eq!(deadline(&decision, "withdrawal")["last_day"], "2027-03-16");
    assert!(!allowed(&decision, "return_and_refund"));
}

#[test]
fn eu_r4_information_given_early_runs_14_days_from_receiving_it() {
    let mut request = withdrawal("EU", "2026-03-02", "2026-03-24");
    request["facts"] = json!({"withdrawal_information_given": false});
    request["dates"]["withdrawal_information_given"] = json!("2026-03-10");
    let decision = decide(request.clone());
    assert_eq!(deadline(&decision, "withdrawal")["last_day"], "2026-03-24");
    assert!(allowed(&decision, "return_and_refund"));
    request["dates"]["requested"] = json!("2026-03-25");
    assert!(!allowed(&decide(request), "return_and_refund"));
}

#[test]
fn uk_r2_refund_runs_from_the_earlier_of_goods_back_and_proof_of_sending() {
    let mut request = withdrawal("UK", "2026-03-02", "2026-03-05");
    request["dates"]["return_shipped"] = json!("2026-03-06");
    request["dates"]["return_received"] = json!("2026-03-12");
    let decision = decide(request);
    assert_eq!(deadline(&decision, "refund_due")["last_day"], "2026-03-20");
}

fn us_order(ordered: &str, as_of: &str) -> Value {
    json!({
        "jurisdiction": "US", "reason": "not_received", "kind": "refund_only",
        "items": [{"name": "Lamp", "unit_price": "60.00"}],
        "money": {"currency": "USD", "payments": [{"method": "cash", "amount": "60.00"}]},
        "dates": {"ordered": ordered, "as_of": as_of}
    })
}

#[test]
fn us_r1_shipping_on_the_thirtieth_day_is_in_time_the_next_is_not() {
    let mut request = us_order("2026-06-01", "2026-07-05");
    request["dates"]["shipped"] = json!("2026-07-01");
    let decision = decide(request.clone());
    let ship_by = deadline(&decision, "ship_by");
    assert_eq!(ship_by["last_day"], "2026-07-01");
    assert_eq!(ship_by["met"], true);
    request["dates"]["shipped"] = json!("2026-07-02");
    let decision = decide(request);
    assert_eq!(deadline(&decision, "ship_by")["met"], false);
    assert_eq!(deadline(&decision, "delay_notice")["met"], false);
    assert_eq!(
        strings(&finding(&decision, "delay_option_not_offered")["rules"]),
        ["US-R1"]
    );
}

#[test]
fn us_r1_not_shipped_and_no_option_offered_is_cancelled_and_refunded_on_working_days() {
    // Not shipped by 07-01 and no delay notice: the order counts as cancelled that day. Cash:
    // 7 working days, and Friday 07-03 (Independence Day observed) is not one → 07-13.
    let decision = decide(us_order("2026-06-01", "2026-07-02"));
    assert_eq!(deadline(&decision, "ship_by")["met"], false);
    finding(&decision, "deemed_cancelled");
    assert!(allowed(&decision, "refund_only"));
    let due = deadline(&decision, "refund_due");
    assert_eq!(due["last_day"], "2026-07-13");
    assert_eq!(due["counting"], "working_days_after");
    assert_eq!(decision["refund"]["amount"], "60.00");
    // Before the shipping date, nothing is missed yet.
    let decision = decide(us_order("2026-06-01", "2026-07-01"));
    assert!(deadline(&decision, "ship_by")["met"].is_null());
    assert!(deadline(&decision, "delay_notice")["met"].is_null());
}

#[test]
fn us_r1_a_stated_shipping_date_replaces_the_thirty_days() {
    let mut request = us_order("2026-06-01", "2026-06-12");
    request["dates"]["ship_by"] = json!("2026-06-10");
    let decision = decide(request);
    let ship_by = deadline(&decision, "ship_by");
    assert_eq!(ship_by["last_day"], "2026-06-10");
    assert_eq!(ship_by["met"], false);
}

#[test]
fn us_r1_silence_consents_to_a_delay_of_thirty_days_not_more() {
    let mut request = us_order("2026-06-01", "2026-07-05");
    request["dates"]["delay_notified"] = json!("2026-06-28");
    request["dates"]["revised_ship_by"] = json!("2026-07-31");
    let decision = decide(request.clone());
    assert_eq!(deadline(&decision, "delay_notice")["met"], true);
    assert_eq!(
        deadline(&decision, "revised_ship_by")["last_day"],
        "2026-07-31"
    );
    assert!(!has_finding(&decision, "deemed_cancelled"));
    // Until it ships the buyer may still cancel.
    assert!(decided_by(&decision, "refund_only", "US-R1"));
    assert!(allowed(&decision, "refund_only"));
    // 31 days: silence is not consent; the order counts as cancelled on 07-01.
    request["dates"]["revised_ship_by"] = json!("2026-08-01");
    let decision = decide(request.clone());
    finding(&decision, "deemed_cancelled");
    assert_eq!(deadline(&decision, "refund_due")["last_day"], "2026-07-13");
    // Expressly agreed: the long delay stands.
    request["facts"] = json!({"delay_consented": true});
    let decision = decide(request);
    assert_eq!(
        deadline(&decision, "revised_ship_by")["last_day"],
        "2026-08-01"
    );
}

#[test]
fn us_r1_a_delay_notice_after_the_shipping_date_is_too_late() {
    let mut request = us_order("2026-06-01", "2026-07-05");
    request["dates"]["delay_notified"] = json!("2026-07-02");
    request["dates"]["revised_ship_by"] = json!("2026-07-10");
    let decision = decide(request);
    assert_eq!(deadline(&decision, "delay_notice")["met"], false);
    finding(&decision, "delay_option_not_offered");
    finding(&decision, "deemed_cancelled");
}

#[test]
fn us_r1_the_buyer_who_declines_the_delay_is_refunded() {
    let mut request = us_order("2026-06-01", "2026-07-05");
    request["dates"]["delay_notified"] = json!("2026-06-25");
    request["dates"]["revised_ship_by"] = json!("2026-07-10");
    request["dates"]["cancelled"] = json!("2026-06-26");
    request["facts"] = json!({"delay_consented": false});
    let decision = decide(request);
    assert!(allowed(&decision, "refund_only"));
    // 06-26 (Fri) + 7 working days: 06-29 … 07-02 (4), 07-03 observed holiday, 07-06 … 07-08.
    assert_eq!(deadline(&decision, "refund_due")["last_day"], "2026-07-08");
}

#[test]
fn every_deadline_says_how_it_is_counted() {
    let decision = decide(json!({
        "jurisdiction": "CN", "platform": "tmall", "kind": "return_and_refund", "reason": "no_reason",
        "items": [{"name": "手机"}],
        "dates": {"signed": "2026-06-01", "requested": "2026-06-08"}
    }));
    for each in decision["deadlines"].as_array().unwrap() {
        assert!(
            [
                "days_after",
                "days_beginning_with",
                "working_days_after",
                "months",
                "hours"
            ]
            .contains(&each["counting"].as_str().unwrap()),
            "{each}"
        );
    }
}

#[test]
fn a_period_in_a_year_without_a_published_calendar_is_flagged() {
    let request = |signed: &str, requested: &str| {
        json!({
            "jurisdiction": "CN", "platform": "tmall", "kind": "return_and_refund", "reason": "no_reason",
            "items": [{"name": "手机"}],
            "dates": {"signed": signed, "requested": requested}
        })
    };
    let decision = decide(request("2099-06-01", "2099-06-03"));
    let unknown = flag(&decision, "calendar_year_unknown");
    assert_eq!(strings(&unknown["rules"]), ["CN-R6"]);
    assert!(
        unknown["explanation"]["en-US"]
            .as_str()
            .unwrap()
            .contains("2099")
    );
    let decision = decide(request("2026-06-01", "2026-06-03"));
    assert!(!has_flag(&decision, "calendar_year_unknown"));
}
