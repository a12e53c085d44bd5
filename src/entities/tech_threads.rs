//! `tech_threads`: the mirrored topic of a ticket in a technician's group,
//! (`tech_chat_id`, `tech_thread_id`). When a ticket moves to another
//! technician the old row gets `closed_at` and a new row is added, so the
//! open bridge of a ticket is its row with `closed_at IS NULL`.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tech_threads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ticket_id: i32,
    pub tech_id: i32,
    pub tech_chat_id: i64,
    /// Filled in once Telegram has created the mirrored topic.
    pub tech_thread_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    #[sea_orm(
        belongs_to,
        from = "ticket_id",
        to = "id",
        on_update = "Cascade",
        on_delete = "Cascade"
    )]
    pub ticket: BelongsTo<super::tickets::Entity>,
    #[sea_orm(
        belongs_to,
        from = "tech_id",
        to = "id",
        on_update = "Cascade",
        on_delete = "NoAction"
    )]
    pub tech: BelongsTo<super::technicians::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
