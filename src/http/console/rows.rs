//! Rows that several console pages show, each put in words once; their tables are shared
//! template parts (`templates/console/parts/`).

use jiff::tz::TimeZone;

use super::text::money;
use crate::db::cases::CaseRecord;
use crate::db::orders::{OrderLineRecord, OrderRecord};
use crate::db::shipments::ShipmentRecord;
use crate::domain::Currency;
use crate::http::pages::minutes;
use crate::i18n::Language;

/// A code and its name, for a select's options.
pub struct Choice {
    pub code: String,
    pub name: String,
}

impl Choice {
    /// Codes named by the texts `{prefix}-{code}`.
    pub fn named(language: Language, prefix: &str, codes: &[&str]) -> Vec<Choice> {
        codes
            .iter()
            .map(|code| Choice {
                code: code.to_string(),
                name: language.text(&format!("{prefix}-{code}")),
            })
            .collect()
    }
}

/// A case in a list (`parts/cases.html`).
pub struct CaseRow {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub status: String,
    pub order_number: String,
    pub customer: String,
    pub created: String,
    pub updated: String,
}

impl CaseRow {
    pub fn new(language: Language, zone: &TimeZone, case: CaseRecord) -> CaseRow {
        CaseRow {
            kind: language.text(&format!("kind-{}", case.kind)),
            status: language.text(&format!("staff-status-{}", case.status)),
            created: minutes(case.created_at, zone),
            updated: minutes(case.updated_at, zone),
            customer: case.customer_name.or(case.contact_name).unwrap_or_default(),
            id: case.id,
            number: case.number,
            order_number: case.order_number,
        }
    }
}

/// An order in a list (`parts/orders.html`).
pub struct OrderRow {
    pub id: String,
    pub number: String,
    pub platform: String,
    pub placed: String,
    pub total: String,
}

impl OrderRow {
    pub fn new(
        language: Language,
        zone: &TimeZone,
        currency: Currency,
        order: OrderRecord,
    ) -> OrderRow {
        OrderRow {
            platform: language.text_or(&format!("platform-{}", order.platform), &order.platform),
            placed: minutes(order.placed_at, zone),
            total: money(order.total_minor, currency),
            id: order.id,
            number: order.order_number,
        }
    }
}

/// A line of an order.
pub struct OrderLineRow {
    pub line_number: i64,
    pub product: String,
    pub sku: String,
    pub quantity: i64,
    pub paid: String,
    pub refunded: String,
}

impl OrderLineRow {
    pub fn new(currency: Currency, line: OrderLineRecord) -> OrderLineRow {
        OrderLineRow {
            line_number: line.line_number,
            paid: money(line.paid_minor, currency),
            refunded: money(line.refunded_minor, currency),
            product: line.product_name,
            sku: line.sku,
            quantity: line.quantity,
        }
    }
}

/// A parcel (`parts/shipments.html`).
/// A platform's after-sales record on a case page: what it is, where it stands, and what the
/// shop must do on the platform by when.
pub struct PlatformRecordRow {
    pub platform: String,
    pub refund_id: String,
    pub stage: String,
    pub status: String,
    pub todo: String,
    pub due: String,
}

impl PlatformRecordRow {
    pub fn new(
        language: Language,
        zone: &TimeZone,
        record: crate::db::aftersales::AftersaleRecord,
    ) -> PlatformRecordRow {
        let todo = crate::domain::aftersales::Stage::parse(&record.stage)
            .and_then(crate::domain::aftersales::Stage::todo)
            .map(|(_, chinese, english)| match language {
                Language::Chinese => chinese.to_string(),
                Language::English => english.to_string(),
            })
            .unwrap_or_default();
        PlatformRecordRow {
            platform: language.text_or(&format!("platform-{}", record.platform), &record.platform),
            refund_id: record.external_id,
            stage: language.text_or(&format!("aftersale-stage-{}", record.stage), &record.stage),
            status: record.platform_status,
            todo,
            due: record
                .deadline_at
                .map(|at| minutes(at, zone))
                .unwrap_or_default(),
        }
    }
}

pub struct ShipmentRow {
    pub direction: String,
    pub carrier: String,
    pub tracking_number: String,
    pub state: String,
    pub shipped: String,
    /// When it should arrive, while it is on its way, and what that rests on.
    pub expected: String,
}

impl ShipmentRow {
    pub fn new(language: Language, zone: &TimeZone, shipment: ShipmentRecord) -> ShipmentRow {
        ShipmentRow {
            expected: match (
                shipment.delivered_at,
                shipment.expected_from,
                shipment.expected_to,
            ) {
                (None, Some(from), Some(to)) => format!(
                    "{} {}",
                    language.text_with(
                        "mail-expected",
                        "date",
                        &crate::operations::arrival::window_text(from, to, zone, language),
                    ),
                    crate::operations::arrival::basis_text(
                        shipment.expected_basis.as_deref(),
                        language
                    )
                ),
                _ => String::new(),
            },
            direction: language.text_or(
                &format!("direction-{}", shipment.direction),
                &shipment.direction,
            ),
            state: language.text_or(&format!("shipment-{}", shipment.status), &shipment.status),
            shipped: shipment
                .shipped_at
                .map(|at| minutes(at, zone))
                .unwrap_or_default(),
            carrier: shipment.carrier,
            tracking_number: shipment.tracking_number,
        }
    }
}
