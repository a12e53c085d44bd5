//! Manager commands: /techs, /tickets, /ticket, /find, /stats, /tech_on,
//! /tech_off. Only for ADMIN_IDS, in the private chat with the bot or in
//! the main group; anyone else, or anywhere else, gets a refusal that tells
//! nothing. Answers are plain text with entities (names may hold `_` or
//! `*`), split to fit Telegram's limit, and sent straight back: they change
//! nothing a replay could repeat, except /tech_on and /tech_off, which are
//! idempotent.

use std::sync::Arc;

use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;
use teloxide::prelude::*;
use teloxide::types::{
    LinkPreviewOptions, Me, MessageEntity, MessageEntityKind, MessageId, ThreadId,
};
use url::Url;

use super::{command_of, topic_of};
use crate::config::Settings;
use crate::domain::text::{TEXT_LIMIT, split_text, utf16_len};
use crate::domain::topic_title::truncate_utf16;
use crate::entities::TicketStatus;
use crate::intake::HandlerError;
use crate::services::reports::{self, Availability, Client, FindQuery, Step, TechRef, TicketRow};
use crate::services::tickets::tech_label;
use crate::store::Store;
use crate::telegram::Telegram;
use crate::texts::Texts;

/// How many tickets /tickets and /find list.
const LIST_LIMIT: usize = 20;
/// The default period of /stats, and the longest one.
const DEFAULT_DAYS: u32 = 7;
const MAX_DAYS: u32 = 3650;
/// At most this many words of a /find query are matched.
const MAX_WORDS: usize = 10;
/// Longest client name in a list line, in UTF-16 units.
const NAME_LIMIT: usize = 64;
/// Characters of a matching message shown under a /find result.
const SNIPPET_CHARS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Techs,
    Tickets,
    Ticket,
    Find,
    Stats,
    TechOn,
    TechOff,
}

impl Command {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "techs" => Self::Techs,
            "tickets" => Self::Tickets,
            "ticket" => Self::Ticket,
            "find" => Self::Find,
            "stats" => Self::Stats,
            "tech_on" => Self::TechOn,
            "tech_off" => Self::TechOff,
            _ => return None,
        })
    }
}

/// A manager command as written, arguments not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRequest {
    pub command: Command,
    pub args: String,
}

/// The manager command a message starts with, if it is one and is meant
/// for this bot (`/stats@other_bot` is not).
pub fn recognise(message: Message, me: Me) -> Option<AdminRequest> {
    let command = Command::from_name(&command_of(&message)?)?;
    let text = message.text()?;
    let (word, args) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if let Some((_, addressee)) = word.split_once('@')
        && !addressee.eq_ignore_ascii_case(me.username())
    {
        return None;
    }
    Some(AdminRequest {
        command,
        args: args.trim().to_owned(),
    })
}

pub async fn command(
    message: Message,
    request: AdminRequest,
    settings: Arc<Settings>,
    telegram: Telegram,
    texts: Texts,
    db: DatabaseConnection,
    store: Store,
) -> Result<(), HandlerError> {
    let sender = message.from.as_ref().filter(|user| !user.is_bot);
    let is_admin = sender.is_some_and(|user| settings.admin_ids.contains(&(user.id.0 as i64)));
    let in_place = message.chat.is_private() || message.chat.id.0 == settings.main_group_id;
    let reply = if is_admin && in_place {
        let by = sender.map_or(0, |user| user.id.0 as i64);
        tracing::info!(command = ?request.command, by, "manager command");
        answer(&request, by, &texts, &db, &store).await?
    } else {
        tracing::info!(
            command = ?request.command,
            from = sender.map(|user| user.id.0),
            chat = message.chat.id.0,
            "manager command refused"
        );
        Reply::plain(texts.admin_refusal())
    };
    send(&telegram, &message, reply).await
}

async fn answer(
    request: &AdminRequest,
    by: i64,
    texts: &Texts,
    db: &DatabaseConnection,
    store: &Store,
) -> Result<Reply, HandlerError> {
    let args = request.args.as_str();
    Ok(match request.command {
        Command::Techs => techs(texts, db).await?,
        Command::Tickets => match parse_status(args) {
            Some(filter) => tickets(filter, texts, db).await?,
            None => Reply::plain(texts.usage_tickets()),
        },
        Command::Ticket => match parse_ticket_number(args) {
            Some(id) => ticket(id, texts, db).await?,
            None => Reply::plain(texts.usage_ticket()),
        },
        Command::Find => match parse_find(args) {
            Some(query) => find(&query, texts, db).await?,
            None => Reply::plain(texts.usage_find()),
        },
        Command::Stats => match parse_days(args) {
            Some(days) => stats(days, texts, db).await?,
            None => Reply::plain(texts.usage_stats()),
        },
        Command::TechOn | Command::TechOff => {
            let on = request.command == Command::TechOn;
            match parse_tech(args) {
                Some(tech) => switch(&tech, on, by, texts, db, store).await?,
                None => {
                    Reply::plain(texts.usage_tech_switch(if on { "tech_on" } else { "tech_off" }))
                }
            }
        }
    })
}

// --- arguments ---

/// `""` → all; `new`, `work`, `closed` → that status; anything else → `None`.
fn parse_status(args: &str) -> Option<Option<TicketStatus>> {
    match args.to_ascii_lowercase().as_str() {
        "" => Some(None),
        "new" => Some(Some(TicketStatus::New)),
        "work" => Some(Some(TicketStatus::Work)),
        "closed" => Some(Some(TicketStatus::Closed)),
        _ => None,
    }
}

/// `12` or `#12`.
fn parse_ticket_number(args: &str) -> Option<i32> {
    let digits = args.strip_prefix('#').unwrap_or(args);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|id| *id > 0)
}

fn parse_find(args: &str) -> Option<FindQuery> {
    if let Some(number) = args.strip_prefix('#') {
        return parse_ticket_number(number).map(FindQuery::TicketNumber);
    }
    if let Some(username) = args.strip_prefix('@') {
        let valid = !username.is_empty()
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        return valid.then(|| FindQuery::Username(username.to_owned()));
    }
    let words: Vec<String> = args
        .split_whitespace()
        .take(MAX_WORDS)
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        return None;
    }
    let tg_id = match words.as_slice() {
        [only] if only.bytes().all(|b| b.is_ascii_digit()) => only.parse().ok(),
        _ => None,
    };
    Some(FindQuery::Words { words, tg_id })
}

/// `""` → the default; a whole number of days within 1..=3650.
fn parse_days(args: &str) -> Option<u32> {
    if args.is_empty() {
        return Some(DEFAULT_DAYS);
    }
    if !args.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    args.parse()
        .ok()
        .filter(|days| (1..=MAX_DAYS).contains(days))
}

/// `3` (the id /techs shows) or `@username`.
fn parse_tech(args: &str) -> Option<TechRef> {
    if let Some(username) = args.strip_prefix('@') {
        let valid = !username.is_empty()
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        return valid.then(|| TechRef::Username(username.to_owned()));
    }
    parse_ticket_number(args)
        .filter(|_| !args.starts_with('#'))
        .map(TechRef::Id)
}

// --- answers ---

async fn techs(texts: &Texts, db: &DatabaseConnection) -> Result<Reply, HandlerError> {
    let techs = reports::technicians(db).await?;
    if techs.is_empty() {
        return Ok(Reply::plain(texts.techs_none()));
    }
    let mut reply = Reply::default();
    reply.push_with(&texts.techs_title(techs.len()), MessageEntityKind::Bold);
    for load in &techs {
        let tech = &load.tech;
        reply.push("\n");
        reply.push_with(&tech.id.to_string(), MessageEntityKind::Code);
        let mut name = tech.name.clone();
        if let Some(username) = tech.username.as_deref().filter(|u| !u.is_empty()) {
            name.push_str(&format!(" (@{})", username.trim_start_matches('@')));
        }
        let state = match (tech.is_active, tech.available) {
            (false, _) => texts.tech_state_removed(),
            (true, true) => texts.tech_state_available(),
            (true, false) => texts.tech_state_unavailable(),
        };
        reply.push(&format!(
            " · {} · {state} · {}",
            truncate_utf16(&name, NAME_LIMIT),
            texts.tech_open_tickets(load.open_tickets)
        ));
    }
    Ok(reply)
}

async fn tickets(
    filter: Option<TicketStatus>,
    texts: &Texts,
    db: &DatabaseConnection,
) -> Result<Reply, HandlerError> {
    let page = reports::latest_tickets(db, filter, LIST_LIMIT as u64).await?;
    if page.rows.is_empty() {
        return Ok(Reply::plain(texts.tickets_none()));
    }
    let mut reply = Reply::default();
    reply.push_with(
        &texts.tickets_title(filter, page.rows.len(), page.total),
        MessageEntityKind::Bold,
    );
    for row in &page.rows {
        reply.push("\n");
        ticket_line(&mut reply, row, texts);
    }
    Ok(reply)
}

/// `#12 · 🟢 Новый · Anna Smith (@anna) · @ivan · 2 ч 5 мин`, the number
/// linking to the topic.
fn ticket_line(reply: &mut Reply, row: &TicketRow, texts: &Texts) {
    reply.push_link(&format!("#{}", row.id), row.link.as_deref());
    let tech = row
        .tech
        .as_ref()
        .map_or_else(|| texts.nobody().to_owned(), tech_label);
    let age = texts.duration(seconds_since(row.created_at));
    reply.push(&format!(
        " · {} · {} · {tech} · {age}",
        texts.status_label(row.status),
        client_label(&row.client)
    ));
}

fn client_label(client: &Client) -> String {
    let name = client
        .full_name
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map_or_else(
            || client.tg_id.to_string(),
            |name| truncate_utf16(name, NAME_LIMIT),
        );
    match client.username.as_deref().filter(|u| !u.is_empty()) {
        Some(username) => format!("{name} (@{})", username.trim_start_matches('@')),
        None => name,
    }
}

fn seconds_since(at: chrono::DateTime<Utc>) -> f64 {
    (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0
}

async fn ticket(id: i32, texts: &Texts, db: &DatabaseConnection) -> Result<Reply, HandlerError> {
    let Some(detail) = reports::ticket(db, id).await? else {
        return Ok(Reply::plain(texts.ticket_not_found(id)));
    };
    let row = &detail.row;
    let mut reply = Reply::default();
    reply.push_with(&texts.card_title(row.id), MessageEntityKind::Bold);
    reply.push("\n");
    reply.line(texts.label_status(), &texts.status_label(row.status));
    reply.push(&format!(
        "\n{}: {}, ID ",
        texts.label_client(),
        client_label(&row.client)
    ));
    reply.push_with(&row.client.tg_id.to_string(), MessageEntityKind::Code);
    let tech = row.tech.as_ref().map_or_else(
        || texts.nobody().to_owned(),
        |tech| match tech.username.as_deref().filter(|u| !u.is_empty()) {
            Some(_) => format!("{} ({})", tech_label(tech), tech.name),
            None => tech.name.clone(),
        },
    );
    reply.line(texts.label_tech(), &tech);
    reply.line(texts.label_opened(), &texts.timestamp(row.created_at));
    let first_response = row.first_response_at.map_or_else(
        || texts.not_yet().to_owned(),
        |at| texts.after(&texts.duration(seconds_between(row.created_at, at))),
    );
    reply.line(texts.label_first_response(), &first_response);
    let resolution = row.closed_at.map_or_else(
        || texts.still_open().to_owned(),
        |at| texts.duration(seconds_between(row.created_at, at)),
    );
    reply.line(texts.label_resolution(), &resolution);
    reply.line(texts.label_messages(), &detail.messages.to_string());
    let feedback = detail.feedback.as_ref().map_or_else(
        || texts.no_feedback().to_owned(),
        |f| {
            let mut line = format!("{} · {} · {}", f.q1, f.q2, f.q3);
            if let Some(comment) = f
                .comment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                line.push_str(&format!(" — «{comment}»"));
            }
            line
        },
    );
    reply.line(texts.label_feedback(), &feedback);
    if let Some(link) = &row.link {
        reply.push(&format!("\n{}: ", texts.label_topic()));
        reply.push_link(link, Some(link));
    }
    if !detail.history.is_empty() {
        reply.push("\n\n");
        reply.push_with(texts.label_history(), MessageEntityKind::Bold);
        for (at, step) in &detail.history {
            let what = match step {
                Step::Opened => texts.step_opened().to_owned(),
                Step::Assigned { tech } => texts.step_assigned(tech),
                Step::Reassigned { tech } => texts.step_reassigned(tech),
                Step::Closed { by } => texts.step_closed(by),
                Step::TopicRecreated => texts.step_topic_recreated().to_owned(),
                Step::ClientBlocked => texts.step_client_blocked().to_owned(),
            };
            reply.push(&format!("\n{} — {what}", texts.timestamp(*at)));
        }
    }
    Ok(reply)
}

fn seconds_between(from: chrono::DateTime<Utc>, to: chrono::DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds().max(0) as f64 / 1000.0
}

async fn find(
    query: &FindQuery,
    texts: &Texts,
    db: &DatabaseConnection,
) -> Result<Reply, HandlerError> {
    let found = reports::find(db, query, LIST_LIMIT).await?;
    if found.tickets.is_empty() {
        return Ok(Reply::plain(texts.find_none()));
    }
    let first_word = match query {
        FindQuery::Words { words, .. } => words.first().map(String::as_str),
        _ => None,
    };
    let mut reply = Reply::default();
    reply.push_with(
        &texts.find_title(found.tickets.len(), found.more),
        MessageEntityKind::Bold,
    );
    for hit in &found.tickets {
        reply.push("\n");
        ticket_line(&mut reply, &hit.row, texts);
        if let Some(message) = hit.message.as_deref().filter(|m| !m.trim().is_empty()) {
            let snippet = snippet(message, first_word.unwrap_or_default(), SNIPPET_CHARS);
            reply.push("\n    ");
            reply.push_with(&format!("«{snippet}»"), MessageEntityKind::Italic);
        }
    }
    Ok(reply)
}

/// Up to `width` characters of `text` on one line, around the first
/// occurrence of `word` (compared in search form), with "…" where cut.
fn snippet(text: &str, word: &str, width: usize) -> String {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    // Where each character starts in the folded text, to map a match back.
    let mut folded = String::new();
    let mut starts = Vec::with_capacity(chars.len());
    for c in &chars {
        starts.push(folded.len());
        folded.push_str(&crate::entities::events::search_form(&c.to_string()));
    }
    let word = crate::entities::events::search_form(word);
    let at = (!word.is_empty())
        .then(|| folded.find(&word))
        .flatten()
        .map_or(0, |byte| {
            starts.partition_point(|&s| s <= byte).saturating_sub(1)
        });
    let start = at
        .saturating_sub(width / 3)
        .min(chars.len().saturating_sub(width));
    let end = (start + width).min(chars.len());
    let mut out: String = chars[start..end].iter().collect();
    out = out.trim().to_owned();
    if start > 0 {
        out.insert(0, '…');
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

async fn stats(days: u32, texts: &Texts, db: &DatabaseConnection) -> Result<Reply, HandlerError> {
    let since = Utc::now() - Duration::days(i64::from(days));
    let stats = reports::stats(db, since).await?;
    let mut reply = Reply::default();
    reply.push_with(
        &texts.stats_title(days, stats.since),
        MessageEntityKind::Bold,
    );
    reply.push("\n");
    for line in [
        texts.stats_opened(stats.opened),
        texts.stats_closed(stats.closed),
        texts.stats_still_open(stats.still_open),
    ] {
        reply.push(&format!("\n{line}"));
    }
    for (what, spread) in [
        (texts.label_first_response(), stats.first_response),
        (texts.label_resolution(), stats.resolution),
    ] {
        let line = match spread {
            Some(spread) => texts.stats_spread(
                what,
                &texts.duration(spread.median),
                &texts.duration(spread.p90),
                spread.count,
            ),
            None => texts.stats_no_spread(what),
        };
        reply.push(&format!("\n{line}"));
    }
    let survey = match stats.averages {
        Some([q1, q2, q3]) => {
            texts.stats_survey(&texts.decimal(q1), &texts.decimal(q2), &texts.decimal(q3))
        }
        None => texts.stats_no_survey().to_owned(),
    };
    reply.push(&format!("\n{survey}"));
    if let Some(rate) = stats.response_rate() {
        let line = texts.stats_response_rate(stats.feedback, stats.closed, &texts.percent(rate));
        reply.push(&format!("\n{line}"));
    }
    Ok(reply)
}

async fn switch(
    tech: &TechRef,
    on: bool,
    by: i64,
    texts: &Texts,
    db: &DatabaseConnection,
    store: &Store,
) -> Result<Reply, HandlerError> {
    let text = match reports::set_available(db, store, tech, on, by).await? {
        Availability::Changed(tech) if on => texts.tech_now_available(&tech_label(&tech)),
        Availability::Changed(tech) => texts.tech_now_unavailable(&tech_label(&tech)),
        Availability::Unchanged(tech) if on => texts.tech_already_available(&tech_label(&tech)),
        Availability::Unchanged(tech) => texts.tech_already_unavailable(&tech_label(&tech)),
        Availability::NotInMapping(tech) => texts.tech_not_in_mapping(&tech_label(&tech)),
        Availability::Unknown => texts.tech_not_found().to_owned(),
    };
    Ok(Reply::plain(text))
}

// --- building and sending ---

/// Text with its entities, offsets in UTF-16 units as Telegram counts them.
#[derive(Debug, Default)]
struct Reply {
    text: String,
    units: usize,
    entities: Vec<MessageEntity>,
}

impl Reply {
    fn plain(text: impl Into<String>) -> Self {
        let mut reply = Reply::default();
        reply.push(&text.into());
        reply
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.units += utf16_len(s);
    }

    fn push_with(&mut self, s: &str, kind: MessageEntityKind) {
        let offset = self.units;
        self.push(s);
        if self.units > offset {
            self.entities
                .push(MessageEntity::new(kind, offset, self.units - offset));
        }
    }

    /// `s`, linking to `url` when there is a valid one.
    fn push_link(&mut self, s: &str, url: Option<&str>) {
        match url.and_then(|url| Url::parse(url).ok()) {
            Some(url) => self.push_with(s, MessageEntityKind::TextLink { url }),
            None => self.push(s),
        }
    }

    /// `"\n<label>: <value>"`.
    fn line(&mut self, label: &str, value: &str) {
        self.push(&format!("\n{label}: {value}"));
    }
}

/// Sends the reply where the command was written (its topic, in a forum),
/// in as many messages as it takes.
async fn send(telegram: &Telegram, message: &Message, reply: Reply) -> Result<(), HandlerError> {
    let thread = topic_of(message);
    for (text, entities) in split_text(&reply.text, &reply.entities, TEXT_LIMIT) {
        let mut request = telegram
            .bot()
            .send_message(message.chat.id, text)
            .entities(entities)
            .link_preview_options(LinkPreviewOptions {
                is_disabled: true,
                url: None,
                prefer_small_media: false,
                prefer_large_media: false,
                show_above_text: false,
            });
        if let Some(thread) = thread {
            request = request.message_thread_id(ThreadId(MessageId(thread)));
        }
        telegram.call(request).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_takes_a_status_or_nothing() {
        assert_eq!(parse_status(""), Some(None));
        assert_eq!(parse_status("NEW"), Some(Some(TicketStatus::New)));
        assert_eq!(parse_status("work"), Some(Some(TicketStatus::Work)));
        assert_eq!(parse_status("closed"), Some(Some(TicketStatus::Closed)));
        assert_eq!(parse_status("open"), None);
        assert_eq!(parse_status("new work"), None);
    }

    #[test]
    fn a_ticket_number_is_a_positive_integer_with_or_without_a_hash() {
        assert_eq!(parse_ticket_number("12"), Some(12));
        assert_eq!(parse_ticket_number("#12"), Some(12));
        for bad in [
            "",
            "#",
            "0",
            "-3",
            "+3",
            "abc",
            "#abc",
            "1 2",
            "99999999999",
        ] {
            assert_eq!(parse_ticket_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn find_tells_numbers_usernames_ids_and_words_apart() {
        assert_eq!(parse_find("#7"), Some(FindQuery::TicketNumber(7)));
        assert_eq!(
            parse_find("@Anna_S"),
            Some(FindQuery::Username("Anna_S".into()))
        );
        assert_eq!(
            parse_find("123456"),
            Some(FindQuery::Words {
                words: vec!["123456".into()],
                tg_id: Some(123456)
            })
        );
        assert_eq!(
            parse_find("Принтер  100%"),
            Some(FindQuery::Words {
                words: vec!["Принтер".into(), "100%".into()],
                tg_id: None
            })
        );
        for bad in ["", "#", "#abc", "#0", "@", "@a b", "@анна"] {
            assert_eq!(parse_find(bad), None, "{bad}");
        }
    }

    #[test]
    fn find_matches_at_most_ten_words() {
        let query = (1..=15)
            .map(|n| format!("w{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        let Some(FindQuery::Words { words, .. }) = parse_find(&query) else {
            panic!("words");
        };
        assert_eq!(words.len(), MAX_WORDS);
    }

    #[test]
    fn stats_takes_one_to_3650_days_and_defaults_to_seven() {
        assert_eq!(parse_days(""), Some(7));
        assert_eq!(parse_days("30"), Some(30));
        assert_eq!(parse_days("3650"), Some(3650));
        for bad in ["abc", "0", "3651", "-1", "7d", "1.5", "99999999999"] {
            assert_eq!(parse_days(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_technician_is_named_by_id_or_username() {
        assert_eq!(parse_tech("3"), Some(TechRef::Id(3)));
        assert_eq!(parse_tech("@ivan"), Some(TechRef::Username("ivan".into())));
        for bad in ["", "#3", "ivan", "@", "0"] {
            assert_eq!(parse_tech(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_snippet_centres_on_the_match_whatever_its_case() {
        let text = format!(
            "{} Принтер сломался\nснова {}",
            "a".repeat(200),
            "b".repeat(200)
        );
        let cut = snippet(&text, "ПРИНТЕР", 40);
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        assert!(cut.contains("Принтер сломался снова"), "{cut}");
        assert_eq!(snippet("short text", "text", 40), "short text");
        assert_eq!(snippet("no match here", "zzz", 5), "no ma…");
    }

    #[test]
    fn a_reply_counts_entity_offsets_in_utf16_units() {
        let mut reply = Reply::default();
        reply.push("😀 ");
        reply.push_with("#1", MessageEntityKind::Bold);
        reply.push_link(" x", Some("not a url"));
        assert_eq!(reply.entities, vec![MessageEntity::bold(3, 2)]);
        assert_eq!(reply.text, "😀 #1 x");
    }
}
