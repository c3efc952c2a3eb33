//! The knowledge base at size: a shop's articles grown to 10 k (the 14 starter articles, each
//! rewritten for many products) imported through the API as Markdown files, then the first
//! search (which builds the instance's index), searches over HTTP with the customers' questions
//! of data/knowledge/questions.tsv, and the index built and searched in process.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, bail};

use super::TOKEN;
use super::measure::{get, measure, urlencode};
use crate::domain::knowledge::index::{Index, Question};
use crate::domain::knowledge::markdown;

const PRODUCTS: &[&str] = &[
    "蓝牙降噪耳机",
    "智能手表",
    "空气炸锅",
    "扫地机器人",
    "电动牙刷",
    "纯棉T恤",
    "羽绒服",
    "运动鞋",
    "机械键盘",
    "充电宝",
    "保温杯",
    "电饭煲",
    "吹风机",
    "儿童安全座椅",
    "婴儿推车",
    "猫粮",
    "护肤套装",
    "行李箱",
    "台灯",
    "投影仪",
];

/// `count` articles: the starter ones, then each topic again for product after product.
fn articles(count: usize) -> anyhow::Result<Vec<(String, String)>> {
    let starters: Vec<markdown::ArticleFile> = crate::demo::STARTER_ARTICLES
        .iter()
        .map(|(name, text)| markdown::read(name, text).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<_>>()?;
    let mut files = Vec::new();
    for number in 0..count {
        let product = PRODUCTS[number % PRODUCTS.len()];
        let extra = super::grow::COMPLAINTS[number % super::grow::COMPLAINTS.len()];
        let topic = number % (starters.len() / 2);
        let mut article = markdown::join(&starters[topic * 2..topic * 2 + 2]);
        if number >= starters.len() / 2 {
            article.slug = format!("{}-{number}", article.slug);
            article.products = vec![product.to_string()];
            article.title_zh = format!("{product}：{}", article.title_zh);
            article.title_en = format!("{} ({product})", article.title_en);
            article.body_zh = format!(
                "{}\n\n适用于{product}。常见情况：{extra}。",
                article.body_zh
            );
        }
        files.extend(markdown::write(&article));
    }
    Ok(files)
}

fn zip(files: &[(String, String)]) -> anyhow::Result<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in files {
        writer.start_file(name.as_str(), options)?;
        writer.write_all(text.as_bytes())?;
    }
    Ok(writer.finish()?.into_inner())
}

pub async fn run(
    client: &reqwest::Client,
    base: &str,
    count: usize,
    (reads, concurrency): (usize, usize),
) -> anyhow::Result<()> {
    let files = articles(count)?;
    // Imported in parts of 1,000 articles (two files each; the import body's limit is 32 MB).
    let started = Instant::now();
    let (mut created, mut unchanged) = (0, 0);
    for part in files.chunks(2_000) {
        let response = client
            .post(format!("{base}/api/v1/articles/import"))
            .bearer_auth(TOKEN)
            .header("content-type", "application/zip")
            .body(zip(part)?)
            .send()
            .await?;
        let status = response.status();
        let report: serde_json::Value = response.json().await.context("the import's report")?;
        if !status.is_success()
            || report["refused"]
                .as_array()
                .is_some_and(|refused| !refused.is_empty())
        {
            bail!("the articles' import was refused: {status} {report}");
        }
        created +=
            report["created"].as_u64().unwrap_or(0) + report["updated"].as_u64().unwrap_or(0);
        unchanged += report["unchanged"].as_u64().unwrap_or(0);
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{:<44} {count} articles ({created} written, {unchanged} unchanged) in {seconds:.1} s ({:.0}/s)",
        "knowledge import (Markdown ZIP, API)",
        count as f64 / seconds
    );
    let questions: Vec<&str> = include_str!("../../data/knowledge/questions.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .skip(1)
        .filter_map(|line| line.split_once('\t').map(|(question, _)| question))
        .collect();
    let url = |question: &str| {
        format!(
            "{base}/api/v1/articles/search?q={}&limit=5",
            urlencode(question)
        )
    };
    let first = Instant::now();
    let response = client
        .get(url(questions[0]))
        .bearer_auth(TOKEN)
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("the first search failed: {}", response.status());
    }
    println!(
        "{:<44} {:.1} ms (the instance builds its index)",
        "knowledge first search after the import",
        first.elapsed().as_secs_f64() * 1000.0
    );
    let urls: Vec<String> = questions.iter().map(|question| url(question)).collect();
    for concurrency in [1, concurrency] {
        let urls = urls.clone();
        let client = client.clone();
        let figures = measure(reads, concurrency, move |index| {
            let request = get(&client, &urls[index % urls.len()]);
            request(index)
        })
        .await;
        println!(
            "{}",
            figures.line(&format!("knowledge search ({count} articles)"), concurrency)
        );
    }
    // In process: the index built from the articles' stored words, and searched.
    let documents: Vec<(String, crate::domain::knowledge::index::Terms)> = files
        .iter()
        .filter_map(|(name, text)| markdown::read(name, text).ok())
        .map(|file| {
            (
                format!("{}.{}", file.slug, file.version.code()),
                markdown::join(&[file]).terms(),
            )
        })
        .collect();
    let started = Instant::now();
    let index = Index::build(documents);
    println!(
        "{:<44} {:.1} ms for {} documents",
        "knowledge index build (in process)",
        started.elapsed().as_secs_f64() * 1000.0,
        index.len()
    );
    let synonyms = crate::domain::knowledge::KnowledgeSettings::default().all_synonyms();
    let mut timings = Vec::with_capacity(reads * 10);
    for number in 0..reads * 10 {
        let one = Instant::now();
        let question = Question::new(questions[number % questions.len()], &synonyms);
        std::hint::black_box(index.search(&question, 5));
        timings.push(one.elapsed());
    }
    timings.sort();
    println!(
        "{:<44} c=1   p50 {:>7.1} µs  p99 {:>7.1} µs",
        "knowledge question read + search (in process)",
        timings[timings.len() / 2].as_secs_f64() * 1e6,
        timings[timings.len() * 99 / 100].as_secs_f64() * 1e6,
    );
    Ok(())
}

/// The learned suggestions: the starting model's figures on the labelled set's held-out
/// quarter, a suggestion per text (µs), and a retraining on 100 k ended cases (in process).
pub fn suggestions(reads: usize) -> anyhow::Result<()> {
    use crate::domain::suggestions::{RECORDED_REASON_TOP1, STARTING, held_out, labelled};
    let all = labelled();
    let held: Vec<_> = all
        .iter()
        .copied()
        .filter(|example| held_out(example.text))
        .collect();
    let (reasons, kinds) = STARTING.evaluate(&held);
    println!(
        "{:<44} reasons top-1 {:.1} % top-3 {:.1} %, kinds top-1 {:.1} % top-3 {:.1} % ({} held-out texts)",
        "suggestions: starting model on held-out",
        reasons.top1_share() * 100.0,
        reasons.top3_share() * 100.0,
        kinds.top1_share() * 100.0,
        kinds.top3_share() * 100.0,
        held.len()
    );
    if reasons.top1_share() < RECORDED_REASON_TOP1 {
        bail!(
            "the reasons' top-1 accuracy fell below the recorded {:.1} %",
            RECORDED_REASON_TOP1 * 100.0
        );
    }
    let mut timings = Vec::with_capacity(reads * 10);
    for number in 0..reads * 10 {
        let text = all[number % all.len()].text;
        let one = Instant::now();
        std::hint::black_box(STARTING.suggest(text, "starting"));
        timings.push(one.elapsed());
    }
    timings.sort();
    println!(
        "{:<44} c=1   p50 {:>7.1} µs  p99 {:>7.1} µs",
        "suggestion per case (reason + kind)",
        timings[timings.len() / 2].as_secs_f64() * 1e6,
        timings[timings.len() * 99 / 100].as_secs_f64() * 1e6,
    );
    // 100 k ended cases: the labelled texts, each with a different order detail after it.
    let cases: Vec<(String, String, String)> = (0..100_000)
        .map(|number| {
            let example = all[number % all.len()];
            let detail = super::grow::COMPLAINTS[number % super::grow::COMPLAINTS.len()];
            (
                format!("{}，订单{number}，{detail}", example.text),
                example.reason.to_string(),
                example.kind.to_string(),
            )
        })
        .collect();
    let started = Instant::now();
    let model = crate::operations::suggestions::learn(&cases);
    let learned = started.elapsed();
    let stored = serde_json::to_string(&model)?;
    println!(
        "{:<44} {:.2} s for {} cases ({} features, stored as {:.1} MB)",
        "suggestions retrained (in process)",
        learned.as_secs_f64(),
        cases.len(),
        model.reason.features(),
        stored.len() as f64 / 1e6
    );
    Ok(())
}
