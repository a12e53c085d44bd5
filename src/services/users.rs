//! The people who write to the bot privately.

use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use teloxide::types::User;

use crate::entities::users::{self, Column, Entity as Users};

#[derive(Clone)]
pub struct UserService {
    db: DatabaseConnection,
}

impl UserService {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Records that `user` wrote to us: created on first contact, profile
    /// (and language) and last_seen refreshed after, and a "blocked the bot"
    /// mark cleared — writing to the bot means they are back. Returns the
    /// row as it is now (a manager's ban included), in the same statement.
    pub async fn touch(&self, user: &User) -> Result<users::Model, DbErr> {
        let now = Utc::now();
        let row = users::ActiveModel {
            tg_id: Set(user.id.0 as i64),
            username: Set(user.username.as_deref().map(without_nul)),
            full_name: Set(without_nul(&user.full_name())),
            language_code: Set(user.language_code.as_deref().map(without_nul)),
            created_at: Set(now),
            last_seen: Set(now),
            blocked_bot_at: Set(None),
            ..Default::default()
        };
        Users::insert(row)
            .on_conflict(
                OnConflict::column(Column::TgId)
                    .update_columns([
                        Column::Username,
                        Column::FullName,
                        Column::LanguageCode,
                        Column::LastSeen,
                        Column::BlockedBotAt,
                    ])
                    .to_owned(),
            )
            .exec_with_returning(&self.db)
            .await
    }

    /// The client unblocked the bot: messages reach them again.
    pub async fn unblocked(&self, client: i64) -> Result<(), DbErr> {
        Users::update_many()
            .col_expr(
                Column::BlockedBotAt,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(Column::TgId.eq(client))
            .filter(Column::BlockedBotAt.is_not_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

/// PostgreSQL refuses the NUL character in text; a name may still carry it.
fn without_nul(text: &str) -> String {
    text.replace('\0', "")
}
