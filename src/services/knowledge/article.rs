//! An article as it is about to be saved, and the rules it must meet.

use teloxide::types::MessageEntity;

use crate::domain::language::Language;
use crate::domain::text::utf16_len;
use crate::entities::kb_articles;

/// Longest slug, in characters.
pub const SLUG_MAX_CHARS: usize = 64;
/// Longest title, in characters.
const TITLE_MAX_CHARS: usize = 200;
/// Longest body, in UTF-16 units (four Telegram messages).
const BODY_MAX_UNITS: usize = 4 * 4096;
/// The media kinds an article may carry.
pub const MEDIA_KINDS: [&str; 6] = ["photo", "document", "video", "animation", "audio", "voice"];

/// A file an article carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleMedia {
    pub file_id: String,
    /// One of [`MEDIA_KINDS`].
    pub kind: String,
}

/// The message an article is saved from, as the handler read it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceMessage {
    /// The text or the caption.
    pub text: String,
    pub entities: Vec<MessageEntity>,
    pub media: Option<ArticleMedia>,
    /// It carries media an article cannot keep (a sticker, a location…).
    pub unsupported_media: bool,
}

/// An article to save.
#[derive(Debug, Clone, Default)]
pub struct ArticleDraft {
    pub slug: String,
    /// `None`: the first line of the text.
    pub title: Option<String>,
    /// `None`: told from the text.
    pub language: Option<Language>,
    pub text: String,
    pub entities: Vec<MessageEntity>,
    pub tags: Vec<String>,
    /// False keeps a replaced article's tags.
    pub tags_given: bool,
    pub media: Option<ArticleMedia>,
    pub published: bool,
}

/// Why a draft cannot be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleInvalid {
    /// Not `a-z0-9-`, empty, or too long.
    Slug,
    /// No text and no media.
    Empty,
    /// Over four Telegram messages.
    TooLong,
    /// A media kind the bot cannot send.
    MediaKind,
}

impl ArticleInvalid {
    /// The field at fault, for the API.
    pub fn field(self) -> &'static str {
        match self {
            ArticleInvalid::Slug => "slug",
            ArticleInvalid::Empty | ArticleInvalid::TooLong => "body",
            ArticleInvalid::MediaKind => "media_kind",
        }
    }

    pub fn explain(self) -> String {
        match self {
            ArticleInvalid::Slug => {
                format!("1 to {SLUG_MAX_CHARS} characters of a-z, 0-9 and -, like payment-by-card")
            }
            ArticleInvalid::Empty => "an article needs a text or a media file".to_owned(),
            ArticleInvalid::TooLong => format!("at most {BODY_MAX_UNITS} UTF-16 units"),
            ArticleInvalid::MediaKind => format!("one of {}", MEDIA_KINDS.join(", ")),
        }
    }
}

/// What a save did.
#[derive(Debug, Clone)]
pub enum Saved {
    Created(kb_articles::Model),
    /// A new language of an existing slug.
    Translated(kb_articles::Model),
    /// The same slug and language, written over.
    Replaced(kb_articles::Model),
}

impl Saved {
    pub fn article(&self) -> &kb_articles::Model {
        match self {
            Saved::Created(a) | Saved::Translated(a) | Saved::Replaced(a) => a,
        }
    }
}

impl ArticleDraft {
    pub(super) fn checked(mut self) -> Result<ArticleDraft, ArticleInvalid> {
        self.slug = normalise_slug(&self.slug);
        if !is_slug(&self.slug) {
            return Err(ArticleInvalid::Slug);
        }
        if self.text.trim().is_empty() && self.media.is_none() {
            return Err(ArticleInvalid::Empty);
        }
        if utf16_len(&self.text) > BODY_MAX_UNITS {
            return Err(ArticleInvalid::TooLong);
        }
        if let Some(media) = &self.media
            && !MEDIA_KINDS.contains(&media.kind.as_str())
        {
            return Err(ArticleInvalid::MediaKind);
        }
        self.title = self
            .title
            .map(|t| t.trim().chars().take(TITLE_MAX_CHARS).collect::<String>())
            .filter(|t| !t.is_empty());
        self.tags = self
            .tags
            .iter()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        Ok(self)
    }
}

/// A slug as people type it: trimmed, lower case.
pub fn normalise_slug(slug: &str) -> String {
    slug.trim().to_lowercase()
}

/// `a-z0-9-`, 1 to [`SLUG_MAX_CHARS`] characters.
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= SLUG_MAX_CHARS
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A title made from the text: its first line, shortened.
pub(super) fn title_from(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("—");
    let mut title: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        title.push('…');
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_latin_digits_and_dashes() {
        assert!(is_slug("payment-by-card"));
        assert!(is_slug("faq2"));
        assert!(!is_slug(""));
        assert!(!is_slug("оплата"));
        assert!(!is_slug("a_b"));
        assert!(!is_slug(&"a".repeat(SLUG_MAX_CHARS + 1)));
        assert_eq!(normalise_slug(" Pay-Card "), "pay-card");
    }

    #[test]
    fn a_title_is_the_first_line_of_the_text() {
        assert_eq!(title_from("\n  Оплата картой \nтекст"), "Оплата картой");
        assert_eq!(title_from(""), "—");
    }
}
