//! Photos on cases (judged by their bytes, without location) and partial-refund offers (paid
//! exactly once when accepted), over the staff API and the portal.

mod common;

use common::{AGENT, OTHER_SHOP, TestApp, error_code};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

async fn upload(app: &TestApp, id: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/cases/{id}/attachments?file_name={name}")))
        .bearer_auth(AGENT)
        .header("Content-Type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn staff_attach_photos_checked_by_their_content() {
    let app = TestApp::start().await;
    app.order("ATT-1").await;
    let case = app.case("ATT-1", "repair", "屏幕闪烁").await;
    let id = case["id"].as_str().unwrap();

    let (status, stored) = upload(&app, id, "screen.jpg", fixture("photo-with-location.jpg")).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["kind"], "photo");
    assert_eq!(stored["content_type"], "image/jpeg");
    assert_eq!(stored["author_role"], "agent");

    // A text file sent as image/jpeg is refused with a reason naming the file.
    let (status, body) = upload(&app, id, "fake.jpg", fixture("not-a-photo.jpg")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "invalid");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'fake.jpg' is not a JPEG"),
        "{body}"
    );

    // Six files per case at most.
    for index in 0..5 {
        let (status, _) = upload(
            &app,
            id,
            &format!("p{index}.jpg"),
            fixture("photo-with-location.jpg"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, body) = upload(&app, id, "p7.jpg", fixture("photo-with-location.jpg")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 6")
    );

    let (_, listed) = app
        .get(&format!("/api/v1/cases/{id}/attachments"), AGENT)
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 6);
    let download = app
        .client
        .get(app.url(&format!(
            "/api/v1/cases/{id}/attachments/{}",
            stored["id"].as_str().unwrap()
        )))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    assert_eq!(download.headers()["content-type"], "image/jpeg");
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
    let bytes = download.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
    assert_ne!(
        bytes.as_ref(),
        fixture("photo-with-location.jpg").as_slice(),
        "location stripped"
    );

    // Another shop sees nothing; the timeline records the upload.
    let (status, _) = app
        .get(&format!("/api/v1/cases/{id}/attachments"), OTHER_SHOP)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, events) = app.get(&format!("/api/v1/cases/{id}/events"), AGENT).await;
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event["action"] == "attached")
    );
}

#[tokio::test]
async fn the_customer_adds_photos_from_the_case_page() {
    let app = TestApp::start().await;
    app.order("ATT-2").await;
    let case = app.case("ATT-2", "exchange", "颜色不对").await;
    let (id, number) = (
        case["id"].as_str().unwrap(),
        case["number"].as_str().unwrap(),
    );
    let cookie = app.portal_session("ATT-2", "13800138000").await;
    let token = app
        .portal_form_token(&cookie, &format!("/portal/shop/cases/{number}"))
        .await;
    let send = |name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "files",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str("image/jpeg")
                .unwrap(),
        );
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(app.url(&format!(
                "/portal/shop/cases/{number}/attachments?csrf={token}"
            )))
            .header(COOKIE, cookie.clone())
            .multipart(form)
            .send()
    };
    let refused = send("假照片.jpg", fixture("not-a-photo.jpg"))
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("“假照片.jpg”不是可接受的照片或视频")
    );
    let added = send("颜色.jpg", fixture("photo-with-location.jpg"))
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let (_, listed) = app
        .get(&format!("/api/v1/cases/{id}/attachments"), AGENT)
        .await;
    assert_eq!(listed["items"][0]["file_name"], "颜色.jpg");
    assert_eq!(listed["items"][0]["author_role"], "customer");
    // Without the session cookie the file is not served.
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(&format!(
            "/portal/shop/cases/{number}/attachments/{}",
            listed["items"][0]["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_accepted_offer_is_paid_exactly_once() {
    let app = TestApp::start().await;
    app.order("OFR-1").await;
    let case = app.case("OFR-1", "refund_only", "少发了一件").await;
    let (id, number) = (
        case["id"].as_str().unwrap(),
        case["number"].as_str().unwrap(),
    );
    let offer_path = format!("/api/v1/cases/{id}/offers");

    // Paid 199.00 + 90.00: an offer above 289.00 or at zero is refused.
    let (status, body) = app
        .post(&offer_path, AGENT, json!({ "amount_minor": 28901 }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("¥289.00")
    );
    let (status, _) = app
        .post(&offer_path, AGENT, json!({ "amount_minor": 0 }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, first) = app
        .post(&offer_path, AGENT, json!({ "amount_minor": 5000 }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, body) = app
        .post(&offer_path, AGENT, json!({ "amount_minor": 6000 }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "offer_already_open");
    let (status, withdrawn) = app
        .post(
            &format!("{offer_path}/{}/withdraw", first["id"].as_str().unwrap()),
            AGENT,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(withdrawn["state"], "withdrawn");
    let (status, offer) = app
        .post(
            &offer_path,
            AGENT,
            json!({ "amount_minor": 10001, "note": "补偿" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let offer_id = offer["id"].as_str().unwrap().to_string();

    // The customer presses "accept" twice at once: one refund.
    let cookie = app.portal_session("OFR-1", "13800138000").await;
    let token = app
        .portal_form_token(&cookie, &format!("/portal/shop/cases/{number}"))
        .await;
    let accept = || {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(app.url(&format!(
                "/portal/shop/cases/{number}/offers/{offer_id}?csrf={token}"
            )))
            .header(COOKIE, cookie.clone())
            .form(&[("answer", "accept")])
            .send()
    };
    let (one, two) = tokio::join!(accept(), accept());
    let mut statuses = vec![one.unwrap().status(), two.unwrap().status()];
    statuses.sort();
    assert_eq!(
        statuses,
        vec![StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]
    );

    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    let refunds = refunds["items"].as_array().unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount_minor"], 10001);
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], "refunded");
    // Split over the lines in proportion to what was paid, 199.00 : 90.00 → 68.865 : 31.145;
    // the odd fen goes to the larger remainder (…50.17 against …49.83).
    let lines = shown["lines"].as_array().unwrap();
    let refunded: Vec<i64> = lines
        .iter()
        .map(|line| line["refunded_minor"].as_i64().unwrap())
        .collect();
    assert_eq!(refunded.iter().sum::<i64>(), 10001);
    assert_eq!(refunded, vec![6887, 3114]);
    let (_, offers) = app.get(&offer_path, AGENT).await;
    assert_eq!(offers["items"][0]["state"], "accepted");
    assert_eq!(offers["items"][0]["refund_id"], refunds[0]["id"]);
}

/// An inspector's photo stays with the staff unless they choose to show it; the customer's own
/// files and the ones shown are in the portal.
#[tokio::test]
async fn staff_files_are_internal_unless_shown_to_the_customer() {
    let app = TestApp::start().await;
    app.order("ATT-VIS").await;
    let case = app.case("ATT-VIS", "return_and_refund", "外壳破损").await;
    let (id, number) = (
        case["id"].as_str().unwrap(),
        case["number"].as_str().unwrap(),
    );
    let (status, inside) = upload(
        &app,
        id,
        "inspection.jpg",
        fixture("photo-with-location.jpg"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{inside}");
    assert_eq!(inside["visibility"], "internal");
    let (status, shown) = upload(
        &app,
        id,
        "shown.jpg&visibility=customer",
        fixture("photo-with-location.jpg"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{shown}");
    assert_eq!(shown["visibility"], "customer");
    let (status, body) = upload(
        &app,
        id,
        "x.jpg&visibility=public",
        fixture("photo-with-location.jpg"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let cookie = app.portal_session("ATT-VIS", "13800138000").await;
    let client = reqwest::Client::new();
    let html = client
        .get(app.url(&format!("/portal/shop/cases/{number}")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("shown.jpg") && !html.contains("inspection.jpg"),
        "{html}"
    );
    let fetch = |file: &Value| {
        client
            .get(app.url(&format!(
                "/portal/shop/cases/{number}/attachments/{}",
                file["id"].as_str().unwrap()
            )))
            .header(COOKIE, &cookie)
            .send()
    };
    assert_eq!(
        fetch(&inside).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(fetch(&shown).await.unwrap().status(), StatusCode::OK);
}

/// A counter-offer of a nearer return address: worth nothing, only before the goods are sent,
/// accepted in the portal, and the return label then carries it.
#[tokio::test]
async fn a_nearer_return_address_is_negotiated_and_printed_on_the_label() {
    let app = TestApp::start().await;
    app.order("OFR-A").await;
    let case = app.case("OFR-A", "return_and_refund", "尺码不合适").await;
    let (id, number) = (
        case["id"].as_str().unwrap(),
        case["number"].as_str().unwrap(),
    );
    let offer_path = format!("/api/v1/cases/{id}/offers");
    let address = "广州市白云区退货仓 3 号门 小鹿售后收";
    let (status, body) = app
        .post(
            &offer_path,
            AGENT,
            json!({ "kind": "return_address", "amount_minor": 100, "detail": address }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "worth nothing: {body}"
    );
    let (status, body) = app
        .post(
            &offer_path,
            AGENT,
            json!({ "kind": "return_address", "amount_minor": 0 }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the address is needed: {body}"
    );
    let (status, offer) = app
        .post(
            &offer_path,
            AGENT,
            json!({ "kind": "return_address", "amount_minor": 0, "detail": address }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{offer}");

    let cookie = app.portal_session("OFR-A", "13800138000").await;
    let page_path = format!("/portal/shop/cases/{number}");
    let page = app
        .client
        .get(app.url(&page_path))
        .header(COOKIE, cookie.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("改寄到更近的退货地址"),
        "the portal shows the offer"
    );
    let token = app.portal_form_token(&cookie, &page_path).await;
    let accepted = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(&format!(
            "/portal/shop/cases/{number}/offers/{}?csrf={token}",
            offer["id"].as_str().unwrap()
        )))
        .header(COOKIE, cookie.clone())
        .form(&[("answer", "accept")])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    // Nothing was paid and the case stays where it was.
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], "submitted");
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert!(refunds["items"].as_array().unwrap().is_empty());
    // The label names the address agreed.
    let pdf = app
        .client
        .get(app.url(&format!("/api/v1/cases/{id}/label.pdf")))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let file = std::env::temp_dir().join(format!("label-{}.pdf", uuid::Uuid::now_v7().simple()));
    std::fs::write(&file, &pdf).unwrap();
    let text = std::process::Command::new("pdftotext")
        .args([file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("广州市白云区退货仓"), "{text}");
    // Once the goods are on their way, no new address is offered.
    let (status, body) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .act(
            id,
            AGENT,
            "ship_return",
            json!({ "carrier": "顺丰", "tracking_number": "SF1" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(
            &offer_path,
            AGENT,
            json!({ "kind": "return_address", "amount_minor": 0, "detail": address }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}
