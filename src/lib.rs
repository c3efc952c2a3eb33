//! aftersale: after-sales service for online shops. See docs/ARCHITECTURE.md for the map.

/// The pure domain: case kinds, statuses, the lifecycle state machine, money, refunds.
pub mod domain;

pub mod documents;

pub mod api;
pub mod bench;
pub mod bench_notifications;
pub mod console;
pub mod db;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod integrations;
pub mod jobs;
pub mod operations;
pub mod pages;
pub mod portal;
