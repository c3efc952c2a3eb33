//! Order import from CSV or XLSX: one row per order line, rows of one order grouped by order
//! number. Every bad row is reported with its row number and reason; the other orders are
//! stored. Re-importing the same file changes nothing (orders and lines are matched by order
//! number and line number).

use std::collections::HashMap;
use std::io::Cursor;

use serde::Serialize;
use utoipa::ToSchema;

use super::orders::{CustomerInput, OrderInput, OrderLineInput, check};
use crate::db::Database;
use crate::db::orders::Outcome;
use crate::db::shops::Actor;
use crate::domain::amount::{self, NumberStyle};
use crate::domain::money::Currency;
use crate::domain::order::NewOrder;
use crate::error::{AppError, AppResult};

/// The columns the importer knows, each with the header names it accepts (English and Chinese,
/// as the platforms' exports name them).
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "order_number",
        &[
            "order_number",
            "order_no",
            "订单号",
            "订单编号",
            "主订单编号",
        ],
    ),
    ("line_number", &["line_number", "line", "行号"]),
    ("platform", &["platform", "平台", "渠道"]),
    ("currency", &["currency", "币种"]),
    (
        "placed_at",
        &[
            "placed_at",
            "order_time",
            "下单时间",
            "订单创建时间",
            "创建时间",
        ],
    ),
    ("paid_at", &["paid_at", "付款时间", "支付时间"]),
    ("shipped_at", &["shipped_at", "发货时间"]),
    ("delivered_at", &["delivered_at", "签收时间", "收货时间"]),
    (
        "customer_name",
        &[
            "customer_name",
            "name",
            "买家姓名",
            "收货人",
            "收货人姓名",
            "客户姓名",
        ],
    ),
    (
        "phone",
        &["phone", "mobile", "手机", "手机号", "联系电话", "电话"],
    ),
    ("email", &["email", "邮箱"]),
    ("address", &["address", "地址", "收货地址"]),
    ("sku", &["sku", "商品编码", "商家编码"]),
    (
        "product_name",
        &["product_name", "product", "商品名称", "宝贝标题", "商品"],
    ),
    ("category", &["category", "类目", "品类"]),
    ("quantity", &["quantity", "qty", "数量", "购买数量"]),
    ("unit_price", &["unit_price", "price", "单价", "商品单价"]),
    (
        "discount",
        &["discount", "优惠金额", "优惠分摊", "商品优惠", "分摊优惠"],
    ),
    ("tax", &["tax", "税费", "税额"]),
    (
        "paid",
        &["paid", "paid_amount", "实付金额", "实付", "买家实付"],
    ),
    ("shipping_fee", &["shipping_fee", "运费"]),
    ("invoice_number", &["invoice_number", "发票号", "发票号码"]),
    ("serial_number", &["serial_number", "sn", "序列号"]),
];

const REQUIRED: &[&str] = &[
    "order_number",
    "placed_at",
    "sku",
    "product_name",
    "quantity",
    "unit_price",
];

/// The import template: a header row (the Chinese names the platforms' exports use) and one
/// example order line, as CSV with a BOM so that spreadsheet programs read it as UTF-8.
pub fn template_csv() -> String {
    let example = |column: &str| match column {
        "order_number" => "TB20261201001",
        "line_number" => "1",
        "platform" => "taobao",
        "currency" => "CNY",
        "placed_at" => "2026-12-01 10:30",
        "paid_at" => "2026-12-01 10:31",
        "shipped_at" => "2026-12-02 09:00",
        "customer_name" => "王小明",
        "phone" => "13800138000",
        "address" => "浙江省杭州市余杭区文一西路 969 号",
        "sku" => "EP-1",
        "product_name" => "蓝牙耳机",
        "category" => "数码配件",
        "quantity" => "1",
        "unit_price" => "199.00",
        "discount" => "10.00",
        "paid" => "189.00",
        "shipping_fee" => "0",
        _ => "",
    };
    let header: Vec<&str> = COLUMNS
        .iter()
        .map(|(column, names)| {
            names
                .iter()
                .copied()
                .find(|name| !name.is_ascii())
                .unwrap_or(column)
        })
        .collect();
    let row: Vec<&str> = COLUMNS.iter().map(|(column, _)| example(column)).collect();
    format!("\u{feff}{}\r\n{}\r\n", header.join(","), row.join(","))
}

/// One data row: its number in the file (the header is row 1) and its cells by column.
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub row: usize,
    pub cells: HashMap<&'static str, String>,
    /// A cell that cannot be read faithfully (a number Excel has already rounded): the row is
    /// refused with this reason.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowError {
    pub row: usize,
    pub order_number: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub rows: usize,
    pub orders_created: usize,
    pub orders_updated: usize,
    pub orders_unchanged: usize,
    pub errors: Vec<RowError>,
}

/// The file's format, from its name or content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The format of a file sent as plain bytes: an XLSX file is a ZIP archive ("PK\x03\x04").
    pub fn from_bytes(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_lowercase();
        if lower.ends_with(".csv") || lower.contains("text/csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".xlsx") || lower.contains("spreadsheetml") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }
}

fn column_of(header: &str) -> Option<&'static str> {
    let header = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    COLUMNS
        .iter()
        .find(|(_, names)| names.iter().any(|name| name.to_lowercase() == header))
        .map(|(column, _)| *column)
}

fn rows_from_table(table: Vec<Vec<Result<String, String>>>) -> AppResult<Vec<SheetRow>> {
    let mut lines = table.into_iter();
    let header = lines
        .next()
        .ok_or_else(|| AppError::invalid("file", "the file is empty: it needs a header row"))?;
    let header: Vec<String> = header
        .into_iter()
        .map(|name| name.unwrap_or_default())
        .collect();
    let columns: Vec<Option<&'static str>> = header.iter().map(|name| column_of(name)).collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|required| !columns.contains(&Some(required)))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "file",
            format!(
                "the header row lacks the column(s): {} (Chinese names such as 订单号, 下单时间, 商品名称, 数量, 单价 work too)",
                missing.join(", ")
            ),
        ));
    }
    let mut rows = Vec::new();
    for (index, values) in lines.enumerate() {
        if values
            .iter()
            .all(|value| value.as_ref().is_ok_and(|value| value.trim().is_empty()))
        {
            continue;
        }
        let mut cells = HashMap::new();
        let mut problem = None;
        for (column, value) in columns.iter().zip(values) {
            if let Some(column) = column {
                match value {
                    Ok(value) => {
                        let value = value.replace('\0', "").trim().to_string();
                        if !value.is_empty() {
                            cells.insert(*column, value);
                        }
                    }
                    Err(reason) => problem = Some(format!("{column}: {reason}")),
                }
            }
        }
        rows.push(SheetRow {
            row: index + 2,
            cells,
            problem,
        });
    }
    Ok(rows)
}

/// Reads the data rows of a CSV (UTF-8, with or without BOM) or of the first XLSX sheet.
pub fn read(bytes: &[u8], format: Format) -> AppResult<Vec<SheetRow>> {
    let table = match format {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(bytes);
            let mut table = Vec::new();
            for (index, record) in reader.records().enumerate() {
                let record = record.map_err(|error| {
                    AppError::invalid(
                        "file",
                        format!(
                            "row {}: not valid CSV ({error}); save the file as UTF-8 CSV",
                            index + 1
                        ),
                    )
                })?;
                table.push(record.iter().map(|field| Ok(field.to_string())).collect());
            }
            table
        }
        Format::Xlsx => {
            use calamine::{Reader, Xlsx};
            let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|error| {
                AppError::invalid("file", format!("not a readable XLSX workbook: {error}"))
            })?;
            let range = workbook
                .worksheet_range_at(0)
                .ok_or_else(|| AppError::invalid("file", "the workbook has no sheet"))?
                .map_err(|error| {
                    AppError::invalid("file", format!("cannot read the first sheet: {error}"))
                })?;
            range
                .rows()
                .map(|row| row.iter().map(cell_text).collect())
                .collect()
        }
    };
    rows_from_table(table)
}

/// A cell as text. A number of 16 or more digits is refused: Excel keeps 15 significant digits,
/// so a 19-digit Taobao order number stored as a number is already rounded in the file.
fn cell_text(cell: &calamine::Data) -> Result<String, String> {
    use calamine::Data;
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) if number.abs() >= 1e15 => {
            return Err(format!(
                "the number {number:.0} has more than 15 digits, which Excel does not keep \
                 (数字超过 15 位，Excel 已将其改变): format the column as text (文本) and enter it again"
            ));
        }
        Data::Float(number) if number.fract() == 0.0 => format!("{}", *number as i64),
        Data::Float(number) => format!("{number}"),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(value) => excel_serial_to_text(value.as_f64()),
        Data::Error(error) => format!("#{error:?}"),
    })
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD HH:MM:SS`, read in the shop's zone.
fn excel_serial_to_text(serial: f64) -> String {
    let seconds = (serial * 86_400.0).round() as i64;
    let epoch = jiff::civil::date(1899, 12, 30).at(0, 0, 0, 0);
    match epoch.checked_add(jiff::SignedDuration::from_secs(seconds)) {
        Ok(time) => time.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => serial.to_string(),
    }
}

/// An amount cell, read as the shop's locale writes numbers (`1,299.00`, `1.299,00`); an
/// ambiguous one (`10,5` in a Chinese shop) is refused with how to write it.
fn money_cell(
    row: &SheetRow,
    column: &str,
    currency: Currency,
    style: NumberStyle,
) -> Result<Option<i64>, String> {
    match row.cells.get(column) {
        None => Ok(None),
        Some(text) => amount::parse(text, currency, style)
            .map(|money| Some(money.amount_minor))
            .map_err(|error| format!("{column}: {error}")),
    }
}

fn integer_cell(row: &SheetRow, column: &str) -> Result<Option<i64>, String> {
    match row.cells.get(column) {
        None => Ok(None),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("{column} '{text}' is not a whole number")),
    }
}

/// The line a row describes, or why it is not usable.
fn line_of(
    row: &SheetRow,
    position: i64,
    currency: Currency,
    style: NumberStyle,
) -> Result<(OrderLineInput, i64), String> {
    if let Some(problem) = &row.problem {
        return Err(problem.clone());
    }
    let quantity = integer_cell(row, "quantity")?.ok_or("quantity is empty")?;
    let unit_price_minor =
        money_cell(row, "unit_price", currency, style)?.ok_or("unit_price is empty")?;
    let line = OrderLineInput {
        line_number: Some(integer_cell(row, "line_number")?.unwrap_or(position)),
        sku: row.cells.get("sku").cloned().ok_or("sku is empty")?,
        product_name: row
            .cells
            .get("product_name")
            .cloned()
            .ok_or("product_name is empty")?,
        category: row.cells.get("category").cloned(),
        quantity,
        unit_price_minor,
        discount_minor: money_cell(row, "discount", currency, style)?,
        tax_minor: money_cell(row, "tax", currency, style)?,
        paid_minor: money_cell(row, "paid", currency, style)?,
        shop_paid_minor: None,
        serial_number: row.cells.get("serial_number").cloned(),
    };
    let checked = crate::domain::order::NewOrderLine {
        line_number: line.line_number.unwrap_or(position),
        sku: line.sku.clone(),
        product_name: line.product_name.clone(),
        category: None,
        quantity,
        unit_price_minor,
        discount_minor: line.discount_minor.unwrap_or(0),
        tax_minor: line.tax_minor.unwrap_or(0),
        paid_minor: line.paid_minor.unwrap_or(
            unit_price_minor
                .saturating_mul(quantity)
                .saturating_sub(line.discount_minor.unwrap_or(0)),
        ),
        shop_paid_minor: None,
        serial_number: None,
    };
    crate::domain::order::check_line(&checked).map_err(|error| error.to_string())?;
    let shipping_fee = money_cell(row, "shipping_fee", currency, style)?.unwrap_or(0);
    Ok((line, shipping_fee))
}

/// Orders written per transaction by an import.
const BATCH: usize = 200;

/// Writes checked orders in one transaction, each counted in the report or named with its error.
async fn store_batch(
    database: &Database,
    actor: &Actor,
    batch: Vec<(String, usize, NewOrder)>,
    report: &mut ImportReport,
) {
    if batch.is_empty() {
        return;
    }
    let orders: Vec<&NewOrder> = batch.iter().map(|(_, _, order)| order).collect();
    let written = async {
        AppError::require(
            actor.role,
            crate::domain::permissions::Capability::ChangeOrders,
        )?;
        let mut transaction = database.begin().await?;
        let outcomes = crate::db::orders::upsert_many(
            &mut transaction,
            database.backend,
            &actor.shop.id,
            &orders,
            database.clock.now(),
        )
        .await?;
        transaction.commit().await?;
        Ok::<_, AppError>(outcomes)
    }
    .await;
    match written {
        Ok(outcomes) => {
            for ((number, row, _), outcome) in batch.iter().zip(outcomes) {
                match outcome {
                    Ok((_, Outcome::Created)) => report.orders_created += 1,
                    Ok((_, Outcome::Updated)) => report.orders_updated += 1,
                    Ok((_, Outcome::Unchanged)) => report.orders_unchanged += 1,
                    Err(error) => report.errors.push(RowError {
                        row: *row,
                        order_number: Some(number.clone()),
                        message: AppError::from(error).to_string(),
                    }),
                }
            }
        }
        Err(error) => {
            for (number, row, _) in &batch {
                report.errors.push(RowError {
                    row: *row,
                    order_number: Some(number.clone()),
                    message: error.to_string(),
                });
            }
        }
    }
}

/// Imports the rows; `progress` is told how many rows are done after each batch of orders.
pub async fn import(
    database: &Database,
    actor: &Actor,
    rows: &[SheetRow],
    progress: &(dyn Fn(usize) + Sync),
) -> ImportReport {
    let mut report = ImportReport {
        rows: rows.len(),
        ..ImportReport::default()
    };
    let mut groups: Vec<(String, Vec<&SheetRow>)> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let Some(number) = row.cells.get("order_number") else {
            report.errors.push(RowError {
                row: row.row,
                order_number: None,
                message: row
                    .problem
                    .clone()
                    .unwrap_or_else(|| "order_number is empty".into()),
            });
            continue;
        };
        match index_of.get(number) {
            Some(index) => groups[*index].1.push(row),
            None => {
                index_of.insert(number.clone(), groups.len());
                groups.push((number.clone(), vec![row]));
            }
        }
    }
    let mut done = report.errors.len();
    // Checked orders are written BATCH at a time, one transaction each (each order behind its
    // own savepoint), so a large file does not pay a commit per order.
    let mut batch: Vec<(String, usize, NewOrder)> = Vec::new();
    let mut groups = groups.into_iter().peekable();
    while let Some((number, group)) = groups.next() {
        done += group.len();
        match order_of(actor, &number, &group) {
            Err(errors) => report.errors.extend(errors),
            Ok(input) => match check(actor, &input, database.clock.now()) {
                Err(error) => report.errors.push(RowError {
                    row: group[0].row,
                    order_number: Some(number),
                    message: error.to_string(),
                }),
                Ok(order) => batch.push((number, group[0].row, order)),
            },
        }
        if batch.len() >= BATCH || groups.peek().is_none() {
            store_batch(database, actor, std::mem::take(&mut batch), &mut report).await;
            progress(done);
        }
    }
    progress(done);
    report.errors.sort_by_key(|error| error.row);
    let rejected = report.errors.len();
    crate::metrics::import_rows(report.rows.saturating_sub(rejected) as u64, rejected as u64);
    // Thousands of new orders and customers: the planner's statistics follow at once (a few
    // orders move no statistics; the hourly refresh and autoanalyze see to them).
    if report.orders_created >= 1_000
        && let Err(error) = database
            .optimize(&["customers", "orders", "order_lines"])
            .await
    {
        tracing::warn!(%error, "refreshing the planner's statistics after an import");
    }
    report
}

/// The order of one group of rows. Order-level cells come from the first row that has them.
/// If any row is bad the order is not stored, and its other rows are reported as skipped, so an
/// order is never stored with lines missing.
fn order_of(actor: &Actor, number: &str, group: &[&SheetRow]) -> Result<OrderInput, Vec<RowError>> {
    let first = |column: &str| group.iter().find_map(|row| row.cells.get(column).cloned());
    let currency = first("currency")
        .and_then(|code| Currency::parse(&code).ok())
        .unwrap_or(actor.shop.currency);
    let style = NumberStyle::for_locale(&actor.shop.locale);
    let mut lines = Vec::new();
    let mut shipping_fee_minor = 0;
    let mut errors = Vec::new();
    for (position, row) in group.iter().enumerate() {
        match line_of(row, position as i64 + 1, currency, style) {
            Ok((line, shipping_fee)) => {
                lines.push(line);
                shipping_fee_minor = shipping_fee_minor.max(shipping_fee);
            }
            Err(message) => errors.push(RowError {
                row: row.row,
                order_number: Some(number.into()),
                message,
            }),
        }
    }
    if !errors.is_empty() {
        let bad_rows: Vec<usize> = errors.iter().map(|error| error.row).collect();
        let bad: Vec<String> = bad_rows.iter().map(usize::to_string).collect();
        for row in group.iter().filter(|row| !bad_rows.contains(&row.row)) {
            errors.push(RowError {
                row: row.row,
                order_number: Some(number.into()),
                message: format!(
                    "skipped: row {} of the same order is invalid",
                    bad.join(", ")
                ),
            });
        }
        return Err(errors);
    }
    Ok(OrderInput {
        order_number: number.to_string(),
        platform: first("platform"),
        currency: Some(currency.as_str().to_string()),
        placed_at: first("placed_at").unwrap_or_default(),
        paid_at: first("paid_at"),
        shipped_at: first("shipped_at"),
        delivered_at: first("delivered_at"),
        shipping_fee_minor,
        invoice_number: first("invoice_number"),
        customer: CustomerInput {
            name: first("customer_name").unwrap_or_default(),
            phone: first("phone"),
            email: first("email"),
            address: first("address"),
        },
        lines,
        ..OrderInput::default()
    })
}
