//! Answering a query: BM25 over title, tags and body, with typo and prefix
//! matches at reduced weight, hits grouped by slug, and a confidence that
//! decides whether an answer is good enough to offer a client on its own.

use std::collections::HashMap;

use super::detect::detect_language;
use super::index::{
    BODY, Doc, FIELDS, LanguageIndex, Posting, SearchIndex, TAGS, TITLE, language_slot,
};
use super::query::query_words;
use super::words::{Word, words};
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

/// Per article (translation), in the index's order.
struct Matches {
    score: Vec<f32>,
    confidence: Vec<f32>,
}

impl SearchIndex {
    /// Articles for `query`, best first, one per slug, at most `limit`.
    pub fn search(&self, query: &str, prefer: Option<Language>, limit: usize) -> Vec<Hit> {
        let mut words = words(query);
        words.truncate(MAX_QUERY_WORDS);
        if words.is_empty() || limit == 0 || self.docs.is_empty() {
            return Vec::new();
        }
        let mut matches = self.match_articles(&words);
        if let Some(language) = detect_language(query) {
            for (doc, score) in self.docs.iter().zip(matches.score.iter_mut()) {
                if doc.language != language {
                    *score *= OTHER_LANGUAGE_SHARE;
                }
            }
        }
        let mut hits = self.hits_by_slug(&matches, prefer);
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

    /// Scores every article against the query, each with the query read the
    /// way its own language's articles were read.
    fn match_articles(&self, words: &[Word]) -> Matches {
        let mut score = vec![0f32; self.docs.len()];
        let mut evidence = vec![0f32; self.docs.len()];
        let mut query_weight = [0f32; 3];
        for language in Language::ALL {
            let index = &self.languages[language_slot(language)];
            if index.documents == 0 {
                continue;
            }
            let query = query_words(index, words, language);
            query_weight[language_slot(language)] = query.iter().map(|word| word.idf).sum();
            for word in &query {
                // Per article, the best of the word's alternatives: a word
                // counts once however many of its variants match.
                let mut best: HashMap<u32, (f32, f32)> = HashMap::new();
                for &(term, weight) in &word.alternatives {
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
                    evidence[doc as usize] += e * word.idf;
                }
            }
        }
        let confidence = self
            .docs
            .iter()
            .zip(evidence)
            .map(|(doc, evidence)| {
                let weight = query_weight[language_slot(doc.language)];
                if weight > 0.0 {
                    (evidence / weight).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect();
        Matches { score, confidence }
    }

    /// One hit per slug that matched: the slug's best translation decides
    /// its score and confidence, `prefer` which translation is returned.
    fn hits_by_slug(&self, matches: &Matches, prefer: Option<Language>) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut start = 0;
        // Translations of a slug are neighbours: the build sorts by slug.
        for translations in self.docs.chunk_by(|a, b| a.slug == b.slug) {
            let range = start..start + translations.len();
            start = range.end;
            let best = range
                .clone()
                .filter(|&doc| matches.score[doc] > 0.0)
                .max_by(|&a, &b| {
                    matches.score[a]
                        .total_cmp(&matches.score[b])
                        .then(b.cmp(&a))
                });
            let Some(best) = best else {
                continue;
            };
            let confidence = range
                .clone()
                .map(|doc| matches.confidence[doc])
                .fold(0.0, f32::max);
            let chosen = prefer
                .and_then(|language| {
                    range
                        .clone()
                        .find(|&doc| self.docs[doc].language == language)
                })
                .unwrap_or(best);
            let article: &Doc = &self.docs[chosen];
            hits.push(Hit {
                article_id: article.id,
                slug: self.slugs[article.slug as usize].to_string(),
                language: article.language,
                score: matches.score[best],
                confidence,
            });
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

/// How far a match counts towards confidence: by the best field it is in.
fn field_evidence(posting: &Posting) -> f32 {
    (0..FIELDS)
        .filter(|&field| posting.count[field] > 0)
        .map(|field| FIELD_EVIDENCE[field])
        .fold(0.0, f32::max)
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
            article(
                9,
                "password",
                Kk,
                "Құпиясөзді қалпына келтіру",
                "Кіру экранында батырманы басыңыз.",
            ),
            article(
                10,
                "methods",
                Ru,
                "Способы оплаты",
                "Принимаем Kaspi QR и наличные.",
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
    fn a_brand_in_cyrillic_finds_its_latin_spelling() {
        let index = SearchIndex::build(articles());
        assert_eq!(index.search("каспи", None, 3)[0].slug, "methods");
    }

    #[test]
    fn two_words_the_article_writes_as_one_match_it() {
        let index = SearchIndex::build(articles());
        let hits = index.search("құпия сөзді ұмыттым", Some(Language::Kk), 3);
        assert_eq!((hits[0].slug.as_str(), hits[0].article_id), ("password", 9));
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
    fn an_index_can_be_shared_between_tasks() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<SearchIndex>();
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn any_message_is_answered_without_panicking_and_with_confidences_in_range(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[а-яёәғқңөұүһі]{1,14}",
                    "[a-zA-Z']{1,14}",
                    "[0-9:\\-]{1,6}",
                    "\\PC{1,4}",
                    proptest::sample::select(vec!["оплата", "картой", "төлем", "пароль", "құпия"])
                        .prop_map(String::from),
                ],
                0..12,
            ),
            separator in proptest::sample::select(vec![" ", "-", ", ", "", "’"]),
        ) {
            let index = SearchIndex::build(articles());
            let message = parts.join(separator);
            for hit in index.search(&message, Some(Language::Kk), 5) {
                proptest::prop_assert!((0.0..=1.0).contains(&hit.confidence));
                proptest::prop_assert!(hit.score.is_finite() && hit.score > 0.0);
            }
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
