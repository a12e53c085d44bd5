//! `sheet_reports`: closed tickets owed to the Google Sheets report, one row
//! per ticket (`ticket_id` is unique). Due at `ready_at`; the report worker
//! appends due rows and marks them `SENT` (see `crate::services::sheets`).

use sea_orm::entity::prelude::*;

/// Whether the ticket's report row has reached the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ReportStatus {
    /// Waiting for `ready_at`, or for Sheets to come back.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Appended to the report.
    #[sea_orm(string_value = "SENT")]
    Sent,
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sheet_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub ticket_id: i32,
    pub status: ReportStatus,
    pub ready_at: DateTimeUtc,
    #[sea_orm(default_value = 0)]
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
