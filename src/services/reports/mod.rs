//! What the manager commands read: technicians with their load, ticket
//! lists, one ticket's story, search, and period statistics — plus the one
//! thing they change, whether a technician takes new tickets.
//!
//! Everything here runs the same on PostgreSQL and SQLite: no JSON
//! operators, no `LOWER()` on user text (SQLite folds ASCII only), and
//! percentiles are computed here from the fetched durations rather than
//! with PostgreSQL's `percentile_cont`.

mod availability;
mod find;
mod stats;

pub use availability::{Availability, TechRef, set_available};
pub use find::{FindQuery, FindResult, Found, contains_pattern, find};
pub use stats::{Spread, Stats, percentile, spread};

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;

use crate::domain::card::topic_link;
use crate::entities::{Priority, TicketStatus, events, feedback, technicians, tickets, users};

/// How many ids go into one `IN (..)` list: far below the bind-parameter
/// limits of both databases.
pub(crate) const IN_CHUNK: usize = 500;

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
    pub priority: Priority,
    /// The category's key (CATEGORIES), when it has one.
    pub category: Option<String>,
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

/// List rows for these tickets, in the given order, with their clients and
/// technicians read in two queries.
pub async fn rows_for<C: ConnectionTrait>(
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
                priority: ticket.priority,
                category: ticket.category,
            }
        })
        .collect())
}
