//! `aftersale import orders FILE.csv|FILE.xlsx [ITEMS.csv]`: orders from a file (or Taobao's two
//! reports), each bad row reported.

use anyhow::Context;
use clap::Subcommand;

use crate::db::{Database, shops};
use crate::demo;
use crate::domain::Role;
use crate::operations::import::{self, Format};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Orders from a CSV or XLSX file: the import's own layout (one row per order line) or a
    /// platform's export as it comes (Taobao's order report and item report given together).
    Orders {
        #[arg(required = true, num_args = 1..=2)]
        files: Vec<std::path::PathBuf>,
        #[arg(long, default_value = demo::SHOP_SLUG)]
        shop: String,
    },
}

pub async fn run(database: Database, what: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Orders { files, shop } = what;
    let shop = super::find_shop(&database, &shop).await?;
    let mut sheets = Vec::new();
    for file in &files {
        let format = Format::from_name(&file.to_string_lossy())
            .context("the file must end in .csv or .xlsx")?;
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let sheet = import::read(&bytes, format)
            .map_err(|error| anyhow::anyhow!("{}: {error}", file.display()))?;
        if let Some(layout) = sheet.layout {
            println!("{}: {}", file.display(), layout.name);
        }
        sheets.push(sheet);
    }
    let rows = import::combine(sheets).map_err(|error| anyhow::anyhow!("{error}"))?;
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
