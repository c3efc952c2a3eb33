//! The knowledge base's search index: each article's words weighted by where they stand (title
//! 3, tags/category/products 2, body 1), ranked by BM25 (k1 1.2, b 0.75). A question is read
//! into the same words, widened by the shop's synonyms (退钱 also asks for 退款) and, for Latin
//! words the articles never use, by the articles' words one or two typing mistakes away
//! (waranty → warranty). Chinese characters on their own weigh a third of a word: they carry a
//! question with one wrong character, never a question on their own unless it shares half of
//! its characters with the article.

use std::collections::{BTreeMap, HashMap};

use super::words::{Word, distance_within, normalise, words};

/// An article's words: index key → weighted frequency.
pub type Terms = BTreeMap<String, f32>;

const TITLE: f32 = 3.0;
const KEYWORD: f32 = 2.0;
const BODY: f32 = 1.0;
const CHARACTER: f32 = 0.35;
const SYNONYM: f32 = 0.6;
const MISTYPED: f32 = 0.7;
const QUESTION_WORD: f32 = 0.5;
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// The texts of an article, by weight.
#[derive(Debug, Default)]
pub struct Fields<'a> {
    pub titles: Vec<&'a str>,
    pub keywords: Vec<&'a str>,
    pub bodies: Vec<&'a str>,
}

/// An article's weighted words.
pub fn terms(fields: &Fields<'_>) -> Terms {
    let mut terms = Terms::new();
    for (texts, weight) in [
        (&fields.titles, TITLE),
        (&fields.keywords, KEYWORD),
        (&fields.bodies, BODY),
    ] {
        for text in texts {
            for word in words(text) {
                *terms.entry(word.key()).or_default() += weight;
            }
        }
    }
    terms
}

/// One thing asked for: a word of the question, or a group of words that mean the same. An
/// article scores by its best-matching member only, so a group of ten synonyms weighs what one
/// word weighs.
#[derive(Debug, Clone)]
struct Concept {
    members: Vec<Member>,
    character: bool,
}

#[derive(Debug, Clone)]
struct Member {
    key: String,
    weight: f32,
    latin: bool,
}

/// A question read into words.
#[derive(Debug, Clone, Default)]
pub struct Question {
    concepts: Vec<Concept>,
    characters: usize,
}

impl Question {
    /// `text` in words; a word (or, for Chinese, a run of characters) that belongs to one of the
    /// synonym groups asks for the whole group.
    pub fn new(text: &str, synonyms: &[Vec<String>]) -> Question {
        let mut own: Vec<Word> = Vec::new();
        for word in words(text) {
            if !own.contains(&word) {
                own.push(word);
            }
        }
        let own_keys: Vec<String> = own.iter().map(Word::key).collect();
        let normal = normalise(text);
        let mut concepts = Vec::new();
        let mut absorbed: Vec<String> = Vec::new();
        for group in synonyms {
            let member_of = group.iter().any(|member| {
                let member = normalise(member);
                if member.chars().any(super::words::is_han) {
                    normal.contains(&member)
                } else {
                    let keys: Vec<String> = words(&member).iter().map(Word::key).collect();
                    !keys.is_empty() && keys.iter().all(|key| own_keys.contains(key))
                }
            });
            if !member_of {
                continue;
            }
            let mut members: Vec<Member> = Vec::new();
            for member in group {
                let found = words(member);
                let [word] = found.as_slice() else {
                    let whole: Vec<&Word> = found
                        .iter()
                        .filter(|word| !matches!(word, Word::Character(_)))
                        .collect();
                    // A phrase of several words tells the group apart; one Chinese word (its
                    // characters aside) stands for it.
                    if let [word] = whole.as_slice() {
                        push_member(&mut members, word, &own_keys, &mut absorbed);
                    }
                    continue;
                };
                push_member(&mut members, word, &own_keys, &mut absorbed);
            }
            if !members.is_empty() {
                concepts.push(Concept {
                    members,
                    character: false,
                });
            }
        }
        let mut characters = 0;
        for word in &own {
            let key = word.key();
            let character = matches!(word, Word::Character(_));
            if absorbed.contains(&key) {
                continue;
            }
            characters += usize::from(character);
            let weight = if character {
                CHARACTER
            } else if super::words::QUESTION_WORDS.contains(&key.as_str()) {
                QUESTION_WORD
            } else {
                1.0
            };
            concepts.push(Concept {
                members: vec![Member {
                    weight,
                    latin: word.is_latin(),
                    key,
                }],
                character,
            });
        }
        Question {
            concepts,
            characters,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }
}

fn push_member(
    members: &mut Vec<Member>,
    word: &Word,
    own_keys: &[String],
    absorbed: &mut Vec<String>,
) {
    let key = word.key();
    let weight = if own_keys.contains(&key) {
        absorbed.push(key.clone());
        1.0
    } else {
        SYNONYM
    };
    match members.iter_mut().find(|member| member.key == key) {
        Some(member) => member.weight = member.weight.max(weight),
        None => members.push(Member {
            key,
            weight,
            latin: word.is_latin(),
        }),
    }
}

/// The index of one shop's published articles.
#[derive(Debug, Default)]
pub struct Index {
    ids: Vec<String>,
    postings: HashMap<String, Vec<(u32, f32)>>,
    lengths: Vec<f32>,
    average: f32,
}

/// A found article and how well it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<'a> {
    pub id: &'a str,
    pub score: f32,
    /// The share of the question's words (concepts, characters aside) it holds: 0 to 1.
    pub coverage: f32,
}

impl Index {
    pub fn build(documents: impl IntoIterator<Item = (String, Terms)>) -> Index {
        let mut index = Index::default();
        for (id, terms) in documents {
            let number = index.ids.len() as u32;
            index.ids.push(id);
            index.lengths.push(terms.values().sum());
            for (key, frequency) in terms {
                index
                    .postings
                    .entry(key)
                    .or_default()
                    .push((number, frequency));
            }
        }
        index.average = if index.ids.is_empty() {
            1.0
        } else {
            index.lengths.iter().sum::<f32>() / index.ids.len() as f32
        };
        index
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The articles that answer `question`, best first, at most `limit`.
    pub fn search(&self, question: &Question, limit: usize) -> Vec<Hit<'_>> {
        let count = self.ids.len();
        if count == 0 || question.is_empty() {
            return Vec::new();
        }
        let mut scores = vec![0f32; count];
        let mut whole = vec![0u16; count];
        let mut characters = vec![0u16; count];
        let mut touched = Vec::new();
        let mut best = vec![0f32; count];
        let mut reached = Vec::new();
        for concept in &question.concepts {
            for (key, weight) in self.members(concept) {
                let Some(postings) = self.postings.get(&key) else {
                    continue;
                };
                let found = postings.len() as f32;
                let idf = (1.0 + (count as f32 - found + 0.5) / (found + 0.5)).ln();
                for &(document, frequency) in postings {
                    let slot = document as usize;
                    let norm = K1 * (1.0 - B + B * self.lengths[slot] / self.average);
                    let score = weight * idf * frequency * (K1 + 1.0) / (frequency + norm);
                    if best[slot] == 0.0 {
                        reached.push(slot);
                    }
                    best[slot] = best[slot].max(score);
                }
            }
            for slot in reached.drain(..) {
                if scores[slot] == 0.0 && whole[slot] == 0 && characters[slot] == 0 {
                    touched.push(slot);
                }
                scores[slot] += best[slot];
                best[slot] = 0.0;
                if concept.character {
                    characters[slot] += 1;
                } else {
                    whole[slot] += 1;
                }
            }
        }
        // Characters alone carry an article only when it shares half of the question's.
        let needed = match question.characters {
            0 => u16::MAX,
            1 => 1,
            many => many.div_ceil(2).max(2) as u16,
        };
        let asked_words = question.concepts.len() - question.characters;
        let mut hits: Vec<(usize, f32)> = touched
            .into_iter()
            .filter(|&slot| whole[slot] > 0 || characters[slot] >= needed)
            .map(|slot| (slot, scores[slot]))
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.truncate(limit);
        hits.into_iter()
            .map(|(slot, score)| Hit {
                id: &self.ids[slot],
                score,
                coverage: f32::from(whole[slot]) / asked_words.max(1) as f32,
            })
            .collect()
    }

    /// A concept's members, with the articles' words that a mistyped Latin member meant.
    fn members(&self, concept: &Concept) -> Vec<(String, f32)> {
        let mut members = Vec::with_capacity(concept.members.len());
        for member in &concept.members {
            members.push((member.key.clone(), member.weight));
            let length = member.key.chars().count();
            if !member.latin || length < 4 || self.postings.contains_key(&member.key) {
                continue;
            }
            let limit = if length >= 8 { 2 } else { 1 };
            for key in self.postings.keys() {
                if key.starts_with('#') || key.chars().any(super::words::is_han) {
                    continue;
                }
                if distance_within(&member.key, key, limit).is_some() {
                    members.push((key.clone(), member.weight * MISTYPED));
                }
            }
        }
        members
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, title: &str, body: &str) -> (String, Terms) {
        (
            id.to_string(),
            terms(&Fields {
                titles: vec![title],
                keywords: vec![],
                bodies: vec![body],
            }),
        )
    }

    fn index() -> Index {
        Index::build([
            article(
                "refund",
                "退款多久到账 How long does a refund take",
                "审核通过后原路退回，一般1-3个工作日到账。",
            ),
            article(
                "return",
                "怎么寄回商品 How do I send an item back",
                "在订单页打印退货面单，交给快递员。Print the return label.",
            ),
            article(
                "warranty",
                "保修政策 Warranty",
                "三包期内免费维修。Repairs are free during the warranty.",
            ),
        ])
    }

    fn first(index: &Index, text: &str, synonyms: &[Vec<String>]) -> Option<String> {
        index
            .search(&Question::new(text, synonyms), 3)
            .first()
            .map(|hit| hit.id.to_string())
    }

    #[test]
    fn the_right_article_comes_first() {
        let index = index();
        assert_eq!(
            first(&index, "退款什么时候到账", &[]).as_deref(),
            Some("refund")
        );
        assert_eq!(
            first(&index, "how to send it back", &[]).as_deref(),
            Some("return")
        );
        assert_eq!(
            first(&index, "waranty repair", &[]).as_deref(),
            Some("warranty")
        );
    }

    #[test]
    fn one_wrong_character_still_finds_the_sentence() {
        assert_eq!(
            first(&index(), "退宽多久到账", &[]).as_deref(),
            Some("refund")
        );
    }

    #[test]
    fn synonyms_widen_the_question() {
        let index = index();
        assert_eq!(first(&index, "退钱", &[]), None);
        let synonyms = vec![vec!["退款".to_string(), "退钱".to_string()]];
        assert_eq!(first(&index, "退钱", &synonyms).as_deref(), Some("refund"));
    }

    #[test]
    fn a_question_sharing_nothing_finds_nothing() {
        assert!(
            index()
                .search(&Question::new("发票抬头", &[]), 3)
                .is_empty()
        );
        assert!(index().search(&Question::new("", &[]), 3).is_empty());
    }
}
