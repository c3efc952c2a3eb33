//! The platforms' own order exports, as a shop downloads them (docs/PLATFORMS.md): for each
//! layout, the headers that identify it, which of its columns the import reads as what, and the
//! platform its orders belong to. Pure: `operations::import` finds a file's layout here from its
//! header row, and reads the file through it.
//!
//! The column sets come from public material (cited per layout below and in docs/PLATFORMS.md);
//! the platforms publish no schema for their back-office exports, and they add columns now and
//! then, so a layout is recognised by a few headers every version has, and extra columns are
//! ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every column an import reads, whatever the layout: what a shop's own mapping may name.
pub const IMPORT_COLUMNS: &[&str] = &[
    "order_number",
    "line_number",
    "platform",
    "currency",
    "placed_at",
    "paid_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "customer_name",
    "phone",
    "email",
    "address",
    "province",
    "city",
    "district",
    "street",
    "sku",
    "product_name",
    "variant",
    "category",
    "quantity",
    "unit_price",
    "line_total",
    "discount",
    "tax",
    "paid",
    "shipping_fee",
    "order_paid",
    "order_discount",
    "discount_code",
    "invoice_number",
    "serial_number",
    "cost",
];

/// A shop's own layout, for an export none of the platforms' layouts matches: the file's headers
/// mapped to the import's columns, saved by name in the shop's settings and found again by
/// those headers (docs/PLATFORMS.md, "Mapping columns").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedLayout {
    pub name: String,
    /// The platform its orders come from; none: the shop's own store (or the file's platform
    /// column).
    #[serde(default)]
    pub platform: Option<String>,
    /// The file's header → the import's column (one of [`IMPORT_COLUMNS`]).
    pub columns: BTreeMap<String, String>,
}

impl SavedLayout {
    /// What is wrong with a mapping, in words: an unknown column, a column twice, a missing one.
    pub fn check(&self) -> Result<(), String> {
        if self.name.trim().is_empty() || self.name.chars().count() > 60 {
            return Err("a layout needs a name of 1 to 60 characters".into());
        }
        let mut seen = Vec::new();
        for (header, column) in &self.columns {
            if !IMPORT_COLUMNS.contains(&column.as_str()) {
                return Err(format!(
                    "'{header}' is mapped to '{column}', which is not a column of the import (one of: {})",
                    IMPORT_COLUMNS.join(", ")
                ));
            }
            if seen.contains(&column) {
                return Err(format!("two headers are mapped to '{column}'"));
            }
            seen.push(column);
        }
        let has = |column: &str| self.columns.values().any(|mapped| mapped == column);
        let missing: Vec<&str> = ["order_number", "placed_at", "product_name", "quantity"]
            .into_iter()
            .filter(|column| !has(column))
            .chain((!has("unit_price") && !has("line_total")).then_some("unit_price"))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "the layout '{}' maps no header to: {}",
                self.name,
                missing.join(", ")
            ));
        }
        Ok(())
    }

    /// Whether a file's header row has every header this layout maps.
    pub fn fits(&self, headers: &[String]) -> bool {
        let present: Vec<String> = headers.iter().map(|header| normalise(header)).collect();
        self.columns
            .keys()
            .all(|header| present.contains(&normalise(header)))
    }

    /// For each header of the file, the column it holds under this layout.
    pub fn columns_of(&self, headers: &[String]) -> Vec<Option<&'static str>> {
        headers
            .iter()
            .map(|header| {
                let header = normalise(header);
                self.columns
                    .iter()
                    .find(|(mapped, _)| normalise(mapped) == header)
                    .and_then(|(_, column)| {
                        IMPORT_COLUMNS.iter().copied().find(|known| known == column)
                    })
            })
            .collect()
    }
}

/// The saved layouts of a shop, checked together: each valid, names unique.
pub fn check_saved(layouts: &[SavedLayout]) -> Result<(), String> {
    for (index, layout) in layouts.iter().enumerate() {
        layout.check()?;
        if layouts[..index]
            .iter()
            .any(|other| other.name == layout.name)
        {
            return Err(format!("two layouts are named '{}'", layout.name));
        }
    }
    Ok(())
}

/// How a layout's rows relate to orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// One row per order line; the order's fields on each row, or only on its first (Shopify).
    Lines,
    /// One row per order, its lines in another file of the same export joined by order number
    /// (Taobao's order report, joined with its item report).
    Orders,
    /// One row per order line without the order's fields, which the order report has.
    Items,
}

/// One platform export layout.
#[derive(Debug)]
pub struct Layout {
    /// A stable name (`taobao_orders`), for reports and the API.
    pub key: &'static str,
    /// What a person calls it, Chinese first.
    pub name: &'static str,
    /// The platform its orders come from (their rules and clocks apply).
    pub platform: &'static str,
    pub rows: Rows,
    /// Headers every file of this layout has; together they tell it from the others.
    pub signature: &'static [&'static str],
    /// The import's column ← this layout's header, the first present one winning when a column
    /// is listed more than once.
    pub columns: &'static [(&'static str, &'static str)],
}

/// Taobao/Tmall 订单报表 (卖家中心 → 已卖出的宝贝 → 批量导出 → 订单报表): one row per order.
/// Columns as in the Tmall order report published as a public dataset (`tmall_order_report.csv`,
/// 天池 "天猫订单分析") and read by the public analyses of Taobao exports (订单编号, 买家会员名,
/// 买家应付货款, 买家应付邮费, 总金额, 买家实际支付金额, 订单状态, 收货人姓名, 收货地址,
/// 联系电话, 联系手机, 订单创建时间, 订单付款时间, 宝贝标题, 宝贝种类, 物流单号, 物流公司,
/// 宝贝总数量, 店铺名称, 退款金额 …).
pub const TAOBAO_ORDERS: Layout = Layout {
    key: "taobao_orders",
    name: "淘宝/天猫 订单报表 Taobao/Tmall order report",
    platform: "taobao",
    rows: Rows::Orders,
    signature: &["订单编号", "买家会员名", "买家实际支付金额", "订单创建时间"],
    columns: &[
        ("order_number", "订单编号"),
        ("placed_at", "订单创建时间"),
        ("paid_at", "订单付款时间"),
        ("customer_name", "收货人姓名"),
        ("phone", "联系手机"),
        ("phone", "联系电话"),
        ("address", "收货地址"),
        ("shipping_fee", "买家应付邮费"),
        ("order_paid", "买家实际支付金额"),
        ("carrier", "物流公司"),
        ("tracking_number", "物流单号"),
        ("buyer", "买家会员名"),
        ("order_status", "订单状态"),
    ],
};

/// Taobao/Tmall 宝贝报表: one row per order line, joined to the order report by 订单编号.
/// Header as Taobao writes it: 订单编号, 标题, 价格, 购买数量, 外部系统编号, 商品属性, 套餐信息,
/// 备注, 订单状态, 商家编码 (the same list appears in public code that writes Taobao-format item
/// reports and in importers that read them).
pub const TAOBAO_ITEMS: Layout = Layout {
    key: "taobao_items",
    name: "淘宝/天猫 宝贝报表 Taobao/Tmall item report",
    platform: "taobao",
    rows: Rows::Items,
    signature: &["订单编号", "标题", "价格", "购买数量"],
    columns: &[
        ("order_number", "订单编号"),
        ("product_name", "标题"),
        ("unit_price", "价格"),
        ("quantity", "购买数量"),
        ("sku", "商家编码"),
        ("sku", "外部系统编号"),
        ("variant", "商品属性"),
    ],
};

/// Pinduoduo 拼多多商家后台 → 订单查询 → 导出: one row per order (a PDD order holds one product).
/// Header as exported: 订单号, 订单状态, 商品, 商品总价(元), 邮费(元), 店铺优惠折扣(元),
/// 平台优惠折扣(元), 多多支付立减金额(元), 用户实付金额(元), 商家实收金额(元), 商品数量(件),
/// 订单成交时间, 支付时间, 发货时间, 确认收货时间, 商品id, 商品规格, 样式ID,
/// 商家编码-规格维度, 商家编码-商品维度, 商家备注, 售后状态, 快递单号, 快递公司, 收货人, 手机,
/// 省, 市, 区, 街道 (as public PDD export processors read it).
pub const PINDUODUO: Layout = Layout {
    key: "pinduoduo",
    name: "拼多多 订单导出 Pinduoduo order export",
    platform: "pinduoduo",
    rows: Rows::Lines,
    signature: &["订单号", "商品总价(元)", "用户实付金额(元)", "商品数量(件)"],
    columns: &[
        ("order_number", "订单号"),
        ("product_name", "商品"),
        ("variant", "商品规格"),
        ("sku", "商家编码-SKU维度"),
        ("sku", "商家编码-规格维度"),
        ("sku", "商家编码-商品维度"),
        ("sku", "样式ID"),
        ("sku", "商品id"),
        ("quantity", "商品数量(件)"),
        ("line_total", "商品总价(元)"),
        ("shipping_fee", "邮费(元)"),
        ("order_paid", "用户实付金额(元)"),
        ("placed_at", "订单成交时间"),
        ("placed_at", "支付时间"),
        ("paid_at", "支付时间"),
        ("shipped_at", "发货时间"),
        ("delivered_at", "确认收货时间"),
        ("customer_name", "收货人"),
        ("phone", "手机"),
        ("address", "详细地址"),
        ("province", "省"),
        ("city", "市"),
        ("district", "区"),
        ("street", "街道"),
        ("carrier", "快递公司"),
        ("tracking_number", "快递单号"),
        ("order_status", "订单状态"),
        ("aftersale_status", "售后状态"),
    ],
};

/// Douyin 抖店 → 订单管理 → 批量导出: one row per sub-order (子订单), grouped by 主订单编号.
/// Header as exported: 主订单编号, 子订单编号, 选购商品, 商品规格, 商品数量, 商家编码, 商品ID,
/// 商品金额, 订单应付金额, 运费, 收件人, 收件人手机号, 详细地址, 订单提交时间, 商家备注,
/// 订单完成时间, 订单状态, 售后状态, 取消原因, 发货时间, 平台实际承担优惠金额,
/// 商家实际承担优惠金额, 达人实际承担优惠金额 (as public 抖店 settlement tools read it); numbers are
/// written with a leading tab so that spreadsheets keep their digits, and contacts may be
/// encrypted (`##…`, `$$…`).
pub const DOUYIN: Layout = Layout {
    key: "douyin",
    name: "抖店 订单导出 Douyin shop order export",
    platform: "douyin",
    rows: Rows::Lines,
    signature: &["主订单编号", "子订单编号", "选购商品", "订单提交时间"],
    columns: &[
        ("order_number", "主订单编号"),
        ("line_reference", "子订单编号"),
        ("product_name", "选购商品"),
        ("variant", "商品规格"),
        ("sku", "商家编码"),
        ("sku", "商品ID"),
        ("quantity", "商品数量"),
        ("line_total", "商品金额"),
        ("paid", "订单应付金额"),
        ("shipping_fee", "运费"),
        ("placed_at", "订单提交时间"),
        ("paid_at", "支付完成时间"),
        ("shipped_at", "发货时间"),
        ("delivered_at", "订单完成时间"),
        ("customer_name", "收件人"),
        ("phone", "收件人手机号"),
        ("address", "详细地址"),
        ("order_status", "订单状态"),
        ("aftersale_status", "售后状态"),
    ],
};

/// JD 京东商家后台 → 订单管理 → 订单导出: one row per order line. Header as exported: 订单号,
/// 商品ID, 商品名称, 订购数量, 支付方式, 下单时间, 京东价, 订单金额, 结算金额, 余额支付, 应付金额,
/// 订单状态, 订单类型, 下单帐号, 客户姓名, 客户地址, 联系电话, 订单备注, 发票类型, 发票抬头,
/// 发票内容, 商家备注, 运费金额, 付款确认时间, 增值税发票, 货号, 订单完成时间, 订单来源, 订单渠道
/// (as a public collector of JD order lines lists it).
pub const JD: Layout = Layout {
    key: "jd",
    name: "京东 订单导出 JD order export",
    platform: "jd",
    rows: Rows::Lines,
    signature: &["订单号", "商品ID", "订购数量", "京东价"],
    columns: &[
        ("order_number", "订单号"),
        ("sku", "货号"),
        ("sku", "商品ID"),
        ("product_name", "商品名称"),
        ("quantity", "订购数量"),
        ("unit_price", "京东价"),
        ("order_paid", "应付金额"),
        ("shipping_fee", "运费金额"),
        ("placed_at", "下单时间"),
        ("paid_at", "付款确认时间"),
        ("delivered_at", "订单完成时间"),
        ("customer_name", "客户姓名"),
        ("address", "客户地址"),
        ("phone", "联系电话"),
        ("buyer", "下单帐号"),
        ("order_status", "订单状态"),
    ],
};

/// Shopify admin → Orders → Export (CSV for Excel or plain CSV): one row per line item, the
/// order's fields on its first row only (help.shopify.com/en/manual/fulfillment/managing-orders/
/// exporting-orders, "Order export CSV structure": Name, Email, Financial Status, Paid at,
/// Fulfillment Status, Fulfilled at, Currency, Subtotal, Shipping, Taxes, Total, Discount Code,
/// Discount Amount, Created at, Lineitem quantity, Lineitem name, Lineitem price, Lineitem sku,
/// Lineitem discount, Billing Name, Billing Phone, Shipping Name, Shipping Address1, Shipping
/// City, Shipping Zip, Shipping Country, Shipping Phone, Cancelled at, Phone …).
pub const SHOPIFY: Layout = Layout {
    key: "shopify",
    name: "Shopify 订单导出 Shopify \"Export orders\" CSV",
    platform: "shopify",
    rows: Rows::Lines,
    signature: &[
        "Name",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
    ],
    columns: &[
        ("order_number", "Name"),
        ("email", "Email"),
        ("currency", "Currency"),
        ("placed_at", "Created at"),
        ("paid_at", "Paid at"),
        ("shipped_at", "Fulfilled at"),
        ("cancelled_at", "Cancelled at"),
        ("shipping_fee", "Shipping"),
        ("order_tax", "Taxes"),
        ("order_paid", "Total"),
        ("order_discount", "Discount Amount"),
        ("discount_code", "Discount Code"),
        ("quantity", "Lineitem quantity"),
        ("product_name", "Lineitem name"),
        ("unit_price", "Lineitem price"),
        ("sku", "Lineitem sku"),
        ("discount", "Lineitem discount"),
        ("customer_name", "Billing Name"),
        ("customer_name", "Shipping Name"),
        ("phone", "Phone"),
        ("phone", "Billing Phone"),
        ("phone", "Shipping Phone"),
        ("address", "Shipping Address1"),
        ("city", "Shipping City"),
        ("financial_status", "Financial Status"),
    ],
};

/// Every layout the import recognises, most specific first.
pub const LAYOUTS: &[&Layout] = &[
    &TAOBAO_ORDERS,
    &TAOBAO_ITEMS,
    &PINDUODUO,
    &DOUYIN,
    &JD,
    &SHOPIFY,
];

/// A header as compared: without a BOM, surrounding spaces (a no-break space counts), or the tab a spreadsheet-safe export puts in
/// front; Chinese and ASCII brackets alike.
pub fn normalise(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .trim()
        .replace('（', "(")
        .replace('）', ")")
        .replace('\u{a0}', " ")
        .to_lowercase()
}

/// The layout whose signature the header row has, if any.
pub fn detect(headers: &[String]) -> Option<&'static Layout> {
    let present: Vec<String> = headers.iter().map(|header| normalise(header)).collect();
    LAYOUTS.iter().copied().find(|layout| {
        layout
            .signature
            .iter()
            .all(|wanted| present.contains(&normalise(wanted)))
    })
}

/// For each header of the file, the import's column it holds under `layout` (the first header
/// listed for a column wins; a later one for the same column is ignored).
pub fn columns(layout: &Layout, headers: &[String]) -> Vec<Option<&'static str>> {
    let present: Vec<String> = headers.iter().map(|header| normalise(header)).collect();
    let mut chosen: Vec<Option<&'static str>> = vec![None; headers.len()];
    for (column, header) in layout.columns {
        if chosen.contains(&Some(column)) {
            continue;
        }
        if let Some(index) = present.iter().position(|name| *name == normalise(header))
            && chosen[index].is_none()
        {
            chosen[index] = Some(column);
        }
    }
    chosen
}

/// A cell as the platforms write it, made plain: the leading tab (抖店) or `="…"` wrapper
/// (Taobao's CSV) that keeps a spreadsheet from turning long numbers into 1.23E+18, and the
/// placeholders that mean nothing (`-`, `--`, `null`, `无`).
pub fn plain(cell: &str) -> &str {
    let mut text = cell.trim_matches(|character: char| character.is_whitespace());
    if let Some(inner) = text
        .strip_prefix("=\"")
        .and_then(|rest| rest.strip_suffix('"'))
    {
        text = inner.trim();
    }
    text = text.trim_start_matches('\'');
    match text {
        "-" | "--" | "null" | "NULL" | "无" => "",
        _ => text,
    }
}

/// Whether a phone as exported is masked (`138****0000`): kept as given, never used to find the
/// customer.
pub fn is_masked(phone: &str) -> bool {
    phone.contains('*') || phone.starts_with("##") || phone.starts_with("$$")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn each_layout_is_found_by_its_own_headers_only() {
        for layout in LAYOUTS {
            let mut names: Vec<String> = layout
                .columns
                .iter()
                .map(|(_, header)| header.to_string())
                .collect();
            names.extend(layout.signature.iter().map(|name| name.to_string()));
            names.sort();
            names.dedup();
            assert_eq!(detect(&names).map(|found| found.key), Some(layout.key));
        }
        assert!(
            detect(&headers(&[
                "订单号",
                "下单时间",
                "商品名称",
                "数量",
                "单价"
            ]))
            .is_none()
        );
    }

    #[test]
    fn headers_match_with_a_bom_spaces_and_full_width_brackets() {
        let found = detect(&headers(&[
            "\u{feff}订单号",
            " 商品总价（元） ",
            "用户实付金额(元)",
            "商品数量(件)",
        ]));
        assert_eq!(found.map(|layout| layout.key), Some("pinduoduo"));
    }

    #[test]
    fn the_first_listed_header_of_a_column_wins() {
        let names = headers(&["联系电话", "联系手机", "订单编号"]);
        let chosen = columns(&TAOBAO_ORDERS, &names);
        assert_eq!(chosen, vec![None, Some("phone"), Some("order_number")]);
    }

    #[test]
    fn cells_lose_their_spreadsheet_guards() {
        assert_eq!(plain("\t6917926768823643751"), "6917926768823643751");
        assert_eq!(plain("=\"3104567890123456789\""), "3104567890123456789");
        assert_eq!(plain("'12345"), "12345");
        assert_eq!(plain(" - "), "");
        assert_eq!(plain("王小明"), "王小明");
        assert!(is_masked("138****0000"));
        assert!(is_masked("##4f2a"));
        assert!(!is_masked("13800138000"));
    }
}
