//! What the API sends back: records rendered with times in the shop's zone (RFC 3339 with
//! offset) and money in minor units with its currency.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::cases::{CaseLineRecord, CaseRecord, EventRecord, MessageRecord, SlaState};
use crate::db::customers::CustomerRecord;
use crate::db::follow_ups::FollowUp;
use crate::db::orders::{OrderLineRecord, OrderRecord};
use crate::db::refunds::RefundRecord;
use crate::db::shipments::ShipmentRecord;
use crate::db::shops::Reason;
use crate::db::shops::Shop;
use crate::db::timers::TimerRecord;
use crate::domain::clocks::describe;
use crate::domain::time::format_in_zone;
use crate::error::AppError;

pub fn time(shop: &Shop, micros: i64) -> String {
    format_in_zone(micros, &shop.time_zone)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseLineView {
    pub order_line_id: String,
    pub line_number: i64,
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub ordered_quantity: i64,
    pub paid_minor: i64,
    /// Refunded so far on this order line, by any case of the order.
    pub refunded_minor: i64,
}

impl From<&CaseLineRecord> for CaseLineView {
    fn from(line: &CaseLineRecord) -> Self {
        CaseLineView {
            order_line_id: line.order_line_id.clone(),
            line_number: line.line_number,
            sku: line.sku.clone(),
            product_name: line.product_name.clone(),
            quantity: line.quantity,
            ordered_quantity: line.ordered_quantity,
            paid_minor: line.paid_minor,
            refunded_minor: line.refunded_minor,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    /// AS-YYYYMMDD-NNNNNN, unique in the shop.
    pub number: String,
    pub kind: String,
    pub status: String,
    pub order_id: String,
    pub order_number: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub reason_code: String,
    pub description: String,
    pub priority: String,
    pub assignee_id: Option<String>,
    pub tags: Vec<String>,
    pub channel: String,
    pub contact: Contact,
    pub due_at: String,
    pub created_at: String,
    pub updated_at: String,
    pub ended_at: Option<String>,
    /// Since when the customer's last message has waited for the shop's answer ("customer
    /// replied"); absent once someone of the shop answered.
    pub customer_waiting_since: Option<String>,
    /// Send it back with a transition or an edit; a newer one means someone acted first.
    pub version: i64,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<CaseLineView>>,
    /// What the caller may do now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    /// The policy engine's decision when the case was opened (docs/POLICY.md): the remedies
    /// allowed, deadlines, refund and freight, with rule ids. Null for conversations.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub policy: Option<serde_json::Value>,
    /// Goodwill compensation that fits the case while it is open (a coupon for a late parcel,
    /// money back to keep goods with a small flaw), with its rule (docs/POLICY.md, "Goodwill").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_compensation: Option<Vec<crate::domain::policy::goodwill::Suggestion>>,
    /// The clocks running on the case and what happens when they run out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clocks: Option<Vec<ClockView>>,
    /// Service-level figures: targets, when they were met, pauses, breaches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaView {
    pub first_response_due: Option<String>,
    pub first_response_at: Option<String>,
    pub resolution_due: Option<String>,
    pub resolved_at: Option<String>,
    /// The SLA clock stands still: the case waits on the customer or a parcel.
    pub paused: bool,
    /// Working minutes spent paused.
    pub paused_minutes: i64,
    /// Working minutes from opening to resolution, pauses excluded (once resolved).
    pub business_minutes: Option<i64>,
    /// `first_response` or `resolution`: the first target missed.
    pub breached: Option<String>,
}

impl SlaView {
    pub fn new(shop: &Shop, state: &SlaState) -> SlaView {
        let at = |micros: Option<i64>| micros.map(|micros| time(shop, micros));
        SlaView {
            first_response_due: at(state.first_response_due),
            first_response_at: at(state.first_response_at),
            resolution_due: at(state.resolution_due),
            resolved_at: at(state.resolved_at),
            paused: state.paused_at.is_some(),
            paused_minutes: state.paused_minutes,
            business_minutes: state.business_minutes,
            breached: state.breached.clone(),
        }
    }
}

/// A running clock.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    /// refund_unanswered, return_unanswered, return_not_shipped, return_not_confirmed, replacement_not_confirmed.
    pub clock: String,
    /// When it fires, in the shop's time zone.
    pub fires_at: String,
    /// What it will do: the actions, taken by the system.
    pub actions: Vec<String>,
    /// Where the wait comes from (platform default or the shop's setting).
    pub rule: String,
    pub explanation: crate::domain::policy::Text,
}

impl ClockView {
    pub fn new(shop: &Shop, timer: &TimerRecord) -> ClockView {
        ClockView {
            clock: timer.clock.as_str().into(),
            fires_at: time(shop, timer.due_at),
            actions: timer
                .steps
                .iter()
                .map(|step| step.as_str().to_string())
                .collect(),
            rule: timer.rule.clone(),
            explanation: describe(timer.clock, &timer.steps),
        }
    }
}

impl CaseView {
    pub fn new(shop: &Shop, case: CaseRecord) -> CaseView {
        CaseView {
            id: case.id,
            number: case.number,
            kind: case.kind.as_str().into(),
            status: case.status.as_str().into(),
            order_id: case.order_id,
            order_number: case.order_number,
            customer_id: case.customer_id,
            customer_name: case.customer_name,
            reason_code: case.reason_code,
            description: case.description,
            priority: case.priority.as_str().into(),
            assignee_id: case.assignee_id,
            tags: case.tags,
            channel: case.channel,
            contact: Contact {
                name: case.contact_name,
                phone: case.contact_phone,
                email: case.contact_email,
            },
            due_at: time(shop, case.due_at),
            created_at: time(shop, case.created_at),
            updated_at: time(shop, case.updated_at),
            ended_at: case.ended_at.map(|at| time(shop, at)),
            customer_waiting_since: case.customer_waiting_since.map(|at| time(shop, at)),
            version: case.version,
            currency: case.currency,
            lines: None,
            allowed_actions: None,
            policy: None,
            suggested_compensation: None,
            clocks: None,
            sla: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    pub at: String,
    pub actor_role: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl EventView {
    pub fn new(shop: &Shop, event: EventRecord) -> EventView {
        EventView {
            id: event.id,
            at: time(shop, event.at),
            actor_role: event.actor_role,
            actor_id: event.actor_id,
            action: event.action,
            from_status: event.from_status,
            to_status: event.to_status,
            data: {
                let mut data = event.data;
                crate::domain::time::localise_times(&mut data, &shop.time_zone);
                data
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: String,
    pub author_role: String,
    pub author_id: Option<String>,
    /// customer (the customer sees it) or internal (a note for staff).
    pub visibility: String,
    pub body: String,
    pub created_at: String,
}

impl MessageView {
    pub fn new(shop: &Shop, message: MessageRecord) -> MessageView {
        MessageView {
            id: message.id,
            author_role: message.author_role,
            author_id: message.author_id,
            visibility: message.visibility,
            body: message.body,
            created_at: time(shop, message.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundLineView {
    pub order_line_id: String,
    pub amount_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundView {
    pub id: String,
    pub case_id: String,
    pub idempotency_key: String,
    pub amount_minor: i64,
    pub currency: String,
    /// The amount for people, e.g. ¥12.50.
    pub amount: String,
    /// Delivery cost paid back with it (part of `amount_minor`).
    pub shipping_minor: i64,
    /// The amount in the shop's currency, when the buyer paid in another one.
    pub shop_amount_minor: Option<i64>,
    pub method: String,
    /// requested (to be paid by the shop), processing (with the payment service), succeeded
    /// (paid) or failed.
    pub status: String,
    /// manual or http.
    pub provider: String,
    /// The payment's reference, once paid.
    pub reference: Option<String>,
    /// Why the payment failed.
    pub failure: Option<String>,
    pub settled_at: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub lines: Vec<RefundLineView>,
}

impl RefundView {
    pub fn new(shop: &Shop, refund: RefundRecord) -> RefundView {
        let currency = crate::domain::Currency::parse(&refund.currency).unwrap_or(shop.currency);
        RefundView {
            amount: crate::domain::Money::new(refund.amount_minor, currency).to_string(),
            id: refund.id,
            case_id: refund.case_id,
            idempotency_key: super::idempotency::RequestKey::client_part(&refund.idempotency_key)
                .to_string(),
            amount_minor: refund.amount_minor,
            shipping_minor: refund.shipping_minor,
            shop_amount_minor: refund.shop_amount_minor,
            provider: refund.provider,
            reference: refund.reference,
            failure: refund.failure,
            settled_at: refund.settled_at.map(|at| time(shop, at)),
            currency: refund.currency,
            method: refund.method,
            status: refund.status,
            note: refund.note,
            created_at: time(shop, refund.created_at),
            lines: refund
                .lines
                .into_iter()
                .map(|line| RefundLineView {
                    order_line_id: line.order_line_id,
                    amount_minor: line.amount_minor,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderLineView {
    pub id: String,
    pub line_number: i64,
    pub sku: String,
    pub product_name: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price_minor: i64,
    /// The discount allocated to the line.
    pub discount_minor: i64,
    /// The line's tax (in the price when the order's `tax_mode` is inclusive, on top when
    /// exclusive).
    pub tax_minor: i64,
    /// What the buyer paid for the whole line.
    pub paid_minor: i64,
    /// The same in the shop's currency, when the buyer paid in another one.
    pub shop_paid_minor: Option<i64>,
    /// Refunded so far, by cases and on the platform.
    pub refunded_minor: i64,
    pub serial_number: Option<String>,
    /// What one unit cost the shop (its cost price), if known.
    pub cost_minor: Option<i64>,
}

impl From<OrderLineRecord> for OrderLineView {
    fn from(line: OrderLineRecord) -> Self {
        OrderLineView {
            id: line.id,
            line_number: line.line_number,
            sku: line.sku,
            product_name: line.product_name,
            category: line.category,
            quantity: line.quantity,
            unit_price_minor: line.unit_price_minor,
            discount_minor: line.discount_minor,
            tax_minor: line.tax_minor,
            paid_minor: line.paid_minor,
            shop_paid_minor: line.shop_paid_minor,
            refunded_minor: line.refunded_minor,
            serial_number: line.serial_number,
            cost_minor: line.cost_minor,
        }
    }
}

/// A refund made on the platform itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformRefundView {
    /// The platform's id of the refund.
    pub external_id: String,
    pub amount_minor: i64,
    pub shipping_minor: i64,
    pub currency: String,
    pub note: Option<String>,
    pub refunded_at: String,
}

impl PlatformRefundView {
    pub fn new(shop: &Shop, refund: crate::db::platform_refunds::PlatformRefundRecord) -> Self {
        PlatformRefundView {
            external_id: refund.external_id,
            amount_minor: refund.amount_minor,
            shipping_minor: refund.shipping_minor,
            currency: refund.currency,
            note: refund.note,
            refunded_at: time(shop, refund.refunded_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentView {
    pub id: String,
    pub case_id: Option<String>,
    /// to_customer or to_shop.
    pub direction: String,
    /// The carrier as typed (by the customer or the shop).
    pub carrier: String,
    /// What the carrier's own tracking push calls it (e.g. `shunfeng`), once one came.
    pub carrier_code: Option<String>,
    pub tracking_number: String,
    pub status: String,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    /// When the newest scan applied happened (older scans arriving late are on the case's
    /// timeline as `tracking_late` and change nothing).
    pub scanned_at: Option<String>,
    /// The newest scan, in the carrier's words.
    pub last_scan: Option<String>,
    /// To the customer: the window it should arrive in (from the shop's delivery history per
    /// carrier and province, or the carrier's estimate), and what that rests on:
    /// carrier_province, carrier, shop or carrier_estimate.
    pub expected_from: Option<String>,
    pub expected_to: Option<String>,
    pub expected_basis: Option<String>,
}

impl ShipmentView {
    pub fn new(shop: &Shop, shipment: ShipmentRecord) -> ShipmentView {
        ShipmentView {
            id: shipment.id,
            case_id: shipment.case_id,
            direction: shipment.direction,
            carrier: shipment.carrier,
            carrier_code: shipment.carrier_code,
            tracking_number: shipment.tracking_number,
            status: shipment.status,
            shipped_at: shipment.shipped_at.map(|at| time(shop, at)),
            delivered_at: shipment.delivered_at.map(|at| time(shop, at)),
            scanned_at: shipment.scanned_at.map(|at| time(shop, at)),
            last_scan: shipment.last_scan,
            expected_from: shipment.expected_from.map(|at| time(shop, at)),
            expected_to: shipment.expected_to.map(|at| time(shop, at)),
            expected_basis: shipment.expected_basis,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    pub id: String,
    pub order_number: String,
    pub platform: String,
    pub customer_id: Option<String>,
    /// The currency the buyer paid in (ISO 4217); every amount of the order is in it.
    pub currency: String,
    /// What the buyer paid in all: the lines and the delivery.
    pub total_minor: i64,
    /// What the buyer paid for delivery, after its discounts, tax included.
    pub shipping_fee_minor: i64,
    /// inclusive (prices contain the tax) or exclusive (tax on top).
    pub tax_mode: String,
    /// The order's discounts in all.
    pub discount_minor: i64,
    /// The tax in all.
    pub tax_minor: i64,
    /// paid, pending or voided: an order never paid has nothing to refund.
    pub payment_status: String,
    /// The shop's currency and the total in it, when the buyer paid in another one.
    pub shop_currency: Option<String>,
    pub shop_total_minor: Option<i64>,
    /// Each discount, each payment, each delivery line.
    pub money: crate::domain::order::MoneyDetail,
    pub cancelled_at: Option<String>,
    /// Cancelled or wholly refunded before it went out: do not ship it.
    pub do_not_ship: bool,
    pub placed_at: String,
    pub paid_at: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    pub invoice_number: Option<String>,
    /// The buyer's phone as the platform masked it (138****5678), when that is all it gave.
    pub contact_masked: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<OrderLineView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipments: Option<Vec<ShipmentView>>,
    /// Refunds made on the platform itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_refunds: Option<Vec<PlatformRefundView>>,
}

impl OrderView {
    pub fn new(shop: &Shop, order: OrderRecord) -> OrderView {
        OrderView {
            id: order.id,
            order_number: order.order_number,
            platform: order.platform,
            customer_id: order.customer_id,
            currency: order.currency,
            total_minor: order.total_minor,
            shipping_fee_minor: order.shipping_fee_minor,
            tax_mode: order.tax_mode,
            discount_minor: order.discount_minor,
            tax_minor: order.tax_minor,
            payment_status: order.payment_status,
            shop_currency: order.shop_currency,
            shop_total_minor: order.shop_total_minor,
            money: order.money_detail,
            cancelled_at: order.cancelled_at.map(|at| time(shop, at)),
            do_not_ship: order.do_not_ship,
            placed_at: time(shop, order.placed_at),
            paid_at: order.paid_at.map(|at| time(shop, at)),
            shipped_at: order.shipped_at.map(|at| time(shop, at)),
            delivered_at: order.delivered_at.map(|at| time(shop, at)),
            invoice_number: order.invoice_number,
            contact_masked: order.contact_masked,
            lines: None,
            shipments: None,
            platform_refunds: None,
        }
    }
}

/// A page of a list; pass `next_cursor` as `cursor` to get the next one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page of `records` shown through `view`; a full page carries the cursor after its last
    /// record, whose (sort key, id) `position` gives.
    pub fn of<R>(
        records: Vec<R>,
        limit: i64,
        position: impl Fn(&R) -> (i64, &str),
        view: impl FnMut(R) -> T,
    ) -> Page<T> {
        let next_cursor = match records.last() {
            Some(last) if records.len() as i64 == limit => {
                let (key, id) = position(last);
                Some(encode_cursor(key, id))
            }
            _ => None,
        };
        Page {
            items: records.into_iter().map(view).collect(),
            next_cursor,
        }
    }
}

impl<T> Page<T> {
    /// A list that is one page by nature (a case's checklist: the steps the shop's SOP names).
    pub fn whole(items: Vec<T>) -> Page<T> {
        Page {
            items,
            next_cursor: None,
        }
    }

    /// A page of a list read whole (a case's events, messages, refunds; the shop's tokens):
    /// at most `limit` items after `cursor`. The cursor holds the position and id of the last
    /// item shown, so a list that only grows pages the same way every time.
    pub fn slice<R>(
        records: Vec<R>,
        limit: i64,
        cursor: Option<&str>,
        id: impl Fn(&R) -> &str,
        view: impl FnMut(R) -> T,
    ) -> Result<Page<T>, AppError> {
        let start = match after(cursor)? {
            None => 0,
            Some((index, last)) => {
                let index = usize::try_from(index).map_err(|_| invalid_cursor())?;
                if index > 0 && index <= records.len() && id(&records[index - 1]) == last {
                    index
                } else {
                    records
                        .iter()
                        .position(|record| id(record) == last)
                        .map(|position| position + 1)
                        .ok_or_else(invalid_cursor)?
                }
            }
        };
        let end = start
            .saturating_add(usize::try_from(limit).unwrap_or(50))
            .min(records.len());
        let next_cursor = (end < records.len() && end > 0)
            .then(|| encode_cursor(end as i64, id(&records[end - 1])));
        Ok(Page {
            items: records
                .into_iter()
                .skip(start)
                .take(end.saturating_sub(start))
                .map(view)
                .collect(),
            next_cursor,
        })
    }
}

/// A page of any list: how many items, and after which (`next_cursor` of the page before).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

fn invalid_cursor() -> AppError {
    AppError::BadRequest {
        code: "invalid_cursor",
        message: "cursor is not one this API returned".into(),
    }
}

/// The position a page starts after, from the `cursor` parameter (absent or empty: the start).
pub fn after(cursor: Option<&str>) -> Result<Option<(i64, String)>, AppError> {
    cursor
        .filter(|cursor| !cursor.is_empty())
        .map(decode_cursor)
        .transpose()
}

/// A keyset cursor: the sort key and id of the last item of a page, opaque to clients.
fn encode_cursor(key: i64, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{key}:{id}"))
}

fn decode_cursor(cursor: &str) -> Result<(i64, String), AppError> {
    let invalid = invalid_cursor;
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (key, id) = text.split_once(':').ok_or_else(invalid)?;
    Ok((key.parse().map_err(|_| invalid())?, id.to_string()))
}

/// The page size asked for: 1 to 200, 50 by default.
pub fn page_limit(limit: Option<i64>) -> Result<i64, AppError> {
    match limit {
        None => Ok(50),
        Some(limit) if (1..=200).contains(&limit) => Ok(limit),
        Some(limit) => Err(AppError::invalid(
            "limit",
            format!("limit {limit} must be between 1 and 200"),
        )),
    }
}

/// A customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub tier: String,
    pub tags: Vec<String>,
}

impl From<CustomerRecord> for CustomerView {
    fn from(customer: CustomerRecord) -> CustomerView {
        CustomerView {
            id: customer.id,
            name: customer.name,
            phone: customer.phone,
            email: customer.email,
            address: customer.address,
            tier: customer.tier,
            tags: customer.tags,
        }
    }
}

/// One of the shop's reasons for a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonView {
    pub code: String,
    pub category: String,
    pub name_zh: String,
    pub name_en: String,
    pub active: bool,
}

impl From<Reason> for ReasonView {
    fn from(reason: Reason) -> ReasonView {
        ReasonView {
            code: reason.code,
            category: reason.category,
            name_zh: reason.name_zh,
            name_en: reason.name_en,
            active: reason.active,
        }
    }
}

/// A follow-up task: a parcel to chase. Times in RFC 3339, in the shop's zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpView {
    pub id: String,
    /// parcel_stalled, parcel_late, return_not_arrived
    pub kind: String,
    pub order_id: String,
    pub order_number: String,
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    pub shipment_id: Option<String>,
    pub assignee_id: Option<String>,
    /// The parcel and what was seen of it.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub due_at: String,
    /// open, done
    pub status: String,
    pub created_at: String,
    pub done_at: Option<String>,
    pub note: Option<String>,
}

impl FollowUpView {
    pub fn new(shop: &Shop, task: FollowUp) -> FollowUpView {
        let mut detail = task.detail;
        crate::domain::time::localise_times(&mut detail, &shop.time_zone);
        FollowUpView {
            id: task.id,
            kind: task.kind,
            order_id: task.order_id,
            order_number: task.order_number,
            case_id: task.case_id,
            case_number: task.case_number,
            shipment_id: task.shipment_id,
            assignee_id: task.assignee_id,
            detail,
            due_at: time(shop, task.due_at),
            status: task.status,
            created_at: time(shop, task.created_at),
            done_at: task.done_at.map(|at| time(shop, at)),
            note: task.note,
        }
    }
}
