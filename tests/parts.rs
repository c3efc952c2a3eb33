//! Spare parts (docs/REPAIRS.md, "Parts"): the shop's list with stock and reorder levels, a part
//! fitted from stock (never below zero, its cost in the ledger, who pays it), the parts a supplier
//! fitted, and the genuine-part rate per supplier and month.

mod common;

use common::{AGENT, OTHER_SHOP, SUPERVISOR, TestApp, error_code};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn parts_are_taken_from_stock_booked_and_counted_as_genuine_or_not() {
    let app = TestApp::start().await;
    let motor = json!({ "number": "FH-M01", "name": "电机", "cost_minor": 3500,
        "stock": 2, "reorder_level": 1 });
    let (status, _) = app.post("/api/v1/parts", AGENT, motor.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, created) = app.post("/api/v1/parts", SUPERVISOR, motor.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        (created["genuine"].clone(), created["currency"].clone()),
        (json!(true), json!("CNY"))
    );
    let (status, body) = app.post("/api/v1/parts", SUPERVISOR, motor.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "part_number_taken");
    let (status, body) = app
        .post(
            "/api/v1/parts",
            SUPERVISOR,
            json!({ "number": "FH-M01-C", "name": "兼容电机", "genuine": false, "cost_minor": 1800, "stock": -1 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app
        .post(
            "/api/v1/parts",
            SUPERVISOR,
            json!({ "number": "FH-M01-C", "name": "兼容电机", "genuine": false, "cost_minor": 1800, "stock": 5 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // The workshop fits a genuine motor (the shop pays) and a compatible one (the customer pays).
    app.order("PT-1").await;
    let case = app.case("PT-1", "repair", "吹风机不转").await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{id}/parts");
    let (status, used) = app.post(&path, AGENT, json!({ "number": "FH-M01" })).await;
    assert_eq!(status, StatusCode::OK, "{used}");
    assert_eq!(used["part"]["stock"], 1);
    assert_eq!(used["part"]["low"], true, "at its reorder level");
    let (status, body) = app
        .post(&path, AGENT, json!({ "number": "FH-M01", "quantity": 2 }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "out_of_stock");
    let (status, body) = app.post(&path, AGENT, json!({ "number": "NO-SUCH" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .post(
            &path,
            AGENT,
            json!({ "number": "FH-M01-C", "payer": "customer" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, ledger) = app.get(&format!("/api/v1/cases/{id}/costs"), AGENT).await;
    let entries = ledger["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{ledger}");
    assert_eq!(
        (
            entries[0]["kind"].clone(),
            entries[0]["amount_minor"].clone(),
            entries[0]["shop_cost_minor"].clone()
        ),
        (json!("repair_parts"), json!(3500), json!(3500))
    );
    assert_eq!(
        entries[1]["shop_cost_minor"], 0,
        "the customer pays the compatible one"
    );
    let (_, parts) = app.get("/api/v1/parts", AGENT).await;
    assert_eq!(parts["items"][0]["number"], "FH-M01");
    assert_eq!(parts["items"][0]["stock"], 1);

    // A supplier fits one genuine part and one not.
    let (_, supplier) = app
        .post(
            "/api/v1/suppliers",
            SUPERVISOR,
            json!({ "name": "飞科售后中心", "confirm_days": 3, "repair_days": 10 }),
        )
        .await;
    app.order("PT-2").await;
    let repair = app.case("PT-2", "repair", "吹风机冒烟").await;
    let repair_id = repair["id"].as_str().unwrap();
    for (action, extra) in [
        ("approve", json!({})),
        (
            "ship_return",
            json!({ "carrier": "顺丰速运", "tracking_number": "SF-PT-2" }),
        ),
        ("receive", json!({})),
        ("diagnose", json!({})),
    ] {
        let (status, body) = app.act(repair_id, AGENT, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let (_, current) = app.get(&format!("/api/v1/cases/{repair_id}"), AGENT).await;
    let (status, send_out) = app
        .post(
            "/api/v1/send-outs",
            AGENT,
            json!({ "supplier_id": supplier["id"], "cases": [{ "id": repair_id, "version": current["version"] }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{send_out}");
    let (status, body) = app
        .post(
            &format!(
                "/api/v1/send-outs/{}/result",
                send_out["id"].as_str().unwrap()
            ),
            AGENT,
            json!({ "version": send_out["version"], "result": "repaired", "finding": "confirmed",
                "parts": [{ "number": "FH-M01", "name": "电机" },
                          { "number": "X-9", "name": "副厂开关", "genuine": false }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // This month: the workshop 1 of 2 genuine, the supplier 1 of 2.
    let (status, report) = app.get("/api/v1/reports/genuine-parts", SUPERVISOR).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let rows = report["suppliers"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{report}");
    let workshop = rows
        .iter()
        .find(|row| row["supplier_id"].is_null())
        .unwrap();
    assert_eq!(
        (
            workshop["used"].clone(),
            workshop["genuine"].clone(),
            workshop["rate"].clone()
        ),
        (json!(2), json!(1), json!(0.5))
    );
    let centre = rows
        .iter()
        .find(|row| row["supplier"] == "飞科售后中心")
        .unwrap();
    assert_eq!(
        (centre["used"].clone(), centre["rate"].clone()),
        (json!(2), json!(0.5))
    );
    let (status, _) = app
        .get("/api/v1/reports/genuine-parts?month=2026-13", SUPERVISOR)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A stock count, with the version read; another shop sees nothing.
    let mut counted = motor.clone();
    counted["stock"] = json!(10);
    counted["version"] = json!(1);
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/api/v1/parts/{}", created["id"].as_str().unwrap()),
            SUPERVISOR,
            Some(counted),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "taken from stock meanwhile: {body}"
    );
    let (status, _) = app
        .get(
            &format!("/api/v1/parts/{}", created["id"].as_str().unwrap()),
            OTHER_SHOP,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
