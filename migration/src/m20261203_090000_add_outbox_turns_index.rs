//! An index for a group lane's read (`outbox/lane.rs`): the pending rows of
//! one chat by ticket, so the read can step from one waiting ticket to the
//! next and take the first rows of each, instead of numbering every pending
//! row of the chat to pick them. Partial (pending rows only) and keyed on
//! `COALESCE(ticket_id, 0)`, the lane's turn key (rows without a ticket
//! take their turn as 0); the same statement works on both databases.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_outbox_pending_turns";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE INDEX {INDEX} ON outbox \
                 (lane_chat_id, (COALESCE(ticket_id, 0)), id) WHERE status = 'PENDING'"
            ))
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX {INDEX}"))
            .await
            .map(|_| ())
    }
}
