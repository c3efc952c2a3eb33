//! The policy engine's other two doors: `POST /api/v1/policy/evaluate` (with the shop's settings
//! layered in) and `aftersale policy evaluate` on stdin.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{AGENT, SUPERVISOR, TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn the_api_decides_with_the_shops_layer_and_names_bad_fields() {
    let app = TestApp::start().await;
    let request = json!({
        "reason": "no_reason", "kind": "return_and_refund",
        "dates": {"signed": "2026-06-01", "requested": "2026-06-12"}
    });
    // Day 11: too late under the law (no jurisdiction given: the shop's, CN by default).
    let (status, decision) = app
        .post("/api/v1/policy/evaluate", AGENT, request.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{decision}");
    assert_eq!(decision["jurisdiction"], "CN");
    assert_eq!(decision["time_zone"], "Asia/Shanghai");
    assert_eq!(decision["requested"]["allowed"], false);
    // The shop gives 15 days: now in time, and the deadline says so.
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({"policy": {"no_reason_days": 15}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, decision) = app.post("/api/v1/policy/evaluate", AGENT, request).await;
    assert_eq!(decision["requested"]["allowed"], true);
    let window = decision["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|deadline| deadline["name"] == "no_reason_return")
        .unwrap()
        .clone();
    assert_eq!(window["last_day"], "2026-06-16");

    for (bad, field) in [
        (json!({"dates": {"signed": "soon"}}), "dates.signed"),
        (json!({"items": [{"quantity": -1}]}), "items[0].quantity"),
        (json!({"jurisdiction": "FR"}), "jurisdiction"),
        (json!({"money": {"currency": "XX1"}}), "money.currency"),
        (json!([1, 2]), "body"),
    ] {
        let (status, body) = app
            .post("/api/v1/policy/evaluate", AGENT, bad.clone())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} → {body}");
        assert_eq!(error_code(&body), "invalid");
        assert_eq!(body["error"]["details"]["field"], field, "{body}");
    }
    let (status, _) = app
        .post("/api/v1/policy/evaluate", "no-such-token", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_new_case_stores_its_decision() {
    let app = TestApp::start().await;
    app.order("POL-1").await;
    let case = app.case("POL-1", "return_and_refund", "屏幕有坏点").await;
    let policy = &case["policy"];
    assert_eq!(policy["platform"], "tmall");
    assert_eq!(policy["requested"]["remedy"], "return_and_refund");
    assert!(
        policy["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|rule| rule == "CN-R4"),
        "{policy}"
    );
    let consultation = app.post("/api/v1/cases", AGENT, json!({
        "order_number": "POL-1", "kind": "consultation", "reason_code": "other", "description": "发票怎么开"
    })).await.1;
    assert!(
        consultation.get("policy").is_none() || consultation["policy"].is_null(),
        "{consultation}"
    );
}

fn run_cli(input: &str) -> (i32, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(["policy", "evaluate"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    (
        output.status.code().unwrap(),
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[test]
fn the_cli_reads_stdin_and_writes_decisions() {
    let one = json!({"jurisdiction": "EU", "reason": "no_reason", "dates": {"signed": "2026-03-02", "requested": "2026-03-16"}});
    let (code, decision) = run_cli(&one.to_string());
    assert_eq!(code, 0);
    assert_eq!(decision["remedies"][0]["remedy"], "return_and_refund");
    assert_eq!(decision["remedies"][0]["allowed"], true);

    let (code, decisions) =
        run_cli(&json!([one, {"jurisdiction": "CN", "dates": {"signed": "never"}}]).to_string());
    assert_eq!(code, 2);
    assert_eq!(decisions[0]["jurisdiction"], "EU");
    assert!(
        decisions[1]["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("dates.signed")
    );

    let (code, failure) = run_cli("{ not json");
    assert_eq!(code, 2);
    assert_eq!(failure["error"]["code"], "invalid_request");
}

#[tokio::test]
async fn errors_speak_the_callers_language() {
    let app = TestApp::start().await;
    let send = |language: Option<&'static str>| {
        let mut request = app
            .client
            .post(app.url("/api/v1/policy/evaluate"))
            .bearer_auth(AGENT)
            .json(&json!({"dates": {"signed": "soon"}}));
        if let Some(language) = language {
            request = request.header("Accept-Language", language);
        }
        request.send()
    };
    let response = send(Some("zh-CN,zh;q=0.9,en;q=0.8")).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.headers()["content-language"], "zh-CN");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("字段「dates.signed」"),
        "{body}"
    );
    assert!(
        body["error"]["message_en"]
            .as_str()
            .unwrap()
            .starts_with("dates.signed"),
        "{body}"
    );
    let response = send(None).await.unwrap();
    assert_eq!(response.headers()["content-language"], "en-US");
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("dates.signed")
    );
    assert!(body["error"].get("message_en").is_none());
    let (status, body) = app.get("/api/v1/cases/nope", AGENT).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}
