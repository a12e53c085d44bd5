//! From words to index terms, the same way for articles and for queries:
//! stop words out, then a stem per script and language — Snowball's Russian
//! and English stemmers (`rust-stemmers`), our light Kazakh one — and
//! Cyrillic stems folded (see `words::fold`).

use rust_stemmers::{Algorithm, Stemmer};

use super::kazakh;
use super::stopwords::is_stop_word;
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
    let term = match (word.script, language) {
        (Script::Latin, _) => stem(Algorithm::English, &word.text),
        (Script::Cyrillic, Language::Kk) => kazakh::stem(&fold(&word.text)),
        (Script::Cyrillic, Language::Ru | Language::En) => {
            fold(&stem(Algorithm::Russian, &word.text))
        }
    };
    (term.chars().count() >= MIN_TERM_CHARS).then_some(term)
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
    let mut terms = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        terms.extend(term(word, language));
        let compound = words
            .get(i + 1)
            .filter(|_| word.hyphen_next)
            .and_then(|next| joined(word, next));
        if let Some(compound) = compound {
            terms.extend(term(&compound, language));
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str, language: Language) -> Vec<String> {
        field_terms(text, language)
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
