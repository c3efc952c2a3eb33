//! An e-mail, rendered from templates (`templates/mail/message.html` and `.txt`): a greeting,
//! paragraphs, a button with the link, the shop's footer, in the shop's language.

use askama::Template;
use serde_json::{Value, json};

use crate::db::shops::Shop;
use crate::i18n::Language;

pub struct Mail {
    pub language: Language,
    pub subject: String,
    pub greeting: Option<String>,
    pub paragraphs: Vec<String>,
    pub link: String,
    pub link_text: String,
    pub footer: String,
}

#[derive(Template)]
#[template(path = "mail/message.html")]
struct HtmlMail<'a> {
    mail: &'a Mail,
}

#[derive(Template)]
#[template(path = "mail/message.txt")]
struct TextMail<'a> {
    mail: &'a Mail,
}

impl Mail {
    /// A mail from `shop`, to `name` when known.
    pub fn new(
        language: Language,
        shop: &Shop,
        subject: String,
        paragraphs: Vec<String>,
        link: String,
        name: Option<&str>,
    ) -> Mail {
        Mail {
            language,
            subject,
            greeting: name
                .filter(|name| !name.is_empty())
                .map(|name| language.text_with("mail-greeting", "name", name)),
            paragraphs,
            link,
            link_text: language.text("mail-link"),
            footer: language.text_with("mail-footer", "shop", &shop.name),
        }
    }

    pub fn text(&self) -> String {
        TextMail { mail: self }.render().unwrap_or_default()
    }

    pub fn html(&self) -> String {
        HtmlMail { mail: self }.render().unwrap_or_default()
    }

    /// As stored in a delivery, addressed to `to`: subject, text, HTML and the link.
    pub fn to_delivery(&self, to: &str) -> String {
        self.as_json(to).to_string()
    }

    pub(super) fn as_json(&self, to: &str) -> Value {
        json!({
            "to": to,
            "subject": self.subject,
            "text": self.text(),
            "html": self.html(),
            "link": self.link,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    fn shop() -> Shop {
        Shop {
            id: "shop-1".into(),
            slug: "demo".into(),
            name: "小鹿数码旗舰店".into(),
            currency: Currency::CNY,
            time_zone: jiff::tz::TimeZone::get("Asia/Shanghai").unwrap(),
            time_zone_name: "Asia/Shanghai".into(),
            locale: "zh-CN".into(),
        }
    }

    fn mail(language: Language) -> Mail {
        Mail::new(
            language,
            &shop(),
            "您的售后申请 AS-20261205-000001 已同意".into(),
            vec![
                "我们已同意您的退款申请。".into(),
                "Price <b>& \"quotes\"</b> stay text".into(),
            ],
            "https://shop.example/portal/demo/enter/abc?case=AS-20261205-000001".into(),
            Some("王小明"),
        )
    }

    #[test]
    fn chinese_mail() {
        let mail = mail(Language::Chinese);
        insta::assert_snapshot!("chinese_text", mail.text());
        insta::assert_snapshot!("chinese_html", mail.html());
    }

    #[test]
    fn english_mail_without_a_name() {
        let mut mail = mail(Language::English);
        mail.greeting = None;
        insta::assert_snapshot!("english_text", mail.text());
        insta::assert_snapshot!("english_html", mail.html());
    }

    #[test]
    fn text_is_never_markup() {
        let mail = mail(Language::Chinese);
        assert!(
            mail.html()
                .contains("Price &#60;b&#62;&#38; &#34;quotes&#34;&#60;/b&#62;")
        );
        assert!(mail.text().contains("Price <b>& \"quotes\"</b> stay text"));
        assert_eq!(mail.as_json("a@b.c")["to"], "a@b.c");
    }
}
