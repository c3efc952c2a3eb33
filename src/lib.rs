//! aftersale: after-sales service for online shops. See docs/ARCHITECTURE.md for the map.

/// The application: state, the router of every front end, `serve` (used by `main` and tests).
pub mod app;
/// Benchmarks over HTTP (`aftersale bench`).
pub mod bench;

/// The command line's subcommands (`main.rs` parses, these run).
pub mod cli;
/// The one clock every part asks the time.
pub mod clock;
/// The one typed configuration: defaults → file → `APP_*` variables.
pub mod config;
/// Storage: all SQL, one file per aggregate, for SQLite and PostgreSQL.
pub mod db;
/// The demo shop.
pub mod demo;
/// Documents: the return label PDF.
pub mod documents;
/// The pure domain: case kinds, statuses, the lifecycle state machine, money, refunds, policy.
pub mod domain;
/// The one error enum, mapped to HTTP statuses.
pub mod error;
/// The front ends: API, console, portal, hooks.
pub mod http;
/// Page and message texts in Chinese and English.
pub mod i18n;
/// What platforms and carriers send, applied.
pub mod integrations;
/// Background workers: timers, parcel sweep, deliveries.
pub mod jobs;
/// What an instance counts for Prometheus.
pub mod metrics;
/// What the app does, once for every entry point.
pub mod operations;
/// What every handler can reach (`AppState`).
pub mod state;
