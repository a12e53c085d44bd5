//! Where a delivery lands: a private chat, or a forum topic that is created
//! on first use and created again when staff deleted it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use teloxide::payloads::EditForumTopicSetters;
use teloxide::prelude::Requester;
use teloxide::types::{ChatId, MessageId, ThreadId};

use super::action::{RichText, Target};
use super::executor::{DeliveryError, Executor};
use crate::domain::callback::card_keyboard;
use crate::entities::{Actor, mirrors, tickets};
use crate::records::events;
use crate::telegram::Failure;

/// A chat, and the topic in it when it is a forum.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place {
    pub chat: i64,
    pub thread: Option<i32>,
}

impl Place {
    pub fn thread_id(self) -> Option<ThreadId> {
        self.thread.map(|thread| ThreadId(MessageId(thread)))
    }
}

/// Tickets' main topics as a group lane's read found them (the read joins
/// the tickets), by ticket id.
pub(super) type ReadPlaces = HashMap<i32, Place>;

tokio::task_local! {
    /// The main topics of the read being served: a copy into a ticket's
    /// topic needs no read of the ticket of its own. A lane reads again
    /// after anything that changes a topic (`Step::Reread`), and a topic
    /// being created again is forgotten here first.
    static READ_PLACES: RefCell<ReadPlaces>;
}

/// Serves one read of a lane with the main topics it found.
pub(super) async fn with_read_places<T>(places: ReadPlaces, serve: impl Future<Output = T>) -> T {
    READ_PLACES.scope(RefCell::new(places), serve).await
}

fn read_place(ticket_id: i32) -> Option<Place> {
    READ_PLACES
        .try_with(|places| places.borrow().get(&ticket_id).copied())
        .ok()
        .flatten()
}

fn forget_read_place(ticket_id: i32) {
    let _ = READ_PLACES.try_with(|places| places.borrow_mut().remove(&ticket_id));
}

impl Executor {
    pub(super) async fn place(&self, target: Target) -> Result<Place, DeliveryError> {
        match target {
            Target::Client { user_id } => Ok(Place {
                chat: user_id,
                thread: None,
            }),
            Target::Chat { chat_id, thread_id } => Ok(Place {
                chat: chat_id,
                thread: thread_id,
            }),
            Target::Main { ticket_id } => self.main_place(ticket_id).await,
            Target::Mirror { mirror_id } => self.mirror_place(mirror_id).await,
        }
    }

    pub(super) async fn ticket(&self, ticket_id: i32) -> Result<tickets::Model, DeliveryError> {
        tickets::Entity::find_by_id(ticket_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| DeliveryError::Impossible(format!("ticket #{ticket_id} does not exist")))
    }

    pub(super) async fn mirror(&self, mirror_id: i32) -> Result<mirrors::Model, DeliveryError> {
        mirrors::Entity::find_by_id(mirror_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| DeliveryError::Impossible(format!("mirror {mirror_id} does not exist")))
    }

    /// The ticket's main topic, created when it does not exist yet.
    pub(super) async fn main_place(&self, ticket_id: i32) -> Result<Place, DeliveryError> {
        if let Some(place) = read_place(ticket_id) {
            return Ok(place);
        }
        let ticket = self.ticket(ticket_id).await?;
        if let Some(thread_id) = ticket.main_thread_id {
            return Ok(Place {
                chat: ticket.main_chat_id,
                thread: Some(thread_id),
            });
        }
        let title = self
            .desk
            .main_topic_title(ticket_id)
            .await?
            .ok_or_else(|| {
                DeliveryError::Impossible(format!("ticket #{ticket_id} has no title"))
            })?;
        let thread_id = self.create_topic(ticket.main_chat_id, title).await?;
        tickets::Entity::update_many()
            .col_expr(tickets::Column::MainThreadId, Expr::value(thread_id))
            .filter(tickets::Column::Id.eq(ticket_id))
            .exec(&self.db)
            .await?;
        tracing::info!(ticket_id, thread_id, "main topic created");
        Ok(Place {
            chat: ticket.main_chat_id,
            thread: Some(thread_id),
        })
    }

    /// A technician's mirrored topic, created when it does not exist yet.
    pub(super) async fn mirror_place(&self, mirror_id: i32) -> Result<Place, DeliveryError> {
        let mirror = self.mirror(mirror_id).await?;
        if let Some(thread_id) = mirror.thread_id {
            return Ok(Place {
                chat: mirror.chat_id,
                thread: Some(thread_id),
            });
        }
        let title = self
            .desk
            .mirror_topic_title(mirror_id)
            .await?
            .ok_or_else(|| DeliveryError::Impossible(format!("mirror {mirror_id} has no title")))?;
        let thread_id = self.create_topic(mirror.chat_id, title).await?;
        mirrors::Entity::update_many()
            .col_expr(mirrors::Column::ThreadId, Expr::value(thread_id))
            .filter(mirrors::Column::Id.eq(mirror_id))
            .exec(&self.db)
            .await?;
        tracing::info!(
            ticket_id = mirror.ticket_id,
            thread_id,
            "mirrored topic created"
        );
        Ok(Place {
            chat: mirror.chat_id,
            thread: Some(thread_id),
        })
    }

    async fn create_topic(&self, chat: i64, title: String) -> Result<i32, DeliveryError> {
        let request = self.sender.bot().create_forum_topic(ChatId(chat), title);
        let topic = self.sender.send(chat, 1, request).await?;
        Ok(topic.thread_id.0.0)
    }

    /// Renames the main topic after the ticket's state.
    pub(super) async fn rename_main_topic(&self, ticket_id: i32) -> Result<(), DeliveryError> {
        let place = self.main_place(ticket_id).await?;
        let Some(title) = self.desk.main_topic_title(ticket_id).await? else {
            return Ok(());
        };
        let Some(thread) = place.thread_id() else {
            return Ok(());
        };
        let request = self
            .sender
            .bot()
            .edit_forum_topic(ChatId(place.chat), thread)
            .name(title);
        ignore_not_modified(self.sender.call(request).await.map(|_| ()))
    }

    /// Renames a technician's mirrored topic after the ticket's state.
    pub(super) async fn rename_mirror_topic(&self, mirror_id: i32) -> Result<(), DeliveryError> {
        let mirror = self.mirror(mirror_id).await?;
        let Some(thread) = mirror.thread_id else {
            return Ok(());
        };
        let Some(title) = self.desk.mirror_topic_title(mirror_id).await? else {
            return Ok(());
        };
        let request = self
            .sender
            .bot()
            .edit_forum_topic(ChatId(mirror.chat_id), ThreadId(MessageId(thread)))
            .name(title);
        ignore_not_modified(self.sender.call(request).await.map(|_| ()))
    }

    /// Closes (`close`) or reopens the target's topic.
    pub(super) async fn close_topic(
        &self,
        target: Target,
        close: bool,
    ) -> Result<(), DeliveryError> {
        let place = match target {
            Target::Main { ticket_id } => {
                let ticket = self.ticket(ticket_id).await?;
                ticket.main_thread_id.map(|thread| Place {
                    chat: ticket.main_chat_id,
                    thread: Some(thread),
                })
            }
            Target::Mirror { mirror_id } => {
                let mirror = self.mirror(mirror_id).await?;
                mirror.thread_id.map(|thread| Place {
                    chat: mirror.chat_id,
                    thread: Some(thread),
                })
            }
            // A topic known by id: the old topic of a ticket moved away.
            Target::Chat {
                chat_id,
                thread_id: Some(thread),
            } => Some(Place {
                chat: chat_id,
                thread: Some(thread),
            }),
            Target::Client { .. } | Target::Chat { .. } => None,
        };
        let Some((place, thread)) = place.and_then(|p| p.thread_id().map(|t| (p, t))) else {
            return Ok(());
        };
        let bot = self.sender.bot();
        let result = if close {
            self.sender
                .call(bot.close_forum_topic(ChatId(place.chat), thread))
                .await
        } else {
            self.sender
                .call(bot.reopen_forum_topic(ChatId(place.chat), thread))
                .await
        };
        match result {
            Ok(_) => Ok(()),
            // Already so, or deleted: nothing left to do.
            Err(error)
                if matches!(
                    error.failure(),
                    Failure::NotModified | Failure::ThreadNotFound
                ) =>
            {
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Staff deleted the topic: make a new one with the right title, put the
    /// card and a note in it, and point the ticket (or mirror) at it.
    pub(super) async fn recreate_topic(&self, target: Target) -> Result<(), DeliveryError> {
        let note = RichText::plain(self.texts.topic_recreated_note());
        match target {
            Target::Main { ticket_id } => {
                forget_read_place(ticket_id);
                tickets::Entity::update_many()
                    .col_expr(
                        tickets::Column::MainThreadId,
                        Expr::value(Option::<i32>::None),
                    )
                    .filter(tickets::Column::Id.eq(ticket_id))
                    .exec(&self.db)
                    .await?;
                let place = self.main_place(ticket_id).await?;
                self.post_card(ticket_id, place).await?;
                self.send_text(place, &note, None, None, false).await?;
                self.record_recreated(ticket_id, "main", place).await?;
            }
            Target::Mirror { mirror_id } => {
                mirrors::Entity::update_many()
                    .col_expr(mirrors::Column::ThreadId, Expr::value(Option::<i32>::None))
                    .filter(mirrors::Column::Id.eq(mirror_id))
                    .exec(&self.db)
                    .await?;
                let place = self.mirror_place(mirror_id).await?;
                let mirror = self.mirror(mirror_id).await?;
                let close = card_keyboard(self.texts.close_button(), mirror.ticket_id, &[]);
                self.send_text(place, &note, None, Some(close), false)
                    .await?;
                self.record_recreated(mirror.ticket_id, "tech", place)
                    .await?;
            }
            Target::Client { .. } | Target::Chat { .. } => {}
        }
        Ok(())
    }

    async fn record_recreated(
        &self,
        ticket_id: i32,
        which: &str,
        place: Place,
    ) -> Result<(), DeliveryError> {
        events::record(
            &self.db,
            Some(ticket_id),
            Actor::System,
            "topic_recreated",
            json!({ "where": which, "thread_id": place.thread }),
        )
        .await?;
        Ok(())
    }
}

/// An edit that changes nothing has done its job.
pub(super) fn ignore_not_modified(
    result: Result<(), crate::telegram::TelegramError>,
) -> Result<(), DeliveryError> {
    match result {
        Err(error) if error.failure() == Failure::NotModified => Ok(()),
        other => other.map_err(Into::into),
    }
}
