//! The pure domain: plain types and functions, no I/O, no SQL, no HTTP.
//! Handlers parse input into these types, call these functions, then persist.

pub mod aftersales;
pub mod allocation;
pub mod amount;
pub mod answers;
pub mod arrival;
pub mod audit;
pub mod audits;
pub mod calendar;
pub mod case;
pub mod checklist;
pub mod classifier;
pub mod clocks;
pub mod costs;
pub mod currency;
pub mod disputes;
pub mod identifiers;
pub mod invoices;
pub mod knowledge;
pub mod kpis;
pub mod layouts;
pub mod lifecycle;
pub mod media;
pub mod money;
pub mod network;
pub mod notifications;
pub mod order;
pub mod parcels;
pub mod permissions;
pub mod policy;
pub mod refund;
pub mod refusals;
pub mod replies;
pub mod reports;
pub mod reviews;
pub mod settings;
pub mod signing;
pub mod sla;
pub mod suggestions;
pub mod suppliers;
pub mod surveys;
pub mod time;
pub mod triage;
pub mod visits;

pub use case::{Action, CaseKind, Priority, Role, Status};
pub use money::{Currency, Money};
