//! Invitations to work in a shop: made by an admin, accepted (then a membership) or declined by
//! the person.

use sqlx::AnyPool;

use super::shops::Shop;
use super::{Database, Transaction};
use crate::domain::Role;
use crate::domain::identifiers::ShopId;

pub struct NewInvitation<'a> {
    pub shop_id: &'a ShopId,
    pub staff_id: &'a str,
    /// The address as the admin typed it (shown in the shop's list instead of the account's name).
    pub email: &'a str,
    pub role: Role,
    pub invited_by: Option<&'a str>,
}

/// Invites (again, with the role given now).
pub async fn upsert(
    transaction: &mut Transaction,
    invitation: &NewInvitation<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invitations (shop_id, staff_id, email, role, invited_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (shop_id, staff_id) DO UPDATE SET \
         email = excluded.email, role = excluded.role, invited_by = excluded.invited_by, \
         created_at = excluded.created_at",
    )
    .bind(invitation.shop_id)
    .bind(invitation.staff_id)
    .bind(invitation.email)
    .bind(invitation.role.as_str())
    .bind(invitation.invited_by)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// The shop's open invitations: the address typed and the role.
pub async fn of_shop(pool: &AnyPool, shop_id: &ShopId) -> Result<Vec<(String, Role)>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT email, role FROM invitations WHERE shop_id = $1 ORDER BY created_at, email",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(email, role)| Some((email, Role::parse(&role)?)))
        .collect())
}

/// A person's open invitations: the shop and the role offered.
pub async fn of_staff(pool: &AnyPool, staff_id: &str) -> Result<Vec<(Shop, Role)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        shop: Shop,
        invited_role: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.id, s.slug, s.name, s.currency, s.time_zone, s.locale, i.role AS invited_role \
         FROM invitations i JOIN shops s ON s.id = i.shop_id WHERE i.staff_id = $1 ORDER BY s.name",
    )
    .bind(staff_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| Some((row.shop, Role::parse(&row.invited_role)?)))
        .collect())
}

/// Accepts: the invitation becomes a membership with its role; false when there was none.
pub async fn accept(
    database: &Database,
    shop_id: &ShopId,
    staff_id: &str,
) -> Result<bool, sqlx::Error> {
    let mut transaction = database.begin().await?;
    let role: Option<String> = sqlx::query_scalar(
        "DELETE FROM invitations WHERE shop_id = $1 AND staff_id = $2 RETURNING role",
    )
    .bind(shop_id)
    .bind(staff_id)
    .fetch_optional(&mut *transaction)
    .await?;
    let Some(role) = role.as_deref().and_then(Role::parse) else {
        return Ok(false);
    };
    super::shops::set_membership(&mut transaction, shop_id, staff_id, role).await?;
    transaction.commit().await?;
    Ok(true)
}

/// Declines: the invitation is gone; false when there was none.
pub async fn decline(
    database: &Database,
    shop_id: &ShopId,
    staff_id: &str,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM invitations WHERE shop_id = $1 AND staff_id = $2")
            .bind(shop_id)
            .bind(staff_id)
            .execute(&database.writer)
            .await?
            .rows_affected()
            == 1,
    )
}
