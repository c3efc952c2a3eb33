//! `aftersale import orders FILE.csv|FILE.xlsx`: orders from a file, each bad row reported.

use anyhow::Context;
use clap::Subcommand;

use crate::db::{Database, shops};
use crate::demo;
use crate::domain::Role;
use crate::operations::import::{self, Format};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Orders from a CSV or XLSX file, one row per order line.
    Orders {
        file: std::path::PathBuf,
        #[arg(long, default_value = demo::SHOP_SLUG)]
        shop: String,
    },
}

pub async fn run(database: Database, what: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Orders { file, shop } = what;
    let shop = super::find_shop(&database, &shop).await?;
    let format =
        Format::from_name(&file.to_string_lossy()).context("the file must end in .csv or .xlsx")?;
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let rows = import::read(&bytes, format).map_err(|error| anyhow::anyhow!("{error}"))?;
    let actor = shops::Actor {
        shop,
        role: Role::System,
        staff_id: None,
    };
    let bar = indicatif::ProgressBar::new(rows.len() as u64);
    bar.set_style(indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} rows  {elapsed}",
    )?);
    let report = import::import(&database, &actor, &rows, &|done| {
        bar.set_position(done as u64)
    })
    .await;
    bar.finish();
    println!(
        "{} rows: {} orders created, {} updated, {} unchanged, {} rows with errors",
        report.rows,
        report.orders_created,
        report.orders_updated,
        report.orders_unchanged,
        report.errors.len()
    );
    for error in &report.errors {
        let number = error
            .order_number
            .as_deref()
            .map(|number| format!(" ({number})"))
            .unwrap_or_default();
        println!("  row {}{number}: {}", error.row, error.message);
    }
    Ok(())
}
