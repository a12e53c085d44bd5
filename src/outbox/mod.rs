//! The outbox: everything the bot owes Telegram, as rows queued per
//! destination chat ("lane").
//!
//! Handlers decide *what* must be sent and write it here, in the same
//! transaction as the state change that caused it. The delivery engine
//! (`engine`) sends each lane in order, within Telegram's rate limits, so a
//! busy main group never holds up an answer to a client, and a crash loses
//! nothing: pending rows are sent after restart. Each row carries a unique
//! dedup key, so a replayed update enqueues nothing twice.

mod engine;
mod execute;

pub use engine::DeliveryEngine;
pub use execute::Executor;

use std::collections::BTreeSet;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde::{Deserialize, Serialize};
use teloxide::types::{InlineKeyboardMarkup, MessageEntity};
use tokio::sync::mpsc;

use crate::entities::OutboxStatus;
use crate::entities::outbox;

/// Where a delivery goes. Thread ids are looked up when it is sent, so a
/// topic recreated in between is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Target {
    /// The client's private chat.
    Client { user_id: i64 },
    /// The ticket's topic in the main group.
    Main { ticket_id: i32 },
    /// A technician's mirrored topic (a `mirrors` row). Rows written before
    /// the rename say `"to":"tech","tech_thread":…`.
    #[serde(alias = "tech")]
    Mirror {
        #[serde(alias = "tech_thread")]
        mirror_id: i32,
    },
}

/// Text with its formatting, exactly as Telegram gives and takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RichText {
    pub text: String,
    #[serde(default)]
    pub entities: Vec<MessageEntity>,
}

impl RichText {
    /// Text without formatting (the bot's own notes).
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            entities: Vec::new(),
        }
    }
}

/// One thing to do in a lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Create the ticket's topic in the main group.
    CreateMainTopic { ticket_id: i32 },
    /// Post the client card, with its buttons, into the main topic.
    PostCard { ticket_id: i32 },
    /// Edit the card to show where the ticket stands now (assigned, closed)
    /// instead of posting a note into the busy main group.
    RefreshCard { ticket_id: i32, status: String },
    /// Rename the main topic after the ticket's current state.
    RenameMainTopic { ticket_id: i32 },
    /// Create a technician's mirrored topic.
    #[serde(alias = "create_tech_topic")]
    CreateMirrorTopic {
        #[serde(alias = "tech_thread")]
        mirror_id: i32,
    },
    /// Copy the ticket so far (card and bridged messages) into a mirrored
    /// topic, then post the intro with its Close button.
    CopyHistory {
        #[serde(alias = "tech_thread")]
        mirror_id: i32,
    },
    /// Close a topic.
    CloseTopic { target: Target },
    /// Copy a message as it is (copyMessage: no author shown). With
    /// `caption`, the caption is replaced (used to mark the author).
    Copy {
        target: Target,
        from_chat: i64,
        message_id: i32,
        #[serde(default)]
        caption: Option<RichText>,
        /// The message it answered, in `from_chat`; replied to in the target.
        #[serde(default)]
        reply_to: Option<i32>,
        /// Staff or a technician answering the client (first response).
        #[serde(default)]
        response: bool,
        /// The source's file (unique id) when it carries media, so an edit
        /// that swaps the media can be told from a caption edit.
        #[serde(default)]
        media: Option<String>,
    },
    /// Send text (a bot note, or a bridged text that needed an author mark),
    /// split to fit Telegram's limit.
    Text {
        target: Target,
        text: RichText,
        #[serde(default)]
        reply_to: Option<ReplyTo>,
        /// Buttons: the close button under a tech topic's intro.
        #[serde(default)]
        close_button_for: Option<i32>,
        /// Other buttons (the survey's scores).
        #[serde(default)]
        keyboard: Option<InlineKeyboardMarkup>,
        #[serde(default)]
        response: bool,
    },
    /// Carry an edit of a bridged message to its copy in the target.
    Edit {
        target: Target,
        from_chat: i64,
        message_id: i32,
        /// New text or caption (already marked with the author if needed).
        text: RichText,
        /// Whether `text` is a caption.
        caption: bool,
    },
}

/// The message a bridged text answers, in the chat it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyTo {
    pub chat: i64,
    pub message_id: i32,
}

impl Action {
    /// A plain note from the bot into `target`.
    pub fn note(target: Target, text: impl Into<String>) -> Self {
        Action::Text {
            target,
            text: RichText::plain(text),
            reply_to: None,
            close_button_for: None,
            keyboard: None,
            response: false,
        }
    }

    /// The target this action sends into, if it sends into one.
    pub fn target(&self) -> Option<Target> {
        match self {
            Action::CreateMainTopic { ticket_id }
            | Action::PostCard { ticket_id }
            | Action::RefreshCard { ticket_id, .. }
            | Action::RenameMainTopic { ticket_id } => Some(Target::Main {
                ticket_id: *ticket_id,
            }),
            Action::CreateMirrorTopic { mirror_id } | Action::CopyHistory { mirror_id } => {
                Some(Target::Mirror {
                    mirror_id: *mirror_id,
                })
            }
            Action::CloseTopic { target }
            | Action::Copy { target, .. }
            | Action::Text { target, .. }
            | Action::Edit { target, .. } => Some(*target),
        }
    }
}

/// A delivery to enqueue.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The destination chat id.
    pub lane: i64,
    pub ticket_id: Option<i32>,
    pub action: Action,
    /// The message this delivery bridges, for message links.
    pub source: Option<(i64, i32)>,
    pub media_group_id: Option<String>,
    /// Unique per thing-to-do: a replay with the same key enqueues nothing.
    pub dedup_key: String,
}

impl Delivery {
    /// A delivery of a ticket that bridges no message: a note, or a topic
    /// operation.
    pub fn new(lane: i64, ticket_id: i32, action: Action, dedup_key: impl Into<String>) -> Self {
        Self {
            lane,
            ticket_id: Some(ticket_id),
            action,
            source: None,
            media_group_id: None,
            dedup_key: dedup_key.into(),
        }
    }
}

/// Writes deliveries and wakes their lanes.
#[derive(Clone)]
pub struct Outbox {
    wake: mpsc::UnboundedSender<i64>,
}

impl Outbox {
    /// The handle handlers use, and the receiver the engine listens on.
    pub fn new() -> (Outbox, mpsc::UnboundedReceiver<i64>) {
        let (wake, receiver) = mpsc::unbounded_channel();
        (Outbox { wake }, receiver)
    }

    /// Inserts deliveries on `conn` (usually the transaction that made the
    /// state change). Returns the lanes to wake once it is committed.
    pub async fn insert<C: ConnectionTrait>(
        &self,
        conn: &C,
        deliveries: Vec<Delivery>,
    ) -> Result<Lanes, DbErr> {
        let mut lanes = BTreeSet::new();
        let now = Utc::now();
        for delivery in deliveries {
            lanes.insert(delivery.lane);
            let mut action = serde_json::to_value(&delivery.action)
                .map_err(|e| DbErr::Custom(format!("cannot encode an outbox action: {e}")))?;
            crate::records::events::strip_nul(&mut action);
            let row = outbox::ActiveModel {
                lane_chat_id: Set(delivery.lane),
                ticket_id: Set(delivery.ticket_id),
                action: Set(action),
                source_chat_id: Set(delivery.source.map(|(chat, _)| chat)),
                source_message_id: Set(delivery.source.map(|(_, id)| id)),
                media_group_id: Set(delivery.media_group_id),
                dedup_key: Set(Some(delivery.dedup_key)),
                status: Set(OutboxStatus::Pending),
                attempts: Set(0),
                created_at: Set(now),
                ..Default::default()
            };
            outbox::Entity::insert(row)
                .on_conflict(
                    OnConflict::column(outbox::Column::DedupKey)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(conn)
                .await?;
        }
        Ok(Lanes(lanes))
    }

    /// Tells the engine these lanes have work. Call after commit.
    pub fn wake(&self, lanes: Lanes) {
        for lane in lanes.0 {
            let _ = self.wake.send(lane);
        }
    }

    /// Inserts outside any transaction and wakes at once.
    pub async fn enqueue<C: ConnectionTrait>(
        &self,
        conn: &C,
        deliveries: Vec<Delivery>,
    ) -> Result<(), DbErr> {
        let lanes = self.insert(conn, deliveries).await?;
        self.wake(lanes);
        Ok(())
    }
}

/// Deletes deliveries sent before `cutoff`. Failed ones stay for a person
/// to look at (their events say why).
pub async fn prune_sent<C: ConnectionTrait>(
    conn: &C,
    cutoff: chrono::DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let result = outbox::Entity::delete_many()
        .filter(outbox::Column::Status.eq(OutboxStatus::Sent))
        .filter(outbox::Column::SentAt.lt(cutoff))
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}

/// Lanes that received work in a transaction, to wake after commit.
#[must_use = "wake the lanes once the transaction is committed"]
#[derive(Debug, Default)]
pub struct Lanes(BTreeSet<i64>);

impl Lanes {
    pub fn merge(&mut self, other: Lanes) {
        self.0.extend(other.0);
    }
}
