//! What each outbox row becomes: a signed webhook body per subscribed endpoint, the customer's
//! e-mail and text message at the moments they hear of, staff e-mail for parcels to chase and
//! SLA breaches.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::Channels;
use super::mail::Mail;
use crate::db::Database;
use crate::db::cases::{self, CaseRecord};
use crate::db::deliveries::{self, OutboxRow};
use crate::db::shops::{self, Shop};
use crate::db::staff_sessions;
use crate::domain::Money;
use crate::domain::identifiers::ShopId;
use crate::domain::notifications::customer_moment;
use crate::domain::permissions::{Capability, allows};
use crate::i18n::Language;

fn case_view(shop: &Shop, case: &CaseRecord) -> Value {
    json!({
        "id": case.id,
        "number": case.number,
        "kind": case.kind,
        "status": case.status,
        "priority": case.priority,
        "order_number": case.order_number,
        "customer_name": case.customer_name,
        "currency": case.currency,
        "updated_at": crate::domain::time::format_in_zone(case.updated_at, &shop.time_zone),
    })
}

/// Shops and their endpoints, read once per batch.
#[derive(Default)]
pub(super) struct Known {
    shops: HashMap<ShopId, Option<Shop>>,
    endpoints: HashMap<ShopId, Vec<deliveries::Endpoint>>,
}

/// The deliveries one outbox row makes: (channel, target, body). A row nobody is to hear of
/// (no endpoint wants its topic, no e-mail) costs no further reads.
pub(super) async fn plan(
    database: &Database,
    channels: &Channels,
    row: &OutboxRow,
    known: &mut Known,
) -> anyhow::Result<Vec<(&'static str, String, String)>> {
    if !known.endpoints.contains_key(&row.shop_id) {
        let endpoints = deliveries::endpoints(&database.reader, &row.shop_id).await?;
        known.endpoints.insert(row.shop_id.clone(), endpoints);
    }
    let wanted: Vec<String> = known.endpoints[&row.shop_id]
        .iter()
        .filter(|endpoint| row.audience == "event" && endpoint.wants(&row.topic))
        .map(|endpoint| endpoint.id.clone())
        .collect();
    let mails_customer = row.audience == "event"
        && customer_moment(
            row.payload["action"].as_str().unwrap_or_default(),
            row.payload["actor_role"].as_str().unwrap_or_default(),
            row.payload["data"]["status"].as_str(),
        )
        .is_some();
    let to_customer = mails_customer || matches!(row.audience.as_str(), "survey" | "shipment");
    let mails = (channels.sends_email() && (to_customer || row.audience != "event"))
        || (channels.sends_sms() && to_customer);
    if wanted.is_empty() && !mails {
        return Ok(Vec::new());
    }
    if !known.shops.contains_key(&row.shop_id) {
        let shop = shops::find_shop_by_id(&database.reader, &row.shop_id).await?;
        known.shops.insert(row.shop_id.clone(), shop);
    }
    let Some(shop) = known.shops[&row.shop_id].clone() else {
        return Ok(Vec::new());
    };
    let case = match &row.case_id {
        Some(id) => cases::get(&database.reader, &shop.id, id).await?,
        None => None,
    };
    let mut planned: Vec<(&'static str, String, String)> = Vec::new();
    if row.audience == "event" {
        let mut data = row.payload["data"].clone();
        crate::domain::time::localise_times(&mut data, &shop.time_zone);
        let body = json!({
            "id": row.id,
            "type": row.topic,
            "created_at": crate::domain::time::format_in_zone(row.created_at, &shop.time_zone),
            "shop": { "id": shop.id, "slug": shop.slug, "name": shop.name },
            "data": {
                "case": case.as_ref().map(|case| case_view(&shop, case)),
                "event": {
                    "action": row.payload["action"],
                    "from_status": row.payload["from_status"],
                    "to_status": row.payload["to_status"],
                    "actor_role": row.payload["actor_role"],
                    "data": data,
                }
            }
        })
        .to_string();
        for endpoint in wanted {
            planned.push(("webhook", endpoint, body.clone()));
        }
        // The customer's message is composed once, for e-mail and text message alike.
        if let Some(case) = &case
            && let Some(moment) = customer_moment(
                row.payload["action"].as_str().unwrap_or_default(),
                row.payload["actor_role"].as_str().unwrap_or_default(),
                row.payload["data"]["status"].as_str(),
            )
        {
            let address = match channels.sends_email() {
                true => customer_address(database, &shop, case).await?,
                false => None,
            };
            let phone = case
                .contact_phone
                .clone()
                .filter(|_| channels.sends_sms() && moment != "message");
            if address.is_some() || phone.is_some() {
                let mail =
                    customer_mail(database, channels, &shop, case, moment, &row.payload).await?;
                // The subject line and the signed link: a text message's worth.
                let text = format!("{} {}", mail.subject, mail.link);
                if let Some(address) = address {
                    planned.push(("email", address.clone(), mail.to_delivery(&address)));
                }
                if let Some(phone) = phone {
                    planned.push((
                        "sms",
                        phone.clone(),
                        json!({ "to": phone, "text": text }).to_string(),
                    ));
                }
            }
        }
    } else if row.audience == "staff" && channels.sends_email() {
        // A parcel to follow up: to the case's assignee, or else to the supervisors.
        let language = shop_language(&shop);
        let parcel = &row.payload["parcel"];
        let number = match &case {
            Some(case) => case.number.clone(),
            None => crate::db::orders::get(
                &database.reader,
                &shop.id,
                row.payload["order_id"].as_str().unwrap_or_default(),
            )
            .await?
            .map(|order| order.order_number)
            .unwrap_or_default(),
        };
        let days = parcel["days"].to_string();
        let values = [
            ("shop", shop.name.as_str()),
            ("number", number.as_str()),
            ("carrier", parcel["carrier"].as_str().unwrap_or_default()),
            (
                "tracking",
                parcel["tracking_number"].as_str().unwrap_or_default(),
            ),
            ("days", days.as_str()),
            ("text", row.payload["text"].as_str().unwrap_or_default()),
        ];
        let kind = row.topic.as_str();
        let link = format!("{}/console/follow-ups", channels.public_url);
        let addresses = match row.payload["assignee_id"].as_str() {
            Some(staff_id) => shops::staff_email(&database.reader, staff_id)
                .await?
                .into_iter()
                .collect(),
            None => supervisor_addresses(database, &shop).await?,
        };
        for address in addresses {
            let mail = Mail::new(
                language,
                &shop,
                language.text_args(&format!("mail-{kind}-subject"), &values),
                vec![language.text_args(&format!("mail-{kind}-body"), &values)],
                link.clone(),
                None,
            );
            planned.push(("email", address.clone(), mail.to_delivery(&address)));
        }
    } else if row.audience == "report" && channels.sends_email() {
        planned.extend(report_mails(database, channels, &shop, &row.payload).await?);
    } else if row.audience == "shipment" {
        planned.extend(shipping_notice(database, channels, &shop, &row.payload).await?);
    } else if row.audience == "survey"
        && let Some(case) = &case
    {
        planned.extend(survey_messages(database, channels, &shop, case, &row.payload).await?);
    } else if row.audience == "supervisor"
        && channels.sends_email()
        && let Some(case) = &case
    {
        let language = shop_language(&shop);
        // A case flagged at its opening (danger, threats) or one that missed its SLA.
        let separator = if language == Language::English {
            ", "
        } else {
            "、"
        };
        let flags = strings(&row.payload["flags"])
            .iter()
            .map(|flag| language.text(&format!("triage-flag-{flag}")))
            .collect::<Vec<_>>()
            .join(separator);
        let cues = strings(&row.payload["cues"]).join(separator);
        let values = [
            ("shop", shop.name.as_str()),
            ("number", case.number.as_str()),
            ("text", flags.as_str()),
            ("detail", cues.as_str()),
        ];
        let key = match row.topic.as_str() {
            "case_flagged" => "mail-flagged",
            _ => "mail-sla",
        };
        let mut paragraphs = vec![language.text_args(&format!("{key}-body"), &values)];
        if key == "mail-flagged" {
            // The customer's own words: the message that raised the flag, else the description.
            paragraphs.push(
                row.payload["message"]
                    .as_str()
                    .map_or_else(|| case.description.clone(), str::to_string),
            );
        }
        let link = format!("{}/console/cases/{}", channels.public_url, case.id);
        for address in supervisor_addresses(database, &shop).await? {
            let mail = Mail::new(
                language,
                &shop,
                language.text_args(&format!("{key}-subject"), &values),
                paragraphs.clone(),
                link.clone(),
                None,
            );
            planned.push(("email", address.clone(), mail.to_delivery(&address)));
        }
    }
    Ok(planned)
}

fn shop_language(shop: &Shop) -> Language {
    Language::parse(&shop.locale).unwrap_or(Language::Chinese)
}

async fn customer_address(
    database: &Database,
    shop: &Shop,
    case: &CaseRecord,
) -> anyhow::Result<Option<String>> {
    if let Some(email) = case
        .contact_email
        .clone()
        .filter(|email| email.contains('@'))
    {
        return Ok(Some(email));
    }
    Ok(match &case.customer_id {
        Some(id) => crate::db::customers::get(&database.reader, &shop.id, id)
            .await?
            .and_then(|customer| customer.email)
            .filter(|email| email.contains('@')),
        None => None,
    })
}

/// The texts of a JSON array (none when it is not one).
fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A scheduled report, as composed when it was due: to its recipients, or else to the shop's
/// supervisors, with the agents' table attached.
async fn report_mails(
    database: &Database,
    channels: &Channels,
    shop: &Shop,
    payload: &Value,
) -> anyhow::Result<Vec<(&'static str, String, String)>> {
    let named = strings(&payload["recipients"]);
    let addresses = match named.is_empty() {
        true => supervisor_addresses(database, shop).await?,
        false => named,
    };
    let paragraphs = strings(&payload["paragraphs"]);
    let mail = Mail::new(
        shop_language(shop),
        shop,
        payload["subject"].as_str().unwrap_or_default().to_string(),
        paragraphs,
        format!(
            "{}{}",
            channels.public_url,
            payload["link"].as_str().unwrap_or("/console/dashboard")
        ),
        None,
    );
    Ok(addresses
        .into_iter()
        .map(|address| {
            let mut body = mail.as_json(&address);
            body["attachment"] = payload["attachment"].clone();
            ("email", address, body.to_string())
        })
        .collect())
}

async fn supervisor_addresses(database: &Database, shop: &Shop) -> anyhow::Result<Vec<String>> {
    let mut addresses = Vec::new();
    for (id, _, role) in staff_sessions::staff_of(&database.reader, &shop.id).await? {
        if allows(role, Capability::HearOfEscalations)
            && let Some(email) = shops::staff_email(&database.reader, &id).await?
        {
            addresses.push(email);
        }
    }
    Ok(addresses)
}

/// A satisfaction survey's invitation, by e-mail and text message: the signed link to its page,
/// valid until the survey's last day. None when it was answered or closed before it went out.
async fn survey_messages(
    database: &Database,
    channels: &Channels,
    shop: &Shop,
    case: &CaseRecord,
    payload: &Value,
) -> anyhow::Result<Vec<(&'static str, String, String)>> {
    let id = payload["survey_id"].as_str().unwrap_or_default();
    let Some(survey) = crate::db::surveys::get(&database.reader, &shop.id, id).await? else {
        return Ok(Vec::new());
    };
    if survey.state != "sent" {
        return Ok(Vec::new());
    }
    let language = shop_language(shop);
    let link = crate::operations::portal_tokens::survey_link(
        database,
        shop,
        &survey.id,
        survey.expires_at,
        &channels.public_url,
    )
    .await
    .map_err(|error| anyhow::anyhow!("{error}"))?;
    let last_day =
        crate::domain::time::local_date(survey.expires_at - 1, &shop.time_zone).to_string();
    let values = [
        ("shop", shop.name.as_str()),
        ("number", case.number.as_str()),
        ("date", last_day.as_str()),
    ];
    let body = match survey.reason.as_str() {
        "milestone" => "mail-survey-milestone-body",
        _ => "mail-survey-body",
    };
    let name = case
        .contact_name
        .clone()
        .or(case.customer_name.clone())
        .unwrap_or_default();
    let mut mail = Mail::new(
        language,
        shop,
        language.text_args("mail-survey-subject", &values),
        vec![language.text_args(body, &values)],
        link,
        Some(&name),
    );
    mail.link_text = language.text("mail-survey-link");
    let mut planned = Vec::new();
    if channels.sends_email()
        && let Some(address) = customer_address(database, shop, case).await?
    {
        planned.push(("email", address.clone(), mail.to_delivery(&address)));
    }
    if channels.sends_sms()
        && let Some(phone) = case.contact_phone.clone()
    {
        let text = format!("{} {}", mail.subject, mail.link);
        planned.push((
            "sms",
            phone.clone(),
            json!({ "to": phone, "text": text }).to_string(),
        ));
    }
    Ok(planned)
}

/// The buyer's shipping notice, by e-mail and text message: the day it left, the carrier and
/// number, when it should arrive and what that rests on, what to check when signing; the
/// signed link to the order's page. None once the parcel has arrived (the notice would not be
/// true any more) or when the buyer has no address.
async fn shipping_notice(
    database: &Database,
    channels: &Channels,
    shop: &Shop,
    payload: &Value,
) -> anyhow::Result<Vec<(&'static str, String, String)>> {
    let shipment_id = payload["shipment_id"].as_str().unwrap_or_default();
    let Some(parcel) = crate::db::shipments::get(&database.reader, &shop.id, shipment_id).await?
    else {
        return Ok(Vec::new());
    };
    if parcel.delivered_at.is_some() {
        return Ok(Vec::new());
    }
    let Some(order) = crate::db::orders::get(&database.reader, &shop.id, &parcel.order_id).await?
    else {
        return Ok(Vec::new());
    };
    let customer = match &order.customer_id {
        Some(id) => crate::db::customers::get(&database.reader, &shop.id, id).await?,
        None => None,
    };
    let address = customer
        .as_ref()
        .and_then(|customer| customer.email.clone())
        .filter(|email| email.contains('@') && channels.sends_email());
    let phone = customer
        .as_ref()
        .and_then(|customer| customer.phone.clone())
        .filter(|phone| channels.sends_sms() && !crate::domain::layouts::is_masked(phone));
    if address.is_none() && phone.is_none() {
        return Ok(Vec::new());
    }
    let language = shop_language(shop);
    let shipped = parcel
        .shipped_at
        .map(|at| crate::operations::arrival::window_text(at, at, &shop.time_zone, language))
        .unwrap_or_default();
    let values = [
        ("shop", shop.name.as_str()),
        ("number", order.order_number.as_str()),
        ("carrier", parcel.carrier.as_str()),
        ("tracking", parcel.tracking_number.as_str()),
        ("date", shipped.as_str()),
    ];
    let mut body = vec![language.text_args("mail-shipped-body", &values)];
    body.extend(expected_lines(
        language,
        shop,
        parcel.expected_from,
        parcel.expected_to,
        parcel.expected_basis.as_deref(),
    ));
    body.push(language.text("mail-shipped-check"));
    let link = crate::operations::portal_tokens::signed_link(
        database,
        shop,
        &order.id,
        None,
        &channels.public_url,
    )
    .await
    .map_err(|error| anyhow::anyhow!("{error}"))?;
    let name = customer.map(|customer| customer.name).unwrap_or_default();
    let mut mail = Mail::new(
        language,
        shop,
        language.text_args("mail-shipped-subject", &values),
        body,
        link,
        Some(&name),
    );
    mail.link_text = language.text("mail-shipped-link");
    let mut planned = Vec::new();
    if let Some(address) = address {
        planned.push(("email", address.clone(), mail.to_delivery(&address)));
    }
    if let Some(phone) = phone {
        let text = format!("{} {}", mail.subject, mail.link);
        planned.push((
            "sms",
            phone.clone(),
            json!({ "to": phone, "text": text }).to_string(),
        ));
    }
    Ok(planned)
}

/// "Expected: 12月8日–12月9日", and what the estimate rests on; nothing without an estimate.
fn expected_lines(
    language: Language,
    shop: &Shop,
    from: Option<i64>,
    to: Option<i64>,
    basis: Option<&str>,
) -> Vec<String> {
    let (Some(from), Some(to)) = (from, to) else {
        return Vec::new();
    };
    let window = crate::operations::arrival::window_text(from, to, &shop.time_zone, language);
    vec![
        language.text_with("mail-expected", "date", &window),
        crate::operations::arrival::basis_text(basis, language),
    ]
}

/// The customer's e-mail for a moment of their case, with the signed link to its page.
async fn customer_mail(
    database: &Database,
    channels: &Channels,
    shop: &Shop,
    case: &CaseRecord,
    moment: &str,
    event: &Value,
) -> anyhow::Result<Mail> {
    let language = shop_language(shop);
    let data = &event["data"];
    // A missing part or lost parcel sent again is not an exchange's replacement.
    let moment = match (moment, case.kind) {
        ("replacement_shipped", crate::domain::CaseKind::Reship) => "reshipped",
        _ => moment,
    };
    // The amount in the currency the event names, else the order's.
    let currency = data["currency"]
        .as_str()
        .or_else(|| data["offer"]["currency"].as_str())
        .or(Some(case.currency.as_str()))
        .and_then(|code| crate::domain::Currency::parse(code).ok())
        .unwrap_or(shop.currency);
    let amount = data["amount_minor"]
        .as_i64()
        .or_else(|| data["offer"]["amount_minor"].as_i64())
        .map(|minor| Money::new(minor, currency).to_string())
        .unwrap_or_default();
    let values = [
        ("shop", shop.name.as_str()),
        ("number", case.number.as_str()),
        ("reason", data["reason"].as_str().unwrap_or_default()),
        ("amount", amount.as_str()),
        (
            "carrier",
            data["shipment"]["carrier"].as_str().unwrap_or_default(),
        ),
        (
            "tracking",
            data["shipment"]["tracking_number"]
                .as_str()
                .unwrap_or_default(),
        ),
        ("text", ""),
        ("detail", data["detail"].as_str().unwrap_or_default()),
    ];
    // An offer of a coupon, points or a gift says so (not "a partial refund").
    let body_key = match (moment, data["kind"].as_str()) {
        (
            "offer",
            Some(kind @ ("coupon" | "points" | "gift" | "return_address" | "refund_instead")),
        ) => {
            format!("mail-offer-{kind}-body")
        }
        _ => format!("mail-{moment}-body"),
    };
    let mut body = vec![language.text_args(&body_key, &values)];
    let expected = &data["shipment"]["expected"];
    if expected.is_object() {
        body.extend(expected_lines(
            language,
            shop,
            expected["from_at"].as_i64(),
            expected["to_at"].as_i64(),
            expected["basis"].as_str(),
        ));
        body.push(language.text("mail-shipped-check"));
    }
    // At a supplier: by when the fault should be confirmed (the supplier's target).
    if moment == "at_supplier"
        && let Some(confirm_by) = data["confirm_by"].as_i64()
    {
        let date = crate::domain::time::local_date(confirm_by, &shop.time_zone).to_string();
        body.push(language.text_args(
            "mail-at_supplier-expected",
            &[("detail", values[7].1), ("date", date.as_str())],
        ));
    }
    if moment == "message" {
        let message_id = data["message_id"].as_str().unwrap_or_default();
        let text = cases::messages(&database.reader, &case.id, false)
            .await?
            .into_iter()
            .find(|message| message.id == message_id)
            .map(|message| message.body)
            .unwrap_or_default();
        body = text.lines().map(str::to_string).collect();
    }
    let link = crate::operations::portal_tokens::signed_link(
        database,
        shop,
        &case.order_id,
        Some(&case.number),
        &channels.public_url,
    )
    .await
    .map_err(|error| anyhow::anyhow!("{error}"))?;
    let name = case
        .contact_name
        .clone()
        .or(case.customer_name.clone())
        .unwrap_or_default();
    Ok(Mail::new(
        language,
        shop,
        language.text_args(&format!("mail-{moment}-subject"), &values),
        body,
        link,
        Some(&name),
    ))
}
