//! `sheet_reports`: the queue of closed tickets owed to the Google Sheets
//! report, one row per ticket (`ticket_id` is unique, so a replayed close
//! queues nothing twice). A row is due at `ready_at` (the survey's deadline,
//! or earlier once the feedback is in); the report worker appends due rows
//! and marks them `SENT`. Failed attempts leave the row `PENDING` with
//! `attempts` and `last_error`, to be retried.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000003_create_tickets::Tickets;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum SheetReports {
    Table,
    Id,
    TicketId,
    /// `PENDING` or `SENT`.
    Status,
    /// Not to be sent before this.
    ReadyAt,
    Attempts,
    LastError,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SheetReports::Table)
                    .col(pk_auto(SheetReports::Id))
                    .col(integer_uniq(SheetReports::TicketId))
                    .col(text(SheetReports::Status))
                    .col(timestamp_with_time_zone(SheetReports::ReadyAt))
                    .col(integer(SheetReports::Attempts).default(0))
                    .col(text_null(SheetReports::LastError))
                    .col(timestamp_with_time_zone(SheetReports::CreatedAt))
                    .col(timestamp_with_time_zone_null(SheetReports::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sheet_reports_ticket_id")
                            .from(SheetReports::Table, SheetReports::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The worker reads pending rows in the order they fall due.
        manager
            .create_index(
                Index::create()
                    .name("ix_sheet_reports_status_ready_at")
                    .table(SheetReports::Table)
                    .col(SheetReports::Status)
                    .col(SheetReports::ReadyAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SheetReports::Table).to_owned())
            .await
    }
}
