//! `events`: an append-only log of what happened to tickets (and to the bot),
//! who did it, and the details as a JSON object.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000003_create_tickets::Tickets;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Events {
    Table,
    Id,
    /// Null for events that concern no ticket.
    TicketId,
    /// `CLIENT`, `TECH`, `STAFF` or `SYSTEM`.
    Actor,
    Action,
    /// `jsonb` on PostgreSQL, `jsonb_text` (text affinity) on SQLite.
    Payload,
    Ts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(pk_auto(Events::Id))
                    .col(integer_null(Events::TicketId))
                    .col(text(Events::Actor))
                    .col(text(Events::Action))
                    .col(json_binary(Events::Payload))
                    .col(timestamp_with_time_zone(Events::Ts))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_events_ticket_id")
                            .from(Events::Table, Events::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            // The log outlives a deleted ticket.
                            .on_delete(ForeignKeyAction::SetNull)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ix_events_ticket_id_ts")
                    .table(Events::Table)
                    .col(Events::TicketId)
                    .col(Events::Ts)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Events::Table).to_owned())
            .await
    }
}
