//! 7×24 status answers: a customer's question in plain words answered from the order and its
//! case — the refund, the parcel, the return, the state — through the bot's JSON endpoint and
//! the portal's form; what the answers do not know lands on the case (or a new one) with the
//! question kept.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn ask(app: &TestApp, order: &str, question: &str) -> Value {
    let (status, answer) = app
        .post(
            "/api/v1/answers",
            AGENT,
            json!({ "order_number": order, "question": question, "language": "zh-CN" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

fn text(answer: &Value) -> String {
    answer["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn questions_are_answered_from_the_order_and_its_case() {
    let app = TestApp::start().await;
    app.order("ANS-1").await;

    // No case yet: a refund question is answered truthfully; a question it does not know opens
    // a consultation holding the question.
    let none = ask(&app, "ANS-1", "退款到哪了？").await;
    assert_eq!(none["topic"], "refund");
    assert!(text(&none).contains("还没有售后申请"), "{none}");
    assert_eq!(none["forwarded"], false);
    let unknown = ask(&app, "ANS-1", "你好，请问能开发票吗").await;
    assert_eq!(
        (unknown["topic"].clone(), unknown["forwarded"].clone()),
        (Value::Null, json!(true))
    );
    let (_, cases) = app.get("/api/v1/orders/ANS-1/cases", AGENT).await;
    let opened = &cases["items"][0];
    assert_eq!(opened["kind"], "consultation");
    assert_eq!(opened["description"], "你好，请问能开发票吗");
    assert_eq!(unknown["case_number"], opened["number"]);

    // A refund: its amount and state.
    app.order("ANS-2").await;
    let case = app.case("ANS-2", "refund_only", "未收到货").await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(
        app.act(id, AGENT, "approve", json!({})).await.0,
        StatusCode::OK
    );
    let before = ask(&app, "ANS-2", "退款到哪了").await;
    assert!(text(&before).contains("还没有发起退款"), "{before}");
    let (status, refund) = app
        .refund(
            id,
            "answers-1",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 5000 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    let after = ask(&app, "ANS-2", "Where is my refund?").await;
    let words = text(&after);
    assert!(words.contains(case["number"].as_str().unwrap()), "{words}");
    assert!(words.contains("¥50.00"), "{words}");
    assert!(words.contains("退款 ¥50.00"), "{words}");

    // A return: where to send it, the label, by when.
    app.call(
        Method::PATCH,
        "/api/v1/settings",
        SUPERVISOR,
        Some(json!({ "return_address": "上海市浦东新区张江路 88 号 售后部 021-12345678" })),
    )
    .await;
    app.recent_order("ANS-3").await;
    let back = app.case("ANS-3", "return_and_refund", "不想要了").await;
    let back_id = back["id"].as_str().unwrap();
    let (status, approved) = app.act(back_id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    let how = ask(&app, "ANS-3", "怎么寄回？").await;
    let words = text(&how);
    assert_eq!(how["topic"], "return");
    assert!(words.contains("张江路 88 号"), "{words}");
    assert!(
        words.contains(&format!(
            "/portal/shop/cases/{}/label.pdf",
            back["number"].as_str().unwrap()
        )),
        "{words}"
    );

    // A parcel: carrier, number, the last scan.
    let (_, order) = app.get("/api/v1/orders/ANS-3", AGENT).await;
    let (status, parcel) = app
        .post(
            &format!("/api/v1/orders/{}/shipments", order["id"].as_str().unwrap()),
            AGENT,
            json!({ "direction": "to_customer", "carrier": "顺丰速运", "tracking_number": "SF1234567890" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{parcel}");
    let when = ask(&app, "ANS-3", "什么时候能到").await;
    assert_eq!(when["topic"], "parcel");
    assert!(text(&when).contains("顺丰速运 SF1234567890"), "{when}");

    // Not known: a message on the open case, kept for a person.
    let odd = ask(&app, "ANS-3", "你们周末上班吗").await;
    assert_eq!(odd["forwarded"], true);
    assert_eq!(odd["case_number"], back["number"]);
    let (_, messages) = app
        .get(&format!("/api/v1/cases/{back_id}/messages"), AGENT)
        .await;
    assert!(
        messages.to_string().contains("你们周末上班吗"),
        "{messages}"
    );

    // Bad input: a clear 422, an unknown order a 404.
    let (status, _) = app
        .post(
            "/api/v1/answers",
            AGENT,
            json!({ "order_number": "ANS-3", "question": "  " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .post(
            "/api/v1/answers",
            AGENT,
            json!({ "order_number": "NOPE", "question": "退款" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_signed_in_customer_asks_on_the_order_page() {
    let app = TestApp::start().await;
    app.order("ANS-P").await;
    let case = app.case("ANS-P", "refund_only", "未收到货").await;
    let cookie = app.portal_session("ANS-P", "13800138000").await;
    let path = "/portal/shop/orders/ANS-P";
    let token = app.portal_form_token(&cookie, path).await;
    let response = app
        .client
        .post(app.url(&format!("{path}/answers?csrf={token}")))
        .header(reqwest::header::COOKIE, &cookie)
        .form(&[("question", "退款到哪了")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"answer\""), "{html}");
    assert!(html.contains(case["number"].as_str().unwrap()), "{html}");
    assert!(
        html.contains("value=\"退款到哪了\""),
        "the question stays in the field"
    );
    // Without the form token, refused.
    let forged = app
        .client
        .post(app.url(&format!("{path}/answers")))
        .header(reqwest::header::COOKIE, &cookie)
        .form(&[("question", "退款到哪了")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

/// A question the order's records cannot answer is answered by the shop's knowledge base when an
/// article holds most of its words; only what no article answers goes to a person.
#[tokio::test]
async fn the_knowledge_base_answers_what_the_records_cannot() {
    let app = TestApp::start().await;
    let (status, article) = app
        .post(
            "/api/v1/articles",
            SUPERVISOR,
            json!({ "slug": "invoice", "status": "published", "tags": ["发票", "开票"],
                "title_zh": "如何开发票？", "body_zh": "确认收货后 3 个工作日内开出电子发票，发送到您的邮箱。" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{article}");
    app.order("ANS-KB").await;
    let answer = ask(&app, "ANS-KB", "请问怎么开发票").await;
    assert_eq!(answer["forwarded"], false, "{answer}");
    assert_eq!(answer["articles"][0]["slug"], "invoice");
    assert!(text(&answer).contains("如何开发票？"), "{answer}");
    let (_, cases) = app.get("/api/v1/orders/ANS-KB/cases", AGENT).await;
    assert_eq!(cases["items"], json!([]), "nothing went to a person");
    // A question no article holds still goes to a person.
    let other = ask(&app, "ANS-KB", "能帮我改成周末送货吗").await;
    assert_eq!(other["forwarded"], true, "{other}");
    assert_eq!(other["articles"], json!([]));
}
