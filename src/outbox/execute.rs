//! Carrying out outbox rows: resolving where they go (creating a topic that
//! is missing, recreating one staff deleted), waiting for the rate limiter,
//! calling the Bot API, and settling the row — sent, retried later, or
//! failed with an event.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};
use serde_json::json;
use teloxide::payloads::{
    CopyMessageSetters, CopyMessagesSetters, EditForumTopicSetters, EditMessageCaptionSetters,
    EditMessageTextSetters, SendMessageSetters,
};
use teloxide::prelude::Requester;
use teloxide::types::{
    ChatId, InlineKeyboardMarkup, MessageEntity, MessageId, ReplyParameters, ThreadId,
};
use tracing::Instrument;

use super::{Action, ReplyTo, RichText, Target};
use crate::domain::callback::card_keyboard;
use crate::domain::card::{ClientCard, EarlierTicket, topic_link};
use crate::domain::text::{TEXT_LIMIT, split_text};
use crate::domain::topic_title::{TicketStage, main_topic_title, tech_label, tech_topic_title};
use crate::entities::{
    Actor, OutboxStatus, TicketStatus, mirrors, outbox, technicians, tickets, users,
};
use crate::services::sheets::Sheets;
use crate::services::technicians::active_technicians;
use crate::services::tickets::TicketService;
use crate::records::{events, links};
use crate::store::Store;
use crate::telegram::limits::RateLimiter;
use crate::telegram::{Failure, Telegram, TelegramError};
use crate::texts::Texts;

/// Album parts arrive as separate updates; once none came for this long, the
/// album is complete and leaves as one.
const ALBUM_QUIET: Duration = Duration::from_millis(800);
/// Attempts before a delivery is given up on.
const MAX_ATTEMPTS: i32 = 5;
/// copyMessages takes at most this many ids.
const COPY_BATCH: usize = 100;

/// What became of the head of a row sequence.
pub(crate) enum Step {
    /// This many rows at the head are finished (sent, or given up on); the
    /// rows after them may follow at once.
    Finished(usize),
    /// The rows changed in the database (an attempt was counted, a topic
    /// recreated): read them again before going on.
    Reread,
    /// Nothing can be done before then.
    WaitUntil(DateTime<Utc>),
}

#[derive(Debug, thiserror::Error)]
enum DeliveryError {
    #[error(transparent)]
    Telegram(#[from] TelegramError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    /// The row cannot ever be delivered (its ticket or bridge is gone).
    #[error("{0}")]
    Impossible(String),
}

/// Where a delivery lands.
#[derive(Debug, Clone, Copy)]
struct Place {
    chat: i64,
    thread: Option<i32>,
}

#[derive(Clone)]
pub struct Executor {
    db: DatabaseConnection,
    telegram: Telegram,
    limiter: RateLimiter,
    texts: Texts,
    tickets: TicketService,
    /// Extra card fields from Google Sheets.
    sheets: Sheets,
    /// Caches the technicians offered on cards.
    store: Store,
}

impl Executor {
    pub fn new(
        db: DatabaseConnection,
        telegram: Telegram,
        limiter: RateLimiter,
        texts: Texts,
        tickets: TicketService,
        sheets: Sheets,
        store: Store,
    ) -> Self {
        Self {
            db,
            telegram,
            limiter,
            texts,
            tickets,
            sheets,
            store,
        }
    }

    /// How long sending `count` messages into `chat` would wait for the
    /// rate limiter now.
    pub(crate) fn send_delay(&self, chat: i64, count: u32) -> Duration {
        self.limiter.delay_for(chat, count)
    }

    /// Messages one copyMessages may carry into `chat`. Telegram counts
    /// every copied message against a group's per-minute limit: a batch
    /// larger than the limit could never go out, and one waiting for a big
    /// share of the window would hold its lane long. A quarter of the limit
    /// still saves most calls and costs no throughput, which the limit sets.
    fn copy_batch(&self, chat: i64) -> usize {
        let per_minute = self.limiter.limits().group_per_minute as usize;
        if chat < 0 && per_minute > 0 {
            COPY_BATCH.min((per_minute / 4).max(1))
        } else {
            COPY_BATCH
        }
    }

    /// Handles the head of a lane (and what may go with it).
    pub(crate) async fn step(&self, lane: i64, rows: &[outbox::Model]) -> Step {
        let head = &rows[0];
        let now = Utc::now();
        if let Some(not_before) = head.not_before
            && not_before > now
        {
            return Step::WaitUntil(not_before);
        }
        let action: Action = match serde_json::from_value(head.action.clone()) {
            Ok(action) => action,
            Err(error) => {
                self.give_up(head, &format!("unreadable action: {error}"))
                    .await;
                return Step::Finished(1);
            }
        };
        let span = tracing::info_span!(
            "delivery",
            lane,
            outbox_id = head.id,
            ticket_id = head.ticket_id
        );
        self.deliver(rows, action).instrument(span).await
    }

    /// Sends the head row, with whatever goes together with it.
    async fn deliver(&self, rows: &[outbox::Model], action: Action) -> Step {
        let head = &rows[0];
        let now = Utc::now();
        let together = copies_that_go_together(rows, &action, self.copy_batch(head.lane_chat_id));
        if head.media_group_id.is_some() {
            let newest = together
                .iter()
                .map(|(row, _)| row.created_at)
                .max()
                .unwrap_or(now);
            let quiet_at = newest + chrono::Duration::from_std(ALBUM_QUIET).expect("small");
            if quiet_at > now {
                return Step::WaitUntil(quiet_at);
            }
        }
        let outcome = if together.len() > 1 {
            self.copy_together(&together).await
        } else {
            self.execute(head, &action).await
        };
        let rows: Vec<&outbox::Model> = if together.len() > 1 {
            together.iter().map(|(row, _)| *row).collect()
        } else {
            vec![head]
        };
        match outcome {
            Ok(()) => {
                if let Err(error) = self.mark_sent(&rows).await {
                    tracing::error!(error = %error, "sent, but could not mark the delivery sent");
                }
                Step::Finished(rows.len())
            }
            Err(error) => self.handle_failure(&rows, &action, error).await,
        }
    }

    async fn execute(&self, row: &outbox::Model, action: &Action) -> Result<(), DeliveryError> {
        match action {
            Action::CreateMainTopic { ticket_id } => {
                self.main_place(*ticket_id).await?;
                Ok(())
            }
            Action::PostCard { ticket_id } => {
                let ticket = self.ticket(*ticket_id).await?;
                let place = self.main_place(*ticket_id).await?;
                self.post_card(&ticket, place).await
            }
            Action::RefreshCard { ticket_id, status } => {
                self.refresh_card(*ticket_id, status).await
            }
            Action::RenameMainTopic { ticket_id } => {
                let ticket = self.ticket(*ticket_id).await?;
                let place = self.main_place(*ticket_id).await?;
                let title = self.main_title(&ticket).await?;
                let request = self
                    .telegram
                    .bot()
                    .edit_forum_topic(ChatId(place.chat), thread(place))
                    .name(title);
                ignore_not_modified(self.telegram.call(request).await.map(|_| ()))
            }
            Action::CreateMirrorTopic { mirror_id } => {
                self.tech_place(*mirror_id).await?;
                Ok(())
            }
            Action::CopyHistory { mirror_id } => self.copy_history(*mirror_id).await,
            Action::CloseTopic { target } => self.close_topic(*target).await,
            Action::Copy {
                target,
                from_chat,
                message_id,
                caption,
                reply_to,
                response,
                media: _,
            } => {
                let place = self.place(*target).await?;
                let reply = match reply_to {
                    Some(id) => self.reply_in(place.chat, (*from_chat, *id)).await?,
                    None => None,
                };
                let mut request = self.telegram.bot().copy_message(
                    ChatId(place.chat),
                    ChatId(*from_chat),
                    MessageId(*message_id),
                );
                if let Some(thread_id) = place.thread {
                    request = request.message_thread_id(ThreadId(MessageId(thread_id)));
                }
                if let Some(caption) = caption {
                    request = request
                        .caption(caption.text.clone())
                        .caption_entities(caption.entities.clone());
                }
                if let Some(reply) = reply {
                    request = request.reply_parameters(reply);
                }
                self.limiter.acquire(place.chat, 1).await;
                let copy = self.telegram.call(request).await?;
                self.after_sent(row, place.chat, &[copy.0], *target, *response)
                    .await
            }
            Action::Text {
                target,
                text,
                reply_to,
                close_button_for,
                keyboard,
                response,
            } => {
                let place = self.place(*target).await?;
                let keyboard = keyboard.clone().or_else(|| {
                    close_button_for
                        .map(|ticket_id| card_keyboard(self.texts.close_button(), ticket_id, &[]))
                });
                let sent = self.send_text(place, text, *reply_to, keyboard).await?;
                self.after_sent(row, place.chat, &sent[..1], *target, *response)
                    .await
            }
            Action::Edit {
                target,
                from_chat,
                message_id,
                text,
                caption,
            } => {
                let place = self.place(*target).await?;
                let Some(copy) =
                    links::counterpart(&self.db, (*from_chat, *message_id), place.chat).await?
                else {
                    tracing::info!("edited message has no copy there; nothing to edit");
                    return Ok(());
                };
                let result = if *caption {
                    let request = self
                        .telegram
                        .bot()
                        .edit_message_caption(ChatId(place.chat), MessageId(copy))
                        .caption(text.text.clone())
                        .caption_entities(text.entities.clone());
                    self.telegram.call(request).await.map(|_| ())
                } else {
                    let request = self
                        .telegram
                        .bot()
                        .edit_message_text(ChatId(place.chat), MessageId(copy), text.text.clone())
                        .entities(text.entities.clone());
                    self.telegram.call(request).await.map(|_| ())
                };
                ignore_not_modified(result)
            }
        }
    }

    /// Consecutive plain copies (an album, or a backlog of messages from one
    /// chat into one place) leave in one copyMessages call, order kept.
    async fn copy_together(&self, rows: &[(&outbox::Model, Action)]) -> Result<(), DeliveryError> {
        let Action::Copy {
            target,
            from_chat,
            response,
            ..
        } = &rows[0].1
        else {
            unreachable!("only copies go together");
        };
        let place = self.place(*target).await?;
        let mut ids: Vec<i32> = rows
            .iter()
            .filter_map(|(_, action)| match action {
                Action::Copy { message_id, .. } => Some(*message_id),
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        let mut request = self.telegram.bot().copy_messages(
            ChatId(place.chat),
            ChatId(*from_chat),
            ids.iter().map(|id| MessageId(*id)).collect::<Vec<_>>(),
        );
        if let Some(thread_id) = place.thread {
            request = request.message_thread_id(ThreadId(MessageId(thread_id)));
        }
        self.limiter.acquire(place.chat, ids.len() as u32).await;
        let copies = self.telegram.call(request).await?;
        let ticket_id = rows[0].0.ticket_id;
        if copies.len() == ids.len()
            && let Some(ticket_id) = ticket_id
        {
            for (source, copy) in ids.iter().zip(&copies) {
                links::record(
                    &self.db,
                    ticket_id,
                    (*from_chat, *source),
                    (place.chat, copy.0),
                )
                .await?;
            }
        }
        if *response && let Some(ticket_id) = ticket_id {
            self.first_response(ticket_id).await?;
        }
        Ok(())
    }

    async fn send_text(
        &self,
        place: Place,
        text: &RichText,
        reply_to: Option<ReplyTo>,
        keyboard: Option<InlineKeyboardMarkup>,
    ) -> Result<Vec<i32>, DeliveryError> {
        let chunks = split_text(&text.text, &text.entities, TEXT_LIMIT);
        let reply = match reply_to {
            Some(reply) => {
                self.reply_in(place.chat, (reply.chat, reply.message_id))
                    .await?
            }
            None => None,
        };
        let last = chunks.len().saturating_sub(1);
        let mut sent = Vec::with_capacity(chunks.len());
        for (index, (chunk, entities)) in chunks.into_iter().enumerate() {
            let mut request = self
                .telegram
                .bot()
                .send_message(ChatId(place.chat), chunk)
                .entities(entities);
            if let Some(thread_id) = place.thread {
                request = request.message_thread_id(ThreadId(MessageId(thread_id)));
            }
            if index == 0
                && let Some(reply) = reply.clone()
            {
                request = request.reply_parameters(reply);
            }
            if index == last
                && let Some(keyboard) = keyboard.clone()
            {
                request = request.reply_markup(keyboard);
            }
            self.limiter.acquire(place.chat, 1).await;
            let message = self.telegram.call(request).await?;
            sent.push(message.id.0);
        }
        if sent.is_empty() {
            return Err(DeliveryError::Impossible("empty text".into()));
        }
        Ok(sent)
    }

    async fn after_sent(
        &self,
        row: &outbox::Model,
        chat: i64,
        copies: &[i32],
        target: Target,
        response: bool,
    ) -> Result<(), DeliveryError> {
        if let (Some(ticket_id), Some(source_chat), Some(source_message), Some(copy)) = (
            row.ticket_id,
            row.source_chat_id,
            row.source_message_id,
            copies.first(),
        ) {
            links::record(
                &self.db,
                ticket_id,
                (source_chat, source_message),
                (chat, *copy),
            )
            .await?;
        }
        if response
            && matches!(target, Target::Client { .. })
            && let Some(ticket_id) = row.ticket_id
        {
            self.first_response(ticket_id).await?;
        }
        Ok(())
    }

    async fn first_response(&self, ticket_id: i32) -> Result<(), DbErr> {
        tickets::Entity::update_many()
            .col_expr(tickets::Column::FirstResponseAt, Expr::value(Utc::now()))
            .filter(tickets::Column::Id.eq(ticket_id))
            .filter(tickets::Column::FirstResponseAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Reply parameters pointing at the counterpart of `message` in `chat`.
    async fn reply_in(
        &self,
        chat: i64,
        message: (i64, i32),
    ) -> Result<Option<ReplyParameters>, DbErr> {
        let counterpart = links::counterpart(&self.db, message, chat).await?;
        Ok(counterpart.map(|id| {
            let mut reply = ReplyParameters::new(MessageId(id));
            reply.allow_sending_without_reply = Some(true);
            reply
        }))
    }

    async fn place(&self, target: Target) -> Result<Place, DeliveryError> {
        match target {
            Target::Client { user_id } => Ok(Place {
                chat: user_id,
                thread: None,
            }),
            Target::Main { ticket_id } => self.main_place(ticket_id).await,
            Target::Mirror { mirror_id } => self.tech_place(mirror_id).await,
        }
    }

    async fn ticket(&self, ticket_id: i32) -> Result<tickets::Model, DeliveryError> {
        tickets::Entity::find_by_id(ticket_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| DeliveryError::Impossible(format!("ticket #{ticket_id} does not exist")))
    }

    async fn bridge(&self, mirror_id: i32) -> Result<mirrors::Model, DeliveryError> {
        mirrors::Entity::find_by_id(mirror_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                DeliveryError::Impossible(format!("tech thread {mirror_id} does not exist"))
            })
    }

    /// The ticket's main topic, created when it does not exist yet.
    async fn main_place(&self, ticket_id: i32) -> Result<Place, DeliveryError> {
        let ticket = self.ticket(ticket_id).await?;
        if let Some(thread_id) = ticket.main_thread_id {
            return Ok(Place {
                chat: ticket.main_chat_id,
                thread: Some(thread_id),
            });
        }
        let title = self.main_title(&ticket).await?;
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
    async fn tech_place(&self, mirror_id: i32) -> Result<Place, DeliveryError> {
        let bridge = self.bridge(mirror_id).await?;
        if let Some(thread_id) = bridge.thread_id {
            return Ok(Place {
                chat: bridge.chat_id,
                thread: Some(thread_id),
            });
        }
        let ticket = self.ticket(bridge.ticket_id).await?;
        let client = self.client(&ticket).await?;
        let title = tech_topic_title(ticket.id, &client.full_name);
        let thread_id = self.create_topic(bridge.chat_id, title).await?;
        mirrors::Entity::update_many()
            .col_expr(mirrors::Column::ThreadId, Expr::value(thread_id))
            .filter(mirrors::Column::Id.eq(mirror_id))
            .exec(&self.db)
            .await?;
        tracing::info!(ticket_id = ticket.id, thread_id, "tech topic created");
        Ok(Place {
            chat: bridge.chat_id,
            thread: Some(thread_id),
        })
    }

    async fn create_topic(&self, chat: i64, title: String) -> Result<i32, DeliveryError> {
        self.limiter.acquire(chat, 1).await;
        let topic = self
            .telegram
            .call(self.telegram.bot().create_forum_topic(ChatId(chat), title))
            .await?;
        Ok(topic.thread_id.0.0)
    }

    async fn client(&self, ticket: &tickets::Model) -> Result<users::Model, DeliveryError> {
        users::Entity::find_by_id(ticket.client_tg_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                DeliveryError::Impossible(format!("client {} is unknown", ticket.client_tg_id))
            })
    }

    async fn main_title(&self, ticket: &tickets::Model) -> Result<String, DeliveryError> {
        let client = self.client(ticket).await?;
        let tech = match ticket.assigned_tech_id {
            Some(id) => technicians::Entity::find_by_id(id).one(&self.db).await?,
            None => None,
        };
        let label = tech
            .as_ref()
            .map(|t| tech_label(&t.name, t.username.as_deref()));
        let stage = match (ticket.status, label.as_deref()) {
            (TicketStatus::New, _) => TicketStage::New,
            (TicketStatus::Work, Some(tech)) => TicketStage::InWork { tech },
            (TicketStatus::Work, None) => TicketStage::New,
            (TicketStatus::Closed, tech) => TicketStage::Closed { tech },
        };
        Ok(main_topic_title(
            &self.texts.stage_words(),
            ticket.id,
            stage,
            &client.full_name,
            client.username.as_deref(),
        ))
    }

    async fn post_card(&self, ticket: &tickets::Model, place: Place) -> Result<(), DeliveryError> {
        let (text, entities, keyboard) = self.render_card(ticket, None).await?;
        let mut request = self
            .telegram
            .bot()
            .send_message(ChatId(place.chat), text)
            .entities(entities)
            .reply_markup(keyboard);
        if let Some(thread_id) = place.thread {
            request = request.message_thread_id(ThreadId(MessageId(thread_id)));
        }
        self.limiter.acquire(place.chat, 1).await;
        let card = self.telegram.call(request).await?;
        tickets::Entity::update_many()
            .col_expr(tickets::Column::CardMessageId, Expr::value(card.id.0))
            .filter(tickets::Column::Id.eq(ticket.id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Edits the card in place with a status line. Without a card yet there
    /// is nothing to edit: the ticket's topic shows its state in the title.
    async fn refresh_card(&self, ticket_id: i32, status: &str) -> Result<(), DeliveryError> {
        let ticket = self.ticket(ticket_id).await?;
        let Some(card_id) = ticket.card_message_id else {
            return Ok(());
        };
        let (text, entities, keyboard) = self.render_card(&ticket, Some(status)).await?;
        let request = self
            .telegram
            .bot()
            .edit_message_text(ChatId(ticket.main_chat_id), MessageId(card_id), text)
            .entities(entities)
            .reply_markup(keyboard);
        ignore_not_modified(self.telegram.call(request).await.map(|_| ()))
    }

    /// The card's text and buttons for the ticket as it is now.
    async fn render_card(
        &self,
        ticket: &tickets::Model,
        status: Option<&str>,
    ) -> Result<(String, Vec<MessageEntity>, InlineKeyboardMarkup), DeliveryError> {
        let client = self.client(ticket).await?;
        let earlier = tickets::Entity::find()
            .filter(tickets::Column::ClientTgId.eq(ticket.client_tg_id))
            .filter(tickets::Column::Id.lt(ticket.id))
            .order_by_desc(tickets::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| EarlierTicket {
                id: t.id,
                status: t.status.as_str().to_owned(),
                link: t
                    .main_thread_id
                    .and_then(|thread| topic_link(t.main_chat_id, thread)),
            })
            .collect();
        // Bounded by the Sheets timeout; empty when Sheets is off or fails.
        let extra = self
            .sheets
            .client_fields(client.tg_id, client.username.as_deref())
            .await;
        let card = ClientCard {
            ticket_id: ticket.id,
            full_name: client.full_name.clone(),
            username: client.username.clone(),
            tg_id: client.tg_id,
            language_code: client.language_code.clone(),
            earlier,
            extra,
            status: status.map(str::to_owned),
        };
        let (text, entities) = card.render(&self.texts);
        let techs: Vec<(i32, String)> = if ticket.status.is_open() {
            active_technicians(&self.db, &self.store)
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect()
        } else {
            Vec::new()
        };
        // A closed ticket's card keeps no buttons: there is nothing left to press.
        let keyboard = if ticket.status.is_open() {
            card_keyboard(self.texts.close_button(), ticket.id, &techs)
        } else {
            InlineKeyboardMarkup::default()
        };
        Ok((text, entities, keyboard))
    }

    async fn copy_history(&self, mirror_id: i32) -> Result<(), DeliveryError> {
        let bridge = self.bridge(mirror_id).await?;
        let ticket = self.ticket(bridge.ticket_id).await?;
        let place = self.tech_place(mirror_id).await?;
        let mut ids = links::ticket_messages_in(&self.db, ticket.id, ticket.main_chat_id).await?;
        if let Some(card) = ticket.card_message_id {
            ids.push(card);
        }
        ids.sort_unstable();
        ids.dedup();
        for batch in ids.chunks(self.copy_batch(place.chat)) {
            let mut request = self.telegram.bot().copy_messages(
                ChatId(place.chat),
                ChatId(ticket.main_chat_id),
                batch.iter().map(|id| MessageId(*id)).collect::<Vec<_>>(),
            );
            if let Some(thread_id) = place.thread {
                request = request.message_thread_id(ThreadId(MessageId(thread_id)));
            }
            self.limiter.acquire(place.chat, batch.len() as u32).await;
            let copies = self.telegram.call(request).await?;
            if copies.len() == batch.len() {
                for (source, copy) in batch.iter().zip(&copies) {
                    links::record(
                        &self.db,
                        ticket.id,
                        (ticket.main_chat_id, *source),
                        (place.chat, copy.0),
                    )
                    .await?;
                }
            }
        }
        let intro = RichText::plain(self.texts.tech_topic_intro(ticket.id));
        let close = card_keyboard(self.texts.close_button(), ticket.id, &[]);
        self.send_text(place, &intro, None, Some(close)).await?;
        Ok(())
    }

    async fn close_topic(&self, target: Target) -> Result<(), DeliveryError> {
        let place = match target {
            Target::Main { ticket_id } => {
                let ticket = self.ticket(ticket_id).await?;
                ticket.main_thread_id.map(|thread| Place {
                    chat: ticket.main_chat_id,
                    thread: Some(thread),
                })
            }
            Target::Mirror { mirror_id } => {
                let bridge = self.bridge(mirror_id).await?;
                bridge.thread_id.map(|thread| Place {
                    chat: bridge.chat_id,
                    thread: Some(thread),
                })
            }
            Target::Client { .. } => None,
        };
        let Some(place) = place else { return Ok(()) };
        let request = self
            .telegram
            .bot()
            .close_forum_topic(ChatId(place.chat), thread(place));
        match self.telegram.call(request).await {
            Ok(_) => Ok(()),
            // Already closed, or deleted: either way it is not open.
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
    /// card and a note in it, and point the ticket (or bridge) at it.
    async fn recreate_topic(&self, target: Target) -> Result<(), DeliveryError> {
        match target {
            Target::Main { ticket_id } => {
                tickets::Entity::update_many()
                    .col_expr(
                        tickets::Column::MainThreadId,
                        Expr::value(Option::<i32>::None),
                    )
                    .filter(tickets::Column::Id.eq(ticket_id))
                    .exec(&self.db)
                    .await?;
                let place = self.main_place(ticket_id).await?;
                let ticket = self.ticket(ticket_id).await?;
                self.post_card(&ticket, place).await?;
                let note = RichText::plain(self.texts.topic_recreated_note());
                self.send_text(place, &note, None, None).await?;
                events::record(
                    &self.db,
                    Some(ticket_id),
                    Actor::System,
                    "topic_recreated",
                    json!({ "where": "main", "thread_id": place.thread }),
                )
                .await?;
            }
            Target::Mirror { mirror_id } => {
                mirrors::Entity::update_many()
                    .col_expr(mirrors::Column::ThreadId, Expr::value(Option::<i32>::None))
                    .filter(mirrors::Column::Id.eq(mirror_id))
                    .exec(&self.db)
                    .await?;
                let place = self.tech_place(mirror_id).await?;
                let bridge = self.bridge(mirror_id).await?;
                let note = RichText::plain(self.texts.topic_recreated_note());
                let close = card_keyboard(self.texts.close_button(), bridge.ticket_id, &[]);
                self.send_text(place, &note, None, Some(close)).await?;
                events::record(
                    &self.db,
                    Some(bridge.ticket_id),
                    Actor::System,
                    "topic_recreated",
                    json!({ "where": "tech", "thread_id": place.thread }),
                )
                .await?;
            }
            Target::Client { .. } => {}
        }
        Ok(())
    }

    async fn handle_failure(
        &self,
        rows: &[&outbox::Model],
        action: &Action,
        error: DeliveryError,
    ) -> Step {
        let head = rows[0];
        let failure = match &error {
            DeliveryError::Telegram(error) => error.failure(),
            DeliveryError::Db(db_error) => {
                tracing::warn!(error = %db_error, "database error while delivering; retrying");
                return Step::WaitUntil(Utc::now() + chrono::Duration::seconds(1));
            }
            DeliveryError::Impossible(reason) => {
                for row in rows {
                    self.give_up(row, reason).await;
                }
                return Step::Finished(rows.len());
            }
        };
        let target = action.target();
        match (failure, target) {
            (
                Failure::ThreadNotFound,
                Some(target @ (Target::Main { .. } | Target::Mirror { .. })),
            ) if head.attempts < MAX_ATTEMPTS => {
                tracing::warn!("topic was deleted; recreating it");
                self.count_attempt(rows, &error, None).await;
                if let Err(recreate_error) = self.recreate_topic(target).await {
                    tracing::error!(error = %recreate_error, "could not recreate the topic");
                    return Step::WaitUntil(Utc::now() + chrono::Duration::seconds(2));
                }
                Step::Reread
            }
            (Failure::BotBlocked, Some(Target::Client { user_id })) => {
                tracing::warn!(client = user_id, "client blocked the bot");
                if let Err(db_error) = self.tickets.client_blocked(user_id).await {
                    tracing::error!(error = %db_error, "could not record the block");
                }
                for row in rows {
                    self.give_up(row, &error.to_string()).await;
                }
                Step::Finished(rows.len())
            }
            _ if head.attempts + 1 >= MAX_ATTEMPTS => {
                for row in rows {
                    self.give_up(row, &error.to_string()).await;
                }
                Step::Finished(rows.len())
            }
            _ => {
                let wait = chrono::Duration::seconds(1 << head.attempts.clamp(0, 6));
                let when = Utc::now() + wait;
                tracing::warn!(error = %error, attempt = head.attempts + 1, "delivery failed; will retry");
                self.count_attempt(rows, &error, Some(when)).await;
                Step::WaitUntil(when)
            }
        }
    }

    async fn count_attempt(
        &self,
        rows: &[&outbox::Model],
        error: &DeliveryError,
        not_before: Option<DateTime<Utc>>,
    ) {
        for row in rows {
            let mut update = (*row).clone().into_active_model();
            update.attempts = Set(row.attempts + 1);
            update.last_error = Set(Some(error.to_string()));
            update.not_before = Set(not_before);
            if let Err(db_error) = update.update(&self.db).await {
                tracing::error!(error = %db_error, "could not record a failed delivery attempt");
            }
        }
    }

    /// Marks a row failed for good and records why.
    async fn give_up(&self, row: &outbox::Model, reason: &str) {
        tracing::error!(
            outbox_id = row.id,
            ticket_id = row.ticket_id,
            reason,
            "delivery failed for good"
        );
        let mut update = row.clone().into_active_model();
        update.status = Set(OutboxStatus::Failed);
        update.attempts = Set(row.attempts + 1);
        update.last_error = Set(Some(reason.to_owned()));
        if let Err(error) = update.update(&self.db).await {
            tracing::error!(error = %error, "could not mark the delivery failed");
        }
        if let Err(error) = events::record(
            &self.db,
            row.ticket_id,
            Actor::System,
            "delivery_failed",
            json!({ "outbox_id": row.id, "lane": row.lane_chat_id, "action": row.action, "error": reason }),
        )
        .await
        {
            tracing::error!(error = %error, "could not record the delivery failure");
        }
    }

    async fn mark_sent(&self, rows: &[&outbox::Model]) -> Result<(), DbErr> {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Sent))
            .col_expr(outbox::Column::SentAt, Expr::value(Utc::now()))
            .filter(outbox::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

fn thread(place: Place) -> ThreadId {
    ThreadId(MessageId(place.thread.unwrap_or_default()))
}

fn ignore_not_modified(result: Result<(), TelegramError>) -> Result<(), DeliveryError> {
    match result {
        Err(error) if error.failure() == Failure::NotModified => Ok(()),
        other => other.map_err(Into::into),
    }
}

/// The head row and the rows that can leave with it in one copyMessages:
/// parts of the same album, or (when a backlog formed) consecutive plain
/// copies from the same chat into the same place.
fn copies_that_go_together<'a>(
    rows: &'a [outbox::Model],
    head_action: &Action,
    most: usize,
) -> Vec<(&'a outbox::Model, Action)> {
    let head = &rows[0];
    let Action::Copy {
        target,
        from_chat,
        caption: None,
        reply_to: None,
        ..
    } = head_action
    else {
        return vec![(head, head_action.clone())];
    };
    let mut together = vec![(head, head_action.clone())];
    let plain_copy_from_same_place = |action: &Action| {
        matches!(action, Action::Copy { target: t, from_chat: f, caption: None, reply_to: None, .. }
            if t == target && f == from_chat)
    };
    for row in &rows[1..] {
        if together.len() >= most {
            break;
        }
        let Ok(action) = serde_json::from_value::<Action>(row.action.clone()) else {
            break;
        };
        match &head.media_group_id {
            // An album: its parts, wherever they sit in the lane.
            Some(group) => {
                if row.media_group_id.as_ref() == Some(group) && plain_copy_from_same_place(&action)
                {
                    together.push((row, action));
                }
            }
            // A backlog: only the unbroken run right after the head.
            None => {
                if row.media_group_id.is_none() && plain_copy_from_same_place(&action) {
                    together.push((row, action));
                } else {
                    break;
                }
            }
        }
    }
    together
}
