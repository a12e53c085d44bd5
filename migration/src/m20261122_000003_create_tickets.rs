//! `tickets`: one row per support request; its id is the ticket number the
//! client sees. Each ticket owns a forum topic in the main group.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_users::Users;
use crate::m20261122_000002_create_technicians::Technicians;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Tickets {
    Table,
    Id,
    ClientTgId,
    /// `NEW`, `WORK` or `CLOSED`.
    Status,
    MainChatId,
    /// Null until the forum topic has been created for the row.
    MainThreadId,
    AssignedTechId,
    CreatedAt,
    FirstResponseAt,
    ClosedAt,
    /// The client card posted first in the topic (edited as the ticket moves on).
    CardMessageId,
}

/// Name of the partial unique index that allows one open ticket per client.
pub(crate) const ONE_OPEN_TICKET_PER_CLIENT: &str = "ux_tickets_one_open_per_client";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tickets::Table)
                    .col(pk_auto(Tickets::Id))
                    .col(big_integer(Tickets::ClientTgId))
                    .col(text(Tickets::Status))
                    .col(big_integer(Tickets::MainChatId))
                    .col(integer_null(Tickets::MainThreadId))
                    .col(integer_null(Tickets::CardMessageId))
                    .col(integer_null(Tickets::AssignedTechId))
                    .col(timestamp_with_time_zone(Tickets::CreatedAt))
                    .col(timestamp_with_time_zone_null(Tickets::FirstResponseAt))
                    .col(timestamp_with_time_zone_null(Tickets::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tickets_client_tg_id")
                            .from(Tickets::Table, Tickets::ClientTgId)
                            .to(Users::Table, Users::TgId)
                            // A client with tickets cannot be deleted. NO ACTION
                            // rather than RESTRICT: the same here, but SQLite
                            // reports RESTRICT as a trigger error (1811) that
                            // `DbErr::sql_err()` does not classify, and NO ACTION
                            // as a foreign-key violation on both backends.
                            .on_delete(ForeignKeyAction::NoAction)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tickets_assigned_tech_id")
                            .from(Tickets::Table, Tickets::AssignedTechId)
                            .to(Technicians::Table, Technicians::Id)
                            .on_delete(ForeignKeyAction::SetNull)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ix_tickets_client_tg_id_status")
                    .table(Tickets::Table)
                    .col(Tickets::ClientTgId)
                    .col(Tickets::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tickets_assigned_tech_id_status")
                    .table(Tickets::Table)
                    .col(Tickets::AssignedTechId)
                    .col(Tickets::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tickets_main_chat_id_main_thread_id")
                    .table(Tickets::Table)
                    .col(Tickets::MainChatId)
                    .col(Tickets::MainThreadId)
                    .to_owned(),
            )
            .await?;

        // At most one open ticket per client, enforced by the database so two
        // concurrent first messages cannot open two tickets. Both PostgreSQL
        // and SQLite (3.8+) support partial indexes with the same syntax:
        // CREATE UNIQUE INDEX .. ON tickets (client_tg_id) WHERE status <> 'CLOSED'
        manager
            .create_index(
                Index::create()
                    .name(ONE_OPEN_TICKET_PER_CLIENT)
                    .table(Tickets::Table)
                    .col(Tickets::ClientTgId)
                    .unique()
                    .and_where(Expr::col(Tickets::Status).ne("CLOSED"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Indexes go with the table on both backends.
        manager
            .drop_table(Table::drop().table(Tickets::Table).to_owned())
            .await
    }
}
