//! A case's SLA figures, kept on its row.

use super::*;

pub use crate::domain::sla::SlaState;

/// The SLA columns, named as [`SlaState`]'s fields.
pub(super) const SLA_COLUMNS: &str = "first_response_at, resolved_at, sla_first_response_due AS first_response_due, \
    sla_resolution_due AS resolution_due, sla_paused_at AS paused_at, sla_paused_minutes AS paused_minutes, \
    sla_business_minutes AS business_minutes, sla_breached AS breached";

pub async fn sla_state(transaction: &mut Transaction, id: &str) -> Result<SlaState, sqlx::Error> {
    let sql = format!("SELECT {SLA_COLUMNS} FROM cases WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut **transaction)
        .await
}

pub async fn read_sla(pool: &AnyPool, id: &str) -> Result<Option<SlaState>, sqlx::Error> {
    let sql = format!("SELECT {SLA_COLUMNS} FROM cases WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Writes the SLA figures and the queue's `due_at` (the next target). Not a change by a person,
/// so the version stays: nobody's edit fails because a clock ticked.
pub async fn set_sla(
    transaction: &mut Transaction,
    id: &str,
    state: &SlaState,
    due_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE cases SET first_response_at = $1, resolved_at = $2, sla_first_response_due = $3, \
         sla_resolution_due = $4, sla_paused_at = $5, sla_paused_minutes = $6, sla_business_minutes = $7, \
         sla_breached = $8, due_at = $9 WHERE id = $10",
    )
    .bind(state.first_response_at)
    .bind(state.resolved_at)
    .bind(state.first_response_due)
    .bind(state.resolution_due)
    .bind(state.paused_at)
    .bind(state.paused_minutes)
    .bind(state.business_minutes)
    .bind(state.breached.as_deref())
    .bind(due_at)
    .bind(id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
