//! What the manager commands read: technicians with their load, ticket
//! lists, one ticket's story, search, and period statistics — plus the one
//! thing they change, whether a technician takes new tickets.
//!
//! Everything here runs the same on PostgreSQL and SQLite: no JSON
//! operators, no `LOWER()` on user text (SQLite folds ASCII only), and
//! percentiles are computed here from the fetched durations rather than
//! with PostgreSQL's `percentile_cont`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde_json::{Value, json};

use crate::domain::card::topic_link;
use crate::entities::events::search_form;
use crate::entities::{Actor, TicketStatus, events, feedback, technicians, tickets, users};
use crate::records::events as event_log;
use crate::services::technicians as technicians_service;
use crate::store::Store;

/// How many ids go into one `IN (..)` list: far below the bind-parameter
/// limits of both databases.
const IN_CHUNK: usize = 500;
/// Users read per page when matching names.
const USER_PAGE: u64 = 1000;
/// The escape character of `LIKE` patterns built from user input.
const LIKE_ESCAPE: char = '!';

/// The client of a ticket, as last seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub tg_id: i64,
    /// `None` when the user row is missing (it never should be).
    pub full_name: Option<String>,
    pub username: Option<String>,
}

/// One line of a ticket list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    pub id: i32,
    pub status: TicketStatus,
    pub client: Client,
    pub tech: Option<technicians::Model>,
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The main-group topic, once it exists.
    pub link: Option<String>,
}

/// A technician and the open tickets assigned to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechLoad {
    pub tech: technicians::Model,
    pub open_tickets: u64,
}

/// The latest tickets, and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPage {
    pub rows: Vec<TicketRow>,
    pub total: u64,
}

/// A step in a ticket's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Opened,
    Assigned { tech: String },
    Reassigned { tech: String },
    Closed { by: String },
    TopicRecreated,
    ClientBlocked,
}

/// Actions of the events log that make up a ticket's history.
const HISTORY_ACTIONS: [&str; 6] = [
    "ticket_opened",
    "assigned",
    "reassigned",
    "closed",
    "topic_recreated",
    "client_blocked",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDetail {
    pub row: TicketRow,
    pub history: Vec<(DateTime<Utc>, Step)>,
    /// Messages bridged for the ticket, in every direction.
    pub messages: u64,
    pub feedback: Option<feedback::Model>,
}

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

/// Median and 90th percentile of some durations, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub count: usize,
    pub median: f64,
    pub p90: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub since: DateTime<Utc>,
    /// Tickets opened in the period.
    pub opened: u64,
    /// Tickets closed in the period (whenever opened).
    pub closed: u64,
    /// Of the tickets opened in the period, those not closed yet.
    pub still_open: u64,
    /// Opening to first answer, for tickets opened in the period.
    pub first_response: Option<Spread>,
    /// Opening to closing, for tickets closed in the period.
    pub resolution: Option<Spread>,
    /// Survey rows of the tickets closed in the period.
    pub feedback: u64,
    /// Average answer to each survey question.
    pub averages: Option<[f64; 3]>,
}

impl Stats {
    /// Surveys answered per ticket closed, 0..=1.
    pub fn response_rate(&self) -> Option<f64> {
        (self.closed > 0).then(|| self.feedback as f64 / self.closed as f64)
    }
}

/// What came of /tech_on or /tech_off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Changed(technicians::Model),
    Unchanged(technicians::Model),
    /// Not in TECH_GROUPS_MAPPING any more: nothing to switch.
    NotInMapping(technicians::Model),
    Unknown,
}

/// How a manager names a technician: the id /techs shows, or @username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TechRef {
    Id(i32),
    Username(String),
}

/// Every technician, active ones first, with their open tickets.
pub async fn technicians(db: &DatabaseConnection) -> Result<Vec<TechLoad>, DbErr> {
    let techs = technicians::Entity::find()
        .order_by_desc(technicians::Column::IsActive)
        .order_by_asc(technicians::Column::Id)
        .all(db)
        .await?;
    let counts: BTreeMap<i32, i64> = tickets::Entity::find()
        .select_only()
        .column(tickets::Column::AssignedTechId)
        .column_as(tickets::Column::Id.count(), "open_tickets")
        .filter(tickets::Column::Status.ne(TicketStatus::Closed))
        .filter(tickets::Column::AssignedTechId.is_not_null())
        .group_by(tickets::Column::AssignedTechId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(techs
        .into_iter()
        .map(|tech| TechLoad {
            open_tickets: counts.get(&tech.id).copied().unwrap_or(0).max(0) as u64,
            tech,
        })
        .collect())
}

/// The newest `limit` tickets, of one status or all.
pub async fn latest_tickets(
    db: &DatabaseConnection,
    status: Option<TicketStatus>,
    limit: u64,
) -> Result<TicketPage, DbErr> {
    let mut query = tickets::Entity::find();
    if let Some(status) = status {
        query = query.filter(tickets::Column::Status.eq(status));
    }
    let total = query.clone().count(db).await?;
    let found = query
        .order_by_desc(tickets::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(TicketPage {
        rows: rows_for(db, found).await?,
        total,
    })
}

/// One ticket with its history, message count and feedback.
pub async fn ticket(db: &DatabaseConnection, id: i32) -> Result<Option<TicketDetail>, DbErr> {
    let Some(ticket) = tickets::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let row = rows_for(db, vec![ticket]).await?.remove(0);
    let history = events::Entity::find()
        .filter(events::Column::TicketId.eq(id))
        .filter(events::Column::Action.is_in(HISTORY_ACTIONS))
        .order_by_asc(events::Column::Ts)
        .order_by_asc(events::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|event| step_of(&event).map(|step| (event.ts, step)))
        .collect();
    let messages = events::Entity::find()
        .filter(events::Column::TicketId.eq(id))
        .filter(events::Column::Action.eq("message_bridged"))
        .count(db)
        .await?;
    let feedback = feedback::Entity::find()
        .filter(feedback::Column::TicketId.eq(id))
        .one(db)
        .await?;
    Ok(Some(TicketDetail {
        row,
        history,
        messages,
        feedback,
    }))
}

fn step_of(event: &events::Model) -> Option<Step> {
    let field = |key: &str| {
        event
            .payload
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Some(match event.action.as_str() {
        "ticket_opened" => Step::Opened,
        "assigned" => Step::Assigned {
            tech: field("tech"),
        },
        "reassigned" => Step::Reassigned {
            tech: field("tech"),
        },
        "closed" => Step::Closed { by: field("by") },
        "topic_recreated" => Step::TopicRecreated,
        "client_blocked" => Step::ClientBlocked,
        _ => return None,
    })
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

/// Figures for the period from `since` to now.
pub async fn stats(db: &DatabaseConnection, since: DateTime<Utc>) -> Result<Stats, DbErr> {
    let opened = tickets::Entity::find()
        .filter(tickets::Column::CreatedAt.gte(since))
        .all(db)
        .await?;
    let closed = tickets::Entity::find()
        .filter(tickets::Column::ClosedAt.gte(since))
        .all(db)
        .await?;
    let first_response = spread(
        opened
            .iter()
            .filter_map(|t| Some(seconds_between(t.created_at, t.first_response_at?)))
            .collect(),
    );
    let resolution = spread(
        closed
            .iter()
            .filter_map(|t| Some(seconds_between(t.created_at, t.closed_at?)))
            .collect(),
    );
    let closed_ids: Vec<i32> = closed.iter().map(|t| t.id).collect();
    let mut answers = Vec::new();
    for chunk in closed_ids.chunks(IN_CHUNK) {
        answers.extend(
            feedback::Entity::find()
                .filter(feedback::Column::TicketId.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    let averages = (!answers.is_empty()).then(|| {
        let n = answers.len() as f64;
        let mean = |q: fn(&feedback::Model) -> i16| {
            answers.iter().map(|a| f64::from(q(a))).sum::<f64>() / n
        };
        [mean(|a| a.q1), mean(|a| a.q2), mean(|a| a.q3)]
    });
    Ok(Stats {
        since,
        opened: opened.len() as u64,
        closed: closed.len() as u64,
        still_open: opened.iter().filter(|t| t.status.is_open()).count() as u64,
        first_response,
        resolution,
        feedback: answers.len() as u64,
        averages,
    })
}

fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    // A clock step backwards must not make a negative duration.
    (to - from).num_milliseconds().max(0) as f64 / 1000.0
}

fn spread(mut seconds: Vec<f64>) -> Option<Spread> {
    seconds.sort_by(f64::total_cmp);
    Some(Spread {
        count: seconds.len(),
        median: percentile(&seconds, 0.5)?,
        p90: percentile(&seconds, 0.9)?,
    })
}

/// The `p` quantile (0..=1) of sorted values, interpolating linearly
/// between the two nearest ranks — PostgreSQL's `percentile_cont`, so a
/// figure can be checked with SQL. `None` for no values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let fraction = rank - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * fraction)
}

/// Lets a technician take new tickets, or stops it. Recorded in the events
/// log, and the cached list of technicians offered on cards is dropped; a
/// technician missing from TECH_GROUPS_MAPPING is left alone.
pub async fn set_available(
    db: &DatabaseConnection,
    store: &Store,
    tech: &TechRef,
    available: bool,
    by: i64,
) -> Result<Availability, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    let query = technicians::Entity::find();
    let found = match tech {
        TechRef::Id(id) => query.filter(technicians::Column::Id.eq(*id)),
        TechRef::Username(username) => query.filter(
            Expr::expr(Func::lower(Expr::col(technicians::Column::Username)))
                .eq(username.trim_start_matches('@').to_ascii_lowercase()),
        ),
    }
    .order_by_desc(technicians::Column::IsActive)
    .order_by_asc(technicians::Column::Id)
    .one(db)
    .await?;
    let Some(found) = found else {
        return Ok(Availability::Unknown);
    };
    if !found.is_active {
        return Ok(Availability::NotInMapping(found));
    }
    if found.available == available {
        // Also when unchanged: a retry after a crash between the commit
        // below and the cache drop must still drop it.
        technicians_service::forget_active_technicians(store).await;
        return Ok(Availability::Unchanged(found));
    }
    let txn = db.begin().await?;
    let mut row = found.into_active_model();
    row.available = Set(available);
    let updated = row.update(&txn).await?;
    event_log::record(
        &txn,
        None,
        Actor::Staff,
        if available {
            "technician_available"
        } else {
            "technician_unavailable"
        },
        json!({ "tech_id": updated.id, "tech": updated.name, "by": by }),
    )
    .await?;
    txn.commit().await?;
    // New cards must show the change at once, not when the cache expires.
    technicians_service::forget_active_technicians(store).await;
    tracing::info!(
        tech_id = updated.id,
        available,
        by,
        "technician availability changed"
    );
    Ok(Availability::Changed(updated))
}

/// List rows for these tickets, in the given order, with their clients and
/// technicians read in two queries.
async fn rows_for<C: ConnectionTrait>(
    conn: &C,
    found: Vec<tickets::Model>,
) -> Result<Vec<TicketRow>, DbErr> {
    let client_ids: BTreeSet<i64> = found.iter().map(|t| t.client_tg_id).collect();
    let tech_ids: BTreeSet<i32> = found.iter().filter_map(|t| t.assigned_tech_id).collect();
    let mut clients = BTreeMap::new();
    for chunk in client_ids.into_iter().collect::<Vec<_>>().chunks(IN_CHUNK) {
        for user in users::Entity::find()
            .filter(users::Column::TgId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            clients.insert(user.tg_id, user);
        }
    }
    let mut techs = BTreeMap::new();
    for chunk in tech_ids.into_iter().collect::<Vec<_>>().chunks(IN_CHUNK) {
        for tech in technicians::Entity::find()
            .filter(technicians::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            techs.insert(tech.id, tech);
        }
    }
    Ok(found
        .into_iter()
        .map(|ticket| {
            let user = clients.get(&ticket.client_tg_id);
            TicketRow {
                id: ticket.id,
                status: ticket.status,
                client: Client {
                    tg_id: ticket.client_tg_id,
                    full_name: user.map(|u| u.full_name.clone()),
                    username: user.and_then(|u| u.username.clone()),
                },
                tech: ticket
                    .assigned_tech_id
                    .and_then(|id| techs.get(&id).cloned()),
                created_at: ticket.created_at,
                first_response_at: ticket.first_response_at,
                closed_at: ticket.closed_at,
                link: ticket
                    .main_thread_id
                    .and_then(|thread| topic_link(ticket.main_chat_id, thread)),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_ranks_like_percentile_cont() {
        let values = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(percentile(&values, 0.5), Some(25.0));
        assert_eq!(percentile(&values, 0.9), Some(37.0));
        assert_eq!(percentile(&values, 0.0), Some(10.0));
        assert_eq!(percentile(&values, 1.0), Some(40.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 0.5), Some(5.5));
        assert!((percentile(&ten, 0.9).unwrap() - 9.1).abs() < 1e-9);
    }

    #[test]
    fn a_single_value_is_every_percentile_and_none_has_none() {
        assert_eq!(percentile(&[7.0], 0.5), Some(7.0));
        assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(spread(Vec::new()), None);
    }

    #[test]
    fn a_spread_sorts_before_taking_percentiles() {
        let spread = spread(vec![300.0, 60.0, 120.0]).unwrap();
        assert_eq!(spread.count, 3);
        assert_eq!(spread.median, 120.0);
        assert!((spread.p90 - 264.0).abs() < 1e-9);
    }

    #[test]
    fn like_patterns_treat_wildcards_in_the_query_literally() {
        assert_eq!(contains_pattern("printer"), "%printer%");
        assert_eq!(contains_pattern("100%"), "%100!%%");
        assert_eq!(contains_pattern("a_b!"), "%a!_b!!%");
    }
}
