//! From words to index terms, the same way for articles and for queries:
//! stop words out, then a stem per script and language — Snowball's Russian
//! and English stemmers (`rust-stemmers`), our light Kazakh one — and
//! Cyrillic stems folded (see `words::fold`).

use std::collections::HashSet;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::kazakh;
use super::stopwords::{is_stop_word, stop_words};
use super::words::{Script, Word, fold, words};
use crate::domain::language::Language;

/// Terms shorter than this ("e" of "e-mail", a lone letter) match too much.
const MIN_TERM_CHARS: usize = 2;

/// The term `word` stands for in text of `language`, or `None` for a stop
/// word. Latin words are English whatever the article's language (brand
/// names, "SMS", "Apple Pay"); Cyrillic words are Kazakh in Kazakh text and
/// Russian otherwise.
pub(super) fn term(word: &Word, language: Language) -> Option<String> {
    if is_stop_word(&word.text, word.script) {
        return None;
    }
    let term = stemmed(&word.text, word.script, language);
    let stop = &STOP_TERMS[stemming(word.script, language)];
    (term.chars().count() >= MIN_TERM_CHARS && !stop.contains(&term)).then_some(term)
}

/// The three ways a word is stemmed: Latin, Cyrillic in Russian (and
/// English) text, Cyrillic in Kazakh text.
fn stemming(script: Script, language: Language) -> usize {
    match (script, language) {
        (Script::Latin, _) => 0,
        (Script::Cyrillic, Language::Kk) => 2,
        (Script::Cyrillic, Language::Ru | Language::En) => 1,
    }
}

fn stemmed(word: &str, script: Script, language: Language) -> String {
    match stemming(script, language) {
        0 => stem(Algorithm::English, word),
        1 => fold(&stem(Algorithm::Russian, word)),
        _ => kazakh::stem(&fold(word)),
    }
}

/// Stop words' stems, per way of stemming.
static STOP_TERMS: LazyLock<[HashSet<String>; 3]> = LazyLock::new(|| {
    let stems = |script: Script, language: Language| -> HashSet<String> {
        stop_words(script)
            .map(|word| stemmed(&word.to_lowercase(), script, language))
            .collect()
    };
    [
        stems(Script::Latin, Language::En),
        stems(Script::Cyrillic, Language::Ru),
        stems(Script::Cyrillic, Language::Kk),
    ]
});

/// Terms of consecutive words. Besides `term` for each word, one rule needs
/// the word before: Kazakh «-ғым келеді» ("I want to …": «қайтарғым
/// келеді») uses «кел-» ("come") as a modal, as empty as "хочу" or "want",
/// and it would otherwise match every article about something arriving.
pub(super) fn terms(words: &[Word], language: Language) -> Vec<Option<String>> {
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let modal = i > 0 && is_want_modal(&words[i - 1], word);
            if modal { None } else { term(word, language) }
        })
        .collect()
}

#[rustfmt::skip]
const WANT_ENDINGS: &[&str] = &[
    "гым", "гим", "кым", "ким", "гымыз", "гимиз", "кымыз", "кимиз", "гын", "гин", "кын",
    "кин", "гыныз", "гиниз", "кыныз", "киниз", "гысы", "гиси", "кысы", "киси",
];

fn is_want_modal(before: &Word, word: &Word) -> bool {
    word.script == Script::Cyrillic
        && before.script == Script::Cyrillic
        && fold(&word.text).starts_with("кел")
        && WANT_ENDINGS
            .iter()
            .any(|ending| fold(&before.text).ends_with(ending))
}

fn stem(algorithm: Algorithm, word: &str) -> String {
    Stemmer::create(algorithm).stem(word).into_owned()
}

/// A hyphenated pair as one word ("e-mail" → "email"), when both halves are
/// in one script.
pub(super) fn joined(first: &Word, second: &Word) -> Option<Word> {
    (first.script == second.script).then(|| Word {
        text: format!("{}{}", first.text, second.text),
        script: first.script,
        hyphen_next: false,
    })
}

/// Every term of an article's field, in order, with hyphenated compounds
/// counted both as their parts and as one word.
pub(super) fn field_terms(text: &str, language: Language) -> Vec<String> {
    let words = words(text);
    let single = terms(&words, language);
    let mut found = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        found.extend(single[i].clone());
        let compound = words
            .get(i + 1)
            .filter(|_| word.hyphen_next)
            .and_then(|next| joined(word, next));
        if let Some(compound) = compound {
            found.extend(term(&compound, language));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str, language: Language) -> Vec<String> {
        field_terms(text, language)
    }

    #[test]
    fn inflected_stop_words_are_stop_words_too() {
        assert!(terms("до скольки", Language::Ru).is_empty());
        assert!(terms("қалайсыз", Language::Kk).is_empty());
        assert!(terms("thanking", Language::En).is_empty());
    }

    #[test]
    fn kazakh_want_to_leaves_only_the_verb_wanted() {
        assert_eq!(
            terms("тауарды қайтарғым келеді", Language::Kk),
            terms("тауарды қайтару", Language::Kk)
        );
        assert_eq!(terms("тапсырыс келеді", Language::Kk).len(), 2);
    }

    #[test]
    fn russian_word_forms_share_a_stem() {
        let query = terms("не могу оплатить картой", Language::Ru);
        let title = terms("Оплата картой", Language::Ru);
        assert_eq!(query, title);
        assert_eq!(terms("пароль", Language::Ru), terms("пароля", Language::Ru));
    }

    #[test]
    fn english_word_forms_share_a_stem() {
        assert_eq!(
            terms("crashing", Language::En),
            terms("crashes", Language::En)
        );
        assert_eq!(
            terms("refunds", Language::En),
            terms("refunded", Language::En)
        );
    }

    #[test]
    fn kazakh_word_forms_share_a_stem() {
        assert_eq!(terms("төлем", Language::Kk), terms("Төлемді", Language::Kk));
        assert_eq!(
            terms("тапсырыстарымды", Language::Kk),
            terms("тапсырыс", Language::Kk)
        );
    }

    #[test]
    fn stop_words_leave_nothing() {
        assert!(terms("Здравствуйте, у меня вопрос!", Language::Ru).is_empty());
        assert!(terms("hi, thanks", Language::En).is_empty());
        assert!(terms("сәлеметсіз бе", Language::Kk).is_empty());
    }

    #[test]
    fn a_hyphenated_word_is_indexed_whole_and_in_parts() {
        assert_eq!(terms("e-mail", Language::En), ["email", "mail"]);
        assert_eq!(terms("email", Language::En), ["email"]);
    }

    #[test]
    fn latin_words_in_cyrillic_text_are_stemmed_as_english() {
        assert_eq!(terms("Kaspi", Language::Ru), terms("kaspi", Language::En));
    }
}
