//! `tech_threads`: the mirrored topic of a ticket in a technician's group.
//! A ticket gets a new row each time it moves to another technician; the old
//! row is kept with `closed_at` set.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000002_create_technicians::Technicians;
use crate::m20261122_000003_create_tickets::Tickets;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum TechThreads {
    Table,
    Id,
    TicketId,
    TechId,
    TechChatId,
    TechThreadId,
    CreatedAt,
    ClosedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TechThreads::Table)
                    .col(pk_auto(TechThreads::Id))
                    .col(integer(TechThreads::TicketId))
                    .col(integer(TechThreads::TechId))
                    .col(big_integer(TechThreads::TechChatId))
                    .col(integer_null(TechThreads::TechThreadId))
                    .col(timestamp_with_time_zone(TechThreads::CreatedAt))
                    .col(timestamp_with_time_zone_null(TechThreads::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tech_threads_ticket_id")
                            .from(TechThreads::Table, TechThreads::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tech_threads_tech_id")
                            .from(TechThreads::Table, TechThreads::TechId)
                            .to(Technicians::Table, Technicians::Id)
                            // Deactivate technicians instead of deleting them.
                            .on_delete(ForeignKeyAction::NoAction)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ix_tech_threads_tech_chat_id_tech_thread_id")
                    .table(TechThreads::Table)
                    .col(TechThreads::TechChatId)
                    .col(TechThreads::TechThreadId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tech_threads_ticket_id")
                    .table(TechThreads::Table)
                    .col(TechThreads::TicketId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TechThreads::Table).to_owned())
            .await
    }
}
