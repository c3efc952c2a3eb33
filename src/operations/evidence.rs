//! A dispute's evidence pack, ready to upload to the platform: one PDF in Chinese (English
//! beside it) with the dispute, the order, the case, its timeline, the conversation, the parcels
//! and their tracking, the inspection, the photos and the checklist of what the platform wants;
//! and a ZIP with that PDF, the original photos and videos, the return label and the timeline
//! and conversation as JSON.

use std::io::Write;

use serde_json::json;

use super::disputes::{self, Dispute};
use crate::db::cases::{self, CaseRecord};
use crate::db::shops::Actor;
use crate::db::{Database, attachments, checks, orders, shipments};
use crate::documents::evidence::{Line, Pack, Section, render};
use crate::documents::label::{LabelError, Size};
use crate::domain::Money;
use crate::domain::disputes::{Outcome, Stage};
use crate::domain::money::Currency;
use crate::domain::permissions::Capability;
use crate::domain::time::format_in_zone;
use crate::error::{AppError, AppResult};
use crate::i18n::Language;

/// The pack of one dispute: its PDF and its ZIP, and the name both go by.
pub struct Evidence {
    pub name: String,
    pub pdf: Vec<u8>,
    pub zip: Vec<u8>,
}

fn both(key: &str, fallback: &str) -> String {
    let chinese = Language::Chinese.text_or(key, fallback);
    let english = Language::English.text_or(key, fallback);
    if chinese == english {
        chinese
    } else {
        format!("{chinese} {english}")
    }
}

fn amount(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(currency) => format!(
            "{} {}",
            Money::new(minor, currency).decimal(),
            currency.as_str()
        ),
        Err(_) => format!("{minor} ({currency})"),
    }
}

/// Builds the pack. `label_link` is where the portal is reached (for the return label's QR
/// code); without it the label is left out of the ZIP.
pub async fn pack(
    database: &Database,
    actor: &Actor,
    dispute_id: &str,
    label_link: Option<&str>,
    font: Option<&str>,
) -> AppResult<Evidence> {
    AppError::require(actor.role, Capability::HandleDisputes)?;
    let (dispute, case) = disputes::find(database, actor, dispute_id).await?;
    let zone = &actor.shop.time_zone;
    let time = |micros: i64| format_in_zone(micros, zone).replace('T', " ");
    let order = orders::get(&database.reader, &actor.shop.id, &case.order_id)
        .await?
        .ok_or(AppError::NotFound("order"))?;
    let order_lines = orders::lines(&database.reader, &order.id).await?;
    let case_lines = cases::lines(&database.reader, &case.id).await?;
    let events = cases::events(&database.reader, &case.id).await?;
    let messages = cases::messages(&database.reader, &case.id, false).await?;
    let files = attachments::for_case(&database.reader, &case.id).await?;
    let parcels = shipments::for_order(&database.reader, &order.id).await?;
    let steps = checks::of_case(&database.reader, &case.id).await?;
    let mut offers = crate::db::offers::for_case(&database.reader, &case.id).await?;
    offers.reverse();
    let mut originals = Vec::new();
    for file in &files {
        if let Some((_, bytes)) = attachments::content(&database.reader, &case.id, &file.id).await?
        {
            originals.push((file.clone(), bytes));
        }
    }

    let record = &dispute.record;
    let stage = Stage::parse(&record.stage).map(Stage::label);
    let mut heading = vec![
        format!(
            "平台 Platform: {} · 介入单号 Dispute: {} · 发起 Opened: {}",
            record.platform,
            record.external_id.as_deref().unwrap_or("—"),
            time(record.opened_at)
        ),
        format!("原因 Reason: {}", record.reason),
        format!(
            "状态 Stage: {}",
            stage
                .map(|(zh, en)| format!("{zh} {en}"))
                .unwrap_or(record.stage.clone())
        ),
    ];
    if let Some(due_at) = record.due_at {
        heading.push(format!(
            "商家处理时限 Shop's deadline: {}（{}）",
            time(due_at),
            record.due_rule.as_deref().unwrap_or("")
        ));
    }
    if let Some(outcome) = record.outcome.as_deref().and_then(Outcome::parse) {
        let (zh, en) = outcome.label();
        heading.push(format!("判定 Ruling: {zh} {en}"));
    }
    heading.push(format!(
        "售后单 Case: {} · 订单 Order: {} · 生成于 Made: {}",
        case.number,
        order.order_number,
        time(database.clock.now())
    ));

    let mut sections = Vec::new();
    let mut order_section = vec![
        Line::Text(format!(
            "订单号 Order {} · 平台 {} · 下单 Placed {} · 付款 Paid {}",
            order.order_number,
            order.platform,
            time(order.placed_at),
            order.paid_at.map(time).unwrap_or_else(|| "—".into())
        )),
        Line::Text(format!(
            "实付 Paid total {} · 运费 Shipping {} · 优惠 Discount {}",
            amount(order.total_minor, &order.currency),
            amount(order.shipping_fee_minor, &order.currency),
            amount(order.discount_minor, &order.currency)
        )),
    ];
    for line in &order_lines {
        order_section.push(Line::Small(format!(
            "#{} {} {} × {} · 实付 paid {}",
            line.line_number,
            line.sku,
            line.product_name,
            line.quantity,
            amount(line.paid_minor, &order.currency)
        )));
    }
    sections.push(Section {
        title: "一、订单 Order".into(),
        lines: order_section,
    });

    let mut case_section = vec![
        Line::Text(format!(
            "售后单号 Case {} · 类型 Kind {} {} · 原因 Reason {}",
            case.number,
            case.kind.label_zh(),
            case.kind.as_str(),
            case.reason_code
        )),
        Line::Text(format!("买家描述 The buyer's words: {}", case.description)),
        Line::Text(format!(
            "申请时间 Asked {} · 当前状态 Status {}",
            time(case.created_at),
            both(
                &format!("status-{}", case.status.as_str()),
                case.status.as_str()
            )
        )),
    ];
    for line in &case_lines {
        case_section.push(Line::Small(format!(
            "{} × {} · 已退 refunded {}",
            line.product_name,
            line.quantity,
            amount(line.case_refunded_minor, &case.currency)
        )));
    }
    sections.push(Section {
        title: "二、售后申请 The request".into(),
        lines: case_section,
    });

    let mut timeline = Vec::new();
    for event in &events {
        let words = both(&format!("event-{}", event.action), &event.action);
        let mut text = format!("{} · {} · {}", time(event.at), event.actor_role, words);
        if let (Some(from), Some(to)) = (&event.from_status, &event.to_status) {
            text.push_str(&format!(" ({from} → {to})"));
        }
        timeline.push(Line::Text(text));
        for field in ["reason", "note", "disposition", "outcome"] {
            if let Some(value) = event.data.get(field).and_then(|value| value.as_str()) {
                timeline.push(Line::Small(format!("{field}: {value}")));
            }
        }
        if let Some(shipment) = event.data.get("shipment") {
            timeline.push(Line::Small(format!(
                "快递 carrier {} · 单号 tracking {}",
                shipment["carrier"].as_str().unwrap_or(""),
                shipment["tracking_number"].as_str().unwrap_or("")
            )));
        }
    }
    sections.push(Section {
        title: "三、处理记录 Timeline".into(),
        lines: timeline,
    });

    let conversation = if messages.is_empty() {
        vec![Line::Text("（无 none）".into())]
    } else {
        messages
            .iter()
            .map(|message| {
                let who = if message.author_role == "customer" {
                    "买家 Buyer"
                } else {
                    "商家 Shop"
                };
                Line::Text(format!(
                    "{} · {who}: {}",
                    time(message.created_at),
                    message.body
                ))
            })
            .collect()
    };
    sections.push(Section {
        title: "四、沟通记录 Conversation".into(),
        lines: conversation,
    });

    let negotiation = if offers.is_empty() {
        vec![Line::Text("（无 none）".into())]
    } else {
        offers
            .iter()
            .map(|offer| {
                Line::Text(format!(
                    "{} · {} {} · {} · {}{}",
                    time(offer.created_at),
                    both(&format!("offer-kind-{}", offer.kind), &offer.kind),
                    if offer.amount_minor > 0 {
                        amount(offer.amount_minor, &offer.currency)
                    } else {
                        String::new()
                    },
                    offer.detail.as_deref().unwrap_or(""),
                    both(&format!("offer-state-{}", offer.state), &offer.state),
                    offer
                        .answered_at
                        .map(|at| format!(" ({})", time(at)))
                        .unwrap_or_default()
                ))
            })
            .collect()
    };
    sections.push(Section {
        title: "五、协商记录 Negotiation".into(),
        lines: negotiation,
    });

    let mut tracking = Vec::new();
    for parcel in &parcels {
        let direction = if parcel.direction == "to_shop" {
            "退回商家 back to the shop"
        } else {
            "发给买家 to the buyer"
        };
        tracking.push(Line::Text(format!(
            "{direction} · {} {} · 状态 {} · 发出 shipped {} · 签收 delivered {}",
            parcel.carrier,
            parcel.tracking_number,
            parcel.status,
            parcel.shipped_at.map(time).unwrap_or_else(|| "—".into()),
            parcel.delivered_at.map(time).unwrap_or_else(|| "—".into())
        )));
        if let Some(scan) = &parcel.last_scan {
            tracking.push(Line::Small(format!(
                "最新轨迹 last scan {}: {scan}",
                parcel.scanned_at.map(time).unwrap_or_default()
            )));
        }
    }
    for event in events.iter().filter(|event| event.action == "tracking") {
        tracking.push(Line::Small(format!(
            "{} · {}",
            time(event.at),
            event
                .data
                .get("description")
                .and_then(|value| value.as_str())
                .unwrap_or(&event.data.to_string())
        )));
    }
    if tracking.is_empty() {
        tracking.push(Line::Text("（无包裹 no parcels）".into()));
    }
    sections.push(Section {
        title: "六、物流 Parcels and tracking".into(),
        lines: tracking,
    });

    let mut inspection: Vec<Line> = events
        .iter()
        .filter(|event| {
            matches!(
                event.action.as_str(),
                "receive" | "inspect_pass" | "inspect_fail"
            )
        })
        .map(|event| {
            Line::Text(format!(
                "{} · {} {}",
                time(event.at),
                both(&format!("event-{}", event.action), &event.action),
                event
                    .data
                    .get("reason")
                    .or(event.data.get("disposition"))
                    .and_then(|value| value.as_str())
                    .unwrap_or("")
            ))
        })
        .collect();
    for step in &steps {
        inspection.push(Line::Small(format!(
            "SOP ✔ {} · {}",
            step.step_code,
            time(step.done_at)
        )));
    }
    if inspection.is_empty() {
        inspection.push(Line::Text("（未验货 not inspected）".into()));
    }
    sections.push(Section {
        title: "七、验货 Inspection".into(),
        lines: inspection,
    });

    let mut photos = Vec::new();
    for (index, (file, bytes)) in originals.iter().enumerate() {
        let caption = format!(
            "图 {} Photo {}: {} · {} · {}",
            index + 1,
            index + 1,
            file.file_name,
            if file.author_role == "customer" {
                "买家上传 from the buyer"
            } else {
                "商家上传 from the shop"
            },
            time(file.created_at)
        );
        if file.kind == "photo" {
            photos.push(Line::Photo {
                bytes: bytes.clone(),
                caption,
            });
        } else {
            photos.push(Line::Text(format!(
                "{caption}（视频见压缩包 video: see the ZIP）"
            )));
        }
    }
    if photos.is_empty() {
        photos.push(Line::Text("（无 none）".into()));
    }
    sections.push(Section {
        title: "八、照片与视频 Photos and videos".into(),
        lines: photos,
    });

    sections.push(Section {
        title: "九、材料清单 What the platform asks for".into(),
        lines: dispute
            .checklist
            .iter()
            .map(|item| {
                Line::Text(format!(
                    "[{}] {} {}",
                    if item.present {
                        "有 yes"
                    } else {
                        "缺 missing"
                    },
                    item.zh,
                    item.en
                ))
            })
            .collect(),
    });

    let document = Pack {
        title: format!("{} · 平台介入举证材料 Dispute evidence", actor.shop.name),
        heading,
        sections,
    };
    let pdf = render(&document, font).map_err(document_error)?;
    let label = match (case.kind.ships_back(), label_link) {
        (true, Some(link)) => {
            Some(super::labels::render(database, &actor.shop, &case, Size::A4, link, font).await?)
        }
        _ => None,
    };
    let zip = archive(
        &dispute,
        &case,
        &pdf,
        label.as_deref(),
        &originals,
        &events,
        &messages,
        &negotiation_csv(&offers, zone),
        zone,
    )
    .map_err(|error| {
        AppError::Internal(anyhow::anyhow!("the ZIP could not be written: {error}"))
    })?;
    Ok(Evidence {
        name: format!("evidence-{}", case.number),
        pdf,
        zip,
    })
}

/// The offers made on the case, oldest first, as CSV (UTF-8 with a BOM, so spreadsheets read
/// the Chinese): when, kind, amount, currency, detail, note, answer, answered.
fn negotiation_csv(offers: &[crate::db::offers::OfferRecord], zone: &jiff::tz::TimeZone) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "made_at",
        "kind",
        "amount_minor",
        "currency",
        "detail",
        "note",
        "state",
        "answered_at",
    ]);
    for offer in offers {
        let _ = writer.write_record([
            format_in_zone(offer.created_at, zone),
            offer.kind.clone(),
            offer.amount_minor.to_string(),
            offer.currency.clone(),
            offer.detail.clone().unwrap_or_default(),
            offer.note.clone().unwrap_or_default(),
            offer.state.clone(),
            offer
                .answered_at
                .map(|at| format_in_zone(at, zone))
                .unwrap_or_default(),
        ]);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

fn document_error(error: LabelError) -> AppError {
    match error {
        LabelError::NoFont => AppError::NotConfigured(error.to_string()),
        other => AppError::Internal(anyhow::anyhow!(other.to_string())),
    }
}

/// The ZIP: the PDF, the originals under `photos/`, the label, the timeline and conversation.
#[allow(clippy::too_many_arguments)]
fn archive(
    dispute: &Dispute,
    case: &CaseRecord,
    pdf: &[u8],
    label: Option<&[u8]>,
    originals: &[(attachments::AttachmentRecord, Vec<u8>)],
    events: &[cases::EventRecord],
    messages: &[cases::MessageRecord],
    negotiation: &str,
    zone: &jiff::tz::TimeZone,
) -> zip::result::ZipResult<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file(format!("evidence-{}.pdf", case.number), deflated)?;
    writer.write_all(pdf)?;
    if let Some(label) = label {
        writer.start_file(format!("label-{}.pdf", case.number), deflated)?;
        writer.write_all(label)?;
    }
    for (index, (file, bytes)) in originals.iter().enumerate() {
        let name: String = file
            .file_name
            .chars()
            .map(|character| {
                if matches!(character, '/' | '\\' | ':') {
                    '_'
                } else {
                    character
                }
            })
            .collect();
        writer.start_file(format!("photos/{:02}-{name}", index + 1), stored)?;
        writer.write_all(bytes)?;
    }
    let timeline: Vec<serde_json::Value> = events
        .iter()
        .map(|event| {
            json!({
                "at": format_in_zone(event.at, zone), "actor_role": event.actor_role,
                "action": event.action, "from_status": event.from_status,
                "to_status": event.to_status, "data": event.data,
            })
        })
        .collect();
    writer.start_file("timeline.json", deflated)?;
    writer.write_all(
        serde_json::to_string_pretty(&timeline)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    let conversation: Vec<serde_json::Value> = messages
        .iter()
        .map(|message| {
            json!({
                "at": format_in_zone(message.created_at, zone),
                "author_role": message.author_role, "body": message.body,
            })
        })
        .collect();
    writer.start_file("messages.json", deflated)?;
    writer.write_all(
        serde_json::to_string_pretty(&conversation)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    let checklist: Vec<serde_json::Value> = dispute
        .checklist
        .iter()
        .map(|item| json!({ "code": item.code, "zh": item.zh, "en": item.en, "present": item.present }))
        .collect();
    writer.start_file("negotiation.csv", deflated)?;
    writer.write_all(negotiation.as_bytes())?;
    writer.start_file("checklist.json", deflated)?;
    writer.write_all(
        serde_json::to_string_pretty(&checklist)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    Ok(writer.finish()?.into_inner())
}
