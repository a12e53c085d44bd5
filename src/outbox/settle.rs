//! What happens to rows after an attempt: sent, retried later, or failed for
//! good. The failure policy lives here, in one place:
//! - Telegram out of reach (no answer, a 5xx): an outage, never the row's
//!   fault. The lane pauses (longer while it lasts, up to a minute) and tries
//!   again, however long it takes; no attempt is counted.
//! - 429: the chat waits exactly as long as Telegram asked, on every
//!   instance (the flood gate is told); no attempt is counted.
//! - a deleted topic is recreated;
//! - answers that can never succeed (the client blocked the bot, the chat is
//!   gone) fail the row at once;
//! - anything else is retried with growing pauses, then failed.
//!
//! A failed row is counted, recorded as an event, and the desk is told (it
//! puts one line in the ticket's main topic).

use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use std::time::Duration;
use teloxide::requests::Requester;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde_json::json;

use super::action::{Action, Target};
use super::executor::{DeliveryError, Executor, Step};
use crate::entities::{Actor, OutboxStatus, outbox};
use crate::records::events;
use crate::telegram::Failure;

/// How a row postponed because Telegram was out of reach is marked (its
/// `last_error` starts so), to be released when Telegram answers again.
const WAITING_FOR_TELEGRAM: &str = "waiting for Telegram";
/// How often a getMe checks whether Telegram is back, while it is not.
const RETURN_PROBE_EVERY: Duration = Duration::from_secs(2);
/// Attempts before a delivery is given up on (outages and 429s not counted).
const MAX_ATTEMPTS: i32 = 5;
/// Longest wait honoured from a 429, so a broken answer cannot stop a chat
/// for days.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(3600);

impl Executor {
    pub(super) async fn handle_failure(
        &self,
        rows: &[&outbox::Model],
        action: &Action,
        error: DeliveryError,
    ) -> Step {
        let head = rows[0];
        let destination = self.destination(head.lane_chat_id);
        let failure = match &error {
            DeliveryError::Telegram(error) => error.failure(),
            DeliveryError::Db(db_error) => {
                tracing::warn!(error = %db_error, "database error while delivering; retrying");
                return Step::LaneWaits(Utc::now() + chrono::Duration::seconds(1));
            }
            DeliveryError::Impossible(reason) => return self.give_up_all(rows, reason).await,
        };
        match (failure, action.target()) {
            (Failure::Network, _) => {
                let pause = self
                    .outage_pauses
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .next_pause();
                let until = Utc::now() + chrono::Duration::from_std(pause).unwrap_or_default();
                tracing::warn!(
                    error = %error,
                    pause_secs = pause.as_secs_f64(),
                    "Telegram is out of reach; the delivery waits for it"
                );
                self.metrics
                    .outbox_retried
                    .with_label_values(&[destination])
                    .inc_by(rows.len() as u64);
                if !self.telegram_was_out.swap(true, Ordering::Relaxed) {
                    self.watch_for_telegrams_return();
                }
                self.postpone(rows, &format!("{WAITING_FOR_TELEGRAM}: {error}"), until)
                    .await;
                Step::LaneWaits(until)
            }
            (Failure::RetryAfter(wait), _) => {
                let wait = wait.min(LONGEST_RETRY_AFTER);
                tracing::warn!(
                    wait_secs = wait.as_secs_f64(),
                    "Telegram asked this chat to slow down"
                );
                self.metrics
                    .outbox_rate_limited
                    .with_label_values(&[destination])
                    .inc();
                self.sender.pause(head.lane_chat_id, wait).await;
                Step::LaneWaits(Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default())
            }
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
                if let Err(db_error) = self.desk.client_blocked(user_id).await {
                    tracing::error!(error = %db_error, "could not record the block");
                }
                self.give_up_all(rows, &error.to_string()).await
            }
            (Failure::BotBlocked | Failure::ChatNotFound, _) => {
                self.give_up_all(rows, &error.to_string()).await
            }
            _ if head.attempts + 1 >= MAX_ATTEMPTS => {
                self.give_up_all(rows, &error.to_string()).await
            }
            _ => {
                let wait = chrono::Duration::seconds(1 << head.attempts.clamp(0, 6));
                let when = Utc::now() + wait;
                tracing::warn!(error = %error, attempt = head.attempts + 1, "delivery failed; will retry");
                self.metrics
                    .outbox_retried
                    .with_label_values(&[destination])
                    .inc_by(rows.len() as u64);
                self.count_attempt(rows, &error, Some(when)).await;
                Step::WaitUntil(when)
            }
        }
    }

    async fn give_up_all(&self, rows: &[&outbox::Model], reason: &str) -> Step {
        for row in rows {
            self.give_up(row, reason).await;
        }
        Step::Finished
    }

    /// Holds rows back until `until` without counting an attempt, so every
    /// instance waits the same.
    async fn postpone(&self, rows: &[&outbox::Model], why: &str, until: DateTime<Utc>) {
        let result = outbox::Entity::update_many()
            .col_expr(outbox::Column::NotBefore, Expr::value(until))
            .col_expr(outbox::Column::LastError, Expr::value(why))
            .filter(outbox::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&self.db)
            .await;
        if let Err(db_error) = result {
            tracing::error!(error = %db_error, "could not postpone a delivery");
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

    /// Marks a row failed for good, records why, and tells the desk.
    pub(super) async fn give_up(&self, row: &outbox::Model, reason: &str) {
        tracing::error!(
            outbox_id = row.id,
            ticket_id = row.ticket_id,
            reason,
            "delivery failed for good"
        );
        self.metrics
            .outbox_failed
            .with_label_values(&[self.destination(row.lane_chat_id)])
            .inc();
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
        if let Some(ticket_id) = row.ticket_id
            && let Err(error) = self
                .desk
                .delivery_failed(ticket_id, row.lane_chat_id, reason)
                .await
        {
            tracing::error!(error = %error, "could not tell the team about the failed delivery");
        }
    }

    /// A call got through: if Telegram had been out of reach, the rows
    /// postponed for it (by any instance) may go now instead of sitting out
    /// the rest of their pause, which grows to a minute; the sweep wakes
    /// their lanes within seconds.
    pub(super) async fn telegram_answers(&self) {
        self.outage_pauses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reset();
        if !self.telegram_was_out.swap(false, Ordering::Relaxed) {
            return;
        }
        let released = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::NotBefore,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .filter(outbox::Column::NotBefore.gt(Utc::now()))
            .filter(outbox::Column::LastError.starts_with(WAITING_FOR_TELEGRAM))
            .exec(&self.db)
            .await;
        match released {
            Ok(done) => tracing::info!(
                rows = done.rows_affected,
                "Telegram answers again; deliveries that waited for it go now"
            ),
            Err(error) => {
                tracing::warn!(error = %error, "could not release the deliveries that waited for Telegram");
            }
        }
    }

    /// While Telegram is out of reach, one light call (getMe) every couple
    /// of seconds notices its return, so that the postponed rows of every
    /// lane are released at once rather than each lane finding out when its
    /// own pause ends.
    fn watch_for_telegrams_return(&self) {
        let executor = self.clone();
        tokio::spawn(async move {
            while executor.telegram_was_out.load(Ordering::Relaxed) {
                tokio::time::sleep(RETURN_PROBE_EVERY).await;
                if executor
                    .sender
                    .call(executor.sender.bot().get_me())
                    .await
                    .is_ok()
                {
                    executor.telegram_answers().await;
                }
            }
        });
    }
}
