//! The life of a ticket: opened by a client's first real message, assigned to
//! a technician (who gets a mirrored topic), closed from any side. Every
//! state change and the deliveries it causes are written in one transaction,
//! so a crash or a replay can neither lose nor repeat a step.

use std::future::Future;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, SqlErr, TransactionTrait,
};
use serde_json::json;
use teloxide::types::User;

use crate::entities::{Actor, TicketStatus, mirrors, technicians, tickets, users};
use crate::outbox::{Action, Delivery, Lanes, Outbox, Target};
use crate::records::events;
use crate::services::{sheets, survey};
use crate::store::{Store, StoreError};

use crate::texts::Texts;

/// Extra time after the survey's deadline before the report row is sent.
const REPORT_GRACE: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// How long a button press may hold a ticket.
pub const TICKET_LOCK_TTL: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Store(#[from] StoreError),
}

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
            db,
            outbox,
            store,
            texts,
            main_group,
            survey_ttl,
        }
    }

    pub fn main_group(&self) -> i64 {
        self.main_group
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

    /// The ticket whose main topic is `thread`.
    pub async fn by_main_topic(&self, thread: i32) -> Result<Option<tickets::Model>, DbErr> {
        tickets::Entity::find()
            .filter(tickets::Column::MainChatId.eq(self.main_group))
            .filter(tickets::Column::MainThreadId.eq(thread))
            .order_by_desc(tickets::Column::Id)
            .one(&self.db)
            .await
    }

    /// The ticket mirrored into topic `thread` of tech group `chat`, with
    /// its bridge row — whether or not that bridge is still the current one.
    pub async fn by_tech_topic(
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

    /// The client's open ticket, opening one when there is none: the ticket
    /// row, its topic, the card and the acknowledgement. Returns the ticket
    /// and whether it was opened now.
    pub async fn open_for(&self, client: &User) -> Result<(tickets::Model, bool), DbErr> {
        let client_id = client.id.0 as i64;
        if let Some(ticket) = self.open_ticket_of(client_id).await? {
            return Ok((ticket, false));
        }
        let txn = self.db.begin().await?;
        let inserted = tickets::ActiveModel {
            client_tg_id: Set(client_id),
            status: Set(TicketStatus::New),
            main_chat_id: Set(self.main_group),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        let ticket = match inserted {
            Ok(ticket) => ticket,
            // Another instance opened it a moment ago: use that one.
            Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                txn.rollback().await?;
                let ticket = self.open_ticket_of(client_id).await?.ok_or(error)?;
                return Ok((ticket, false));
            }
            Err(error) => return Err(error),
        };
        let id = ticket.id;
        let deliveries = vec![
            Delivery::new(
                self.main_group,
                id,
                Action::CreateMainTopic { ticket_id: id },
                format!("topic:{id}"),
            ),
            Delivery::new(
                self.main_group,
                id,
                Action::PostCard { ticket_id: id },
                format!("card:{id}"),
            ),
            Delivery::new(
                client_id,
                id,
                Action::note(
                    Target::Client { user_id: client_id },
                    self.texts.ticket_opened_ack(id),
                ),
                format!("ack:{id}"),
            ),
        ];
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(
            &txn,
            Some(id),
            Actor::Client,
            "ticket_opened",
            json!({ "client": client_id }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id = id, client = client_id, "ticket opened");
        Ok((ticket, true))
    }

    /// Assigns the ticket to a technician, moving the bridge if it was
    /// assigned to someone else. Runs under the ticket's lock.
    pub async fn assign(
        &self,
        ticket_id: i32,
        tech_id: i32,
        by: &User,
    ) -> Result<Change, TicketError> {
        self.under_ticket_lock(ticket_id, async {
            Ok(self.assign_locked(ticket_id, tech_id, by).await?)
        })
        .await
    }

    async fn assign_locked(
        &self,
        ticket_id: i32,
        tech_id: i32,
        by: &User,
    ) -> Result<Change, DbErr> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(Change::UnknownTicket);
        };
        if !ticket.status.is_open() {
            return Ok(Change::TicketClosed);
        }
        let tech = technicians::Entity::find_by_id(tech_id)
            .one(&self.db)
            .await?;
        let Some(tech) = tech.filter(|t| t.is_active && t.available) else {
            return Ok(Change::UnknownTechnician);
        };
        let previous = current_mirror(&self.db, ticket_id).await?;
        if previous.as_ref().is_some_and(|b| b.tech_id == tech_id) {
            return Ok(Change::Unchanged);
        }

        let txn = self.db.begin().await?;
        let now = Utc::now();
        let mut deliveries = Vec::new();
        if let Some(old) = &previous {
            let mut closing = old.clone().into_active_model();
            closing.closed_at = Set(Some(now));
            closing.update(&txn).await?;
            let old_target = Target::Mirror { mirror_id: old.id };
            deliveries.push(Delivery::new(
                old.chat_id,
                ticket_id,
                Action::note(
                    old_target,
                    self.texts.reassigned_away_note(&tech_label(&tech)),
                ),
                format!("away:{}", old.id),
            ));
            deliveries.push(Delivery::new(
                old.chat_id,
                ticket_id,
                Action::CloseTopic { target: old_target },
                format!("close-topic:tech:{}", old.id),
            ));
        }
        let bridge = mirrors::ActiveModel {
            ticket_id: Set(ticket_id),
            tech_id: Set(tech.id),
            chat_id: Set(tech.group_chat_id),
            thread_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut updated = ticket.clone().into_active_model();
        updated.status = Set(TicketStatus::Work);
        updated.assigned_tech_id = Set(Some(tech.id));
        updated.update(&txn).await?;

        deliveries.push(Delivery::new(
            tech.group_chat_id,
            ticket_id,
            Action::CreateMirrorTopic {
                mirror_id: bridge.id,
            },
            format!("tech-topic:{}", bridge.id),
        ));
        deliveries.push(Delivery::new(
            tech.group_chat_id,
            ticket_id,
            Action::CopyHistory {
                mirror_id: bridge.id,
            },
            format!("history:{}", bridge.id),
        ));
        deliveries.push(Delivery::new(
            self.main_group,
            ticket_id,
            Action::RenameMainTopic { ticket_id },
            format!("rename:{ticket_id}:assign:{}", bridge.id),
        ));
        deliveries.push(Delivery::new(
            self.main_group,
            ticket_id,
            Action::RefreshCard {
                ticket_id,
                status: self.texts.assigned_note(&tech_label(&tech)),
            },
            format!("card-status:assign:{}", bridge.id),
        ));
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(
            &txn,
            Some(ticket_id),
            Actor::Staff,
            if previous.is_some() {
                "reassigned"
            } else {
                "assigned"
            },
            json!({
                "tech_id": tech.id,
                "tech": tech.name,
                "previous_tech_id": previous.as_ref().map(|p| p.tech_id),
                "by": by.id.0,
            }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, tech_id, "ticket assigned");
        Ok(Change::Done)
    }

    /// Closes the ticket: renames and closes its topics, tells everyone.
    /// `by` names who closed it, for the notes.
    pub async fn close(
        &self,
        ticket_id: i32,
        actor: Actor,
        by: &str,
    ) -> Result<Change, TicketError> {
        self.under_ticket_lock(ticket_id, self.close_locked(ticket_id, actor, by))
            .await
    }

    /// Runs `work` holding the ticket's lock; `Busy` when someone else holds it.
    async fn under_ticket_lock(
        &self,
        ticket_id: i32,
        work: impl Future<Output = Result<Change, TicketError>>,
    ) -> Result<Change, TicketError> {
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

    async fn close_locked(
        &self,
        ticket_id: i32,
        actor: Actor,
        by: &str,
    ) -> Result<Change, TicketError> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(Change::UnknownTicket);
        };
        if !ticket.status.is_open() {
            return Ok(Change::Unchanged);
        }
        let bridge = current_mirror(&self.db, ticket_id).await?;
        let txn = self.db.begin().await?;
        let mut updated = ticket.clone().into_active_model();
        let closed_at = Utc::now();
        updated.status = Set(TicketStatus::Closed);
        updated.closed_at = Set(Some(closed_at));
        updated.update(&txn).await?;

        let main = Target::Main { ticket_id };
        let note = self.texts.closed_note(by);
        let mut deliveries = vec![
            Delivery::new(
                self.main_group,
                ticket_id,
                Action::RenameMainTopic { ticket_id },
                format!("rename:{ticket_id}:close"),
            ),
            Delivery::new(
                self.main_group,
                ticket_id,
                Action::RefreshCard {
                    ticket_id,
                    status: note.clone(),
                },
                format!("card-status:close:{ticket_id}"),
            ),
            Delivery::new(
                self.main_group,
                ticket_id,
                Action::CloseTopic { target: main },
                format!("close-topic:main:{ticket_id}"),
            ),
            Delivery::new(
                ticket.client_tg_id,
                ticket_id,
                Action::note(
                    Target::Client {
                        user_id: ticket.client_tg_id,
                    },
                    self.texts.closed_for_client(ticket_id),
                ),
                format!("closed-client:{ticket_id}"),
            ),
        ];
        if let Some(bridge) = &bridge {
            let tech = Target::Mirror {
                mirror_id: bridge.id,
            };
            deliveries.push(Delivery::new(
                bridge.chat_id,
                ticket_id,
                Action::note(tech, note),
                format!("closed-note:tech:{}", bridge.id),
            ));
            deliveries.push(Delivery::new(
                bridge.chat_id,
                ticket_id,
                Action::CloseTopic { target: tech },
                format!("close-topic:tech:{}", bridge.id),
            ));
        }
        // The client is handed to the survey: its first question follows the
        // closing message, and the survey state exists before either is sent.
        deliveries.push(survey::first_question(&self.texts, &ticket));
        survey::begin(&self.store, ticket.client_tg_id, ticket_id, self.survey_ttl).await?;
        // The report row waits for the survey, at most until it expires
        // (plus a little grace for an answer given right at the deadline).
        let report_due = closed_at
            + chrono::Duration::from_std(self.survey_ttl + REPORT_GRACE)
                .unwrap_or(chrono::Duration::days(1));
        sheets::queue_report(&txn, ticket_id, report_due).await?;
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(&txn, Some(ticket_id), actor, "closed", json!({ "by": by })).await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, by, "ticket closed");
        Ok(Change::Done)
    }

    /// A client blocked the bot: noted on the user, told to the team once.
    pub async fn client_blocked(&self, client: i64) -> Result<(), DbErr> {
        let Some(user) = users::Entity::find_by_id(client).one(&self.db).await? else {
            return Ok(());
        };
        if user.blocked_bot_at.is_some() {
            return Ok(());
        }
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let mut blocked = user.into_active_model();
        blocked.blocked_bot_at = Set(Some(now));
        blocked.update(&txn).await?;
        let mut lanes = Lanes::default();
        let open = tickets::Entity::find()
            .filter(tickets::Column::ClientTgId.eq(client))
            .filter(tickets::Column::Status.ne(TicketStatus::Closed))
            .one(&txn)
            .await?;
        if let Some(ticket) = &open {
            lanes.merge(
                self.outbox
                    .insert(
                        &txn,
                        vec![Delivery::new(
                            self.main_group,
                            ticket.id,
                            Action::note(
                                Target::Main {
                                    ticket_id: ticket.id,
                                },
                                self.texts.client_blocked_note(),
                            ),
                            format!("blocked:{client}:{}", now.timestamp_millis()),
                        )],
                    )
                    .await?,
            );
        }
        events::record(
            &txn,
            open.as_ref().map(|t| t.id),
            Actor::Client,
            "client_blocked",
            json!({ "client": client }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        Ok(())
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

/// "@ivan", or the name when the technician has no username.
pub fn tech_label(tech: &technicians::Model) -> String {
    crate::domain::topic_title::tech_label(&tech.name, tech.username.as_deref())
}
