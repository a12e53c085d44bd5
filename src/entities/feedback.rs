//! `feedback`: the satisfaction survey a client answers after their ticket is
//! closed; at most one row per ticket. `q1`..`q3` are ratings from 1 to 5
//! (CHECK constraints refuse anything else), `comment` is optional free text.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub ticket_id: i32,
    pub q1: i16,
    pub q2: i16,
    pub q3: i16,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
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
