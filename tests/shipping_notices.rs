//! Speaking first after the sale: a parcel leaving for the buyer carries the window it should
//! arrive in, estimated from the shop's own delivery history (same carrier to the same
//! province, else the carrier anywhere), and the buyer gets a shipping notice by e-mail (a real
//! SMTP server) with the day, carrier, number, that window and what to check when signing; a
//! parcel that arrived before the notice went out is not announced; a reshipped part's case
//! message carries its window too. SQLite here, PostgreSQL with TEST_DATABASE_URL.

mod common;

use aftersale::clock::system_micros as now_micros;
use aftersale::operations::notifications::run_once;
use common::smtp::SmtpSink;
use common::{AGENT, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000_000;

fn at(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .unwrap()
        .to_string()
}

/// An order to `address` for `email`, placed `days` ago; its id.
async fn order(app: &TestApp, number: &str, address: &str, email: &str, days: i64) -> String {
    let placed = now_micros() - days * 24 * HOUR;
    // One buyer per order (a customer is found by phone, and keeps one address).
    let phone = format!(
        "136{:08}",
        number.bytes().map(u64::from).sum::<u64>() * 7919 % 100_000_000
    );
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": number, "platform": "taobao", "placed_at": at(placed),
                "customer": { "name": "周女士", "phone": phone, "email": email, "address": address },
                "lines": [{ "sku": "LAMP-1", "product_name": "台灯", "quantity": 1, "unit_price_minor": 12900 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["order"]["id"].as_str().unwrap().to_string()
}

async fn ship(app: &TestApp, order_id: &str, tracking: &str, shipped_at: i64) -> Value {
    let (status, body) = app
        .post(
            &format!("/api/v1/orders/{order_id}/shipments"),
            AGENT,
            json!({ "direction": "to_customer", "carrier": "顺丰速运", "tracking_number": tracking,
                "shipped_at": at(shipped_at) }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn deliver(app: &TestApp, shipment_id: &str, delivered_at: i64) {
    let (status, body) = app
        .post(
            &format!("/api/v1/shipments/{shipment_id}/scans"),
            AGENT,
            json!({ "state": "delivered", "description": "已签收，本人签收", "at": at(delivered_at) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// `12月8日` in China time.
fn day(micros: i64) -> String {
    let date = jiff::Timestamp::from_microsecond(micros)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .date();
    format!("{}月{}日", date.month(), date.day())
}

#[tokio::test]
async fn the_buyer_hears_the_parcel_left_and_when_it_should_arrive_from_the_shops_history() {
    let app = TestApp::start().await;
    let sink = SmtpSink::start();
    let channels = sink.channels();
    // History: five 顺丰 parcels to 上海 took 24, 30, 36, 40 and 48 hours (median 36, p80 40).
    for (n, hours) in [24, 30, 36, 40, 48].into_iter().enumerate() {
        let id = order(
            &app,
            &format!("H-{n}"),
            "上海市浦东新区世纪大道100号",
            "history@example.com",
            20,
        )
        .await;
        let shipped = now_micros() - (15 - n as i64) * 24 * HOUR;
        let parcel = ship(&app, &id, &format!("SFH{n}"), shipped).await;
        deliver(&app, parcel["id"].as_str().unwrap(), shipped + hours * HOUR).await;
    }
    // The history's parcels left too long ago to be announced.
    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    assert_eq!(sink.messages().len(), 0, "{:?}", sink.messages());

    let id = order(
        &app,
        "SHIP-1",
        "上海市静安区南京西路1号",
        "buyer@example.com",
        1,
    )
    .await;
    let shipped = now_micros() - HOUR;
    let parcel = ship(&app, &id, "SF1001", shipped).await;
    assert_eq!(parcel["expected_basis"], "carrier_province", "{parcel}");
    let from: jiff::Timestamp = parcel["expected_from"].as_str().unwrap().parse().unwrap();
    let to: jiff::Timestamp = parcel["expected_to"].as_str().unwrap().parse().unwrap();
    // Stored to the microsecond, shown to the second.
    assert_eq!(from.as_second(), (shipped + 36 * HOUR) / 1_000_000);
    assert_eq!(to.as_second(), (shipped + 40 * HOUR) / 1_000_000);

    // To 新疆 nobody has shipped: the carrier anywhere.
    let far = order(
        &app,
        "SHIP-2",
        "新疆维吾尔自治区乌鲁木齐市",
        "far@example.com",
        1,
    )
    .await;
    let far_parcel = ship(&app, &far, "SF1002", shipped).await;
    assert_eq!(far_parcel["expected_basis"], "carrier", "{far_parcel}");
    // A parcel delivered before its notice went out is not announced.
    let quick = order(&app, "SHIP-3", "上海市黄浦区", "quick@example.com", 1).await;
    let quick_parcel = ship(&app, &quick, "SF1003", shipped).await;
    deliver(&app, quick_parcel["id"].as_str().unwrap(), now_micros()).await;

    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    let mails = sink.messages();
    let to_buyer: Vec<&Value> = mails
        .iter()
        .filter(|mail| mail["to"] == json!(["buyer@example.com"]))
        .collect();
    assert_eq!(to_buyer.len(), 1, "{mails:?}");
    let mail = to_buyer[0];
    let subject = mail["subject"].as_str().unwrap();
    assert!(
        subject.contains("SHIP-1") && subject.contains("已发货"),
        "{subject}"
    );
    let text = mail["text"].as_str().unwrap();
    for part in ["顺丰速运", "SF1001", "签收时请当面检查", "同一省份"] {
        assert!(text.contains(part), "{part} in {text}");
    }
    let window = if day(shipped + 36 * HOUR) == day(shipped + 40 * HOUR) {
        day(shipped + 36 * HOUR)
    } else {
        format!("{}–{}", day(shipped + 36 * HOUR), day(shipped + 40 * HOUR))
    };
    assert!(
        text.contains(&format!("预计 {window} 送达")),
        "{window} in {text}"
    );
    assert!(
        text.contains("https://shop.example/portal/shop/enter/"),
        "{text}"
    );
    assert!(
        mails
            .iter()
            .any(|mail| mail["to"] == json!(["far@example.com"]))
    );
    assert!(
        !mails
            .iter()
            .any(|mail| mail["to"] == json!(["quick@example.com"])),
        "a parcel already delivered is not announced"
    );
}

#[tokio::test]
async fn a_reshipped_parts_case_message_says_when_it_should_arrive() {
    let app = TestApp::start().await;
    let sink = SmtpSink::start();
    let channels = sink.channels();
    for (n, hours) in [20, 22, 24, 26, 28].into_iter().enumerate() {
        let id = order(
            &app,
            &format!("R-{n}"),
            "浙江省杭州市西湖区",
            "h@example.com",
            20,
        )
        .await;
        let shipped = now_micros() - (15 - n as i64) * 24 * HOUR;
        let parcel = ship(&app, &id, &format!("SFR{n}"), shipped).await;
        deliver(&app, parcel["id"].as_str().unwrap(), shipped + hours * HOUR).await;
    }
    order(&app, "RS-1", "浙江省宁波市", "reship@example.com", 3).await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": "RS-1", "kind": "reship", "reason_code": "missing_part",
                "description": "少了灯罩", "lines": [{ "line_number": 1 }],
                "contact": { "name": "周女士", "email": "reship@example.com" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();
    let (status, body) = app.act(id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .act(
            id,
            AGENT,
            "ship_replacement",
            json!({ "carrier": "顺丰速运", "tracking_number": "SFRS1" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    let mails = sink.messages();
    let reshipped = mails
        .iter()
        .find(|mail| mail["text"].as_str().unwrap().contains("SFRS1"))
        .unwrap_or_else(|| panic!("the reship message: {mails:?}"));
    let text = reshipped["text"].as_str().unwrap();
    assert!(text.contains("预计") && text.contains("同一省份"), "{text}");
    assert!(text.contains("签收时请当面检查"), "{text}");
}

#[tokio::test]
async fn an_imported_order_with_a_tracking_number_gets_its_parcel_and_its_notice_once() {
    let app = TestApp::start().await;
    let sink = SmtpSink::start();
    let channels = sink.channels();
    let shipped = now_micros() - 2 * HOUR;
    let day = jiff::Timestamp::from_microsecond(shipped)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    // Two lines of one order split over two parcels, as a split shipment is exported.
    let csv = format!(
        "订单号,下单时间,发货时间,买家姓名,手机,邮箱,收货地址,商品编码,商品名称,数量,单价,快递公司,快递单号\n\
         IMP-1,{day},{day},吴先生,13500135000,wu@example.com,广东省深圳市南山区,LAMP-1,台灯,1,129.00,中通快递,ZT100\n\
         IMP-1,{day},{day},吴先生,13500135000,wu@example.com,广东省深圳市南山区,BULB-1,灯泡,2,9.90,中通快递,\"ZT100，ZT101\"\n"
    );
    let import = |body: String| {
        let (client, url) = (app.client.clone(), app.url("/api/v1/orders/import"));
        async move {
            let response = client
                .post(url)
                .bearer_auth(AGENT)
                .header("content-type", "text/csv")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, report) = import(csv.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["parcels_added"], 2, "{report}");
    let (status, again) = import(csv).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        again["parcels_added"], 0,
        "re-import changes nothing: {again}"
    );
    let (_, order) = app.get("/api/v1/orders/IMP-1", AGENT).await;
    let parcels = order["shipments"].as_array().unwrap();
    let numbers: Vec<&str> = parcels
        .iter()
        .map(|parcel| parcel["tracking_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["ZT100", "ZT101"], "{order}");
    // No history yet: nothing is promised, and the buyer still hears it left.
    assert_eq!(parcels[0]["expected_from"], Value::Null);
    run_once(&app.database, &channels, now_micros())
        .await
        .unwrap();
    let mails: Vec<Value> = sink
        .messages()
        .into_iter()
        .filter(|mail| mail["to"] == json!(["wu@example.com"]))
        .collect();
    assert_eq!(mails.len(), 2, "one notice per parcel: {mails:?}");
    let text = mails[0]["text"].as_str().unwrap();
    assert!(
        text.contains("中通快递") && text.contains("IMP-1"),
        "{text}"
    );
    assert!(!text.contains("预计"), "no window is made up: {text}");
}
