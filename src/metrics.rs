//! What an instance counts for Prometheus (`GET /metrics`, docs/OPERATIONS.md): requests by route
//! and status with their latency, cases opened and ended, refunds and their amounts per
//! currency, timers fired, deliveries sent and failed, import rows. Each instance counts its own
//! (sum them across instances); the backlog gauges are read from the database at each scrape,
//! so every instance reports the same queue.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The `Content-Type` of the text it writes (Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route's pattern (`/api/v1/cases/:id`), never the path itself; `unmatched` for
    /// addresses nobody serves.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndLabels {
    kind: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CurrencyLabels {
    currency: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    channel: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: String,
}

type Histograms = Family<RequestLabels, Histogram, fn() -> Histogram>;

fn latency() -> Histogram {
    // 1 ms … 8 s, doubling.
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

struct Metrics {
    registry: Registry,
    requests: Histograms,
    cases_created: Family<KindLabels, Counter>,
    cases_ended: Family<EndLabels, Counter>,
    refunds: Family<CurrencyLabels, Counter>,
    refunded_minor: Family<CurrencyLabels, Counter>,
    timers: Family<OutcomeLabels, Counter>,
    deliveries: Family<DeliveryLabels, Counter>,
    import_rows: Family<OutcomeLabels, Counter>,
    timers_due: Gauge,
    outbox_backlog: Gauge,
    deliveries_pending: Gauge,
    deliveries_dead: Gauge,
    connections: Family<PoolLabels, Gauge>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("aftersale");
    let requests: Histograms = Family::new_with_constructor(latency);
    registry.register(
        "http_request_duration_seconds",
        "Requests answered, by method, route and status, with how long each took",
        requests.clone(),
    );
    let metrics = Metrics {
        requests,
        cases_created: Family::default(),
        cases_ended: Family::default(),
        refunds: Family::default(),
        refunded_minor: Family::default(),
        timers: Family::default(),
        deliveries: Family::default(),
        import_rows: Family::default(),
        timers_due: Gauge::default(),
        outbox_backlog: Gauge::default(),
        deliveries_pending: Gauge::default(),
        deliveries_dead: Gauge::default(),
        connections: Family::default(),
        registry: Registry::default(),
    };
    registry.register(
        "cases_created",
        "Cases opened, by kind",
        metrics.cases_created.clone(),
    );
    registry.register(
        "cases_ended",
        "Cases that reached an end (closed, rejected, cancelled …), by kind and end status",
        metrics.cases_ended.clone(),
    );
    registry.register(
        "refunds",
        "Refunds recorded, by the order's currency",
        metrics.refunds.clone(),
    );
    registry.register(
        "refunded_minor",
        "Money refunded, in the currency's minor units (fen, cents; yen and won have none)",
        metrics.refunded_minor.clone(),
    );
    registry.register(
        "timers",
        "Clocks' timers run by this instance's worker, by outcome (fired, skipped, retried, failed)",
        metrics.timers.clone(),
    );
    registry.register(
        "deliveries",
        "Notifications and webhooks tried, by channel and outcome (sent, failed, dead)",
        metrics.deliveries.clone(),
    );
    registry.register(
        "import_rows",
        "Rows of order imports, by outcome (imported, rejected)",
        metrics.import_rows.clone(),
    );
    registry.register(
        "timers_due",
        "Timers whose time has come and that no worker has finished (all instances)",
        metrics.timers_due.clone(),
    );
    registry.register(
        "outbox_backlog",
        "Changes waiting to be turned into notifications and webhooks (all instances)",
        metrics.outbox_backlog.clone(),
    );
    registry.register(
        "deliveries_pending",
        "Notifications and webhooks waiting to be sent or retried (all instances)",
        metrics.deliveries_pending.clone(),
    );
    registry.register(
        "deliveries_dead",
        "Notifications and webhooks that failed every attempt and wait for a person (all instances)",
        metrics.deliveries_dead.clone(),
    );
    registry.register(
        "database_connections",
        "This instance's database connections, by pool (writer, reader) and state (busy, idle)",
        metrics.connections.clone(),
    );
    let build: Family<VersionLabels, Gauge> = Family::default();
    build
        .get_or_create(&VersionLabels {
            version: env!("CARGO_PKG_VERSION").into(),
        })
        .set(1);
    registry.register("build_info", "The running version", build);
    Metrics {
        registry,
        ..metrics
    }
});

/// One answered request.
pub fn request(method: &str, route: &str, status: u16, took: Duration) {
    METRICS
        .requests
        .get_or_create(&RequestLabels {
            method: method.into(),
            route: route.into(),
            status,
        })
        .observe(took.as_secs_f64());
}

pub fn case_created(kind: &str) {
    METRICS
        .cases_created
        .get_or_create(&KindLabels { kind: kind.into() })
        .inc();
}

pub fn case_ended(kind: &str, status: &str) {
    METRICS
        .cases_ended
        .get_or_create(&EndLabels {
            kind: kind.into(),
            status: status.into(),
        })
        .inc();
}

pub fn refund(currency: &str, amount_minor: i64) {
    let labels = CurrencyLabels {
        currency: currency.into(),
    };
    METRICS.refunds.get_or_create(&labels).inc();
    METRICS
        .refunded_minor
        .get_or_create(&labels)
        .inc_by(u64::try_from(amount_minor).unwrap_or(0));
}

/// A timer this instance ran: `fired`, `skipped`, `retried` or `failed`.
pub fn timer(outcome: &str) {
    METRICS
        .timers
        .get_or_create(&OutcomeLabels {
            outcome: outcome.into(),
        })
        .inc();
}

/// A delivery tried: `sent`, `failed` (tried again later) or `dead`.
pub fn delivery(channel: &str, outcome: &str) {
    METRICS
        .deliveries
        .get_or_create(&DeliveryLabels {
            channel: channel.into(),
            outcome: outcome.into(),
        })
        .inc();
}

pub fn import_rows(imported: u64, rejected: u64) {
    for (outcome, count) in [("imported", imported), ("rejected", rejected)] {
        METRICS
            .import_rows
            .get_or_create(&OutcomeLabels {
                outcome: outcome.into(),
            })
            .inc_by(count);
    }
}

/// What the database says is waiting, read at each scrape.
#[derive(Debug, Clone, Copy, Default)]
pub struct Backlog {
    pub timers_due: i64,
    pub outbox: i64,
    pub deliveries_pending: i64,
    pub deliveries_dead: i64,
}

/// A pool's connections: open and idle.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolUse {
    pub open: u32,
    pub idle: u32,
}

/// Everything, in the Prometheus text format, with the backlog and pools as read now.
pub fn render(backlog: Backlog, writer: PoolUse, reader: PoolUse) -> String {
    METRICS.timers_due.set(backlog.timers_due);
    METRICS.outbox_backlog.set(backlog.outbox);
    METRICS.deliveries_pending.set(backlog.deliveries_pending);
    METRICS.deliveries_dead.set(backlog.deliveries_dead);
    for (pool, usage) in [("writer", writer), ("reader", reader)] {
        let busy = usage.open.saturating_sub(usage.idle);
        for (state, count) in [("busy", busy), ("idle", usage.idle)] {
            METRICS
                .connections
                .get_or_create(&PoolLabels {
                    pool: pool.into(),
                    state: state.into(),
                })
                .set(i64::from(count));
        }
    }
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &METRICS.registry);
    text
}
