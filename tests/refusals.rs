//! The two refusals (docs/PLATFORMS.md, "Refusals"): refusing a Tmall buyer's request and
//! refusing the goods sent back, each with a reason from its list and a proof photo in the size
//! and format the platform takes; the event carries what a connector sends back (the platform's
//! call, refund id and version, reason id, proof). Without a platform record, the reason stays
//! optional but is checked.

mod common;

use common::{AGENT, INSPECTOR, TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn photo() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/photo-with-location.jpg"),
    )
    .unwrap()
}

/// The same photo made larger than Tmall's 130,000 bytes with comment segments (kept as they are).
fn large_photo() -> Vec<u8> {
    let small = photo();
    let mut large = small[..2].to_vec();
    for _ in 0..3 {
        large.extend_from_slice(&[0xFF, 0xFE, 0xEA, 0x62]);
        large.extend(std::iter::repeat_n(b'x', 0xEA62 - 2));
    }
    large.extend_from_slice(&small[2..]);
    large
}

async fn upload(app: &TestApp, case_id: &str, name: &str, bytes: Vec<u8>) -> Value {
    let response = app
        .client
        .post(app.url(&format!(
            "/api/v1/cases/{case_id}/attachments?file_name={name}"
        )))
        .bearer_auth(AGENT)
        .header("Content-Type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn tmall_record(app: &TestApp, order: &str, refund_id: &str, status: &str) {
    let (code, record) = app
        .post(
            "/api/v1/aftersales",
            AGENT,
            json!({ "platform": "tmall", "refund_id": refund_id, "order_number": order,
                    "status": status, "version": 100, "phase": "aftersale" }),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{record}");
}

async fn last_event(app: &TestApp, case_id: &str, action: &str) -> Value {
    let (_, events) = app
        .get(&format!("/api/v1/cases/{case_id}/events?limit=100"), AGENT)
        .await;
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|event| event["action"] == action)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn refusing_a_tmall_request_takes_a_listed_reason_and_a_small_proof() {
    let app = TestApp::start().await;
    app.order("TM-R1").await;
    let case = app.case("TM-R1", "return_and_refund", "不想要了").await;
    let id = case["id"].as_str().unwrap();
    tmall_record(&app, "TM-R1", "RF-R1", "WAIT_SELLER_AGREE").await;
    let refuse = |extra: Value| {
        let mut body = json!({ "reason": "商品已拆封使用" });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        app.act(id, AGENT, "reject", body)
    };

    let (status, body) = refuse(json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"]["field"], "refusal_code", "{body}");
    let (status, body) = refuse(json!({ "refusal_code": "damaged" })).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a returned goods' reason: {body}"
    );
    let (status, body) = refuse(json!({ "refusal_code": "not_as_described" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"]["field"], "proof", "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("tmall"),
        "{body}"
    );

    let large = upload(&app, id, "large.jpg", large_photo()).await;
    assert!(large["size_bytes"].as_i64().unwrap() > 130_000, "{large}");
    let (status, body) =
        refuse(json!({ "refusal_code": "not_as_described", "proof": [large["id"]] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("130000"),
        "{body}"
    );
    let (status, body) =
        refuse(json!({ "refusal_code": "not_as_described", "proof": ["nope"] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let small = upload(&app, id, "seal.jpg", photo()).await;
    let (status, body) = refuse(json!({
        "refusal_code": "not_as_described", "platform_reason_id": "3007", "proof": [small["id"]]
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "rejected");
    let event = last_event(&app, id, "reject").await;
    let refusal = &event["data"]["refusal"];
    assert_eq!(refusal["kind"], "request");
    assert_eq!(refusal["code"], "not_as_described");
    assert_eq!(refusal["proof"][0]["id"], small["id"]);
    assert_eq!(refusal["platform"]["call"], "taobao.refund.refuse");
    assert_eq!(refusal["platform"]["refund_id"], "RF-R1");
    assert_eq!(refusal["platform"]["refund_version"], 100);
    assert_eq!(refusal["platform"]["refund_phase"], "aftersale");
    assert_eq!(refusal["platform"]["refuse_reason_id"], "3007");
    assert_eq!(refusal["platform"]["refuse_message"], "商品已拆封使用");
    assert_eq!(refusal["platform"]["refuse_proof"], small["id"]);
}

#[tokio::test]
async fn refusing_returned_goods_is_the_other_refusal_with_its_own_reasons() {
    let app = TestApp::start().await;
    app.order("TM-R2").await;
    let case = app.case("TM-R2", "return_and_refund", "尺码不合适").await;
    let id = case["id"].as_str().unwrap();
    for (token, action, extra) in [
        (AGENT, "approve", json!({})),
        (INSPECTOR, "receive", json!({})),
        (
            INSPECTOR,
            "inspect_fail",
            json!({ "reason": "吊牌已拆，有穿着痕迹" }),
        ),
    ] {
        let (status, body) = app.act(id, token, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    tmall_record(&app, "TM-R2", "RF-R2", "WAIT_SELLER_CONFIRM_GOODS").await;
    let (status, body) = app
        .act(
            id,
            AGENT,
            "reject",
            json!({ "reason": "影响二次销售", "refusal_code": "not_as_described" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the request's reason: {body}"
    );
    let (status, body) = app
        .act(
            id,
            AGENT,
            "reject",
            json!({ "reason": "影响二次销售", "refusal_code": "used" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "invalid");
    assert_eq!(body["error"]["details"]["field"], "proof");
    // A large photo is fine here (5 MB).
    let proof = upload(&app, id, "tag.jpg", large_photo()).await;
    let (status, body) = app
        .act(
            id,
            AGENT,
            "reject",
            json!({ "reason": "影响二次销售", "refusal_code": "used", "proof": [proof["id"]] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refusal = last_event(&app, id, "reject").await["data"]["refusal"].clone();
    assert_eq!(refusal["kind"], "returned_goods");
    assert_eq!(refusal["platform"]["call"], "taobao.rp.returngoods.refuse");
}

#[tokio::test]
async fn without_a_platform_record_the_reason_is_optional_but_checked() {
    let app = TestApp::start().await;
    app.order("OWN-R3").await;
    let case = app.case("OWN-R3", "refund_only", "不想要了").await;
    let id = case["id"].as_str().unwrap();
    let (status, body) = app
        .act(
            id,
            AGENT,
            "reject",
            json!({ "reason": "x", "refusal_code": "whatever" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("goods_shipped"),
        "{body}"
    );
    let (status, body) = app
        .act(id, AGENT, "approve", json!({ "refusal_code": "other" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only with reject: {body}"
    );
    let (status, body) = app
        .act(id, AGENT, "reject", json!({ "reason": "重复申请" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refusal = last_event(&app, id, "reject").await["data"]["refusal"].clone();
    assert_eq!(refusal["kind"], "request");
    assert!(refusal["platform"].is_null());
}
