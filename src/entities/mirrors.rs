//! `mirrors`: a ticket's mirrored topic in a technician's group (`chat_id`,
//! `thread_id`), where the technician works the ticket. When a ticket moves
//! to another technician the old row gets `closed_at` and a new row is
//! added, so a ticket's current mirror is its row with `closed_at IS NULL`.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mirrors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ticket_id: i32,
    pub tech_id: i32,
    /// The technician's group.
    pub chat_id: i64,
    /// Filled in once Telegram has created the topic.
    pub thread_id: Option<i32>,
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
