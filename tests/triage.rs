//! Triage from the text: a case's description flags danger, threats and anger; the flags raise
//! the priority, tag the case, go on its timeline, and danger and threats reach the
//! supervisors by e-mail (through a real SMTP server) the moment the case opens.

mod common;

use aftersale::operations::notifications::run_once;
use common::smtp::SmtpSink;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn open(
    app: &TestApp,
    order: &str,
    kind: &str,
    description: &str,
    priority: Option<&str>,
) -> Value {
    let mut body = json!({
        "order_number": order, "kind": kind, "reason_code": "quality", "description": description,
        "lines": [{ "line_number": 1 }], "contact": { "name": "王小明", "phone": "13800138000" }
    });
    if let Some(priority) = priority {
        body["priority"] = json!(priority);
    }
    let (status, case) = app.post("/api/v1/cases", AGENT, body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

fn tags(case: &Value) -> Vec<&str> {
    case["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| tag.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn flags_raise_the_priority_tag_the_case_and_reach_the_supervisors() {
    let app = TestApp::start().await;
    app.order("TR-1").await;
    app.order("TR-2").await;
    app.order("TR-3").await;
    app.order("TR-4").await;

    let threat = open(
        &app,
        "TR-1",
        "complaint",
        "客服还骂人，态度恶劣，我要打12315投诉你们！",
        None,
    )
    .await;
    assert_eq!(threat["priority"], "urgent");
    assert_eq!(
        tags(&threat),
        vec!["threat-authority", "threat-platform", "anger"]
    );
    let (_, events) = app
        .get(
            &format!("/api/v1/cases/{}/events", threat["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    let created = &events["items"][0];
    assert_eq!(created["action"], "created");
    assert_eq!(
        created["data"]["triage"]["flags"],
        json!(["authority", "platform", "anger"])
    );
    assert_eq!(
        created["data"]["triage"]["priority"],
        json!({ "asked": "normal", "set": "urgent" })
    );

    // Danger outranks what the caller asked for; the tag lets the queue filter such cases.
    let danger = open(
        &app,
        "TR-2",
        "return_and_refund",
        "充电器冒烟起火，孩子的手被烫伤了",
        Some("low"),
    )
    .await;
    assert_eq!(danger["priority"], "urgent");
    assert_eq!(tags(&danger), vec!["safety"]);
    let (_, listed) = app.get("/api/v1/cases?tag=safety", AGENT).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    // Anger alone raises the priority but wakes nobody; a negated cue is no flag.
    let angry = open(&app, "TR-3", "complaint", "处理太慢了，太差劲", None).await;
    assert_eq!(
        (angry["priority"].as_str(), tags(&angry)),
        (Some("high"), vec!["anger"])
    );
    let calm = open(
        &app,
        "TR-4",
        "repair",
        "没有起火也没冒烟，就是充不进电",
        None,
    )
    .await;
    assert_eq!(calm["priority"], "normal");
    assert!(tags(&calm).is_empty());

    // The case page says what was read, in words.
    let (cookie, _) = app.console_session("agent@test.local").await;
    let page = async |id: &str| {
        let (_, html) = app
            .console_get(&cookie, &format!("/console/cases/{id}"))
            .await;
        String::from_utf8(html).unwrap()
    };
    let html = page(danger["id"].as_str().unwrap()).await;
    assert!(
        html.contains("id=\"triage\"") && html.contains("安全隐患"),
        "{html}"
    );
    let html = page(calm["id"].as_str().unwrap()).await;
    assert!(!html.contains("id=\"triage\""));

    // A later message from the customer is read too: danger found there raises the calm case.
    let cookie = app.portal_session("TR-4", "13800138000").await;
    let path = format!("/portal/shop/cases/{}", calm["number"].as_str().unwrap());
    let token = app.portal_form_token(&cookie, &path).await;
    let posted = app
        .client
        .post(app.url(&format!("{path}/messages?csrf={token}")))
        .header(reqwest::header::COOKIE, &cookie)
        .form(&[("body", "刚才充电时突然冒烟了，手被烫伤")])
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_success() || posted.status().is_redirection());
    let calm_id = calm["id"].as_str().unwrap();
    let (_, raised) = app.get(&format!("/api/v1/cases/{calm_id}"), AGENT).await;
    assert_eq!(raised["priority"], "urgent");
    assert_eq!(tags(&raised), vec!["safety"]);
    assert_eq!(
        raised["version"], calm["version"],
        "a message never bumps the version"
    );
    let (_, events) = app
        .get(&format!("/api/v1/cases/{calm_id}/events"), AGENT)
        .await;
    let triaged = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["action"] == "triaged")
        .expect("the flag on the timeline");
    assert_eq!(triaged["data"]["flags"], json!(["safety"]));

    let smtp = SmtpSink::start();
    run_once(&app.database, &smtp.channels(), app.database.clock.now())
        .await
        .unwrap();
    let urgent: Vec<Value> = smtp
        .messages()
        .into_iter()
        .filter(|mail| mail["subject"].as_str().unwrap().contains("需立即处理"))
        .collect();
    let numbers = [
        threat["number"].as_str().unwrap(),
        danger["number"].as_str().unwrap(),
    ];
    for number in numbers {
        let to_supervisors: Vec<&Value> = urgent
            .iter()
            .filter(|mail| mail["subject"].as_str().unwrap().contains(number))
            .collect();
        assert!(!to_supervisors.is_empty(), "{number}: {urgent:?}");
        assert!(
            to_supervisors
                .iter()
                .any(|mail| mail["to"] == json!(["supervisor@test.local"]))
        );
        assert!(
            to_supervisors
                .iter()
                .all(|mail| mail["to"] != json!(["agent@test.local"]))
        );
    }
    let danger_mail = urgent
        .iter()
        .find(|mail| mail["subject"].as_str().unwrap().contains(numbers[1]))
        .unwrap();
    let text = danger_mail["text"].as_str().unwrap();
    assert!(
        text.contains("安全隐患") && text.contains("烫伤") && text.contains("孩子的手被烫伤了"),
        "{text}"
    );
    let about = |mail: &Value, case: &Value| {
        mail["subject"]
            .as_str()
            .unwrap()
            .contains(case["number"].as_str().unwrap())
    };
    assert!(
        urgent.iter().all(|mail| !about(mail, &angry)),
        "no mail for anger alone"
    );
    let from_message = urgent
        .iter()
        .find(|mail| about(mail, &calm))
        .expect("the message's danger reached the supervisors");
    assert!(
        from_message["text"]
            .as_str()
            .unwrap()
            .contains("刚才充电时突然冒烟了")
    );
}

/// The learned suggestions: a new case's description suggests a reason and a kind (kept on its
/// timeline); once the shop has ended enough cases, its own model learns how its agents left
/// their reasons — confirmed or corrected — and suggests that.
#[tokio::test]
async fn the_reason_is_suggested_and_learned_from_the_shops_own_cases() {
    let app = TestApp::start().await;
    app.order("SUG-1").await;
    let case = app
        .case("SUG-1", "exchange", "买的黑色寄来白色，款式也不对")
        .await;
    let (_, events) = app
        .get(
            &format!("/api/v1/cases/{}/events", case["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    let suggested = &events["items"][0]["data"]["suggested"];
    assert_eq!(suggested["model"], "starting", "{events}");
    assert_eq!(suggested["reason"]["class"], "wrong_item", "{suggested}");
    let confidence = suggested["reason"]["confidence"].as_f64().unwrap();
    assert!(confidence > 0.0 && confidence <= 1.0);

    let (status, before) = app
        .post(
            "/api/v1/suggestions",
            AGENT,
            json!({ "text": "赠品小风扇没收到" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["reasons"].as_array().unwrap().len(), 3);
    assert_eq!(before["model"], "starting");
    let (status, _) = app
        .post("/api/v1/suggestions", AGENT, json!({ "text": " " }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // This shop's agents file a missing gift as a price problem (its own way of counting it):
    // the customers chose "missing part", the agents corrected it; 60 such cases, closed.
    let gifts = [
        "赠品小风扇没收到",
        "说好的赠品没有发",
        "送的小礼物没看到",
        "活动赠品漏了",
        "下单送的杯子没有",
    ];
    for number in 0..60 {
        let order = format!("SUG-G{number}");
        app.order(&order).await;
        let (status, created) = app
            .post(
                "/api/v1/cases",
                AGENT,
                json!({ "order_number": order, "kind": "consultation", "reason_code": "missing_part",
                    "description": format!("{}，订单{number}", gifts[number % gifts.len()]) }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap();
        if number == 0 {
            let (status, refused) = app
                .call(
                    Method::PATCH,
                    &format!("/api/v1/cases/{id}"),
                    AGENT,
                    Some(json!({ "version": created["version"], "reason_code": "no_such_reason" })),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        }
        let (status, corrected) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/cases/{id}"),
                AGENT,
                Some(json!({ "version": created["version"], "reason_code": "price" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{corrected}");
        assert_eq!(corrected["reason_code"], "price");
        for action in ["resolve", "close"] {
            let (status, moved) = app.act(id, AGENT, action, json!({})).await;
            assert_eq!(status, StatusCode::OK, "{moved}");
        }
    }
    let trained = aftersale::operations::suggestions::retrain(&app.database, now())
        .await
        .unwrap();
    assert_eq!(trained, 1, "the shop's model was trained");
    // Trained today: not again until tomorrow.
    assert_eq!(
        aftersale::operations::suggestions::retrain(&app.database, now())
            .await
            .unwrap(),
        0
    );
    let (_, after) = app
        .post(
            "/api/v1/suggestions",
            AGENT,
            json!({ "text": "赠品小风扇没收到" }),
        )
        .await;
    assert_eq!(after["model"], "shop", "{after}");
    assert_eq!(after["reasons"][0]["class"], "price", "{after}");
    assert_eq!(after["kinds"][0]["class"], "consultation", "{after}");
    // Another shop still has the starting model.
    let (_, theirs) = app
        .post(
            "/api/v1/suggestions",
            OTHER_SHOP,
            json!({ "text": "赠品小风扇没收到" }),
        )
        .await;
    assert_eq!(theirs["model"], "starting");
}
