//! Carrying out the head of a lane: reading its action, letting album parts
//! and a backlog of copies leave together, running the action, and handing
//! the outcome to the settling rules.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};
use serde::Deserialize;
use tracing::Instrument;

use super::action::Action;
use super::knowledge::DeskKnowledge;
use super::sent::{SettlementWriter, collecting_links, settlement_writer};
use crate::entities::{OutboxStatus, outbox};
use crate::metrics::Metrics;
use crate::retry::Pauses;
use crate::telegram::{Sender, TelegramError};
use crate::texts::Texts;

/// Album parts arrive as separate updates; once none came for this long, the
/// album is complete and leaves as one.
const ALBUM_QUIET: Duration = Duration::from_millis(800);
/// First and longest pause of a lane while Telegram is out of reach.
const FIRST_OUTAGE_PAUSE: Duration = Duration::from_secs(1);
const LONGEST_OUTAGE_PAUSE: Duration = Duration::from_secs(60);
/// Most messages copied in one copyMessages (it takes up to 100). A kill
/// between Telegram's answer and marking the rows sent repeats the whole
/// call after the restart, so a batch is also the most a crash can double:
/// 8 of a 2,000-message burst is 0.4 %, inside issue 10's 0.5 %.
pub(super) const COPY_BATCH: usize = 8;
/// Most parts of an album (Telegram's own limit). An album leaves whole in
/// one call whatever the batch: split, it would show as two albums. A crash
/// can then double one album of up to ten.
pub(super) const ALBUM_MOST: usize = 10;

/// What became of the head of a row sequence.
pub(crate) enum Step {
    /// The head (and what went with it) is finished: sent, or given up on.
    Finished,
    /// The rows changed in the database (an attempt was counted, a topic
    /// recreated): read them again before going on.
    Reread,
    /// This sequence can do nothing before then (other tickets of a group
    /// lane may go on).
    WaitUntil(DateTime<Utc>),
    /// Nothing may go into this chat before then: Telegram cannot be reached
    /// or asked the chat to wait.
    LaneWaits(DateTime<Utc>),
}

#[derive(Debug, thiserror::Error)]
pub(super) enum DeliveryError {
    #[error(transparent)]
    Telegram(#[from] TelegramError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    /// The row cannot ever be delivered (its ticket or mirror is gone).
    #[error("{0}")]
    Impossible(String),
}

/// Sends outbox rows through the one send path.
#[derive(Clone)]
pub struct Executor {
    pub(super) db: DatabaseConnection,
    pub(super) sender: Sender,
    /// The staff's language, for the bot's own notes in topics.
    pub(super) texts: Texts,
    pub(super) desk: Arc<dyn DeskKnowledge>,
    pub(super) metrics: Metrics,
    /// The main groups, to tell destinations apart in the metrics.
    main_groups: Arc<BTreeSet<i64>>,
    /// How long lanes pause while Telegram is out of reach: longer with
    /// every failed call, back to the start after one that got through.
    pub(super) outage_pauses: Arc<Mutex<Pauses>>,
    /// A call found Telegram out of reach since the last one that got through.
    pub(super) telegram_was_out: Arc<AtomicBool>,
    /// Sent marks and message links of calls that returned together (in
    /// different lanes) share one statement and commit; each lane still
    /// waits for its own before its next call, so a crash repeats at most
    /// one call per lane.
    pub(super) settlements: SettlementWriter,
}

impl Executor {
    pub fn new(
        db: DatabaseConnection,
        sender: Sender,
        texts: Texts,
        desk: Arc<dyn DeskKnowledge>,
        metrics: Metrics,
        main_groups: impl IntoIterator<Item = i64>,
    ) -> Self {
        let settlements = settlement_writer(db.clone());
        Self {
            db,
            sender,
            texts,
            desk,
            metrics,
            main_groups: Arc::new(main_groups.into_iter().collect()),
            outage_pauses: Arc::new(Mutex::new(Pauses::new(
                FIRST_OUTAGE_PAUSE,
                LONGEST_OUTAGE_PAUSE,
            ))),
            telegram_was_out: Arc::default(),
            settlements,
        }
    }

    /// The kind of destination a lane is, as the metrics label it.
    pub(super) fn destination(&self, lane: i64) -> &'static str {
        if lane > 0 {
            "client"
        } else if self.main_groups.contains(&lane) {
            "main_group"
        } else {
            "tech_group"
        }
    }

    /// Sets the pending-rows gauges from one grouped query.
    pub(crate) async fn refresh_gauges(&self) -> Result<(), DbErr> {
        let waiting: Vec<(i64, DateTime<Utc>)> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::LaneChatId)
            .column_as(outbox::Column::CreatedAt.min(), "oldest")
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .group_by(outbox::Column::LaneChatId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let counts: Vec<(i64, i64)> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::LaneChatId)
            .column_as(outbox::Column::Id.count(), "waiting")
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .group_by(outbox::Column::LaneChatId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let now = Utc::now();
        for destination in crate::metrics::DESTINATIONS {
            let oldest = waiting
                .iter()
                .filter(|(lane, _)| self.destination(*lane) == destination)
                .map(|(_, at)| (now - *at).num_seconds().max(0))
                .max()
                .unwrap_or(0);
            let pending: i64 = counts
                .iter()
                .filter(|(lane, _)| self.destination(*lane) == destination)
                .map(|(_, count)| count)
                .sum();
            self.metrics
                .outbox_pending
                .with_label_values(&[destination])
                .set(pending);
            self.metrics
                .outbox_oldest_pending_seconds
                .with_label_values(&[destination])
                .set(oldest);
        }
        Ok(())
    }

    /// How long sending `count` messages into `chat` would wait for the
    /// rate limiter now.
    pub(crate) async fn send_delay(&self, chat: i64, count: u32) -> Duration {
        self.sender.delay_for(chat, count).await
    }

    /// Messages one copyMessages may carry into `chat`. Telegram counts
    /// every copied message against a group's per-minute limit: a batch
    /// larger than the limit could never go out, and one waiting for a big
    /// share of the window would hold its lane long. A quarter of the limit
    /// still saves most calls and costs no throughput, which the limit sets.
    pub(super) fn copy_batch(&self, chat: i64) -> usize {
        let per_minute = self.sender.limits().group_per_minute as usize;
        if chat < 0 && per_minute > 0 {
            COPY_BATCH.min((per_minute / 4).max(1))
        } else {
            COPY_BATCH
        }
    }

    /// How many messages the next call of a ticket's `rows` may carry: the
    /// copies that would leave together with the head, or the head alone.
    /// A crash after the call and before its sent mark repeats all of them.
    pub(super) fn messages_in_next_call(&self, rows: &[outbox::Model]) -> usize {
        let head = &rows[0];
        match Action::deserialize(&head.action) {
            Ok(action) => {
                copies_that_go_together(rows, &action, self.copy_batch(head.lane_chat_id)).len()
            }
            Err(_) => 1,
        }
    }

    /// Handles the head of a lane (and what may go with it).
    pub(crate) async fn step(&self, lane: i64, rows: &[outbox::Model]) -> Step {
        let head = &rows[0];
        if let Some(not_before) = head.not_before
            && not_before > Utc::now()
        {
            return Step::WaitUntil(not_before);
        }
        let action: Action = match serde_json::from_value(head.action.clone()) {
            Ok(action) => action,
            Err(error) => {
                self.give_up(head, &format!("unreadable action: {error}"))
                    .await;
                return Step::Finished;
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
        let (outcome, made) = collecting_links(async {
            if together.len() > 1 {
                self.copy_together(&together).await
            } else {
                self.execute(head, &action).await
            }
        })
        .await;
        let rows: Vec<&outbox::Model> = if together.len() > 1 {
            together.iter().map(|(row, _)| *row).collect()
        } else {
            vec![head]
        };
        match outcome {
            Ok(()) => {
                self.telegram_answers().await;
                self.metrics
                    .outbox_sent
                    .with_label_values(&[self.destination(head.lane_chat_id)])
                    .inc_by(rows.len() as u64);
                if let Err(error) = self.mark_sent(&rows, made).await {
                    tracing::error!(error = %error, "sent, but could not mark the delivery sent");
                }
                Step::Finished
            }
            Err(error) => {
                // Copies made before the failure exist in Telegram: keep
                // their links, so replies to them still find their way.
                if let Err(db_error) = self.record_links(made).await {
                    tracing::warn!(error = %db_error, "could not record the links of a failed delivery");
                }
                self.handle_failure(&rows, &action, error).await
            }
        }
    }

    /// Runs one action.
    async fn execute(&self, row: &outbox::Model, action: &Action) -> Result<(), DeliveryError> {
        match action {
            Action::CreateMainTopic { ticket_id } => {
                self.main_place(*ticket_id).await?;
                Ok(())
            }
            Action::PostCard { ticket_id } => {
                let place = self.main_place(*ticket_id).await?;
                self.post_card(*ticket_id, place).await
            }
            Action::RefreshCard { ticket_id, status } => {
                self.refresh_card(*ticket_id, status).await
            }
            Action::RenameMainTopic { ticket_id } => self.rename_main_topic(*ticket_id).await,
            Action::RenameMirrorTopic { mirror_id } => self.rename_mirror_topic(*mirror_id).await,
            Action::CreateMirrorTopic { mirror_id } => {
                self.mirror_place(*mirror_id).await?;
                Ok(())
            }
            Action::CopyHistory { mirror_id } => self.copy_history(*mirror_id).await,
            Action::CloseTopic { target } => self.close_topic(*target, true).await,
            Action::ReopenTopic { target } => self.close_topic(*target, false).await,
            Action::Copy {
                target,
                from_chat,
                message_id,
                caption,
                reply_to,
                response,
                media: _,
            } => {
                self.copy_one(
                    row,
                    *target,
                    (*from_chat, *message_id),
                    caption.as_ref(),
                    *reply_to,
                    *response,
                )
                .await
            }
            Action::Text(text) => self.send_text_message(row, text).await,
            Action::Edit {
                target,
                from_chat,
                message_id,
                text,
                caption,
            } => {
                self.edit_copy(*target, (*from_chat, *message_id), text, *caption)
                    .await
            }
            Action::ReplaceText {
                chat_id,
                message_id,
                text,
            } => self.replace_text(*chat_id, *message_id, text).await,
            Action::React {
                chat_id,
                message_id,
                emoji,
            } => self.react(*chat_id, *message_id, emoji).await,
            Action::SendFile {
                target,
                file_kind,
                file_id,
                caption,
                response,
            } => {
                self.send_file(row, *target, file_kind, file_id, caption, *response)
                    .await
            }
            Action::Delete {
                chat_id,
                message_id,
            } => self.delete(*chat_id, *message_id).await,
        }
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
    let most = if head.media_group_id.is_some() {
        ALBUM_MOST
    } else {
        most
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
