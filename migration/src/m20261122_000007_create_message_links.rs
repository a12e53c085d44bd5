//! `message_links`: for every copy the bridge makes of a message, where the
//! original is and where the copy went. Replies and edits follow these links.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000003_create_tickets::Tickets;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum MessageLinks {
    Table,
    Id,
    TicketId,
    SrcChatId,
    SrcMessageId,
    DstChatId,
    DstMessageId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageLinks::Table)
                    .col(pk_auto(MessageLinks::Id))
                    .col(integer(MessageLinks::TicketId))
                    .col(big_integer(MessageLinks::SrcChatId))
                    .col(integer(MessageLinks::SrcMessageId))
                    .col(big_integer(MessageLinks::DstChatId))
                    .col(integer(MessageLinks::DstMessageId))
                    .col(timestamp_with_time_zone(MessageLinks::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_links_ticket_id")
                            .from(MessageLinks::Table, MessageLinks::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // One copy of a given message per destination chat.
        manager
            .create_index(
                Index::create()
                    .name("ux_message_links_src_dst_chat")
                    .table(MessageLinks::Table)
                    .col(MessageLinks::SrcChatId)
                    .col(MessageLinks::SrcMessageId)
                    .col(MessageLinks::DstChatId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Reverse lookup: a reply to (or edit of) a copy finds its original.
        manager
            .create_index(
                Index::create()
                    .name("ix_message_links_dst")
                    .table(MessageLinks::Table)
                    .col(MessageLinks::DstChatId)
                    .col(MessageLinks::DstMessageId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MessageLinks::Table).to_owned())
            .await
    }
}
