//! `kb_articles`: the team's saved answers. One row per slug and language
//! (unique together): translations of an article share its slug. The body
//! keeps Telegram's entities, so formatting survives; an article may carry
//! one media file (a Telegram `file_id` and its kind).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_articles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text")]
    pub slug: String,
    /// `ru`, `kk` or `en`.
    #[sea_orm(column_type = "Text")]
    pub language: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// The body's entities, as Telegram gives them (a JSON array).
    #[sea_orm(column_type = "JsonBinary")]
    pub entities: Json,
    /// A JSON array of strings.
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: Json,
    #[sea_orm(column_type = "Text", nullable)]
    pub media_file_id: Option<String>,
    /// `photo`, `document`, `video`, `animation`, `audio` or `voice`.
    #[sea_orm(column_type = "Text", nullable)]
    pub media_kind: Option<String>,
    pub published: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_by: Option<i64>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
