//! The languages the bot speaks: Russian, Kazakh and English. Clients are
//! answered in the language their Telegram app reports when it is one of
//! these; staff read BOT_LANGUAGE.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    Ru,
    Kk,
    En,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Ru, Language::Kk, Language::En];

    /// The two-letter code, as in BOT_LANGUAGE and Telegram's `language_code`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Ru => "ru",
            Language::Kk => "kk",
            Language::En => "en",
        }
    }

    /// The language of a code like `ru`, `kk`, `en-GB` or `EN`; `None` for
    /// any other language.
    pub fn from_code(code: &str) -> Option<Language> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
        Language::ALL
            .into_iter()
            .find(|language| primary.eq_ignore_ascii_case(language.code()))
    }

    /// A client's language: their Telegram app's when the bot speaks it,
    /// otherwise `fallback` (BOT_LANGUAGE).
    pub fn for_client(language_code: Option<&str>, fallback: Language) -> Language {
        language_code
            .and_then(Language::from_code)
            .unwrap_or(fallback)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_with_regions_and_any_case_are_recognised() {
        assert_eq!(Language::from_code("kk"), Some(Language::Kk));
        assert_eq!(Language::from_code("en-GB"), Some(Language::En));
        assert_eq!(Language::from_code("RU"), Some(Language::Ru));
        assert_eq!(Language::from_code("de"), None);
        assert_eq!(Language::from_code(""), None);
    }

    #[test]
    fn a_client_speaking_another_language_gets_the_bots_language() {
        assert_eq!(Language::for_client(Some("kk"), Language::Ru), Language::Kk);
        assert_eq!(Language::for_client(Some("de"), Language::En), Language::En);
        assert_eq!(Language::for_client(None, Language::Ru), Language::Ru);
    }
}
