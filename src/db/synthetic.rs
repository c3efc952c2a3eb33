//! A large synthetic shop written straight into the tables, for the benchmark: customers,
//! orders, cases in every status with events, in batches of one transaction each; and a backlog
//! of notifications for the delivery worker's benchmark.

use crate::domain::identifiers::ShopId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Backend, Database, dialect};

pub const CASES_PER_ORDER: usize = 5;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "鹏",
];
pub const COMPLAINTS: &[&str] = &[
    "收到货后发现外包装破损",
    "使用两天后无法开机",
    "颜色与图片不符",
    "尺码偏小想换大一号",
    "申请七天无理由退货",
    "快递一直没有更新物流",
    "少发了一个配件",
    "屏幕出现坏点",
    "客服回复太慢",
    "申请退款，商品质量问题",
    "充电时发热严重",
    "衣服起球掉色",
];
pub const KINDS: &[&str] = &[
    "refund_only",
    "return_and_refund",
    "exchange",
    "repair",
    "consultation",
    "complaint",
];
const ENDED: &[&str] = &["closed", "cancelled", "rejected"];

/// Inserts cases `from..to` (and their orders, lines and customers) in large batches.
pub async fn load(
    database: &Database,
    shop_id: &ShopId,
    staff_id: &str,
    from: usize,
    to: usize,
) -> anyhow::Result<()> {
    let mut random = StdRng::seed_from_u64(from as u64 + 7);
    let now = crate::clock::system_micros();
    let day = 86_400_000_000i64;
    let batch = 400;
    let mut index = from;
    let bar = indicatif::ProgressBar::new((to - from) as u64);
    while index < to {
        let end = (index + batch).min(to);
        let mut transaction = database.begin().await?;
        // Orders (with one customer and one line each) for the cases of this batch.
        let first_order = index / CASES_PER_ORDER;
        let last_order = (end - 1) / CASES_PER_ORDER;
        let order_numbers: Vec<usize> = (first_order..=last_order)
            .filter(|order| order * CASES_PER_ORDER >= index)
            .collect();
        if !order_numbers.is_empty() {
            let mut customers = String::from(
                "INSERT INTO customers (id, shop_id, name, phone, email, address, tier, tags, search_text, created_at, updated_at) VALUES ",
            );
            let mut orders = String::from(
                "INSERT INTO orders (id, shop_id, order_number, platform, customer_id, currency, total_minor, shipping_fee_minor, \
                 placed_at, paid_at, shipped_at, delivered_at, invoice_number, search_text, created_at, updated_at) VALUES ",
            );
            let mut lines = String::from(
                "INSERT INTO order_lines (id, order_id, shop_id, line_number, sku, product_name, category, quantity, \
                 unit_price_minor, paid_minor, serial_number) VALUES ",
            );
            for (position, order) in order_numbers.iter().enumerate() {
                let separator = if position == 0 { "" } else { ", " };
                let name = format!(
                    "{}{}",
                    SURNAMES[order % SURNAMES.len()],
                    GIVEN[(order / SURNAMES.len()) % GIVEN.len()]
                );
                let phone = format!("13{:09}", (order * 104_729) % 1_000_000_000);
                let number = format!("BO{order:08}");
                let placed = now - random.random_range(1..60) * day;
                let price = random.random_range(1_000..100_000i64);
                let customer_text = dialect::search_text(&[Some(&name), Some(&phone)]);
                let order_text = dialect::search_text(&[Some(&number), Some(&name), Some(&phone)]);
                customers.push_str(&format!(
                    "{separator}('bc-{order}', '{shop_id}', '{name}', '{phone}', NULL, NULL, 'normal', '[]', '{customer_text}', {placed}, {placed})"
                ));
                orders.push_str(&format!(
                    "{separator}('bo-{order}', '{shop_id}', '{number}', 'tmall', 'bc-{order}', 'CNY', {price}, 0, {placed}, {placed}, \
                     {placed}, {placed}, NULL, '{order_text}', {placed}, {placed})"
                ));
                lines.push_str(&format!(
                    "{separator}('bl-{order}', 'bo-{order}', '{shop_id}', 1, 'SKU-{}', '商品{}', NULL, 1, {price}, {price}, NULL)",
                    order % 500,
                    order % 500
                ));
            }
            for sql in [customers, orders, lines] {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *transaction)
                    .await?;
            }
        }
        let mut cases = String::from(
            "INSERT INTO cases (id, shop_id, number, order_id, customer_id, kind, status, is_open, reason_code, description, \
             priority, priority_rank, assignee_id, tags, channel, contact_name, contact_phone, contact_email, due_at, created_at, \
             updated_at, ended_at, version, search_text) VALUES ",
        );
        for case in index..end {
            let separator = if case == index { "" } else { ", " };
            let order = case / CASES_PER_ORDER;
            let name = format!(
                "{}{}",
                SURNAMES[order % SURNAMES.len()],
                GIVEN[(order / SURNAMES.len()) % GIVEN.len()]
            );
            let phone = format!("13{:09}", (order * 104_729) % 1_000_000_000);
            let created = now - random.random_range(0..365) * day - random.random_range(0..day);
            let date = crate::domain::time::local_date(
                created,
                &jiff::tz::TimeZone::get("Asia/Shanghai")?,
            );
            let number = format!("AS-{}-B{:06}", date.strftime("%Y%m%d"), case % 1_000_000);
            let description = COMPLAINTS[random.random_range(0..COMPLAINTS.len())];
            let open = random.random_bool(0.2);
            let kind = KINDS[case % KINDS.len()];
            let status = if open {
                match kind {
                    "consultation" | "complaint" => "open",
                    _ => "submitted",
                }
            } else {
                ENDED[case % ENDED.len()]
            };
            let ended = if open {
                "NULL".to_string()
            } else {
                (created + day).to_string()
            };
            let assignee = if case % 3 == 0 {
                "NULL".to_string()
            } else {
                format!("'{staff_id}'")
            };
            let text = dialect::search_text(&[
                Some(&number),
                Some(&format!("BO{order:08}")),
                Some(&name),
                Some(&phone),
                Some(description),
            ]);
            cases.push_str(&format!(
                "{separator}('bk-{case}', '{shop_id}', '{number}', 'bo-{order}', 'bc-{order}', '{kind}', '{status}', {}, 'quality', \
                 '{description}', 'normal', 1, {assignee}, '[]', 'platform', '{name}', '{phone}', NULL, {}, {created}, {created}, {ended}, 1, '{text}')",
                i64::from(open),
                created + day,
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(cases))
            .execute(&mut *transaction)
            .await?;
        let mut case_lines = String::from(
            "INSERT INTO case_lines (id, case_id, shop_id, order_line_id, quantity) VALUES ",
        );
        for case in index..end {
            let separator = if case == index { "" } else { ", " };
            case_lines.push_str(&format!(
                "{separator}('bkl-{case}', 'bk-{case}', '{shop_id}', 'bl-{}', 1)",
                case / CASES_PER_ORDER
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(case_lines))
            .execute(&mut *transaction)
            .await?;
        if database.backend == Backend::Sqlite {
            let ids: Vec<String> = (index..end).map(|case| format!("'bk-{case}'")).collect();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO case_search (rowid, search_text) SELECT rowid, search_text FROM cases WHERE id IN ({})",
                ids.join(", ")
            )))
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        bar.inc((end - index) as u64);
        index = end;
    }
    bar.finish();
    if database.backend == Backend::Postgres {
        sqlx::query("ANALYZE").execute(&database.writer).await?;
    } else {
        sqlx::query("ANALYZE").execute(&database.writer).await?;
        sqlx::query("INSERT INTO case_search(case_search) VALUES ('optimize')")
            .execute(&database.writer)
            .await?;
    }
    Ok(())
}

/// An approval event for each of the newest `count` cases, pending in the outbox, each case with
/// its own customer's e-mail (a customer's messages go one after another, as in a shop).
pub async fn notification_backlog(
    database: &Database,
    count: usize,
    now: i64,
) -> Result<(), sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, shop_id FROM cases ORDER BY created_at DESC LIMIT {count}"
    )))
    .fetch_all(&database.reader)
    .await?;
    let mut transaction = database.begin().await?;
    for (index, (id, shop_id)) in rows.iter().enumerate() {
        sqlx::query("UPDATE cases SET contact_email = $1 WHERE id = $2")
            .bind(format!("buyer{index}@example.com"))
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        let payload = serde_json::json!({ "event_id": "", "case_id": id, "action": "approve",
            "from_status": "submitted", "to_status": "approved", "actor_role": "agent", "at": now, "data": {} });
        sqlx::query(
            "INSERT INTO outbox (id, shop_id, case_id, audience, topic, payload, state, attempts, created_at) \
             VALUES ($1, $2, $3, 'event', 'case.transitioned', $4, 'pending', 0, $5)",
        )
        .bind(super::new_id())
        .bind(shop_id)
        .bind(id)
        .bind(payload.to_string())
        .bind(now)
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await
}

/// Marks every pending outbox row dispatched (left over from earlier measurements).
pub async fn settle_outbox(database: &Database) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET state = 'dispatched' WHERE state = 'pending'")
        .execute(&database.writer)
        .await?;
    Ok(())
}

/// The shop's cases, and the synthetic orders among its orders (BO…, not those the intake
/// measurement adds).
pub async fn counts(database: &Database, shop_id: &ShopId) -> Result<(i64, i64), sqlx::Error> {
    let cases = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_one(&database.reader)
        .await?;
    let orders = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE shop_id = $1 AND order_number LIKE 'BO%'",
    )
    .bind(shop_id)
    .fetch_one(&database.reader)
    .await?;
    Ok((cases, orders))
}
