//! `inbound_updates`: the durable intake. Every raw Telegram update is stored
//! here (keyed by Telegram's `update_id`, so a redelivery is a no-op) before
//! the webhook answers 200, and is marked DONE once handled; unfinished rows
//! are replayed at start, and rows that keep failing are PARKED.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum InboundUpdates {
    Table,
    UpdateId,
    /// The update's JSON exactly as received.
    Payload,
    ChatId,
    /// `PENDING`, `DONE` or `PARKED`.
    Status,
    Attempts,
    LastError,
    ReceivedAt,
    ProcessedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InboundUpdates::Table)
                    // Telegram's update_id: assigned by Telegram, never by us.
                    .col(big_integer(InboundUpdates::UpdateId).primary_key())
                    .col(text(InboundUpdates::Payload))
                    .col(big_integer_null(InboundUpdates::ChatId))
                    .col(text(InboundUpdates::Status))
                    .col(integer(InboundUpdates::Attempts).default(0))
                    .col(text_null(InboundUpdates::LastError))
                    .col(timestamp_with_time_zone(InboundUpdates::ReceivedAt))
                    .col(timestamp_with_time_zone_null(InboundUpdates::ProcessedAt))
                    .to_owned(),
            )
            .await?;

        // The replay queue: unfinished rows in Telegram's order.
        manager
            .create_index(
                Index::create()
                    .name("ix_inbound_updates_status_update_id")
                    .table(InboundUpdates::Table)
                    .col(InboundUpdates::Status)
                    .col(InboundUpdates::UpdateId)
                    .to_owned(),
            )
            .await?;
        // Pruning of handled rows by age.
        manager
            .create_index(
                Index::create()
                    .name("ix_inbound_updates_processed_at")
                    .table(InboundUpdates::Table)
                    .col(InboundUpdates::ProcessedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(InboundUpdates::Table).to_owned())
            .await
    }
}
