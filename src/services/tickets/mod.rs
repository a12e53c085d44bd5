//! The life of a ticket: opened by a client's first real message, assigned to
//! a technician (who gets a mirrored topic), closed from any side. Every
//! state change and the deliveries it causes are written in one transaction,
//! so a crash or a replay can neither lose nor repeat a step.

mod assign;
mod categories;
mod client;
mod close;
mod commands;
mod kb;
mod levels;
mod open;
mod reopen;
mod routing;

pub use categories::CategoryChoice;
pub use kb::{KB_CHOICES, KB_REASON, KbAnswer};
pub use open::Opening;

use std::future::Future;

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::config::DeskSettings;
use crate::domain::language::Language;
use crate::entities::{TicketStatus, mirrors, technicians, tickets, users};
use crate::outbox::Outbox;
use crate::services::ServiceError;
use crate::services::knowledge::KnowledgeService;
use crate::services::planner::Planner;
use crate::store::Store;
use crate::texts::Texts;

/// Extra time after the survey's deadline before the report row is sent.
const REPORT_GRACE: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// How long a button press may hold a ticket.
pub const TICKET_LOCK_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// What happened to a request to assign or close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Done,
    /// Already in that state: nothing changed.
    Unchanged,
    /// Someone else is changing this ticket right now.
    Busy,
    TicketClosed,
    UnknownTicket,
    /// The technician does not exist or is not active.
    UnknownTechnician,
    /// No category has that key.
    UnknownCategory,
}

#[derive(Clone)]
pub struct TicketService {
    db: DatabaseConnection,
    outbox: Outbox,
    store: Store,
    texts: Texts,
    main_group: i64,
    /// How long the survey after closing stays open.
    survey_ttl: std::time::Duration,
    /// Tickets a client may open within an hour; after that their messages
    /// join their latest ticket. 0: no limit.
    tickets_per_hour: u32,
    /// Plans SLA checks and timeouts as jobs; knows the desk's settings
    /// (categories, SLA policy, business hours, ASSIGN_MODE).
    planner: Planner,
    /// Articles offered to clients, and the team's saved answers.
    knowledge: KnowledgeService,
}

impl TicketService {
    pub fn new(
        db: DatabaseConnection,
        outbox: Outbox,
        store: Store,
        texts: Texts,
        main_group: i64,
        survey_ttl: std::time::Duration,
    ) -> Self {
        Self {
            knowledge: KnowledgeService::new(db.clone(), texts.language()),
            db,
            outbox,
            store,
            texts,
            main_group,
            survey_ttl,
            tickets_per_hour: 0,
            planner: Planner::default(),
        }
    }

    /// Routes and times tickets by `planner`'s desk settings (categories,
    /// SLA, business hours, ASSIGN_MODE), planning its jobs with it.
    pub fn with_planner(mut self, planner: Planner) -> Self {
        self.planner = planner;
        self
    }

    pub fn desk(&self) -> &DeskSettings {
        self.planner.desk()
    }

    /// At most `limit` new tickets per client and hour (0: no limit).
    pub fn with_tickets_per_hour(mut self, limit: u32) -> Self {
        self.tickets_per_hour = limit;
        self
    }

    pub fn main_group(&self) -> i64 {
        self.main_group
    }

    /// Texts in a client's language: their Telegram app's when the bot
    /// speaks it, otherwise the staff's.
    pub(crate) fn texts_for(&self, language_code: Option<&str>) -> Texts {
        Texts::new(Language::for_client(language_code, self.texts.language()))
    }

    /// Texts in the language of the client with this Telegram id.
    pub(crate) async fn client_texts(&self, client: i64) -> Result<Texts, DbErr> {
        let user = users::Entity::find_by_id(client).one(&self.db).await?;
        Ok(self.texts_for(user.as_ref().and_then(|u| u.language_code.as_deref())))
    }

    pub async fn get(&self, ticket_id: i32) -> Result<Option<tickets::Model>, DbErr> {
        tickets::Entity::find_by_id(ticket_id).one(&self.db).await
    }

    pub async fn open_ticket_of(&self, client: i64) -> Result<Option<tickets::Model>, DbErr> {
        tickets::Entity::find()
            .filter(tickets::Column::ClientTgId.eq(client))
            .filter(tickets::Column::Status.ne(TicketStatus::Closed))
            .one(&self.db)
            .await
    }

    /// The ticket whose main topic is `thread` of main group `chat`.
    pub async fn by_main_topic(
        &self,
        chat: i64,
        thread: i32,
    ) -> Result<Option<tickets::Model>, DbErr> {
        tickets::Entity::find()
            .filter(tickets::Column::MainChatId.eq(chat))
            .filter(tickets::Column::MainThreadId.eq(thread))
            .order_by_desc(tickets::Column::Id)
            .one(&self.db)
            .await
    }

    /// The ticket mirrored into topic `thread` of tech group `chat`, with
    /// its bridge row — whether or not that bridge is still the current one.
    pub async fn by_mirror_topic(
        &self,
        chat: i64,
        thread: i32,
    ) -> Result<Option<(tickets::Model, mirrors::Model)>, DbErr> {
        let Some(bridge) = mirrors::Entity::find()
            .filter(mirrors::Column::ChatId.eq(chat))
            .filter(mirrors::Column::ThreadId.eq(thread))
            .order_by_desc(mirrors::Column::Id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let ticket = tickets::Entity::find_by_id(bridge.ticket_id)
            .one(&self.db)
            .await?;
        Ok(ticket.map(|ticket| (ticket, bridge)))
    }

    pub async fn technician(&self, tech_id: i32) -> Result<Option<technicians::Model>, DbErr> {
        technicians::Entity::find_by_id(tech_id).one(&self.db).await
    }

    /// The ticket's current bridge to a technician, if assigned.
    pub async fn current_mirror(&self, ticket_id: i32) -> Result<Option<mirrors::Model>, DbErr> {
        current_mirror(&self.db, ticket_id).await
    }

    /// Runs `work` holding the ticket's lock, waiting for it while someone
    /// else holds it (at most the lock's TTL).
    pub(crate) async fn with_ticket_locked<T, Fut>(
        &self,
        ticket_id: i32,
        work: impl FnOnce() -> Fut,
    ) -> Result<T, ServiceError>
    where
        Fut: Future<Output = Result<T, ServiceError>>,
    {
        let name = format!("ticket:{ticket_id}");
        let deadline = tokio::time::Instant::now() + TICKET_LOCK_TTL;
        let lock = loop {
            if let Some(lock) = self.store.try_lock(&name, TICKET_LOCK_TTL).await? {
                break lock;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(DbErr::Custom(format!("ticket #{ticket_id} stayed locked")).into());
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        let out = work().await;
        if let Err(error) = self.store.unlock(lock).await {
            tracing::warn!(error = %error, ticket_id, "could not release the ticket's lock; it expires by itself");
        }
        out
    }

    /// Runs `work` holding the ticket's lock; `Busy` when someone else holds it.
    async fn under_ticket_lock(
        &self,
        ticket_id: i32,
        work: impl Future<Output = Result<Change, ServiceError>>,
    ) -> Result<Change, ServiceError> {
        let name = format!("ticket:{ticket_id}");
        match self
            .store
            .with_lock(&name, TICKET_LOCK_TTL, || work)
            .await?
        {
            Some(result) => result,
            None => Ok(Change::Busy),
        }
    }
}

pub(crate) async fn current_mirror<C: sea_orm::ConnectionTrait>(
    conn: &C,
    ticket_id: i32,
) -> Result<Option<mirrors::Model>, DbErr> {
    mirrors::Entity::find()
        .filter(mirrors::Column::TicketId.eq(ticket_id))
        .filter(mirrors::Column::ClosedAt.is_null())
        .order_by_desc(mirrors::Column::Id)
        .one(conn)
        .await
}

/// The line under the card's title for an open ticket as it stands: who
/// has it (or that it waits for the client), or nothing while nobody does.
pub async fn status_line<C: sea_orm::ConnectionTrait>(
    conn: &C,
    texts: &Texts,
    desk: &DeskSettings,
    ticket: &tickets::Model,
) -> Result<String, DbErr> {
    if let (TicketStatus::Waiting, Some(since)) = (ticket.status, ticket.waiting_since) {
        return Ok(texts.waiting_status(&crate::services::sla::local_moment(desk, since)));
    }
    let Some(tech_id) = ticket.assigned_tech_id else {
        return Ok(String::new());
    };
    let tech = technicians::Entity::find_by_id(tech_id).one(conn).await?;
    Ok(tech
        .map(|tech| texts.assigned_note(&tech_label(&tech)))
        .unwrap_or_default())
}

/// "@ivan", or the name when the technician has no username.
pub fn tech_label(tech: &technicians::Model) -> String {
    crate::domain::topic_title::tech_label(&tech.name, tech.username.as_deref())
}
