//! What happens to rows after an attempt: sent, retried later, or failed for
//! good with an event that says why. The failure policy lives here, in one
//! place: a deleted topic is recreated, a client who blocked the bot is
//! noted, other failures are retried with growing pauses.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde_json::json;

use super::action::{Action, Target};
use super::executor::{DeliveryError, Executor, Step};
use crate::entities::{Actor, OutboxStatus, outbox};
use crate::records::events;
use crate::telegram::Failure;

/// Attempts before a delivery is given up on.
const MAX_ATTEMPTS: i32 = 5;

impl Executor {
    pub(super) async fn handle_failure(
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
        match (failure, action.target()) {
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
                self.give_up_all(rows, &error).await
            }
            _ if head.attempts + 1 >= MAX_ATTEMPTS => self.give_up_all(rows, &error).await,
            _ => {
                let wait = chrono::Duration::seconds(1 << head.attempts.clamp(0, 6));
                let when = Utc::now() + wait;
                tracing::warn!(error = %error, attempt = head.attempts + 1, "delivery failed; will retry");
                self.count_attempt(rows, &error, Some(when)).await;
                Step::WaitUntil(when)
            }
        }
    }

    async fn give_up_all(&self, rows: &[&outbox::Model], error: &DeliveryError) -> Step {
        for row in rows {
            self.give_up(row, &error.to_string()).await;
        }
        Step::Finished(rows.len())
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
    pub(super) async fn give_up(&self, row: &outbox::Model, reason: &str) {
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

    pub(super) async fn mark_sent(&self, rows: &[&outbox::Model]) -> Result<(), DbErr> {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Sent))
            .col_expr(outbox::Column::SentAt, Expr::value(Utc::now()))
            .filter(outbox::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
