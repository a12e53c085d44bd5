//! Building a message as plain text plus entities. Every value the bot
//! shows to staff may be user-written (a name like `_x_`), so nothing goes
//! out with a parse mode: formatting is given as entities, whose offsets
//! Telegram counts in UTF-16 units, kept here as the text grows.

use teloxide::types::{MessageEntity, MessageEntityKind};
use url::Url;

use crate::domain::text::utf16_len;

#[derive(Debug, Default)]
pub struct RichBuilder {
    text: String,
    units: usize,
    entities: Vec<MessageEntity>,
}

impl RichBuilder {
    /// A builder that starts with `text`, unformatted.
    pub fn plain(text: &str) -> Self {
        let mut builder = Self::default();
        builder.push(text);
        builder
    }

    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.units += utf16_len(s);
    }

    /// `s` formatted as `kind`.
    pub fn push_with(&mut self, s: &str, kind: MessageEntityKind) {
        let offset = self.units;
        self.push(s);
        if self.units > offset {
            self.entities
                .push(MessageEntity::new(kind, offset, self.units - offset));
        }
    }

    /// `s`, linking to `url` when there is a valid one.
    pub fn push_link(&mut self, s: &str, url: Option<&str>) {
        match url.and_then(|url| Url::parse(url).ok()) {
            Some(url) => self.push_with(s, MessageEntityKind::TextLink { url }),
            None => self.push(s),
        }
    }

    /// `s` with its own entities (offsets counted from its start), as
    /// Telegram gave them.
    pub fn push_rich(&mut self, s: &str, entities: &[MessageEntity]) {
        let offset = self.units;
        self.push(s);
        self.entities.extend(entities.iter().map(|entity| {
            let mut entity = entity.clone();
            entity.offset += offset;
            entity
        }));
    }

    /// `"\n<label>: <value>"`.
    pub fn line(&mut self, label: &str, value: &str) {
        self.push(&format!("\n{label}: {value}"));
    }

    /// Length so far, in UTF-16 units.
    pub fn units(&self) -> usize {
        self.units
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn entities(&self) -> &[MessageEntity] {
        &self.entities
    }

    pub fn finish(self) -> (String, Vec<MessageEntity>) {
        (self.text, self.entities)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_offsets_count_utf16_units_and_bad_links_stay_plain() {
        let mut text = RichBuilder::default();
        text.push("😀 ");
        text.push_with("#1", MessageEntityKind::Bold);
        text.push_link(" x", Some("not a url"));
        text.push_link(" y", Some("https://t.me/c/1/2"));
        let (text, entities) = text.finish();
        assert_eq!(text, "😀 #1 x y");
        assert_eq!(entities[0], MessageEntity::bold(3, 2));
        assert_eq!(entities.len(), 2);
        assert_eq!((entities[1].offset, entities[1].length), (7, 2));
    }
}
