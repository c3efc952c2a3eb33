//! Repair appointments (docs/REPAIRS.md, "Appointments"): a service point's slots, the last
//! place of a slot taken once under fifty customers booking at once, a booking moved and
//! cancelled (the place free again), the calendar file, the reminder the day before (once,
//! over a real SMTP server; time moved by passing `now`), the staff's day view.

mod common;

use aftersale::clock::system_micros as now_micros;
use aftersale::operations::appointments::remind;
use aftersale::operations::notifications::run_once;
use common::smtp::SmtpSink;
use common::{AGENT, OTHER_SHOP, SUPERVISOR, TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000_000;

/// A repair case waiting for the customer to bring the item.
async fn repair(app: &TestApp, order: &str) -> Value {
    app.order(order).await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({
                "order_number": order, "kind": "repair", "reason_code": "not_working",
                "description": "洗衣机脱水报错", "lines": [{ "line_number": 1 }],
                "contact": { "name": "李娜", "phone": "13800138000",
                    "email": format!("{}@example.com", order.to_lowercase()) }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

async fn location(app: &TestApp) -> Value {
    let slots = json!([
        { "start": "09:00", "end": "10:00", "capacity": 2 },
        { "start": "14:00", "end": "15:00", "capacity": 3 }
    ]);
    let (status, body) = app
        .post(
            "/api/v1/repair-locations",
            SUPERVISOR,
            json!({ "name": "徐汇服务点", "address": "上海市徐汇区漕溪北路 1 号",
                "services": ["drop_in", "pickup", "drop_in"],
                "slots": [{ "start": "09:00", "end": "10:30", "capacity": 1 },
                          { "start": "10:00", "end": "11:00", "capacity": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("overlap")
    );
    let (status, created) = app
        .post(
            "/api/v1/repair-locations",
            SUPERVISOR,
            json!({ "name": "徐汇服务点", "address": "上海市徐汇区漕溪北路 1 号",
                "services": ["drop_in", "pickup", "drop_in"], "slots": slots }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["services"], json!(["drop_in", "pickup"]));
    created
}

async fn openings(app: &TestApp, location: &str) -> Vec<Value> {
    let (status, body) = app
        .get(
            &format!("/api/v1/repair-locations/{location}/openings"),
            AGENT,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_last_place_of_a_slot_goes_to_one_of_fifty_at_once() {
    let app = TestApp::start().await;
    let location = location(&app).await;
    let location_id = location["id"].as_str().unwrap().to_string();
    let offered = openings(&app, &location_id).await;
    assert!(!offered.is_empty(), "two weeks hold working days");
    let first = offered
        .iter()
        .find(|opening| opening["start"] == "09:00")
        .unwrap()
        .clone();
    assert_eq!(first["free"], 2);
    let booking = |service: &str| {
        json!({ "location_id": location_id, "service": service,
                "day": first["day"], "start": first["start"] })
    };
    // One place taken; a service the location does not offer is refused.
    let early = repair(&app, "AP-0").await;
    let path = |case: &Value| format!("/api/v1/cases/{}/appointment", case["id"].as_str().unwrap());
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &path(&early),
            AGENT,
            Some(booking("on_site")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &path(&early),
            AGENT,
            Some(booking("drop_in")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Fifty customers want the last place at once.
    let mut cases = Vec::new();
    for number in 1..=50 {
        cases.push(repair(&app, &format!("AP-{number}")).await);
    }
    let paths: Vec<String> = cases.iter().map(path).collect();
    let attempts = paths
        .iter()
        .map(|path| app.call(reqwest::Method::PUT, path, AGENT, Some(booking("pickup"))));
    let answers = futures::future::join_all(attempts).await;
    let booked = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .count();
    assert_eq!(booked, 1, "{answers:?}");
    for (status, body) in &answers {
        if *status != StatusCode::OK {
            assert_eq!(*status, StatusCode::CONFLICT, "{body}");
            assert_eq!(error_code(body), "slot_full");
        }
    }
    let (_, day) = app
        .get(
            &format!(
                "/api/v1/appointments?day={}",
                first["day"].as_str().unwrap()
            ),
            AGENT,
        )
        .await;
    let at_nine = day["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|booking| booking["slot"] == "09:00")
        .count();
    assert_eq!(at_nine, 2, "{day}");
    assert!(
        openings(&app, &location_id)
            .await
            .iter()
            .all(|opening| !(opening["day"] == first["day"] && opening["start"] == "09:00"))
    );
    // Another shop sees none of it.
    let (status, _) = app
        .get(
            &format!("/api/v1/repair-locations/{location_id}"),
            OTHER_SHOP,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_booking_is_moved_cancelled_and_reminded_once_the_day_before() {
    let app = TestApp::start().await;
    let sink = SmtpSink::start();
    let channels = sink.channels();
    let location = location(&app).await;
    let location_id = location["id"].as_str().unwrap().to_string();
    let offered = openings(&app, &location_id).await;
    let case = repair(&app, "AM-1").await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{id}/appointment");
    let (status, booked) = app
        .call(
            reqwest::Method::PUT,
            &path,
            AGENT,
            Some(json!({ "location_id": location_id, "service": "drop_in",
                "day": offered[0]["day"], "start": offered[0]["start"] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{booked}");
    // A second booking without the first's version is refused; with it, the booking moves.
    let target = offered.last().unwrap();
    let moved = json!({ "location_id": location_id, "service": "pickup",
        "day": target["day"], "start": target["start"] });
    let (status, body) = app
        .call(reqwest::Method::PUT, &path, AGENT, Some(moved.clone()))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "already_booked");
    let mut with_version = moved.clone();
    with_version["version"] = booked["version"].clone();
    let (status, moved) = app
        .call(reqwest::Method::PUT, &path, AGENT, Some(with_version))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["day"], target["day"]);
    assert_eq!(moved["service"], "pickup");
    // The first slot has its place back.
    let again = openings(&app, &location_id).await;
    let first_again = again
        .iter()
        .find(|opening| {
            opening["day"] == offered[0]["day"] && opening["start"] == offered[0]["start"]
        })
        .unwrap();
    assert_eq!(first_again["free"], offered[0]["free"]);

    // The calendar file, through the customer's own page.
    let cookie = app.portal_session("AM-1", "13800138000").await;
    let number = case["number"].as_str().unwrap();
    let file = app
        .client
        .get(app.url(&format!("/portal/shop/cases/{number}/appointment.ics")))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let file = file.text().await.unwrap();
    assert!(
        file.contains("BEGIN:VEVENT") && file.contains("SEQUENCE:1"),
        "{file}"
    );
    assert!(
        file.contains("LOCATION:徐汇服务点 上海市徐汇区漕溪北路 1 号"),
        "{file}"
    );

    // The reminder: nothing two days ahead, once within the last day.
    let (_, current) = app.get(&path, AGENT).await;
    let starts: jiff::Timestamp = current["starts_at"].as_str().unwrap().parse().unwrap();
    let starts = starts.as_microsecond();
    assert_eq!(remind(&app.database, starts - 48 * HOUR).await.unwrap(), 0);
    assert_eq!(remind(&app.database, starts - 20 * HOUR).await.unwrap(), 1);
    assert_eq!(remind(&app.database, starts - 19 * HOUR).await.unwrap(), 0);
    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    let mails: Vec<String> = sink
        .messages()
        .iter()
        .filter(|mail| mail["to"] == json!(["am-1@example.com"]))
        .map(|mail| mail["subject"].as_str().unwrap().to_string())
        .collect();
    assert!(
        mails.iter().any(|subject| subject.contains("维修预约成功")),
        "{mails:?}"
    );
    assert!(
        mails
            .iter()
            .any(|subject| subject.contains("明天的维修预约提醒")),
        "{mails:?}"
    );

    // Cancelled: the place is free, the case takes a new booking.
    let (status, body) = app
        .post(
            &format!("{path}/cancel"),
            AGENT,
            json!({ "version": current["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = app.get(&path, AGENT).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &path,
            AGENT,
            Some(moved_back(&location_id, target)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Once the item is in, the case takes no appointment.
    for action in ["approve"] {
        let (status, _) = app.act(id, AGENT, action, json!({})).await;
        assert_eq!(status, StatusCode::OK);
    }
    let other = repair(&app, "AM-2").await;
    let other_id = other["id"].as_str().unwrap();
    for (action, extra) in [
        ("approve", json!({})),
        (
            "ship_return",
            json!({ "carrier": "顺丰速运", "tracking_number": "SF-AM2" }),
        ),
    ] {
        let (status, body) = app.act(other_id, AGENT, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/cases/{other_id}/appointment"),
            AGENT,
            Some(moved_back(&location_id, target)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "not_bookable");

    // The staff's day view.
    let (agent, _) = app.console_session("agent@test.local").await;
    let (status, page) = app
        .console_get(
            &agent,
            &format!(
                "/console/appointments?day={}",
                target["day"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains(number) && page.contains("徐汇服务点"),
        "{page}"
    );
}

fn moved_back(location_id: &str, opening: &Value) -> Value {
    json!({ "location_id": location_id, "service": "drop_in",
        "day": opening["day"], "start": opening["start"] })
}
