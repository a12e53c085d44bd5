//! `outbox`: every message the bot owes Telegram, queued per destination
//! chat ("lane"). Handlers only write rows here; the delivery engine sends
//! them in order per lane, within Telegram's rate limits, and marks them SENT.
//! A crash loses nothing: pending rows are sent after restart. `dedup_key`
//! makes enqueuing idempotent, so a replayed update queues nothing twice.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000003_create_tickets::Tickets;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Outbox {
    Table,
    Id,
    /// The destination chat: deliveries into one chat go in order.
    LaneChatId,
    TicketId,
    /// What to do, as JSON (see `topicdesk::outbox::Action`).
    Action,
    /// The bridged message this delivery copies, if any.
    SourceChatId,
    SourceMessageId,
    /// Album parts share it and leave together.
    MediaGroupId,
    DedupKey,
    /// `PENDING`, `SENT` or `FAILED`.
    Status,
    Attempts,
    LastError,
    /// Not to be tried before this (backoff after a failure).
    NotBefore,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(pk_auto(Outbox::Id))
                    .col(big_integer(Outbox::LaneChatId))
                    .col(integer_null(Outbox::TicketId))
                    .col(json_binary(Outbox::Action))
                    .col(big_integer_null(Outbox::SourceChatId))
                    .col(integer_null(Outbox::SourceMessageId))
                    .col(text_null(Outbox::MediaGroupId))
                    .col(text_null(Outbox::DedupKey).unique_key())
                    .col(text(Outbox::Status))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone_null(Outbox::NotBefore))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbox_ticket_id")
                            .from(Outbox::Table, Outbox::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Each lane reads its pending rows in order.
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_status_lane_id")
                    .table(Outbox::Table)
                    .col(Outbox::Status)
                    .col(Outbox::LaneChatId)
                    .col(Outbox::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}
