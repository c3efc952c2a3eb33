//! aftersale: after-sales service for online shops.
//!
//! Work in progress (see docs/ARCHITECTURE.md): `domain` is compiled and tested; `db/` and
//! `error.rs` are written but not yet wired in (next session wires them with the HTTP API).

/// The pure domain: case kinds, statuses, the lifecycle state machine, money, refunds.
pub mod domain;
