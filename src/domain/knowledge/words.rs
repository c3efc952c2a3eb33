//! The words of a text, for the knowledge base's search: Latin words lower-cased and made
//! singular, Chinese words from jieba's dictionary (search mode: 退款到账 gives 退款, 到账, 退款到账),
//! and every Chinese character on its own as a weak term, so that a word typed with one wrong
//! character (退宽) still finds the rest of its sentence. Full-width letters and digits count as
//! their ASCII forms, traditional characters as simplified. Little words (的, 了, the, my …) are left out.

use std::sync::LazyLock;

use jieba_rs::Jieba;

/// jieba's dictionary (about 350 k words) with the after-sales words it lacks, loaded once per
/// process; words it does not know are guessed by its hidden Markov model.
static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    for word in SERVICE_WORDS {
        jieba.add_word(word, Some(20_000), None);
    }
    jieba
});

/// Words of online shops' after-sales service that jieba's dictionary splits.
const SERVICE_WORDS: &[&str] = &[
    "到账",
    "到帐",
    "退款",
    "退钱",
    "退货",
    "换货",
    "寄回",
    "运费险",
    "无理由",
    "七天无理由",
    "退货面单",
    "面单",
    "上门取件",
    "价保",
    "差价",
    "数电票",
    "专票",
    "普票",
    "三包",
    "少件",
    "漏发",
    "错发",
    "发错货",
    "仅退款",
    "退差价",
    "保修期",
    "返修",
    "质保",
    "物流",
    "快递柜",
    "签收",
    "拒收",
    "改派",
    "客服介入",
    "运单号",
    "快递单号",
    "开箱视频",
];

/// A word of a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Word {
    /// A whole word: a Latin word, a number or a Chinese word of two characters or more.
    Whole(String),
    /// One Chinese character.
    Character(char),
}

impl Word {
    /// The word as an index key: characters carry a `#` in front, so 好 the character and 好
    /// the (one-character) word never meet.
    pub fn key(&self) -> String {
        match self {
            Word::Whole(text) => text.clone(),
            Word::Character(character) => format!("#{character}"),
        }
    }

    pub fn is_latin(&self) -> bool {
        matches!(self, Word::Whole(text) if text.chars().all(|c| !is_han(c)))
    }
}

const LITTLE_WORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "to", "of", "and", "or", "in",
    "on", "at", "for", "my", "me", "i", "you", "your", "it", "its", "this", "that", "do", "does",
    "did", "how", "what", "when", "where", "why", "can", "could", "will", "would", "with", "from",
    "have", "has", "had", "if", "so", "as", "by", "we", "our", "us", "am", "get", "got", "there",
    "yet", "still", "please", "hi", "hello",
];

/// Chinese question words: they say what kind of answer is wanted, not what it is about, so a
/// question's own words weigh more.
pub const QUESTION_WORDS: &[&str] = &[
    "多久",
    "多长时间",
    "什么时候",
    "怎么",
    "怎么办",
    "怎样",
    "如何",
    "什么",
    "为什么",
    "哪里",
    "哪儿",
    "能否",
    "可以",
    "是否",
    "几天",
    "能不能",
    "可不可以",
];

const LITTLE_CHARACTERS: &str =
    "的了吗呢啊吧我你您是在有么和就都也还要能会这那个把被给让呀哦嗯么呗啦哈请问";

pub fn is_han(character: char) -> bool {
    matches!(character, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Traditional characters as simplified (维修 for 維修: customers in Hong Kong and Taiwan, and
/// phones set to traditional input, ask too), full-width forms as ASCII, lower case.
pub fn normalise(text: &str) -> String {
    fast2s::convert(text)
        .chars()
        .map(|character| match character {
            '\u{FF01}'..='\u{FF5E}' => {
                char::from_u32(character as u32 - 0xFEE0).unwrap_or(character)
            }
            '\u{3000}' => ' ',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of `text`, in order, repeats kept.
pub fn words(text: &str) -> Vec<Word> {
    let text = normalise(text);
    let mut found = Vec::new();
    let mut run = String::new();
    let mut han = false;
    let flush = |run: &mut String, han: bool, found: &mut Vec<Word>| {
        if run.is_empty() {
            return;
        }
        if han {
            chinese(run, found);
        } else {
            latin(run, found);
        }
        run.clear();
    };
    for character in text.chars() {
        let this_han = is_han(character);
        let part = this_han || character.is_alphanumeric();
        if !part || this_han != han {
            flush(&mut run, han, &mut found);
        }
        if part {
            run.push(character);
            han = this_han;
        }
    }
    flush(&mut run, han, &mut found);
    found
}

fn chinese(run: &str, found: &mut Vec<Word>) {
    for word in JIEBA.cut_for_search(run, true) {
        if word.chars().count() >= 2 {
            found.push(Word::Whole(word.to_string()));
        }
    }
    found.extend(
        run.chars()
            .filter(|character| !LITTLE_CHARACTERS.contains(*character))
            .map(Word::Character),
    );
}

fn latin(run: &str, found: &mut Vec<Word>) {
    if LITTLE_WORDS.contains(&run) {
        return;
    }
    found.push(Word::Whole(singular(run)));
}

/// A light English stemmer: refunds → refund, deliveries → delivery, arrived and arrive →
/// arriv, changing → chang; address stays.
fn singular(word: &str) -> String {
    let length = word.chars().count();
    let mut stem = if length > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if length > 3 && word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    };
    if !stem.is_ascii() {
        return stem;
    }
    if stem.len() > 5 && stem.ends_with("ing") {
        stem.truncate(stem.len() - 3);
    } else if stem.len() > 4 && stem.ends_with("ed") && !stem.ends_with("eed") {
        stem.truncate(stem.len() - 2);
    }
    if stem.len() > 3 && stem.ends_with('e') && !stem.ends_with("ee") {
        stem.pop();
    }
    stem
}

/// Edit distance with swapped neighbours counting as one edit (optimal string alignment:
/// refnud → refund is 1), or `None` once it is past `limit`.
pub fn distance_within(left: &str, right: &str, limit: usize) -> Option<usize> {
    let left: Vec<char> = left.chars().collect();
    let right: Vec<char> = right.chars().collect();
    if left.len().abs_diff(right.len()) > limit {
        return None;
    }
    let width = right.len() + 1;
    let mut rows = vec![vec![0usize; width]; 3];
    for (j, cell) in rows[1].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=left.len() {
        let (before, rest) = rows.split_at_mut(2);
        let (two_back, previous) = (&before[0], &before[1]);
        let current = &mut rest[0];
        current[0] = i;
        let mut smallest = i;
        for j in 1..width {
            let cost = usize::from(left[i - 1] != right[j - 1]);
            let mut value = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(current[j - 1] + 1);
            if i > 1 && j > 1 && left[i - 1] == right[j - 2] && left[i - 2] == right[j - 1] {
                value = value.min(two_back[j - 2] + 1);
            }
            current[j] = value;
            smallest = smallest.min(value);
        }
        if smallest > limit {
            return None;
        }
        rows.rotate_left(1);
    }
    let distance = rows[1][width - 1];
    (distance <= limit).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        words(text).iter().map(Word::key).collect()
    }

    #[test]
    fn chinese_gives_words_and_characters() {
        let found = keys("退款多久到账");
        assert!(found.contains(&"退款".to_string()), "{found:?}");
        assert!(found.contains(&"到账".to_string()), "{found:?}");
        assert!(found.contains(&"#退".to_string()));
        assert!(!found.iter().any(|key| key == "#的"));
    }

    #[test]
    fn latin_words_are_lower_case_singular_and_full_width_is_ascii() {
        assert_eq!(keys("Where are my REFUNDS?"), vec!["refund"]);
        assert_eq!(
            keys("Ｒｅｔｕｒｎ deliveries address"),
            vec!["return", "delivery", "address"]
        );
        assert_eq!(
            keys("arrived arrive changing"),
            vec!["arriv", "arriv", "chang"]
        );
        assert_eq!(keys("7天无理由"), {
            let mut expected = vec!["7".to_string()];
            expected.extend(keys("天无理由"));
            expected
        });
    }

    #[test]
    fn traditional_characters_read_as_simplified() {
        assert_eq!(keys("退款多久到賬"), keys("退款多久到账"));
        assert_eq!(keys("維修"), keys("维修"));
    }

    #[test]
    fn distance_stops_past_its_limit() {
        assert_eq!(distance_within("refund", "refnud", 1), Some(1));
        assert_eq!(distance_within("adress", "address", 1), Some(1));
        assert_eq!(distance_within("warranty", "waranty", 1), Some(1));
        assert_eq!(distance_within("refund", "return", 1), None);
    }
}
