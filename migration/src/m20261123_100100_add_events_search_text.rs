//! `events.search_text`: the text of a bridged message, case-folded by the
//! application (`entities::events::search_form`), so /find matches words
//! case-insensitively with a plain `LIKE` on both databases. Folding in the
//! application rather than with SQL `LOWER()` matters: SQLite's `LOWER()`
//! folds ASCII only, and PostgreSQL's depends on the database's locale, so
//! "Принтер" would not find "принтер" everywhere.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000006_create_events::Events;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Column {
    SearchText,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .add_column(text_null(Column::SearchText))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .drop_column(Column::SearchText)
                    .to_owned(),
            )
            .await
    }
}
