//! A fresh database per test: a temporary SQLite file by default, or a new
//! PostgreSQL database when TEST_DATABASE_URL is set (dropped afterwards).

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tempfile::TempDir;

pub struct TestDatabase {
    /// What the application is given as DATABASE_URL.
    pub url: String,
    backend: Backend,
    /// Files that live as long as the database (the in-process store's state).
    state_dir: TempDir,
    /// The store key prefix of every app on this database, so a restarted
    /// app finds what the previous one left in the store.
    key_prefix: String,
}

enum Backend {
    Sqlite { _dir: TempDir },
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.trim().is_empty() => Self::postgres(admin_url).await,
            _ => Self::sqlite(),
        }
    }

    fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}/topicdesk.db?mode=rwc", dir.path().display());
        TestDatabase {
            url,
            backend: Backend::Sqlite { _dir: dir },
            state_dir: tempfile::tempdir().expect("a temporary directory"),
            key_prefix: format!("topicdesk-test-{}:", uuid::Uuid::new_v4().simple()),
        }
    }

    async fn postgres(admin_url: String) -> TestDatabase {
        let name = format!("topicdesk_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&admin_url)
            .await
            .expect("TEST_DATABASE_URL must point at a reachable PostgreSQL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("creating a test database");
        admin.close().await.ok();
        let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        TestDatabase {
            url: url.to_string(),
            backend: Backend::Postgres { admin_url, name },
            state_dir: tempfile::tempdir().expect("a temporary directory"),
            key_prefix: format!("topicdesk-test-{}:", uuid::Uuid::new_v4().simple()),
        }
    }

    pub fn key_prefix(&self) -> &str {
        &self.key_prefix
    }

    /// A directory that lives as long as the database.
    pub fn state_dir(&self) -> &std::path::Path {
        self.state_dir.path()
    }

    /// The test's own connection, for assertions on what was stored.
    pub async fn connect(&self) -> DatabaseConnection {
        Database::connect(&self.url)
            .await
            .expect("connecting to the test database")
    }

    /// Host and port of the PostgreSQL server, for the outage proxy.
    pub fn postgres_address(&self) -> Option<std::net::SocketAddr> {
        let Backend::Postgres { admin_url, .. } = &self.backend else {
            return None;
        };
        let url = url::Url::parse(admin_url).ok()?;
        let host = url.host_str()?.to_owned();
        let port = url.port().unwrap_or(5432);
        std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
            .ok()?
            .next()
    }

    /// The URL with its host and port replaced, to route through a proxy.
    pub fn url_via(&self, address: std::net::SocketAddr) -> String {
        let mut url = url::Url::parse(&self.url).expect("a database URL");
        url.set_host(Some(&address.ip().to_string()))
            .expect("a host");
        url.set_port(Some(address.port())).expect("a port");
        url.to_string()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Backend::Postgres { admin_url, name } = &self.backend else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs outside any runtime guarantee; use a short-lived one.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}
