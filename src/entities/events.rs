//! `events`: append-only log of what happened — who (`actor`), what
//! (`action`, e.g. `"ticket.assigned"`) and the details (`payload`, a JSON
//! object). `ticket_id` is null for events that concern no ticket. Read a
//! ticket's history by (`ticket_id`, `ts`).

use sea_orm::entity::prelude::*;

use super::enums::Actor;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ticket_id: Option<i32>,
    pub actor: Actor,
    #[sea_orm(column_type = "Text")]
    pub action: String,
    /// `jsonb` on PostgreSQL, JSON text on SQLite.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    pub ts: DateTimeUtc,
    #[sea_orm(
        belongs_to,
        from = "ticket_id",
        to = "id",
        on_update = "Cascade",
        on_delete = "SetNull"
    )]
    pub ticket: BelongsTo<Option<super::tickets::Entity>>,
}

impl ActiveModelBehavior for ActiveModel {}
