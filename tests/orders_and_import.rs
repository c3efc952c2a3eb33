//! Orders in: JSON upserts, CSV and XLSX imports with per-row errors, customers; and the CLI.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn an_order_is_created_then_unchanged_then_updated() {
    let app = TestApp::start().await;
    let created = app.order("O1").await;
    assert_eq!(created["outcome"], "created");
    assert_eq!(created["order"]["total_minor"], 19900 + 9000);
    assert_eq!(created["order"]["placed_at"], "2026-11-01T10:00:00+08:00");
    let body = json!({
        "order_number": "O1", "platform": "tmall", "placed_at": "2026-11-01 10:00", "delivered_at": "2026-11-03 15:30",
        "customer": { "name": "王小明", "phone": "13800138000" },
        "lines": [
            { "sku": "EP-1", "product_name": "蓝牙耳机", "quantity": 1, "unit_price_minor": 19900 },
            { "sku": "TS-2", "product_name": "纯棉T恤", "quantity": 2, "unit_price_minor": 5000, "paid_minor": 9000 }
        ]
    });
    let (status, same) = app.post("/api/v1/orders", AGENT, body.clone()).await;
    assert_eq!(
        (status, same["outcome"].clone()),
        (StatusCode::OK, json!("unchanged"))
    );
    let mut changed = body;
    changed["lines"][1]["paid_minor"] = json!(8000);
    let (status, updated) = app.post("/api/v1/orders", AGENT, changed).await;
    assert_eq!(
        (status, updated["outcome"].clone()),
        (StatusCode::OK, json!("updated"))
    );
    assert_eq!(updated["order"]["total_minor"], 19900 + 8000);

    let (status, body) = app
        .post("/api/v1/orders", AGENT, json!({ "order_number": "O2", "placed_at": "yesterday", "lines": [{ "sku": "A", "product_name": "B", "quantity": 1, "unit_price_minor": 1 }] }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"]["field"], "placed_at");
    let (status, body) = app
        .post("/api/v1/orders", AGENT, json!({ "order_number": "O2", "placed_at": "2026-11-01 10:00", "lines": [{ "sku": "A", "product_name": "B", "quantity": 1, "unit_price_minor": 100, "paid_minor": 200 }] }))
        .await;
    assert_eq!(
        (status, body["error"]["details"]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("lines[0]"))
    );

    let (_, customers) = app.get("/api/v1/customers?q=小明", AGENT).await;
    assert_eq!(customers["items"].as_array().unwrap().len(), 1);
    let customer_id = customers["items"][0]["id"].as_str().unwrap();
    let (status, customer) = app
        .get(&format!("/api/v1/customers/{customer_id}"), AGENT)
        .await;
    assert_eq!(
        (status, customer["phone"].clone()),
        (StatusCode::OK, json!("13800138000"))
    );
    let (_, orders) = app
        .get(&format!("/api/v1/orders?customer_id={customer_id}"), AGENT)
        .await;
    assert_eq!(orders["items"].as_array().unwrap().len(), 1);
    let (_, found) = app.get("/api/v1/orders?q=o1", AGENT).await;
    assert_eq!(found["items"][0]["order_number"], "O1");
    let (status, _) = app.get("/api/v1/customers", OTHER_SHOP).await;
    assert_eq!(status, StatusCode::OK);
    let (_, theirs) = app.get("/api/v1/customers", OTHER_SHOP).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
}

const CSV: &str = "\u{feff}订单号,下单时间,买家姓名,手机,商品编码,商品名称,数量,单价,实付金额\n\
TB001,2026-11-01 09:00,李雷,13900000001,SKU-1,保温杯,1,89.00,79.00\n\
TB001,2026-11-01 09:00,李雷,13900000001,SKU-2,杯套,2,10.50,\n\
TB002,2026-11-02 12:00,韩梅梅,13900000002,SKU-3,台灯,1,abc,\n\
TB003,2026-11-02 13:00,张三,13900000003,SKU-4,鼠标,0,59.00,\n\
TB003,2026-11-02 13:00,张三,13900000003,SKU-5,鼠标垫,1,9.90,\n\
,2026-11-02 13:00,无名,13900000004,SKU-6,耳机,1,9.90,\n\
TB004,2026-11-03 08:30,王五,13900000005,SKU-7,数据线,3,15,40\n";

async fn import(app: &TestApp, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/orders/import"))
        .bearer_auth(AGENT)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_csv_import_reports_each_bad_row_keeps_the_good_ones_and_repeats_harmlessly() {
    let app = TestApp::start().await;
    let (status, report) = import(&app, "text/csv", CSV.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rows"], 7);
    assert_eq!(report["orders_created"], 2, "{report}");
    let rows: Vec<i64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, vec![4, 5, 6, 7], "{report}");
    let messages: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("unit_price"), "{messages:?}");
    assert!(messages[1].contains("quantity"), "{messages:?}");
    assert!(messages[2].contains("skipped"), "{messages:?}");
    assert!(messages[3].contains("order_number"), "{messages:?}");

    let (_, order) = app.get("/api/v1/orders/TB001", AGENT).await;
    let lines = order["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["paid_minor"], 7900);
    assert_eq!(lines[1]["paid_minor"], 2100);
    assert_eq!(order["placed_at"], "2026-11-01T09:00:00+08:00");
    let (status, _) = app.get("/api/v1/orders/TB003", AGENT).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, again) = import(&app, "text/csv", CSV.as_bytes().to_vec()).await;
    assert_eq!(
        (
            again["orders_created"].clone(),
            again["orders_updated"].clone(),
            again["orders_unchanged"].clone()
        ),
        (json!(0), json!(0), json!(2))
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_lines")
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    assert_eq!(count, 3);

    let (status, body) = import(&app, "text/csv", "名字,年龄\n张三,3\n".as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("order_number")
    );
    let (status, _) = import(&app, "application/pdf", b"%PDF".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

fn workbook() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in [
        "order_number",
        "placed_at",
        "customer_name",
        "phone",
        "sku",
        "product_name",
        "quantity",
        "unit_price",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    let rows = [
        [
            "XL-1",
            "2026-11-05 10:00",
            "赵六",
            "13700000001",
            "SKU-A",
            "电饭煲",
            "1",
            "299",
        ],
        [
            "XL-2",
            "2026-11-05 11:00",
            "钱七",
            "13700000002",
            "SKU-B",
            "吹风机",
            "2",
            "129.5",
        ],
    ];
    for (index, row) in rows.iter().enumerate() {
        let line = index as u32 + 1;
        for (column, value) in row.iter().enumerate() {
            if column >= 6 {
                sheet
                    .write_number(line, column as u16, value.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(line, column as u16, *value).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_xlsx_import_reads_the_first_sheet() {
    let app = TestApp::start().await;
    let (status, report) = import(
        &app,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        workbook(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["orders_created"], 2, "{report}");
    let (_, order) = app.get("/api/v1/orders/XL-2", AGENT).await;
    assert_eq!(order["lines"][0]["unit_price_minor"], 12950);
    assert_eq!(order["lines"][0]["paid_minor"], 25900);
    let (status, _) = import(
        &app,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"not a zip".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[test]
fn the_cli_imports_a_file_and_reports_bad_rows() {
    let directory =
        std::env::temp_dir().join(format!("aftersale-cli-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&directory).unwrap();
    let database = format!("sqlite://{}/cli.db", directory.display());
    let binary = env!("CARGO_BIN_EXE_aftersale");
    let run = |arguments: &[&str]| {
        let output = std::process::Command::new(binary)
            .args(["--database-url", &database])
            .args(arguments)
            .env_remove("APP_DATABASE_URL")
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).to_string()
                + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (ok, output) = run(&[
        "admin",
        "shop",
        "add",
        "--slug",
        "cli",
        "--name",
        "命令行店",
    ]);
    assert!(ok, "{output}");
    let file = directory.join("orders.csv");
    std::fs::write(&file, CSV).unwrap();
    let (ok, output) = run(&["import", "orders", file.to_str().unwrap(), "--shop", "cli"]);
    assert!(ok, "{output}");
    assert!(output.contains("2 orders created"), "{output}");
    assert!(output.contains("row 4 (TB002)"), "{output}");
    let (ok, output) = run(&["import", "orders", file.to_str().unwrap(), "--shop", "cli"]);
    assert!(
        ok && output.contains("0 orders created, 0 updated, 2 unchanged"),
        "{output}"
    );
    let (ok, output) = run(&[
        "admin",
        "user",
        "add",
        "--shop",
        "cli",
        "--email",
        "a@cli.local",
        "--name",
        "客服",
        "--role",
        "agent",
        "--password",
        "longenough",
    ]);
    assert!(ok, "{output}");
    let (ok, output) = run(&[
        "admin",
        "token",
        "create",
        "--shop",
        "cli",
        "--role",
        "agent",
        "--email",
        "a@cli.local",
    ]);
    assert!(ok && output.starts_with("as_"), "{output}");
    let (ok, output) = run(&[
        "admin",
        "user",
        "add",
        "--shop",
        "cli",
        "--email",
        "b@cli.local",
        "--name",
        "x",
        "--role",
        "wizard",
        "--password",
        "longenough",
    ]);
    assert!(!ok && output.contains("unknown role"), "{output}");
    std::fs::remove_dir_all(&directory).unwrap();
}

#[tokio::test]
async fn customers_are_added_once_per_phone() {
    let app = TestApp::start().await;
    let (status, customer) = app
        .post(
            "/api/v1/customers",
            AGENT,
            json!({ "name": "周杰", "phone": "+86 139 0000 1111" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{customer}");
    assert_eq!(customer["phone"], "13900001111");
    let (status, again) = app
        .post(
            "/api/v1/customers",
            AGENT,
            json!({ "name": "周杰", "phone": "13900001111", "email": "zhou@example.com" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], customer["id"]);
    assert_eq!(again["email"], "zhou@example.com");
    let (status, body) = app
        .post("/api/v1/customers", AGENT, json!({ "name": "无联系方式" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/customers",
            AGENT,
            json!({ "name": "x", "phone": "not a phone" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn nul_characters_and_absurd_amounts_are_refused_not_crashed_on() {
    let app = TestApp::start().await;
    let (status, body) = app
        .post(
            "/api/v1/customers",
            AGENT,
            json!({ "name": "a\u{0}b", "phone": "13900001111" }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (status, _) = app.get("/api/v1/cases?q=%00", AGENT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app.get("/api/v1/orders/a%00b", AGENT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({ "order_number": "BIG", "placed_at": "2026-11-01 10:00",
                    "lines": [{ "sku": "A", "product_name": "B", "quantity": 100000, "unit_price_minor": 9_000_000_000_000_000i64 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .post("/api/v1/orders", AGENT, json!({ "order_number": "BIG", "placed_at": "2026-11-01 10:00", "shipping_fee_minor": i64::MAX,
                    "lines": [{ "sku": "A", "product_name": "B", "quantity": 1, "unit_price_minor": 1 }] }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn the_downloadable_template_imports_as_it_is() {
    let app = TestApp::start().await;
    let response = app
        .client
        .get(app.url("/api/v1/orders/import/template.csv"))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let template = response.bytes().await.unwrap().to_vec();
    let text = String::from_utf8(template.clone()).unwrap();
    assert!(
        text.contains("订单号") && text.contains("实付金额"),
        "{text}"
    );
    let (status, report) = import(&app, "text/csv", template).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, order) = app.get("/api/v1/orders/TB20261201001", AGENT).await;
    assert_eq!(order["lines"][0]["paid_minor"], 18900, "{order}");
    assert_eq!(order["platform"], "taobao");
}

/// Amount cells are read as the shop writes numbers (zh-CN: `1,299.00`), and never guessed:
/// `10,5` is refused with how to write it (it was read as 105.00), `1.299,00` is unambiguous.
#[tokio::test]
async fn amounts_in_cells_are_never_guessed() {
    let app = TestApp::start().await;
    let csv = "订单号,下单时间,买家姓名,手机,商品编码,商品名称,数量,单价,实付金额\n\
AM-1,2026-11-01 09:00,李雷,13900000001,SKU-1,投影仪,1,\"1,299.00\",\"1,199.00\"\n\
AM-2,2026-11-01 09:00,李雷,13900000001,SKU-2,杯子,1,\"10,5\",\n\
AM-3,2026-11-01 09:00,李雷,13900000001,SKU-3,台灯,1,\"1.299,00\",\n";
    let (status, report) = import(&app, "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["orders_created"], 2, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(errors[0]["row"], 3);
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("10,5") && message.contains("10.5"),
        "{message}"
    );
    let (_, order) = app.get("/api/v1/orders/AM-1", AGENT).await;
    assert_eq!(order["lines"][0]["unit_price_minor"], 129_900);
    assert_eq!(order["lines"][0]["paid_minor"], 119_900);
    let (_, order) = app.get("/api/v1/orders/AM-3", AGENT).await;
    assert_eq!(order["lines"][0]["unit_price_minor"], 129_900);
    let (status, _) = app.get("/api/v1/orders/AM-2", AGENT).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing guessed is stored");
}

/// A Taobao order number (19 digits) typed into Excel as a number is already rounded in the file
/// (Excel keeps 15 digits): the row is refused with its number and how to fix it; the same
/// number kept as text imports exactly.
#[tokio::test]
async fn a_19_digit_number_cell_is_refused_never_rounded() {
    let app = TestApp::start().await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let headers = [
        "订单号",
        "下单时间",
        "买家姓名",
        "商品编码",
        "商品名称",
        "数量",
        "单价",
    ];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    sheet
        .write_number(1, 0, 3_022_345_678_901_234_567_f64)
        .unwrap();
    sheet.write_string(2, 0, "3022345678901234568").unwrap();
    for row in [1, 2] {
        sheet.write_string(row, 1, "2026-11-05 10:00").unwrap();
        sheet.write_string(row, 2, "赵六").unwrap();
        sheet.write_string(row, 3, "SKU-A").unwrap();
        sheet.write_string(row, 4, "电饭煲").unwrap();
        sheet.write_number(row, 5, 1.0).unwrap();
        sheet.write_number(row, 6, 299.0).unwrap();
    }
    let (status, report) = import(
        &app,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        workbook.save_to_buffer().unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["orders_created"], 1, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(errors[0]["row"], 2);
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("15") && message.contains("text"),
        "{message}"
    );
    let (status, order) = app.get("/api/v1/orders/3022345678901234568", AGENT).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["order_number"], "3022345678901234568");
}
