//! `users`: every Telegram user who has written to the bot in private, keyed
//! by their Telegram id. `last_seen` moves with each message; `blocked_bot_at`
//! is set when Telegram reports that the user blocked the bot (and cleared
//! when they come back). `banned_at` is a manager's /ban.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Telegram user id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tg_id: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub username: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub full_name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub language_code: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_seen: DateTimeUtc,
    pub blocked_bot_at: Option<DateTimeUtc>,
    /// A manager stopped this client (/ban): their messages are stored but
    /// not bridged, and open no tickets.
    pub banned_at: Option<DateTimeUtc>,
    /// The manager's Telegram id.
    pub banned_by: Option<i64>,
    #[sea_orm(has_many)]
    pub tickets: HasMany<super::tickets::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
