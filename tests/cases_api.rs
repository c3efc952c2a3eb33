//! Cases over HTTP: creation, lists and search, the guarded lifecycle, edits, messages,
//! shop isolation and bad input.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn a_case_is_opened_read_and_listed() {
    let app = TestApp::start().await;
    app.order("TM1001").await;
    let case = app
        .case("TM1001", "return_and_refund", "耳机左耳没有声音")
        .await;
    let number = case["number"].as_str().unwrap();
    assert!(
        number.starts_with("AS-") && number.len() == "AS-20261122-000001".len(),
        "{number}"
    );
    assert_eq!(case["status"], "submitted");
    assert_eq!(case["version"], 1);
    assert_eq!(case["customer_name"], "王小明");
    assert_eq!(case["lines"].as_array().unwrap().len(), 2);
    assert!(case["due_at"].as_str().unwrap().ends_with("+08:00"));
    let actions: Vec<&str> = case["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"approve")
            && actions.contains(&"reject")
            && !actions.contains(&"receive"),
        "{actions:?}"
    );

    let (status, fetched) = app
        .get(
            &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched["number"], case["number"]);

    // The same units cannot be claimed by a second open case about the goods.
    let (status, refused) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({
                "order_number": "TM1001", "kind": "exchange", "reason_code": "quality",
                "description": "T恤尺码偏小", "lines": [{ "line_number": 2, "quantity": 1 }],
                "contact": { "name": "王小明", "phone": "13800138000" }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "units_already_claimed");
    assert_eq!(refused["error"]["details"]["free"], 0);
    let second = app.case("TM1001", "complaint", "客服态度不好").await;
    assert_ne!(second["number"], case["number"]);
    let (_, page) = app
        .get("/api/v1/cases?status=open&sort=due_at&limit=50", AGENT)
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let (_, page) = app.get("/api/v1/cases?kind=complaint", AGENT).await;
    assert_eq!(page["items"][0]["id"], second["id"]);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (_, of_order) = app.get("/api/v1/orders/TM1001/cases", AGENT).await;
    assert_eq!(of_order["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn search_finds_chinese_substrings_of_every_field() {
    let app = TestApp::start().await;
    app.order("JD7788").await;
    app.order("JD7789").await;
    let refund = app
        .case("JD7788", "refund_only", "未收到货，申请退款")
        .await;
    let repair = app.case("JD7789", "repair", "屏幕出现竖线需要维修").await;
    let search = |q: &'static str| {
        let app = &app;
        async move {
            let (status, page) = app
                .client
                .get(app.url("/api/v1/cases"))
                .bearer_auth(AGENT)
                .query(&[("q", q)])
                .send()
                .await
                .map(|response| (response.status(), response))
                .unwrap();
            assert_eq!(status, StatusCode::OK);
            let page: Value = page.json().await.unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("退款").await, vec![refund["id"].clone()]);
    assert_eq!(search("竖线").await, vec![repair["id"].clone()]);
    assert_eq!(search("出现竖线需要").await, vec![repair["id"].clone()]);
    assert_eq!(search("小明").await.len(), 2);
    assert_eq!(search("38000").await.len(), 2);
    assert_eq!(search("jd77").await.len(), 2);
    let number = repair["number"].as_str().unwrap();
    assert_eq!(
        search(Box::leak(number[3..].to_lowercase().into_boxed_str())).await,
        vec![repair["id"].clone()]
    );
    assert!(search("没有这个词").await.is_empty());
    assert!(search("%").await.is_empty());
}

#[tokio::test]
async fn pages_follow_the_cursor_without_gaps_or_repeats() {
    let app = TestApp::start().await;
    app.order("P1").await;
    let mut created = Vec::new();
    for index in 0..7 {
        created.push(
            app.case("P1", "consultation", &format!("咨询 {index}"))
                .await["id"]
                .clone(),
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/cases?sort=-created_at&limit=3&cursor={cursor}"),
            None => "/api/v1/cases?sort=-created_at&limit=3".into(),
        };
        let (status, page) = app.get(&path, AGENT).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    created.reverse();
    assert_eq!(seen, created);
    let (status, body) = app.get("/api/v1/cases?cursor=garbage!", AGENT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "invalid_cursor");
}

#[tokio::test]
async fn the_lifecycle_is_guarded_and_every_move_is_on_the_timeline() {
    let app = TestApp::start().await;
    app.order("TB1").await;
    let case = app.case("TB1", "return_and_refund", "质量问题").await;
    let id = case["id"].as_str().unwrap();

    let (status, body) = app.act(id, AGENT, "receive", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "transition_not_allowed");
    let (status, body) = app.act(id, INSPECTOR, "approve", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "role_not_allowed");
    let (status, body) = app.act(id, AGENT, "reject", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["field"], "reason");

    let (status, approved) = app
        .act(id, AGENT, "approve", json!({ "note": "同意退货" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["version"], 2);
    let (status, body) = app
        .act(id, AGENT, "ship_return", json!({ "carrier": "顺丰" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, shipped) = app
        .act(
            id,
            AGENT,
            "ship_return",
            json!({ "carrier": "顺丰", "tracking_number": "SF123456" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{shipped}");
    assert_eq!(
        app.act(id, INSPECTOR, "receive", json!({})).await.0,
        StatusCode::OK
    );
    let (status, inspected) = app.act(id, INSPECTOR, "inspect_pass", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(inspected["status"], "inspected");
    let (status, body) = app.act(id, AGENT, "refund", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (_, order) = app.get("/api/v1/orders/TB1", AGENT).await;
    assert_eq!(order["shipments"][0]["tracking_number"], "SF123456");
    assert_eq!(order["shipments"][0]["direction"], "to_shop");

    let (_, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    let moves: Vec<(Value, Value, Value)> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            (
                event["action"].clone(),
                event["from_status"].clone(),
                event["to_status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        vec![
            (json!("created"), Value::Null, json!("submitted")),
            (json!("approve"), json!("submitted"), json!("approved")),
            (
                json!("ship_return"),
                json!("approved"),
                json!("return_shipped")
            ),
            (json!("receive"), json!("return_shipped"), json!("received")),
            (json!("inspect_pass"), json!("received"), json!("inspected")),
        ]
    );
    assert_eq!(events["items"][1]["data"]["note"], "同意退货");
    assert!(events["items"][1]["actor_id"].is_string());
}

#[tokio::test]
async fn a_stale_version_is_refused() {
    let app = TestApp::start().await;
    app.order("V1").await;
    let case = app.case("V1", "refund_only", "少发了一件").await;
    let id = case["id"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            AGENT,
            json!({ "action": "approve", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            AGENT2,
            json!({ "action": "reject", "version": 1, "reason": "重复" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "version_conflict");
    assert_eq!(body["error"]["details"]["current_version"], 2);
    let (_, now) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(now["status"], "approved");
}

#[tokio::test]
async fn edits_assign_prioritise_and_unassign() {
    let app = TestApp::start().await;
    app.order("E1").await;
    let case = app.case("E1", "complaint", "快递员态度差").await;
    let id = case["id"].as_str().unwrap();
    let (_, staff) = app.get("/api/v1/cases?assignee=me", AGENT).await;
    assert!(staff["items"].as_array().unwrap().is_empty());
    let agent_id: String =
        sqlx::query_scalar("SELECT id FROM staff WHERE email = 'agent@test.local'")
            .fetch_one(&app.database.reader)
            .await
            .unwrap();
    let (status, edited) = app
        .call(Method::PATCH, &format!("/api/v1/cases/{id}"), AGENT, Some(json!({ "version": 1, "assignee_id": agent_id, "priority": "urgent", "tags": ["VIP"] })))
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["priority"], "urgent");
    assert_eq!(edited["version"], 2);
    let (_, mine) = app
        .get("/api/v1/cases?assignee=me&priority=urgent", AGENT)
        .await;
    assert_eq!(mine["items"][0]["id"], case["id"]);
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            AGENT,
            Some(json!({ "version": 2, "assignee_id": "nobody" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, edited) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            AGENT,
            Some(json!({ "version": 2, "assignee_id": null })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(edited["assignee_id"], Value::Null);
    assert_eq!(edited["priority"], "urgent");
    let (_, unassigned) = app.get("/api/v1/cases?assignee=none", AGENT).await;
    assert_eq!(unassigned["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn messages_and_internal_notes() {
    let app = TestApp::start().await;
    app.order("M1").await;
    let case = app.case("M1", "consultation", "请问保修多久").await;
    let id = case["id"].as_str().unwrap();
    let (status, message) = app
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            AGENT,
            json!({ "body": "您好，保修一年。" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(message["visibility"], "customer");
    let (status, note) = app
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            AGENT,
            json!({ "body": "老客户，优先处理" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(note["visibility"], "internal");
    let (status, body) = app
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            AGENT,
            json!({ "body": "   " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, messages) = app
        .get(&format!("/api/v1/cases/{id}/messages"), AGENT)
        .await;
    let bodies: Vec<&str> = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, vec!["您好，保修一年。", "老客户，优先处理"]);
    let (_, after) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(
        after["version"], 1,
        "a message must not make an agent's pending action stale"
    );
}

#[tokio::test]
async fn another_shop_sees_and_changes_nothing() {
    let app = TestApp::start().await;
    app.order("S1").await;
    let case = app.case("S1", "refund_only", "退款").await;
    let id = case["id"].as_str().unwrap();
    let (status, body) = app.get(&format!("/api/v1/cases/{id}"), OTHER_SHOP).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "not_found");
    let (_, page) = app.get("/api/v1/cases", OTHER_SHOP).await;
    assert!(page["items"].as_array().unwrap().is_empty());
    let (status, _) = app
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            OTHER_SHOP,
            json!({ "action": "approve", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            OTHER_SHOP,
            json!({ "body": "hi" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get("/api/v1/orders/S1", OTHER_SHOP).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .post("/api/v1/cases", OTHER_SHOP, json!({ "order_number": "S1", "kind": "refund_only", "reason_code": "quality", "description": "x", "lines": [{ "line_number": 1 }] }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["field"], "order_number");
    let (_, mine) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(mine["version"], 1);
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx() {
    let app = TestApp::start().await;
    app.order("B1").await;
    let send = |body: &'static str, content_type: &'static str| {
        let app = &app;
        async move {
            let response = app
                .client
                .post(app.url("/api/v1/cases"))
                .bearer_auth(AGENT)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = send("{not json", "application/json").await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let (status, body) = send(r#"{"order_number": 5}"#, "application/json").await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_json_data")
    );
    let (status, body) = send("{}", "text/plain").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let (status, body) = app.post("/api/v1/cases", AGENT, json!({ "order_number": "B1", "kind": "teleport", "reason_code": "quality", "description": "x", "lines": [] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["field"], "kind");
    let (status, body) = app.post("/api/v1/cases", AGENT, json!({ "order_number": "B1", "kind": "refund_only", "reason_code": "quality", "description": "x", "lines": [{ "line_number": 9 }] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["field"], "lines[0]");
    let (status, body) = app.post("/api/v1/cases", AGENT, json!({ "order_number": "B1", "kind": "refund_only", "reason_code": "nope", "description": "x", "lines": [{ "line_number": 1 }] })).await;
    assert_eq!(
        (status, body["error"]["details"]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("reason_code"))
    );
    let huge = format!("{{\"description\": \"{}\"}}", "长".repeat(1_000_000));
    let response = app
        .client
        .post(app.url("/api/v1/cases"))
        .bearer_auth(AGENT)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        error_code(&response.json().await.unwrap()),
        "payload_too_large"
    );
    let (status, body) = app.get("/api/v1/cases/does-not-exist", AGENT).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, body) = app.get("/api/v1/cases?limit=0", AGENT).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app.get("/api/v1/cases?limit=abc", AGENT).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_query")
    );
    let (status, body) = app.get("/api/v1/cases?status=flying", AGENT).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app.get("/api/v1/nowhere", AGENT).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, body) = app.call(Method::DELETE, "/api/v1/cases", AGENT, None).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    let (status, body) = app.get("/api/v1/cases", "wrong-token").await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let response = app
        .client
        .get(app.url("/api/v1/cases"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_idempotency_key_creates_once_and_replays() {
    let app = TestApp::start().await;
    app.order("I1").await;
    let body = json!({ "order_number": "I1", "kind": "consultation", "reason_code": "other", "description": "发票怎么开" });
    let send = |body: Value| {
        let app = &app;
        async move {
            let response = app
                .client
                .post(app.url("/api/v1/cases"))
                .bearer_auth(AGENT)
                .header("Idempotency-Key", "create-1")
                .json(&body)
                .send()
                .await
                .unwrap();
            let replayed = response.headers().get("idempotent-replayed").is_some();
            (
                response.status(),
                replayed,
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, replayed, first) = send(body.clone()).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false));
    let (status, replayed, second) = send(body.clone()).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, true));
    assert_eq!(first["id"], second["id"]);
    let (_, page) = app.get("/api/v1/cases", AGENT).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (status, _, body) = send(json!({ "order_number": "I1", "kind": "consultation", "reason_code": "other", "description": "别的问题" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn the_openapi_document_and_docs_are_served() {
    let app = TestApp::start().await;
    let document: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/cases",
        "/api/v1/cases/{id}/transitions",
        "/api/v1/cases/{id}/refunds",
        "/api/v1/orders/import",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path} missing");
    }
    // The document is made from the router: every operation it lists is answered by a handler
    // (never the router's own 404 or 405), and each says what an error looks like.
    let paths = document["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        let concrete = path
            .split('/')
            .map(|part| if part.starts_with('{') { "x" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        for (method, operation) in item.as_object().unwrap() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app
                .client
                .request(method.clone(), app.url(&concrete))
                .bearer_auth(ADMIN)
                .header("Idempotency-Key", format!("openapi-{operations}"))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                !(status == StatusCode::NOT_FOUND && body.contains("route not found")),
                "{method} {path} is documented but not routed: {body}"
            );
            assert!(
                operation["responses"].get("422").is_some(),
                "{method} {path} documents its errors"
            );
            // A field the handler says is missing is one its documented body has (two types of
            // one name would leave one of them documented as the other).
            if let Some(field) = body
                .split("missing field `")
                .nth(1)
                .and_then(|rest| rest.split('`').next())
                && let Some(reference) =
                    operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                        .as_str()
            {
                let name = reference.rsplit('/').next().unwrap();
                let schema = &document["components"]["schemas"][name];
                assert!(
                    schema["properties"].get(field).is_some(),
                    "{method} {path}: the handler wants `{field}`, the documented {name} has no such field"
                );
            }
            operations += 1;
        }
    }
    assert_eq!(operations, 143, "every API operation is documented");
    let docs = app
        .client
        .get(app.url("/api/v1/docs/"))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("swagger"));
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}
