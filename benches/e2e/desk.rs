//! A support desk for one run: the fake Telegram with the main group, a
//! technician's group and a staff member; a fresh database (SQLite file or
//! a new PostgreSQL database); Redis under a key prefix of its own; and the
//! environment the bot gets.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use fake_telegram::{FakeOptions, FakeTelegram, UserSpec};
use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;

use crate::bot::BotProcess;

/// Where the bot keeps its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// SQLite + the in-process store: `cargo run` with no services.
    Embedded,
    /// PostgreSQL + Redis: the production set-up.
    Services,
}

impl Lane {
    pub fn name(self) -> &'static str {
        match self {
            Lane::Embedded => "SQLite + in-process store",
            Lane::Services => "PostgreSQL + Redis",
        }
    }

    /// The lane as written on the command line, for file names.
    pub fn slug(self) -> &'static str {
        match self {
            Lane::Embedded => "embedded",
            Lane::Services => "services",
        }
    }
}

pub fn postgres_admin_url() -> String {
    std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub fn redis_url() -> String {
    std::env::var("BENCH_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

pub struct Desk {
    pub lane: Lane,
    pub fake: FakeTelegram,
    pub main_group: i64,
    pub staff: i64,
    pub tech: i64,
    pub tech_group: i64,
    pub secret: String,
    /// What the bot is given as DATABASE_URL.
    pub database_url: String,
    postgres_name: Option<String>,
    pub key_prefix: String,
    /// Logs, the SQLite file and the store's state file.
    pub dir: TempDir,
    /// Extra variables for the bot (e.g. TELEGRAM_FLOOD_LIMITS).
    pub extra_vars: Vec<(String, String)>,
}

impl Desk {
    pub async fn open(lane: Lane) -> anyhow::Result<Desk> {
        let fake = FakeTelegram::start_with(FakeOptions::default().webhook_concurrency(40)).await;
        // The benchmark posts updates itself, on its own schedule.
        fake.hold_deliveries(true);
        let main_group = fake.add_forum_group("Support");
        let staff = fake.add_user(UserSpec::new("Sveta").username("sveta"));
        fake.add_member(main_group, staff);
        let tech = fake.add_user(UserSpec::new("Ivan").last_name("Petrov").username("ivan"));
        let tech_group = fake.add_forum_group("Ivan's desk");
        fake.add_member(tech_group, tech);
        let dir = tempfile::tempdir().context("a temporary directory")?;
        let run_id = uuid::Uuid::new_v4().simple().to_string();
        let (database_url, postgres_name) = match lane {
            Lane::Embedded => (
                format!("sqlite://{}/topicdesk.db?mode=rwc", dir.path().display()),
                None,
            ),
            Lane::Services => {
                let name = format!("topicdesk_bench_{run_id}");
                let admin = Database::connect(&postgres_admin_url())
                    .await
                    .context("PostgreSQL must be running (BENCH_DATABASE_URL)")?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await?;
                admin.close().await.ok();
                let mut url = url::Url::parse(&postgres_admin_url())?;
                url.set_path(&name);
                // Like the compose deployment, whose PostgreSQL has no TLS:
                // a local server with TLS switched on would otherwise put a
                // TLS layer under every query, which measures rustls, not us.
                if !url.query_pairs().any(|(k, _)| k == "sslmode") {
                    url.query_pairs_mut().append_pair("sslmode", "disable");
                }
                (url.to_string(), Some(name))
            }
        };
        Ok(Desk {
            lane,
            fake,
            main_group,
            staff,
            tech,
            tech_group,
            secret: format!("bench_{run_id}"),
            database_url,
            postgres_name,
            key_prefix: format!("topicdesk-bench-{run_id}:"),
            dir,
            extra_vars: Vec::new(),
        })
    }

    /// The bot does not pace itself: the fake enforces no limits either, and
    /// the run measures the bot, not Telegram's ceilings.
    pub fn without_flood_limits(&mut self) {
        self.extra_vars
            .push(("TELEGRAM_FLOOD_LIMITS".into(), "off".into()));
    }

    /// The run's own PostgreSQL database, in the services lane.
    pub fn postgres_name(&self) -> Option<&str> {
        self.postgres_name.as_deref()
    }

    /// The environment of the bot, as a user would write it in .env.
    pub fn bot_vars(&self) -> BTreeMap<String, String> {
        let mapping = format!(
            r#"[{{"name":"Ivan Petrov","username":"ivan","tg_user_id":{},"group_chat_id":{}}}]"#,
            self.tech, self.tech_group
        );
        let mut vars: BTreeMap<String, String> = [
            ("BOT_TOKEN", self.fake.token()),
            ("MAIN_GROUP_ID", self.main_group.to_string()),
            ("TECH_GROUPS_MAPPING", mapping),
            ("TELEGRAM_API_URL", self.fake.api_url()),
            ("WEBHOOK_URL", "https://bot.example.test".to_owned()),
            ("WEBHOOK_SECRET", self.secret.clone()),
            ("DATABASE_URL", self.database_url.clone()),
            ("STORE_KEY_PREFIX", self.key_prefix.clone()),
            (
                "STORE_STATE_FILE",
                self.dir
                    .path()
                    .join("store-state.json")
                    .display()
                    .to_string(),
            ),
            ("RUST_LOG", "warn".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if self.lane == Lane::Services {
            vars.insert("REDIS_URL".into(), redis_url());
        }
        vars.extend(self.extra_vars.iter().cloned());
        // Experiments (an allocator setting, a log level) without editing
        // the scenarios: BENCH_BOT_ENV="MALLOC_ARENA_MAX=2,RUST_LOG=info".
        if let Ok(extra) = std::env::var("BENCH_BOT_ENV") {
            vars.extend(extra.split(',').filter_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                Some((key.trim().to_owned(), value.trim().to_owned()))
            }));
        }
        vars
    }

    /// Starts one bot process on this desk.
    pub async fn start_bot(&self) -> anyhow::Result<BotProcess> {
        self.start_bot_with(&self.bot_vars()).await
    }

    pub async fn start_bot_with(
        &self,
        vars: &BTreeMap<String, String>,
    ) -> anyhow::Result<BotProcess> {
        let bot = BotProcess::start(vars, self.dir.path()).await?;
        self.fake
            .wait_for_webhook()
            .await
            .context("the bot registers its webhook")?;
        Ok(bot)
    }

    /// `count` new clients who have started the bot.
    pub fn add_clients(&self, count: usize) -> Vec<i64> {
        (0..count)
            .map(|i| {
                self.fake.add_user(
                    UserSpec::new(format!("Client{i:03}")).username(format!("client{i:03}")),
                )
            })
            .collect()
    }

    /// The webhook body of `text` written by `client` in the private chat.
    pub fn client_update(&self, client: i64, text: &str) -> String {
        let sent = self.fake.user(client).text(text);
        self.fake
            .take_update(sent.update_id)
            .expect("deliveries are held, so the update is still queued")
    }

    /// The webhook URL path on a bot's listener.
    pub fn webhook_url(&self, bot: SocketAddr) -> String {
        format!("http://{bot}/webhook/{}", self.secret)
    }

    /// Copies the bots' logs out of the run's temporary directory (which
    /// `clean_up` deletes) into `target/tmp/e2e-logs/{name}/`, so a fault
    /// run's logs can still be read after it; returns that directory.
    pub fn keep_logs(&self, name: &str) -> PathBuf {
        let kept = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("e2e-logs")
            .join(name);
        let _ = std::fs::remove_dir_all(&kept);
        let _ = std::fs::create_dir_all(&kept);
        let logs = std::fs::read_dir(self.dir.path())
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| entry.path().extension().is_some_and(|e| e == "log"));
        for log in logs {
            let _ = std::fs::copy(log.path(), kept.join(log.file_name()));
        }
        kept
    }

    /// Drops the PostgreSQL database and the Redis keys of this run. With
    /// BENCH_KEEP_LOGS set, the bots' logs are kept first (see `keep_logs`).
    pub async fn clean_up(self) {
        if std::env::var_os("BENCH_KEEP_LOGS").is_some() {
            let kept = self.keep_logs(self.key_prefix.trim_end_matches(':'));
            eprintln!("bot logs kept in {}", kept.display());
        }
        if let Some(name) = &self.postgres_name
            && let Ok(admin) = Database::connect(&postgres_admin_url()).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
            admin.close().await.ok();
        }
        if self.lane == Lane::Services {
            let _ = delete_redis_keys(&self.key_prefix).await;
        }
        self.fake.shutdown().await;
    }
}

async fn delete_redis_keys(prefix: &str) -> anyhow::Result<()> {
    let client = redis::Client::open(redis_url())?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await?;
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL").arg(keys).query_async(&mut conn).await?;
    }
    Ok(())
}
