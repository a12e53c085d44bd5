//! Which of the bot's languages a client's message is written in.

use crate::domain::language::Language;

/// Letters only Kazakh uses among the Cyrillic alphabets the bot meets.
const KAZAKH_LETTERS: &[char] = &['ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ', 'і'];

/// Very frequent Kazakh words that need none of the Kazakh letters, or that
/// clients type on a Russian keyboard without them ("кайда" for «қайда»).
/// None of them is a Russian word, so one of them tips a Cyrillic message
/// without Kazakh letters to Kazakh.
#[rustfmt::skip]
const KAZAKH_MARKERS: &[&str] = &[
    "керек", "калай", "кашан", "кайда", "канша", "кандай", "рахмет", "жок", "емес",
    "жане", "болады", "бола", "тапсырыс", "сиз", "сизге", "сиздер", "маган", "жатыр",
];

/// The language of `text`: Kazakh when it has a Kazakh-specific letter (or,
/// typed without them, a clearly Kazakh word), Russian for other Cyrillic,
/// English when Latin letters outnumber Cyrillic ones. `None` when the text
/// has no Cyrillic or Latin letter at all (digits, emoji, other scripts).
pub fn detect_language(text: &str) -> Option<Language> {
    let (mut cyrillic, mut latin, mut kazakh) = (0usize, 0usize, false);
    for c in text.chars().flat_map(char::to_lowercase) {
        if KAZAKH_LETTERS.contains(&c) {
            kazakh = true;
        }
        if is_cyrillic(c) {
            cyrillic += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    if kazakh {
        return Some(Language::Kk);
    }
    if cyrillic == 0 && latin == 0 {
        return None;
    }
    if latin > cyrillic {
        return Some(Language::En);
    }
    let lower = text.to_lowercase();
    let has_marker = lower
        .split(|c: char| !c.is_alphabetic())
        .any(|word| KAZAKH_MARKERS.contains(&word));
    Some(if has_marker {
        Language::Kk
    } else {
        Language::Ru
    })
}

pub(super) fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_letters_make_a_message_kazakh() {
        assert_eq!(detect_language("Төлем жасау"), Some(Language::Kk));
        assert_eq!(detect_language("құпиясөзді ұмыттым"), Some(Language::Kk));
        // One Kazakh letter among Russian words is enough: clients mix.
        assert_eq!(detect_language("пароль ұмыттым"), Some(Language::Kk));
    }

    #[test]
    fn kazakh_typed_on_a_russian_keyboard_is_still_kazakh() {
        assert_eq!(detect_language("тапсырыс кашан келеди"), Some(Language::Kk));
        assert_eq!(detect_language("чек керек"), Some(Language::Kk));
    }

    #[test]
    fn other_cyrillic_is_russian_and_latin_is_english() {
        assert_eq!(
            detect_language("Не могу оплатить картой!"),
            Some(Language::Ru)
        );
        assert_eq!(detect_language("forgot my password"), Some(Language::En));
        // Brand names in Latin inside a Russian sentence do not make it English.
        assert_eq!(
            detect_language("не проходит оплата apple pay"),
            Some(Language::Ru)
        );
    }

    #[test]
    fn text_without_letters_has_no_language() {
        assert_eq!(detect_language("👍 123 !!!"), None);
        assert_eq!(detect_language(""), None);
        assert_eq!(detect_language("你好"), None);
    }
}
