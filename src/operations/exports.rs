//! Tables as files for spreadsheets: CSV (UTF-8 with a BOM, so that Excel and WPS read the
//! Chinese) and XLSX (the figures as numbers, everything else as text: a 20-digit invoice or
//! order number is never rounded). A list of any length is written as it is read, a page at a
//! time ([`Listing`]): CSV goes out page by page, XLSX is built in a temporary file, so a
//! million rows never sit in memory.

use std::future::Future;
use std::io::{Seek, SeekFrom};
use std::pin::Pin;

use futures::Stream;
use rust_xlsxwriter::{Workbook, Worksheet};

use crate::error::{AppError, AppResult};

/// A page of records being read.
pub type Reading<R> = Pin<Box<dyn Future<Output = AppResult<Vec<R>>> + Send>>;

/// A page of a list read after a position (the first page after none).
pub type Read<R> = Box<dyn Fn(Option<(i64, String)>) -> Reading<R> + Send + Sync>;

/// A record's place in its list: (sort key, id).
type Position<R> = Box<dyn Fn(&R) -> (i64, String) + Send + Sync>;

/// A list read page by page in its keyset order, each record turned into a row.
pub struct Listing<R> {
    read: Read<R>,
    position: Position<R>,
    row: Box<dyn Fn(R) -> Vec<String> + Send + Sync>,
    size: i64,
    after: Option<(i64, String)>,
    done: bool,
}

impl<R> Listing<R> {
    /// `read` asks for pages of `size` records (a shorter page is the last); `position` gives a
    /// record's (sort key, id), the next page's start.
    pub fn new(
        size: i64,
        read: Read<R>,
        position: impl Fn(&R) -> (i64, String) + Send + Sync + 'static,
        row: impl Fn(R) -> Vec<String> + Send + Sync + 'static,
    ) -> Listing<R> {
        Listing {
            read,
            position: Box::new(position),
            row: Box::new(row),
            size,
            after: None,
            done: false,
        }
    }

    /// The next page's rows; none once the list is through (or has failed).
    pub async fn next(&mut self) -> AppResult<Option<Vec<Vec<String>>>> {
        if self.done {
            return Ok(None);
        }
        let records = match (self.read)(self.after.take()).await {
            Ok(records) => records,
            Err(error) => {
                self.done = true;
                return Err(error);
            }
        };
        self.done = (records.len() as i64) < self.size;
        self.after = records.last().map(&self.position);
        if records.is_empty() {
            return Ok(None);
        }
        Ok(Some(records.into_iter().map(&self.row).collect()))
    }
}

/// A list as a file: its name, its sheet's name, its columns and which hold numbers.
pub struct Table<R> {
    pub file: String,
    pub sheet: &'static str,
    pub header: &'static [&'static str],
    pub numbers: &'static [usize],
    pub listing: Listing<R>,
}

fn csv_lines(rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        let _ = writer.write_record(row);
    }
    writer.into_inner().unwrap_or_default()
}

/// The list as CSV (UTF-8 with a BOM), one chunk per page, the header first.
pub fn csv_stream<R: Send + 'static>(
    header: &[&str],
    listing: Listing<R>,
) -> impl Stream<Item = AppResult<Vec<u8>>> + Send + 'static {
    let header = header.iter().map(|title| title.to_string()).collect();
    futures::stream::unfold(
        (Some(header), listing),
        |(header, mut listing)| async move {
            if let Some(header) = header {
                let mut first = "\u{feff}".as_bytes().to_vec();
                first.extend(csv_lines(&[header]));
                return Some((Ok(first), (None, listing)));
            }
            match listing.next().await {
                Ok(Some(rows)) => Some((Ok(csv_lines(&rows)), (None, listing))),
                Ok(None) => None,
                Err(error) => Some((Err(error), (None, listing))),
            }
        },
    )
}

/// The rows an XLSX sheet holds, its header included.
const SHEET_ROWS: u32 = 1_048_576;

/// The list as an XLSX workbook in a temporary file (deleted once closed), read from its start:
/// sheets named `name`, `name 2` … of at most 1,048,576 rows each, the `numbers` columns as
/// numbers where they are ones.
pub async fn xlsx_file<R: Send + 'static>(
    name: &str,
    header: &[&str],
    numbers: &[usize],
    listing: Listing<R>,
) -> AppResult<std::fs::File> {
    xlsx_sheets(name, (header, numbers), listing, SHEET_ROWS).await
}

async fn xlsx_sheets<R: Send + 'static>(
    name: &str,
    (header, numbers): (&[&str], &[usize]),
    mut listing: Listing<R>,
    sheet_rows: u32,
) -> AppResult<std::fs::File> {
    let failed = |error: rust_xlsxwriter::XlsxError| AppError::Internal(error.into());
    let mut workbook = Workbook::new();
    let mut sheets = 0;
    let mut at = sheet_rows;
    let begin = |workbook: &mut Workbook, sheets: &mut u32| -> AppResult<()> {
        *sheets += 1;
        let sheet = workbook.add_worksheet_with_constant_memory();
        sheet
            .set_name(match *sheets {
                1 => name.to_string(),
                n => format!("{name} {n}"),
            })
            .map_err(failed)?;
        for (column, title) in header.iter().enumerate() {
            sheet
                .write_string(0, column as u16, *title)
                .map_err(failed)?;
        }
        Ok(())
    };
    while let Some(rows) = listing.next().await? {
        for row in rows {
            if at == sheet_rows {
                begin(&mut workbook, &mut sheets)?;
                at = 1;
            }
            let sheet = workbook
                .worksheet_from_index(sheets as usize - 1)
                .map_err(failed)?;
            write_row(sheet, at, &row, numbers).map_err(failed)?;
            at += 1;
        }
    }
    if sheets == 0 {
        begin(&mut workbook, &mut sheets)?;
    }
    tokio::task::spawn_blocking(move || {
        let mut file = tempfile::tempfile().map_err(|error| AppError::Internal(error.into()))?;
        workbook.save_to_writer(&mut file).map_err(failed)?;
        file.seek(SeekFrom::Start(0))
            .map_err(|error| AppError::Internal(error.into()))?;
        Ok(file)
    })
    .await
    .map_err(|error| AppError::Internal(error.into()))?
}

fn write_row(
    sheet: &mut Worksheet,
    at: u32,
    row: &[String],
    numbers: &[usize],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (column, value) in row.iter().enumerate() {
        match value.parse::<f64>() {
            Ok(number) if numbers.contains(&column) && number.is_finite() => {
                sheet.write_number(at, column as u16, number)?
            }
            _ => sheet.write_string(at, column as u16, value)?,
        };
    }
    Ok(())
}

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
        write_row(sheet, index as u32 + 1, row, numbers).map_err(failed)?;
    }
    workbook.save_to_buffer().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use futures::StreamExt;
    use std::sync::{Arc, Mutex};

    /// A list of `count` numbers read `size` at a time, counting its reads.
    fn numbers(count: i64, size: i64, reads: Arc<Mutex<usize>>) -> Listing<i64> {
        let read: Read<i64> = Box::new(move |after| {
            *reads.lock().unwrap() += 1;
            let start = after.map_or(0, |(key, _)| key + 1);
            Box::pin(async move { Ok((start..count.min(start + size)).collect()) })
        });
        Listing::new(
            size,
            read,
            |n| (*n, n.to_string()),
            |n| vec![format!("N{n:03}"), (n * 10).to_string()],
        )
    }

    #[tokio::test]
    async fn a_csv_goes_out_a_page_a_chunk_and_stops_after_the_last() {
        let reads = Arc::new(Mutex::new(0));
        let chunks: Vec<Vec<u8>> = csv_stream(&["code", "value"], numbers(6, 2, reads.clone()))
            .map(|chunk| chunk.unwrap())
            .collect()
            .await;
        assert_eq!(chunks.len(), 4, "the header, then three pages");
        let text = String::from_utf8(chunks.concat()).unwrap();
        assert_eq!(
            text,
            "\u{feff}code,value\nN000,0\nN001,10\nN002,20\nN003,30\nN004,40\nN005,50\n"
        );
        assert_eq!(*reads.lock().unwrap(), 4, "a full last page asks once more");
    }

    #[tokio::test]
    async fn a_long_list_continues_on_further_sheets_each_with_the_header() {
        let reads = Arc::new(Mutex::new(0));
        let file = xlsx_sheets("List", (&["code", "value"], &[1]), numbers(7, 2, reads), 3)
            .await
            .unwrap();
        let mut workbook = Xlsx::new(std::io::BufReader::new(file)).unwrap();
        assert_eq!(
            workbook.sheet_names(),
            ["List", "List 2", "List 3", "List 4"]
        );
        let last = workbook.worksheet_range("List 4").unwrap();
        let rows: Vec<Vec<Data>> = last.rows().map(|row| row.to_vec()).collect();
        assert_eq!(
            rows,
            vec![
                vec![Data::String("code".into()), Data::String("value".into())],
                vec![Data::String("N006".into()), Data::Float(60.0)],
            ]
        );
        let empty = xlsx_sheets("Empty", (&["code"], &[]), numbers(0, 2, Arc::default()), 3)
            .await
            .unwrap();
        let mut workbook = Xlsx::new(std::io::BufReader::new(empty)).unwrap();
        assert_eq!(workbook.worksheet_range("Empty").unwrap().rows().count(), 1);
    }
}
