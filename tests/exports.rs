//! Every long list as a file, and the reports a shop schedules: the orders, customers and cases the list shows, with its filters,
//! read back with a CSV reader and an XLSX reader (calamine) and compared with the JSON list —
//! across the export's own pages (1,000 records each).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use aftersale::operations::notifications::run_once;
use aftersale::operations::schedules;
use calamine::{Data, Reader, Xlsx};
use common::smtp::SmtpSink;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The file at `path`: its content type and bytes.
async fn file(app: &TestApp, path: &str, token: &str) -> (String, Vec<u8>) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (kind, response.bytes().await.unwrap().to_vec())
}

/// The CSV's rows (the header first), the BOM checked and removed.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a BOM for Excel");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The XLSX's rows (the header first) of every sheet, cells as text or number.
fn xlsx_rows(bytes: Vec<u8>) -> Vec<Vec<Data>> {
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = workbook.sheet_names().to_vec();
    names
        .iter()
        .flat_map(|name| {
            let range = workbook.worksheet_range(name).unwrap();
            range.rows().map(|row| row.to_vec()).collect::<Vec<_>>()
        })
        .collect()
}

/// Every item of a JSON list, page after page.
async fn all_items(app: &TestApp, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let page = match &cursor {
            Some(cursor) => format!("{path}{separator}limit=200&cursor={cursor}"),
            None => format!("{path}{separator}limit=200"),
        };
        let (status, body) = app.get(&page, AGENT).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return items,
        }
    }
}

/// An order file of `count` orders, the first with a 19-digit number, amounts with discounts.
fn orders_file(count: usize) -> Vec<u8> {
    let mut text =
        String::from("订单号,下单时间,买家姓名,手机,商品编码,商品名称,数量,单价,实付金额\n");
    for index in 0..count {
        let number = if index == 0 {
            "4387219983201938475".to_string()
        } else {
            format!("EX{index:05}")
        };
        let paid = 1000 + index;
        text.push_str(&format!(
            "{number},2026-11-{:02} 09:{:02},买家{index},139{index:08},SKU-{},商品{},1,{}.00,{}.{:02}\n",
            1 + index % 28,
            index % 60,
            index % 7,
            index % 7,
            paid + 50,
            paid,
            index % 100,
        ));
    }
    text.into_bytes()
}

#[tokio::test]
async fn orders_and_customers_export_every_row_the_list_holds_across_pages() {
    let app = TestApp::start().await;
    let response = app
        .client
        .post(app.url("/api/v1/orders/import"))
        .bearer_auth(AGENT)
        .header("content-type", "text/csv")
        .body(orders_file(1_050))
        .send()
        .await
        .unwrap();
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["orders_created"], 1_050, "{report}");

    let listed = all_items(&app, "/api/v1/orders").await;
    assert_eq!(listed.len(), 1_050);
    let (kind, bytes) = file(&app, "/api/v1/orders?format=csv", AGENT).await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    let rows = csv_rows(&bytes);
    assert_eq!(rows[0][0], "订单号 Order number");
    assert_eq!(rows[0][4], "实付 Total");
    assert_eq!(rows.len(), 1_051, "the header and every order once");
    let numbers: Vec<&str> = rows[1..].iter().map(|row| row[0].as_str()).collect();
    let expected: Vec<&str> = listed
        .iter()
        .map(|order| order["order_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, expected, "the list's own order, newest first");
    let by_number: BTreeMap<&str, &Vec<String>> =
        rows[1..].iter().map(|row| (row[0].as_str(), row)).collect();
    for order in &listed {
        let row = by_number[order["order_number"].as_str().unwrap()];
        let total = order["total_minor"].as_i64().unwrap();
        assert_eq!(row[4], format!("{}.{:02}", total / 100, total % 100));
        assert_eq!(row[3], "CNY");
        assert_eq!(row[10], order["placed_at"].as_str().unwrap());
    }
    assert!(
        by_number.contains_key("4387219983201938475"),
        "19 digits kept"
    );

    let (kind, bytes) = file(&app, "/api/v1/orders?format=xlsx", AGENT).await;
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let sheet = xlsx_rows(bytes);
    assert_eq!(sheet.len(), 1_051);
    let first = sheet
        .iter()
        .find(|row| row[0] == Data::String("4387219983201938475".into()))
        .expect("the 19-digit number as text, never rounded");
    assert_eq!(
        first[4],
        Data::Float(1000.0),
        "the total as a number: ¥1000.00"
    );

    // A search narrows the file as it narrows the list.
    let (_, bytes) = file(&app, "/api/v1/orders?q=ex0001&format=csv", AGENT).await;
    let found = csv_rows(&bytes);
    let listed = all_items(&app, "/api/v1/orders?q=ex0001").await;
    assert_eq!(found.len() - 1, listed.len());
    assert!(found[1..].iter().all(|row| row[0].starts_with("EX0001")));

    let customers = all_items(&app, "/api/v1/customers").await;
    let (_, bytes) = file(&app, "/api/v1/customers?format=csv", AGENT).await;
    let rows = csv_rows(&bytes);
    assert_eq!(rows.len() - 1, customers.len());
    let ids: BTreeSet<&str> = rows[1..].iter().map(|row| row[0].as_str()).collect();
    for customer in &customers {
        assert!(ids.contains(customer["id"].as_str().unwrap()));
    }
    let (_, bytes) = file(&app, "/api/v1/customers?format=xlsx", AGENT).await;
    assert_eq!(xlsx_rows(bytes).len(), customers.len() + 1);

    // Another shop's file holds none of them; an unknown format is a clear 422.
    let (_, bytes) = file(&app, "/api/v1/orders?format=csv", OTHER_SHOP).await;
    assert_eq!(csv_rows(&bytes).len(), 1, "the header alone");
    let (status, body) = app.get("/api/v1/orders?format=pdf", AGENT).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn a_case_export_holds_what_the_filtered_list_shows_in_api_and_console() {
    let app = TestApp::start().await;
    app.order("EXP-1").await;
    app.order("EXP-2").await;
    let refund = app.case("EXP-1", "return_and_refund", "耳机有杂音").await;
    app.case("EXP-2", "repair", "开机无反应").await;
    let complaint = app
        .case("EXP-2", "complaint", "客服态度差, 含逗号\n和换行")
        .await;

    let (_, bytes) = file(&app, "/api/v1/cases?format=csv&sort=created_at", AGENT).await;
    let rows = csv_rows(&bytes);
    let listed = all_items(&app, "/api/v1/cases?sort=created_at").await;
    assert_eq!(rows.len() - 1, 3);
    let numbers: Vec<&str> = rows[1..].iter().map(|row| row[0].as_str()).collect();
    let expected: Vec<&str> = listed
        .iter()
        .map(|case| case["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, expected);
    let last = &rows[3];
    assert_eq!(last[1], "complaint");
    assert_eq!(last[5], "EXP-2");
    assert_eq!(last[18], "客服态度差, 含逗号\n和换行", "quoted, whole");
    assert_eq!(last[14], complaint["created_at"].as_str().unwrap());

    let (_, bytes) = file(
        &app,
        "/api/v1/cases?kind=return_and_refund&format=xlsx",
        AGENT,
    )
    .await;
    let sheet = xlsx_rows(bytes);
    assert_eq!(sheet.len(), 2);
    assert_eq!(
        sheet[1][0],
        Data::String(refund["number"].as_str().unwrap().into())
    );
    assert_eq!(sheet[1][13], Data::String("CNY".into()));

    // The console's file is the queue's view: open cases by default, its filters applied.
    let (cookie, _) = app.console_session("agent@test.local").await;
    let (status, bytes) = app
        .console_get(&cookie, "/console/exports/cases.csv?kind=repair")
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = csv_rows(&bytes);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][1], "repair");
    let (_, page) = app.console_get(&cookie, "/console?kind=repair").await;
    assert!(
        String::from_utf8(page)
            .unwrap()
            .contains("/console/exports/cases.xlsx?"),
        "the queue links its file"
    );
    let (status, _) = app.console_get(&cookie, "/console/exports/cases.pdf").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_weekly_report_goes_once_to_its_recipients_with_the_agents_table() {
    let app = TestApp::start().await;
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({ "reports": { "schedule": "weekly", "recipients": ["boss"] } })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("recipients[0]"), "{body}");
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({ "reports": { "schedule": "weekly", "recipients": ["boss@shop.example"], "hour": 8 } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.order("REP-1").await;
    app.case("REP-1", "return_and_refund", "耳机有杂音").await;
    app.case("REP-1", "complaint", "快递太慢").await;

    // The week these cases opened in, from its Monday; the sweep on the next Monday at noon.
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let today = jiff::Timestamp::from_microsecond(app.database.clock.now())
        .unwrap()
        .to_zoned(zone.clone())
        .date();
    let monday = today
        .checked_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
        .unwrap();
    let sunday = monday.checked_add(jiff::Span::new().days(6)).unwrap();
    let next_monday = monday.checked_add(jiff::Span::new().days(7)).unwrap();
    let at = next_monday
        .at(12, 0, 0, 0)
        .to_zoned(zone)
        .unwrap()
        .timestamp()
        .as_microsecond();
    let before = next_monday
        .at(7, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp()
        .as_microsecond();
    assert_eq!(
        schedules::sweep(&app.database, before).await.unwrap(),
        1,
        "the week before this one"
    );
    assert_eq!(schedules::sweep(&app.database, at).await.unwrap(), 1);
    assert_eq!(
        schedules::sweep(&app.database, at).await.unwrap(),
        0,
        "once"
    );
    assert_eq!(
        schedules::sweep(&app.database, at + 3_600_000_000)
            .await
            .unwrap(),
        0,
        "still once an hour later"
    );

    let smtp = SmtpSink::start();
    run_once(&app.database, &smtp.channels(), at).await.unwrap();
    let span = format!("{monday} – {sunday}");
    let mails: Vec<Value> = smtp
        .messages()
        .into_iter()
        .filter(|mail| mail["subject"].as_str().unwrap().contains("售后周报"))
        .collect();
    assert_eq!(mails.len(), 2, "two weeks' reports, one each: {mails:?}");
    let mail = mails
        .iter()
        .find(|mail| mail["subject"].as_str().unwrap().ends_with(&span))
        .expect("this week's report");
    assert_eq!(mail["to"], json!(["boss@shop.example"]));
    let text = mail["text"].as_str().unwrap();
    let (_, kpis) = app
        .get(
            &format!("/api/v1/reports/kpis?from={monday}&to={sunday}"),
            SUPERVISOR,
        )
        .await;
    assert_eq!(kpis["totals"]["opened"], 2, "{kpis}");
    assert!(text.contains("新开案件 2 个，结束 0 个"), "{text}");
    assert!(
        text.contains(&format!("/console/dashboard?from={monday}&to={sunday}")),
        "{text}"
    );
    let attachment = &mail["attachments"][0];
    assert_eq!(attachment["name"], format!("kpis-{monday}-{sunday}.csv"));
    let rows = csv_rows(attachment["text"].as_str().unwrap().as_bytes());
    let (_, bytes) = file(
        &app,
        &format!("/api/v1/reports/kpis?from={monday}&to={sunday}&format=csv"),
        SUPERVISOR,
    )
    .await;
    assert_eq!(rows, csv_rows(&bytes), "the dashboard's own table");
}
