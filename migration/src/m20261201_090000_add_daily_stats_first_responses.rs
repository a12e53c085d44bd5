//! `daily_stats.first_responses`: how many first responses a day's
//! percentiles were taken over, so several days' figures can be combined
//! (weighted by it) into the period `/stats` shows.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DailyStats {
    Table,
    FirstResponses,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DailyStats::Table)
                    .add_column(integer(DailyStats::FirstResponses).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DailyStats::Table)
                    .drop_column(DailyStats::FirstResponses)
                    .to_owned(),
            )
            .await
    }
}
