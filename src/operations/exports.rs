//! Tables as files for spreadsheets: CSV (UTF-8 with a BOM, so that Excel and WPS read the
//! Chinese) and XLSX (the figures as numbers, everything else as text: a 20-digit invoice or
//! order number is never rounded).

use rust_xlsxwriter::Workbook;

use crate::error::{AppError, AppResult};

pub fn csv<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

/// One sheet named `name`; the columns in `numbers` are written as numbers where they are ones.
pub fn xlsx<const N: usize>(
    name: &str,
    header: [&str; N],
    rows: &[[String; N]],
    numbers: &[usize],
) -> AppResult<Vec<u8>> {
    let failed = |error: rust_xlsxwriter::XlsxError| AppError::Internal(error.into());
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name).map_err(failed)?;
    for (column, title) in header.iter().enumerate() {
        sheet
            .write_string(0, column as u16, *title)
            .map_err(failed)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let at = index as u32 + 1;
        for (column, value) in row.iter().enumerate() {
            match value.parse::<i64>() {
                Ok(number) if numbers.contains(&column) => sheet
                    .write_number(at, column as u16, number as f64)
                    .map_err(failed)?,
                _ => sheet
                    .write_string(at, column as u16, value)
                    .map_err(failed)?,
            };
        }
    }
    workbook.save_to_buffer().map_err(failed)
}
