//! Reviews (docs/MANAGEMENT.md, "Reviews"): what a review says (its grade from a star rating or
//! the platform's 好评/中评/差评), which one a re-import is (its key), the review export layouts
//! the platforms write, the shop's settings, and the explanation reply drafted from a template.
//! Pure: files are read elsewhere, the cells arrive here.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A review's verdict: 好评, 中评 or 差评.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Negative,
    Medium,
    Positive,
}

impl Grade {
    pub const ALL: [Grade; 3] = [Grade::Negative, Grade::Medium, Grade::Positive];

    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Negative => "negative",
            Grade::Medium => "medium",
            Grade::Positive => "positive",
        }
    }

    pub fn parse(text: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|grade| grade.as_str() == text)
    }

    /// The grade of a star rating: 1–2 negative, 3 medium, 4–5 positive (the stars Taobao's DSR,
    /// JD's 评价星级 and the Shopify review apps use).
    pub fn of_rating(rating: u8) -> Grade {
        match rating {
            0..=2 => Grade::Negative,
            3 => Grade::Medium,
            _ => Grade::Positive,
        }
    }

    /// A platform's word for it: Taobao's `good` / `neutral` / `bad` (TradeRate.result) and
    /// their Chinese names as the seller centre writes them.
    pub fn of_word(word: &str) -> Option<Grade> {
        match word.trim().to_lowercase().as_str() {
            "good" | "好评" | "positive" => Some(Grade::Positive),
            "neutral" | "中评" | "medium" => Some(Grade::Medium),
            "bad" | "差评" | "negative" => Some(Grade::Negative),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Grade::Negative => "差评",
            Grade::Medium => "中评",
            Grade::Positive => "好评",
        }
    }
}

/// A star rating as written: `4`, `4.0`, `4星`, `★★★★☆` (filled stars count).
pub fn parse_rating(text: &str) -> Option<u8> {
    let text = text.trim();
    let stars = text.chars().filter(|character| *character == '★').count();
    if stars > 0 {
        return u8::try_from(stars)
            .ok()
            .filter(|stars| (1..=5).contains(stars));
    }
    let digits = text.trim_end_matches(['星', '分']).trim();
    let value: f64 = digits.parse().ok()?;
    let rounded = value.round();
    ((1.0..=5.0).contains(&rounded) && (value - rounded).abs() < f64::EPSILON)
        .then_some(rounded as u8)
}

/// The key that names one review across imports: the platform's own id when the file has one,
/// else the order (and product) it is about, else the reviewer, product and day. Never the text
/// or the rating, which a revision changes.
pub fn key(
    external_id: Option<&str>,
    order_number: Option<&str>,
    product: &str,
    reviewer: Option<&str>,
    reviewed_day: &str,
) -> String {
    match (external_id, order_number) {
        (Some(id), _) => format!("id:{id}"),
        (None, Some(order)) => format!("order:{order}|{product}"),
        (None, None) => format!(
            "reviewer:{}|{product}|{reviewed_day}",
            reviewer.unwrap_or_default()
        ),
    }
}

/// What the import reads from a review file's header row (or the API's fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    ExternalId,
    OrderNumber,
    Sku,
    ProductTitle,
    Rating,
    Grade,
    Title,
    Text,
    Reviewer,
    Email,
    ReviewedAt,
    Reply,
}

/// A platform's review export: the headers that recognise it and where each column is.
pub struct ReviewLayout {
    pub name: &'static str,
    pub platform: &'static str,
    pub signature: &'static [&'static str],
    pub columns: &'static [(Column, &'static str)],
}

/// Taobao/Tmall 评价管理 export. Its fields are the open platform's TradeRate (taobao.traderates.get:
/// tid 交易ID, oid 子订单ID, result good/neutral/bad 评价结果, content 评价内容, reply 评价解释 ≤ 500
/// characters, item_title 商品标题, nick, created), written with the seller centre's Chinese names.
const TAOBAO: ReviewLayout = ReviewLayout {
    name: "Taobao/Tmall 评价",
    platform: "taobao",
    signature: &["订单编号", "评价结果", "评价内容"],
    columns: &[
        (Column::ExternalId, "子订单编号"),
        (Column::ExternalId, "子订单ID"),
        (Column::OrderNumber, "订单编号"),
        (Column::Sku, "商家编码"),
        (Column::ProductTitle, "宝贝名称"),
        (Column::ProductTitle, "宝贝标题"),
        (Column::ProductTitle, "商品标题"),
        (Column::Grade, "评价结果"),
        (Column::Rating, "描述相符"),
        (Column::Text, "评价内容"),
        (Column::Reviewer, "买家昵称"),
        (Column::Reviewer, "评价人"),
        (Column::ReviewedAt, "评价时间"),
        (Column::Reply, "评价解释"),
    ],
};

/// JD 商家后台 评价管理 export: one row per comment with its star rating (评价星级 1–5).
const JD: ReviewLayout = ReviewLayout {
    name: "JD 评价",
    platform: "jd",
    signature: &["订单号", "评价星级", "评价内容"],
    columns: &[
        (Column::ExternalId, "评价ID"),
        (Column::ExternalId, "评论ID"),
        (Column::OrderNumber, "订单号"),
        (Column::Sku, "商品编号"),
        (Column::Sku, "SKU"),
        (Column::ProductTitle, "商品名称"),
        (Column::Rating, "评价星级"),
        (Column::Text, "评价内容"),
        (Column::Reviewer, "用户昵称"),
        (Column::Reviewer, "用户名"),
        (Column::ReviewedAt, "评价时间"),
        (Column::Reply, "商家回复"),
    ],
};

/// Judge.me's review export for Shopify (title, body, rating, review_date, source, curated,
/// reviewer_name, reviewer_email, product_id, product_handle, reply, reply_date, picture_urls,
/// ip_address, location): no order number, so a review is matched by the reviewer's e-mail.
const JUDGE_ME: ReviewLayout = ReviewLayout {
    name: "Shopify (Judge.me)",
    platform: "shopify",
    signature: &["body", "rating", "review_date", "reviewer_email"],
    columns: &[
        (Column::Title, "title"),
        (Column::Text, "body"),
        (Column::Rating, "rating"),
        (Column::ReviewedAt, "review_date"),
        (Column::Reviewer, "reviewer_name"),
        (Column::Email, "reviewer_email"),
        (Column::Sku, "product_handle"),
        (Column::ProductTitle, "product_handle"),
        (Column::Reply, "reply"),
    ],
};

/// The import's own columns, for any other source (and the API's field names).
const OWN: ReviewLayout = ReviewLayout {
    name: "aftersale",
    platform: "own_store",
    signature: &["text", "reviewed_at"],
    columns: &[
        (Column::ExternalId, "review_id"),
        (Column::OrderNumber, "order_number"),
        (Column::Sku, "sku"),
        (Column::ProductTitle, "product"),
        (Column::Rating, "rating"),
        (Column::Grade, "grade"),
        (Column::Title, "title"),
        (Column::Text, "text"),
        (Column::Reviewer, "reviewer"),
        (Column::Email, "email"),
        (Column::ReviewedAt, "reviewed_at"),
        (Column::Reply, "reply"),
    ],
};

pub const LAYOUTS: &[&ReviewLayout] = &[&TAOBAO, &JD, &JUDGE_ME, &OWN];

/// The layout whose signature a header row has.
pub fn detect(headers: &[String]) -> Option<&'static ReviewLayout> {
    let present: Vec<String> = headers
        .iter()
        .map(|header| super::layouts::normalise(header))
        .collect();
    LAYOUTS.iter().copied().find(|layout| {
        layout
            .signature
            .iter()
            .all(|wanted| present.contains(&super::layouts::normalise(wanted)))
    })
}

/// For each header, the column it holds under `layout` (the first header listed wins; a column
/// two headers could fill takes the first present).
pub fn columns(layout: &ReviewLayout, headers: &[String]) -> Vec<Vec<Column>> {
    let present: Vec<String> = headers
        .iter()
        .map(|header| super::layouts::normalise(header))
        .collect();
    let mut chosen: Vec<Vec<Column>> = vec![Vec::new(); headers.len()];
    for (column, header) in layout.columns {
        if chosen.iter().any(|columns| columns.contains(column)) {
            continue;
        }
        if let Some(index) = present
            .iter()
            .position(|name| *name == super::layouts::normalise(header))
        {
            chosen[index].push(*column);
        }
    }
    chosen
}

/// The shop's review settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewSettings {
    /// Reviews at or below this grade open a `review` case (default `medium`: 中评 and 差评).
    pub open_case_at: Grade,
    /// Explanation replies (评价解释) to draft from: `{product}`, `{shop_name}` and
    /// `{customer_name}` are filled in. Default: one in Chinese, one in English.
    pub explanation_templates: Vec<ExplanationTemplate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplanationTemplate {
    pub name: String,
    pub body: String,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        ReviewSettings {
            open_case_at: Grade::Medium,
            explanation_templates: vec![
                ExplanationTemplate {
                    name: "致歉说明".into(),
                    body: "亲，非常抱歉{product}没有让您满意。我们已联系您了解情况并提出了解决方案，\
                           如仍有问题请随时联系{shop_name}客服，我们会负责到底。"
                        .into(),
                },
                ExplanationTemplate {
                    name: "Apology".into(),
                    body: "We are sorry that {product} did not meet your expectations. We have \
                           contacted you with a solution; if anything is still wrong, {shop_name}'s \
                           service team is here to put it right."
                        .into(),
                },
            ],
        }
    }
}

/// An explanation reply may have this many characters (Taobao's 评价解释: 500).
pub const EXPLANATION_LIMIT: usize = 500;

impl ReviewSettings {
    pub fn check(&self) -> Result<(), String> {
        if self.explanation_templates.len() > 50 {
            return Err("reviews.explanation_templates: at most 50 templates".into());
        }
        for (index, template) in self.explanation_templates.iter().enumerate() {
            let name = template.name.trim().chars().count();
            if name == 0 || name > 60 {
                return Err(format!(
                    "reviews.explanation_templates[{index}].name must have 1 to 60 characters"
                ));
            }
            let body = template.body.trim().chars().count();
            if body == 0 || body > EXPLANATION_LIMIT {
                return Err(format!(
                    "reviews.explanation_templates[{index}].body must have 1 to {EXPLANATION_LIMIT} characters"
                ));
            }
        }
        Ok(())
    }

    /// Whether a review of this grade opens a case.
    pub fn opens_case(&self, grade: Grade) -> bool {
        grade <= self.open_case_at && grade != Grade::Positive
    }
}

/// A template's text with the review's product, the shop's and the customer's names filled in.
pub fn draft(template: &str, product: &str, shop_name: &str, customer_name: &str) -> String {
    template
        .replace("{product}", product)
        .replace("{shop_name}", shop_name)
        .replace("{customer_name}", customer_name)
}

/// What the agent recorded after contacting the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The buyer revised the review (追评 / 修改评价).
    Revised,
    /// The buyer would not: an explanation reply follows.
    Declined,
    /// The buyer could not be reached.
    Unreachable,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Revised => "revised",
            Outcome::Declined => "declined",
            Outcome::Unreachable => "unreachable",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        [Outcome::Revised, Outcome::Declined, Outcome::Unreachable]
            .into_iter()
            .find(|outcome| outcome.as_str() == text)
    }
}

/// One review as the statistics count it.
pub struct Tallied<'a> {
    pub product: &'a str,
    /// `2026-11`, in the shop's zone.
    pub month: String,
    pub rating: Option<u8>,
    pub grade: Grade,
    /// Its grade when it first came in (a revision changes `grade`).
    pub first_grade: Grade,
}

/// A product's month: how many reviews, their mean rating (DSR-style, two decimals, over the
/// rated ones), the grades now, and how many medium or negative reviews were revised upward.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProductMonth {
    pub product: String,
    pub month: String,
    pub reviews: u64,
    pub rated: u64,
    /// Mean stars, e.g. 4.67; none when no review of the month has stars.
    pub mean_rating: Option<f64>,
    pub positive: u64,
    pub medium: u64,
    pub negative: u64,
    /// Reviews that came in medium or negative and are better now.
    pub improved: u64,
}

/// Counts reviews per product and month, products in name order, months in order.
pub fn tally<'a>(reviews: impl IntoIterator<Item = Tallied<'a>>) -> Vec<ProductMonth> {
    let mut rows: std::collections::BTreeMap<(String, String), (ProductMonth, u64)> =
        std::collections::BTreeMap::new();
    for review in reviews {
        let (row, stars) = rows
            .entry((review.product.to_string(), review.month.clone()))
            .or_insert_with(|| {
                (
                    ProductMonth {
                        product: review.product.to_string(),
                        month: review.month.clone(),
                        reviews: 0,
                        rated: 0,
                        mean_rating: None,
                        positive: 0,
                        medium: 0,
                        negative: 0,
                        improved: 0,
                    },
                    0,
                )
            });
        row.reviews += 1;
        if let Some(rating) = review.rating {
            row.rated += 1;
            *stars += u64::from(rating);
        }
        match review.grade {
            Grade::Positive => row.positive += 1,
            Grade::Medium => row.medium += 1,
            Grade::Negative => row.negative += 1,
        }
        if review.first_grade != Grade::Positive && review.grade > review.first_grade {
            row.improved += 1;
        }
    }
    rows.into_values()
        .map(|(mut row, stars)| {
            row.mean_rating = (stars * 100 + row.rated / 2)
                .checked_div(row.rated)
                .map(|hundredths| hundredths as f64 / 100.0);
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn grades_come_from_stars_or_the_platforms_words() {
        assert_eq!(Grade::of_rating(1), Grade::Negative);
        assert_eq!(Grade::of_rating(2), Grade::Negative);
        assert_eq!(Grade::of_rating(3), Grade::Medium);
        assert_eq!(Grade::of_rating(4), Grade::Positive);
        assert_eq!(Grade::of_word("neutral"), Some(Grade::Medium));
        assert_eq!(Grade::of_word("差评"), Some(Grade::Negative));
        assert_eq!(Grade::of_word("一般"), None);
        assert_eq!(parse_rating("★★☆☆☆"), Some(2));
        assert_eq!(parse_rating("4星"), Some(4));
        assert_eq!(parse_rating("5.0"), Some(5));
        assert_eq!(parse_rating("4.5"), None);
        assert_eq!(parse_rating("6"), None);
    }

    #[test]
    fn a_case_opens_at_or_below_the_shops_grade() {
        let settings = ReviewSettings::default();
        assert!(settings.opens_case(Grade::Negative));
        assert!(settings.opens_case(Grade::Medium));
        assert!(!settings.opens_case(Grade::Positive));
        let negative_only = ReviewSettings {
            open_case_at: Grade::Negative,
            ..ReviewSettings::default()
        };
        assert!(!negative_only.opens_case(Grade::Medium));
        let everything = ReviewSettings {
            open_case_at: Grade::Positive,
            ..ReviewSettings::default()
        };
        assert!(!everything.opens_case(Grade::Positive));
    }

    #[test]
    fn the_key_ignores_what_a_revision_changes() {
        assert_eq!(
            key(None, Some("3712"), "SKU-1", Some("nick"), "2026-11-02"),
            key(None, Some("3712"), "SKU-1", Some("other"), "2026-11-09")
        );
        assert_ne!(
            key(None, Some("3712"), "SKU-1", None, ""),
            key(None, Some("3712"), "SKU-2", None, "")
        );
        assert_eq!(key(Some("r-9"), Some("3712"), "SKU-1", None, ""), "id:r-9");
    }

    #[test]
    fn the_platforms_exports_are_recognised() {
        let taobao = headers(&[
            "订单编号",
            "子订单编号",
            "宝贝名称",
            "评价结果",
            "评价内容",
            "评价时间",
            "买家昵称",
        ]);
        let layout = detect(&taobao).unwrap();
        assert_eq!(layout.platform, "taobao");
        let found = columns(layout, &taobao);
        assert_eq!(found[1], vec![Column::ExternalId]);
        assert_eq!(found[3], vec![Column::Grade]);
        let judge = headers(&[
            "title",
            "body",
            "rating",
            "review_date",
            "source",
            "curated",
            "reviewer_name",
            "reviewer_email",
            "product_id",
            "product_handle",
        ]);
        let layout = detect(&judge).unwrap();
        assert_eq!(layout.platform, "shopify");
        let found = columns(layout, &judge);
        assert_eq!(found[9], vec![Column::Sku, Column::ProductTitle]);
        assert!(detect(&headers(&["评分", "内容"])).is_none());
    }

    #[test]
    fn months_are_tallied_per_product() {
        let review = |product: &'static str, month: &str, rating, grade, first_grade| Tallied {
            product,
            month: month.to_string(),
            rating,
            grade,
            first_grade,
        };
        let rows = tally([
            review("A", "2026-11", Some(5), Grade::Positive, Grade::Positive),
            review("A", "2026-11", Some(4), Grade::Positive, Grade::Negative),
            review("A", "2026-11", Some(2), Grade::Negative, Grade::Negative),
            review("A", "2026-12", None, Grade::Medium, Grade::Medium),
            review("B", "2026-11", Some(1), Grade::Negative, Grade::Negative),
        ]);
        assert_eq!(rows.len(), 3);
        let november = &rows[0];
        assert_eq!(
            (november.product.as_str(), november.month.as_str()),
            ("A", "2026-11")
        );
        assert_eq!((november.reviews, november.rated), (3, 3));
        assert_eq!(november.mean_rating, Some(3.67));
        assert_eq!(
            (november.positive, november.negative, november.improved),
            (2, 1, 1)
        );
        assert_eq!(rows[1].mean_rating, None);
        assert_eq!(rows[1].medium, 1);
        assert_eq!(rows[2].product, "B");
    }

    #[test]
    fn templates_are_filled_and_checked() {
        assert_eq!(
            draft(
                "{customer_name}，{product}：{shop_name}",
                "保温杯",
                "小店",
                "王女士"
            ),
            "王女士，保温杯：小店"
        );
        let mut settings = ReviewSettings::default();
        assert!(settings.check().is_ok());
        settings.explanation_templates[0].body = "长".repeat(EXPLANATION_LIMIT + 1);
        assert!(settings.check().unwrap_err().contains("body"));
    }
}
