//! `users`: every Telegram user who has written to the bot in private.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Users {
    Table,
    TgId,
    Username,
    FullName,
    LanguageCode,
    CreatedAt,
    LastSeen,
    BlockedBotAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    // Telegram's user id: assigned by Telegram, never by us.
                    .col(big_integer(Users::TgId).primary_key())
                    .col(text_null(Users::Username))
                    .col(text(Users::FullName))
                    .col(text_null(Users::LanguageCode))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::LastSeen))
                    .col(timestamp_with_time_zone_null(Users::BlockedBotAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}
