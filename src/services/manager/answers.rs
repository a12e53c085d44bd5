//! The answers to manager commands, as text with entities: lists of
//! technicians and tickets, one ticket's story, search results, statistics.
//! Every word comes from the texts; the layout is here.

use chrono::Utc;
use sea_orm::{DatabaseConnection, DbErr};
use teloxide::types::MessageEntityKind;

use crate::domain::rich_text::RichBuilder;
use crate::domain::topic_title::truncate_utf16;
use crate::entities::TicketStatus;
use crate::services::ServiceResult;
use crate::services::daily_stats::DailyStats;
use crate::services::reports::{self, Availability, Client, FindQuery, Step, TechRef, TicketRow};
use crate::services::tickets::tech_label;
use crate::store::Store;
use crate::texts::Texts;

/// How many tickets /tickets and /find list.
const LIST_LIMIT: usize = 20;
/// Longest client name in a list line, in UTF-16 units.
const NAME_LIMIT: usize = 64;
/// Characters of a matching message shown under a /find result.
const SNIPPET_CHARS: usize = 100;

pub(super) async fn techs(texts: &Texts, db: &DatabaseConnection) -> Result<RichBuilder, DbErr> {
    let techs = reports::technicians(db).await?;
    if techs.is_empty() {
        return Ok(RichBuilder::plain(texts.techs_none()));
    }
    let mut reply = RichBuilder::default();
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

pub(super) async fn tickets(
    filter: Option<TicketStatus>,
    texts: &Texts,
    db: &DatabaseConnection,
) -> Result<RichBuilder, DbErr> {
    let page = reports::latest_tickets(db, filter, LIST_LIMIT as u64).await?;
    if page.rows.is_empty() {
        return Ok(RichBuilder::plain(texts.tickets_none()));
    }
    let mut reply = RichBuilder::default();
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
fn ticket_line(reply: &mut RichBuilder, row: &TicketRow, texts: &Texts) {
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

pub(super) async fn ticket(
    id: i32,
    texts: &Texts,
    db: &DatabaseConnection,
) -> Result<RichBuilder, DbErr> {
    let Some(detail) = reports::ticket(db, id).await? else {
        return Ok(RichBuilder::plain(&texts.ticket_not_found(id)));
    };
    let row = &detail.row;
    let mut reply = RichBuilder::default();
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

pub(super) async fn find(
    query: &FindQuery,
    texts: &Texts,
    db: &DatabaseConnection,
) -> Result<RichBuilder, DbErr> {
    let found = reports::find(db, query, LIST_LIMIT).await?;
    if found.tickets.is_empty() {
        return Ok(RichBuilder::plain(texts.find_none()));
    }
    let first_word = match query {
        FindQuery::Words { words, .. } => words.first().map(String::as_str),
        _ => None,
    };
    let mut reply = RichBuilder::default();
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

/// Whole past days from the daily rollup, today live (see
/// `services::daily_stats`).
pub(super) async fn stats(
    days: u32,
    texts: &Texts,
    daily: &DailyStats,
) -> ServiceResult<RichBuilder> {
    let stats = daily.period(days, Utc::now()).await?;
    let mut reply = RichBuilder::default();
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

pub(super) async fn switch(
    tech: &TechRef,
    on: bool,
    by: i64,
    texts: &Texts,
    db: &DatabaseConnection,
    store: &Store,
) -> Result<RichBuilder, DbErr> {
    let text = match reports::set_available(db, store, tech, on, by).await? {
        Availability::Changed(tech) if on => texts.tech_now_available(&tech_label(&tech)),
        Availability::Changed(tech) => texts.tech_now_unavailable(&tech_label(&tech)),
        Availability::Unchanged(tech) if on => texts.tech_already_available(&tech_label(&tech)),
        Availability::Unchanged(tech) => texts.tech_already_unavailable(&tech_label(&tech)),
        Availability::NotInMapping(tech) => texts.tech_not_in_mapping(&tech_label(&tech)),
        Availability::Unknown => texts.tech_not_found().to_owned(),
    };
    Ok(RichBuilder::plain(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
