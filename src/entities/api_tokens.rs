//! `api_tokens`: tokens of integrations, by SHA-256 hash, with a `READ` or
//! `WRITE` scope. Revoked tokens stay listed (`revoked_at`).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub scope: TokenScope,
    #[sea_orm(column_type = "Text", unique)]
    pub token_hash: String,
    /// The token's first characters, to tell tokens apart in lists.
    #[sea_orm(column_type = "Text")]
    pub hint: String,
    /// The manager who created it.
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

/// What an API token may do: read everything, or also change tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum TokenScope {
    #[sea_orm(string_value = "READ")]
    Read,
    #[sea_orm(string_value = "WRITE")]
    Write,
}
