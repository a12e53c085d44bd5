//! `outbox`: deliveries owed to Telegram, queued per destination chat
//! (`lane_chat_id`) and sent in `id` order by the delivery engine. `action`
//! is the JSON of `crate::outbox::Action`; `dedup_key` (unique) makes
//! enqueuing idempotent when an update is replayed.

use sea_orm::entity::prelude::*;

use super::enums::OutboxStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub lane_chat_id: i64,
    pub ticket_id: Option<i32>,
    #[sea_orm(column_type = "JsonBinary")]
    pub action: Json,
    pub source_chat_id: Option<i64>,
    pub source_message_id: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub media_group_id: Option<String>,
    #[sea_orm(column_type = "Text", nullable, unique)]
    pub dedup_key: Option<String>,
    pub status: OutboxStatus,
    #[sea_orm(default_value = 0)]
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub not_before: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
