//! /find: tickets by number, by the client's username, or by words in the
//! client's name or in a bridged message.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::{IN_CHUNK, TicketRow, rows_for};
use crate::entities::events::search_form;
use crate::entities::{events, tickets, users};
use serde_json::Value;

/// Users read per page when matching names.
const USER_PAGE: u64 = 1000;
/// The escape character of `LIKE` patterns built from user input.
const LIKE_ESCAPE: char = '!';

/// What /find looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindQuery {
    /// `#12`: the ticket with that number.
    TicketNumber(i32),
    /// `@anna`: the client with that username (any case).
    Username(String),
    /// Words: in the client's name or username, or all of them in one
    /// bridged message. When the query is a number, also the client with
    /// that Telegram id.
    Words {
        words: Vec<String>,
        tg_id: Option<i64>,
    },
}

/// A ticket /find found, with the message that matched, if one did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub row: TicketRow,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindResult {
    /// Newest first.
    pub tickets: Vec<Found>,
    /// More tickets matched than are listed.
    pub more: bool,
}

/// Tickets matching `query`, newest first, at most `limit`.
pub async fn find(
    db: &DatabaseConnection,
    query: &FindQuery,
    limit: usize,
) -> Result<FindResult, DbErr> {
    // Each way of matching yields its newest `limit + 1` ticket ids, so the
    // newest `limit` of their union are the newest of all matches, and one
    // more tells that there are more.
    let wanted = limit + 1;
    let mut ids: BTreeSet<i32> = BTreeSet::new();
    let mut messages: BTreeMap<i32, String> = BTreeMap::new();
    match query {
        FindQuery::TicketNumber(id) => {
            ids.extend(
                tickets::Entity::find_by_id(*id)
                    .one(db)
                    .await?
                    .map(|t| t.id),
            );
        }
        FindQuery::Username(username) => {
            use sea_orm::sea_query::ExprTrait;
            let username = username.trim_start_matches('@').to_ascii_lowercase();
            let clients: Vec<i64> = users::Entity::find()
                .select_only()
                .column(users::Column::TgId)
                .filter(Expr::expr(Func::lower(Expr::col(users::Column::Username))).eq(username))
                .into_tuple()
                .all(db)
                .await?;
            ids.extend(tickets_of_clients(db, &clients, wanted).await?);
        }
        FindQuery::Words { words, tg_id } => {
            let words: Vec<String> = words.iter().map(|w| search_form(w)).collect();
            let mut clients = clients_named(db, &words).await?;
            clients.extend(*tg_id);
            ids.extend(tickets_of_clients(db, &clients, wanted).await?);
            for (ticket_id, text) in tickets_with_words(db, &words, wanted).await? {
                ids.insert(ticket_id);
                messages.insert(ticket_id, text);
            }
        }
    }
    let more = ids.len() > limit;
    let newest: Vec<i32> = ids.into_iter().rev().take(limit).collect();
    let mut found = Vec::with_capacity(newest.len());
    for chunk in newest.chunks(IN_CHUNK) {
        found.extend(
            tickets::Entity::find()
                .filter(tickets::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    found.sort_by_key(|t| std::cmp::Reverse(t.id));
    let tickets = rows_for(db, found)
        .await?
        .into_iter()
        .map(|row| Found {
            message: messages.remove(&row.id),
            row,
        })
        .collect();
    Ok(FindResult { tickets, more })
}

/// Clients whose name or username holds every word (already in search
/// form). Names are matched here rather than in SQL, so that case folds by
/// Unicode rules on both databases; the users are read page by page.
async fn clients_named<C: ConnectionTrait>(conn: &C, words: &[String]) -> Result<Vec<i64>, DbErr> {
    let mut matched = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let mut page = users::Entity::find()
            .select_only()
            .columns([
                users::Column::TgId,
                users::Column::FullName,
                users::Column::Username,
            ])
            .order_by_asc(users::Column::TgId)
            .limit(USER_PAGE);
        if let Some(after) = after {
            page = page.filter(users::Column::TgId.gt(after));
        }
        let page: Vec<(i64, String, Option<String>)> = page.into_tuple().all(conn).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = Some(last.0);
        let full = page.len() as u64 == USER_PAGE;
        for (tg_id, full_name, username) in page {
            let haystack = search_form(&format!(
                "{full_name} {}",
                username.as_deref().unwrap_or_default()
            ));
            if words.iter().all(|word| haystack.contains(word.as_str())) {
                matched.push(tg_id);
            }
        }
        if !full {
            break;
        }
    }
    Ok(matched)
}

/// The newest `wanted` tickets of these clients.
async fn tickets_of_clients<C: ConnectionTrait>(
    conn: &C,
    clients: &[i64],
    wanted: usize,
) -> Result<Vec<i32>, DbErr> {
    let mut ids = BTreeSet::new();
    for chunk in clients.chunks(IN_CHUNK) {
        let newest: Vec<i32> = tickets::Entity::find()
            .select_only()
            .column(tickets::Column::Id)
            .filter(tickets::Column::ClientTgId.is_in(chunk.iter().copied()))
            .order_by_desc(tickets::Column::Id)
            .limit(wanted as u64)
            .into_tuple()
            .all(conn)
            .await?;
        ids.extend(newest);
    }
    Ok(ids.into_iter().rev().take(wanted).collect())
}

/// The newest `wanted` tickets with a message holding every word (already
/// in search form), each with the latest such message.
async fn tickets_with_words<C: ConnectionTrait>(
    conn: &C,
    words: &[String],
    wanted: usize,
) -> Result<Vec<(i32, String)>, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    let mut query = events::Entity::find()
        .select_only()
        .column(events::Column::TicketId)
        .column_as(events::Column::Id.max(), "latest")
        .filter(events::Column::TicketId.is_not_null());
    for word in words {
        query = query.filter(
            Expr::col((events::Entity, events::Column::SearchText))
                .like(LikeExpr::new(contains_pattern(word)).escape(LIKE_ESCAPE)),
        );
    }
    let hits: Vec<(i32, i32)> = query
        .group_by(events::Column::TicketId)
        .order_by_desc(events::Column::TicketId)
        .limit(wanted as u64)
        .into_tuple()
        .all(conn)
        .await?;
    let latest: Vec<i32> = hits.iter().map(|(_, event)| *event).collect();
    let texts: BTreeMap<i32, String> = events::Entity::find()
        .filter(events::Column::Id.is_in(latest))
        .all(conn)
        .await?
        .into_iter()
        .map(|event| {
            let text = event
                .payload
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            (event.id, text)
        })
        .collect();
    Ok(hits
        .into_iter()
        .map(|(ticket, event)| (ticket, texts.get(&event).cloned().unwrap_or_default()))
        .collect())
}

/// A `LIKE` pattern for text containing `word` literally: `%` and `_` in
/// it match only themselves.
pub fn contains_pattern(word: &str) -> String {
    let mut pattern = String::with_capacity(word.len() + 2);
    pattern.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_') || c == LIKE_ESCAPE {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_treat_wildcards_in_the_query_literally() {
        assert_eq!(contains_pattern("printer"), "%printer%");
        assert_eq!(contains_pattern("100%"), "%100!%%");
        assert_eq!(contains_pattern("a_b!"), "%a!_b!!%");
    }
}
