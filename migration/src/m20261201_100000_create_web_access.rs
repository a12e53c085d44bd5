//! The web desk's credentials: `web_sessions` (refresh tokens of people
//! signed in to the Mini App) and `api_tokens` (integrations). Only
//! SHA-256 hashes of the tokens are kept, so a copy of the database signs
//! nobody in.
//!
//! A sign-in starts a *family* of refresh tokens: each refresh marks the
//! token used and adds its successor to the family. A used token presented
//! again means it was copied, and the whole family is revoked.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebSessions {
    Table,
    Id,
    /// A random id shared by every token of one sign-in.
    Family,
    TgUserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    /// Set when the token was exchanged for its successor.
    UsedAt,
    /// Set on logout, or when reuse revoked the family.
    RevokedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    Name,
    /// `READ` or `WRITE`.
    Scope,
    TokenHash,
    /// The token's first characters, so people can tell tokens apart.
    Hint,
    /// The manager's Telegram id.
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebSessions::Table)
                    .col(pk_auto(WebSessions::Id))
                    .col(text(WebSessions::Family))
                    .col(big_integer(WebSessions::TgUserId))
                    .col(text_uniq(WebSessions::TokenHash))
                    .col(timestamp_with_time_zone(WebSessions::CreatedAt))
                    .col(timestamp_with_time_zone(WebSessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(WebSessions::UsedAt))
                    .col(timestamp_with_time_zone_null(WebSessions::RevokedAt))
                    .to_owned(),
            )
            .await?;
        // Revoking a family, and checking an access token's family.
        manager
            .create_index(
                Index::create()
                    .name("ix_web_sessions_family")
                    .table(WebSessions::Table)
                    .col(WebSessions::Family)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(pk_auto(ApiTokens::Id))
                    .col(text(ApiTokens::Name))
                    .col(text(ApiTokens::Scope))
                    .col(text_uniq(ApiTokens::TokenHash))
                    .col(text(ApiTokens::Hint))
                    .col(big_integer(ApiTokens::CreatedBy))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiTokens::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebSessions::Table).to_owned())
            .await
    }
}
