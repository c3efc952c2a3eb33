//! Fees inside `money` (issue 19, capability 4): whichever convention the integrator follows —
//! payments with or without the card fee — the refund is the goods' price actually paid and never
//! the fee (CN-R17); input where neither adds up is refused with what to write.

mod policy;
use policy::*;

fn cn_card_order(payments: Value, card_fee: Value, returned: u32) -> Value {
    json!({
        "jurisdiction": "CN", "kind": "return_and_refund", "reason": "no_reason",
        "items": [{"name": "耳机", "unit_price": "100.00", "quantity": 2, "return_quantity": returned}],
        "money": {"payments": payments, "card_fee": card_fee},
        "dates": {"signed": "2026-06-01", "requested": "2026-06-03"}
    })
}

#[test]
fn cn_r17_a_fee_inside_the_payments_is_never_refunded() {
    let decision = decide(cn_card_order(
        json!([{"method": "credit_card", "amount": "203.00"}]),
        json!({"amount": "3.00"}),
        2,
    ));
    let refund = &decision["refund"];
    assert_eq!(refund["goods"], "200.00");
    assert_eq!(refund["amount"], "200.00");
    assert_eq!(refund["fee"], "0.00");
    assert_eq!(refund["by_method"][0]["amount"], "200.00");
    let fee = refund["deductions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|each| each["kind"] == "card_fee")
        .unwrap();
    assert_eq!(strings(&fee["rules"]), ["CN-R17"]);
    assert!(
        fee["explanation"]["en-US"]
            .as_str()
            .unwrap()
            .contains("3.00")
    );
}

#[test]
fn cn_r17_payments_without_the_fee_give_the_same_refund() {
    let decision = decide(cn_card_order(
        json!([{"method": "credit_card", "amount": "200.00"}]),
        json!({"amount": "3.00"}),
        2,
    ));
    assert_eq!(decision["refund"]["amount"], "200.00");
    // Said outright either way, the same.
    let decision = decide(cn_card_order(
        json!([{"method": "credit_card", "amount": "203.00"}]),
        json!({"amount": "3.00", "in_payments": true}),
        1,
    ));
    assert_eq!(
        decision["refund"]["amount"], "100.00",
        "one of two, fee left out"
    );
}

#[test]
fn payments_that_add_up_neither_way_are_refused_with_what_to_write() {
    let message = refused(cn_card_order(
        json!([{"method": "credit_card", "amount": "205.00"}]),
        json!({"amount": "3.00"}),
        2,
    ));
    assert!(message.contains("money.card_fee"), "{message}");
    assert!(message.contains("in_payments"), "{message}");
    assert!(
        message.contains("203.00") && message.contains("205.00"),
        "{message}"
    );
}

#[test]
fn without_prices_the_request_must_say_where_the_fee_is() {
    let mut request = cn_card_order(
        json!([{"method": "credit_card", "amount": "203.00"}]),
        json!({"amount": "3.00"}),
        2,
    );
    request["items"] = json!([{"name": "耳机"}]);
    let message = refused(request.clone());
    assert!(message.contains("money.card_fee.in_payments"), "{message}");
    request["money"]["card_fee"]["in_payments"] = json!(true);
    assert_eq!(decide(request)["refund"]["amount"], "200.00");
}

#[test]
fn a_waived_fee_cannot_also_be_inside_the_payments() {
    let message = refused(cn_card_order(
        json!([{"method": "credit_card", "amount": "203.00"}]),
        json!({"amount": "3.00", "waived": true, "in_payments": true}),
        2,
    ));
    assert!(message.contains("waived"), "{message}");
    // Waived and not paid: the shop may deduct it (CN-R17).
    let decision = decide(cn_card_order(
        json!([{"method": "credit_card", "amount": "200.00"}]),
        json!({"amount": "3.00", "waived": true}),
        2,
    ));
    assert_eq!(decision["refund"]["amount"], "197.00");
}

#[test]
fn the_fee_comes_off_the_money_payment_not_the_coupon() {
    let decision = decide(cn_card_order(
        json!([{"method": "alipay", "amount": "183.00"}, {"method": "coupon", "amount": "20.00"}]),
        json!({"amount": "3.00"}),
        2,
    ));
    let refund = &decision["refund"];
    assert_eq!(refund["amount"], "200.00");
    assert_eq!(refund["by_method"][0]["amount"], "180.00");
    assert_eq!(refund["by_method"][1]["amount"], "20.00");
    assert_eq!(refund["by_method"][1]["in_kind"], true);
}

#[test]
fn eu_r7_a_whole_withdrawal_pays_back_every_payment_received_fee_included() {
    let decision = decide(json!({
        "jurisdiction": "EU", "kind": "return_and_refund", "reason": "no_reason",
        "items": [{"name": "Shoes", "unit_price": "80.00"}],
        "money": {"currency": "EUR", "payments": [{"method": "card", "amount": "87.00"}],
                  "shipping_fee": "5.00", "card_fee": {"amount": "2.00"}},
        "dates": {"delivered": "2026-03-02", "requested": "2026-03-05"}
    }));
    let refund = &decision["refund"];
    assert_eq!(refund["goods"], "80.00");
    assert_eq!(refund["shipping"], "5.00");
    assert_eq!(refund["fee"], "2.00");
    assert_eq!(refund["amount"], "87.00");
}
