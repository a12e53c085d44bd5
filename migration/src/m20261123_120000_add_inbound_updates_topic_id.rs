//! `inbound_updates.topic_id`: the forum topic an update belongs to (0 when
//! none). With `chat_id` it is the update's ordering key: when several bot
//! instances share the database, an update waits for the unfinished older
//! updates of the same chat and topic, wherever they were received.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000008_create_inbound_updates::InboundUpdates;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Column {
    TopicId,
}

const INDEX: &str = "ix_inbound_updates_chat_topic_status";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(InboundUpdates::Table)
                    .add_column(integer_null(Column::TopicId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(InboundUpdates::Table)
                    .col(InboundUpdates::ChatId)
                    .col(Column::TopicId)
                    .col(InboundUpdates::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(InboundUpdates::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(InboundUpdates::Table)
                    .drop_column(Column::TopicId)
                    .to_owned(),
            )
            .await
    }
}
