//! Every text the bot writes, in Russian (the default), Kazakh and English.
//! The words live in Project Fluent files, `locales/<language>/<area>.ftl`
//! (client, survey, team, admin, menus), compiled into the binary; this
//! module gives each text a method with typed arguments, so a caller can
//! neither misspell a message id nor forget an argument. User-written text
//! is never mixed in with a parse mode, so nothing here needs escaping and
//! names like `_x_` arrive exactly as typed.
//!
//! A message id is its method's name in kebab case (`ticket_opened_ack` is
//! `ticket-opened-ack`); a method that picks one of a few fixed variants
//! reads an attribute (`status-filter.new`). Counts go to Fluent as numbers,
//! so plural selectors can see them; ticket numbers, Telegram ids and
//! ready-made pieces (durations, percentages) go as text, so no number
//! formatting ever touches them.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_templates::LanguageIdentifier;
use fluent_templates::fluent_bundle::FluentValue;

use crate::domain::language::Language;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ru",
        // Fluent wraps every argument in U+2068/U+2069 (bidi isolation). They
        // would break what callers rely on: a specialist call ends with the
        // caller's text unchanged, so its entities move by a fixed amount,
        // and titles and notes are compared with what the bot sent before.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A text without arguments, rendered once per language and kept, so its
/// method can go on returning `&'static str` to the many callers that take
/// one.
macro_rules! fixed {
    ($texts:expr, $id:literal) => {{
        use std::sync::OnceLock;
        static RENDERED: [OnceLock<String>; $crate::domain::language::Language::ALL.len()] =
            [const { OnceLock::new() }; $crate::domain::language::Language::ALL.len()];
        let texts: &$crate::texts::Texts = $texts;
        RENDERED[texts.slot()]
            .get_or_init(|| texts.render($id, &[]))
            .as_str()
    }};
}

mod admin;
mod client_and_team;
mod kb;
mod levels;

pub use client_and_team::FailedPlace;
pub use levels::{ClockName, OpeningDay};
#[cfg(test)]
mod checks;
mod menus;
#[cfg(test)]
mod samples;
mod survey;
#[cfg(test)]
pub(super) mod tests;
mod web;

/// One argument of a Fluent message.
type Arg<'a> = (&'static str, FluentValue<'a>);

/// A ticket number or Telegram id as an argument: as text, because it is a
/// name rather than an amount, and Fluent may format numbers (digit
/// grouping) in a future version.
fn id_arg(id: impl ToString) -> FluentValue<'static> {
    FluentValue::from(id.to_string())
}

#[derive(Debug, Clone, Copy)]
pub struct Texts {
    language: Language,
}

impl Texts {
    pub fn new(language: Language) -> Self {
        Self { language }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Where this language's entries sit in the per-language caches.
    fn slot(&self) -> usize {
        match self.language {
            Language::Ru => 0,
            Language::Kk => 1,
            Language::En => 2,
        }
    }

    fn locale(&self) -> &'static LanguageIdentifier {
        static IDENTIFIERS: LazyLock<[LanguageIdentifier; Language::ALL.len()]> =
            LazyLock::new(|| {
                [Language::Ru, Language::Kk, Language::En].map(|language| {
                    language
                        .code()
                        .parse()
                        .expect("a language code is a language identifier")
                })
            });
        &IDENTIFIERS[self.slot()]
    }

    /// The message `id` (or `id.attribute`) in this language.
    fn render(&self, id: &str, args: &[Arg]) -> String {
        let args: HashMap<&str, FluentValue> = args.iter().cloned().collect();
        match LOCALES.lookup_single_language(self.locale(), id, Some(&args)) {
            Ok(text) => text,
            Err(error) => self.render_failed(id, &args, error),
        }
    }

    /// A missing or broken translation stops every debug build and test run
    /// that reaches it; a release build still says something, in Russian
    /// (the language every message is written in first).
    #[cold]
    fn render_failed(
        &self,
        id: &str,
        args: &HashMap<&str, FluentValue>,
        error: impl std::fmt::Display,
    ) -> String {
        if cfg!(debug_assertions) {
            panic!("text {id:?} in {} does not render: {error}", self.language);
        }
        tracing::error!(id, language = %self.language, %error, "a text does not render; sending the Russian one");
        LOCALES
            .lookup_single_language(Texts::new(Language::Ru).locale(), id, Some(args))
            .unwrap_or_else(|_| id.to_owned())
    }
}
