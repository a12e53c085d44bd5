//! `tech_threads` becomes `mirrors`: the technician's mirrored topic of a
//! ticket had three names in the code (thread, bridge, mirror); it keeps one.
//! Its columns `tech_chat_id` and `tech_thread_id` become `chat_id` and
//! `thread_id`, and its indexes and foreign keys are renamed to match.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (old, new) index names.
const INDEXES: [(&str, &str, &str); 2] = [
    (
        "ix_tech_threads_tech_chat_id_tech_thread_id",
        "ix_mirrors_chat_id_thread_id",
        "chat_id, thread_id",
    ),
    (
        "ix_tech_threads_ticket_id",
        "ix_mirrors_ticket_id",
        "ticket_id",
    ),
];
const FOREIGN_KEYS: [(&str, &str); 2] = [
    ("fk_tech_threads_ticket_id", "fk_mirrors_ticket_id"),
    ("fk_tech_threads_tech_id", "fk_mirrors_tech_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rename(manager, Direction::Up).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rename(manager, Direction::Down).await
    }
}

#[derive(Clone, Copy)]
enum Direction {
    Up,
    Down,
}

async fn rename(manager: &SchemaManager<'_>, direction: Direction) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let pick = |old: &'static str, new: &'static str| match direction {
        Direction::Up => (old, new),
        Direction::Down => (new, old),
    };
    let (from_table, to_table) = pick("tech_threads", "mirrors");
    let mut statements = vec![format!("ALTER TABLE {from_table} RENAME TO {to_table}")];
    for (old, new) in [("tech_chat_id", "chat_id"), ("tech_thread_id", "thread_id")] {
        let (from, to) = pick(old, new);
        statements.push(format!(
            "ALTER TABLE {to_table} RENAME COLUMN {from} TO {to}"
        ));
    }
    match backend {
        DatabaseBackend::Postgres => {
            for (old, new, _) in INDEXES {
                let (from, to) = pick(old, new);
                statements.push(format!("ALTER INDEX {from} RENAME TO {to}"));
            }
            for (old, new) in FOREIGN_KEYS {
                let (from, to) = pick(old, new);
                statements.push(format!(
                    "ALTER TABLE {to_table} RENAME CONSTRAINT {from} TO {to}"
                ));
            }
        }
        // SQLite cannot rename an index: make it anew under the new name.
        // Its foreign keys carry no names of their own there.
        _ => {
            for (old, new, columns) in INDEXES {
                let (from, to) = pick(old, new);
                let columns = match direction {
                    Direction::Up => columns.to_owned(),
                    Direction::Down => columns
                        .replace("chat_id", "tech_chat_id")
                        .replace("thread_id", "tech_thread_id"),
                };
                statements.push(format!("DROP INDEX IF EXISTS {from}"));
                statements.push(format!("CREATE INDEX {to} ON {to_table} ({columns})"));
            }
        }
    }
    for statement in statements {
        db.execute_unprepared(&statement).await?;
    }
    Ok(())
}
