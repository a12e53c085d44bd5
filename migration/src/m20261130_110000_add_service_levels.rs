//! Service levels and routing on the ticket: its `priority` (`LOW`,
//! `NORMAL`, `HIGH`, `URGENT`), its `category` (a key of CATEGORIES), the
//! SLA deadlines (`first_response_due`, `resolution_due`, in business time,
//! the latter moved out while the ticket waits for the client), when it
//! began waiting (`waiting_since`, status `WAITING`), and the moment each
//! SLA warning and breach fired — set once, by whoever claims it first, so
//! each fires exactly once across restarts and instances.
//!
//! A ticket may also be `HELD`: it exists (the client's messages are kept,
//! in order, as `HELD` outbox rows) but has no topic yet, until the client
//! picks a category.
//!
//! `daily_stats` holds the nightly rollup: one row per day, category and
//! technician (`''` and `0` standing for none, so the unique key works alike
//! on both databases).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000003_create_tickets::Tickets;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Column {
    Priority,
    Category,
    FirstResponseDue,
    ResolutionDue,
    WaitingSince,
    FirstResponseWarnedAt,
    FirstResponseBreachedAt,
    ResolutionWarnedAt,
    ResolutionBreachedAt,
}

#[derive(DeriveIden)]
enum DailyStats {
    Table,
    Id,
    Day,
    Category,
    TechId,
    Opened,
    Closed,
    FirstResponseP50Secs,
    FirstResponseP90Secs,
    ResolutionP50Secs,
    ResolutionP90Secs,
    SlaMet,
    SlaBreached,
    SurveyQ1Avg,
    SurveyQ2Avg,
    SurveyQ3Avg,
    SurveyResponses,
    ComputedAt,
}

const TICKET_COLUMNS: usize = 9;
const DUE_INDEX: &str = "ix_tickets_status_first_response_due";
const RESOLUTION_INDEX: &str = "ix_tickets_status_resolution_due";
const DAILY_KEY: &str = "ux_daily_stats_day_category_tech";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns: [ColumnDef; TICKET_COLUMNS] = [
            text(Column::Priority).default("NORMAL").to_owned(),
            text_null(Column::Category),
            timestamp_with_time_zone_null(Column::FirstResponseDue),
            timestamp_with_time_zone_null(Column::ResolutionDue),
            timestamp_with_time_zone_null(Column::WaitingSince),
            timestamp_with_time_zone_null(Column::FirstResponseWarnedAt),
            timestamp_with_time_zone_null(Column::FirstResponseBreachedAt),
            timestamp_with_time_zone_null(Column::ResolutionWarnedAt),
            timestamp_with_time_zone_null(Column::ResolutionBreachedAt),
        ];
        // One column per statement: SQLite alters one at a time.
        for column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for (name, due) in [
            (DUE_INDEX, Column::FirstResponseDue),
            (RESOLUTION_INDEX, Column::ResolutionDue),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Tickets::Table)
                        .col(Tickets::Status)
                        .col(due)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(DailyStats::Table)
                    .col(pk_auto(DailyStats::Id))
                    // YYYY-MM-DD in the business hours' time zone (UTC without).
                    .col(text(DailyStats::Day))
                    .col(text(DailyStats::Category).default(""))
                    .col(integer(DailyStats::TechId).default(0))
                    .col(integer(DailyStats::Opened).default(0))
                    .col(integer(DailyStats::Closed).default(0))
                    .col(double_null(DailyStats::FirstResponseP50Secs))
                    .col(double_null(DailyStats::FirstResponseP90Secs))
                    .col(double_null(DailyStats::ResolutionP50Secs))
                    .col(double_null(DailyStats::ResolutionP90Secs))
                    .col(integer(DailyStats::SlaMet).default(0))
                    .col(integer(DailyStats::SlaBreached).default(0))
                    .col(double_null(DailyStats::SurveyQ1Avg))
                    .col(double_null(DailyStats::SurveyQ2Avg))
                    .col(double_null(DailyStats::SurveyQ3Avg))
                    .col(integer(DailyStats::SurveyResponses).default(0))
                    .col(timestamp_with_time_zone(DailyStats::ComputedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(DAILY_KEY)
                    .table(DailyStats::Table)
                    .col(DailyStats::Day)
                    .col(DailyStats::Category)
                    .col(DailyStats::TechId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DailyStats::Table).to_owned())
            .await?;
        for name in [DUE_INDEX, RESOLUTION_INDEX] {
            manager
                .drop_index(Index::drop().name(name).table(Tickets::Table).to_owned())
                .await?;
        }
        for column in [
            Column::ResolutionBreachedAt,
            Column::ResolutionWarnedAt,
            Column::FirstResponseBreachedAt,
            Column::FirstResponseWarnedAt,
            Column::WaitingSince,
            Column::ResolutionDue,
            Column::FirstResponseDue,
            Column::Category,
            Column::Priority,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
