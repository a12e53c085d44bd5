//! The knowledge base: `kb_articles` (the team's saved answers, one row per
//! slug and language: translations share a slug) and `kb_suggestions`
//! (which articles a client was offered before a person, and what came of
//! it). Two columns on `tickets` go with them: `close_reason` (`KB` when
//! the client's «Помогло» closed it) and `kb_held` (the ticket is `HELD`
//! while the client reads the offered articles, not for a category).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000003_create_tickets::Tickets;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KbArticles {
    Table,
    Id,
    /// `a-z0-9-`; unique per language.
    Slug,
    /// `ru`, `kk` or `en`.
    Language,
    Title,
    Body,
    /// The body's Telegram entities (JSON array).
    Entities,
    /// Tags (JSON array of strings).
    Tags,
    /// A Telegram file_id and its kind (photo, document, video, …).
    MediaFileId,
    MediaKind,
    Published,
    CreatedBy,
    CreatedAt,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum KbSuggestions {
    Table,
    Id,
    TicketId,
    ClientTgId,
    ArticleId,
    /// The article's slug, kept when the article is deleted.
    Slug,
    Score,
    /// `OFFERED`, `HELPED`, `NEEDED_PERSON` or `TIMED_OUT`.
    Outcome,
    CreatedAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Column {
    CloseReason,
    KbHeld,
}

const ARTICLE_KEY: &str = "ux_kb_articles_slug_language";
const SUGGESTION_TICKET: &str = "ix_kb_suggestions_ticket";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KbArticles::Table)
                    .col(pk_auto(KbArticles::Id))
                    .col(text(KbArticles::Slug))
                    .col(text(KbArticles::Language))
                    .col(text(KbArticles::Title))
                    .col(text(KbArticles::Body))
                    .col(json_binary(KbArticles::Entities))
                    .col(json_binary(KbArticles::Tags))
                    .col(text_null(KbArticles::MediaFileId))
                    .col(text_null(KbArticles::MediaKind))
                    .col(boolean(KbArticles::Published).default(true))
                    .col(big_integer_null(KbArticles::CreatedBy))
                    .col(timestamp_with_time_zone(KbArticles::CreatedAt))
                    .col(big_integer_null(KbArticles::UpdatedBy))
                    .col(timestamp_with_time_zone(KbArticles::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(ARTICLE_KEY)
                    .table(KbArticles::Table)
                    .col(KbArticles::Slug)
                    .col(KbArticles::Language)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KbSuggestions::Table)
                    .col(pk_auto(KbSuggestions::Id))
                    .col(integer_null(KbSuggestions::TicketId))
                    .col(big_integer(KbSuggestions::ClientTgId))
                    .col(integer_null(KbSuggestions::ArticleId))
                    .col(text(KbSuggestions::Slug))
                    .col(double(KbSuggestions::Score))
                    .col(text(KbSuggestions::Outcome))
                    .col(timestamp_with_time_zone(KbSuggestions::CreatedAt))
                    .col(timestamp_with_time_zone_null(KbSuggestions::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_kb_suggestions_ticket")
                            .from(KbSuggestions::Table, KbSuggestions::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::SetNull)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_kb_suggestions_article")
                            .from(KbSuggestions::Table, KbSuggestions::ArticleId)
                            .to(KbArticles::Table, KbArticles::Id)
                            .on_delete(ForeignKeyAction::SetNull)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(SUGGESTION_TICKET)
                    .table(KbSuggestions::Table)
                    .col(KbSuggestions::TicketId)
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters one at a time.
        for column in [
            text_null(Column::CloseReason),
            boolean(Column::KbHeld).default(false).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Column::KbHeld, Column::CloseReason] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(KbSuggestions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(KbArticles::Table).to_owned())
            .await
    }
}
