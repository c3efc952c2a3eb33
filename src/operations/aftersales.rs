//! A platform's after-sales record (a Taobao/Tmall refund, a Pinduoduo after-sales order) as a
//! shop's connector reports it, message by message: kept with its newest state whatever order
//! the messages come in (`domain::aftersales`), linked to the order and to its open case, whose
//! timeline says when the platform's record moves (docs/PLATFORMS.md, "Refund states").

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::db::Database;
use crate::db::Transaction;
use crate::db::aftersales::{self, AftersaleRecord, State};
use crate::db::cases::CaseRecord;
use crate::db::cases::{self, NewEvent};
use crate::db::orders;
use crate::db::shops::Actor;
use crate::db::timers::TimerRecord;
use crate::db::timers::{self, NewTimer};
use crate::domain::aftersales::{
    Snapshot, Stage, douyin, is_newer, pinduoduo, taobao, tmall_exchange, wechat, wechat_overdue,
};
use crate::domain::amount::{self, NumberStyle};
use crate::domain::clocks::Clock;
use crate::domain::money::Currency;
use crate::domain::permissions::Capability;
use crate::domain::time::parse_time;
use crate::error::{AppError, AppResult};

/// One message about a platform's after-sales record, as the platform's own fields give it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftersaleMessage {
    /// taobao, tmall, pinduoduo, douyin or wechat.
    pub platform: String,
    /// The platform's id of the record (Taobao `refund_id`, Pinduoduo's after-sales `id`).
    pub refund_id: String,
    /// The order it concerns (Taobao `tid`, Pinduoduo `order_sn`); the order must be in the shop.
    pub order_number: String,
    /// The platform's status: Taobao's `status` (WAIT_SELLER_AGREE …), Pinduoduo's
    /// `after_sales_status` or Douyin's `standard_aftersale_status` (a number, as text or as a
    /// number), WeChat's `status` (MERCHANT_PROCESSING …).
    #[schema(value_type = String)]
    pub status: serde_json::Value,
    /// The platform's version of the record: Taobao's `refund_version`, Pinduoduo's
    /// `updated_time` (unix seconds). Higher is newer.
    pub version: i64,
    /// Taobao's `refund_phase`: onsale (售中, before the buyer confirmed receipt) or aftersale.
    pub phase: Option<String>,
    /// The amount asked or refunded, as the platform writes it (`89.00`), in the order's currency.
    pub refund_fee: Option<String>,
    /// The platform's deadline for the shop's next step (Taobao's
    /// `refund_remind_timeout.timeout`), `2026-12-08 10:00:00` in the shop's zone or RFC 3339.
    pub timeout: Option<String>,
    /// Whether the buyer sends goods back (Taobao's `has_good_return`); by default, a return
    /// when the platform already waits for one.
    pub has_good_return: Option<bool>,
    /// The buyer's reason, as the platform gives it (Taobao's `reason`).
    pub reason: Option<String>,
    /// The platform's customer-service state: Taobao/Tmall's `cs_status` (2 or 3 the platform
    /// steps in, 10 it wants evidence, 8 / 9 it ruled for the buyer / the shop, 7 withdrawn, as
    /// a number or in the refund export's words) or Douyin's `arbitrate_status` (1 in, 4
    /// evidence, 2 / 3 ruled, 255 cancelled): the linked case's dispute follows it.
    #[schema(value_type = Option<String>)]
    pub cs_status: Option<serde_json::Value>,
}

/// What a message did: `applied` (it is the record's state now), `older` (a newer message came
/// first) or `duplicate` (the record already says this).
pub struct Received {
    pub record: AftersaleRecord,
    pub outcome: &'static str,
}

fn stage_of(platform: &str, status: &serde_json::Value) -> AppResult<(Stage, String)> {
    let text = match status {
        serde_json::Value::String(text) => text.trim().to_string(),
        serde_json::Value::Number(number) => number.to_string(),
        _ => {
            return Err(AppError::invalid(
                "status",
                "status is the platform's status, as text",
            ));
        }
    };
    let stage = match platform {
        "taobao" | "tmall" => taobao(&text),
        "pinduoduo" => text.parse().ok().and_then(pinduoduo),
        "douyin" => text.parse().ok().and_then(douyin),
        "wechat" => wechat(&text),
        "tmall_exchange" => tmall_exchange(&text),
        _ => {
            return Err(AppError::invalid(
                "platform",
                format!(
                    "'{platform}': taobao, tmall, tmall_exchange, pinduoduo, douyin or wechat (JD is still to come)"
                ),
            ));
        }
    };
    let stage = stage.ok_or_else(|| {
        AppError::invalid(
            "status",
            format!("'{text}' is not a {platform} after-sales status (docs/PLATFORMS.md, \"Refund states\")"),
        )
    })?;
    Ok((stage, text))
}

/// The stages in which the platform waits for the shop's answer.
fn awaits_shop(stage: Stage) -> bool {
    matches!(
        stage,
        Stage::AwaitingShop
            | Stage::AwaitingReceipt
            | Stage::AwaitingShipment
            | Stage::RefundInstead
    )
}

/// A platform's deadline ran out (the timer of `Clock::PlatformDeadline`): if a record linked
/// to the case still waits for the shop with that deadline, the case's priority rises and its
/// timeline says which record's deadline was missed. Whether it was missed.
pub async fn deadline_passed(
    transaction: &mut Transaction,
    case: &CaseRecord,
    timer: &TimerRecord,
    now: i64,
) -> AppResult<bool> {
    let waiting = aftersales::waiting_on_shop(transaction, &case.id, timer.due_at).await?;
    if waiting.is_empty() {
        return Ok(false);
    }
    let raised = case.priority.raised();
    cases::raise_priority(transaction, &case.id, raised).await?;
    let records: Vec<serde_json::Value> = waiting
        .iter()
        .map(|(platform, refund_id)| json!({ "platform": platform, "refund_id": refund_id }))
        .collect();
    cases::insert_event(
        transaction,
        &NewEvent {
            shop_id: &case.shop_id,
            case_id: &case.id,
            at: now,
            actor_role: crate::domain::Role::System,
            actor_id: None,
            action: "platform_deadline_missed",
            from_status: None,
            to_status: None,
            data: json!({
                "records": records, "due_at": timer.due_at, "timer_id": timer.id,
                "priority": { "from": case.priority, "to": raised }
            }),
        },
    )
    .await?;
    Ok(true)
}

/// Keeps a message about a platform's record: creates the record, moves it if the message is
/// newer, or only notes the message; when the record's stage changes, the order's open case (to
/// which it is linked) shows it on its timeline.
pub async fn receive(
    database: &Database,
    actor: &Actor,
    message: &AftersaleMessage,
) -> AppResult<Received> {
    AppError::require(actor.role, Capability::ChangeOrders)?;
    let platform = message.platform.trim().to_lowercase();
    let (stage, status) = stage_of(&platform, &message.status)?;
    let external_id = message.refund_id.trim();
    if external_id.is_empty() || external_id.len() > 64 {
        return Err(AppError::invalid(
            "refund_id",
            "refund_id is 1 to 64 characters",
        ));
    }
    let order = orders::find_by_number(
        &database.reader,
        &actor.shop.id,
        message.order_number.trim(),
    )
    .await?
    .ok_or_else(|| {
        AppError::invalid(
            "order_number",
            format!(
                "no order '{}' in this shop: import or post the order first",
                message.order_number.trim()
            ),
        )
    })?;
    let currency = Currency::parse(&order.currency).unwrap_or(actor.shop.currency);
    let amount_minor = match message.refund_fee.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => Some(
            amount::parse(text, currency, NumberStyle::for_locale(&actor.shop.locale))
                .map_err(|error| AppError::invalid("refund_fee", error.to_string()))?
                .amount_minor,
        ),
        _ => None,
    };
    let deadline_at = match message.timeout.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => Some(
            parse_time(text, &actor.shop.time_zone)
                .map_err(|error| AppError::invalid("timeout", error))?,
        ),
        // WeChat says the shop is late (商家逾期未退款) without a time: the deadline is now.
        _ if platform == "wechat" && wechat_overdue(&status) => Some(database.clock.now()),
        _ => None,
    };
    let phase = match message.phase.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(phase @ ("onsale" | "aftersale")) => Some(phase),
        Some(other) => {
            return Err(AppError::invalid(
                "phase",
                format!("'{other}': onsale (售中) or aftersale (售后)"),
            ));
        }
    };
    let stage_text = stage.as_str();
    let state = State {
        stage: stage_text,
        platform_status: &status,
        version: message.version,
        phase,
        amount_minor,
        deadline_at,
    };
    let body = serde_json::to_string(message).unwrap_or_default();
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    let (mut record, created) = aftersales::open(
        &mut transaction,
        database.backend,
        &actor.shop.id,
        &platform,
        external_id,
        &order.id,
        &state,
        now,
    )
    .await?;
    let current = Snapshot {
        stage: Stage::parse(&record.stage).unwrap_or(Stage::AwaitingShop),
        version: record.version,
    };
    let incoming = Snapshot {
        stage,
        version: message.version,
    };
    let outcome = if created {
        "applied"
    } else if is_newer(current, incoming) {
        aftersales::update(&mut transaction, &record.id, &state, now).await?;
        "applied"
    } else if current == incoming && record.platform_status == status {
        "duplicate"
    } else {
        "older"
    };
    aftersales::add_message(
        &mut transaction,
        &record.id,
        &status,
        message.version,
        outcome,
        &body,
        now,
    )
    .await?;
    if record.case_id.is_none()
        && let Some(case_id) = aftersales::open_case_of(&mut transaction, &order.id).await?
    {
        aftersales::link_case(&mut transaction, &record.id, &case_id).await?;
        record.case_id = Some(case_id);
    }
    let change = Change {
        platform: &platform,
        external_id,
        stage,
        status: &status,
        deadline_at,
        now,
    };
    if outcome == "applied"
        && let Some(case_id) = &record.case_id
    {
        follow(
            &mut transaction,
            database,
            actor,
            case_id,
            &change,
            created || current.stage != stage,
        )
        .await?;
    }
    transaction.commit().await?;
    // A record the buyer opened on the platform for an order without an open case gets one, as
    // a return the platform sends does (`integrations::returns`).
    if created && record.case_id.is_none() && !stage.is_final() {
        match open_case(database, actor, &order, &change, message).await {
            Ok(case_id) => {
                let mut transaction = database.begin().await?;
                aftersales::link_case(&mut transaction, &record.id, &case_id).await?;
                follow(&mut transaction, database, actor, &case_id, &change, true).await?;
                transaction.commit().await?;
            }
            Err(error) => {
                tracing::warn!(refund = external_id, %error, "no case opened for a platform's after-sales record");
            }
        }
    }
    let record = aftersales::get(&database.reader, &actor.shop.id, &record.id)
        .await?
        .ok_or(AppError::NotFound("after-sales record"))?;
    if outcome == "applied"
        && let (Some(case_id), Some(status)) = (&record.case_id, &message.cs_status)
    {
        let status = match status {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let movement = match platform.as_str() {
            "taobao" | "tmall" | "tmall_exchange" => crate::domain::disputes::taobao_cs(&status),
            "douyin" => crate::domain::disputes::douyin_arbitration(&status),
            _ => None,
        };
        if let Some(step) = movement
            && let Err(error) = super::disputes::follow_platform(
                database,
                actor,
                case_id,
                &platform,
                external_id,
                step,
            )
            .await
        {
            tracing::warn!(refund = external_id, %error, "the platform's intervention was not recorded on the case");
        }
    }
    Ok(Received { record, outcome })
}

/// What an applied message changed, for the case it is linked to.
struct Change<'a> {
    platform: &'a str,
    external_id: &'a str,
    stage: Stage,
    status: &'a str,
    deadline_at: Option<i64>,
    now: i64,
}

/// The linked case follows an applied message: the platform's deadline for the shop becomes its
/// clock while the record waits for the shop (a newer message replaces it, one that no longer
/// waits drops it), and when the record's stage `moved`, its timeline says so.
async fn follow(
    transaction: &mut Transaction,
    database: &Database,
    actor: &Actor,
    case_id: &str,
    change: &Change<'_>,
    moved: bool,
) -> AppResult<()> {
    timers::drop_pending(transaction, case_id, Clock::PlatformDeadline).await?;
    if let (true, Some(due_at)) = (awaits_shop(change.stage), change.deadline_at)
        && let Some(case) =
            cases::get_for_update(transaction, database.backend, &actor.shop.id, case_id).await?
    {
        let rule = format!("{} {}", change.platform, change.external_id);
        timers::insert(
            transaction,
            &NewTimer {
                id: &crate::db::new_id(),
                shop_id: &actor.shop.id,
                case_id,
                clock: Clock::PlatformDeadline,
                rule: &rule,
                steps: &[],
                status: case.status,
                due_at,
                now: change.now,
            },
        )
        .await?;
    }
    // The platform turned the exchange into a refund (Tmall 请退款): so does the case.
    if moved
        && change.stage == Stage::RefundInstead
        && let Some(case) =
            cases::get_for_update(transaction, database.backend, &actor.shop.id, case_id).await?
        && case.kind == crate::domain::CaseKind::Exchange
    {
        let system = Actor {
            shop: actor.shop.clone(),
            role: crate::domain::Role::System,
            staff_id: None,
        };
        let settings = crate::db::settings::get(database, &actor.shop.id).await?;
        super::transitions::exchange_to_refund(
            transaction,
            &system,
            &case,
            json!({ "platform": change.platform, "refund_id": change.external_id, "platform_status": change.status }),
            &settings,
            change.now,
        )
        .await?;
    }
    if moved {
        cases::insert_event(
            transaction,
            &NewEvent {
                shop_id: &actor.shop.id,
                case_id,
                at: change.now,
                actor_role: crate::domain::Role::System,
                actor_id: None,
                action: "platform_aftersale",
                from_status: None,
                to_status: None,
                data: json!({
                    "platform": change.platform,
                    "refund_id": change.external_id,
                    "stage": change.stage.as_str(),
                    "platform_status": change.status,
                    "deadline_at": change.deadline_at,
                }),
            },
        )
        .await?;
    }
    Ok(())
}

/// Opens the case for a platform's record: a return when the buyer sends goods back (or the
/// record says so), else a refund only, about every unit of the order, under the shop's "other"
/// reason; the platform's reason is the description. Its creation key makes a retry find it.
async fn open_case(
    database: &Database,
    actor: &Actor,
    order: &orders::OrderRecord,
    change: &Change<'_>,
    message: &AftersaleMessage,
) -> AppResult<String> {
    let returns = message.has_good_return.unwrap_or(matches!(
        change.stage,
        Stage::AwaitingReturn | Stage::AwaitingReceipt
    ));
    let kind = if change.platform == "tmall_exchange" {
        "exchange"
    } else if returns {
        "return_and_refund"
    } else {
        "refund_only"
    };
    let lines = orders::lines(&database.reader, &order.id).await?;
    let reasons = crate::db::shops::list_reasons(&database.reader, &actor.shop.id).await?;
    let reason_code = ["other", "quality", "no_reason"]
        .into_iter()
        .find(|code| {
            reasons
                .iter()
                .any(|reason| reason.code == *code && reason.active)
        })
        .unwrap_or("other");
    let platform_words = match change.platform {
        "pinduoduo" => "拼多多售后",
        "douyin" => "抖店售后",
        "wechat" => "微信小店售后",
        "tmall_exchange" => "天猫换货",
        _ => "淘宝/天猫退款",
    };
    let description = match message.reason.as_deref().map(str::trim) {
        Some(reason) if !reason.is_empty() => {
            format!("{platform_words} {}：{reason}", change.external_id)
        }
        _ => format!("{platform_words} {}", change.external_id),
    };
    let system = Actor {
        shop: actor.shop.clone(),
        role: crate::domain::Role::System,
        staff_id: None,
    };
    let key = format!("aftersale:{}:{}", change.platform, change.external_id);
    let created = super::cases::create(
        database,
        &system,
        &super::cases::NewCaseInput {
            order_number: order.order_number.clone(),
            kind: kind.into(),
            reason_code: reason_code.into(),
            description,
            lines: lines
                .iter()
                .map(|line| super::cases::CaseLineInput {
                    line_number: line.line_number,
                    quantity: Some(line.quantity),
                })
                .collect(),
            contact: super::cases::ContactInput::default(),
            priority: None,
            assignee_id: None,
            tags: vec![change.platform.to_string()],
            channel: Some(change.platform.to_string()),
        },
        Some(&key),
    )
    .await?;
    Ok(created.case.id)
}

/// One row of a refund export that could not be kept, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefundRowError {
    pub row: usize,
    pub refund_id: Option<String>,
    pub message: String,
}

/// What an import of a platform's refund export did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RefundImportReport {
    pub rows: usize,
    /// Rows that moved a record (or made it).
    pub applied: usize,
    /// Rows the records already said, or older than what they say.
    pub unchanged: usize,
    pub errors: Vec<RefundRowError>,
}

/// Taobao/Tmall's refund export (退款管理 → 导出): one refund per row. Header as exported:
/// 退款编号, 订单编号, 支付宝交易号, 订单付款时间, 商品编码, 退款完结时间, 买家实际支付金额, 宝贝标题,
/// 买家退款金额, 手工退款/系统退款, 是否需要退货, 退款的申请时间, 退款状态, 货物状态, 发货物流信息,
/// 客服介入状态, 买家退款原因, 买家退款说明, 部分退款/全部退款 (as a public importer of Tmall refund
/// exports reads it). The status is in words (退款成功, 买家已经申请退款，等待卖家同意 …); a row's
/// version is its 退款完结时间, else its 退款的申请时间, so a later export never undoes a newer
/// message.
const REFUND_COLUMNS: &[(&str, &str)] = &[
    ("refund_id", "退款编号"),
    ("order_number", "订单编号"),
    ("status", "退款状态"),
    ("refund_fee", "买家退款金额"),
    ("has_good_return", "是否需要退货"),
    ("applied_at", "退款的申请时间"),
    ("ended_at", "退款完结时间"),
    ("reason", "买家退款原因"),
    ("cs_status", "客服介入状态"),
];

/// Imports a Taobao/Tmall refund export: each row as a message about its refund, reported by row.
pub async fn import_refunds(
    database: &Database,
    actor: &Actor,
    bytes: &[u8],
) -> AppResult<RefundImportReport> {
    AppError::require(actor.role, Capability::ChangeOrders)?;
    let text = crate::operations::import::decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(record)) => record
            .iter()
            .map(crate::domain::layouts::normalise)
            .collect(),
        _ => {
            return Err(AppError::invalid(
                "file",
                "the file is empty: it needs a header row",
            ));
        }
    };
    let position = |name: &str| {
        header
            .iter()
            .position(|header| *header == crate::domain::layouts::normalise(name))
    };
    let columns: Vec<(&str, Option<usize>)> = REFUND_COLUMNS
        .iter()
        .map(|(column, name)| (*column, position(name)))
        .collect();
    let index = |column: &str| {
        columns
            .iter()
            .find(|(known, _)| *known == column)
            .and_then(|(_, at)| *at)
    };
    let missing: Vec<&str> = ["退款编号", "订单编号", "退款状态", "退款的申请时间"]
        .into_iter()
        .filter(|name| position(name).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "file",
            format!(
                "not a Taobao/Tmall refund export (退款管理 → 导出): the header row lacks {}",
                missing.join(", ")
            ),
        ));
    }
    let mut report = RefundImportReport::default();
    for (row, record) in records.enumerate() {
        let row = row + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                report.errors.push(RefundRowError {
                    row,
                    refund_id: None,
                    message: format!("not valid CSV: {error}"),
                });
                continue;
            }
        };
        let cell = |column: &str| {
            index(column)
                .and_then(|at| record.get(at))
                .map(crate::domain::layouts::plain)
                .filter(|value| !value.is_empty())
                .map(str::to_string)
        };
        if record
            .iter()
            .all(|value| crate::domain::layouts::plain(value).is_empty())
        {
            continue;
        }
        report.rows += 1;
        let refund_id = cell("refund_id");
        let version = cell("ended_at")
            .or_else(|| cell("applied_at"))
            .and_then(|at| parse_time(&at, &actor.shop.time_zone).ok());
        let status = cell("status").unwrap_or_default();
        let message = AftersaleMessage {
            platform: "taobao".into(),
            refund_id: refund_id.clone().unwrap_or_default(),
            order_number: cell("order_number").unwrap_or_default(),
            status: serde_json::Value::String(status),
            version: version.unwrap_or(0),
            phase: None,
            refund_fee: cell("refund_fee"),
            timeout: None,
            has_good_return: cell("has_good_return").map(|answer| answer == "是"),
            reason: cell("reason"),
            cs_status: cell("cs_status").map(serde_json::Value::String),
        };
        if version.is_none() {
            report.errors.push(RefundRowError {
                row,
                refund_id,
                message: "退款的申请时间 is not a time".into(),
            });
            continue;
        }
        match receive(database, actor, &message).await {
            Ok(received) if received.outcome == "applied" => report.applied += 1,
            Ok(_) => report.unchanged += 1,
            Err(error) => report.errors.push(RefundRowError {
                row,
                refund_id,
                message: error.to_string(),
            }),
        }
    }
    Ok(report)
}
