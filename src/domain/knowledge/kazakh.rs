//! A light stemmer for Kazakh. Snowball has none, and a full morphological
//! analyser is far more than search needs.
//!
//! Kazakh is agglutinative: a word is a root followed by a chain of suffixes
//! in a fixed order (тапсырыс-тар-ымыз-дан "from our orders": plural,
//! possessive, case). The stemmer strips whole suffixes from the end, longest
//! first, and each next one must come from an earlier slot of the same chain
//! — a noun's case, then possessive, then plural; a verb's person, then
//! tense or mood, then voice. Without that order the longest match eats
//! roots: «аккаунтымды» would lose -ды, then -тым (a verb's past tense), then
//! -н. It stops after three layers, as deep as client messages go, never
//! leaves fewer than three letters or a stem without a vowel, and a
//! one-letter suffix (-ы, -м, -н, -у, -п, -й) only goes when four letters
//! remain, since many roots and Russian loanwords end in those letters.
//!
//! Some words stay ambiguous («мерзім» loses -ім as if it were "my"); the
//! search matches Kazakh terms by prefix as well, which covers that.
//!
//! It works on folded text (see `words::fold`): the suffixes are written
//! the way a Russian keyboard types them, so a message typed without Kazakh
//! letters is stemmed the same as one typed with them.

const MAX_LAYERS: usize = 3;
const MIN_STEM: usize = 3;
const MIN_STEM_FOR_ONE_LETTER: usize = 4;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chain {
    Noun,
    Verb,
}

/// Suffixes by chain and slot, the slot counted from the end of the word.
/// Folded spellings: ә→а, ғ→г, қ→к, ң→н, ө→о, ұ/ү→у, і→и.
#[rustfmt::skip]
const SUFFIXES: &[(Chain, u8, &[&str])] = &[
    // -ғы/-гі "the one in / of" (Алматы-да-ғы)
    (Chain::Noun, 1, &["гы", "ги", "кы", "ки"]),
    // dative, locative, ablative, genitive, accusative, instrumental
    (
        Chain::Noun,
        2,
        &[
            "га", "ге", "ка", "ке", "на", "не", "да", "де", "та", "те", "нда", "нде", "дан", "ден",
            "тан", "тен", "нан", "нен", "нын", "нин", "дын", "дин", "тын", "тин", "ды", "ди", "ты",
            "ти", "ны", "ни", "н", "мен", "бен", "пен",
        ],
    ),
    // possessive: my, your, your (polite), his/her, our
    (
        Chain::Noun,
        3,
        &[
            "ым", "им", "м", "ын", "ин", "ыныз", "иниз", "ныз", "низ", "ы", "и", "сы", "си",
            "ымыз", "имиз", "мыз", "миз",
        ],
    ),
    // plural
    (Chain::Noun, 4, &["лар", "лер", "дар", "дер", "тар", "тер"]),
    // person endings, and the polite imperative
    (
        Chain::Verb,
        1,
        &[
            "мын",
            "мин",
            "бын",
            "бин",
            "пын",
            "пин",
            "сын",
            "син",
            "сыз",
            "сиз",
            "сындар",
            "синдер",
            "сыздар",
            "сиздер",
            "ыныз",
            "иниз",
            "ныз",
            "низ",
        ],
    ),
    // tense, mood and aspect, alone or fused with the person ending
    (
        Chain::Verb,
        2,
        &[
            // present
            "амын",
            "емин",
            "амыз",
            "емиз",
            "асын",
            "есин",
            "асыз",
            "есиз",
            "ймын",
            "ймин",
            "ймыз",
            "ймиз",
            "йсын",
            "йсин",
            "йсыз",
            "йсиз",
            "ады",
            "еди",
            "йды",
            "йди",
            // past
            "ды",
            "ди",
            "ты",
            "ти",
            "дым",
            "дим",
            "тым",
            "тим",
            "дык",
            "дик",
            "тык",
            "тик",
            "дыныз",
            "диниз",
            "тыныз",
            "тиниз",
            // participles, habitual, conditional, "want to"
            "ган",
            "ген",
            "кан",
            "кен",
            "атын",
            "етин",
            "йтын",
            "йтин",
            "са",
            "се",
            "сам",
            "сем",
            "сак",
            "сек",
            "саныз",
            "сениз",
            "гым",
            "гим",
            "кым",
            "ким",
            // converbs and the verbal noun
            "ып",
            "ип",
            "п",
            "й",
            "у",
        ],
    ),
    // passive voice
    (Chain::Verb, 3, &["ыл", "ил"]),
];

const VOWELS: &[char] = &['а', 'е', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я'];

/// The stem of a folded, lower-case Kazakh word.
pub(super) fn stem(word: &str) -> String {
    let mut stem = word.to_string();
    // The last slot stripped in each chain; `None` once the word can no
    // longer be read as that chain.
    let mut last_slot: [Option<u8>; 2] = [Some(0), Some(0)];
    for _ in 0..MAX_LAYERS {
        let Some((suffix, slots)) = longest_strippable_suffix(&stem, last_slot) else {
            break;
        };
        stem.truncate(stem.len() - suffix.len());
        last_slot = slots;
    }
    stem
}

/// The longest suffix that may come off next, and the slots it leaves.
fn longest_strippable_suffix(
    word: &str,
    last_slot: [Option<u8>; 2],
) -> Option<(&'static str, [Option<u8>; 2])> {
    let word_chars = word.chars().count();
    let mut best: Option<(&'static str, usize, [Option<u8>; 2])> = None;
    for &(chain, slot, suffixes) in SUFFIXES {
        let chain_index = usize::from(chain == Chain::Verb);
        if last_slot[chain_index].is_none_or(|last| slot <= last) {
            continue;
        }
        for &suffix in suffixes {
            if !word.ends_with(suffix) {
                continue;
            }
            let suffix_chars = suffix.chars().count();
            let min = if suffix_chars == 1 {
                MIN_STEM_FOR_ONE_LETTER
            } else {
                MIN_STEM
            };
            let rest = &word[..word.len() - suffix.len()];
            if word_chars - suffix_chars < min || !rest.chars().any(|c| VOWELS.contains(&c)) {
                continue;
            }
            match &mut best {
                Some((_, length, slots)) if *length == suffix_chars => {
                    // The same letters in both chains (-ды: accusative or
                    // past tense): either reading may continue.
                    slots[chain_index] = Some(slot);
                }
                Some((_, length, _)) if *length > suffix_chars => {}
                _ => {
                    let mut slots = [None, None];
                    slots[chain_index] = Some(slot);
                    best = Some((suffix, suffix_chars, slots));
                }
            }
        }
    }
    best.map(|(suffix, _, slots)| (suffix, slots))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::knowledge::words::fold;

    fn kk(word: &str) -> String {
        stem(&fold(word))
    }

    #[test]
    fn case_endings_and_plurals_come_off() {
        assert_eq!(kk("тапсырыстарымыздан"), "тапсырыс");
        assert_eq!(kk("тапсырысты"), "тапсырыс");
        assert_eq!(kk("тапсырыстың"), "тапсырыс");
        assert_eq!(kk("аккаунтымды"), "аккаунт");
        assert_eq!(kk("картамен"), kk("картадан"));
        assert_eq!(kk("картамен"), "карта");
    }

    #[test]
    fn verb_forms_meet_at_one_stem() {
        assert_eq!(kk("төлеймін"), kk("төлеу"));
        assert_eq!(kk("төлейді"), kk("төлеу"));
        assert_eq!(kk("ұмыттым"), kk("ұмытып"));
        assert_eq!(kk("ұмыттыңыз"), kk("ұмытып"));
        assert_eq!(kk("келмейді"), kk("келмей"));
        assert_eq!(kk("қайтарамыз"), kk("қайтару"));
        assert_eq!(kk("қайтарғым"), kk("қайтару"));
    }

    #[test]
    fn typed_without_kazakh_letters_gives_the_same_stem() {
        assert_eq!(kk("акшаны"), kk("ақшаны"));
        assert_eq!(kk("кайтару"), kk("қайтару"));
    }

    #[test]
    fn short_words_and_stems_are_left_alone() {
        assert_eq!(kk("ақша"), "акша");
        assert_eq!(kk("смс"), "смс");
        assert_eq!(kk("код"), "код");
        // The verbal noun -у would leave the root «ал», too short to trust.
        assert_eq!(kk("алу"), "алу");
    }
}
