//! `technicians.available`: the managers' switch (/tech_on, /tech_off) for
//! whether a technician takes new tickets. It is kept apart from
//! `is_active`, which says whether the technician is in TECH_GROUPS_MAPPING
//! and is rewritten by the sync at every start; a manager's choice must
//! survive that. New cards offer technicians that are both.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000002_create_technicians::Technicians;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Column {
    Available,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Technicians::Table)
                    .add_column(boolean(Column::Available).default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite drops columns since 3.35; sqlx bundles a newer one.
        manager
            .alter_table(
                Table::alter()
                    .table(Technicians::Table)
                    .drop_column(Column::Available)
                    .to_owned(),
            )
            .await
    }
}
