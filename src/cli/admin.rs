//! `aftersale admin shop|user|token`: shops, staff and API tokens from the command line.

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::db::{Database, shops, tokens};
use crate::demo;
use crate::domain::Role;
use crate::operations::shops as shop_setup;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Adds a shop.
    Shop {
        #[command(subcommand)]
        what: ShopCommand,
    },
    /// Adds a staff member to a shop (or updates one with the same e-mail).
    User {
        #[command(subcommand)]
        what: UserCommand,
    },
    /// Creates an API token and prints it once.
    Token {
        #[command(subcommand)]
        what: TokenCommand,
    },
}

#[derive(Subcommand)]
pub enum ShopCommand {
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// agent, inspector, supervisor or admin.
        #[arg(long)]
        role: String,
        #[arg(long, env = "APP_USER_PASSWORD")]
        password: String,
        #[arg(long, default_value = demo::SHOP_SLUG)]
        shop: String,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    Create {
        #[arg(long, default_value = demo::SHOP_SLUG)]
        shop: String,
        /// agent, inspector, supervisor, admin or system.
        #[arg(long)]
        role: String,
        /// The staff member the token acts as (optional for system tokens).
        #[arg(long)]
        email: Option<String>,
        #[arg(long, default_value = "api")]
        name: String,
    },
    /// Lists the shop's tokens (never the tokens themselves).
    List {
        #[arg(long, default_value = demo::SHOP_SLUG)]
        shop: String,
    },
    /// Revokes a token by its id: it stops working at once.
    Revoke {
        #[arg(long, default_value = demo::SHOP_SLUG)]
        shop: String,
        #[arg(long)]
        id: String,
    },
}

fn staff_role(text: &str) -> anyhow::Result<Role> {
    match Role::parse(text) {
        Some(role) if role != Role::Customer => Ok(role),
        _ => bail!("unknown role '{text}': use agent, inspector, supervisor, admin or system"),
    }
}

pub async fn run(database: Database, what: AdminCommand) -> anyhow::Result<()> {
    match what {
        AdminCommand::Shop {
            what: ShopCommand::Add { slug, name },
        } => {
            let shop = shop_setup::ensure_shop(&database, &slug, &name).await?;
            println!("Shop '{}' ({}) is ready.", shop.slug, shop.id);
        }
        AdminCommand::User {
            what:
                UserCommand::Add {
                    email,
                    name,
                    role,
                    password,
                    shop,
                },
        } => {
            let role = staff_role(&role)?;
            if password.chars().count() < 8 {
                bail!("the password needs at least 8 characters");
            }
            let shop = super::find_shop(&database, &shop).await?;
            let id =
                shop_setup::add_staff(&database, &shop, email.trim(), name.trim(), role, &password)
                    .await?;
            println!("{email} is now {role} of '{}' (staff id {id}).", shop.slug);
        }
        AdminCommand::Token {
            what:
                TokenCommand::Create {
                    shop,
                    role,
                    email,
                    name,
                },
        } => {
            let role = staff_role(&role)?;
            let shop = super::find_shop(&database, &shop).await?;
            let staff_id = match email {
                Some(email) => {
                    let (id, _) = shops::find_staff_by_email(&database.reader, email.trim())
                        .await?
                        .with_context(|| format!("no staff member {email}"))?;
                    if shops::membership_role(&database.reader, &shop.id, &id)
                        .await?
                        .is_none()
                    {
                        bail!("{email} is not a member of '{}'", shop.slug);
                    }
                    Some(id)
                }
                None if role == Role::System => None,
                None => bail!("a {role} token needs --email of the staff member it acts as"),
            };
            let token = crate::operations::tokens::new_secret();
            shop_setup::add_token(&database, &shop, staff_id.as_deref(), role, &name, &token)
                .await?;
            println!("{token}");
            eprintln!("Keep it safe: only its hash is stored.");
        }
        AdminCommand::Token {
            what: TokenCommand::List { shop },
        } => {
            let shop = super::find_shop(&database, &shop).await?;
            let records = tokens::list(&database.reader, &shop.id, None).await?;
            println!("id\tname\trole\towner\tcreated\texpires\tlast used\trevoked");
            let when = |at: Option<i64>| {
                at.map(|at| crate::domain::time::format_in_zone(at, &shop.time_zone))
                    .unwrap_or_else(|| "-".into())
            };
            for record in records {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    record.id,
                    record.name,
                    record.role,
                    record.staff_email.as_deref().unwrap_or("(shop)"),
                    when(Some(record.created_at)),
                    when(record.expires_at),
                    when(record.last_used_at),
                    when(record.revoked_at),
                );
            }
        }
        AdminCommand::Token {
            what: TokenCommand::Revoke { shop, id },
        } => {
            let shop = super::find_shop(&database, &shop).await?;
            let now = database.clock.now();
            if !tokens::revoke(&database, &shop.id, id.trim(), now).await? {
                bail!(
                    "no token {id} in '{}' that is not already revoked",
                    shop.slug
                );
            }
            println!("Token {id} is revoked.");
        }
    }
    Ok(())
}
