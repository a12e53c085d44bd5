//! `technicians`: the people tickets are assigned to, each working from
//! their own forum group.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Technicians {
    Table,
    Id,
    Name,
    Username,
    TgUserId,
    GroupChatId,
    IsActive,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Technicians::Table)
                    .col(pk_auto(Technicians::Id))
                    .col(text(Technicians::Name))
                    .col(text_null(Technicians::Username))
                    .col(big_integer_null(Technicians::TgUserId))
                    .col(big_integer(Technicians::GroupChatId))
                    .col(boolean(Technicians::IsActive).default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Technicians::Table).to_owned())
            .await
    }
}
