//! Text handling for the bridge. Telegram measures text and entity offsets in
//! UTF-16 code units, so everything here does too: a Rust `str` index or a
//! `chars().count()` would drift as soon as an emoji or a surrogate pair
//! appears, and the entities would land on the wrong words.

use teloxide::types::MessageEntity;

/// Longest text Telegram accepts in one message.
pub const TEXT_LIMIT: usize = 4096;
/// Longest caption Telegram accepts on a media message.
pub const CAPTION_LIMIT: usize = 1024;

/// Length of `s` in UTF-16 code units, the unit of every Telegram limit and offset.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Byte index in `text` of the UTF-16 `offset`, or `None` when the offset is
/// past the end or inside a surrogate pair.
pub(crate) fn byte_index(text: &str, offset: usize) -> Option<usize> {
    let mut units = 0;
    for (index, c) in text.char_indices() {
        if units == offset {
            return Some(index);
        }
        if units > offset {
            return None;
        }
        units += c.len_utf16();
    }
    (units == offset).then_some(text.len())
}

/// The part of `text` an entity covers, if its offsets are valid for `text`.
pub(crate) fn entity_text<'a>(text: &'a str, entity: &MessageEntity) -> Option<&'a str> {
    let start = byte_index(text, entity.offset)?;
    let end = byte_index(text, entity.offset.checked_add(entity.length)?)?;
    text.get(start..end)
}

/// Entities cut to the UTF-16 range `start..end` and re-based to `start`.
fn clip_entities(entities: &[MessageEntity], start: usize, end: usize) -> Vec<MessageEntity> {
    entities
        .iter()
        .filter_map(|entity| {
            let from = entity.offset.max(start);
            let to = entity.offset.saturating_add(entity.length).min(end);
            (from < to).then(|| MessageEntity::new(entity.kind.clone(), from - start, to - from))
        })
        .collect()
}

fn is_line_break(c: char) -> bool {
    c == '\n' || c == '\r'
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() && !is_line_break(c)
}

/// Splits a text that Telegram would refuse as too long into messages of at
/// most `limit` UTF-16 units, each with its own entities.
///
/// Lines are kept whole and packed greedily; the line break at a cut (and
/// blank lines around it) is dropped, since each chunk is its own message. A
/// single line longer than `limit` is cut at its last space that fits, and a
/// line without spaces at a character boundary, so a surrogate pair is never
/// torn. Entities are clipped to every chunk they touch and re-based.
///
/// A text within the limit comes back unchanged as one chunk. Chunks that
/// would be empty or only whitespace (which Telegram refuses) are left out,
/// so a blank text gives no chunks at all. `limit` below 2 cannot hold a
/// surrogate pair; such a character then gets a chunk of its own.
pub fn split_text(
    text: &str,
    entities: &[MessageEntity],
    limit: usize,
) -> Vec<(String, Vec<MessageEntity>)> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    if utf16_len(text) <= limit {
        return vec![(text.to_owned(), entities.to_vec())];
    }

    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    // UTF-16 offset of every char index, plus one past the end.
    let mut units_at = Vec::with_capacity(n + 1);
    let mut units = 0;
    for &(_, c) in &chars {
        units_at.push(units);
        units += c.len_utf16();
    }
    units_at.push(units);
    let char_at = |i: usize| chars[i].1;
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(byte, _)| byte);

    let mut pieces = Vec::new();
    let mut start = 0;
    while start < n {
        // Furthest char index `window` such that start..window fits.
        let window = units_at.partition_point(|&u| u <= units_at[start] + limit) - 1;
        let (end, next) = if window == n {
            (n, n)
        } else if let Some(cut) = (start + 1..=window)
            .rev()
            .find(|&i| is_line_break(char_at(i)))
        {
            let mut end = cut;
            while end > start && is_line_break(char_at(end - 1)) {
                end -= 1;
            }
            let mut next = cut + 1;
            while next < n && is_line_break(char_at(next)) {
                next += 1;
            }
            (end, next)
        } else {
            let at_space = (start + 1..=window)
                .rev()
                .find(|&i| is_blank(char_at(i)))
                .and_then(|cut| {
                    let mut end = cut;
                    while end > start && is_blank(char_at(end - 1)) {
                        end -= 1;
                    }
                    let mut next = cut + 1;
                    while next < n && is_blank(char_at(next)) {
                        next += 1;
                    }
                    (end > start).then_some((end, next))
                });
            // No usable space: cut hard, but always move forward.
            at_space.unwrap_or_else(|| {
                let end = window.max(start + 1);
                (end, end)
            })
        };

        let piece = &text[byte_at(start)..byte_at(end)];
        if !piece.trim().is_empty() {
            let clipped = clip_entities(entities, units_at[start], units_at[end]);
            pieces.push((piece.to_owned(), clipped));
        }
        start = next;
    }
    pieces
}

/// Puts `"<author>:\n"` in front of a message, the author's name in bold, so
/// a message carried into another topic shows who wrote it without exposing
/// anyone's account. Existing entities move along. The result may exceed a
/// limit the original fitted in; split afterwards. A blank author leaves the
/// message as it was.
pub fn with_author(
    author: &str,
    text: &str,
    entities: &[MessageEntity],
) -> (String, Vec<MessageEntity>) {
    let author = author.trim();
    if author.is_empty() {
        return (text.to_owned(), entities.to_vec());
    }
    let prefix = format!("{author}:\n");
    let shift = utf16_len(&prefix);
    let mut shifted = Vec::with_capacity(entities.len() + 1);
    shifted.push(MessageEntity::bold(0, utf16_len(author)));
    shifted.extend(entities.iter().map(|entity| {
        MessageEntity::new(entity.kind.clone(), entity.offset + shift, entity.length)
    }));
    (prefix + text, shifted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(chunks: &[(String, Vec<MessageEntity>)]) -> Vec<&str> {
        chunks.iter().map(|(text, _)| text.as_str()).collect()
    }

    #[test]
    fn utf16_length_counts_emoji_as_two_units_and_cyrillic_as_one() {
        assert_eq!(utf16_len(""), 0);
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("Привет"), 6);
        assert_eq!(utf16_len("😀"), 2);
        assert_eq!(utf16_len("a😀б"), 4);
    }

    #[test]
    fn a_text_within_the_limit_comes_back_unchanged_as_one_chunk() {
        let entities = vec![MessageEntity::bold(0, 5)];
        let chunks = split_text("hello\n\nworld ", &entities, 13);
        assert_eq!(chunks, vec![("hello\n\nworld ".to_owned(), entities)]);
    }

    #[test]
    fn a_blank_text_gives_no_chunks() {
        assert!(split_text("", &[], 10).is_empty());
        assert!(split_text(" \n\t", &[], 10).is_empty());
    }

    #[test]
    fn whole_lines_are_packed_greedily_and_the_break_at_a_cut_is_dropped() {
        let chunks = split_text("aaa\nbbb\nccc", &[], 7);
        assert_eq!(texts(&chunks), ["aaa\nbbb", "ccc"]);
    }

    #[test]
    fn a_line_ending_exactly_at_the_limit_stays_whole() {
        let chunks = split_text("aaaa\nbbbb\ncc", &[], 4);
        assert_eq!(texts(&chunks), ["aaaa", "bbbb", "cc"]);
    }

    #[test]
    fn blank_lines_at_a_cut_never_become_chunks() {
        let chunks = split_text("a\n\n\n\nb", &[], 2);
        assert_eq!(texts(&chunks), ["a", "b"]);
    }

    #[test]
    fn windows_line_endings_are_dropped_whole_at_a_cut() {
        let chunks = split_text("one\r\ntwo\r\nsix", &[], 8);
        assert_eq!(texts(&chunks), ["one\r\ntwo", "six"]);
    }

    #[test]
    fn a_line_longer_than_the_limit_is_cut_at_its_last_fitting_space() {
        let chunks = split_text("hello big world again", &[], 11);
        assert_eq!(texts(&chunks), ["hello big", "world again"]);
    }

    #[test]
    fn a_line_without_spaces_is_cut_hard_at_the_limit() {
        let chunks = split_text("abcdefghij", &[], 4);
        assert_eq!(texts(&chunks), ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn a_hard_cut_never_tears_a_surrogate_pair() {
        let chunks = split_text("😀😀😀", &[], 3);
        assert_eq!(texts(&chunks), ["😀", "😀", "😀"]);
        let chunks = split_text("a😀b", &[], 2);
        assert_eq!(texts(&chunks), ["a", "😀", "b"]);
    }

    #[test]
    fn a_limit_too_small_for_a_character_still_makes_progress() {
        let chunks = split_text("😀😀", &[], 1);
        assert_eq!(texts(&chunks), ["😀", "😀"]);
    }

    #[test]
    fn an_entity_across_a_cut_is_clipped_into_both_chunks() {
        // Bold over "aa\nbb".
        let chunks = split_text("aaa\nbbb", &[MessageEntity::bold(1, 5)], 3);
        assert_eq!(
            chunks,
            vec![
                ("aaa".to_owned(), vec![MessageEntity::bold(1, 2)]),
                ("bbb".to_owned(), vec![MessageEntity::bold(0, 2)]),
            ]
        );
    }

    #[test]
    fn entities_in_later_chunks_are_rebased_in_utf16_units() {
        // "😀 one\n😀 two": the italic covers "two" at UTF-16 offset 10.
        let text = "😀 one\n😀 two";
        let italic = MessageEntity::italic(10, 3);
        assert_eq!(entity_text(text, &italic), Some("two"));
        let chunks = split_text(text, &[MessageEntity::bold(0, 2), italic], 6);
        assert_eq!(
            chunks,
            vec![
                ("😀 one".to_owned(), vec![MessageEntity::bold(0, 2)]),
                ("😀 two".to_owned(), vec![MessageEntity::italic(3, 3)]),
            ]
        );
    }

    #[test]
    fn an_entity_over_dropped_whitespace_only_is_left_out() {
        // Underline over the line break between the lines only.
        let chunks = split_text("ab\ncd", &[MessageEntity::underline(2, 1)], 2);
        assert_eq!(
            chunks,
            vec![("ab".to_owned(), vec![]), ("cd".to_owned(), vec![])]
        );
    }

    #[test]
    fn a_text_of_five_thousand_letters_splits_into_a_full_message_and_the_rest() {
        let text = "x".repeat(5000);
        let chunks = split_text(&text, &[MessageEntity::code(0, 5000)], TEXT_LIMIT);
        assert_eq!(chunks.len(), 2);
        assert_eq!(utf16_len(&chunks[0].0), 4096);
        assert_eq!(chunks[0].1, vec![MessageEntity::code(0, 4096)]);
        assert_eq!(utf16_len(&chunks[1].0), 904);
        assert_eq!(chunks[1].1, vec![MessageEntity::code(0, 904)]);
    }

    #[test]
    fn every_chunk_of_a_long_mixed_text_fits_and_only_whitespace_is_lost() {
        let mut text = String::new();
        for i in 0..400 {
            match i % 5 {
                0 => text.push_str(&format!("Строка {i} с кириллицей и 😀 эмодзи\n")),
                1 => text.push_str(&"слово ".repeat(i)),
                2 => text.push_str(&"🇷🇺".repeat(i % 37)),
                3 => text.push_str("\n\n\n"),
                _ => text.push_str(&format!("line {i}\r\n")),
            }
        }
        for limit in [7, 64, CAPTION_LIMIT, TEXT_LIMIT] {
            let chunks = split_text(&text, &[MessageEntity::bold(3, 10_000)], limit);
            assert!(chunks.len() > 1);
            for (chunk, entities) in &chunks {
                assert!(utf16_len(chunk) <= limit);
                assert!(!chunk.trim().is_empty());
                for entity in entities {
                    assert!(entity.length > 0);
                    assert!(entity_text(chunk, entity).is_some());
                }
            }
            let squeeze = |s: &str| s.split_whitespace().collect::<String>();
            let joined: String = chunks.iter().map(|(chunk, _)| squeeze(chunk)).collect();
            assert_eq!(joined, squeeze(&text));
        }
    }

    #[test]
    fn an_author_prefix_is_bold_and_shifts_existing_entities() {
        let (text, entities) = with_author("Ivan Petrov", "hello", &[MessageEntity::italic(0, 5)]);
        assert_eq!(text, "Ivan Petrov:\nhello");
        assert_eq!(
            entities,
            vec![MessageEntity::bold(0, 11), MessageEntity::italic(13, 5)]
        );
    }

    #[test]
    fn an_author_with_emoji_is_measured_in_utf16_units() {
        let (text, entities) = with_author(" Иван 😀 ", "_x_", &[MessageEntity::code(0, 3)]);
        assert_eq!(text, "Иван 😀:\n_x_");
        assert_eq!(
            entities,
            vec![MessageEntity::bold(0, 7), MessageEntity::code(9, 3)]
        );
    }

    #[test]
    fn a_blank_author_leaves_the_message_as_it_was() {
        let entities = vec![MessageEntity::bold(0, 2)];
        assert_eq!(
            with_author("  ", "hi", &entities),
            ("hi".to_owned(), entities)
        );
    }
}
