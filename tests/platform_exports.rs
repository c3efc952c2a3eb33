//! Platform order exports imported as they come (docs/PLATFORMS.md): Taobao/Tmall's order report
//! and item report together (GBK, `="…"` guards, 19-digit order numbers), Pinduoduo (UTF-8 with
//! BOM, the address in parts), Douyin 抖店 (tab guards, sub-orders, slashed dates), JD (XLSX) and
//! Shopify's "Export orders" CSV (order fields on the first row, times with offsets). The files
//! are built from the column sets the layouts cite (`src/domain/layouts.rs`); each test checks
//! the orders, lines, money, platform and contact, and that importing again changes nothing.

mod common;

use common::{AGENT, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn bom(text: &str) -> Vec<u8> {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// Posts `files` (name, bytes) with form `fields` as `token` to the import.
async fn post_import(
    app: &TestApp,
    token: &str,
    files: Vec<(&str, Vec<u8>)>,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let response = app
        .client
        .post(app.url("/api/v1/orders/import"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn import_files(app: &TestApp, files: Vec<(&str, Vec<u8>)>) -> (StatusCode, Value) {
    post_import(app, AGENT, files, &[]).await
}

fn counts(report: &Value) -> (i64, i64, i64, usize) {
    (
        report["orders_created"].as_i64().unwrap(),
        report["orders_updated"].as_i64().unwrap(),
        report["orders_unchanged"].as_i64().unwrap(),
        report["errors"].as_array().unwrap().len(),
    )
}

async fn order(app: &TestApp, number: &str) -> Value {
    let (status, order) = app.get(&format!("/api/v1/orders/{number}"), AGENT).await;
    assert_eq!(status, StatusCode::OK, "{number}: {order}");
    order
}

fn paid(order: &Value) -> Vec<i64> {
    order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["paid_minor"].as_i64().unwrap())
        .collect()
}

const TAOBAO_ORDERS: &str = "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式,联系电话 ,联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注,宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,发票抬头,是否手机订单,退款金额\r\n\
=\"3104567890123456789\",tb_buyer1,***,299.00,10.00,0,309.00,0,289.00,0,卖家已发货，等待买家确认,,王小明,浙江省 杭州市 余杭区 文一西路969号,快递,,'13800138000,2026-11-20 10:00:00,2026-11-20 10:01:02,蓝牙耳机 纯棉T恤,2,=\"SF1234567890\",顺丰速运,,3,123,小鹿数码,,0,0,,手机订单,0\r\n\
=\"3104567890123456790\",tb_buyer2,***,99.00,0.00,0,99.00,0,99.00,0,买家已付款，等待卖家发货,,李小红,上海市 浦东新区 世纪大道1号,快递,,138****5678,2026-11-21 09:00:00,2026-11-21 09:00:30,手机壳,1,,,,1,123,小鹿数码,,0,0,,手机订单,0\r\n";

const TAOBAO_ITEMS: &str = "订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码\r\n\
=\"3104567890123456789\",蓝牙耳机,199.00,1,,颜色分类：黑色,,,卖家已发货，等待买家确认,EP-1\r\n\
=\"3104567890123456789\",纯棉T恤,50.00,2,,尺码：XL,,,卖家已发货，等待买家确认,TS-2\r\n\
=\"3104567890123456790\",手机壳,99.00,1,,,,,买家已付款，等待卖家发货,\r\n";

#[tokio::test]
async fn taobao_order_and_item_reports_in_gbk_import_together() {
    let app = TestApp::start().await;
    let files = || {
        vec![
            ("ExportOrderList202611.csv", gbk(TAOBAO_ORDERS)),
            ("ExportOrderDetailList202611.csv", gbk(TAOBAO_ITEMS)),
        ]
    };
    let (status, report) = import_files(&app, files()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (2, 0, 0, 0), "{report}");

    let first = order(&app, "3104567890123456789").await;
    assert_eq!(first["platform"], "taobao");
    assert_eq!(first["placed_at"], "2026-11-20T10:00:00+08:00");
    assert_eq!(first["shipping_fee_minor"], 1000);
    let lines = first["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["sku"], "EP-1");
    assert_eq!(lines[0]["product_name"], "蓝牙耳机 (颜色分类：黑色)");
    assert_eq!(lines[1]["quantity"], 2);
    assert_eq!(lines[1]["unit_price_minor"], 5000);
    // The buyer paid ¥289.00 for ¥299.00 of goods and ¥10.00 delivery: ¥20.00 off, spread by price.
    assert_eq!(first["discount_minor"], 2000, "{first}");
    assert_eq!(paid(&first).iter().sum::<i64>(), 27900);
    assert_eq!(first["total_minor"], 28900);
    let customer = first["customer_id"]
        .as_str()
        .expect("a customer")
        .to_string();
    let (_, customer) = app
        .get(&format!("/api/v1/customers/{customer}"), AGENT)
        .await;
    assert_eq!(customer["name"], "王小明");
    assert_eq!(customer["phone"], "13800138000");

    // A masked phone finds no customer: the order keeps it as given, without a customer, and
    // the portal lets in a phone that fits it, and no other.
    let second = order(&app, "3104567890123456790").await;
    assert!(second["customer_id"].is_null(), "{second}");
    assert_eq!(second["contact_masked"], "138****5678");
    app.portal_session("3104567890123456790", "13812345678")
        .await;
    let refused = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/portal/shop"))
        .form(&[
            ("order_number", "3104567890123456790"),
            ("contact", "13912345678"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(second["lines"][0]["sku"], "手机壳");
    assert_eq!(second["total_minor"], 9900);

    let (_, again) = import_files(&app, files()).await;
    assert_eq!(counts(&again), (0, 0, 2, 0), "{again}");

    // Either report alone says what to add.
    let (status, body) = import_files(&app, vec![("orders.csv", gbk(TAOBAO_ORDERS))]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("宝贝报表"),
        "{body}"
    );
    let (status, body) = import_files(&app, vec![("items.csv", gbk(TAOBAO_ITEMS))]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("订单报表"),
        "{body}"
    );
}

#[tokio::test]
async fn an_item_without_its_order_and_an_order_without_items_are_reported() {
    let app = TestApp::start().await;
    let items = format!("{TAOBAO_ITEMS}=\"3104567890123456999\",孤儿商品,9.90,1,,,,,,X-1\r\n");
    let orders = TAOBAO_ORDERS.replace(
        "=\"3104567890123456790\",tb_buyer2",
        "=\"3104567890123456791\",tb_buyer2",
    );
    let (status, report) = import_files(
        &app,
        vec![("orders.csv", gbk(&orders)), ("items.csv", gbk(&items))],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let messages: Vec<String> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            format!(
                "{} {}",
                error["order_number"].as_str().unwrap_or_default(),
                error["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        messages
            .iter()
            .any(|message| message.starts_with("3104567890123456999")
                && message.contains("not in the order report")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|message| message.starts_with("3104567890123456791")
                && message.contains("no items")),
        "{messages:?}"
    );
    assert_eq!(report["orders_created"], 1, "{report}");
}

#[tokio::test]
async fn a_pinduoduo_export_keeps_its_platform_money_and_address() {
    let app = TestApp::start().await;
    let csv = "商品,订单号,订单状态,商品总价(元),邮费(元),店铺优惠折扣(元),平台优惠折扣(元),多多支付立减金额(元),用户实付金额(元),商家实收金额(元),商品数量(件),收货人,手机,省,市,区,街道,支付时间,拼单成功时间,订单成交时间,商品id,商品规格,样式ID,商家编码-SKU维度,商家编码-商品维度,商家备注,售后状态,快递单号,快递公司,发货时间,确认收货时间\n\
不粘锅 28cm,261120-123456789012345,已收货,99.80,0.00,5.00,3.00,2.00,89.80,94.80,2,赵六,13700137000,广东省,深圳市,南山区,粤海街道科技园1号,2026-11-20 12:00:01,2026-11-20 12:00:05,2026-11-20 12:00:05,123456789,红色,987654,PAN-28-RED,PAN-28,,无售后或售后取消,YT1234567890,圆通快递,2026-11-21 09:00:00,2026-11-24 18:00:00\n";
    let (status, report) = import_files(&app, vec![("pdd.csv", bom(csv))]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (1, 0, 0, 0), "{report}");
    let order = order(&app, "261120-123456789012345").await;
    assert_eq!(order["platform"], "pinduoduo");
    assert_eq!(order["delivered_at"], "2026-11-24T18:00:00+08:00");
    let line = &order["lines"][0];
    assert_eq!(line["sku"], "PAN-28-RED");
    assert_eq!(line["product_name"], "不粘锅 28cm (红色)");
    assert_eq!(line["quantity"], 2);
    assert_eq!(line["unit_price_minor"], 4990);
    // ¥99.80 of goods, the buyer paid ¥89.80 (shop, platform and payment discounts).
    assert_eq!(order["total_minor"], 8980, "{order}");
    assert_eq!(paid(&order), vec![8980]);
    let (_, customer) = app
        .get(
            &format!(
                "/api/v1/customers/{}",
                order["customer_id"].as_str().unwrap()
            ),
            AGENT,
        )
        .await;
    assert_eq!(customer["address"], "广东省深圳市南山区粤海街道科技园1号");
    let (_, again) = import_files(&app, vec![("pdd.csv", bom(csv))]).await;
    assert_eq!(counts(&again), (0, 0, 1, 0), "{again}");
}

#[tokio::test]
async fn a_douyin_export_groups_sub_orders_and_drops_its_tab_guards() {
    let app = TestApp::start().await;
    let csv = "主订单编号,子订单编号,选购商品,商品规格,商品数量,商家编码,商品ID,商品金额,订单应付金额,运费,收件人,收件人手机号,详细地址,订单提交时间,商家备注,订单完成时间,订单状态,售后状态,取消原因,发货时间,平台实际承担优惠金额,商家实际承担优惠金额,达人实际承担优惠金额\n\
\"\t6917926768823643751\",\"\t6917926768823643752\",辣条,\"\t1袋\",2,\"\t300400008\",\"\t3601\",20.00,18.00,0.00,张三,13600136000,北京市朝阳区建国路1号,2026/11/22 08:53:45,-,-,已发货,-,-,2026/11/22 10:00:00,1.00,1.00,0.00\n\
\"\t6917926768823643751\",\"\t6917926768823643753\",牛肉干,\"\t200g\",1,\"\tBEEF-200\",\"\t3602\",35.00,35.00,0.00,张三,13600136000,北京市朝阳区建国路1号,2026/11/22 08:53:45,-,-,已发货,-,-,2026/11/22 10:00:00,0.00,0.00,0.00\n";
    let (status, report) = import_files(&app, vec![("douyin.csv", bom(csv))]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (1, 0, 0, 0), "{report}");
    let order = order(&app, "6917926768823643751").await;
    assert_eq!(order["platform"], "douyin");
    assert_eq!(order["placed_at"], "2026-11-22T08:53:45+08:00");
    let lines = order["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["sku"], "300400008");
    assert_eq!(lines[0]["product_name"], "辣条 (1袋)");
    assert_eq!(lines[0]["unit_price_minor"], 1000);
    assert_eq!(paid(&order), vec![1800, 3500]);
}

#[tokio::test]
async fn a_jd_export_in_xlsx_reads_its_columns() {
    let app = TestApp::start().await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let header = [
        "订单号",
        "商品ID",
        "商品名称",
        "订购数量",
        "支付方式",
        "下单时间",
        "京东价",
        "订单金额",
        "结算金额",
        "余额支付",
        "应付金额",
        "订单状态",
        "订单类型",
        "下单帐号",
        "客户姓名",
        "客户地址",
        "联系电话",
        "订单备注",
        "发票类型",
        "发票抬头",
        "发票内容",
        "商家备注",
        "商家备注等级（等级1-5为由高到低）",
        "运费金额",
        "付款确认时间",
        "增值税发票",
        "货号",
        "订单完成时间",
        "订单来源",
        "订单渠道",
    ];
    let row = [
        "301234567890",
        "100012345678",
        "电热水壶",
        "1",
        "在线支付",
        "2026-11-18 20:00:00",
        "129.00",
        "129.00",
        "119.00",
        "0",
        "119.00",
        "完成",
        "SOP",
        "jd_user",
        "孙七",
        "上海市浦东新区张江路100号",
        "13500135000",
        "",
        "电子发票",
        "个人",
        "商品明细",
        "",
        "",
        "0.00",
        "2026-11-18 20:00:05",
        "",
        "KETTLE-1",
        "2026-11-20 15:00:00",
        "京东商城",
        "APP",
    ];
    for (column, (name, value)) in header.iter().zip(row).enumerate() {
        sheet.write_string(0, column as u16, *name).unwrap();
        if column == 3 {
            sheet.write_number(1, column as u16, 1.0).unwrap();
        } else {
            sheet.write_string(1, column as u16, value).unwrap();
        }
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let (status, report) = import_files(&app, vec![("jd.xlsx", bytes)]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (1, 0, 0, 0), "{report}");
    let order = order(&app, "301234567890").await;
    assert_eq!(order["platform"], "jd");
    assert_eq!(order["lines"][0]["sku"], "KETTLE-1");
    assert_eq!(order["total_minor"], 11900);
    assert_eq!(order["delivered_at"], "2026-11-20T15:00:00+08:00");
}

#[tokio::test]
async fn a_shopify_export_reads_order_fields_from_the_first_row() {
    let app = TestApp::start().await;
    let csv = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Phone,Shipping Name,Shipping Address1,Shipping City,Shipping Zip,Shipping Country,Shipping Phone,Cancelled at,Lineitem discount,Phone\n\
#1001,jane@example.com,paid,2026-11-20 10:00:05 -0500,fulfilled,2026-11-21 09:00:00 -0500,no,USD,90.00,5.00,0.00,95.00,SAVE10,10.00,Standard,2026-11-20 10:00:00 -0500,1,Mug,40.00,,MUG-1,true,true,fulfilled,Jane Doe,+1 555 010 0000,Jane Doe,1 Main St,Springfield,12345,US,,,4.00,\n\
#1001,,,,,,,,,,,,,,,2026-11-20 10:00:00 -0500,2,Coaster,30.00,,COAST-1,true,true,fulfilled,,,,,,,,,,6.00,\n";
    let (status, report) =
        import_files(&app, vec![("orders_export_1.csv", csv.as_bytes().to_vec())]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (1, 0, 0, 0), "{report}");
    let order = order(&app, "%231001").await;
    assert_eq!(order["platform"], "shopify");
    assert_eq!(order["currency"], "USD");
    assert_eq!(order["placed_at"], "2026-11-20T23:00:00+08:00");
    assert_eq!(order["shipping_fee_minor"], 500);
    // The ¥10 code is the two lines' discounts (4 + 6): nothing more is taken off.
    assert_eq!(paid(&order), vec![3600, 5400]);
    assert_eq!(order["total_minor"], 9500);
    let (_, customer) = app
        .get(
            &format!(
                "/api/v1/customers/{}",
                order["customer_id"].as_str().unwrap()
            ),
            AGENT,
        )
        .await;
    assert_eq!(customer["email"], "jane@example.com");
    assert_eq!(customer["name"], "Jane Doe");
    let (_, again) =
        import_files(&app, vec![("orders_export_1.csv", csv.as_bytes().to_vec())]).await;
    assert_eq!(counts(&again), (0, 0, 1, 0), "{again}");
}

#[tokio::test]
async fn the_import_template_still_reads_in_gbk_and_utf16() {
    let app = TestApp::start().await;
    let csv = "订单号,下单时间,买家姓名,手机,商品编码,商品名称,数量,单价\r\nG-1,2026-11-01 09:00,王小明,13800138000,SKU-1,保温杯,1,59.00\r\n";
    let (status, report) = import_files(&app, vec![("gbk.csv", gbk(csv))]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (1, 0, 0, 0), "{report}");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in csv.replace(',', "\t").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let (status, report) = import_files(&app, vec![("unicode.txt", utf16)]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (0, 0, 1, 0), "{report}");
    assert_eq!(order(&app, "G-1").await["platform"], json!("own_store"));
}

async fn import_with(
    app: &TestApp,
    token: &str,
    file: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    post_import(
        app,
        token,
        vec![("erp.csv", file.as_bytes().to_vec())],
        fields,
    )
    .await
}

#[tokio::test]
async fn an_unknown_layout_is_mapped_by_hand_saved_and_read_again_by_its_headers() {
    let app = TestApp::start().await;
    let file = "单据号,成交时间,顾客,顾客电话,货品,件数,成交价,渠道单号\n\
ERP-1,2026-11-05 10:00,周八,13300133000,电动牙刷,1,299.00,JD-9\n";
    let (status, body) = import_with(&app, AGENT, file, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("--map"),
        "{body}"
    );

    let map = json!({
        "单据号": "order_number", "成交时间": "placed_at", "顾客": "customer_name",
        "顾客电话": "phone", "货品": "product_name", "件数": "quantity", "成交价": "unit_price"
    })
    .to_string();
    // A mapping naming a column the import does not have says which.
    let wrong = map.replace("unit_price", "price_each");
    let (status, body) = import_with(&app, AGENT, file, &[("map", wrong.as_str())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("price_each"),
        "{body}"
    );
    // Saving a layout is a setup change: an agent may map, not save.
    let fields = [
        ("map", map.as_str()),
        ("platform", "jd"),
        ("save_as", "ERP 导出"),
    ];
    let (status, body) = import_with(&app, AGENT, file, &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, report) = import_with(&app, common::SUPERVISOR, file, &fields).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (1, 0, 0, 0), "{report}");
    assert_eq!(report["layouts"], json!(["ERP 导出"]));
    let order = order(&app, "ERP-1").await;
    assert_eq!(order["platform"], "jd");
    assert_eq!(order["lines"][0]["sku"], "电动牙刷");
    assert_eq!(order["total_minor"], 29900);
    let (_, settings) = app.get("/api/v1/settings", common::SUPERVISOR).await;
    assert_eq!(
        settings["import_layouts"][0]["name"], "ERP 导出",
        "{settings}"
    );

    // Next time the same headers are read by the saved layout, no mapping sent.
    let (status, again) = import_with(&app, AGENT, file, &[]).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["layouts"], json!(["ERP 导出"]));
    assert_eq!(counts(&again), (0, 0, 1, 0), "{again}");
}

/// An order's own amount that is not one (what the buyer paid) is the row's error: the order is
/// not stored with a wrong discount, and the good orders beside it are.
#[tokio::test]
async fn an_order_amount_that_is_not_one_is_reported_on_its_row() {
    let app = TestApp::start().await;
    let csv = "商品,订单号,订单状态,商品总价(元),邮费(元),店铺优惠折扣(元),平台优惠折扣(元),多多支付立减金额(元),用户实付金额(元),商家实收金额(元),商品数量(件),收货人,手机,省,市,区,街道,支付时间,拼单成功时间,订单成交时间,商品id,商品规格,样式ID,商家编码-SKU维度,商家编码-商品维度,商家备注,售后状态,快递单号,快递公司,发货时间,确认收货时间\n\
不粘锅 28cm,261120-000000000000001,已收货,99.80,0.00,5.00,3.00,2.00,八十九,94.80,2,赵六,13700137000,广东省,深圳市,南山区,科技园1号,2026-11-20 12:00:01,2026-11-20 12:00:05,2026-11-20 12:00:05,123456789,红色,987654,PAN-28-RED,PAN-28,,无售后或售后取消,,,,\n\
不粘锅 28cm,261120-000000000000002,已收货,99.80,0.00,5.00,3.00,2.00,89.80,94.80,2,赵六,13700137000,广东省,深圳市,南山区,科技园1号,2026-11-20 12:00:01,2026-11-20 12:00:05,2026-11-20 12:00:05,123456789,红色,987654,PAN-28-RED,PAN-28,,无售后或售后取消,,,,\n";
    let (status, report) = import_files(&app, vec![("pdd.csv", bom(csv))]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (1, 0, 0, 1), "{report}");
    let error = &report["errors"][0];
    assert_eq!(error["row"], 2, "{report}");
    assert_eq!(error["order_number"], "261120-000000000000001");
    assert!(
        error["message"].as_str().unwrap().contains("八十九"),
        "the cell is named: {report}"
    );
    let (status, _) = app
        .get("/api/v1/orders/261120-000000000000001", AGENT)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    order(&app, "261120-000000000000002").await;
}
