//! Splitting text into words: lower case, ё as е, punctuation, emoji and
//! bare numbers dropped, apostrophes inside words removed ("don't" → "dont"),
//! and hyphenated compounds remembered so "e-mail" can also match "email".

use super::detect::is_cyrillic;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Script {
    Cyrillic,
    Latin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Word {
    pub text: String,
    pub script: Script,
    /// The source joined this word to the next one with a hyphen.
    pub hyphen_next: bool,
}

pub(super) fn words(text: &str) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut previous: Option<(Token, bool)> = None;
    for (text, hyphen_next) in raw_words(text) {
        let token = classify(&text);
        let after_hyphen = previous.as_ref().is_some_and(|(_, hyphen)| *hyphen);
        let previous_token = previous.as_ref().map(|(token, _)| *token);
        previous = Some((token, hyphen_next));
        // Bare numbers ("2 недели", "7171") and words in other scripts
        // cannot tell articles apart; dropping them keeps them out of the
        // index and out of the query's weight. A hyphen pointing at a dropped
        // word joins nothing.
        let script = match token {
            Token::Cyrillic => Script::Cyrillic,
            Token::Latin => Script::Latin,
            Token::Other => {
                if let Some(last) = words.last_mut() {
                    last.hyphen_next = false;
                }
                continue;
            }
        };
        // Kazakh hyphenates case endings to numbers and Latin names
        // («8:00-ден», «SMS-ті»): a short Cyrillic piece there is an ending.
        let ending = after_hyphen
            && token == Token::Cyrillic
            && matches!(previous_token, Some(Token::Other | Token::Latin))
            && text.chars().count() <= MAX_HYPHENATED_ENDING;
        if ending {
            if let Some(last) = words.last_mut() {
                last.hyphen_next = false;
            }
            continue;
        }
        let text = match script {
            Script::Cyrillic => cyrillic_lookalikes(&text),
            Script::Latin => text,
        };
        words.push(Word {
            text,
            script,
            hyphen_next,
        });
    }
    words
}

/// Longer runs of letters are pasted links, codes or keyboard mashing, not
/// words; they would only cost typo-matching time.
const MAX_WORD_CHARS: usize = 40;

/// Longest Kazakh case ending written after a hyphen («-ның», «-нен»).
const MAX_HYPHENATED_ENDING: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Cyrillic,
    Latin,
    /// Digits only, or letters of other scripts.
    Other,
}

fn classify(text: &str) -> Token {
    if text.chars().count() > MAX_WORD_CHARS {
        return Token::Other;
    }
    let cyrillic = text.chars().filter(|&c| is_cyrillic(c)).count();
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    if cyrillic == 0 && latin == 0 {
        Token::Other
    } else if cyrillic >= latin {
        Token::Cyrillic
    } else {
        Token::Latin
    }
}

/// Lower-case runs of letters and digits, each with whether a hyphen joins
/// it to the next.
fn raw_words(text: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next_is_alphanumeric = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() {
            for lower in c.to_lowercase() {
                current.push(if lower == 'ё' { 'е' } else { lower });
            }
        } else if is_apostrophe(c) && !current.is_empty() && next_is_alphanumeric {
            continue;
        } else if !current.is_empty() {
            let hyphen = is_hyphen(c) && next_is_alphanumeric;
            words.push((std::mem::take(&mut current), hyphen));
        }
    }
    if !current.is_empty() {
        words.push((current, false));
    }
    words
}

/// Clients switch keyboard layouts mid-word and type Latin "i" for
/// Kazakh «і» (and "a", "o", "c"… that look the same); in a mostly Cyrillic
/// word they are read as the Cyrillic letters they look like.
fn cyrillic_lookalikes(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'a' => 'а',
            'e' => 'е',
            'o' => 'о',
            'p' => 'р',
            'c' => 'с',
            'x' => 'х',
            'y' => 'у',
            'k' => 'к',
            'i' => 'і',
            other => other,
        })
        .collect()
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑')
}

/// Kazakh letters written as the Russian letters clients type on a Russian
/// keyboard (қ→к, ұ/ү→у, і→и …), and the soft and hard signs dropped. Every
/// Cyrillic term in the index is folded this way, so "кайтару" finds
/// «қайтару» and "пароль" meets Kazakh «паролді».
pub(super) fn fold(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            'ә' => Some('а'),
            'ғ' => Some('г'),
            'қ' => Some('к'),
            'ң' => Some('н'),
            'ө' => Some('о'),
            'ұ' | 'ү' => Some('у'),
            'һ' => Some('х'),
            'і' => Some('и'),
            'ё' => Some('е'),
            'ь' | 'ъ' => None,
            other => Some(other),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn punctuation_emoji_and_numbers_are_dropped_and_case_folded() {
        assert_eq!(
            texts("Не могу оплатить картой!!! 😡 уже 2 раза"),
            ["не", "могу", "оплатить", "картой", "уже", "раза"]
        );
        assert_eq!(texts("Ёлка, ЁЖИК"), ["елка", "ежик"]);
    }

    #[test]
    fn apostrophes_join_and_hyphens_are_remembered() {
        let words = words("don't use e-mail, — ok");
        assert_eq!(words[0].text, "dont");
        assert_eq!(words[2].text, "e");
        assert!(words[2].hyphen_next);
        assert!(!words[3].hyphen_next, "a dash between spaces joins nothing");
    }

    #[test]
    fn pasted_codes_longer_than_any_word_are_dropped() {
        let code = "x".repeat(300);
        assert_eq!(texts(&format!("код {code} пароль")), ["код", "пароль"]);
    }

    #[test]
    fn kazakh_endings_hyphenated_to_numbers_and_names_are_not_words() {
        assert_eq!(texts("8:00-ден 23:00-ге дейін"), ["дейін"]);
        assert_eq!(texts("SMS-ті жіберу"), ["sms", "жіберу"]);
        assert_eq!(texts("iOS-приложение"), ["ios", "приложение"]);
    }

    #[test]
    fn a_latin_i_in_a_kazakh_word_is_read_as_cyrillic() {
        let words = words("бiлемiн sms");
        assert_eq!(words[0].text, "білемін");
        assert_eq!(words[0].script, Script::Cyrillic);
        assert_eq!(words[1].script, Script::Latin);
    }

    #[test]
    fn folding_maps_kazakh_letters_to_what_a_russian_keyboard_types() {
        assert_eq!(fold("қайтару"), "кайтару");
        assert_eq!(fold("құпиясөзді"), "купиясозди");
        assert_eq!(fold("пароль"), "парол");
    }
}
