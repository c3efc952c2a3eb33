//! Money properties on the real stack (SQLite, or PostgreSQL with TEST_DATABASE_URL): random
//! orders in currencies with 0, 2 and 3 decimals, with line and order discounts, tax inside or
//! on top, delivery; then random cases claiming units, refunds made on the platform, offers
//! and concurrent refund requests (some sent twice). Whatever happens, the lines add up to the
//! order's total, nothing is refunded beyond what was paid for a line or for a case's units,
//! and every refund runs once per key. Seeded, so a failure can be replayed.

mod common;

use common::hooks::signature;
use common::{AGENT, TestApp};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A small, seeded generator (SplitMix64): the same seed, the same orders.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut value = self.0;
        value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        value ^ (value >> 31)
    }

    fn below(&mut self, limit: i64) -> i64 {
        (self.next() % limit.max(1) as u64) as i64
    }
}

/// What `units` of a line of `quantity` units paid `paid` can have cost at most.
fn paid_for_units(paid: i64, quantity: i64, units: i64) -> i64 {
    aftersale::domain::allocation::paid_for_units(paid, quantity, units)
}

async fn deliver_generic(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    let bytes = body.to_string().into_bytes();
    let response = app
        .client
        .post(app.url("/hooks/shop/generic"))
        .header(
            "X-Aftersale-Hmac-Sha256",
            signature("generic-secret", &bytes),
        )
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn refunds_never_exceed_what_was_paid_whatever_happens() {
    let app = TestApp::start().await;
    common::hooks::set_secret(&app, "generic", "generic-secret").await;
    let currencies = ["CNY", "JPY", "KWD", "VND", "USD", "EUR"];
    // Refunds done and refused over all seeds: both must happen for the test to mean anything.
    let (mut executed, mut refused) = (0, 0);
    for seed in 0..6_u64 {
        let mut random = Random(seed * 7919 + 17);
        let currency = currencies[seed as usize % currencies.len()];
        let exclusive = random.below(2) == 1;
        let line_count = 1 + random.below(4);
        let lines: Vec<Value> = (0..line_count)
            .map(|index| {
                let quantity = 1 + random.below(4);
                let unit = 1 + random.below(500_000);
                let discount = random.below(unit * quantity / 3 + 1);
                let tax = if exclusive { random.below(unit) } else { 0 };
                json!({
                    "sku": format!("S{index}"), "product_name": format!("商品{index}"),
                    "quantity": quantity, "unit_price_minor": unit,
                    "discount_minor": discount, "tax_minor": tax
                })
            })
            .collect();
        let list: i64 = lines
            .iter()
            .map(|line| {
                line["quantity"].as_i64().unwrap() * line["unit_price_minor"].as_i64().unwrap()
                    - line["discount_minor"].as_i64().unwrap()
            })
            .sum();
        let order_discount = random.below(list / 4 + 1);
        let shipping = random.below(2_000);
        let number = format!("P-{seed}");
        let order = json!({
            "order_number": number, "currency": currency, "placed_at": "2026-11-20 10:00",
            "tax_mode": if exclusive { "exclusive" } else { "inclusive" },
            "customer": { "name": "测试", "phone": "13800138000" },
            "discounts": [{ "kind": "threshold", "amount_minor": order_discount }],
            "shipping_fee_minor": shipping, "lines": lines
        });
        let (status, answer) = deliver_generic(
            &app,
            &json!({ "id": format!("ext-{seed}"), "updated_at": "2026-11-20T02:00:00Z", "order": order }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "seed {seed}: {answer}");
        let (_, stored) = app.get(&format!("/api/v1/orders/{number}"), AGENT).await;
        // The lines add up to the total to the minor unit, the discounts to what was given.
        let stored_lines = stored["lines"].as_array().unwrap().clone();
        let paid: i64 = stored_lines
            .iter()
            .map(|line| line["paid_minor"].as_i64().unwrap())
            .sum();
        assert_eq!(
            paid + shipping,
            stored["total_minor"].as_i64().unwrap(),
            "seed {seed}"
        );
        let discounts: i64 = stored_lines
            .iter()
            .map(|line| line["discount_minor"].as_i64().unwrap())
            .sum();
        let given: i64 = lines
            .iter()
            .map(|line| line["discount_minor"].as_i64().unwrap())
            .sum();
        assert_eq!(discounts, given + order_discount, "seed {seed}");
        for line in &stored_lines {
            let expected = line["quantity"].as_i64().unwrap()
                * line["unit_price_minor"].as_i64().unwrap()
                - line["discount_minor"].as_i64().unwrap()
                + if exclusive {
                    line["tax_minor"].as_i64().unwrap()
                } else {
                    0
                };
            assert_eq!(
                line["paid_minor"].as_i64().unwrap(),
                expected,
                "seed {seed}"
            );
        }

        // Cases claim random units of random lines, while they are free.
        let mut cases: Vec<(String, Vec<(i64, i64)>)> = Vec::new();
        for _ in 0..3 {
            let mut claimed: Vec<(i64, i64)> = Vec::new();
            for line in &stored_lines {
                if random.below(2) == 0 {
                    let quantity = line["quantity"].as_i64().unwrap();
                    claimed.push((
                        line["line_number"].as_i64().unwrap(),
                        1 + random.below(quantity),
                    ));
                }
            }
            if claimed.is_empty() {
                continue;
            }
            let (status, case) = app
                .post(
                    "/api/v1/cases",
                    AGENT,
                    json!({
                        "order_number": number, "kind": "refund_only", "reason_code": "quality",
                        "description": "随机", "contact": { "name": "测试", "phone": "13800138000" },
                        "lines": claimed.iter().map(|(line, units)| json!({ "line_number": line, "quantity": units })).collect::<Vec<_>>()
                    }),
                )
                .await;
            if status == StatusCode::CONFLICT {
                assert_eq!(case["error"]["code"], "units_already_claimed", "{case}");
                continue;
            }
            assert_eq!(status, StatusCode::CREATED, "seed {seed}: {case}");
            let id = case["id"].as_str().unwrap().to_string();
            app.act(&id, AGENT, "approve", json!({})).await;
            cases.push((id, claimed));
        }

        // The platform refunds part of a line, later.
        let target = &stored_lines[random.below(stored_lines.len() as i64) as usize];
        let platform = random.below(target["paid_minor"].as_i64().unwrap() / 2 + 1);
        let (status, answer) = deliver_generic(
            &app,
            &json!({
                "id": format!("ext-{seed}"), "updated_at": "2026-11-21T02:00:00Z", "order": order,
                "refunds": [{ "id": format!("pr-{seed}"), "lines": [{ "line_number": target["line_number"], "quantity": 0, "amount_minor": platform }] }]
            }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "seed {seed}: {answer}");

        // Concurrent refund requests on every case, random amounts, some keys sent twice.
        let mut requests = Vec::new();
        for (case, claimed) in &cases {
            for attempt in 0..4 {
                let (line, units) = claimed[random.below(claimed.len() as i64) as usize];
                let line_paid = stored_lines
                    .iter()
                    .find(|stored| stored["line_number"] == line)
                    .unwrap()["paid_minor"]
                    .as_i64()
                    .unwrap();
                let amount = 1 + random.below(line_paid * units / 2 + 1);
                let key = format!("{case}-{}", attempt / 2 * 2 + (random.below(2)));
                requests.push((
                    case.clone(),
                    key,
                    json!({ "lines": [{ "line_number": line, "amount_minor": amount }] }),
                ));
            }
        }
        let results = join_all(
            requests
                .iter()
                .map(|(case, key, body)| app.refund(case, key, body.clone())),
        )
        .await;
        executed += results
            .iter()
            .filter(|(status, _)| *status == StatusCode::CREATED)
            .count();
        refused += results
            .iter()
            .filter(|(status, _)| *status == StatusCode::UNPROCESSABLE_ENTITY)
            .count();
        for (status, body) in &results {
            assert!(
                [
                    StatusCode::CREATED,
                    StatusCode::OK,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    StatusCode::CONFLICT,
                    StatusCode::SERVICE_UNAVAILABLE
                ]
                .contains(status),
                "seed {seed}: {status} {body}"
            );
        }

        // Nothing beyond what was paid: per line over everything, per case over its units.
        let (_, after) = app.get(&format!("/api/v1/orders/{number}"), AGENT).await;
        for line in after["lines"].as_array().unwrap() {
            assert!(
                line["refunded_minor"].as_i64().unwrap() <= line["paid_minor"].as_i64().unwrap(),
                "seed {seed}: {line}"
            );
        }
        for (case, claimed) in &cases {
            let (_, refunds) = app
                .get(&format!("/api/v1/cases/{case}/refunds"), AGENT)
                .await;
            let refunds = refunds["items"].as_array().unwrap();
            let mut keys: Vec<&str> = refunds
                .iter()
                .map(|refund| refund["idempotency_key"].as_str().unwrap())
                .collect();
            let count = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), count, "seed {seed}: each key ran once");
            for (line_number, units) in claimed {
                let line = after["lines"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|line| line["line_number"] == *line_number)
                    .unwrap();
                let on_line: i64 = refunds
                    .iter()
                    .flat_map(|refund| refund["lines"].as_array().unwrap().clone())
                    .filter(|refunded| refunded["order_line_id"] == line["id"])
                    .map(|refunded| refunded["amount_minor"].as_i64().unwrap())
                    .sum();
                let ceiling = paid_for_units(
                    line["paid_minor"].as_i64().unwrap(),
                    line["quantity"].as_i64().unwrap(),
                    *units,
                );
                assert!(
                    on_line <= ceiling,
                    "seed {seed}: {on_line} > {ceiling} for {units} units of {line}"
                );
            }
        }
    }
    assert!(
        executed > 5 && refused > 0,
        "executed {executed}, refused {refused}"
    );
}
