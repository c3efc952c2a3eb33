//! Triage from the text (docs/TRIAGE.md): a case's description read for what must not wait —
//! danger to people (fire, smoke, burns, shocks, injuries), threats to go to the authorities
//! (12315, the market regulator, a lawyer, the press), threats to the shop's rating or to the
//! platform (差评, 投诉, 平台介入), and anger at the shop (骂人, 骗子, 垃圾). Each flag raises
//! the case's priority; the first three also tell the supervisors. Pure and fast: a scan of
//! the text for the shipped cue words (Chinese and English), a cue right after a negation
//! (没有起火, "no fire") not counted.

use serde::Serialize;

use super::Priority;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Danger to people: the case is urgent and the supervisors hear of it.
    Safety,
    /// A threat to complain to the authorities or to sue.
    Authority,
    /// A threat to the shop's rating or a complaint to the platform.
    Platform,
    /// Anger at the shop or its staff.
    Anger,
}

impl Flag {
    /// The tag the case gets (so that the queue can be filtered by it).
    pub fn tag(self) -> &'static str {
        match self {
            Flag::Safety => "safety",
            Flag::Authority => "threat-authority",
            Flag::Platform => "threat-platform",
            Flag::Anger => "anger",
        }
    }

    /// The flag a case's tag stands for.
    pub fn of_tag(tag: &str) -> Option<Flag> {
        [Flag::Safety, Flag::Authority, Flag::Platform, Flag::Anger]
            .into_iter()
            .find(|flag| flag.tag() == tag)
    }

    /// Its wire name (as on the timeline).
    pub fn name(self) -> &'static str {
        match self {
            Flag::Safety => "safety",
            Flag::Authority => "authority",
            Flag::Platform => "platform",
            Flag::Anger => "anger",
        }
    }

    /// The least priority a case with this flag has.
    pub fn priority(self) -> Priority {
        match self {
            Flag::Safety | Flag::Authority => Priority::Urgent,
            Flag::Platform | Flag::Anger => Priority::High,
        }
    }

    /// Whether the supervisors are told at once.
    pub fn tells_supervisors(self) -> bool {
        !matches!(self, Flag::Anger)
    }
}

const CUES: &[(Flag, &[&str])] = &[
    (
        Flag::Safety,
        &[
            "起火",
            "着火",
            "失火",
            "冒烟",
            "冒火",
            "火花",
            "爆炸",
            "炸了",
            "自燃",
            "烧焦",
            "烫伤",
            "烧伤",
            "灼伤",
            "触电",
            "漏电",
            "电到",
            "受伤",
            "划伤",
            "割伤",
            "流血",
            "过敏",
            "中毒",
            "送医",
            "就医",
            "住院",
            "fire",
            "smoke",
            "explod",
            "burn",
            "electric shock",
            "injur",
            "bleeding",
            "hospital",
            "poison",
        ],
    ),
    (
        Flag::Authority,
        &[
            "12315",
            "12345",
            "工商",
            "消协",
            "消费者协会",
            "市场监管",
            "监管局",
            "律师",
            "起诉",
            "法院",
            "报警",
            "曝光",
            "媒体",
            "记者",
            "lawyer",
            "sue ",
            "sued",
            "suing",
            "court",
            "police",
            "trading standards",
            "consumer protection",
        ],
    ),
    (
        Flag::Platform,
        &[
            "差评",
            "投诉你们",
            "投诉商家",
            "投诉店铺",
            "投诉卖家",
            "平台投诉",
            "平台介入",
            "小二介入",
            "客服介入",
            "申请介入",
            "举报",
            "维权",
            "bad review",
            "one star",
            "1 star",
            "chargeback",
            "dispute",
            "complain to",
        ],
    ),
    (
        Flag::Anger,
        &[
            "骂人",
            "骂我",
            "辱骂",
            "态度差",
            "态度恶劣",
            "态度极差",
            "垃圾",
            "骗子",
            "欺骗",
            "忽悠",
            "坑人",
            "黑店",
            "无良",
            "恶心",
            "气死",
            "滚",
            "什么破",
            "太差劲",
            "忍无可忍",
            "scam",
            "fraud",
            "rude",
            "disgusting",
            "terrible",
            "worst",
            "ridiculous",
            "furious",
        ],
    ),
];

/// Words that turn the cue right after them around (没有起火, 不会给差评, "no fire").
const NEGATIONS: &[&str] = &[
    "没有", "没", "不会", "不是", "不", "无", "未", "并非", "no", "not", "never",
];

/// What the text says: its flags (most serious first) with the cue words found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub flags: Vec<Flag>,
    pub cues: Vec<String>,
}

impl Reading {
    /// The least priority the case has: its flags' highest.
    pub fn priority(&self) -> Option<Priority> {
        self.flags.iter().map(|flag| flag.priority()).max()
    }

    /// `priority` raised to the flags' least, never lowered.
    pub fn raise(&self, priority: Priority) -> Priority {
        self.priority()
            .map_or(priority, |least| priority.max(least))
    }

    /// The flags a case carrying `tags` does not have yet.
    pub fn new_flags(&self, tags: &[String]) -> Vec<Flag> {
        self.flags
            .iter()
            .copied()
            .filter(|flag| !tags.iter().any(|tag| tag == flag.tag()))
            .collect()
    }

    pub fn tells_supervisors(&self) -> bool {
        self.flags.iter().any(|flag| flag.tells_supervisors())
    }
}

/// Words between a negation and its cue (不会给差评, 没有发生起火).
const BETWEEN: &[&str] = &["给", "打", "写", "发生", "有", "会", "要"];

fn negated(before: &str) -> bool {
    let mut tail = before.trim_end();
    if let Some(shorter) = BETWEEN.iter().find_map(|word| tail.strip_suffix(word)) {
        tail = shorter;
    }
    NEGATIONS.iter().any(|negation| {
        tail.strip_suffix(negation).is_some_and(|rest| {
            !negation.is_ascii() || !rest.ends_with(|c: char| c.is_ascii_alphanumeric())
        })
    })
}

/// Whether a cue found at `at` starts a word (English cues only; Chinese has no spaces).
fn starts_word(text: &str, at: usize, cue: &str) -> bool {
    !cue.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !text[..at].ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Reads `text` for the flags.
pub fn read(text: &str) -> Reading {
    let lower = text.to_lowercase();
    let mut reading = Reading::default();
    for (flag, cues) in CUES {
        for cue in *cues {
            let found = lower
                .match_indices(cue)
                .any(|(at, _)| starts_word(&lower, at, cue) && !negated(&lower[..at]));
            if found {
                if !reading.flags.contains(flag) {
                    reading.flags.push(*flag);
                }
                reading.cues.push(cue.trim().to_string());
            }
        }
    }
    reading.flags.sort();
    reading
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danger_threats_and_anger_are_flagged_most_serious_first() {
        let reading = read("充电器用了两天就冒烟起火，孩子手被烫伤，客服还骂人，我要打12315！");
        assert_eq!(
            reading.flags,
            vec![Flag::Safety, Flag::Authority, Flag::Anger]
        );
        assert_eq!(reading.priority(), Some(Priority::Urgent));
        assert!(reading.tells_supervisors());
        assert!(reading.cues.contains(&"烫伤".to_string()));
    }

    #[test]
    fn a_negated_cue_is_not_a_flag() {
        let reading = read("没有起火，也不会给差评，只是充不进电");
        assert_eq!(reading.flags, Vec::<Flag>::new());
        assert_eq!(reading.priority(), None);
        let english = read("No fire, it just does not charge");
        assert!(english.flags.is_empty(), "{english:?}");
    }

    #[test]
    fn english_and_mixed_case_are_read() {
        let reading = read("The adapter caught FIRE and I will Sue you");
        assert_eq!(reading.flags, vec![Flag::Safety, Flag::Authority]);
        assert!(
            read("There is an issue with the screen").flags.is_empty(),
            "a cue inside a word (is-sue) is not one"
        );
        let angry = read("Your support agent was rude");
        assert_eq!(angry.flags, vec![Flag::Anger]);
        assert_eq!(angry.priority(), Some(Priority::High));
        assert!(!angry.tells_supervisors(), "anger raises the priority only");
    }

    #[test]
    fn a_plain_request_has_no_flag() {
        let reading = read("尺码偏小，想换大一码");
        assert!(reading.flags.is_empty());
    }
}
