//! Units by serial number (docs/REPAIRS.md, "The unit"): a phone repaired twice and then
//! exchanged — the old unit keeps its three cases and is out of its guarantee, the new one
//! came in its place, its 三包 periods starting again from the day the customer received it;
//! a later case is the new unit's, and the case page shows which unit and whether a repair is
//! free.

mod common;

use common::{AGENT, INSPECTOR, OTHER_SHOP, TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn walk(app: &TestApp, id: &str, steps: &[(&str, Value)]) {
    for (action, extra) in steps {
        // Inspection is the warehouse's.
        let token = if *action == "inspect_pass" {
            INSPECTOR
        } else {
            AGENT
        };
        let (status, body) = app.act(id, token, action, extra.clone()).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
}

async fn case(app: &TestApp, kind: &str) -> Value {
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "UN-1", "kind": kind, "reason_code": "not_working",
                "description": "手机无法开机", "lines": [{ "line_number": 1 }],
                "contact": { "name": "王小明", "phone": "13800138000" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

async fn repaired(app: &TestApp, number: usize) {
    let case = case(app, "repair").await;
    let tracking = format!("SF-UN-{number}");
    walk(
        app,
        case["id"].as_str().unwrap(),
        &[
            ("approve", json!({})),
            (
                "ship_return",
                json!({ "carrier": "顺丰速运", "tracking_number": tracking }),
            ),
            ("receive", json!({})),
            ("diagnose", json!({})),
            ("mark_repaired", json!({})),
            (
                "ship_back",
                json!({ "carrier": "顺丰速运", "tracking_number": format!("{tracking}-B") }),
            ),
            ("confirm_delivery", json!({})),
            ("close", json!({})),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_unit_keeps_its_history_and_an_exchange_starts_the_guarantee_again() {
    let app = TestApp::start().await;
    // A phone sold and received almost two years ago: its one-year 三包 is over.
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({ "order_number": "UN-1", "platform": "jd", "placed_at": "2025-01-01 10:00",
                "delivered_at": "2025-01-03 15:00",
                "customer": { "name": "王小明", "phone": "13800138000" },
                "lines": [{ "sku": "PH-1", "product_name": "手机", "category": "mobile_phone",
                    "quantity": 1, "unit_price_minor": 199900, "serial_number": "IMEI-860000000000001" }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    repaired(&app, 1).await;
    repaired(&app, 2).await;
    let (_, old) = app.get("/api/v1/units/IMEI-860000000000001", AGENT).await;
    assert_eq!(old["origin"], "sold", "{old}");
    assert_eq!(old["free_repair"], false, "{old}");
    assert_eq!(old["cases"].as_array().unwrap().len(), 2);

    // Exchanged: the new unit goes out with its own IMEI (one already known is refused).
    let exchange = case(&app, "exchange").await;
    let id = exchange["id"].as_str().unwrap();
    walk(
        &app,
        id,
        &[
            ("approve", json!({})),
            (
                "ship_return",
                json!({ "carrier": "顺丰速运", "tracking_number": "SF-UN-X" }),
            ),
            ("receive", json!({})),
            ("inspect_pass", json!({})),
        ],
    )
    .await;
    let (status, body) = app
        .act(
            id,
            AGENT,
            "ship_replacement",
            json!({ "carrier": "京东物流", "tracking_number": "JD-UN-X", "serial_number": "IMEI-860000000000001" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "serial_known");
    walk(
        &app,
        id,
        &[
            (
                "ship_replacement",
                json!({ "carrier": "京东物流", "tracking_number": "JD-UN-X", "serial_number": "IMEI-860000000000002" }),
            ),
            ("confirm_delivery", json!({})),
            ("close", json!({})),
        ],
    )
    .await;

    // The old unit: sold, repaired twice and exchanged, replaced, out of its guarantee.
    let (status, old) = app.get("/api/v1/units/IMEI-860000000000001", AGENT).await;
    assert_eq!(status, StatusCode::OK, "{old}");
    assert_eq!(old["replaced_by"], "IMEI-860000000000002");
    assert_eq!(old["current"], false);
    let kinds: Vec<&str> = old["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["repair", "repair", "exchange"]);
    assert_eq!(old["free_repair"], false);

    // The new unit: in its place, received today, so a repair is free again.
    let (status, new) = app.get("/api/v1/units/IMEI-860000000000002", AGENT).await;
    assert_eq!(status, StatusCode::OK, "{new}");
    assert_eq!(new["origin"], "replacement");
    assert_eq!(new["replaces"], "IMEI-860000000000001");
    assert_eq!(new["sent_by_case"], exchange["number"]);
    assert_eq!(new["current"], true);
    assert!(new["received_at"].is_string());
    assert_eq!(new["free_repair"], true, "{new}");
    assert_eq!(new["cases"], json!([]));

    // A case now is about the new unit, and its page says so.
    let later = case(&app, "repair").await;
    let (_, new) = app.get("/api/v1/units/IMEI-860000000000002", AGENT).await;
    assert_eq!(new["cases"][0]["number"], later["number"]);
    let (cookie, _) = app.console_session("agent@test.local").await;
    let (status, page) = app
        .console_get(
            &cookie,
            &format!("/console/cases/{}", later["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    let unit = &page[page
        .find("id=\"unit-IMEI-860000000000002\"")
        .expect("the unit part")..];
    assert!(
        unit.contains("免费维修") && unit.contains("IMEI-860000000000001"),
        "{unit}"
    );

    // Another shop knows no such unit.
    let (status, _) = app
        .get("/api/v1/units/IMEI-860000000000002", OTHER_SHOP)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
