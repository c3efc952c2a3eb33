//! 7×24 status answers (docs/ANSWERS.md): what a customer's question in plain words asks
//! about — the refund, the parcel, sending the goods back, the repair, or how the request
//! stands. Pure: cue words in Chinese and English, the most specific topic first.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// How to send the goods back: the address, the label, by when.
    Return,
    /// Where the money is.
    Refund,
    /// How the repair is going.
    Repair,
    /// Where the parcel is and when it arrives.
    Parcel,
    /// How the request stands.
    Progress,
}

impl Topic {
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Return => "return",
            Topic::Refund => "refund",
            Topic::Repair => "repair",
            Topic::Parcel => "parcel",
            Topic::Progress => "progress",
        }
    }
}

/// The cues of each topic, the most specific topic first: "退货寄到哪" is about the return,
/// "退款到哪了" about the refund, "什么时候能到" about the parcel.
const CUES: &[(Topic, &[&str])] = &[
    (
        Topic::Return,
        &[
            "寄回",
            "退货地址",
            "寄到哪",
            "怎么寄",
            "怎么退",
            "如何退货",
            "退回地址",
            "面单",
            "退货标签",
            "return address",
            "send it back",
            "send back",
            "how do i return",
            "return label",
            "where do i send",
        ],
    ),
    (
        Topic::Refund,
        &[
            "退款",
            "退钱",
            "钱呢",
            "到账",
            "打款",
            "钱什么时候",
            "退的钱",
            "refund",
            "money back",
            "my money",
        ],
    ),
    (
        Topic::Repair,
        &[
            "维修", "修好", "修理", "检测", "返修", "repair", "fixed", "fix it",
        ],
    ),
    (
        Topic::Parcel,
        &[
            "物流",
            "快递",
            "到哪",
            "什么时候到",
            "什么时候能到",
            "几天到",
            "发货",
            "单号",
            "包裹",
            "送到",
            "到货",
            "where is my",
            "parcel",
            "package",
            "delivery",
            "tracking",
            "shipped",
            "arrive",
        ],
    ),
    (
        Topic::Progress,
        &[
            "进度",
            "处理到",
            "怎么样了",
            "审核",
            "多久",
            "结果",
            "状态",
            "status",
            "progress",
            "update",
            "how long",
        ],
    ),
];

/// What the question asks about; none when it asks about nothing these answers know.
pub fn topic(question: &str) -> Option<Topic> {
    let lower = question.to_lowercase();
    CUES.iter()
        .find(|(_, cues)| cues.iter().any(|cue| lower.contains(cue)))
        .map(|(topic, _)| *topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_topic_wins() {
        assert_eq!(topic("退款到哪了"), Some(Topic::Refund));
        assert_eq!(topic("什么时候能到"), Some(Topic::Parcel));
        assert_eq!(topic("怎么寄回"), Some(Topic::Return));
        assert_eq!(topic("退货寄到哪里？"), Some(Topic::Return));
        assert_eq!(topic("手机修好了吗"), Some(Topic::Repair));
        assert_eq!(topic("我的申请审核了吗"), Some(Topic::Progress));
        assert_eq!(topic("Where is my refund?"), Some(Topic::Refund));
        assert_eq!(topic("Where is my parcel"), Some(Topic::Parcel));
        assert_eq!(topic("你好，在吗"), None);
    }
}
