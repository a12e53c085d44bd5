//! `inbound_updates`: the durable intake of raw Telegram updates. The webhook
//! (or the poller) stores each update here before answering, keyed by
//! Telegram's `update_id` so a redelivered update is ignored
//! (`INSERT .. ON CONFLICT (update_id) DO NOTHING`). Rows stay `PENDING`
//! until handled (`DONE`, with `processed_at`), are replayed at start in
//! `update_id` order, and are `PARKED` after too many failed `attempts`.

use sea_orm::entity::prelude::*;

use super::enums::InboundStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbound_updates")]
pub struct Model {
    /// Telegram's `update_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub update_id: i64,
    /// The update's JSON exactly as received.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// The chat the update belongs to, when it has one (for per-chat ordering).
    pub chat_id: Option<i64>,
    /// The forum topic, 0 when none; with `chat_id`, the ordering key.
    pub topic_id: Option<i32>,
    pub status: InboundStatus,
    #[sea_orm(default_value = 0)]
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub received_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
