//! Articles as Markdown files, one per language (`refund-time.zh-CN.md`,
//! `refund-time.en-US.md`): a header between `---` lines (slug, category, tags, products,
//! status, language), then `# title` and the text. And Markdown shown as HTML: CommonMark with
//! tables, raw HTML written out as text, links only to http(s), mailto and the shop's own pages.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use super::{ArticleInput, ArticleStatus};

/// A file's language: `zh-CN` or `en-US`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Chinese,
    English,
}

impl Version {
    pub fn code(self) -> &'static str {
        match self {
            Version::Chinese => "zh-CN",
            Version::English => "en-US",
        }
    }
}

/// One file read: its header and one language's title and text.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleFile {
    pub slug: String,
    pub version: Version,
    pub category: Option<String>,
    pub tags: Option<Vec<String>>,
    pub products: Option<Vec<String>>,
    pub status: Option<ArticleStatus>,
    pub title: String,
    pub body: String,
}

/// Reads a Markdown file named `name`; the message says what to fix.
pub fn read(name: &str, text: &str) -> Result<ArticleFile, String> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let stem = name.rsplit('/').next().unwrap_or(name);
    let stem = stem
        .strip_suffix(".md")
        .or_else(|| stem.strip_suffix(".markdown"))
        .ok_or_else(|| format!("{name}: not a Markdown file (.md)"))?;
    let (mut slug, mut version) = match stem.rsplit_once('.') {
        Some((slug, "zh-CN" | "zh")) => (slug.to_string(), Version::Chinese),
        Some((slug, "en-US" | "en")) => (slug.to_string(), Version::English),
        _ => (stem.to_string(), Version::Chinese),
    };
    let mut file = ArticleFile {
        slug: String::new(),
        version,
        category: None,
        tags: None,
        products: None,
        status: None,
        title: String::new(),
        body: String::new(),
    };
    let mut rest = text.as_str();
    if let Some(after) = rest.strip_prefix("---\n") {
        let end = after
            .find("\n---\n")
            .map(|at| (at, at + 5))
            .or_else(|| {
                after
                    .ends_with("\n---")
                    .then(|| (after.len() - 4, after.len()))
            })
            .ok_or_else(|| {
                format!("{name}: the header opened by '---' is not closed by a '---' line")
            })?;
        for (number, line) in after[..end.0].lines().enumerate() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once(':')
                .ok_or_else(|| format!("{name}: header line {} is not 'key: value'", number + 2))?;
            let value = value.trim().trim_matches('"').to_string();
            let list = || -> Vec<String> {
                value
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .split([',', '，', '、'])
                    .map(|item| item.trim().trim_matches('"').to_string())
                    .filter(|item| !item.is_empty())
                    .collect()
            };
            match key.trim() {
                "slug" => slug = value,
                "category" => file.category = Some(value),
                "tags" => file.tags = Some(list()),
                "products" => file.products = Some(list()),
                "status" => {
                    file.status = Some(ArticleStatus::parse(&value).ok_or_else(|| {
                        format!("{name}: status '{value}' is not draft, published or archived")
                    })?)
                }
                "language" | "lang" => {
                    version = match value.as_str() {
                        "zh-CN" | "zh" => Version::Chinese,
                        "en-US" | "en" => Version::English,
                        other => {
                            return Err(format!(
                                "{name}: language '{other}' is not zh-CN or en-US"
                            ));
                        }
                    }
                }
                "title" => file.title = value,
                other => {
                    return Err(format!(
                        "{name}: unknown header key '{other}' (slug, category, tags, products, status, language, title)"
                    ));
                }
            }
        }
        rest = &after[end.1.min(after.len())..];
    }
    let rest = rest.trim_start_matches('\n');
    let body = match rest.strip_prefix("# ") {
        Some(heading) => {
            let (title, body) = heading.split_once('\n').unwrap_or((heading, ""));
            if file.title.is_empty() {
                file.title = title.trim().to_string();
            }
            body
        }
        None => rest,
    };
    file.body = body.trim().to_string();
    file.slug = slug.trim().to_lowercase();
    file.version = version;
    if file.title.is_empty() {
        return Err(format!(
            "{name}: the article has no title (a first line '# title' or 'title:' in the header)"
        ));
    }
    Ok(file)
}

/// Joins the files of one slug (a Chinese one, an English one) into an article; the header of
/// the Chinese file wins where both say something.
pub fn join(files: &[ArticleFile]) -> ArticleInput {
    let mut article = ArticleInput::default();
    let mut ordered: Vec<&ArticleFile> = files.iter().collect();
    ordered.sort_by_key(|file| file.version == Version::Chinese);
    for file in ordered {
        article.slug = file.slug.clone();
        if let Some(category) = &file.category {
            article.category = category.clone();
        }
        if let Some(tags) = &file.tags {
            article.tags = tags.clone();
        }
        if let Some(products) = &file.products {
            article.products = products.clone();
        }
        if let Some(status) = file.status {
            article.status = status;
        }
        match file.version {
            Version::Chinese => {
                (article.title_zh, article.body_zh) = (file.title.clone(), file.body.clone())
            }
            Version::English => {
                (article.title_en, article.body_en) = (file.title.clone(), file.body.clone())
            }
        }
    }
    article
}

/// An article's files, one per language it is written in: (file name, text).
pub fn write(article: &ArticleInput) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (version, title, body) in [
        (Version::Chinese, &article.title_zh, &article.body_zh),
        (Version::English, &article.title_en, &article.body_en),
    ] {
        if title.is_empty() {
            continue;
        }
        let text = format!(
            "---\nslug: {}\nlanguage: {}\ncategory: {}\ntags: {}\nproducts: {}\nstatus: {}\n---\n\n# {}\n\n{}\n",
            article.slug,
            version.code(),
            article.category,
            article.tags.join(", "),
            article.products.join(", "),
            article.status.as_str(),
            title,
            body
        );
        files.push((format!("{}.{}.md", article.slug, version.code()), text));
    }
    files
}

/// Markdown as HTML that is safe to show: raw HTML is shown as text, and links or images that
/// lead anywhere but http(s), mailto or a path on this site lose their address.
pub fn to_html(markdown: &str) -> String {
    let safe = |address: &str| {
        let lower = address.trim().to_ascii_lowercase();
        lower.starts_with("https://")
            || lower.starts_with("http://")
            || lower.starts_with("mailto:")
            || (lower.starts_with('/') && !lower.starts_with("//"))
            || lower.starts_with('#')
    };
    let events = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: "#".into(),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe(&dest_url) => Event::Start(Tag::Image {
            link_type,
            dest_url: "".into(),
            title,
            id,
        }),
        other => other,
    });
    let mut html_text = String::new();
    html::push_html(&mut html_text, events);
    html_text
}

/// The text's first words without Markdown, for a search result: at most `limit` characters.
pub fn summary(markdown: &str, limit: usize) -> String {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(part) | Event::Code(part) => text.push_str(&part),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => text.push(' '),
            _ => {}
        }
        if text.chars().count() > limit {
            break;
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > limit {
        let cut: String = text.chars().take(limit).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The text without Markdown, for a reply: paragraphs apart, list items on their lines
/// ("- "), links followed by their address.
pub fn plain(markdown: &str) -> String {
    let mut text = String::new();
    let mut links: Vec<String> = Vec::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Text(part) | Event::Code(part) => text.push_str(&part),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            Event::Start(Tag::Item) => text.push_str("- "),
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(address) = links.pop() {
                    text.push_str(&format!(" ({address})"));
                }
            }
            Event::End(TagEnd::Item | TagEnd::TableRow) => text.push('\n'),
            Event::End(TagEnd::TableCell) => text.push('\t'),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::List(_) | TagEnd::Table,
            ) => text.push_str("\n\n"),
            _ => {}
        }
    }
    let mut tidy = String::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() && (tidy.is_empty() || tidy.ends_with("\n\n")) {
            continue;
        }
        tidy.push_str(line);
        tidy.push('\n');
    }
    tidy.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_article_reads_back_the_same() {
        let article = ArticleInput {
            slug: "refund-time".into(),
            category: "退款 Refunds".into(),
            tags: vec!["退款".into(), "到账".into()],
            products: vec![],
            status: ArticleStatus::Published,
            title_zh: "退款多久到账？".into(),
            body_zh: "一般 **1-3** 个工作日。\n\n- 支付宝：即时".into(),
            title_en: "How long does a refund take?".into(),
            body_en: "Usually 1 to 3 working days.".into(),
            version: None,
        };
        let files: Vec<ArticleFile> = write(&article)
            .iter()
            .map(|(name, text)| read(name, text).unwrap())
            .collect();
        assert_eq!(files.len(), 2);
        assert_eq!(join(&files), article);
    }

    #[test]
    fn a_plain_file_takes_its_slug_from_its_name_and_its_title_from_the_heading() {
        let file = read(
            "docs/warranty.md",
            "\u{feff}# 保修政策\r\n\r\n三包期内免费维修。",
        )
        .unwrap();
        assert_eq!(file.slug, "warranty");
        assert_eq!(file.version, Version::Chinese);
        assert_eq!(file.title, "保修政策");
        assert_eq!(file.body, "三包期内免费维修。");
    }

    #[test]
    fn a_bad_file_says_what_to_fix() {
        assert!(
            read("a.txt", "# x")
                .unwrap_err()
                .contains("not a Markdown file")
        );
        assert!(
            read("a.md", "---\nslug: a\n# x")
                .unwrap_err()
                .contains("not closed")
        );
        assert!(
            read("a.md", "---\nwho: me\n---\n# x")
                .unwrap_err()
                .contains("unknown header key")
        );
        assert!(read("a.md", "just text").unwrap_err().contains("no title"));
    }

    #[test]
    fn html_is_shown_as_text_and_script_links_lose_their_address() {
        let html = to_html(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://example.com)",
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("href=\"#\""));
        assert!(html.contains("href=\"https://example.com\""));
    }

    #[test]
    fn plain_text_keeps_paragraphs_items_and_addresses() {
        assert_eq!(
            plain("第一段 **加粗**\n\n- 一\n- 二\n\n见[说明](https://example.com/a)"),
            "第一段 加粗\n\n- 一\n- 二\n\n见说明 (https://example.com/a)"
        );
    }

    #[test]
    fn a_summary_is_plain_and_short() {
        assert_eq!(
            summary("**一般** 1-3 个工作日。\n\n第二段", 100),
            "一般 1-3 个工作日。 第二段"
        );
        assert_eq!(summary("abcdef", 3), "abc…");
    }
}
