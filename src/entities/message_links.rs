//! `message_links`: one row for every copy the bridge makes of a message —
//! the original (`src_chat_id`, `src_message_id`) and the copy
//! (`dst_chat_id`, `dst_message_id`). Replies and edits on either side follow
//! these links. Unique on (`src_chat_id`, `src_message_id`, `dst_chat_id`):
//! a message is copied at most once into a given chat.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ticket_id: i32,
    pub src_chat_id: i64,
    pub src_message_id: i32,
    pub dst_chat_id: i64,
    pub dst_message_id: i32,
    pub created_at: DateTimeUtc,
    #[sea_orm(
        belongs_to,
        from = "ticket_id",
        to = "id",
        on_update = "Cascade",
        on_delete = "Cascade"
    )]
    pub ticket: BelongsTo<super::tickets::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
