//! `feedback`: the satisfaction survey a client answers after a ticket is
//! closed; at most one per ticket, three ratings from 1 to 5.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000003_create_tickets::Tickets;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Feedback {
    Table,
    Id,
    TicketId,
    Q1,
    Q2,
    Q3,
    Comment,
    CreatedAt,
}

/// A rating column: `SMALLINT NOT NULL CONSTRAINT name CHECK (col BETWEEN 1 AND 5)`.
fn rating(col: Feedback, constraint: &'static str) -> ColumnDef {
    small_integer(col)
        .check((constraint, Expr::col(col).between(1, 5)))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Feedback::Table)
                    .col(pk_auto(Feedback::Id))
                    .col(integer_uniq(Feedback::TicketId))
                    .col(rating(Feedback::Q1, "ck_feedback_q1_range"))
                    .col(rating(Feedback::Q2, "ck_feedback_q2_range"))
                    .col(rating(Feedback::Q3, "ck_feedback_q3_range"))
                    .col(text_null(Feedback::Comment))
                    .col(timestamp_with_time_zone(Feedback::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_feedback_ticket_id")
                            .from(Feedback::Table, Feedback::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Feedback::Table).to_owned())
            .await
    }
}
