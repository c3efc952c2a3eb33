//! Notifications out. Every change writes its outbox row in its own transaction; here the rows
//! become deliveries (each subscribed webhook endpoint, the customer's e-mail, the supervisors'
//! e-mail), and deliveries are sent: webhooks signed with HMAC-SHA256 and a timestamp, e-mail
//! over SMTP (HTML and text, in the shop's language). A failed send is retried with back-off and
//! given up on (dead) after [`MAX_ATTEMPTS`]; a person can replay it. Every message carries the
//! event's id, the same on every retry, so a receiver can drop repeats.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{Value, json};

use crate::db::Database;
use crate::db::cases::{self, CaseRecord};
use crate::db::deliveries::{self, DeliveryRecord, NewDelivery, OutboxRow};
use crate::db::shops::{self, Shop};
use crate::db::staff_sessions;
use crate::domain::Money;
use crate::domain::notifications::{backoff_micros, customer_moment};
use crate::domain::permissions::{Capability, allows};
use crate::domain::signing::webhook_signature;
use crate::i18n::Language;

/// A delivery that failed this many times is dead.
pub const MAX_ATTEMPTS: i64 = 8;
const LEASE_MICROS: i64 = 60_000_000;
/// Deliveries sent per round (up to eight at a time).
const BATCH: i64 = 50;
/// Outbox rows turned into deliveries per transaction: large, so that a burst of events (a
/// flood of new cases) costs the single SQLite writer few commits.
const OUTBOX_BATCH: i64 = 500;

/// How messages leave: the SMTP server (if any) and the HTTP client for webhooks.
#[derive(Clone)]
pub struct Channels {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    http: reqwest::Client,
    /// An SMS gateway taking `POST {"to","text","event_id"}` (JSON), with its bearer token.
    sms: Option<(String, Option<String>)>,
    /// Where customers reach the portal (links in e-mails).
    pub public_url: String,
}

impl Channels {
    /// `smtp_url` like `smtp://127.0.0.1:2525` (plain), `smtp://host:587?tls=required` or
    /// `smtps://user:password@host`; `None` sends no e-mail.
    pub fn new(smtp_url: Option<&str>, from: &str, public_url: &str) -> anyhow::Result<Channels> {
        let smtp = smtp_url
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map(|builder| builder.timeout(Some(Duration::from_secs(15))).build())
            })
            .transpose()?;
        Ok(Channels {
            smtp,
            from: from.parse()?,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            sms: None,
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }

    /// Sends text messages through an HTTP gateway too.
    pub fn with_sms(mut self, url: &str, token: Option<&str>) -> Channels {
        self.sms = Some((url.to_string(), token.map(str::to_string)));
        self
    }

    pub fn sends_sms(&self) -> bool {
        self.sms.is_some()
    }

    /// From the configuration's SMTP, sender, public URL and SMS settings.
    pub fn from_config(config: &crate::config::Config) -> anyhow::Result<Channels> {
        let channels = Channels::new(
            config.smtp_url.as_deref(),
            &config.mail_from,
            config
                .public_url
                .as_deref()
                .unwrap_or("http://127.0.0.1:8080"),
        )
        .context("the e-mail settings (APP_SMTP_URL, APP_MAIL_FROM, APP_PUBLIC_URL)")?;
        Ok(match &config.sms_url {
            Some(url) => channels.with_sms(url, config.sms_token.as_deref()),
            None => channels,
        })
    }

    pub fn sends_email(&self) -> bool {
        self.smtp.is_some()
    }
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub dispatched: usize,
    pub sent: usize,
    pub failed: usize,
}

/// Turns pending outbox rows into deliveries, then sends the deliveries due at `now`.
pub async fn run_once(database: &Database, channels: &Channels, now: i64) -> anyhow::Result<Round> {
    let mut round = Round::default();
    loop {
        let rows = deliveries::claim_outbox(
            &database.writer,
            database.backend,
            now,
            now + LEASE_MICROS,
            OUTBOX_BATCH,
        )
        .await?;
        // Plan the batch's deliveries (reads only; shops and endpoints read once per batch),
        // then write them and mark the rows in one transaction.
        let mut known = Known::default();
        let mut planned = Vec::new();
        for row in &rows {
            for (channel, target, body) in plan(database, channels, row, &mut known).await? {
                planned.push((row, channel, target, body));
            }
        }
        let mut transaction = database.begin().await?;
        for (row, channel, target, body) in &planned {
            deliveries::insert(
                &mut transaction,
                &NewDelivery {
                    shop_id: &row.shop_id,
                    outbox_id: &row.id,
                    channel,
                    target,
                    topic: &row.topic,
                    body,
                    now,
                },
            )
            .await?;
        }
        let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
        deliveries::mark_dispatched(&mut transaction, &ids, now).await?;
        transaction.commit().await?;
        round.dispatched += rows.len();
        if (rows.len() as i64) < OUTBOX_BATCH {
            break;
        }
    }
    loop {
        let due = deliveries::claim_due(
            &database.writer,
            database.backend,
            now,
            now + LEASE_MICROS,
            BATCH,
        )
        .await?;
        // Up to eight at a time: a slow receiver does not hold up the others.
        // Each recipient's messages stay in order: a round never sends two to the same target.
        let mut results: Vec<(&DeliveryRecord, anyhow::Result<()>)> = Vec::new();
        let mut remaining: Vec<&DeliveryRecord> = due.iter().collect();
        while !remaining.is_empty() {
            let mut round_targets = std::collections::HashSet::new();
            let (now_sent, later): (Vec<&DeliveryRecord>, Vec<&DeliveryRecord>) =
                remaining.into_iter().partition(|delivery| {
                    round_targets.len() < 8 && round_targets.insert(delivery.target.as_str())
                });
            let sent = futures::future::join_all(
                now_sent
                    .iter()
                    .map(|delivery| send(database, channels, delivery, now)),
            )
            .await;
            results.extend(now_sent.into_iter().zip(sent));
            remaining = later;
        }
        for (delivery, result) in results {
            match result {
                Ok(()) => {
                    deliveries::mark_sent(&database.writer, &delivery.id, now).await?;
                    round.sent += 1;
                }
                Err(error) => {
                    let retry = (delivery.attempts < MAX_ATTEMPTS)
                        .then(|| now + backoff_micros(delivery.attempts));
                    tracing::warn!(delivery = %delivery.id, attempts = delivery.attempts, %error, "delivery failed");
                    deliveries::mark_failed(
                        &database.writer,
                        &delivery.id,
                        &error.to_string(),
                        retry,
                    )
                    .await?;
                    round.failed += 1;
                }
            }
        }
        if (due.len() as i64) < BATCH {
            return Ok(round);
        }
    }
}

fn case_view(shop: &Shop, case: &CaseRecord) -> Value {
    json!({
        "id": case.id,
        "number": case.number,
        "kind": case.kind,
        "status": case.status,
        "priority": case.priority,
        "order_number": case.order_number,
        "customer_name": case.customer_name,
        "updated_at": crate::domain::time::format_in_zone(case.updated_at, &shop.time_zone),
    })
}

/// Shops and their endpoints, read once per batch.
#[derive(Default)]
struct Known {
    shops: HashMap<String, Option<Shop>>,
    endpoints: HashMap<String, Vec<deliveries::Endpoint>>,
}

/// The deliveries one outbox row makes: (channel, target, body). A row nobody is to hear of
/// (no endpoint wants its topic, no e-mail) costs no further reads.
async fn plan(
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
        )
        .is_some();
    let mails = (channels.sends_email() && (mails_customer || row.audience != "event"))
        || (channels.sends_sms() && mails_customer);
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
                    "data": row.payload["data"],
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
                let text = format!(
                    "{} {}",
                    mail["subject"].as_str().unwrap_or_default(),
                    mail["link"].as_str().unwrap_or_default()
                );
                if let Some(address) = address {
                    planned.push(("email", address.clone(), with_recipient(mail, &address)));
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
            let mail = mail_json(
                language,
                &shop,
                &language.text_args(&format!("mail-{kind}-subject"), &values),
                &[language.text_args(&format!("mail-{kind}-body"), &values)],
                &link,
                None,
            );
            planned.push(("email", address.clone(), with_recipient(mail, &address)));
        }
    } else if row.audience == "supervisor"
        && channels.sends_email()
        && let Some(case) = &case
    {
        let language = shop_language(&shop);
        let values = [
            ("shop", shop.name.as_str()),
            ("number", case.number.as_str()),
        ];
        let link = format!("{}/console/cases/{}", channels.public_url, case.id);
        for address in supervisor_addresses(database, &shop).await? {
            let mail = mail_json(
                language,
                &shop,
                &language.text_args("mail-sla-subject", &values),
                &[language.text_args("mail-sla-body", &values)],
                &link,
                None,
            );
            planned.push(("email", address.clone(), with_recipient(mail, &address)));
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

/// The customer's e-mail for a moment of their case, with the signed link to its page.
async fn customer_mail(
    database: &Database,
    channels: &Channels,
    shop: &Shop,
    case: &CaseRecord,
    moment: &str,
    event: &Value,
) -> anyhow::Result<Value> {
    let language = shop_language(shop);
    let data = &event["data"];
    let amount = data["amount_minor"]
        .as_i64()
        .or_else(|| data["offer"]["amount_minor"].as_i64())
        .map(|minor| Money::new(minor, shop.currency).to_string())
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
    ];
    let mut body = vec![language.text_args(&format!("mail-{moment}-body"), &values)];
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
    Ok(mail_json(
        language,
        shop,
        &language.text_args(&format!("mail-{moment}-subject"), &values),
        &body,
        &link,
        Some(&name),
    ))
}

/// An e-mail as stored in a delivery: subject, text and HTML.
fn mail_json(
    language: Language,
    shop: &Shop,
    subject: &str,
    paragraphs: &[String],
    link: &str,
    name: Option<&str>,
) -> Value {
    let greeting = name
        .filter(|name| !name.is_empty())
        .map(|name| language.text_with("mail-greeting", "name", name));
    let footer = language.text_with("mail-footer", "shop", &shop.name);
    let link_text = language.text("mail-link");
    let mut text = String::new();
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><body style=\"font-family:sans-serif;color:#1f2328\">",
        language.code()
    );
    if let Some(greeting) = &greeting {
        text.push_str(&format!("{greeting}\n\n"));
        html.push_str(&format!("<p>{}</p>", escape(greeting)));
    }
    for paragraph in paragraphs {
        text.push_str(&format!("{paragraph}\n"));
        html.push_str(&format!("<p>{}</p>", escape(paragraph)));
    }
    text.push_str(&format!("\n{link_text}: {link}\n\n{footer}\n"));
    html.push_str(&format!(
        "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;background:#0f766e;color:#fff;border-radius:6px;text-decoration:none\">{}</a></p><p style=\"color:#6b7280;font-size:12px\">{}</p></body></html>",
        escape(link),
        escape(&link_text),
        escape(&footer)
    ));
    json!({ "subject": subject, "text": text, "html": html, "link": link })
}

fn with_recipient(mut mail: Value, address: &str) -> String {
    mail["to"] = json!(address);
    mail.to_string()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn send(
    database: &Database,
    channels: &Channels,
    delivery: &DeliveryRecord,
    now: i64,
) -> anyhow::Result<()> {
    match delivery.channel.as_str() {
        "webhook" => {
            let endpoint = deliveries::endpoint_by_id(&database.reader, &delivery.target)
                .await?
                .filter(|endpoint| endpoint.active)
                .ok_or_else(|| anyhow::anyhow!("the endpoint was removed"))?;
            let timestamp = now / 1_000_000;
            let response = channels
                .http
                .post(&endpoint.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("User-Agent", "aftersale-webhooks/1")
                .header("X-Aftersale-Event", &delivery.topic)
                .header("X-Aftersale-Event-Id", &delivery.outbox_id)
                .header("X-Aftersale-Delivery", &delivery.id)
                .header(
                    "X-Aftersale-Signature",
                    webhook_signature(
                        endpoint.secret.as_bytes(),
                        timestamp,
                        delivery.body.as_bytes(),
                    ),
                )
                .body(delivery.body.clone())
                .send()
                .await?;
            if response.status().is_success() {
                Ok(())
            } else {
                anyhow::bail!("the receiver answered {}", response.status())
            }
        }
        "email" => {
            let smtp = channels
                .smtp
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("no SMTP server is configured (APP_SMTP_URL)"))?;
            let mail: Value = serde_json::from_str(&delivery.body)?;
            let message = lettre::Message::builder()
                .from(channels.from.clone())
                .to(mail["to"].as_str().unwrap_or_default().parse()?)
                .subject(mail["subject"].as_str().unwrap_or_default())
                .message_id(Some(format!("<{}@aftersale>", delivery.outbox_id)))
                .multipart(MultiPart::alternative_plain_html(
                    mail["text"].as_str().unwrap_or_default().to_string(),
                    mail["html"].as_str().unwrap_or_default().to_string(),
                ))?;
            smtp.send(message).await?;
            Ok(())
        }
        "sms" => {
            let (url, token) = channels
                .sms
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("no SMS gateway is configured (APP_SMS_URL)"))?;
            let mut message: Value = serde_json::from_str(&delivery.body)?;
            message["event_id"] = json!(delivery.outbox_id);
            let mut request = channels.http.post(url).json(&message);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await?;
            if response.status().is_success() {
                Ok(())
            } else {
                anyhow::bail!("the SMS gateway answered {}", response.status())
            }
        }
        other => anyhow::bail!("unknown channel '{other}'"),
    }
}
