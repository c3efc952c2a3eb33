//! Changing a shop's settings, reasons and staff: one set of checks for the API and the console.

use crate::db::Database;
use crate::db::shops::{self, Actor, Reason};
use crate::db::{invitations, settings};
use crate::domain::audit;
use crate::domain::identifiers::ShopId;
use crate::domain::permissions::Capability;
use crate::domain::settings::{ReplyTemplate, ShopSettings, merge_patch, missing_sections};
use crate::domain::{Role, clocks, policy};
use crate::error::{AppError, AppResult};
use serde_json::{Value, json};

/// Checks every part of a settings document.
fn check(new: &ShopSettings) -> AppResult<()> {
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
    new.costs
        .check()
        .map_err(|message| AppError::invalid("costs", message))?;
    new.surveys
        .check()
        .map_err(|message| AppError::invalid("surveys", message))?;
    new.audits
        .check()
        .map_err(|message| AppError::invalid("audits", message))?;
    new.reviews
        .check()
        .map_err(|message| AppError::invalid("reviews", message))?;
    new.visits
        .check()
        .map_err(|message| AppError::invalid("visits", message))?;
    new.reports
        .check()
        .map_err(|message| AppError::invalid("reports", message))?;
    new.knowledge
        .check()
        .map_err(|message| AppError::invalid("knowledge", message))?;
    crate::domain::layouts::check_saved(&new.import_layouts)
        .map_err(|message| AppError::invalid("import_layouts", message))?;
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
    Ok(())
}

/// Reads a settings document, naming the field that is wrong.
pub fn read_document(document: Value) -> AppResult<ShopSettings> {
    serde_path_to_error::deserialize(document).map_err(|error| {
        AppError::invalid(
            &error.path().to_string(),
            format!("{}: {}", error.path(), error.inner()),
        )
    })
}

/// Checks every part of the settings and stores them, with a kept version and an audit entry
/// (`how`: saved, patched, restored from version n). A policy narrower than the law is refused
/// with its findings.
pub async fn save(
    database: &Database,
    actor: &Actor,
    new: ShopSettings,
    how: &str,
) -> AppResult<ShopSettings> {
    AppError::require(actor.role, Capability::ManageSettings)?;
    check(&new)?;
    let now = database.clock.now();
    let before = settings::load(&database.reader, &actor.shop.id).await?;
    let (before_document, after_document) = (document(&before), document(&new));
    let mut transaction = database.begin().await?;
    // The setup as it was before the first change is kept too, so it can be restored.
    if !settings::has_versions(&mut transaction, &actor.shop.id).await? {
        settings::add_version(
            &mut transaction,
            &actor.shop.id,
            &before_document,
            None,
            "as it was",
            now,
        )
        .await?;
    }
    settings::save(&mut transaction, &actor.shop.id, &new, now).await?;
    let version = settings::add_version(
        &mut transaction,
        &actor.shop.id,
        &after_document,
        actor.staff_id.as_deref(),
        how,
        now,
    )
    .await?;
    let changes = audit::changes(&before_document, &after_document);
    super::audit::record_in(
        &mut transaction,
        database,
        actor,
        "settings.saved",
        "settings",
        &json!({ "how": how, "version": version, "sections": changes }),
    )
    .await?;
    transaction.commit().await?;
    settings::forget(database, &actor.shop.id);
    Ok(new)
}

fn document(settings: &ShopSettings) -> Value {
    serde_json::to_value(settings).unwrap_or_default()
}

/// Replaces the settings with a complete document: every section must be there (`null` where
/// a section may be empty), so a careless partial document never erases the rest.
pub async fn replace(database: &Database, actor: &Actor, body: Value) -> AppResult<ShopSettings> {
    AppError::require(actor.role, Capability::ManageSettings)?;
    if !body.is_object() {
        return Err(AppError::invalid("body", "the settings are a JSON object"));
    }
    let missing = missing_sections(&body);
    if !missing.is_empty() {
        return Err(AppError::Invalid {
            message: format!(
                "PUT replaces the whole settings document, and it lacks: {}. Send every section (GET /api/v1/settings gives them), or change parts with PATCH /api/v1/settings",
                missing.join(", ")
            ),
            details: json!({ "field": missing[0], "missing": missing }),
        });
    }
    save(database, actor, read_document(body)?, "saved").await
}

/// Changes parts of the settings with a JSON merge patch (RFC 7396): what the patch names
/// changes, the rest stays.
pub async fn patch(database: &Database, actor: &Actor, patch: Value) -> AppResult<ShopSettings> {
    AppError::require(actor.role, Capability::ManageSettings)?;
    if !patch.is_object() {
        return Err(AppError::invalid(
            "body",
            "a settings patch is a JSON object naming what changes",
        ));
    }
    let current = settings::load(&database.reader, &actor.shop.id).await?;
    let mut merged = document(&current);
    merge_patch(&mut merged, &patch);
    // A section removed by `null` returns to its default rather than disappearing.
    let defaults = document(&ShopSettings::default());
    for section in missing_sections(&merged) {
        merged[section] = defaults[section].clone();
    }
    save(database, actor, read_document(merged)?, "patched").await
}

/// The kept versions of the settings, newest first.
pub async fn versions(
    database: &Database,
    actor: &Actor,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<settings::VersionRecord>> {
    AppError::require(actor.role, Capability::ReadAudit)?;
    Ok(settings::versions(&database.reader, &actor.shop.id, before, limit).await?)
}

/// One kept version.
pub async fn version(
    database: &Database,
    actor: &Actor,
    number: i64,
) -> AppResult<settings::VersionRecord> {
    AppError::require(actor.role, Capability::ReadAudit)?;
    settings::version(&database.reader, &actor.shop.id, number)
        .await?
        .ok_or(AppError::NotFound("settings version"))
}

/// Makes a kept version the current settings again (itself a new version).
pub async fn restore(database: &Database, actor: &Actor, number: i64) -> AppResult<ShopSettings> {
    AppError::require(actor.role, Capability::ManageSettings)?;
    let kept = version(database, actor, number).await?;
    let document: Value = serde_json::from_str(&kept.document).map_err(|error| {
        AppError::Internal(anyhow::anyhow!("settings version {number}: {error}"))
    })?;
    save(
        database,
        actor,
        read_document(document)?,
        &format!("restored from version {number}"),
    )
    .await
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
    super::audit::record_in(
        &mut transaction,
        database,
        actor,
        "reason.saved",
        &reason.code,
        &json!({ "category": reason.category, "name_zh": reason.name_zh, "name_en": reason.name_en, "active": reason.active }),
    )
    .await?;
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
        let before = shops::membership_role(&database.reader, &actor.shop.id, id).await?;
        let mut transaction = database.begin().await?;
        shops::set_membership(&mut transaction, &actor.shop.id, id, role).await?;
        super::audit::record_in(
            &mut transaction,
            database,
            actor,
            "staff.role_changed",
            email.as_str(),
            &json!({ "role": { "before": before, "after": role } }),
        )
        .await?;
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
    super::audit::record_in(
        &mut transaction,
        database,
        actor,
        "staff.invited",
        email.as_str(),
        &json!({ "role": role, "name": name }),
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
    let before = shops::membership_role(&database.reader, &actor.shop.id, staff_id).await?;
    let email = shops::staff_email(&database.reader, staff_id).await?;
    let mut transaction = database.begin().await?;
    shops::remove_membership(&mut transaction, &actor.shop.id, staff_id).await?;
    if before.is_some() {
        super::audit::record_in(
            &mut transaction,
            database,
            actor,
            "staff.removed",
            staff_id,
            &json!({ "email": email, "role": { "before": before, "after": null } }),
        )
        .await?;
    }
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
    let Some(before) = shops::membership_role(&database.reader, &actor.shop.id, staff_id).await?
    else {
        return Err(AppError::NotFound("staff member"));
    };
    let email = shops::staff_email(&database.reader, staff_id).await?;
    let mut transaction = database.begin().await?;
    shops::set_membership(&mut transaction, &actor.shop.id, staff_id, role).await?;
    super::audit::record_in(
        &mut transaction,
        database,
        actor,
        "staff.role_changed",
        staff_id,
        &json!({ "email": email, "role": { "before": before, "after": role } }),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}
