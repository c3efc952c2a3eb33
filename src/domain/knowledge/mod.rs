//! The knowledge base (docs/KNOWLEDGE.md): a shop's articles, in Chinese and English, found by
//! what the customer types ([`index`]), read and written as Markdown files ([`markdown`]).

pub mod index;
pub mod markdown;
pub mod words;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an article stands: only published ones are shown and searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    #[default]
    Draft,
    Published,
    Archived,
}

impl ArticleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Published => "published",
            ArticleStatus::Archived => "archived",
        }
    }

    pub fn parse(text: &str) -> Option<ArticleStatus> {
        match text {
            "draft" => Some(ArticleStatus::Draft),
            "published" => Some(ArticleStatus::Published),
            "archived" => Some(ArticleStatus::Archived),
            _ => None,
        }
    }
}

/// An article as written: its address, where it belongs, and each language's title and text
/// (Markdown).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// Its address under /help/{shop}/: a-z, 0-9 and '-', 1 to 80 characters.
    pub slug: String,
    /// A heading it is listed under (退款 Refunds).
    #[serde(default)]
    pub category: String,
    /// Words it is also found by.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The products, SKUs or product categories it applies to (empty: all).
    #[serde(default)]
    pub products: Vec<String>,
    /// draft (default), published or archived.
    #[serde(default)]
    pub status: ArticleStatus,
    /// The Chinese version (title and Markdown text).
    #[serde(default)]
    pub title_zh: String,
    #[serde(default)]
    pub body_zh: String,
    /// The English version.
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub body_en: String,
    /// The version read: required to change an article (a change made meanwhile is a
    /// conflict); ignored when one is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// What is wrong with an article, for the field that must change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

const TITLE_LIMIT: usize = 200;
const BODY_LIMIT: usize = 50_000;

impl ArticleInput {
    /// Trims what was typed; tags and products without blanks or repeats.
    pub fn tidy(mut self) -> ArticleInput {
        self.version = None;
        self.slug = self.slug.trim().to_lowercase();
        self.category = self.category.trim().to_string();
        for list in [&mut self.tags, &mut self.products] {
            let mut kept: Vec<String> = Vec::new();
            for item in list.iter().map(|item| item.trim()) {
                if !item.is_empty() && !kept.iter().any(|known| known == item) {
                    kept.push(item.to_string());
                }
            }
            *list = kept;
        }
        for text in [&mut self.title_zh, &mut self.title_en] {
            *text = text.trim().to_string();
        }
        for text in [&mut self.body_zh, &mut self.body_en] {
            *text = text.trim_end().to_string();
        }
        self
    }

    pub fn check(&self) -> Result<(), Problem> {
        let problem = |field, message: String| Err(Problem { field, message });
        let slug_ok = !self.slug.is_empty()
            && self.slug.len() <= 80
            && self
                .slug
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
            && !self.slug.starts_with('-');
        if !slug_ok {
            return problem(
                "slug",
                format!(
                    "'{}' is not an article address: use a-z, 0-9 and '-', 1 to 80 characters (e.g. refund-time)",
                    self.slug
                ),
            );
        }
        let chinese = !self.title_zh.is_empty() || !self.body_zh.is_empty();
        let english = !self.title_en.is_empty() || !self.body_en.is_empty();
        if !chinese && !english {
            return problem(
                "title_zh",
                "write the article in Chinese or English (a title and a text)".into(),
            );
        }
        for (present, title, body, field) in [
            (chinese, &self.title_zh, &self.body_zh, "zh"),
            (english, &self.title_en, &self.body_en, "en"),
        ] {
            if !present {
                continue;
            }
            let (title_field, body_field) = if field == "zh" {
                ("title_zh", "body_zh")
            } else {
                ("title_en", "body_en")
            };
            if title.is_empty() {
                return problem(title_field, "a version with a text needs its title".into());
            }
            if body.trim().is_empty() {
                return problem(body_field, "a version with a title needs its text".into());
            }
            if title.chars().count() > TITLE_LIMIT {
                return problem(
                    title_field,
                    format!("a title has at most {TITLE_LIMIT} characters"),
                );
            }
            if body.chars().count() > BODY_LIMIT {
                return problem(
                    body_field,
                    format!("a text has at most {BODY_LIMIT} characters"),
                );
            }
        }
        if self.category.chars().count() > 60 {
            return problem("category", "a category has at most 60 characters".into());
        }
        if self.tags.len() > 30 || self.tags.iter().any(|tag| tag.chars().count() > 40) {
            return problem(
                "tags",
                "at most 30 tags of at most 40 characters each".into(),
            );
        }
        if self.products.len() > 100 || self.products.iter().any(|item| item.chars().count() > 120)
        {
            return problem(
                "products",
                "at most 100 products of at most 120 characters each".into(),
            );
        }
        Ok(())
    }

    /// The article's weighted words for the search index.
    pub fn terms(&self) -> index::Terms {
        let mut keywords: Vec<&str> = self.tags.iter().map(String::as_str).collect();
        keywords.extend(self.products.iter().map(String::as_str));
        keywords.push(&self.category);
        index::terms(&index::Fields {
            titles: vec![&self.title_zh, &self.title_en],
            keywords,
            bodies: vec![&self.body_zh, &self.body_en],
        })
    }
}

/// Whether the article is for `product` (a product name, SKU or category): articles for no
/// product in particular are for all.
pub fn applies_to(products: &[String], product: Option<&str>) -> bool {
    match product {
        None => true,
        Some(_) if products.is_empty() => true,
        Some(product) => {
            let product = words::normalise(product);
            products
                .iter()
                .any(|named| product.contains(&words::normalise(named)))
        }
    }
}

/// The shop's knowledge-base settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeSettings {
    /// Groups of words that mean the same (退款, 退钱, refund): a question with one asks for all.
    /// Added to the groups every shop has ([`STANDARD_SYNONYMS`]).
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    /// Whether the portal's request form shows matching articles as the customer types
    /// (default yes).
    #[serde(default = "yes")]
    pub suggest_in_form: bool,
}

fn yes() -> bool {
    true
}

impl Default for KnowledgeSettings {
    fn default() -> Self {
        KnowledgeSettings {
            synonyms: Vec::new(),
            suggest_in_form: true,
        }
    }
}

impl KnowledgeSettings {
    pub fn check(&self) -> Result<(), String> {
        if self.synonyms.len() > 500 {
            return Err("knowledge.synonyms: at most 500 groups".into());
        }
        for (number, group) in self.synonyms.iter().enumerate() {
            if group.len() < 2 || group.len() > 20 {
                return Err(format!(
                    "knowledge.synonyms[{number}]: a group has 2 to 20 words that mean the same"
                ));
            }
            if group
                .iter()
                .any(|word| word.trim().is_empty() || word.chars().count() > 40)
            {
                return Err(format!(
                    "knowledge.synonyms[{number}]: each word has 1 to 40 characters"
                ));
            }
        }
        Ok(())
    }

    /// The shop's groups and the standard ones.
    pub fn all_synonyms(&self) -> Vec<Vec<String>> {
        let mut groups: Vec<Vec<String>> = STANDARD_SYNONYMS
            .iter()
            .map(|group| group.iter().map(|word| word.to_string()).collect())
            .collect();
        groups.extend(self.synonyms.iter().cloned());
        groups
    }
}

/// What every shop's customers say for the same thing.
pub const STANDARD_SYNONYMS: &[&[&str]] = &[
    &["退款", "退钱", "返款", "退费", "refund", "money back"],
    &["到账", "到帐", "收到钱", "arrive"],
    &[
        "快递", "物流", "包裹", "运单", "发货", "parcel", "package", "delivery", "shipping",
        "tracking",
    ],
    &["退货", "寄回", "退回", "送回", "return", "send back"],
    &["换货", "调换", "更换", "exchange", "swap", "replace"],
    &["维修", "修理", "保修", "返修", "repair", "fix", "warranty"],
    &["发票", "开票", "invoice", "receipt"],
    &[
        "坏了",
        "故障",
        "损坏",
        "不能用",
        "不工作",
        "broken",
        "faulty",
        "defect",
        "damaged",
    ],
    &["运费", "邮费", "快递费", "postage", "shipping fee"],
    &["地址", "收货地址", "address"],
];

#[cfg(test)]
mod tests {
    use super::*;

    fn article() -> ArticleInput {
        ArticleInput {
            slug: " Refund-Time ".into(),
            title_zh: "退款多久到账".into(),
            body_zh: "一般 1-3 个工作日。".into(),
            tags: vec!["退款".into(), " 退款 ".into(), "".into()],
            ..ArticleInput::default()
        }
        .tidy()
    }

    #[test]
    fn a_tidy_article_passes_and_keeps_one_of_each_tag() {
        let article = article();
        assert_eq!(article.slug, "refund-time");
        assert_eq!(article.tags, vec!["退款"]);
        assert_eq!(article.check(), Ok(()));
    }

    #[test]
    fn each_problem_names_its_field() {
        let mut bad = article();
        bad.slug = "退款".into();
        assert_eq!(bad.check().unwrap_err().field, "slug");
        let mut bad = article();
        bad.title_en = "How long".into();
        assert_eq!(bad.check().unwrap_err().field, "body_en");
        let mut bad = article();
        bad.title_zh.clear();
        assert_eq!(bad.check().unwrap_err().field, "title_zh");
    }

    #[test]
    fn an_article_for_no_product_is_for_all() {
        assert!(applies_to(&[], Some("无线耳机")));
        assert!(applies_to(&["耳机".into()], Some("无线耳机 Pro")));
        assert!(!applies_to(&["手机".into()], Some("无线耳机")));
    }
}
