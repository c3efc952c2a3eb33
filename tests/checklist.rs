//! SOP checklists: a step required before an action holds that action (for staff, over the API
//! and the console alike) until it is ticked; ticks are on the timeline; bad checklists are
//! refused when saved.

mod common;

use common::{AGENT, SUPERVISOR, TestApp, error_code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn set_sop(app: &TestApp, sop: Value) -> (StatusCode, Value) {
    app.call(
        Method::PATCH,
        "/api/v1/settings",
        SUPERVISOR,
        Some(json!({ "sop": sop })),
    )
    .await
}

#[tokio::test]
async fn a_required_step_holds_the_action_until_it_is_done() {
    let app = TestApp::start().await;
    let (status, body) = set_sop(
        &app,
        json!([{ "category": "quality", "steps": [
            { "code": "photos", "text": "请买家上传照片", "before": ["approve"] },
            { "code": "serial", "text": "核对序列号", "before": ["refund"] },
            { "code": "call", "text": "电话回访" }
        ]}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.order("SOP-1").await;
    let case = app.case("SOP-1", "refund_only", "耳机坏了").await;
    let id = case["id"].as_str().unwrap();

    let (_, steps) = app
        .get(&format!("/api/v1/cases/{id}/checklist"), AGENT)
        .await;
    assert_eq!(steps["items"].as_array().unwrap().len(), 3, "{steps}");
    assert_eq!(steps["items"][0]["done"], false);

    // Approve waits for the photos; the error names the step.
    let (status, body) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "checklist_incomplete");
    assert_eq!(body["error"]["details"]["steps"], json!(["photos"]));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("请买家上传照片")
    );
    // A refund waits for the serial number check.
    let (status, body) = app.refund(id, "sop-refund-1", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["details"]["steps"], json!(["serial"]));

    let tick = |step: &'static str, done: bool| {
        let path = format!("/api/v1/cases/{id}/checklist/{step}");
        let app = &app;
        async move { app.post(&path, AGENT, json!({ "done": done })).await }
    };
    let (status, steps) = tick("photos", true).await;
    assert_eq!(status, StatusCode::OK, "{steps}");
    assert_eq!(steps["items"][0]["done"], true);
    assert!(steps["items"][0]["done_by"].is_string());
    let (status, body) = tick("nope", true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Undone, then done again: both on the timeline.
    tick("serial", true).await;
    tick("serial", false).await;
    let (status, _) = app.refund(id, "sop-refund-2", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    tick("serial", true).await;
    let (status, body) = app.refund(id, "sop-refund-3", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    let ticks: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["action"] == "checked" || event["action"] == "unchecked")
        .map(|event| event["action"].as_str().unwrap())
        .collect();
    assert_eq!(ticks, ["checked", "checked", "unchecked", "checked"]);

    // A case of another category has no checklist and nothing holds it.
    let (status, other) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({
                "order_number": "SOP-1", "kind": "consultation", "reason_code": "other",
                "description": "发票怎么开", "lines": [{ "line_number": 2 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    let (_, steps) = app
        .get(
            &format!("/api/v1/cases/{}/checklist", other["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(steps["items"], json!([]));
}

#[tokio::test]
async fn a_bad_checklist_is_refused_with_its_place() {
    let app = TestApp::start().await;
    for (sop, expected) in [
        (
            json!([{ "category": "quality", "steps": [{ "code": "a", "text": "x" }, { "code": "a", "text": "y" }] }]),
            "twice",
        ),
        (
            json!([{ "category": "quality", "steps": [{ "code": "照片", "text": "x" }] }]),
            "letters",
        ),
        (
            json!([{ "category": "quality", "steps": [{ "code": "a", "text": "x", "before": ["fly"] }] }]),
            "sop",
        ),
    ] {
        let (status, body) = set_sop(&app, sop).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(expected),
            "{body}"
        );
    }
}
