//! Changing a shop's settings, reasons and staff: one set of checks for the API and the console.

use crate::db::Database;
use crate::db::shops::{self, Actor, Reason};
use crate::db::{invitations, settings};
use crate::domain::identifiers::ShopId;
use crate::domain::permissions::Capability;
use crate::domain::settings::{ReplyTemplate, ShopSettings};
use crate::domain::{Role, clocks, policy};
use crate::error::{AppError, AppResult};

/// Checks every part of the settings and stores them. A policy narrower than the law is
/// refused with its findings.
pub async fn save(
    database: &Database,
    actor: &Actor,
    new: ShopSettings,
) -> AppResult<ShopSettings> {
    AppError::require(actor.role, Capability::ManageSettings)?;
    clocks::check_settings(&new.clocks).map_err(|message| AppError::invalid("clocks", message))?;
    new.sla
        .check()
        .map_err(|message| AppError::invalid("sla", message))?;
    new.branding
        .check()
        .map_err(|message| AppError::invalid("branding", message))?;
    ReplyTemplate::check_all(&new.reply_templates)
        .map_err(|message| AppError::invalid("reply_templates", message))?;
    crate::domain::checklist::check(&new.sop)
        .map_err(|message| AppError::invalid("sop", message))?;
    new.parcels
        .check()
        .map_err(|message| AppError::invalid("parcels", message))?;
    if new
        .return_address
        .as_ref()
        .is_some_and(|address| address.chars().count() > 500)
    {
        return Err(AppError::invalid(
            "return_address",
            "return_address is longer than 500 characters",
        ));
    }
    let problems = policy::check_shop_policy(new.jurisdiction, &new.policy);
    if !problems.is_empty() {
        return Err(AppError::Invalid {
            message: format!(
                "the policy is narrower than the law: {}",
                problems
                    .iter()
                    .map(|problem| problem.explanation.english.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            details: serde_json::json!({ "field": "policy", "findings": problems }),
        });
    }
    settings::store(database, &actor.shop.id, &new, database.clock.now()).await?;
    Ok(new)
}

/// Adds or changes one of the shop's reason codes (supervisors and admins).
pub async fn save_reason(database: &Database, actor: &Actor, reason: &Reason) -> AppResult<()> {
    AppError::require(actor.role, Capability::ManageReasons)?;
    let code_ok = (1..=40).contains(&reason.code.len())
        && reason.code.chars().all(|character| {
            character.is_ascii_lowercase() || character.is_ascii_digit() || character == '_'
        });
    if !code_ok {
        return Err(AppError::invalid(
            "code",
            format!(
                "code '{}' must be 1–40 lower-case letters, digits or _",
                reason.code
            ),
        ));
    }
    for (field, text) in [
        ("category", &reason.category),
        ("name_zh", &reason.name_zh),
        ("name_en", &reason.name_en),
    ] {
        if !(1..=60).contains(&text.trim().chars().count()) {
            return Err(AppError::invalid(
                field,
                format!("{field} is required (1–60 characters)"),
            ));
        }
    }
    let position = shops::reason_position(&database.reader, &actor.shop.id, &reason.code).await?;
    let mut transaction = database.begin().await?;
    shops::upsert_reason(&mut transaction, &actor.shop.id, reason, position).await?;
    transaction.commit().await?;
    Ok(())
}

/// Invites a person to the shop with a role (admins); a member already is given the role. The
/// name and a password of at least 8 characters are always asked for and the answer is the same
/// whether or not the address has an account, so an admin learns nothing about other shops:
/// a new address gets an account with that password, an existing one keeps its own; either way
/// the person joins by accepting (a new account on its first sign-in).
pub async fn add_member(
    database: &Database,
    actor: &Actor,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> AppResult<()> {
    AppError::require(actor.role, Capability::ManageStaff)?;
    let email = crate::domain::identifiers::EmailAddress::parse(email)
        .map_err(|error| AppError::invalid("email", error.to_string()))?;
    if !role.is_staff() {
        return Err(AppError::invalid(
            "role",
            format!("'{role}' is not a staff role"),
        ));
    }
    let name = name.trim();
    if !(1..=60).contains(&name.chars().count()) {
        return Err(AppError::invalid(
            "name",
            "name is required (1–60 characters)",
        ));
    }
    if password.chars().count() < 8 {
        return Err(AppError::invalid(
            "password",
            "password is required: at least 8 characters (a person who already has an account keeps their own)",
        ));
    }
    let existing = shops::find_staff_by_email(&database.writer, email.as_str())
        .await?
        .map(|(id, _)| id);
    if let Some(id) = &existing
        && shops::is_member(&database.writer, &actor.shop.id, id).await?
    {
        let mut transaction = database.begin().await?;
        shops::set_membership(&mut transaction, &actor.shop.id, id, role).await?;
        transaction.commit().await?;
        return Ok(());
    }
    let hash = super::shops::hash_password(password).map_err(AppError::Internal)?;
    let mut transaction = database.begin().await?;
    let staff_id = match existing {
        Some(id) => id,
        None => {
            shops::upsert_staff(
                &mut transaction,
                email.as_str(),
                name,
                &hash,
                database.clock.now(),
            )
            .await?
        }
    };
    invitations::upsert(
        &mut transaction,
        &invitations::NewInvitation {
            shop_id: &actor.shop.id,
            staff_id: &staff_id,
            email: email.as_str(),
            role,
            invited_by: actor.staff_id.as_deref(),
        },
        database.clock.now(),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// The person accepts a shop's invitation and works there from now on.
pub async fn accept_invitation(
    database: &Database,
    staff_id: &str,
    shop_id: &ShopId,
) -> AppResult<()> {
    if invitations::accept(database, shop_id, staff_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("invitation"))
    }
}

/// The person declines a shop's invitation.
pub async fn decline_invitation(
    database: &Database,
    staff_id: &str,
    shop_id: &ShopId,
) -> AppResult<()> {
    if invitations::decline(database, shop_id, staff_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("invitation"))
    }
}

/// A person who works nowhere yet signs in with the password their invitation set: that is
/// their answer, and they join the shops that invited them.
pub async fn join_on_first_sign_in(database: &Database, staff_id: &str) -> AppResult<()> {
    for (shop, _) in invitations::of_staff(&database.writer, staff_id).await? {
        invitations::accept(database, &shop.id, staff_id).await?;
    }
    Ok(())
}

/// Takes a person out of the shop (admins; not themselves).
pub async fn remove_member(database: &Database, actor: &Actor, staff_id: &str) -> AppResult<()> {
    AppError::require(actor.role, Capability::ManageStaff)?;
    if actor.staff_id.as_deref() == Some(staff_id) {
        return Err(AppError::invalid(
            "staff_id",
            "you cannot remove yourself from the shop",
        ));
    }
    let mut transaction = database.begin().await?;
    shops::remove_membership(&mut transaction, &actor.shop.id, staff_id).await?;
    transaction.commit().await?;
    Ok(())
}

/// Changes a member's role (admins; not their own, so a shop keeps an admin).
pub async fn set_role(
    database: &Database,
    actor: &Actor,
    staff_id: &str,
    role: Role,
) -> AppResult<()> {
    AppError::require(actor.role, Capability::ManageStaff)?;
    if !role.is_staff() {
        return Err(AppError::invalid(
            "role",
            format!("'{role}' is not a staff role"),
        ));
    }
    if actor.staff_id.as_deref() == Some(staff_id) {
        return Err(AppError::invalid(
            "staff_id",
            "you cannot change your own role",
        ));
    }
    if shops::membership_role(&database.reader, &actor.shop.id, staff_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound("staff member"));
    }
    let mut transaction = database.begin().await?;
    shops::set_membership(&mut transaction, &actor.shop.id, staff_id, role).await?;
    transaction.commit().await?;
    Ok(())
}
