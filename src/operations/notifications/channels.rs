//! How messages leave: webhooks signed with HMAC-SHA256 and a timestamp, e-mail over SMTP
//! (HTML and text), text messages through an HTTP gateway.

use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{Value, json};

use crate::db::Database;
use crate::db::deliveries::{self, DeliveryRecord};
use crate::domain::signing::webhook_signature;
use crate::integrations::outbound;

/// How messages leave: the SMTP server (if any) and the HTTP client for webhooks.
#[derive(Clone)]
pub struct Channels {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    /// For the operator's own services (the SMS gateway): trusted, may be on the local network.
    http: reqwest::Client,
    /// For the addresses shops register (webhooks): never inside the server's network, unless
    /// the operator allows it (`APP_ALLOW_PRIVATE_TARGETS`).
    webhooks: reqwest::Client,
    allow_private: bool,
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
            webhooks: outbound::client(false)?,
            allow_private: false,
            sms: None,
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }

    /// Lets webhooks reach loopback and private addresses (an on-premise receiver, the tests).
    pub fn allowing_private_targets(mut self, allow: bool) -> anyhow::Result<Channels> {
        self.webhooks = outbound::client(allow)?;
        self.allow_private = allow;
        Ok(self)
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
            &config
                .base_url()
                .unwrap_or_else(|| "http://127.0.0.1:8080".into()),
        )
        .context("the e-mail settings (APP_SMTP_URL, APP_MAIL_FROM, APP_PUBLIC_URL)")?
        .allowing_private_targets(config.allow_private_targets)?;
        Ok(match &config.sms_url {
            Some(url) => channels.with_sms(url, config.sms_token.as_deref()),
            None => channels,
        })
    }

    pub fn sends_email(&self) -> bool {
        self.smtp.is_some()
    }

    /// Sends one delivery on its channel; an error says why it did not go out.
    pub(super) async fn send(
        &self,
        database: &Database,
        delivery: &DeliveryRecord,
        now: i64,
    ) -> anyhow::Result<()> {
        let channels = self;
        match delivery.channel.as_str() {
            "webhook" => {
                let endpoint = deliveries::endpoint_by_id(&database.reader, &delivery.target)
                    .await?
                    .filter(|endpoint| endpoint.active)
                    .ok_or_else(|| anyhow::anyhow!("the endpoint was removed"))?;
                let url = reqwest::Url::parse(&endpoint.url)?;
                outbound::check_literal(&url, channels.allow_private)
                    .map_err(|why| anyhow::anyhow!("refused: {why}"))?;
                let timestamp = now / 1_000_000;
                let response = channels
                    .webhooks
                    .post(url)
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
                    .await
                    .map_err(|error| anyhow::anyhow!("{}", outbound::describe(&error)))?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    anyhow::bail!("the receiver answered {}", response.status())
                }
            }
            "email" => {
                let smtp = channels.smtp.as_ref().ok_or_else(|| {
                    anyhow::anyhow!("no SMTP server is configured (APP_SMTP_URL)")
                })?;
                let mail: Value = serde_json::from_str(&delivery.body)?;
                let text = MultiPart::alternative_plain_html(
                    mail["text"].as_str().unwrap_or_default().to_string(),
                    mail["html"].as_str().unwrap_or_default().to_string(),
                );
                let builder = lettre::Message::builder()
                    .from(channels.from.clone())
                    .to(mail["to"].as_str().unwrap_or_default().parse()?)
                    .subject(mail["subject"].as_str().unwrap_or_default())
                    .message_id(Some(format!("<{}@aftersale>", delivery.outbox_id)));
                // A file goes with it (a scheduled report's table).
                let message = match mail["attachment"]["base64"].as_str() {
                    Some(encoded) => {
                        use base64::Engine;
                        let bytes = base64::engine::general_purpose::STANDARD.decode(encoded)?;
                        let attachment = lettre::message::Attachment::new(
                            mail["attachment"]["name"]
                                .as_str()
                                .unwrap_or("report.csv")
                                .to_string(),
                        )
                        .body(
                            bytes,
                            lettre::message::header::ContentType::parse(
                                mail["attachment"]["content_type"]
                                    .as_str()
                                    .unwrap_or("application/octet-stream"),
                            )?,
                        );
                        builder
                            .multipart(MultiPart::mixed().multipart(text).singlepart(attachment))?
                    }
                    None => builder.multipart(text)?,
                };
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
}
