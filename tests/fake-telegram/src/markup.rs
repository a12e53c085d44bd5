//! Text formatting the way Telegram does it: `parse_mode` parsing
//! (MarkdownV2, legacy Markdown, HTML) into plain text plus entities,
//! whitespace trimming, UTF-16 lengths, and the entities Telegram detects by
//! itself in what people type (commands, links, mentions, hashtags).
//!
//! The parsers are deliberately simple but honest: they accept what Telegram
//! accepts in ordinary use and reject unclosed entities, unknown HTML tags and
//! unescaped MarkdownV2 reserved characters with Telegram's wording.

use serde_json::{Value, json};

use crate::api_error::ApiError;

/// Text after formatting: what the message will show, and its entities.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Formatted {
    /// Plain text, markup removed.
    pub text: String,
    /// Entities as Telegram JSON objects (`type`, `offset`, `length`, …).
    pub entities: Vec<Value>,
}

/// Length of `s` in UTF-16 code units, the unit of Telegram's limits and offsets.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Parses `text` according to `parse_mode` (case-insensitive; `None` or
/// empty means plain text).
pub fn parse(text: &str, parse_mode: Option<&str>) -> Result<Formatted, ApiError> {
    let mode = parse_mode.unwrap_or("").trim().to_ascii_lowercase();
    let parsed = match mode.as_str() {
        "" => Ok(Formatted {
            text: text.to_owned(),
            entities: Vec::new(),
        }),
        "markdownv2" => parse_markdown_v2(text),
        "markdown" => parse_markdown_legacy(text),
        "html" => parse_html(text),
        _ => return Err(ApiError::bad_request("unsupported parse_mode")),
    };
    parsed.map_err(|msg| ApiError::bad_request(format!("can't parse entities: {msg}")))
}

/// Removes leading and trailing whitespace like Telegram does, moving and
/// clipping the entities with the text. Entities that end up empty are dropped.
pub fn trim(formatted: Formatted) -> Formatted {
    let Formatted { text, entities } = formatted;
    let trimmed_start = text.trim_start();
    let lead = utf16_len(&text[..text.len() - trimmed_start.len()]);
    let trimmed = trimmed_start.trim_end();
    let new_len = utf16_len(trimmed);
    let entities = entities
        .into_iter()
        .filter_map(|mut e| {
            let offset = e["offset"].as_u64()? as usize;
            let length = e["length"].as_u64()? as usize;
            let start = offset.saturating_sub(lead).min(new_len);
            let end = (offset + length).saturating_sub(lead).min(new_len);
            if end <= start {
                return None;
            }
            e["offset"] = json!(start);
            e["length"] = json!(end - start);
            Some(e)
        })
        .collect();
    Formatted {
        text: trimmed.to_owned(),
        entities,
    }
}

/// Entities Telegram adds by itself to text people type: bot commands,
/// URLs, @mentions, #hashtags and e-mail addresses.
pub fn detect_entities(text: &str) -> Vec<Value> {
    let mut entities = Vec::new();
    let mut offset16 = 0usize;
    let mut token_start: Option<(usize, usize)> = None; // (byte, utf16)
    let flush = |start: Option<(usize, usize)>, end_byte: usize, entities: &mut Vec<Value>| {
        if let Some((byte, off)) = start {
            detect_in_token(&text[byte..end_byte], off, entities);
        }
    };
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            flush(token_start.take(), i, &mut entities);
        } else if token_start.is_none() {
            token_start = Some((i, offset16));
        }
        offset16 += c.len_utf16();
    }
    flush(token_start, text.len(), &mut entities);
    entities
}

fn detect_in_token(token: &str, offset: usize, out: &mut Vec<Value>) {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let prefix_len = |rest: &str, allow_at: bool| {
        rest.char_indices()
            .find(|&(_, c)| !(word(c) || (allow_at && c == '@')))
            .map_or(rest.len(), |(i, _)| i)
    };
    let trim_punct = |s: &str| {
        s.trim_end_matches(['.', ',', '!', '?', ';', ':', ')', '"', '\''])
            .len()
    };

    if let Some(rest) = token.strip_prefix('/') {
        let n = prefix_len(rest, true);
        if n > 0 && rest.chars().next().is_some_and(word) {
            out.push(entity("bot_command", offset, 1 + utf16_len(&rest[..n])));
        }
    } else if token.starts_with("http://") || token.starts_with("https://") {
        let n = trim_punct(token);
        out.push(entity("url", offset, utf16_len(&token[..n])));
    } else if let Some(rest) = token.strip_prefix('@') {
        let n = prefix_len(rest, false);
        if n >= 3 {
            out.push(entity("mention", offset, 1 + n));
        }
    } else if let Some(rest) = token.strip_prefix('#') {
        let n = prefix_len(rest, false);
        if n > 0 && !rest[..n].chars().all(|c| c.is_ascii_digit()) {
            out.push(entity("hashtag", offset, 1 + n));
        }
    } else if let Some(at) = token.find('@') {
        let n = trim_punct(token);
        let (user, domain) = (&token[..at], &token[at + 1..n]);
        if !user.is_empty() && domain.contains('.') && !domain.ends_with('.') {
            out.push(entity("email", offset, utf16_len(&token[..n])));
        }
    }
}

/// A plain entity object: `{"type": kind, "offset": offset, "length": length}`.
pub fn entity(kind: &str, offset: usize, length: usize) -> Value {
    json!({ "type": kind, "offset": offset, "length": length })
}

/// Builds text and entities while markup is being removed.
#[derive(Default)]
struct Builder {
    text: String,
    len16: usize,
    entities: Vec<Value>,
}

impl Builder {
    fn push(&mut self, c: char) {
        self.text.push(c);
        self.len16 += c.len_utf16();
    }

    fn emit(&mut self, kind: &str, start: usize, extra: Option<(&str, String)>) {
        if self.len16 <= start {
            return;
        }
        let mut e = entity(kind, start, self.len16 - start);
        if let Some((key, value)) = extra {
            e[key] = Value::String(value);
        }
        self.entities.push(e);
    }

    fn finish(mut self) -> Formatted {
        self.entities.sort_by_key(|e| {
            (
                e["offset"].as_u64().unwrap_or(0),
                std::cmp::Reverse(e["length"].as_u64().unwrap_or(0)),
            )
        });
        Formatted {
            text: self.text,
            entities: self.entities,
        }
    }
}

/// Telegram's name of an entity kind in parse errors.
fn entity_name(kind: &str) -> &'static str {
    match kind {
        "bold" => "Bold",
        "italic" => "Italic",
        "underline" => "Underline",
        "strikethrough" => "Strikethrough",
        "spoiler" => "Spoiler",
        "code" => "Code",
        "pre" => "Pre",
        "text_link" => "TextUrl",
        "blockquote" => "BlockQuote",
        _ => "Entity",
    }
}

/// A link target as Telegram stores it: a scheme is added when missing, and
/// anything that still is not a plausible URL makes no entity.
fn normalize_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.contains(char::is_whitespace) {
        return None;
    }
    let has_scheme = url
        .split_once("://")
        .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty())
        || url.starts_with("mailto:")
        || url.starts_with("tg:");
    Some(if has_scheme {
        url.to_owned()
    } else {
        format!("http://{url}")
    })
}

struct Open {
    kind: &'static str,
    start16: usize,
    byte: usize,
}

const MARKDOWN_V2_RESERVED: &str = "_*[]()~`>#+-=|{}.!";

fn parse_markdown_v2(src: &str) -> Result<Formatted, String> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let mut out = Builder::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut quote: Option<Open> = None;
    let mut line_start = true;
    let mut i = 0;

    let toggle =
        |stack: &mut Vec<Open>, out: &mut Builder, kind: &'static str, byte: usize| match stack
            .iter()
            .rposition(|o| o.kind == kind)
        {
            Some(pos) if pos + 1 == stack.len() => {
                let open = stack.pop().expect("checked");
                out.emit(kind, open.start16, None);
                Ok(())
            }
            Some(_) => {
                let top = stack.last().expect("non-empty");
                Err(format!(
                    "Can't find end of {} entity at byte offset {}",
                    entity_name(top.kind),
                    top.byte
                ))
            }
            None => {
                stack.push(Open {
                    kind,
                    start16: out.len16,
                    byte,
                });
                Ok(())
            }
        };

    while i < chars.len() {
        let (byte, c) = chars[i];
        if line_start && c == '>' {
            if quote.is_none() {
                quote = Some(Open {
                    kind: "blockquote",
                    start16: out.len16,
                    byte,
                });
            }
            line_start = false;
            i += 1;
            continue;
        }
        line_start = false;
        match c {
            '\\' => match at(i + 1) {
                Some(next) if (1..=126).contains(&(next as u32)) => {
                    out.push(next);
                    i += 2;
                }
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                    i += 2;
                }
                None => return Err(reserved('\\')),
            },
            '`' if at(i + 1) == Some('`') && at(i + 2) == Some('`') => {
                let start16 = out.len16;
                let mut j = i + 3;
                // Optional language on the opening line.
                let mut language = String::new();
                let mut k = j;
                while let Some(ch) = at(k) {
                    if ch == '\n' || ch == '`' || ch.is_whitespace() {
                        break;
                    }
                    language.push(ch);
                    k += 1;
                }
                if at(k) == Some('\n') && !language.is_empty() {
                    j = k + 1;
                } else {
                    language.clear();
                }
                loop {
                    match at(j) {
                        None => {
                            return Err(format!(
                                "Can't find end of Pre entity at byte offset {byte}"
                            ));
                        }
                        Some('`') if at(j + 1) == Some('`') && at(j + 2) == Some('`') => break,
                        Some('\\') if at(j + 1).is_some() => {
                            out.push(at(j + 1).expect("checked"));
                            j += 2;
                        }
                        Some(ch) => {
                            out.push(ch);
                            j += 1;
                        }
                    }
                }
                let extra = (!language.is_empty()).then_some(("language", language));
                out.emit("pre", start16, extra);
                i = j + 3;
            }
            '`' => {
                let start16 = out.len16;
                let mut j = i + 1;
                loop {
                    match at(j) {
                        None => {
                            return Err(format!(
                                "Can't find end of Code entity at byte offset {byte}"
                            ));
                        }
                        Some('`') => break,
                        Some('\\') if at(j + 1).is_some() => {
                            out.push(at(j + 1).expect("checked"));
                            j += 2;
                        }
                        Some(ch) => {
                            out.push(ch);
                            j += 1;
                        }
                    }
                }
                out.emit("code", start16, None);
                i = j + 1;
            }
            '*' => {
                toggle(&mut stack, &mut out, "bold", byte)?;
                i += 1;
            }
            '_' if at(i + 1) == Some('_') => {
                toggle(&mut stack, &mut out, "underline", byte)?;
                i += 2;
            }
            '_' => {
                toggle(&mut stack, &mut out, "italic", byte)?;
                i += 1;
            }
            '~' => {
                toggle(&mut stack, &mut out, "strikethrough", byte)?;
                i += 1;
            }
            '|' if at(i + 1) == Some('|') => {
                toggle(&mut stack, &mut out, "spoiler", byte)?;
                i += 2;
            }
            '[' => {
                stack.push(Open {
                    kind: "text_link",
                    start16: out.len16,
                    byte,
                });
                i += 1;
            }
            ']' => {
                let Some(top) = stack.last() else {
                    return Err(reserved(']'));
                };
                if top.kind != "text_link" {
                    return Err(format!(
                        "Can't find end of {} entity at byte offset {}",
                        entity_name(top.kind),
                        top.byte
                    ));
                }
                if at(i + 1) != Some('(') {
                    return Err(format!(
                        "Can't find end of a URL at byte offset {}",
                        byte + 1
                    ));
                }
                let mut url = String::new();
                let mut j = i + 2;
                loop {
                    match at(j) {
                        None => {
                            return Err(format!(
                                "Can't find end of a URL at byte offset {}",
                                byte + 1
                            ));
                        }
                        Some(')') => break,
                        Some('\\') if at(j + 1).is_some() => {
                            url.push(at(j + 1).expect("checked"));
                            j += 2;
                        }
                        Some(ch) => {
                            url.push(ch);
                            j += 1;
                        }
                    }
                }
                let open = stack.pop().expect("checked");
                if let Some(url) = normalize_url(&url) {
                    out.emit("text_link", open.start16, Some(("url", url)));
                }
                i = j + 1;
            }
            '\n' => {
                if at(i + 1) != Some('>')
                    && let Some(q) = quote.take()
                {
                    out.emit("blockquote", q.start16, None);
                }
                out.push('\n');
                line_start = true;
                i += 1;
            }
            c if MARKDOWN_V2_RESERVED.contains(c) => return Err(reserved(c)),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "Can't find end of {} entity at byte offset {}",
            entity_name(open.kind),
            open.byte
        ));
    }
    if let Some(q) = quote {
        out.emit("blockquote", q.start16, None);
    }
    Ok(out.finish())
}

fn reserved(c: char) -> String {
    format!("Character '{c}' is reserved and must be escaped with the preceding '\\'")
}

fn parse_markdown_legacy(src: &str) -> Result<Formatted, String> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let unclosed =
        |byte: usize| format!("Can't find end of the entity starting at byte offset {byte}");
    let mut out = Builder::default();
    let mut i = 0;
    while i < chars.len() {
        let (byte, c) = chars[i];
        match c {
            '\\' if matches!(at(i + 1), Some('_' | '*' | '`' | '[')) => {
                out.push(at(i + 1).expect("checked"));
                i += 2;
            }
            '*' | '_' => {
                let kind = if c == '*' { "bold" } else { "italic" };
                let start16 = out.len16;
                let mut j = i + 1;
                loop {
                    match at(j) {
                        None => return Err(unclosed(byte)),
                        Some(ch) if ch == c => break,
                        Some(ch) => {
                            out.push(ch);
                            j += 1;
                        }
                    }
                }
                out.emit(kind, start16, None);
                i = j + 1;
            }
            '`' => {
                let fence = at(i + 1) == Some('`') && at(i + 2) == Some('`');
                let start16 = out.len16;
                let mut j = if fence { i + 3 } else { i + 1 };
                let mut language = String::new();
                if fence {
                    let mut k = j;
                    while let Some(ch) = at(k) {
                        if ch == '\n' || ch == '`' || ch.is_whitespace() {
                            break;
                        }
                        language.push(ch);
                        k += 1;
                    }
                    if at(k) == Some('\n') && !language.is_empty() {
                        j = k + 1;
                    } else {
                        language.clear();
                    }
                }
                loop {
                    match at(j) {
                        None => return Err(unclosed(byte)),
                        Some('`') if !fence => break,
                        Some('`') if at(j + 1) == Some('`') && at(j + 2) == Some('`') => break,
                        Some(ch) => {
                            out.push(ch);
                            j += 1;
                        }
                    }
                }
                if fence {
                    let extra = (!language.is_empty()).then_some(("language", language));
                    out.emit("pre", start16, extra);
                    i = j + 3;
                } else {
                    out.emit("code", start16, None);
                    i = j + 1;
                }
            }
            '[' => {
                let close = (i + 1..chars.len()).find(|&j| chars[j].1 == ']');
                let Some(close) = close else {
                    return Err(unclosed(byte));
                };
                if at(close + 1) != Some('(') {
                    return Err(unclosed(byte));
                }
                let Some(end) = (close + 2..chars.len()).find(|&j| chars[j].1 == ')') else {
                    return Err(unclosed(byte));
                };
                let start16 = out.len16;
                for &(_, ch) in &chars[i + 1..close] {
                    out.push(ch);
                }
                let url: String = chars[close + 2..end].iter().map(|&(_, ch)| ch).collect();
                if let Some(url) = normalize_url(&url) {
                    out.emit("text_link", start16, Some(("url", url)));
                }
                i = end + 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out.finish())
}

struct HtmlOpen {
    tag: String,
    kind: Option<&'static str>,
    start16: usize,
    extra: Option<(&'static str, String)>,
}

fn parse_html(src: &str) -> Result<Formatted, String> {
    let mut out = Builder::default();
    let mut stack: Vec<HtmlOpen> = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let c = src[i..].chars().next().expect("in bounds");
        match c {
            '<' => {
                let Some(len) = src[i..].find('>') else {
                    return Err(format!("Unclosed start tag at byte offset {i}"));
                };
                let end = i + len;
                let inner = src[i + 1..end].trim();
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    let Some(open) = stack.pop() else {
                        return Err(format!("Unexpected end tag at byte offset {i}"));
                    };
                    if open.tag != name {
                        return Err(format!(
                            "Unmatched end tag at byte offset {i}, expected \"</{}>\", found \"</{name}>\"",
                            open.tag
                        ));
                    }
                    if let Some(kind) = open.kind {
                        out.emit(kind, open.start16, open.extra);
                    }
                } else {
                    let (name, attrs) = split_tag(inner);
                    let attr =
                        |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
                    let (kind, extra): (Option<&'static str>, Option<(&'static str, String)>) =
                        match name.as_str() {
                            "b" | "strong" => (Some("bold"), None),
                            "i" | "em" => (Some("italic"), None),
                            "u" | "ins" => (Some("underline"), None),
                            "s" | "strike" | "del" => (Some("strikethrough"), None),
                            "tg-spoiler" => (Some("spoiler"), None),
                            "span" if attr("class").as_deref() == Some("tg-spoiler") => {
                                (Some("spoiler"), None)
                            }
                            "span" => {
                                return Err(format!(
                                    "Tag \"span\" must have class \"tg-spoiler\" at byte offset {i}"
                                ));
                            }
                            "a" => match attr("href").as_deref().and_then(normalize_url) {
                                Some(url) => (Some("text_link"), Some(("url", url))),
                                None => (None, None),
                            },
                            "code" => {
                                let language = attr("class")
                                    .and_then(|c| c.strip_prefix("language-").map(str::to_owned));
                                match stack.last_mut() {
                                    Some(pre) if pre.kind == Some("pre") => {
                                        if let Some(language) = language {
                                            pre.extra = Some(("language", language));
                                        }
                                        (None, None)
                                    }
                                    _ => (Some("code"), None),
                                }
                            }
                            "pre" => (Some("pre"), None),
                            "blockquote" if attrs.iter().any(|(k, _)| k == "expandable") => {
                                (Some("expandable_blockquote"), None)
                            }
                            "blockquote" => (Some("blockquote"), None),
                            "tg-emoji" => match attr("emoji-id") {
                                Some(id) => (Some("custom_emoji"), Some(("custom_emoji_id", id))),
                                None => (None, None),
                            },
                            _ => {
                                return Err(format!(
                                    "Unsupported start tag \"{name}\" at byte offset {i}"
                                ));
                            }
                        };
                    stack.push(HtmlOpen {
                        tag: name,
                        kind,
                        start16: out.len16,
                        extra,
                    });
                }
                i = end + 1;
            }
            '&' => {
                let rest = &src[i..];
                let decoded = rest
                    .find(';')
                    .filter(|&semi| semi <= 10)
                    .and_then(|semi| decode_html_entity(&rest[1..semi]).map(|ch| (ch, semi)));
                match decoded {
                    Some((ch, semi)) => {
                        out.push(ch);
                        i += semi + 1;
                    }
                    None => {
                        out.push('&');
                        i += 1;
                    }
                }
            }
            c => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{}\"",
            open.tag
        ));
    }
    Ok(out.finish())
}

fn split_tag(inner: &str) -> (String, Vec<(String, String)>) {
    let inner = inner.trim_end_matches('/').trim();
    let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let mut value = String::new();
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            if let Some(q) = after_eq.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let body = &after_eq[1..];
                let close = body.find(q).unwrap_or(body.len());
                value = body[..close].to_owned();
                rest = body.get(close + 1..).unwrap_or("").trim_start();
            } else {
                let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                value = after_eq[..end].to_owned();
                rest = after_eq[end..].trim_start();
            }
        }
        attrs.push((key, value));
    }
    (name, attrs)
}

fn decode_html_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(f: &Formatted) -> Vec<(String, u64, u64)> {
        f.entities
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap().to_owned(),
                    e["offset"].as_u64().unwrap(),
                    e["length"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn utf16_counts_astral_characters_twice() {
        assert_eq!(utf16_len("a😀"), 3);
        assert_eq!(utf16_len("ж"), 1);
    }

    #[test]
    fn markdown_v2_produces_entities_and_strips_markup() {
        let f = parse(
            r"*bold* _it_ __under__ ~s~ ||sp|| `c\`` [link](https://x.test/a\)b) 1\.5",
            Some("MarkdownV2"),
        )
        .unwrap();
        assert_eq!(f.text, "bold it under s sp c` link 1.5");
        assert_eq!(
            kinds(&f),
            vec![
                ("bold".into(), 0, 4),
                ("italic".into(), 5, 2),
                ("underline".into(), 8, 5),
                ("strikethrough".into(), 14, 1),
                ("spoiler".into(), 16, 2),
                ("code".into(), 19, 2),
                ("text_link".into(), 22, 4),
            ]
        );
        assert_eq!(f.entities[6]["url"], "https://x.test/a)b");
    }

    #[test]
    fn markdown_v2_rejects_unescaped_reserved_and_unclosed() {
        let err = parse("Price 1.5", Some("MarkdownV2")).unwrap_err();
        assert_eq!(
            err.description,
            "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'"
        );
        let err = parse("a _b", Some("MarkdownV2")).unwrap_err();
        assert_eq!(
            err.description,
            "Bad Request: can't parse entities: Can't find end of Italic entity at byte offset 2"
        );
        assert!(parse("*a _b* c_", Some("MarkdownV2")).is_err());
    }

    #[test]
    fn markdown_v2_pre_with_language_and_nested_entities() {
        let f = parse("```rust\nfn x() {}\n```", Some("MarkdownV2")).unwrap();
        assert_eq!(f.text, "fn x() {}\n");
        assert_eq!(f.entities[0]["language"], "rust");
        let f = parse("*bold _both_*", Some("MarkdownV2")).unwrap();
        assert_eq!(
            kinds(&f),
            vec![("bold".into(), 0, 9), ("italic".into(), 5, 4)]
        );
        let f = parse(">quoted\n>more\nplain", Some("MarkdownV2")).unwrap();
        assert_eq!(f.text, "quoted\nmore\nplain");
        assert_eq!(kinds(&f), vec![("blockquote".into(), 0, 11)]);
    }

    #[test]
    fn legacy_markdown_rejects_unclosed_underscore() {
        let err = parse("hello _x", Some("Markdown")).unwrap_err();
        assert_eq!(
            err.description,
            "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 6"
        );
        let f = parse("*b* _i_ `c` [t](x.test) 1.5!", Some("Markdown")).unwrap();
        assert_eq!(f.text, "b i c t 1.5!");
        assert_eq!(f.entities[3]["url"], "http://x.test");
    }

    #[test]
    fn html_parses_tags_and_entities() {
        let f = parse(
            "<b>b</b> <i>i</i> <a href=\"https://t.test\">a</a> &lt;x&gt; &amp; <pre><code class=\"language-py\">p</code></pre> <span class=\"tg-spoiler\">s</span>",
            Some("HTML"),
        )
        .unwrap();
        assert_eq!(f.text, "b i a <x> & p s");
        assert_eq!(
            kinds(&f),
            vec![
                ("bold".into(), 0, 1),
                ("italic".into(), 2, 1),
                ("text_link".into(), 4, 1),
                ("pre".into(), 12, 1),
                ("spoiler".into(), 14, 1),
            ]
        );
        assert_eq!(f.entities[3]["language"], "py");
    }

    #[test]
    fn html_rejects_unknown_and_unclosed_tags() {
        let err = parse("<foo>x</foo>", Some("HTML")).unwrap_err();
        assert!(
            err.description.contains("Unsupported start tag \"foo\""),
            "{err}"
        );
        let err = parse("<b>x", Some("HTML")).unwrap_err();
        assert!(
            err.description
                .contains("Can't find end tag corresponding to start tag \"b\"")
        );
        let err = parse("<b>x</i>", Some("HTML")).unwrap_err();
        assert!(err.description.contains("Unmatched end tag"));
        assert!(parse("x", Some("Klingon")).is_err());
    }

    #[test]
    fn trimming_moves_entities() {
        let f = trim(Formatted {
            text: "  hi there \n".into(),
            entities: vec![entity("bold", 2, 2), entity("italic", 10, 2)],
        });
        assert_eq!(f.text, "hi there");
        assert_eq!(kinds(&f), vec![("bold".into(), 0, 2)]);
    }

    #[test]
    fn detects_commands_links_mentions_hashtags() {
        let e =
            detect_entities("/start@topicdesk_bot hi @alice see https://x.test/a. #help me@x.test");
        let got: Vec<_> = e
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            got,
            vec!["bot_command", "mention", "url", "hashtag", "email"]
        );
        assert_eq!(e[0]["length"], 20);
        assert_eq!(e[2]["length"], 16);
    }
}
