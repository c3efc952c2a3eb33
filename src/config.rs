//! One typed configuration: the defaults, then an optional TOML file (`APP_CONFIG=path` or
//! `--config path`), then `APP_*` environment variables, then the command line's own flags.
//! This is the only place that reads the environment. Secrets (a password in the database or
//! SMTP URL, the SMS token) never print: `Debug` and [`Config::database_display`] hide them.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

pub const DEFAULT_DATABASE: &str = "sqlite://data/aftersale.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Where the Debian package puts the configuration, read when no other file is named.
pub const INSTALLED: &str = "/etc/aftersale/aftersale.toml";
pub const DEFAULT_MAIL_FROM: &str = "售后服务 <aftersale@localhost>";

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` (embedded, the default) or `postgres://USER@HOST/DATABASE`.
    pub database_url: String,
    /// Where the web server listens.
    pub bind: SocketAddr,
    /// Load the demo shop into an empty database.
    pub demo: bool,
    /// For drills and tests: the workers act as if it were this many hours later.
    pub clock_offset_hours: i64,
    /// Where customers and staff reach the app (links in e-mails, QR codes on labels); when
    /// unset, labels use the request's Host and e-mails http://127.0.0.1:8080.
    pub public_url: Option<String>,
    /// `smtp://host:port`, `smtp://host:587?tls=required` or `smtps://user:password@host`;
    /// unset sends no e-mail.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// An SMS gateway taking `POST {"to","text","event_id"}`, with its bearer token.
    pub sms_url: Option<String>,
    pub sms_token: Option<String>,
    /// A font for labels (`/path/font.ttc#index`) when no system CJK font fits.
    pub label_font: Option<String>,
    /// The log filter (tracing's `EnvFilter` syntax); `RUST_LOG` also works.
    pub log: String,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed; from anyone
    /// else the client is the socket's peer (docs/SECURITY.md).
    pub trusted_proxies: Vec<String>,
    /// Let webhooks, the SMS gateway and payment callbacks reach loopback, private and
    /// link-local addresses (an on-premise receiver); off by default.
    pub allow_private_targets: bool,
    /// How long an `Idempotency-Key` stays held by a request that stopped answering (a crash)
    /// before a retry may recover it; a live request renews its hold.
    pub idempotency_lease_seconds: u64,
    /// `text` (for people) or `json` (one object per line, for a log collector).
    pub log_format: LogFormat,
    /// `GET /metrics` on the app's address answers a scraper sending `Authorization: Bearer`
    /// with this token; unset, it is not served there.
    pub metrics_token: Option<String>,
    /// A second address serving `/metrics` and `/healthz` without a token (e.g. 127.0.0.1:9090,
    /// reached only by the scraper).
    pub metrics_bind: Option<SocketAddr>,
    /// Where the nightly backup writes (`aftersale backup`'s file, one per night); unset, none.
    pub backup_dir: Option<std::path::PathBuf>,
    /// How many nightly backups are kept (the oldest are deleted).
    pub backup_keep: u32,
    /// When the nightly backup runs, `HH:MM` in the server's time zone.
    pub backup_at: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            database_url: DEFAULT_DATABASE.into(),
            bind: DEFAULT_BIND.parse().expect("the default address parses"),
            demo: true,
            clock_offset_hours: 0,
            public_url: None,
            smtp_url: None,
            mail_from: DEFAULT_MAIL_FROM.into(),
            sms_url: None,
            sms_token: None,
            label_font: None,
            log: "aftersale=info,warn".into(),
            trusted_proxies: Vec::new(),
            allow_private_targets: false,
            idempotency_lease_seconds: 30,
            log_format: LogFormat::Text,
            metrics_token: None,
            metrics_bind: None,
            backup_dir: None,
            backup_keep: 7,
            backup_at: "03:30".into(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Config")
            .field("database_url", &redact(&self.database_url))
            .field("bind", &self.bind)
            .field("demo", &self.demo)
            .field("clock_offset_hours", &self.clock_offset_hours)
            .field("public_url", &self.public_url)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact))
            .field("mail_from", &self.mail_from)
            .field("sms_url", &self.sms_url.as_deref().map(redact))
            .field("sms_token", &self.sms_token.as_ref().map(|_| "<hidden>"))
            .field("label_font", &self.label_font)
            .field("log", &self.log)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("allow_private_targets", &self.allow_private_targets)
            .field("idempotency_lease_seconds", &self.idempotency_lease_seconds)
            .field("log_format", &self.log_format)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<hidden>"),
            )
            .field("metrics_bind", &self.metrics_bind)
            .field("backup_dir", &self.backup_dir)
            .field("backup_keep", &self.backup_keep)
            .field("backup_at", &self.backup_at)
            .finish()
    }
}

/// The environment variables read, each with the field it sets.
const VARIABLES: &[&str] = &[
    "APP_DATABASE_URL",
    "APP_BIND",
    "APP_DEMO",
    "APP_CLOCK_OFFSET_HOURS",
    "APP_PUBLIC_URL",
    "APP_SMTP_URL",
    "APP_MAIL_FROM",
    "APP_SMS_URL",
    "APP_SMS_TOKEN",
    "APP_LABEL_FONT",
    "APP_LOG",
    "APP_TRUSTED_PROXIES",
    "APP_ALLOW_PRIVATE_TARGETS",
    "APP_IDEMPOTENCY_LEASE_SECONDS",
    "APP_LOG_FORMAT",
    "APP_METRICS_TOKEN",
    "APP_METRICS_BIND",
    "APP_BACKUP_DIR",
    "APP_BACKUP_KEEP",
    "APP_BACKUP_AT",
];

impl Config {
    /// Defaults → the file (`file`, else `APP_CONFIG`, else the package's
    /// `/etc/aftersale/aftersale.toml` when it exists) → `APP_*` variables.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let variables: Vec<(String, String)> = std::iter::once("APP_CONFIG")
            .chain(VARIABLES.iter().copied())
            .filter_map(|name| Some((name.to_string(), environment(name)?)))
            .collect();
        let installed = Path::new(INSTALLED);
        let file = file.or_else(|| {
            let named = variables
                .iter()
                .any(|(name, value)| name == "APP_CONFIG" && !value.trim().is_empty());
            (!named && installed.exists()).then_some(installed)
        });
        Config::from_sources(file, &variables)
    }

    /// The same from given variables (name, value): what `load` does, testable.
    pub fn from_sources(
        file: Option<&Path>,
        variables: &[(String, String)],
    ) -> anyhow::Result<Config> {
        let variable = |name: &str| {
            variables
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.trim().to_string())
        };
        let path = file.map(Path::to_path_buf).or_else(|| {
            variable("APP_CONFIG")
                .filter(|path| !path.is_empty())
                .map(Into::into)
        });
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(&path).with_context(|| {
                    format!("reading the configuration file {}", path.display())
                })?;
                basic_toml::from_str(&text)
                    .with_context(|| format!("in the configuration file {}", path.display()))?
            }
            None => Config::default(),
        };
        let optional = |name: &str| variable(name).filter(|value| !value.is_empty());
        if let Some(value) = optional("APP_DATABASE_URL") {
            config.database_url = value;
        }
        if let Some(value) = optional("APP_BIND") {
            config.bind = value.parse().with_context(|| {
                format!("APP_BIND={value} is not an address like 127.0.0.1:8080")
            })?;
        }
        if let Some(value) = optional("APP_DEMO") {
            config.demo = flag("APP_DEMO", &value)?;
        }
        if let Some(value) = optional("APP_ALLOW_PRIVATE_TARGETS") {
            config.allow_private_targets = flag("APP_ALLOW_PRIVATE_TARGETS", &value)?;
        }
        if let Some(value) = optional("APP_TRUSTED_PROXIES") {
            config.trusted_proxies = value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_string)
                .collect();
        }
        if let Some(value) = optional("APP_IDEMPOTENCY_LEASE_SECONDS") {
            config.idempotency_lease_seconds = value.parse().with_context(|| {
                format!("APP_IDEMPOTENCY_LEASE_SECONDS={value} is not a whole number")
            })?;
        }
        for range in &config.trusted_proxies {
            crate::domain::network::Range::parse(range).with_context(|| {
                format!("trusted proxy '{range}' is not an address or a CIDR range like 10.0.0.0/8")
            })?;
        }
        if let Some(value) = optional("APP_CLOCK_OFFSET_HOURS") {
            config.clock_offset_hours = value
                .parse()
                .with_context(|| format!("APP_CLOCK_OFFSET_HOURS={value} is not a whole number"))?;
        }
        for (name, field) in [
            ("APP_PUBLIC_URL", &mut config.public_url),
            ("APP_SMTP_URL", &mut config.smtp_url),
            ("APP_SMS_URL", &mut config.sms_url),
            ("APP_SMS_TOKEN", &mut config.sms_token),
            ("APP_LABEL_FONT", &mut config.label_font),
        ] {
            if let Some(value) = optional(name) {
                *field = Some(value);
            }
        }
        if let Some(value) = optional("APP_MAIL_FROM") {
            config.mail_from = value;
        }
        if let Some(value) = optional("APP_LOG") {
            config.log = value;
        }
        if let Some(value) = optional("APP_LOG_FORMAT") {
            config.log_format = match value.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => anyhow::bail!("APP_LOG_FORMAT={value}: use text or json"),
            };
        }
        if let Some(value) = optional("APP_METRICS_TOKEN") {
            config.metrics_token = Some(value);
        }
        if let Some(value) = optional("APP_METRICS_BIND") {
            config.metrics_bind = Some(value.parse().with_context(|| {
                format!("APP_METRICS_BIND={value} is not an address like 127.0.0.1:9090")
            })?);
        }
        if let Some(value) = optional("APP_BACKUP_DIR") {
            config.backup_dir = Some(value.into());
        }
        if let Some(value) = optional("APP_BACKUP_KEEP") {
            config.backup_keep = value
                .parse()
                .with_context(|| format!("APP_BACKUP_KEEP={value} is not a whole number"))?;
        }
        if let Some(value) = optional("APP_BACKUP_AT") {
            config.backup_at = value;
        }
        if config
            .metrics_token
            .as_deref()
            .is_some_and(|token| token.len() < 16)
        {
            anyhow::bail!("the metrics token must have at least 16 characters (APP_METRICS_TOKEN)");
        }
        config.backup_time()?;
        Ok(config)
    }

    /// Where people reach the app, for links in e-mails, on labels and in signed links: the
    /// public URL; when it is unset, the bind address if that is this machine's loopback (the
    /// demo on one's own computer). Never the request's Host header, which the caller chooses.
    pub fn base_url(&self) -> Option<String> {
        match &self.public_url {
            Some(url) => Some(url.trim_end_matches('/').to_string()),
            None if self.bind.ip().is_loopback() => Some(format!("http://{}", self.bind)),
            None => None,
        }
    }

    /// When the nightly backup runs (`backup_at`, `HH:MM`).
    pub fn backup_time(&self) -> anyhow::Result<jiff::civil::Time> {
        jiff::civil::Time::strptime("%H:%M", self.backup_at.trim())
            .with_context(|| format!("backup_at = '{}' is not a time like 03:30", self.backup_at))
    }

    /// The database URL with any password hidden, for the banner and logs.
    pub fn database_display(&self) -> String {
        redact(&self.database_url)
    }
}

fn flag(name: &str, value: &str) -> anyhow::Result<bool> {
    match value {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => anyhow::bail!("{name}={value}: use true or false"),
    }
}

/// One variable from the process environment (unset or not UTF-8: none).
#[allow(clippy::disallowed_methods)]
fn environment(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `scheme://user:secret@host/…` → `scheme://user:***@host/…`; a URL without one as it is.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn defaults_then_file_then_variables() {
        let directory =
            std::env::temp_dir().join(format!("aftersale-config-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let file = directory.join("aftersale.toml");
        std::fs::write(
            &file,
            "database_url = \"postgres://app:s3cret@db/aftersale\"\nbind = \"0.0.0.0:9000\"\nmail_from = \"店 <a@b.c>\"\n",
        )
        .unwrap();
        let config = Config::from_sources(
            Some(&file),
            &variables(&[("APP_BIND", "127.0.0.1:9001"), ("APP_SMS_TOKEN", "token-1")]),
        )
        .unwrap();
        assert_eq!(config.database_url, "postgres://app:s3cret@db/aftersale");
        assert_eq!(config.bind.to_string(), "127.0.0.1:9001");
        assert_eq!(config.mail_from, "店 <a@b.c>");
        assert!(config.demo);
        let printed = format!("{config:?}");
        assert!(
            !printed.contains("s3cret") && !printed.contains("token-1"),
            "{printed}"
        );
        assert_eq!(config.database_display(), "postgres://app:***@db/aftersale");
        std::fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn bad_values_are_named() {
        let error = Config::from_sources(None, &variables(&[("APP_DEMO", "maybe")])).unwrap_err();
        assert!(error.to_string().contains("APP_DEMO"));
        let error =
            Config::from_sources(None, &variables(&[("APP_BIND", "localhost")])).unwrap_err();
        assert!(error.to_string().contains("APP_BIND"));
        let missing = std::path::Path::new("/nonexistent/aftersale.toml");
        assert!(Config::from_sources(Some(missing), &[]).is_err());
    }

    #[test]
    fn urls_without_passwords_print_whole() {
        assert_eq!(
            redact("sqlite://data/aftersale.db"),
            "sqlite://data/aftersale.db"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1:5432/x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(redact("smtps://u:p@mail:465"), "smtps://u:***@mail:465");
    }
}
