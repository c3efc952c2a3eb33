//! Invoices per outcome walked end to end: a refund's red-letter credit note in the original
//! invoice's line order with its PDF read back (pdftotext), the 数电票 confirmation rule
//! (公告2024年第11号), a foreign invoice's credit note issued at once, concurrent refunds numbered
//! without gaps, an exchange's re-issue, a repair's invoice sent back with the item, and the
//! accountant's CSV and XLSX. SQLite here, PostgreSQL with TEST_DATABASE_URL.

mod common;

use common::{AGENT, TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn invoice(app: &TestApp, order: &str, body: Value) -> Value {
    let (status, answer) = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/orders/{order}/invoice"),
            AGENT,
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn step(app: &TestApp, note: &Value, body: Value) -> (StatusCode, Value) {
    let mut body = body;
    body["version"] = note["version"].clone();
    app.post(
        &format!(
            "/api/v1/credit-notes/{}/steps",
            note["id"].as_str().unwrap()
        ),
        AGENT,
        body,
    )
    .await
}

async fn notes_of(app: &TestApp, case_id: &str) -> Vec<Value> {
    let (status, list) = app
        .get(&format!("/api/v1/credit-notes?case_id={case_id}"), AGENT)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["credit_notes"].as_array().unwrap().clone()
}

fn pdf_text(bytes: &[u8]) -> String {
    let file = std::env::temp_dir().join(format!("credit-{}.pdf", uuid::Uuid::now_v7().simple()));
    std::fs::write(&file, bytes).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args([file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (apt install poppler-utils)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn a_refund_reverses_the_invoice_line_by_line_and_the_shop_records_the_red_letter_invoice() {
    let app = TestApp::start().await;
    app.order("IV-1").await;
    // The invoice lists the T-shirts first; the delivery is free.
    let stored = invoice(
        &app,
        "IV-1",
        json!({
            "number": "26442000000123456789", "issued_on": "2026-11-03", "kind": "digital_normal",
            "buyer_title": "王小明",
            "lines": [
                { "order_line": 2, "description": "*纺织产品*纯棉T恤", "quantity": 2, "amount_minor": 9000, "tax_minor": 1035, "tax_rate": "13%" },
                { "order_line": 1, "description": "*音响设备*蓝牙耳机", "quantity": 1, "amount_minor": 19900, "tax_minor": 2289, "tax_rate": "13%" }
            ]
        }),
    )
    .await;
    assert_eq!(stored["total_minor"], 28900);
    assert_eq!(stored["buyer_booked"], false);
    let case = app.case("IV-1", "refund_only", "未收到货").await;
    let id = case["id"].as_str().unwrap();
    app.act(id, AGENT, "approve", json!({})).await;
    // Half the T-shirts (one of two) and the earphones.
    let (status, refund) = app
        .refund(
            id,
            "IV-1-r1",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 19900 }, { "line_number": 2, "amount_minor": 4500 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    let notes = notes_of(&app, id).await;
    assert_eq!(notes.len(), 1);
    let note = &notes[0];
    assert_eq!(note["number"], "CN00000001");
    assert_eq!(note["state"], "requested");
    assert_eq!(note["needs_confirmation"], false, "an individual's invoice");
    assert_eq!(note["refund_id"], refund["id"]);
    let order: Vec<(i64, i64, i64)> = note["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            (
                line["invoice_line"].as_i64().unwrap(),
                line["amount_minor"].as_i64().unwrap(),
                line["tax_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![(1, 4500, 518), (2, 19900, 2289)],
        "the invoice's order"
    );
    assert_eq!(note["total_minor"], 24400);
    assert_eq!(note["tax_minor"], 2807);

    // The same refund sent again makes no second credit note.
    let (status, _) = app
        .refund(
            id,
            "IV-1-r1",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 19900 }, { "line_number": 2, "amount_minor": 4500 }] }),
        )
        .await;
    assert!(status.is_success());
    assert_eq!(notes_of(&app, id).await.len(), 1);

    // Nothing to confirm: issued with the red-letter invoice's number; a confirmation is refused.
    let (status, body) = step(
        &app,
        note,
        json!({ "step": "confirm", "confirmation_number": "X1" }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "credit_note_step_refused");
    let (status, body) = step(&app, note, json!({ "step": "issue" })).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the number: {body}"
    );
    let (status, issued) = step(
        &app,
        note,
        json!({ "step": "issue", "red_invoice_number": "26442000000987654321" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(issued["state"], "issued");
    let (status, body) = step(&app, note, json!({ "step": "cancel", "note": "?" })).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the version read is old: {body}"
    );
    let (status, body) = step(&app, &issued, json!({ "step": "cancel", "note": "?" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "an issued one stands: {body}");

    // The PDF, read back.
    let response = app
        .client
        .get(app.url("/api/v1/credit-notes/CN00000001/pdf"))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let text = pdf_text(&response.bytes().await.unwrap());
    for expected in [
        "CN00000001",
        "红字发票",
        "26442000000123456789",
        "26442000000987654321",
        "纯棉T恤",
        "-¥45.00",
        "-¥199.00",
        "-¥244.00",
        "-¥28.07",
        "王小明",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The invoice cannot be swapped once reversed.
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/orders/IV-1/invoice",
            AGENT,
            Some(json!({ "number": "X-2", "issued_on": "2026-11-04", "kind": "digital_normal", "buyer_title": "王小明" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "invoice_reversed");
}

#[tokio::test]
async fn a_booked_special_invoice_waits_for_its_confirmation_form() {
    let app = TestApp::start().await;
    app.order("IV-2").await;
    let stored = invoice(
        &app,
        "IV-2",
        json!({ "number": "26442000000000000002", "issued_on": "2026-11-03", "kind": "digital_special",
                "buyer_title": "杭州某某科技有限公司", "buyer_tax_id": "91330106MA27YQ4E1K" }),
    )
    .await;
    assert_eq!(
        stored["buyer_booked"], true,
        "a special VAT invoice is taken as booked"
    );
    assert_eq!(
        stored["lines"].as_array().unwrap().len(),
        2,
        "the order's lines"
    );
    let case = app.case("IV-2", "refund_only", "不要了").await;
    let id = case["id"].as_str().unwrap();
    app.act(id, AGENT, "approve", json!({})).await;
    let (status, body) = app.refund(id, "IV-2-r1", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let note = notes_of(&app, id).await.remove(0);
    assert_eq!(note["needs_confirmation"], true);
    assert!(note["confirm_by"].is_string(), "{note}");
    assert_eq!(note["lapsed"], false);
    assert_eq!(note["total_minor"], 28900);
    let (status, body) = step(
        &app,
        &note,
        json!({ "step": "issue", "red_invoice_number": "R-1" }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "the form first: {body}");
    let (status, confirmed) = step(
        &app,
        &note,
        json!({ "step": "confirm", "confirmation_number": "4403012026120600001" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["state"], "confirmed");
    assert!(confirmed["confirm_by"].is_null());
    let (status, issued) = step(
        &app,
        &confirmed,
        json!({ "step": "issue", "red_invoice_number": "26442000000000000099" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(issued["confirmation_number"], "4403012026120600001");
}

#[tokio::test]
async fn a_foreign_invoices_credit_note_stands_at_once_in_the_orders_currency() {
    let app = TestApp::start().await;
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": "IV-3", "currency": "EUR", "placed_at": "2026-11-20 10:00",
                "delivered_at": "2026-11-22 10:00",
                "customer": { "name": "Anna Schmidt", "email": "anna@example.de" },
                "lines": [
                    { "sku": "M", "product_name": "Mug", "quantity": 2, "unit_price_minor": 1190, "tax_minor": 380 },
                    { "sku": "P", "product_name": "Plate", "quantity": 1, "unit_price_minor": 990, "tax_minor": 158 }
                ],
                "shipping_lines": [{ "title": "DHL", "amount_minor": 490 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let stored = invoice(
        &app,
        "IV-3",
        json!({ "number": "RE-2026-0042", "issued_on": "2026-11-20", "kind": "foreign", "buyer_title": "Anna Schmidt" }),
    )
    .await;
    assert_eq!(stored["currency"], "EUR");
    assert_eq!(
        stored["lines"][2]["shipping"], true,
        "the delivery as the last line"
    );
    let case = app.case("IV-3", "refund_only", "broken").await;
    let id = case["id"].as_str().unwrap();
    app.act(id, AGENT, "approve", json!({})).await;
    let (status, body) = app
        .refund(
            id,
            "IV-3-r1",
            json!({ "lines": [{ "line_number": 1, "amount_minor": 1190 }], "shipping_minor": 490 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let note = notes_of(&app, id).await.remove(0);
    assert_eq!(note["state"], "issued");
    assert_eq!(note["currency"], "EUR");
    assert_eq!(note["total_minor"], 1680);
    assert_eq!(note["lines"][0]["tax_minor"], 190, "half the line's tax");
    assert_eq!(note["lines"][1]["amount_minor"], 490);
}

#[tokio::test]
async fn concurrent_refunds_number_their_credit_notes_without_gaps() {
    let app = TestApp::start().await;
    let mut cases = Vec::new();
    for index in 0..12 {
        let number = format!("IV-C{index}");
        app.order(&number).await;
        invoice(
            &app,
            &number,
            json!({ "number": format!("INV-C{index}"), "issued_on": "2026-11-03", "kind": "electronic_normal", "buyer_title": "王小明" }),
        )
        .await;
        let case = app.case(&number, "refund_only", "未收到货").await;
        let id = case["id"].as_str().unwrap().to_string();
        app.act(&id, AGENT, "approve", json!({})).await;
        cases.push(id);
    }
    // Each case refunded twice at once under the same key, and once more under another.
    let mut calls = Vec::new();
    for id in &cases {
        for key in ["a", "a", "b"] {
            let app = &app;
            let id = id.clone();
            calls.push(async move {
                app.refund(
                    &id,
                    &format!("{id}-{key}"),
                    json!({ "lines": [{ "line_number": 2, "amount_minor": 100 }] }),
                )
                .await
            });
        }
    }
    let answers = futures::future::join_all(calls).await;
    // A duplicate that arrives while its twin runs is told to retry; none fails otherwise.
    assert!(
        answers.iter().all(|(status, body)| status.is_success()
            || (*status == StatusCode::CONFLICT
                && error_code(body) == "idempotency_key_in_progress")),
        "{answers:?}"
    );
    for id in &cases {
        let (status, body) = app
            .refund(
                id,
                &format!("{id}-a"),
                json!({ "lines": [{ "line_number": 2, "amount_minor": 100 }] }),
            )
            .await;
        assert!(status.is_success(), "the replay: {body}");
    }
    let (_, list) = app.get("/api/v1/credit-notes", AGENT).await;
    let numbers: Vec<i64> = list["credit_notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(
        numbers,
        (1..=24).collect::<Vec<i64>>(),
        "one per refund, no gap"
    );
    let refunds: std::collections::BTreeSet<String> = list["credit_notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["refund_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(refunds.len(), 24);
}

#[tokio::test]
async fn an_exchange_reissues_a_repair_sends_it_back_and_the_accountant_exports_the_period() {
    let app = TestApp::start().await;
    app.order("IV-4").await;
    invoice(
        &app,
        "IV-4",
        json!({ "number": "INV-4", "issued_on": "2026-11-03", "kind": "paper_normal", "buyer_title": "王小明" }),
    )
    .await;
    let exchange = app.case("IV-4", "exchange", "换大一号").await;
    let id = exchange["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{id}/invoice-changes");
    let (status, body) = app
        .post(&path, AGENT, json!({ "action": "reissued" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the new invoice: {body}"
    );
    let (status, body) = app
        .post(&path, AGENT, json!({ "action": "return_with_item" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a repair's: {body}"
    );
    let (status, changes) = app
        .post(
            &path,
            AGENT,
            json!({ "action": "reissued", "note": "换成 L 码",
                    "invoice": { "number": "INV-4B", "issued_on": "2026-12-01", "kind": "digital_normal", "buyer_title": "王小明" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changes}");
    assert_eq!(changes[0]["new_invoice_number"], "INV-4B");
    let (_, invoices) = app.get("/api/v1/orders/IV-4/invoices", AGENT).await;
    assert_eq!(invoices[0]["number"], "INV-4B");
    assert_eq!(invoices[0]["state"], "current");
    assert_eq!(invoices[1]["state"], "replaced");
    assert_eq!(invoices[0]["replaces"], invoices[1]["id"]);

    // A repair on an order with a paper invoice: the original goes back with the item.
    app.order("IV-5").await;
    invoice(
        &app,
        "IV-5",
        json!({ "number": "INV-5", "issued_on": "2026-11-03", "kind": "paper_normal", "buyer_title": "王小明" }),
    )
    .await;
    let repair = app.case("IV-5", "repair", "开不了机").await;
    let repair_id = repair["id"].as_str().unwrap();
    let (status, body) = app.act(repair_id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The label's packing list asks for it.
    let label = app
        .client
        .get(app.url(&format!("/api/v1/cases/{repair_id}/label.pdf")))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    assert_eq!(label.status(), StatusCode::OK);
    let text = pdf_text(&label.bytes().await.unwrap());
    assert!(text.contains("INV-5"), "{text}");
    assert!(text.contains("原发票"), "{text}");
    let (status, list) = app.get("/api/v1/credit-notes?from=2020-01-01", AGENT).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let kinds: Vec<&str> = list["invoice_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["reissued", "return_with_item"]);
    let (status, body) = app.get("/api/v1/credit-notes?from=2026-13-01", AGENT).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .get("/api/v1/credit-notes?from=2026-12-02&to=2026-12-01", AGENT)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let csv = app
        .client
        .get(app.url("/api/v1/credit-notes?format=csv"))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("\u{feff}type,number,made_at"), "{text}");
    assert!(text.contains("invoice_reissued,INV-4B,"), "{text}");
    assert!(text.contains("invoice_return_with_item,,"), "{text}");
    let xlsx = app
        .client
        .get(app.url("/api/v1/credit-notes?format=xlsx"))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(
        xlsx.bytes().await.unwrap().starts_with(b"PK"),
        "a ZIP container"
    );
}
