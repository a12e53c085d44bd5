//! `kb_suggestions`: an article offered to a client before a person (one
//! row per article offered), with its search score and what came of it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_suggestions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ticket_id: Option<i32>,
    pub client_tg_id: i64,
    pub article_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub slug: String,
    #[sea_orm(column_type = "Double")]
    pub score: f64,
    pub outcome: SuggestionOutcome,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

/// What came of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum SuggestionOutcome {
    /// Offered; the client has not answered yet.
    #[sea_orm(string_value = "OFFERED")]
    Offered,
    /// «Помогло»: the ticket closed without a person.
    #[sea_orm(string_value = "HELPED")]
    Helped,
    /// «Нужен специалист», or the client wrote again.
    #[sea_orm(string_value = "NEEDED_PERSON")]
    NeededPerson,
    /// No answer within KB_HOLD_TIMEOUT (hold), or the ticket went on
    /// without one (suggest).
    #[sea_orm(string_value = "TIMED_OUT")]
    TimedOut,
}
