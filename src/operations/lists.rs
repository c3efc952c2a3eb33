//! The long lists as files — cases, orders, customers — with the filters the list was asked
//! with, read a thousand at a time in the list's own order and sent as they are read
//! ([`super::exports`]): a million rows never sit in memory.

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::case_list::{self, CaseFilter};
use crate::db::cases::CaseRecord;
use crate::db::customers::{self, CustomerRecord};
use crate::db::orders::{self, OrderRecord};
use crate::db::shops::Actor;
use crate::db::{Database, cost_reports};
use crate::domain::currency::Currency;
use crate::domain::money::Money;
use crate::domain::time::format_in_zone;
use crate::error::AppResult;
use crate::operations::exports::{Listing, Read, Table};

/// Records read per page.
const PAGE: i64 = 1000;

/// An amount as a plain decimal in its currency's minor units (`199.00`, `1980` yen).
pub fn decimal(amount_minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(currency) => Money::new(amount_minor, currency).decimal(),
        Err(_) => amount_minor.to_string(),
    }
}

fn when(micros: Option<i64>, zone: &jiff::tz::TimeZone) -> String {
    micros
        .map(|micros| format_in_zone(micros, zone))
        .unwrap_or_default()
}

const CASE_HEADER: [&str; 19] = [
    "案件编号 Case number",
    "类型 Kind",
    "状态 Status",
    "优先级 Priority",
    "原因 Reason",
    "订单号 Order number",
    "平台 Platform",
    "客户 Customer",
    "电话 Phone",
    "邮箱 E-mail",
    "处理人 Assignee",
    "标签 Tags",
    "渠道 Channel",
    "币种 Currency",
    "创建时间 Created at",
    "截止时间 Due at",
    "结束时间 Ended at",
    "更新时间 Updated at",
    "描述 Description",
];

/// Every case the filter finds (its sort, without its page), as a file.
pub async fn cases(
    database: &Database,
    actor: &Actor,
    filter: &CaseFilter,
) -> AppResult<Table<CaseRecord>> {
    let staff: HashMap<String, String> =
        cost_reports::staff_names(&database.reader, &actor.shop.id)
            .await?
            .into_iter()
            .collect();
    let mut filter = filter.clone();
    filter.limit = PAGE;
    filter.after = None;
    let sort = filter.sort;
    let (pool, backend, shop_id) = (
        database.reader.clone(),
        database.backend,
        actor.shop.id.clone(),
    );
    let filter = Arc::new(filter);
    let read: Read<CaseRecord> = Box::new(move |after| {
        let (pool, shop_id, filter) = (pool.clone(), shop_id.clone(), filter.clone());
        Box::pin(async move {
            let mut filter = (*filter).clone();
            filter.after = after;
            Ok(case_list::list(&pool, backend, &shop_id, &filter).await?)
        })
    });
    let zone = actor.shop.time_zone.clone();
    Ok(Table {
        file: "cases".into(),
        sheet: "售后案件 Cases",
        header: &CASE_HEADER,
        numbers: &[],
        listing: Listing::new(
            PAGE,
            read,
            move |case| (sort.key_of(case), case.id.clone()),
            move |case| {
                let assignee = case
                    .assignee_id
                    .as_ref()
                    .map(|id| staff.get(id).cloned().unwrap_or_else(|| id.clone()))
                    .unwrap_or_default();
                vec![
                    case.number,
                    case.kind.as_str().to_string(),
                    case.status.as_str().to_string(),
                    case.priority.as_str().to_string(),
                    case.reason_code,
                    case.order_number,
                    case.platform,
                    case.customer_name.or(case.contact_name).unwrap_or_default(),
                    case.contact_phone.unwrap_or_default(),
                    case.contact_email.unwrap_or_default(),
                    assignee,
                    case.tags.join(";"),
                    case.channel,
                    case.currency,
                    format_in_zone(case.created_at, &zone),
                    format_in_zone(case.due_at, &zone),
                    when(case.ended_at, &zone),
                    format_in_zone(case.updated_at, &zone),
                    case.description,
                ]
            },
        ),
    })
}

const ORDER_HEADER: [&str; 17] = [
    "订单号 Order number",
    "平台 Platform",
    "客户编号 Customer id",
    "币种 Currency",
    "实付 Total",
    "运费 Shipping",
    "优惠 Discount",
    "税 Tax",
    "计税方式 Tax mode",
    "支付状态 Payment",
    "下单时间 Placed at",
    "付款时间 Paid at",
    "发货时间 Shipped at",
    "签收时间 Delivered at",
    "取消时间 Cancelled at",
    "发票号 Invoice number",
    "买家电话 Buyer's phone",
];

/// Every order the search finds (newest first), as a file; the amounts as decimals.
pub fn orders(
    database: &Database,
    actor: &Actor,
    query: Option<String>,
    customer_id: Option<String>,
) -> Table<OrderRecord> {
    let (pool, backend, shop_id) = (
        database.reader.clone(),
        database.backend,
        actor.shop.id.clone(),
    );
    let read: Read<OrderRecord> = Box::new(move |after| {
        let (pool, shop_id, query, customer_id) = (
            pool.clone(),
            shop_id.clone(),
            query.clone(),
            customer_id.clone(),
        );
        Box::pin(async move {
            Ok(orders::list(
                &pool,
                backend,
                &shop_id,
                query.as_deref(),
                customer_id.as_deref(),
                after,
                PAGE,
            )
            .await?)
        })
    });
    let zone = actor.shop.time_zone.clone();
    Table {
        file: "orders".into(),
        sheet: "订单 Orders",
        header: &ORDER_HEADER,
        numbers: &[4, 5, 6, 7],
        listing: Listing::new(
            PAGE,
            read,
            |order| (order.placed_at, order.id.clone()),
            move |order| {
                let money = |amount| decimal(amount, &order.currency);
                vec![
                    order.order_number.clone(),
                    order.platform.clone(),
                    order.customer_id.clone().unwrap_or_default(),
                    order.currency.clone(),
                    money(order.total_minor),
                    money(order.shipping_fee_minor),
                    money(order.discount_minor),
                    money(order.tax_minor),
                    order.tax_mode.clone(),
                    order.payment_status.clone(),
                    format_in_zone(order.placed_at, &zone),
                    when(order.paid_at, &zone),
                    when(order.shipped_at, &zone),
                    when(order.delivered_at, &zone),
                    when(order.cancelled_at, &zone),
                    order.invoice_number.clone().unwrap_or_default(),
                    order.contact_masked.clone().unwrap_or_default(),
                ]
            },
        ),
    }
}

const CUSTOMER_HEADER: [&str; 8] = [
    "客户编号 Customer id",
    "姓名 Name",
    "电话 Phone",
    "邮箱 E-mail",
    "地址 Address",
    "等级 Tier",
    "标签 Tags",
    "创建时间 Created at",
];

/// Every customer the search finds (newest first), as a file.
pub fn customers(
    database: &Database,
    actor: &Actor,
    query: Option<String>,
) -> Table<CustomerRecord> {
    let (pool, backend, shop_id) = (
        database.reader.clone(),
        database.backend,
        actor.shop.id.clone(),
    );
    let read: Read<CustomerRecord> = Box::new(move |after| {
        let (pool, shop_id, query) = (pool.clone(), shop_id.clone(), query.clone());
        Box::pin(async move {
            Ok(customers::list(&pool, backend, &shop_id, query.as_deref(), after, PAGE).await?)
        })
    });
    let zone = actor.shop.time_zone.clone();
    Table {
        file: "customers".into(),
        sheet: "客户 Customers",
        header: &CUSTOMER_HEADER,
        numbers: &[],
        listing: Listing::new(
            PAGE,
            read,
            |customer| (customer.created_at, customer.id.clone()),
            move |customer| {
                vec![
                    customer.id,
                    customer.name,
                    customer.phone.unwrap_or_default(),
                    customer.email.unwrap_or_default(),
                    customer.address.unwrap_or_default(),
                    customer.tier,
                    customer.tags.join(";"),
                    format_in_zone(customer.created_at, &zone),
                ]
            },
        ),
    }
}
