//! `aftersale import orders FILE.csv|FILE.xlsx [ITEMS.csv]`: orders from a file (or Taobao's two
//! reports), each bad row reported.

use anyhow::Context;
use clap::Subcommand;

use crate::db::{Database, shops};
use crate::demo;
use crate::domain::Role;
use crate::domain::layouts::SavedLayout;
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
        /// For a layout no platform's matches: the file's headers mapped to the import's
        /// columns, e.g. '订单号码=order_number,付款时间=paid_at,宝贝=product_name'.
        #[arg(long)]
        map: Option<String>,
        /// The platform the mapped file's orders come from (taobao, jd, pinduoduo …).
        #[arg(long, requires = "map")]
        platform: Option<String>,
        /// Keeps the mapping in the shop's settings under this name: files with the same
        /// headers are then read by it without --map.
        #[arg(long, requires = "map")]
        save_as: Option<String>,
    },
}

pub async fn run(database: Database, what: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Orders {
        files,
        shop,
        map,
        platform,
        save_as,
    } = what;
    let shop = super::find_shop(&database, &shop).await?;
    let mapping = match &map {
        Some(text) => Some(SavedLayout {
            name: save_as.clone().unwrap_or_else(|| "mapping".into()),
            platform,
            columns: import::parse_mapping(text).map_err(|error| anyhow::anyhow!("{error}"))?,
        }),
        None => None,
    };
    let saved = crate::db::settings::load(&database.reader, &shop.id)
        .await?
        .import_layouts;
    let mut sheets = Vec::new();
    for file in &files {
        let format = Format::from_name(&file.to_string_lossy())
            .context("the file must end in .csv or .xlsx")?;
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let sheet = import::read(&bytes, format, mapping.as_ref(), &saved)
            .map_err(|error| anyhow::anyhow!("{}: {error}", file.display()))?;
        if let Some(name) = &sheet.read_as {
            println!("{}: {name}", file.display());
        }
        sheets.push(sheet);
    }
    let rows = import::combine(sheets).map_err(|error| anyhow::anyhow!("{error}"))?;
    let actor = shops::Actor {
        shop,
        role: Role::System,
        staff_id: None,
    };
    if let (Some(mapping), Some(name)) = (mapping, &save_as) {
        import::save_layout(&database, &actor, mapping)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        println!("Layout '{name}' saved: files with these headers are read by it from now on.");
    }
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
