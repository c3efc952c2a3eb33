//! The whole case list as a file, CSV and then XLSX, as a client downloads it: the time, the
//! rows, the size, and the server's peak memory while it was sent (its high-water mark reset
//! first through `/proc/{pid}/clear_refs`, then read from `VmHWM`).

use std::time::Instant;

use super::TOKEN;

fn memory(pid: u32, field: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|line| line.starts_with(field))
        .map(|line| line[field.len()..].trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub async fn run(client: &reqwest::Client, base: &str, pid: u32) -> anyhow::Result<()> {
    let mut rows = 0;
    for format in ["csv", "xlsx"] {
        let reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
        let resident = memory(pid, "VmRSS:");
        let started = Instant::now();
        let mut response = client
            .get(format!("{base}/api/v1/cases?format={format}"))
            .bearer_auth(TOKEN)
            .send()
            .await?
            .error_for_status()?;
        let (mut bytes, mut lines) = (0_usize, 0_usize);
        let mut first = None;
        while let Some(chunk) = response.chunk().await? {
            first.get_or_insert_with(|| started.elapsed());
            bytes += chunk.len();
            lines += chunk.iter().filter(|byte| **byte == b'\n').count();
        }
        let seconds = started.elapsed().as_secs_f64();
        if format == "csv" {
            rows = lines.saturating_sub(1);
        }
        println!(
            "{:<44} {rows:>8} rows  {seconds:>6.1} s  {:>8.0} rows/s  {:>6.1} MB  first byte {:.2} s  server peak {} ({}; resident before {resident})",
            format!("export every case (GET /cases?format={format})"),
            rows as f64 / seconds,
            bytes as f64 / 1e6,
            first.unwrap_or_default().as_secs_f64(),
            memory(pid, "VmHWM:"),
            if reset {
                "peak reset before"
            } else {
                "peak since start"
            },
        );
    }
    Ok(())
}
