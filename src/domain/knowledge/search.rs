//! Answering a query: BM25 over title, tags and body, with typo and prefix
//! matches at reduced weight, hits grouped by slug, and a confidence that
//! decides whether an answer is good enough to offer a client on its own.

use std::collections::HashMap;

use super::analyze::{joined, term, terms};
use super::detect::detect_language;
use super::fuzzy::{distance_within, latin_spelling};
use super::index::{BODY, FIELDS, LanguageIndex, Posting, SearchIndex, TAGS, TITLE, language_slot};
use super::words::{Script, Word, fold, words};
use crate::domain::language::Language;

/// A confidence at or above this is "confident enough to suggest": the
/// article is offered to a client on the first message of a ticket.
///
/// Confidence is the share of the message's informative words (weighted by
/// how rare they are among the articles) that the article matches, where a
/// typo or prefix match counts less and a word found only in the body counts
/// less than one in the title or tags. At 0.5 about half of what the client
/// said has to be in the article: a greeting or an off-topic message that
/// happens to share one word with an article stays below, a short question
/// about an article's subject gets above.
pub const SUGGEST_THRESHOLD: f32 = 0.5;

/// A suggestion after the first must score at least this share of the
/// first's, so a clear answer is not followed by two weak ones.
const SECONDARY_SCORE_SHARE: f32 = 0.5;

/// BM25 saturation and length normalisation, the usual values.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// A word in the title says far more about an article than one in its body.
const FIELD_WEIGHT: [f32; FIELDS] = field_values(3.0, 2.0, 1.0);
/// How far a match in each field counts towards confidence.
const FIELD_EVIDENCE: [f32; FIELDS] = field_values(1.0, 1.0, 0.4);

/// Weights of inexact matches, relative to an exact one.
const PREFIX_WEIGHT: f32 = 0.8;
const TYPO_WEIGHT: [f32; 3] = [1.0, 0.7, 0.5];
const LATIN_SPELLING_WEIGHT: f32 = 0.8;
/// Terms shorter than this get neither typo nor prefix matches: at three
/// letters one typo makes another word ("код" → "кот").
const MIN_FUZZY_CHARS: usize = 4;
/// A prefix match may differ by at most this many trailing letters.
const MAX_PREFIX_EXTRA: usize = 3;
/// A translation in another language than the message's scores this share:
/// the query is matched against every language (a Kazakh message typed on a
/// Russian keyboard looks Russian), and a Russian word that happens to look
/// like a Kazakh stem is weaker evidence than a match in the client's own
/// language.
const OTHER_LANGUAGE_SHARE: f32 = 0.8;
/// Very long messages are cut; the first words carry the question.
const MAX_QUERY_WORDS: usize = 32;

const fn field_values(title: f32, tags: f32, body: f32) -> [f32; FIELDS] {
    let mut values = [0.0; FIELDS];
    values[TITLE] = title;
    values[TAGS] = tags;
    values[BODY] = body;
    values
}

/// One article found for a query, standing for its slug.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub article_id: i32,
    pub slug: String,
    /// The translation returned: the preferred language when the slug has
    /// it, otherwise the translation that matched best.
    pub language: Language,
    /// BM25 score of the best-matching translation; only for ordering.
    pub score: f32,
    /// In [0, 1]; see `SUGGEST_THRESHOLD`.
    pub confidence: f32,
}

/// A word of the query as one language's index sees it: the terms it may
/// stand for, each with a weight, and how much the word matters.
#[derive(Debug)]
struct Slot {
    alternatives: Vec<(u32, f32)>,
    idf: f32,
}

impl SearchIndex {
    /// Articles for `query`, best first, one per slug, at most `limit`.
    pub fn search(&self, query: &str, prefer: Option<Language>, limit: usize) -> Vec<Hit> {
        let mut words = words(query);
        words.truncate(MAX_QUERY_WORDS);
        if words.is_empty() || limit == 0 || self.docs.is_empty() {
            return Vec::new();
        }
        let mut score = vec![0f32; self.docs.len()];
        let mut evidence = vec![0f32; self.docs.len()];
        let mut total_idf = [0f32; 3];
        for language in Language::ALL {
            let slot = language_slot(language);
            let index = &self.languages[slot];
            if index.documents == 0 {
                continue;
            }
            let slots = query_slots(index, &words, language);
            total_idf[slot] = slots.iter().map(|s| s.idf).sum();
            for query_slot in &slots {
                let mut best: HashMap<u32, (f32, f32)> = HashMap::new();
                for &(term, weight) in &query_slot.alternatives {
                    let idf = index.idf[term as usize];
                    for posting in index.postings[term as usize].iter() {
                        let s = weight * idf * self.saturated_frequency(index, posting);
                        let e = weight * field_evidence(posting);
                        let entry = best.entry(posting.doc).or_default();
                        entry.0 = entry.0.max(s);
                        entry.1 = entry.1.max(e);
                    }
                }
                for (doc, (s, e)) in best {
                    score[doc as usize] += s;
                    evidence[doc as usize] += e * query_slot.idf;
                }
            }
        }

        if let Some(language) = detect_language(query) {
            for (doc, score) in self.docs.iter().zip(score.iter_mut()) {
                if doc.language != language {
                    *score *= OTHER_LANGUAGE_SHARE;
                }
            }
        }

        let mut hits = Vec::new();
        let mut start = 0;
        while start < self.docs.len() {
            let slug = self.docs[start].slug;
            let end = start
                + self.docs[start..]
                    .iter()
                    .take_while(|doc| doc.slug == slug)
                    .count();
            let best = (start..end)
                .filter(|&doc| score[doc] > 0.0)
                .max_by(|&a, &b| score[a].total_cmp(&score[b]).then(b.cmp(&a)));
            if let Some(best) = best {
                let confidence = (start..end)
                    .map(|doc| {
                        let total = total_idf[language_slot(self.docs[doc].language)];
                        if total > 0.0 {
                            evidence[doc] / total
                        } else {
                            0.0
                        }
                    })
                    .fold(0f32, f32::max)
                    .clamp(0.0, 1.0);
                let chosen = prefer
                    .and_then(|language| {
                        (start..end).find(|&doc| self.docs[doc].language == language)
                    })
                    .unwrap_or(best);
                hits.push(Hit {
                    article_id: self.docs[chosen].id,
                    slug: self.slugs[slug as usize].to_string(),
                    language: self.docs[chosen].language,
                    score: score[best],
                    confidence,
                });
            }
            start = end;
        }
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.slug.cmp(&b.slug))
        });
        hits.truncate(limit);
        hits
    }

    /// The articles worth offering a client unasked: at most `max`, each at
    /// least `SUGGEST_THRESHOLD` confident, none far weaker than the first.
    pub fn suggest(&self, query: &str, prefer: Option<Language>, max: usize) -> Vec<Hit> {
        let mut hits = self.search(query, prefer, max);
        hits.retain(|hit| hit.confidence >= SUGGEST_THRESHOLD);
        if let Some(top) = hits.first().map(|hit| hit.score) {
            hits.retain(|hit| hit.score >= SECONDARY_SCORE_SHARE * top);
        }
        hits
    }

    /// BM25F's term-frequency part: field counts weighted and normalised by
    /// field length, then saturated.
    fn saturated_frequency(&self, index: &LanguageIndex, posting: &Posting) -> f32 {
        let doc = &self.docs[posting.doc as usize];
        let frequency: f32 = (0..FIELDS)
            .filter(|&field| posting.count[field] > 0)
            .map(|field| {
                let average = index.average_length[field].max(1.0);
                let norm = 1.0 - B + B * f32::from(doc.length[field]) / average;
                FIELD_WEIGHT[field] * f32::from(posting.count[field]) / norm
            })
            .sum();
        frequency * (K1 + 1.0) / (frequency + K1)
    }
}

fn field_evidence(posting: &Posting) -> f32 {
    (0..FIELDS)
        .filter(|&field| posting.count[field] > 0)
        .map(|field| FIELD_EVIDENCE[field])
        .fold(0.0, f32::max)
}

/// The query's words as `language`'s index sees them. A word the index has
/// is matched exactly; any other word is matched to close terms (typos,
/// prefixes, a Cyrillic brand name's Latin spelling) at lower weight, and
/// still counts towards the query's weight, so a question about something
/// the articles do not cover is not mistaken for one they answer.
fn query_slots(index: &LanguageIndex, words: &[Word], language: Language) -> Vec<Slot> {
    let terms = terms(words, language);
    let mut slots: Vec<Option<Slot>> = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let Some(query_term) = &terms[i] else {
            slots.push(None);
            continue;
        };
        if terms[..i].contains(&terms[i]) {
            slots.push(None);
            continue;
        }
        let mut alternatives = Vec::new();
        if let Some(id) = index.term_id(query_term) {
            alternatives.push((id, 1.0));
            // Stemmers leave some forms of one word a letter or two apart
            // («работает» → "работа", «работы» → "работ"; Kazakh «мерзім»
            // → "мерз", «мерзімі» → "мерзим").
            prefix_terms(index, query_term, 1.0, &mut alternatives);
        } else {
            close_terms(index, query_term, 1.0, &mut alternatives);
            if word.script == Script::Cyrillic {
                let latin = Word {
                    text: latin_spelling(&fold(&word.text)),
                    script: Script::Latin,
                    hyphen_next: false,
                };
                if let Some(latin) = term(&latin, language) {
                    match index.term_id(&latin) {
                        Some(id) => alternatives.push((id, LATIN_SPELLING_WEIGHT)),
                        None => {
                            close_terms(index, &latin, LATIN_SPELLING_WEIGHT, &mut alternatives)
                        }
                    }
                }
            }
        }
        let idf = if let Some(id) = index.term_id(query_term) {
            index.idf[id as usize]
        } else {
            alternatives
                .iter()
                .map(|&(id, _)| index.idf[id as usize])
                .fold(index.idf_for(1.0), f32::max)
        };
        slots.push(Some(Slot { alternatives, idf }));
    }
    // Two words the client wrote apart that the articles write as one
    // ("құпия сөз" for «құпиясөз», "e mail") match it with both words.
    for i in 0..words.len().saturating_sub(1) {
        let Some(compound) = joined(&words[i], &words[i + 1]) else {
            continue;
        };
        let Some(id) = term(&compound, language).and_then(|t| index.term_id(&t)) else {
            continue;
        };
        for slot in slots[i..=i + 1].iter_mut().flatten() {
            slot.alternatives.push((id, 1.0));
        }
    }
    slots.into_iter().flatten().collect()
}

/// Vocabulary terms close to `term`: ones it is a prefix of or that are a
/// prefix of it (word forms the stemmer did not bring together), and ones
/// one or two typos away. Each comes with `weight` times the match's weight.
fn close_terms(index: &LanguageIndex, term: &str, weight: f32, out: &mut Vec<(u32, f32)>) {
    let mut found = Vec::new();
    prefix_terms(index, term, 1.0, &mut found);
    typo_terms(index, term, &mut found);
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    found.dedup_by_key(|(id, _)| *id);
    out.extend(found.into_iter().map(|(id, w)| (id, w * weight)));
}

/// Vocabulary terms that `term` is a prefix of, or that are a prefix of it,
/// differing by at most `MAX_PREFIX_EXTRA` letters.
fn prefix_terms(index: &LanguageIndex, term: &str, weight: f32, found: &mut Vec<(u32, f32)>) {
    let query: Vec<char> = term.chars().collect();
    let n = query.len();
    if n < MIN_FUZZY_CHARS {
        return;
    }
    let start = index.vocabulary.partition_point(|t| t.as_ref() < term);
    for (id, candidate) in index.vocabulary.iter().enumerate().skip(start) {
        if !candidate.starts_with(term) {
            break;
        }
        let extra = usize::from(index.term_chars[id]) - n;
        if extra > 0 && extra <= MAX_PREFIX_EXTRA {
            found.push((id as u32, weight * PREFIX_WEIGHT));
        }
    }
    for k in (MIN_FUZZY_CHARS..n).rev().take(MAX_PREFIX_EXTRA) {
        let prefix: String = query[..k].iter().collect();
        if let Some(id) = index.term_id(&prefix) {
            found.push((id, weight * PREFIX_WEIGHT));
        }
    }
}

/// Vocabulary terms one typo away from `term`, or two for long terms.
///
/// Only terms that could start the same way are measured — same first
/// letter, or the first letter dropped, added or swapped with the second —
/// which skips most of the vocabulary; a wrong first letter is the rarest
/// typo and is not forgiven.
fn typo_terms(index: &LanguageIndex, term: &str, found: &mut Vec<(u32, f32)>) {
    let query: Vec<char> = term.chars().collect();
    let n = query.len();
    if n < MIN_FUZZY_CHARS {
        return;
    }
    let max_typos = if n >= 7 { 2 } else { 1 };
    let mut candidate_chars = Vec::new();
    for (id, candidate) in index.vocabulary.iter().enumerate() {
        if usize::from(index.term_chars[id]).abs_diff(n) > max_typos {
            continue;
        }
        let mut start = candidate.chars();
        let (first, second) = (start.next(), start.next());
        let could_start_alike =
            first == Some(query[0]) || second == Some(query[0]) || first == Some(query[1]);
        if !could_start_alike {
            continue;
        }
        candidate_chars.clear();
        candidate_chars.extend(candidate.chars());
        if let Some(distance @ 1..) = distance_within(&query, &candidate_chars, max_typos) {
            found.push((id as u32, TYPO_WEIGHT[distance]));
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::knowledge::IndexedArticle;

    fn article(id: i32, slug: &str, language: Language, title: &str, body: &str) -> IndexedArticle {
        IndexedArticle {
            id,
            slug: slug.to_string(),
            language,
            title: title.to_string(),
            body: body.to_string(),
            tags: Vec::new(),
        }
    }

    fn articles() -> Vec<IndexedArticle> {
        use Language::{En, Kk, Ru};
        vec![
            article(
                1,
                "pay-by-card",
                Ru,
                "Оплата картой",
                "Оплатить заказ можно банковской картой в приложении.",
            ),
            article(
                2,
                "pay-by-card",
                Kk,
                "Төлем жасау",
                "Тапсырысты банк картасымен төлеуге болады.",
            ),
            article(
                3,
                "pay-by-card",
                En,
                "Paying by card",
                "You can pay for an order with a bank card.",
            ),
            article(
                4,
                "password",
                Ru,
                "Восстановление пароля",
                "Нажмите «Забыли пароль?» на экране входа.",
            ),
            article(
                5,
                "password",
                En,
                "Resetting your password",
                "Tap “Forgot password?” on the sign-in screen.",
            ),
            article(
                6,
                "refund",
                Ru,
                "Возврат денег",
                "Деньги возвращаются на карту за 3–10 рабочих дней.",
            ),
            article(
                7,
                "refund",
                Kk,
                "Ақшаны қайтару",
                "Ақша картаға 3–10 жұмыс күні ішінде қайтарылады.",
            ),
            article(
                8,
                "delivery",
                Ru,
                "Сроки доставки",
                "Курьер доставит заказ за 1–2 дня.",
            ),
        ]
    }

    fn slugs(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|hit| hit.slug.as_str()).collect()
    }

    #[test]
    fn other_word_forms_find_the_article() {
        let index = SearchIndex::build(articles());
        let hits = index.search("не могу оплатить картой", None, 3);
        assert_eq!(hits[0].slug, "pay-by-card");
        let hits = index.search("төлем", None, 3);
        assert_eq!(
            (hits[0].slug.as_str(), hits[0].language),
            ("pay-by-card", Language::Kk)
        );
    }

    #[test]
    fn small_typos_still_match() {
        let index = SearchIndex::build(articles());
        assert_eq!(index.search("забыл пороль", None, 3)[0].slug, "password");
        assert_eq!(index.search("forgot pasword", None, 3)[0].slug, "password");
    }

    #[test]
    fn kazakh_typed_without_kazakh_letters_finds_the_kazakh_article() {
        let index = SearchIndex::build(articles());
        let hits = index.search("акшаны кайтару", None, 3);
        assert_eq!(
            (hits[0].slug.as_str(), hits[0].language),
            ("refund", Language::Kk)
        );
    }

    #[test]
    fn translations_are_one_hit_in_the_preferred_language_when_there_is_one() {
        let index = SearchIndex::build(articles());
        let hits = index.search("оплата картой", None, 10);
        assert_eq!(
            slugs(&hits).iter().filter(|&&s| s == "pay-by-card").count(),
            1
        );
        assert_eq!(
            hits[0].language,
            Language::Ru,
            "without a preference, the matching translation"
        );

        let hits = index.search("оплата картой", Some(Language::En), 10);
        assert_eq!((hits[0].article_id, hits[0].language), (3, Language::En));

        let hits = index.search("сроки доставки", Some(Language::Kk), 10);
        assert_eq!(
            hits[0].language,
            Language::Ru,
            "no Kazakh translation: the Russian one"
        );
    }

    #[test]
    fn greetings_and_unrelated_messages_suggest_nothing() {
        let index = SearchIndex::build(articles());
        assert!(index.search("привет! 👋", None, 3).is_empty());
        assert!(index.suggest("hi, thanks", None, 3).is_empty());
        assert!(
            index
                .suggest("какая погода завтра в алматы", None, 3)
                .is_empty()
        );
    }

    #[test]
    fn a_clear_question_is_suggested_with_a_confidence_in_range() {
        let index = SearchIndex::build(articles());
        let hits = index.suggest("забыл пароль", Some(Language::Ru), 3);
        assert_eq!(slugs(&hits), ["password"]);
        assert!((SUGGEST_THRESHOLD..=1.0).contains(&hits[0].confidence));
    }

    #[test]
    fn the_order_articles_arrive_in_changes_nothing() {
        let mut reversed = articles();
        reversed.reverse();
        let (a, b) = (SearchIndex::build(articles()), SearchIndex::build(reversed));
        for query in ["оплата картой", "пароль", "ақша", "card", "доставка заказа"]
        {
            assert_eq!(
                a.search(query, None, 5),
                b.search(query, None, 5),
                "{query}"
            );
        }
    }

    #[test]
    fn empty_queries_limits_and_indexes_find_nothing() {
        let index = SearchIndex::build(articles());
        assert!(index.search("", None, 3).is_empty());
        assert!(index.search("оплата", None, 0).is_empty());
        assert!(
            SearchIndex::build(Vec::new())
                .search("оплата", None, 3)
                .is_empty()
        );
    }
}
