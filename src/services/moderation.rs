//! Keeping the desk usable when a client is not: a manager can ban a client
//! (their messages are still stored, but no longer bridged and no longer open
//! tickets; they are told once), and a client who opens ticket after ticket
//! gets their messages added to their latest one instead.

use chrono::Utc;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::json;
use teloxide::types::Message;

use crate::domain::language::Language;
use crate::entities::{Actor, users};
use crate::outbox::{Action, Delivery, Outbox, Target};
use crate::records::events;
use crate::services::ServiceResult;
use crate::texts::Texts;

/// How a manager names a client: a Telegram id or @username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientRef {
    Id(i64),
    Username(String),
}

/// What came of /ban or /unban.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BanChange {
    Done(users::Model),
    Unchanged(users::Model),
    UnknownClient,
}

#[derive(Clone)]
pub struct ModerationService {
    db: DatabaseConnection,
    outbox: Outbox,
    /// The staff's language; clients get theirs.
    texts: Texts,
}

impl ModerationService {
    pub fn new(db: DatabaseConnection, outbox: Outbox, texts: Texts) -> Self {
        Self { db, outbox, texts }
    }

    pub async fn find_client(&self, client: &ClientRef) -> Result<Option<users::Model>, DbErr> {
        let query = users::Entity::find();
        match client {
            ClientRef::Id(id) => query.filter(users::Column::TgId.eq(*id)),
            ClientRef::Username(name) => {
                use sea_orm::sea_query::ExprTrait;
                query.filter(
                    Expr::expr(Func::lower(Expr::col(users::Column::Username)))
                        .eq(name.trim_start_matches('@').to_ascii_lowercase()),
                )
            }
        }
        .one(&self.db)
        .await
    }

    /// Bans (`ban`) or lifts the ban of a client; recorded as an event.
    pub async fn set_banned(
        &self,
        client: &ClientRef,
        ban: bool,
        by: i64,
    ) -> ServiceResult<BanChange> {
        let Some(user) = self.find_client(client).await? else {
            return Ok(BanChange::UnknownClient);
        };
        if user.banned_at.is_some() == ban {
            return Ok(BanChange::Unchanged(user));
        }
        let txn = self.db.begin().await?;
        let mut row = user.into_active_model();
        row.banned_at = Set(ban.then(Utc::now));
        row.banned_by = Set(ban.then_some(by));
        let user = row.update(&txn).await?;
        events::record(
            &txn,
            None,
            Actor::Staff,
            if ban {
                "client_banned"
            } else {
                "client_unbanned"
            },
            json!({ "client": user.tg_id, "by": by }),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(client = user.tg_id, ban, by, "client ban changed");
        Ok(BanChange::Done(user))
    }

    /// Banned clients, the latest first.
    pub async fn banned(&self) -> Result<Vec<users::Model>, DbErr> {
        users::Entity::find()
            .filter(users::Column::BannedAt.is_not_null())
            .order_by_desc(users::Column::BannedAt)
            .all(&self.db)
            .await
    }

    /// A banned client wrote: the message is kept in the events log (so
    /// managers can still find it), and the client is told once per ban.
    pub async fn hold(&self, client: &users::Model, message: &Message) -> ServiceResult<()> {
        let banned_at = client
            .banned_at
            .map(|at| at.timestamp())
            .unwrap_or_default();
        let texts = Texts::new(Language::for_client(
            client.language_code.as_deref(),
            self.texts.language(),
        ));
        let notice = Delivery::without_ticket(
            client.tg_id,
            Action::note(
                Target::Client {
                    user_id: client.tg_id,
                },
                texts.banned_notice(),
            ),
            format!("ban-notice:{}:{banned_at}", client.tg_id),
        );
        let txn = self.db.begin().await?;
        let lanes = self.outbox.insert(&txn, vec![notice]).await?;
        events::record(
            &txn,
            None,
            Actor::Client,
            "message_held",
            json!({
                "client": client.tg_id,
                "source": { "chat": message.chat.id.0, "message_id": message.id.0 },
                "text": message.text().or(message.caption()),
            }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        Ok(())
    }
}
