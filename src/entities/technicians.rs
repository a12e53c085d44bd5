//! `technicians`: the people tickets are assigned to. Each works from their
//! own forum group (`group_chat_id`), where every assigned ticket gets a
//! mirrored topic. Deactivate (`is_active = false`) rather than delete.
//!
//! Two flags decide whether a technician gets new tickets: `is_active` says
//! the technician is in TECH_GROUPS_MAPPING (the sync at every start sets
//! it), `available` is the managers' switch (/tech_on, /tech_off), which the
//! sync never touches. Cards offer, and assignment accepts, only technicians
//! with both.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "technicians")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub username: Option<String>,
    /// Telegram user id, once known.
    pub tg_user_id: Option<i64>,
    /// The technician's forum group.
    pub group_chat_id: i64,
    #[sea_orm(default_value = true)]
    pub is_active: bool,
    /// Takes new tickets; managers switch it with /tech_on and /tech_off.
    #[sea_orm(default_value = true)]
    pub available: bool,
    #[sea_orm(has_many)]
    pub tickets: HasMany<super::tickets::Entity>,
    #[sea_orm(has_many)]
    pub mirrors: HasMany<super::mirrors::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
