//! Up, status, down and up again.

use migration::Migrator;
use sea_orm_migration::sea_orm::{DatabaseConnection, EntityTrait};
use sea_orm_migration::{MigratorTrait, SchemaManager};
use topicdesk::entities::prelude::{Tickets, Users};

use crate::harness::{migrated, single_connection};

const TABLES: [&str; 15] = [
    "users",
    "technicians",
    "tickets",
    "mirrors",
    "feedback",
    "events",
    "message_links",
    "inbound_updates",
    "outbox",
    "sheet_reports",
    "daily_stats",
    "web_sessions",
    "api_tokens",
    "kb_articles",
    "kb_suggestions",
];

fn migration_names() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

async fn applied_names(db: &DatabaseConnection) -> Vec<String> {
    Migrator::get_applied_migrations(db)
        .await
        .expect("applied migrations")
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

async fn existing_tables(db: &DatabaseConnection) -> Vec<&'static str> {
    let manager = SchemaManager::new(db);
    let mut found = Vec::new();
    for table in TABLES {
        if manager.has_table(table).await.expect("has_table") {
            found.push(table);
        }
    }
    found
}

on_both_backends!(
    migration_names_follow_the_convention,
    up_applies_every_migration_and_status_shows_them_all_applied,
    down_all_the_way_then_up_again_works,
    each_migration_can_be_undone_and_redone_one_step_at_a_time,
    fresh_rebuilds_a_database_that_has_data,
);

async fn migration_names_follow_the_convention(_db: DatabaseConnection) {
    let names = migration_names();
    assert!(!names.is_empty());
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "migrations are listed in timestamp order");
    for name in &names {
        // mYYYYMMDD_HHMMSS_verb_noun
        let bytes = name.as_bytes();
        assert!(name.len() > 17, "{name}");
        assert_eq!(bytes[0], b'm', "{name}");
        assert!(bytes[1..9].iter().all(u8::is_ascii_digit), "{name}");
        assert_eq!(bytes[9], b'_', "{name}");
        assert!(bytes[10..16].iter().all(u8::is_ascii_digit), "{name}");
        assert_eq!(bytes[16], b'_', "{name}");
        assert!(name[17..].contains('_'), "{name}: verb_noun");
    }
}

async fn up_applies_every_migration_and_status_shows_them_all_applied(db: DatabaseConnection) {
    assert_eq!(
        Migrator::get_pending_migrations(&db).await.unwrap().len(),
        migration_names().len()
    );

    migrated(&db).await;

    assert_eq!(applied_names(&db).await, migration_names());
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
    Migrator::status(&db).await.expect("status");
    assert_eq!(existing_tables(&db).await, TABLES);

    // Up again is a no-op.
    migrated(&db).await;
    assert_eq!(applied_names(&db).await, migration_names());
}

async fn down_all_the_way_then_up_again_works(db: DatabaseConnection) {
    migrated(&db).await;

    Migrator::down(&db, None).await.expect("down all");
    assert!(applied_names(&db).await.is_empty());
    assert!(existing_tables(&db).await.is_empty());

    migrated(&db).await;
    assert_eq!(applied_names(&db).await, migration_names());
    assert_eq!(existing_tables(&db).await, TABLES);
}

async fn each_migration_can_be_undone_and_redone_one_step_at_a_time(db: DatabaseConnection) {
    let names = migration_names();
    for n in 1..=names.len() {
        Migrator::up(&db, Some(1)).await.expect("one step up");
        assert_eq!(applied_names(&db).await, names[..n]);
        Migrator::down(&db, Some(1)).await.expect("one step down");
        assert_eq!(applied_names(&db).await, names[..n - 1]);
        Migrator::up(&db, Some(1))
            .await
            .expect("the same step up again");
        assert_eq!(applied_names(&db).await, names[..n]);
    }
    assert_eq!(existing_tables(&db).await, TABLES);

    for n in (0..names.len()).rev() {
        Migrator::down(&db, Some(1)).await.expect("one step down");
        assert_eq!(applied_names(&db).await, names[..n]);
    }
    assert!(existing_tables(&db).await.is_empty());
}

async fn fresh_rebuilds_a_database_that_has_data(db: DatabaseConnection) {
    migrated(&db).await;
    crate::entities::seed_one_of_everything(&db).await;

    let single = single_connection(&db).await;
    Migrator::fresh(&single).await.expect("fresh");
    drop(single);
    assert_eq!(applied_names(&db).await, migration_names());
    assert_eq!(existing_tables(&db).await, TABLES);
    assert!(Tickets::find().all(&db).await.unwrap().is_empty());
    assert!(Users::find().all(&db).await.unwrap().is_empty());
}
