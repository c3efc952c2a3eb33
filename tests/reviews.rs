//! Reviews end to end: a Taobao 评价 export in GBK and a Judge.me (Shopify) export come in as
//! they are; each review is stored once and matched to its order; a medium or negative one opens
//! one `review` case; a second import changes nothing; a changed review is a revision on its
//! case; the buyer's answer, the explanation reply from a template, posted once; the statistics;
//! the list exported and read back. SQLite here, PostgreSQL with TEST_DATABASE_URL.

mod common;

use common::{AGENT, TestApp, error_code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn order(app: &TestApp, number: &str, email: &str) {
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": number,
                "platform": "taobao",
                "placed_at": "2026-11-01 10:00",
                "delivered_at": "2026-11-03 15:30",
                "customer": { "name": "赵女士", "phone": "13900139000", "email": email },
                "lines": [
                    { "sku": "CUP-1", "product_name": "保温杯 500ml", "quantity": 1, "unit_price_minor": 8900 }
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn import(app: &TestApp, bytes: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/reviews/import"))
        .bearer_auth(AGENT)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn review_cases(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get("/api/v1/cases?kind=review&limit=200", AGENT).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Taobao's 评价 export as the seller centre writes it (GBK, `="…"` around long numbers).
fn taobao_export(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut text =
        String::from("订单编号,子订单编号,宝贝名称,评价结果,评价内容,评价时间,买家昵称\r\n");
    for row in rows {
        text.push_str(&format!(
            "=\"{}\",=\"{}\",{},{},\"{}\",{},{}\r\n",
            row[0], row[1], row[2], row[3], row[4], row[5], row[6]
        ));
    }
    encoding_rs::GBK.encode(&text).0.into_owned()
}

const GOOD: [&str; 7] = [
    "3712345678901234561",
    "3712345678901234571",
    "保温杯 500ml",
    "好评",
    "很好用，保温效果不错",
    "2026-11-05 09:00:00",
    "t**1",
];
const MEDIUM: [&str; 7] = [
    "3712345678901234562",
    "3712345678901234572",
    "保温杯 500ml",
    "中评",
    "一般般，盖子有点紧",
    "2026-11-06 10:00:00",
    "t**2",
];
const BAD: [&str; 7] = [
    "3712345678901234563",
    "3712345678901234573",
    "保温杯 500ml",
    "差评",
    "用了三天就不保温了，客服也不理人",
    "2026-11-07 11:00:00",
    "t**3",
];
const UNKNOWN_ORDER: [&str; 7] = [
    "3712345678901234569",
    "3712345678901234579",
    "保温杯 500ml",
    "差评",
    "杯子漏水",
    "2026-11-08 12:00:00",
    "t**9",
];
const NO_GRADE: [&str; 7] = [
    "3712345678901234561",
    "3712345678901234599",
    "保温杯 500ml",
    "一般",
    "还行",
    "2026-11-08 12:00:00",
    "t**1",
];

#[tokio::test]
async fn a_taobao_export_opens_one_case_per_medium_or_negative_review_and_changes_nothing_twice() {
    let app = TestApp::start().await;
    for number in [
        "3712345678901234561",
        "3712345678901234562",
        "3712345678901234563",
    ] {
        order(&app, number, "zhao@example.com").await;
    }
    let file = taobao_export(&[GOOD, MEDIUM, BAD, UNKNOWN_ORDER, NO_GRADE]);
    let (status, report) = import(&app, file.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["layout"], "Taobao/Tmall 评价");
    assert_eq!(report["rows"], 5);
    assert_eq!(report["created"], 4, "{report}");
    assert_eq!(report["cases_opened"], 2, "{report}");
    assert_eq!(report["unmatched"], 1, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(errors[0]["row"], 6);
    assert!(
        errors[0]["message"].as_str().unwrap().contains("一般"),
        "{report}"
    );

    let cases = review_cases(&app).await;
    assert_eq!(cases.len(), 2);
    let negative = cases
        .iter()
        .find(|case| case["order_number"] == BAD[0])
        .expect("the negative review's case");
    assert_eq!(negative["kind"], "review");
    assert_eq!(negative["status"], "open");
    assert_eq!(negative["priority"], "high");
    let medium = cases
        .iter()
        .find(|case| case["order_number"] == MEDIUM[0])
        .expect("the medium review's case");
    assert_eq!(medium["priority"], "normal");

    // The same file again: nothing changes.
    let (status, again) = import(&app, file).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (
            &again["created"],
            &again["unchanged"],
            &again["cases_opened"]
        ),
        (&json!(0), &json!(4), &json!(0)),
        "{again}"
    );
    assert_eq!(review_cases(&app).await.len(), 2);

    // The buyer revised the negative review: a revision on its case's timeline.
    let mut revised = BAD;
    revised[3] = "好评";
    revised[4] = "客服联系后给换了新的，好用";
    let (_, third) = import(&app, taobao_export(&[GOOD, MEDIUM, revised])).await;
    assert_eq!(
        (&third["revised"], &third["unchanged"]),
        (&json!(1), &json!(2)),
        "{third}"
    );
    let case_id = negative["id"].as_str().unwrap();
    let (_, events) = app
        .get(&format!("/api/v1/cases/{case_id}/events"), AGENT)
        .await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"review_received"), "{actions:?}");
    assert!(actions.contains(&"review_revised"), "{actions:?}");

    let (status, list) = app
        .get("/api/v1/reviews?grade=positive&limit=10", AGENT)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let positive = list["items"].as_array().unwrap();
    assert_eq!(positive.len(), 2, "{list}");
    let turned = positive
        .iter()
        .find(|review| review["order_number"] == BAD[0])
        .unwrap();
    assert_eq!(turned["first_grade"], "negative");
    assert_eq!(turned["case_number"], negative["number"]);

    // Statistics: one product, November; one review improved.
    let (status, statistics) = app
        .get(
            "/api/v1/reviews/statistics?from=2026-11-01&to=2026-11-30",
            AGENT,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{statistics}");
    let rows = statistics["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{statistics}");
    assert_eq!(rows[0]["product"], "保温杯 500ml");
    assert_eq!(rows[0]["month"], "2026-11");
    assert_eq!(
        (
            &rows[0]["reviews"],
            &rows[0]["positive"],
            &rows[0]["medium"],
            &rows[0]["negative"]
        ),
        (&json!(4), &json!(2), &json!(1), &json!(1)),
        "{statistics}"
    );
    assert_eq!(rows[0]["improved"], 1);
    // Taobao's grades carry no stars: no mean is made up.
    assert_eq!(rows[0]["mean_rating"], Value::Null);

    // The unmatched review gets its order: its case opens; a second time is refused.
    let (_, unmatched) = app.get("/api/v1/reviews?unmatched=true", AGENT).await;
    let lonely = unmatched["items"][0]["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .post(
            &format!("/api/v1/reviews/{lonely}/order"),
            AGENT,
            json!({ "order_number": "no-such-order" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    order(&app, UNKNOWN_ORDER[0], "zhao@example.com").await;
    let (status, linked) = app
        .post(
            &format!("/api/v1/reviews/{lonely}/order"),
            AGENT,
            json!({ "order_number": UNKNOWN_ORDER[0] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{linked}");
    assert!(linked["case_number"].is_string(), "{linked}");
    let (status, body) = app
        .post(
            &format!("/api/v1/reviews/{lonely}/order"),
            AGENT,
            json!({ "order_number": UNKNOWN_ORDER[0] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(review_cases(&app).await.len(), 3);
}

#[tokio::test]
async fn the_buyer_declines_and_the_explanation_is_drafted_stored_exported_and_posted_once() {
    let app = TestApp::start().await;
    order(&app, "3712345678901234563", "zhao@example.com").await;
    let (_, report) = import(&app, taobao_export(&[BAD])).await;
    assert_eq!(report["cases_opened"], 1, "{report}");
    let (_, list) = app.get("/api/v1/reviews", AGENT).await;
    let id = list["items"][0]["id"].as_str().unwrap().to_string();

    let (status, body) = app
        .post(
            &format!("/api/v1/reviews/{id}/outcome"),
            AGENT,
            json!({ "outcome": "maybe" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, declined) = app
        .post(
            &format!("/api/v1/reviews/{id}/outcome"),
            AGENT,
            json!({ "outcome": "declined" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{declined}");
    assert_eq!(declined["outcome"], "declined");

    let (status, body) = app
        .post(
            &format!("/api/v1/reviews/{id}/explanation"),
            AGENT,
            json!({ "text": "长".repeat(501) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .post(
            &format!("/api/v1/reviews/{id}/explanation"),
            AGENT,
            json!({ "template": "没有这个模板" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, explained) = app
        .post(
            &format!("/api/v1/reviews/{id}/explanation"),
            AGENT,
            json!({ "template": "致歉说明" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{explained}");
    let text = explained["explanation"].as_str().unwrap();
    assert!(text.contains("保温杯 500ml"), "{text}");
    assert!(!text.contains('{'), "every placeholder filled: {text}");

    // The explanations to post, as a CSV read back.
    let response = app
        .client
        .get(app.url("/api/v1/reviews?to_post=true&format=csv"))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(bytes.strip_prefix("\u{feff}".as_bytes()).unwrap());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1);
    assert_eq!(&records[0][2], BAD[0], "the 19-digit order number whole");
    assert_eq!(&records[0][10], text);

    let (status, posted) = app
        .post(&format!("/api/v1/reviews/{id}/posted"), AGENT, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{posted}");
    assert!(posted["posted_at"].is_string());
    let (status, body) = app
        .post(&format!("/api/v1/reviews/{id}/posted"), AGENT, json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = app
        .post(
            &format!("/api/v1/reviews/{id}/explanation"),
            AGENT,
            json!({ "text": "改一下" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "explanation_posted");
    let (_, to_post) = app.get("/api/v1/reviews?to_post=true", AGENT).await;
    assert_eq!(to_post["items"].as_array().unwrap().len(), 0);

    // The timeline tells the story.
    let case_id = posted["case_id"].as_str().unwrap();
    let (_, events) = app
        .get(&format!("/api/v1/cases/{case_id}/events"), AGENT)
        .await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap())
        .collect();
    for action in [
        "review_received",
        "review_outcome",
        "review_explained",
        "review_explanation_posted",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    // An agent resolves and closes it like any conversation.
    let (status, body) = app.act(case_id, AGENT, "resolve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_judge_me_export_is_matched_by_the_reviewers_email_and_the_api_takes_the_same_fields() {
    let app = TestApp::start().await;
    order(&app, "SHOP-1001", "camille@example.com").await;
    let text = "title,body,rating,review_date,source,curated,reviewer_name,reviewer_email,product_id,product_handle,reply,reply_date,picture_urls,ip_address,location\n\
        Bof,\"Le couvercle fuit, déçue.\",2,2026-11-10 10:12:00 UTC,web,ok,Camille R.,camille@example.com,7012345678,CUP-1,,,,1.1.1.1,FR\n\
        Top,Parfait,5,2026-11-11 08:00:00 UTC,web,ok,Léa,lea@example.com,7012345678,CUP-1,,,,1.1.1.2,FR\n";
    let (status, report) = import(&app, text.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["layout"], "Shopify (Judge.me)");
    assert_eq!(
        (
            &report["created"],
            &report["cases_opened"],
            &report["unmatched"]
        ),
        (&json!(2), &json!(1), &json!(1)),
        "{report}"
    );
    let cases = review_cases(&app).await;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["order_number"], "SHOP-1001");
    let (_, list) = app.get("/api/v1/reviews?grade=negative", AGENT).await;
    // 10:12 UTC is 18:12 in the shop's zone (Asia/Shanghai).
    assert_eq!(
        list["items"][0]["reviewed_at"], "2026-11-10T18:12:00+08:00",
        "{list}"
    );
    let (_, statistics) = app.get("/api/v1/reviews/statistics", AGENT).await;
    assert_eq!(statistics["items"][0]["mean_rating"], 3.5, "{statistics}");

    // The API: the same review by its own id twice is one review; a bad one is reported.
    let review = json!({ "platform": "shopify", "review_id": "jm-77", "order_number": "SHOP-1001",
        "sku": "CUP-1", "rating": 1, "text": "Broke after a week", "reviewed_at": "2026-11-12T09:00:00Z" });
    let (status, first) = app
        .post(
            "/api/v1/reviews",
            AGENT,
            json!({ "reviews": [review.clone(), review, { "sku": "CUP-1", "rating": 7, "reviewed_at": "2026-11-12" }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        (
            &first["created"],
            &first["unchanged"],
            &first["cases_opened"]
        ),
        (&json!(1), &json!(1), &json!(1)),
        "{first}"
    );
    assert_eq!(first["errors"][0]["row"], 3, "{first}");
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/reviews",
            AGENT,
            Some(json!({ "reviews": [] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A file no review layout matches is refused with what it needs.
    let (status, body) = import(&app, "评分,内容\n5,好\n".as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
