//! The `migration` binary, as an operator runs it.

use std::path::Path;
use std::process::{Command, Output};

use sea_orm_migration::MigratorTrait;
use sea_orm_migration::sea_orm::{Database, EntityTrait};
use topicdesk::entities::prelude::{Tickets, Users};

use crate::harness::PG_ENV;

fn migration_cli(dir: &Path, database_url: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_migration"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("DATABASE_SCHEMA");
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    let output = command.output().expect("run the migration binary");
    assert!(
        output.status.success(),
        "migration {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn without_configuration_the_cli_uses_a_sqlite_file_under_data() {
    let dir = tempfile::tempdir().unwrap();

    let up = text(&migration_cli(dir.path(), None, &["up"]));
    assert!(
        up.contains("database: sqlite://data/topicdesk.db?mode=rwc"),
        "{up}"
    );
    assert!(dir.path().join("data/topicdesk.db").is_file());

    let all = migration::Migrator::migrations().len();
    let status = text(&migration_cli(dir.path(), None, &["status"]));
    let applied = status.matches("... Applied").count();
    assert_eq!(applied, all, "{status}");

    let down = text(&migration_cli(
        dir.path(),
        None,
        &["down", "-n", &all.to_string()],
    ));
    assert!(down.contains("m20261122_000001_create_users"), "{down}");
    let status = text(&migration_cli(dir.path(), None, &["status"]));
    assert_eq!(status.matches("... Pending").count(), all, "{status}");
}

#[tokio::test]
async fn fresh_from_the_cli_rebuilds_a_sqlite_database_that_has_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("td.db").display());
    migration_cli(dir.path(), Some(&url), &["up"]);

    let db = Database::connect(url.as_str()).await.unwrap();
    crate::entities::seed_one_of_everything(&db).await;
    assert_eq!(Tickets::find().all(&db).await.unwrap().len(), 1);
    db.close().await.unwrap();

    let fresh = text(&migration_cli(dir.path(), Some(&url), &["fresh"]));
    assert!(
        fresh.contains("m20261122_000008_create_inbound_updates"),
        "{fresh}"
    );

    let db = Database::connect(url.as_str()).await.unwrap();
    assert!(Tickets::find().all(&db).await.unwrap().is_empty());
    assert!(Users::find().all(&db).await.unwrap().is_empty());
    db.close().await.unwrap();
}

#[test]
fn the_cli_reads_dotenv_and_creates_the_directory_of_the_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "DATABASE_URL=sqlite://state/nested/td.db?mode=rwc\n",
    )
    .unwrap();

    let up = text(&migration_cli(dir.path(), None, &["up"]));
    assert!(up.contains("database: sqlite://state/nested/td.db"), "{up}");
    assert!(dir.path().join("state/nested/td.db").is_file());
}

#[test]
fn the_cli_hides_the_database_password_even_when_it_cannot_connect() {
    let Some(admin_url) = std::env::var(PG_ENV).ok().filter(|url| !url.is_empty()) else {
        println!("{PG_ENV} is not set: skipping the PostgreSQL variant");
        return;
    };
    // The test server, with a password and a database that does not exist.
    let (scheme, rest) = admin_url.split_once("://").unwrap();
    let authority = rest.split(['/', '?']).next().unwrap();
    let (userinfo, host) = authority
        .rsplit_once('@')
        .unwrap_or(("postgres", authority));
    let user = userinfo.split(':').next().unwrap();
    let url = format!("{scheme}://{user}:not-the-password@{host}/topicdesk_no_such_db");

    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_migration"))
        .arg("status")
        .current_dir(dir.path())
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let all = text(&output);
    assert!(!output.status.success(), "{all}");
    assert!(!all.contains("not-the-password"), "{all}");
    assert!(
        all.contains(&format!(
            "database: {scheme}://{user}:***@{host}/topicdesk_no_such_db"
        )),
        "{all}"
    );
    assert!(all.contains("cannot connect to"), "{all}");
    assert!(!all.contains("panicked"), "{all}");
}
