//! A query's words as one language's index sees them: the terms each word
//! may stand for — exact, or close by prefix, typo or Latin spelling — each
//! with a weight.

use super::analyze::{joined, term, terms};
use super::fuzzy::{distance_within, latin_spelling};
use super::index::LanguageIndex;
use super::words::{Script, Word, fold};
use crate::domain::language::Language;

/// Weights of inexact matches, relative to an exact one.
const PREFIX_WEIGHT: f32 = 0.8;
const TYPO_WEIGHT: [f32; 3] = [1.0, 0.7, 0.5];
const LATIN_SPELLING_WEIGHT: f32 = 0.8;
/// Terms shorter than this get neither typo nor prefix matches: at three
/// letters one typo makes another word ("код" → "кот").
const MIN_FUZZY_CHARS: usize = 4;
/// A prefix match may differ by at most this many trailing letters.
const MAX_PREFIX_EXTRA: usize = 3;

/// One informative word of the query.
#[derive(Debug)]
pub(super) struct QueryWord {
    /// Term ids and how much a match on each counts (1 for exact).
    pub alternatives: Vec<(u32, f32)>,
    /// How much the word matters: its inverse document frequency.
    pub idf: f32,
}

/// The query's words as `language`'s index sees them. A word the index has
/// is matched exactly; any other word is matched to close terms (typos,
/// prefixes, a Cyrillic brand name's Latin spelling) at lower weight, and
/// still counts towards the query's weight, so a question about something
/// the articles do not cover is not mistaken for one they answer.
pub(super) fn query_words(
    index: &LanguageIndex,
    words: &[Word],
    language: Language,
) -> Vec<QueryWord> {
    let terms = terms(words, language);
    let mut per_word: Vec<Option<QueryWord>> = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let Some(query_term) = &terms[i] else {
            per_word.push(None);
            continue;
        };
        if terms[..i].contains(&terms[i]) {
            per_word.push(None);
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
                latin_spelling_terms(index, word, language, &mut alternatives);
            }
        }
        // A word no article has weighs as much as the rarest term: it is
        // likely what the client is asking about, so an article that only
        // matches the rest of the message is not a confident answer.
        let idf = match index.term_id(query_term) {
            Some(id) => index.idf[id as usize],
            None => index.idf_for(1.0),
        };
        per_word.push(Some(QueryWord { alternatives, idf }));
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
        for query_word in per_word[i..=i + 1].iter_mut().flatten() {
            query_word.alternatives.push((id, 1.0));
        }
    }
    per_word.into_iter().flatten().collect()
}

/// A Cyrillic word the index lacks, written in Latin letters: clients write
/// brands the way they say them ("каспи" for Kaspi, "смс" for SMS).
fn latin_spelling_terms(
    index: &LanguageIndex,
    word: &Word,
    language: Language,
    out: &mut Vec<(u32, f32)>,
) {
    let latin = Word {
        text: latin_spelling(&fold(&word.text)),
        script: Script::Latin,
        hyphen_next: false,
    };
    let Some(latin) = term(&latin, language) else {
        return;
    };
    match index.term_id(&latin) {
        Some(id) => out.push((id, LATIN_SPELLING_WEIGHT)),
        None => close_terms(index, &latin, LATIN_SPELLING_WEIGHT, out),
    }
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
        let extra = usize::from(index.term_chars[id]).saturating_sub(n);
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
