//! Order import from CSV or XLSX: the import's own layout (one row per order line) or a
//! platform's export as it comes (Taobao/Tmall's order and item reports together, Pinduoduo,
//! Douyin, JD, Shopify: `domain::layouts`, docs/PLATFORMS.md); rows of one order grouped by
//! order number. Every bad row is reported with its row number and reason; the other orders are
//! stored. Re-importing the same file changes nothing (orders and lines are matched by order
//! number and line number).

mod files;
mod read;

use std::collections::HashMap;

pub use files::{Upload, headers, run};
pub use read::{Format, Sheet, SheetRow, decode, read, table, template_csv};

use serde::Serialize;
use utoipa::ToSchema;

use super::orders::{CustomerInput, DiscountInput, OrderInput, OrderLineInput, check};
use crate::db::Database;
use crate::db::orders::Outcome;
use crate::db::shops::Actor;
use crate::domain::amount::{self, NumberStyle};
use crate::domain::layouts::{Rows, SavedLayout};
use crate::domain::money::Currency;
use crate::domain::order::NewOrder;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowError {
    pub row: usize,
    pub order_number: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    /// The layout each file was read by (a platform's export, or the shop's own), if not the
    /// import's own columns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layouts: Vec<String>,
    pub rows: usize,
    pub orders_created: usize,
    pub orders_updated: usize,
    pub orders_unchanged: usize,
    /// Parcels met for the first time (a carrier and tracking number on the order's rows):
    /// watched from then on, and the buyer told while they are on their way.
    pub parcels_added: usize,
    pub errors: Vec<RowError>,
}

/// Keeps `layout` in the shop's settings (replacing one of the same name), for its files to be
/// found again by their headers: a setup change (supervisors and admins), versioned and audited.
pub async fn save_layout(database: &Database, actor: &Actor, layout: SavedLayout) -> AppResult<()> {
    layout
        .check()
        .map_err(|message| AppError::invalid("map", message))?;
    let mut settings = crate::db::settings::load(&database.reader, &actor.shop.id).await?;
    settings
        .import_layouts
        .retain(|saved| saved.name != layout.name);
    let how = format!("import layout '{}' saved", layout.name);
    settings.import_layouts.push(layout);
    super::settings::save(database, actor, settings, &how).await?;
    Ok(())
}

/// A mapping written as `header=column,header=column` (the command line's `--map`).
pub fn parse_mapping(text: &str) -> AppResult<std::collections::BTreeMap<String, String>> {
    text.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (header, column) = pair.split_once('=').ok_or_else(|| {
                AppError::invalid("map", format!("'{pair}' is not header=column"))
            })?;
            Ok((header.trim().to_string(), column.trim().to_string()))
        })
        .collect()
}

/// The rows of one import's files as the import reads them: a platform export's orders keep
/// its platform, and Taobao's order report and item report are joined by order number (each
/// item row gets its order's fields). Either report alone is refused, saying what to add.
pub fn combine(mut sheets: Vec<Sheet>) -> AppResult<Vec<SheetRow>> {
    let part = |sheets: &[Sheet], rows: Rows| {
        sheets
            .iter()
            .position(|sheet| sheet.layout.is_some_and(|layout| layout.rows == rows))
    };
    let rows = match (part(&sheets, Rows::Orders), part(&sheets, Rows::Items)) {
        (Some(orders), Some(_)) if sheets.len() == 2 => {
            let orders = sheets.remove(orders);
            let items = sheets.remove(0);
            join(orders, items)
        }
        (Some(_), None) => {
            return Err(AppError::invalid(
                "file",
                "Taobao's order report (订单报表) has no price per item: import it together with the item report (宝贝报表) of the same export",
            ));
        }
        (None, Some(_)) => {
            return Err(AppError::invalid(
                "file",
                "Taobao's item report (宝贝报表) has no buyer or order time: import it together with the order report (订单报表) of the same export",
            ));
        }
        _ if sheets.len() == 1 => {
            let sheet = sheets.remove(0);
            with_platform(sheet.rows, sheet.platform.as_deref())
        }
        _ => {
            return Err(AppError::invalid(
                "file",
                "import one file at a time (or Taobao's order report and item report together)",
            ));
        }
    };
    Ok(rows)
}

fn with_platform(mut rows: Vec<SheetRow>, platform: Option<&str>) -> Vec<SheetRow> {
    if let Some(platform) = platform {
        for row in &mut rows {
            row.cells
                .entry("platform")
                .or_insert_with(|| platform.to_string());
        }
    }
    rows
}

/// Taobao's item rows with their order's fields from the order report; an order without items
/// and an item without its order are reported.
fn join(orders: Sheet, items: Sheet) -> Vec<SheetRow> {
    let platform = orders.platform.clone();
    let by_number: HashMap<String, &SheetRow> = orders
        .rows
        .iter()
        .filter_map(|row| Some((row.cells.get("order_number")?.clone(), row)))
        .collect();
    let mut joined = Vec::with_capacity(items.rows.len());
    let mut used = std::collections::HashSet::new();
    for mut item in items.rows {
        let number = item.cells.get("order_number").cloned();
        match number.as_ref().and_then(|number| by_number.get(number)) {
            Some(order) => {
                used.insert(number.clone().unwrap_or_default());
                if item.problem.is_none() {
                    item.problem.clone_from(&order.problem);
                }
                for (column, value) in &order.cells {
                    item.cells.entry(column).or_insert_with(|| value.clone());
                }
            }
            None => {
                item.problem.get_or_insert_with(|| {
                    "宝贝报表: this order is not in the order report (订单报表) imported with it"
                        .into()
                });
            }
        }
        joined.push(item);
    }
    for order in &orders.rows {
        if let Some(number) = order.cells.get("order_number")
            && !used.contains(number)
        {
            joined.push(SheetRow {
                row: order.row,
                cells: order.cells.clone(),
                problem: Some(format!(
                    "订单报表 row {}: the item report (宝贝报表) has no items of this order",
                    order.row
                )),
            });
        }
    }
    with_platform(joined, platform.as_deref())
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
    // A price per unit, or (Pinduoduo, Douyin) the line's total: then the unit price is the total
    // shared out, rounded up, and what rounding added is the line's discount, so the line costs
    // exactly its total.
    let mut rounding_minor = 0;
    let unit_price_minor = match money_cell(row, "unit_price", currency, style)? {
        Some(price) => price,
        None => {
            let total =
                money_cell(row, "line_total", currency, style)?.ok_or("unit_price is empty")?;
            if quantity <= 0 {
                return Err(format!("quantity {quantity} must be at least 1"));
            }
            let unit = total.div_euclid(quantity) + i64::from(total.rem_euclid(quantity) != 0);
            rounding_minor = unit * quantity - total;
            unit
        }
    };
    let product_name = row
        .cells
        .get("product_name")
        .cloned()
        .ok_or("product_name is empty")?;
    // The variant (商品属性, 商品规格: colour, size) is part of what was bought.
    let product_name = match row.cells.get("variant") {
        Some(variant) if !product_name.contains(variant.as_str()) => {
            format!("{product_name} ({variant})")
        }
        _ => product_name,
    };
    let sku = row.cells.get("sku").cloned().ok_or("sku is empty")?;
    let discount_minor = match (
        money_cell(row, "discount", currency, style)?,
        rounding_minor,
    ) {
        (discount, 0) => discount,
        (discount, rounding) => Some(discount.unwrap_or(0) + rounding),
    };
    let line = OrderLineInput {
        line_number: Some(integer_cell(row, "line_number")?.unwrap_or(position)),
        sku,
        product_name,
        category: row.cells.get("category").cloned(),
        quantity,
        unit_price_minor,
        discount_minor,
        tax_minor: money_cell(row, "tax", currency, style)?,
        paid_minor: money_cell(row, "paid", currency, style)?,
        shop_paid_minor: None,
        serial_number: row.cells.get("serial_number").cloned(),
        cost_minor: money_cell(row, "cost", currency, style)?,
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
        cost_minor: line.cost_minor,
    };
    crate::domain::order::check_line(&checked).map_err(|error| error.to_string())?;
    let shipping_fee = money_cell(row, "shipping_fee", currency, style)?.unwrap_or(0);
    Ok((line, shipping_fee))
}

/// Orders written per transaction by an import.
const BATCH: usize = 200;

/// Writes checked orders in one transaction, each counted in the report or named with its error.
/// One checked order of a batch: its number, its first row, the order, its parcels (carrier,
/// tracking number).
type Checked = (String, usize, NewOrder, Vec<(String, String)>);

async fn store_batch(
    database: &Database,
    actor: &Actor,
    batch: Vec<Checked>,
    report: &mut ImportReport,
) {
    if batch.is_empty() {
        return;
    }
    let orders: Vec<&NewOrder> = batch.iter().map(|(_, _, order, _)| order).collect();
    let written = async {
        AppError::require(
            actor.role,
            crate::domain::permissions::Capability::ChangeOrders,
        )?;
        // The delivery history the new parcels' windows come from: read once per batch, and
        // only when an order of it names a parcel.
        let history = match batch.iter().any(|(_, _, _, parcels)| !parcels.is_empty()) {
            true => crate::operations::arrival::history(database, &actor.shop.id).await?,
            false => Vec::new(),
        };
        let mut transaction = database.begin().await?;
        let outcomes = crate::db::orders::upsert_many(
            &mut transaction,
            database.backend,
            &actor.shop.id,
            &orders,
            database.clock.now(),
        )
        .await?;
        let mut added = 0;
        for ((_, _, order, parcels), outcome) in batch.iter().zip(&outcomes) {
            if let Ok((order_id, _)) = outcome {
                added += follow_parcels(
                    database,
                    &mut transaction,
                    actor,
                    (order_id, order),
                    parcels,
                    &history,
                )
                .await?;
            }
        }
        transaction.commit().await?;
        Ok::<_, AppError>((outcomes, added))
    }
    .await;
    match written {
        Ok((outcomes, added)) => {
            report.parcels_added += added;
            for ((number, row, _, _), outcome) in batch.iter().zip(outcomes) {
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
            for (number, row, _, _) in &batch {
                report.errors.push(RowError {
                    row: *row,
                    order_number: Some(number.clone()),
                    message: error.to_string(),
                });
            }
        }
    }
}

/// The parcels of an imported order not seen before: stored (watched from then on); while
/// the order is not delivered, with the window they should arrive in, and the buyer told.
async fn follow_parcels(
    database: &Database,
    transaction: &mut crate::db::Transaction,
    actor: &Actor,
    (order_id, order): (&str, &NewOrder),
    parcels: &[(String, String)],
    history: &[crate::domain::arrival::Delivered],
) -> AppResult<usize> {
    use crate::db::shipments;
    let now = database.clock.now();
    let mut added = 0;
    for (carrier, tracking_number) in parcels {
        if shipments::exists(transaction, order_id, tracking_number).await? {
            continue;
        }
        let delivered = order.delivered_at;
        let id = shipments::insert(
            transaction,
            &actor.shop.id,
            &shipments::NewShipment {
                order_id,
                case_id: None,
                direction: "to_customer",
                carrier,
                tracking_number,
                status: match delivered {
                    Some(_) => "delivered",
                    None => "in_transit",
                },
                shipped_at: order.shipped_at,
                delivered_at: delivered,
            },
            now,
        )
        .await?;
        added += 1;
        if delivered.is_none() {
            let shipped_at = order.shipped_at.unwrap_or(now);
            if let Some(expected) = crate::operations::arrival::expected_in(
                history,
                order.customer.address.as_deref(),
                carrier,
                shipped_at,
            ) {
                crate::operations::arrival::keep(transaction, &id, &expected).await?;
            }
            crate::operations::arrival::announce(transaction, &actor.shop.id, &id, shipped_at, now)
                .await?;
        }
    }
    Ok(added)
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
    let mut batch: Vec<Checked> = Vec::new();
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
                Ok(order) => {
                    let parcels = parcels_of(&group);
                    batch.push((number, group[0].row, order, parcels))
                }
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

/// The parcels an order's rows name: a tracking number (several in one cell split at commas,
/// semicolons or spaces, as a split shipment is exported) with the carrier of its row or the
/// order's first; each once. A number without any carrier is left out (nothing to tell).
fn parcels_of(group: &[&SheetRow]) -> Vec<(String, String)> {
    let first_carrier = group
        .iter()
        .find_map(|row| row.cells.get("carrier").cloned());
    let mut parcels: Vec<(String, String)> = Vec::new();
    for row in group {
        let Some(numbers) = row.cells.get("tracking_number") else {
            continue;
        };
        let Some(carrier) = row
            .cells
            .get("carrier")
            .cloned()
            .or_else(|| first_carrier.clone())
        else {
            continue;
        };
        for number in numbers
            .split([',', '，', ';', '；', ' ', '/'])
            .map(str::trim)
            .filter(|number| !number.is_empty())
        {
            let number: String = number.chars().take(60).collect();
            if !parcels.iter().any(|(_, known)| *known == number) {
                parcels.push((carrier.chars().take(60).collect(), number));
            }
        }
    }
    parcels
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
    // The order's own amounts (its discount, what the buyer paid) from the first row that has
    // them; one that is not an amount makes the order wrong, as a line's would.
    let mut order_amount = |column: &str| {
        for row in group {
            match money_cell(row, column, currency, style) {
                Ok(Some(minor)) => return Some(minor),
                Ok(None) => {}
                Err(message) => {
                    errors.push(RowError {
                        row: row.row,
                        order_number: Some(number.into()),
                        message,
                    });
                    return None;
                }
            }
        }
        None
    };
    let order_discount = order_amount("order_discount");
    let order_paid = order_amount("order_paid");
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
    let discounts = order_discounts(
        &lines,
        shipping_fee_minor,
        order_discount,
        order_paid,
        first("discount_code"),
    );
    // A masked or encrypted phone (138****0000, ##…) is kept on the order as given and finds no
    // customer (`orders::check`).
    let phone = first("phone");
    let email = first("email");
    let name = first("customer_name").unwrap_or_default();
    Ok(OrderInput {
        order_number: number.to_string(),
        platform: first("platform"),
        currency: Some(currency.as_str().to_string()),
        placed_at: first("placed_at").unwrap_or_default(),
        paid_at: first("paid_at"),
        shipped_at: first("shipped_at"),
        delivered_at: first("delivered_at"),
        cancelled_at: first("cancelled_at"),
        shipping_fee_minor,
        invoice_number: first("invoice_number"),
        customer: CustomerInput {
            name,
            phone,
            email,
            address: address(&first),
        },
        lines,
        discounts,
        ..OrderInput::default()
    })
}

/// The whole delivery address: the export's address, after the province, city, district and
/// street it gives apart (Pinduoduo) unless the address already starts with them.
fn address(first: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let detail = first("address");
    let parts: Vec<String> = ["province", "city", "district", "street"]
        .iter()
        .filter_map(|column| first(column))
        .collect();
    match detail {
        Some(detail)
            if parts
                .first()
                .is_none_or(|part| detail.starts_with(part.as_str())) =>
        {
            Some(detail)
        }
        detail => {
            let whole: String = parts.into_iter().chain(detail).collect();
            (!whole.is_empty()).then_some(whole)
        }
    }
}

/// The order's own discount, beyond what its lines carry: the export's order discount less the
/// lines' (Shopify's Discount Amount includes each Lineitem discount), or else what the buyer paid
/// less than the lines and delivery cost (Taobao's 买家实际支付金额, Pinduoduo's 用户实付金额, JD's
/// 应付金额): spread over the lines by price when stored. Paying more than that (a tax or a fee
/// the export lists elsewhere) is not a discount.
fn order_discounts(
    lines: &[OrderLineInput],
    shipping_minor: i64,
    discount_minor: Option<i64>,
    paid_minor: Option<i64>,
    code: Option<String>,
) -> Vec<DiscountInput> {
    let line_discounts: i64 = lines
        .iter()
        .map(|line| line.discount_minor.unwrap_or(0))
        .sum();
    let lines_paid: i64 = lines
        .iter()
        .map(|line| {
            line.paid_minor.unwrap_or(
                line.unit_price_minor
                    .saturating_mul(line.quantity)
                    .saturating_sub(line.discount_minor.unwrap_or(0)),
            )
        })
        .sum();
    let (kind, amount) = match (discount_minor, paid_minor) {
        (Some(discount), _) => ("order", discount - line_discounts),
        (None, Some(paid)) => ("platform", lines_paid + shipping_minor - paid),
        (None, None) => return Vec::new(),
    };
    if amount <= 0 {
        return Vec::new();
    }
    vec![DiscountInput {
        kind: kind.into(),
        code,
        amount_minor: amount,
        allocated: false,
    }]
}
