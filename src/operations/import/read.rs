//! Reading an import file: its bytes decoded (UTF-8 with or without BOM, UTF-16 as Excel's
//! "Unicode text", GBK/GB18030 as Chinese Excel and the platforms save CSV), its rows split
//! (comma or tab), its header row matched to the import's columns — through a platform's export
//! layout when the header is one (`domain::layouts`), else by the names below.

use std::collections::HashMap;
use std::io::Cursor;

use crate::domain::layouts::{self, Layout, SavedLayout};
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
    ("cost", &["cost", "cost_price", "成本价", "成本"]),
    ("carrier", &["carrier", "快递公司", "物流公司"]),
    (
        "tracking_number",
        &["tracking_number", "快递单号", "物流单号", "运单号"],
    ),
];

/// What a file in the import's own layout must have.
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
        "carrier" => "顺丰速运",
        "tracking_number" => "SF1234567890",
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

/// A file read: the platform layout it is in (none for the import's own columns or a shop's
/// mapping), the name of the layout it was read by, the platform its orders come from, its rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub layout: Option<&'static Layout>,
    pub read_as: Option<String>,
    pub platform: Option<String>,
    pub rows: Vec<SheetRow>,
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
    let header = layouts::normalise(header);
    COLUMNS
        .iter()
        .find(|(_, names)| names.iter().any(|name| name.to_lowercase() == header))
        .map(|(column, _)| *column)
}

/// What each layout's rows need before anything else can be said about them.
fn required(layout: Option<&Layout>) -> &'static [&'static str] {
    match layout.map(|layout| layout.rows) {
        None => REQUIRED,
        Some(layouts::Rows::Orders) => &["order_number", "placed_at"],
        Some(layouts::Rows::Items) => &["order_number", "product_name", "quantity"],
        Some(layouts::Rows::Lines) => &["order_number", "product_name", "quantity", "placed_at"],
    }
}

/// How a file's header row is read: the mapping given with it, else a platform's layout, else
/// one of the shop's saved layouts whose headers it has, else the import's own column names.
fn rows_from_table(
    table: Vec<Vec<Result<String, String>>>,
    mapping: Option<&SavedLayout>,
    saved: &[SavedLayout],
) -> AppResult<Sheet> {
    let mut lines = table.into_iter();
    let header = lines
        .next()
        .ok_or_else(|| AppError::invalid("file", "the file is empty: it needs a header row"))?;
    let header: Vec<String> = header
        .into_iter()
        .map(|name| name.unwrap_or_default())
        .collect();
    let layout = if mapping.is_some() {
        None
    } else {
        layouts::detect(&header)
    };
    let own = match mapping {
        Some(mapping) => {
            mapping
                .check()
                .map_err(|message| AppError::invalid("map", message))?;
            if !mapping.fits(&header) {
                let absent: Vec<&str> = mapping
                    .columns
                    .keys()
                    .filter(|mapped| {
                        !header
                            .iter()
                            .any(|name| layouts::normalise(name) == layouts::normalise(mapped))
                    })
                    .map(String::as_str)
                    .collect();
                return Err(AppError::invalid(
                    "map",
                    format!("the file has no column named {}", absent.join(", ")),
                ));
            }
            Some(mapping)
        }
        None if layout.is_none() => saved.iter().find(|saved| saved.fits(&header)),
        None => None,
    };
    let columns: Vec<Option<&'static str>> = match (layout, own) {
        (Some(layout), _) => layouts::columns(layout, &header),
        (None, Some(own)) => own.columns_of(&header),
        (None, None) => header.iter().map(|name| column_of(name)).collect(),
    };
    // A shop's mapping was checked as a whole; a platform's file or the import's own by column.
    let required = if own.is_some() {
        &[][..]
    } else {
        required(layout)
    };
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|required| !columns.contains(&Some(required)))
        .filter(|required| !(*required == "unit_price" && columns.contains(&Some("line_total"))))
        .collect();
    if !missing.is_empty() {
        let what = layout.map_or_else(
            || {
                "Chinese names such as 订单号, 下单时间, 商品名称, 数量, 单价 work too; or map the file's own \
                 headers to these columns (`aftersale import orders FILE --map '付款时间=paid_at,…'`, \
                 the API's `map`), saved for next time with a name"
                    .to_string()
            },
            |layout| format!("read as {}", layout.name),
        );
        return Err(AppError::invalid(
            "file",
            format!(
                "the header row lacks the column(s): {} ({what})",
                missing.join(", ")
            ),
        ));
    }
    let read_as = layout
        .map(|layout| layout.name.to_string())
        .or_else(|| own.map(|own| own.name.clone()));
    let platform = layout
        .map(|layout| layout.platform.to_string())
        .or_else(|| own.and_then(|own| own.platform.clone()));
    let mut rows = Vec::new();
    for (index, values) in lines.enumerate() {
        if values.iter().all(|value| {
            value
                .as_ref()
                .is_ok_and(|value| layouts::plain(value).is_empty())
        }) {
            continue;
        }
        let mut cells = HashMap::new();
        let mut problem = None;
        for (column, value) in columns.iter().zip(values) {
            if let Some(column) = column {
                match value {
                    Ok(value) => {
                        let value = layouts::plain(&value.replace('\0', "")).to_string();
                        if !value.is_empty() {
                            cells.entry(*column).or_insert(value);
                        }
                    }
                    Err(reason) => problem = Some(format!("{column}: {reason}")),
                }
            }
        }
        // A platform's line without the shop's own code (商家编码 left empty), or a mapped file
        // without one, goes by its title.
        if (layout.is_some() || own.is_some())
            && !cells.contains_key("sku")
            && let Some(name) = cells.get("product_name")
        {
            let sku: String = name.chars().take(64).collect();
            cells.insert("sku", sku);
        }
        rows.push(SheetRow {
            row: index + 2,
            cells,
            problem,
        });
    }
    Ok(Sheet {
        layout,
        read_as,
        platform,
        rows,
    })
}

/// The text of a CSV file: UTF-8 (a BOM dropped), UTF-16 with its BOM, or else GB18030 (which
/// reads GBK and GB2312), the encoding Chinese Excel and the platforms' exports use.
pub fn decode(bytes: &[u8]) -> AppResult<String> {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, malformed) = encoding.decode(bytes);
        if malformed {
            return Err(AppError::invalid(
                "file",
                format!(
                    "the file says it is {} but is not: save it as UTF-8 CSV",
                    encoding.name()
                ),
            ));
        }
        return Ok(text.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, _, malformed) = encoding_rs::GB18030.decode(bytes);
    if malformed {
        return Err(AppError::invalid(
            "file",
            "the file is neither UTF-8 nor GBK text: save it as CSV (UTF-8) or XLSX (文件编码无法识别，请另存为 UTF-8 CSV 或 XLSX)",
        ));
    }
    Ok(text.into_owned())
}

/// Comma, or tab when the header row has tabs and no commas (Excel's "Unicode text").
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.contains('\t') && !header.contains(',') {
        b'\t'
    } else {
        b','
    }
}

/// Reads a CSV (any encoding above) or the first XLSX sheet, by `mapping` when given, else as
/// [`rows_from_table`] finds its layout among the platforms' and the shop's `saved` ones.
pub fn read(
    bytes: &[u8],
    format: Format,
    mapping: Option<&SavedLayout>,
    saved: &[SavedLayout],
) -> AppResult<Sheet> {
    rows_from_table(table(bytes, format)?, mapping, saved)
}

/// A file's header row, as written (for a person to map).
pub fn header_row(bytes: &[u8], format: Format) -> AppResult<Vec<String>> {
    Ok(table(bytes, format)?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::invalid("file", "the file is empty: it needs a header row"))?
        .into_iter()
        .map(|name| name.unwrap_or_default().trim().to_string())
        .collect())
}

/// The file's cells, row by row: a CSV in any of the encodings above, or the first XLSX sheet.
pub fn table(bytes: &[u8], format: Format) -> AppResult<Vec<Vec<Result<String, String>>>> {
    Ok(match format {
        Format::Csv => {
            let text = decode(bytes)?;
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter(&text))
                .from_reader(text.as_bytes());
            let mut table = Vec::new();
            for (index, record) in reader.records().enumerate() {
                let record = record.map_err(|error| {
                    AppError::invalid(
                        "file",
                        format!("row {}: not valid CSV ({error})", index + 1),
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
    })
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
