//! The in-memory index: for each language, a sorted vocabulary and, per
//! term, the articles it occurs in with its counts per field.
//!
//! Every instance builds it from the article rows it reads from the database
//! and builds it again when they change. Building is deterministic — the
//! articles are put in (slug, language, id) order first — so instances that
//! read the same rows in any order answer every query the same way.
//!
//! Size: a posting is 8 bytes and a term costs its text plus about 40 bytes;
//! 3,000 articles of 150 words hold about 4.6 MiB (measured by
//! tests/kb_eval.rs; `approximate_bytes` estimates it).

use std::collections::BTreeMap;

use super::analyze::field_terms;
use crate::domain::language::Language;

/// An article as the index needs it: one translation of one slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedArticle {
    pub id: i32,
    pub slug: String,
    pub language: Language,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
}

/// Fields in the order postings count them.
pub(super) const TITLE: usize = 0;
pub(super) const TAGS: usize = 1;
pub(super) const BODY: usize = 2;
pub(super) const FIELDS: usize = 3;

#[derive(Debug, Clone)]
pub(super) struct Doc {
    pub id: i32,
    pub slug: u32,
    pub language: Language,
    /// Terms per field, for length normalisation.
    pub length: [u16; FIELDS],
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Posting {
    pub doc: u32,
    /// Occurrences per field, saturating: beyond a few, more says nothing.
    pub count: [u8; FIELDS],
}

/// The part of the index for articles in one language. Queries are analysed
/// once per language and matched against that language's terms only.
#[derive(Debug, Clone, Default)]
pub(super) struct LanguageIndex {
    /// Sorted, so a term's id is its position and prefixes are ranges.
    pub vocabulary: Vec<Box<str>>,
    /// Length of each term in characters, for typo candidates.
    pub term_chars: Vec<u8>,
    pub postings: Vec<Box<[Posting]>>,
    pub idf: Vec<f32>,
    pub documents: u32,
    pub average_length: [f32; FIELDS],
}

impl LanguageIndex {
    pub fn term_id(&self, term: &str) -> Option<u32> {
        self.vocabulary
            .binary_search_by(|probe| probe.as_ref().cmp(term))
            .ok()
            .map(|id| id as u32)
    }

    /// The inverse document frequency of a term found in `df` of this
    /// language's articles (BM25's, never negative).
    pub fn idf_for(&self, df: f32) -> f32 {
        let n = self.documents as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }
}

/// Articles in every language, ready to be searched; see `search`.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    pub(super) docs: Vec<Doc>,
    pub(super) slugs: Vec<Box<str>>,
    pub(super) languages: [LanguageIndex; 3],
}

pub(super) fn language_slot(language: Language) -> usize {
    match language {
        Language::Ru => 0,
        Language::Kk => 1,
        Language::En => 2,
    }
}

impl SearchIndex {
    pub fn build(articles: impl IntoIterator<Item = IndexedArticle>) -> SearchIndex {
        let mut articles: Vec<IndexedArticle> = articles.into_iter().collect();
        articles.sort_by(|a, b| {
            (&a.slug, language_slot(a.language), a.id).cmp(&(
                &b.slug,
                language_slot(b.language),
                b.id,
            ))
        });

        let mut index = SearchIndex::default();
        let mut builders: [BTreeMap<String, Vec<Posting>>; 3] = Default::default();
        let mut length_sums = [[0u64; FIELDS]; 3];
        for article in articles {
            if index.slugs.last().map(AsRef::as_ref) != Some(article.slug.as_str()) {
                index.slugs.push(article.slug.as_str().into());
            }
            let doc = index.docs.len() as u32;
            let slot = language_slot(article.language);
            let fields = [
                field_terms(&article.title, article.language),
                field_terms(&article.tags.join(" , "), article.language),
                field_terms(&article.body, article.language),
            ];
            let mut counts: BTreeMap<&str, [u8; FIELDS]> = BTreeMap::new();
            let mut length = [0u16; FIELDS];
            for (field, terms) in fields.iter().enumerate() {
                length[field] = u16::try_from(terms.len()).unwrap_or(u16::MAX);
                length_sums[slot][field] += terms.len() as u64;
                for term in terms {
                    let count = &mut counts.entry(term).or_default()[field];
                    *count = count.saturating_add(1);
                }
            }
            for (term, count) in counts {
                builders[slot]
                    .entry(term.to_owned())
                    .or_default()
                    .push(Posting { doc, count });
            }
            index.docs.push(Doc {
                id: article.id,
                slug: (index.slugs.len() - 1) as u32,
                language: article.language,
                length,
            });
            index.languages[slot].documents += 1;
        }

        for (slot, builder) in builders.into_iter().enumerate() {
            let language = &mut index.languages[slot];
            let documents = language.documents.max(1) as f32;
            language.average_length = length_sums[slot].map(|sum| sum as f32 / documents);
            for (term, postings) in builder {
                language
                    .term_chars
                    .push(term.chars().count().min(255) as u8);
                language.vocabulary.push(term.into_boxed_str());
                let idf = language.idf_for(postings.len() as f32);
                language.idf.push(idf);
                language.postings.push(postings.into_boxed_slice());
            }
        }
        index
    }

    /// How many articles (translations) the index holds.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Heap bytes the index holds, roughly: term texts and postings, the
    /// per-term tables and the article list.
    pub fn approximate_bytes(&self) -> usize {
        use std::mem::size_of;
        let languages: usize = self
            .languages
            .iter()
            .map(|language| {
                let terms: usize = language
                    .vocabulary
                    .iter()
                    .map(|term| term.len() + size_of::<Box<str>>())
                    .sum();
                let postings: usize = language
                    .postings
                    .iter()
                    .map(|list| list.len() * size_of::<Posting>() + size_of::<Box<[Posting]>>())
                    .sum();
                terms + postings + language.idf.len() * (size_of::<f32>() + 1)
            })
            .sum();
        let slugs: usize = self
            .slugs
            .iter()
            .map(|slug| slug.len() + size_of::<Box<str>>())
            .sum();
        languages + slugs + self.docs.len() * size_of::<Doc>()
    }

    /// Vocabulary and postings counts, for reports.
    pub fn term_count(&self) -> usize {
        self.languages.iter().map(|l| l.vocabulary.len()).sum()
    }

    pub fn posting_count(&self) -> usize {
        self.languages
            .iter()
            .flat_map(|l| &l.postings)
            .map(|p| p.len())
            .sum()
    }
}
