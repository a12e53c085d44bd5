//! `spawn_app`: the real `Application`, on its own runtime so a test can
//! stop it gracefully or make it vanish mid-work like a killed process.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Once};
use std::time::Duration;

use fake_telegram::FakeTelegram;
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use topicdesk::config::{LogFormat, Settings};
use topicdesk::entities::inbound_updates;
use topicdesk::schedule::PlannedWork;
use topicdesk::startup::Application;

use super::database::TestDatabase;
use super::logs::CapturedLogs;

pub const WEBHOOK_BASE: &str = "https://bot.example.test";

static LOGGING: Once = Once::new();

/// Logs go to stdout when TEST_LOG is set, otherwise nowhere.
fn init_logging() {
    LOGGING.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            topicdesk::telemetry::init(
                LogFormat::Pretty,
                std::env::var("RUST_LOG").ok().as_deref(),
                topicdesk::telemetry::stdout,
            );
        }
    });
}

/// A last change to the validated settings (e.g. shorter waits).
pub type AdjustSettings = Box<dyn FnOnce(&mut Settings) + Send>;

pub struct AppOptions {
    /// Webhook mode (the default) or long polling.
    pub webhook: bool,
    /// Reuse a fake from an earlier app (e.g. to restart after a crash).
    pub fake: Option<FakeTelegram>,
    /// Reuse a database from an earlier app.
    pub database: Option<Arc<TestDatabase>>,
    /// DATABASE_URL override (e.g. through an outage proxy).
    pub database_url: Option<String>,
    /// The main group's chat id in the fake; created when `None`.
    pub main_group: Option<i64>,
    /// Extra environment variables, as a user would put in .env.
    pub vars: Vec<(String, String)>,
    /// Last adjustments to the validated settings.
    pub adjust: Option<AdjustSettings>,
    /// Collects everything the application logs.
    pub logs: Option<CapturedLogs>,
    /// What planned jobs do, instead of the application's own.
    pub planned_work: Option<Arc<dyn PlannedWork>>,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            webhook: true,
            fake: None,
            database: None,
            database_url: None,
            main_group: None,
            vars: Vec::new(),
            adjust: None,
            logs: None,
            planned_work: None,
        }
    }
}

pub struct TestApp {
    pub fake: FakeTelegram,
    pub address: SocketAddr,
    pub database: Arc<TestDatabase>,
    /// The test's own connection, for assertions.
    pub db: DatabaseConnection,
    pub main_group: i64,
    pub secret: String,
    pub http: reqwest::Client,
    runtime: Option<Runtime>,
    shutdown: CancellationToken,
    finished: Option<oneshot::Receiver<anyhow::Result<()>>>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppOptions::default()).await
}

pub async fn spawn_app_with(options: AppOptions) -> TestApp {
    init_logging();
    let fake = match options.fake {
        Some(fake) => fake,
        None => FakeTelegram::start().await,
    };
    let main_group = match options.main_group {
        Some(id) => id,
        None => fake.add_forum_group("Support"),
    };
    let database = match options.database {
        Some(database) => database,
        None => Arc::new(TestDatabase::create().await),
    };
    let secret = format!("secret_{}", uuid::Uuid::new_v4().simple());

    let mut vars: HashMap<String, String> = [
        ("BOT_TOKEN", fake.token().to_owned()),
        ("MAIN_GROUP_ID", main_group.to_string()),
        ("TELEGRAM_API_URL", fake.api_url()),
        (
            "DATABASE_URL",
            options
                .database_url
                .clone()
                .unwrap_or_else(|| database.url.clone()),
        ),
        ("APP_HOST", "127.0.0.1".to_owned()),
        ("APP_PORT", "0".to_owned()),
        (
            "STORE_STATE_FILE",
            database
                .state_dir()
                .join("store-state.json")
                .display()
                .to_string(),
        ),
        ("STORE_KEY_PREFIX", database.key_prefix().to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if options.webhook {
        vars.insert("WEBHOOK_URL".into(), WEBHOOK_BASE.into());
        vars.insert("WEBHOOK_SECRET".into(), secret.clone());
    }
    if let Ok(redis) = std::env::var("TEST_REDIS_URL")
        && !redis.trim().is_empty()
    {
        vars.insert("REDIS_URL".into(), redis);
    }
    vars.extend(options.vars);

    let mut settings = Settings::from_vars(vars).expect("test settings are valid");
    // Production waits are tuned for Telegram; tests want quick retries.
    settings.intake.retry_base_delay = Duration::from_millis(20);
    settings.intake.shutdown_grace = Duration::from_secs(3);
    settings.intake.self_check_retry = Duration::from_millis(100);
    // Telegram's flood limits are off unless a test enforces them in the fake.
    settings.limits = topicdesk::telegram::limits::Limits::unlimited();
    // The job engine's pauses, in test time.
    settings.jobs.poll = Duration::from_millis(250);
    settings.jobs.retry_first = Duration::from_millis(50);
    settings.jobs.retry_longest = Duration::from_millis(400);
    settings.jobs.outage_longest = Duration::from_millis(200);
    settings.jobs.heartbeat = Duration::from_secs(2);
    if let Some(adjust) = options.adjust {
        adjust(&mut settings);
    }

    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.worker_threads(2).enable_all();
    if let Some(logs) = &options.logs {
        logs.attach(&mut runtime);
    }
    let runtime = runtime.build().expect("a runtime for the application");
    let (ready_tx, ready_rx) = oneshot::channel();
    let (finished_tx, finished_rx) = oneshot::channel();
    let planned_work = options.planned_work;
    runtime.spawn(async move {
        match Application::build(settings).await {
            Ok(app) => {
                let app = match planned_work {
                    Some(work) => app.with_planned_work(work),
                    None => app,
                };
                let _ = ready_tx.send(Ok((app.port(), app.shutdown_token())));
                let _ = finished_tx.send(app.run_until_stopped().await);
            }
            Err(error) => {
                let _ = ready_tx.send(Err(error));
            }
        }
    });
    let (port, shutdown) = ready_rx
        .await
        .expect("the application task ended early")
        .expect("the application builds");
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    if options.webhook {
        fake.route_webhooks_to(address);
        fake.wait_for_webhook()
            .await
            .expect("the application registers its webhook");
    }
    let db = database.connect().await;
    TestApp {
        fake,
        address,
        database,
        db,
        main_group,
        secret,
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("an HTTP client"),
        runtime: Some(runtime),
        shutdown,
        finished: Some(finished_rx),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// POSTs `body` to the webhook with the given secret in path and header.
    pub async fn post_webhook(
        &self,
        body: impl Into<reqwest::Body>,
        secret: &str,
    ) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/webhook/{}", self.secret)))
            .header("x-telegram-bot-api-secret-token", secret)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the webhook answers")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("the application answers")
    }

    pub async fn inbound_rows(&self) -> Vec<inbound_updates::Model> {
        inbound_updates::Entity::find()
            .order_by_asc(inbound_updates::Column::UpdateId)
            .all(&self.db)
            .await
            .expect("reading inbound_updates")
    }

    /// Graceful stop, like SIGTERM; returns what `run_until_stopped` returned.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        let finished = self.finished.take().expect("not stopped yet");
        let result = tokio::time::timeout(Duration::from_secs(20), finished)
            .await
            .expect("the application stops within 20 s")
            .expect("the application reports how it stopped");
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
        result
    }

    /// The process vanishes mid-work: every task is dropped where it stands,
    /// nothing gets to clean up. Returns the fake and database for a restart.
    pub fn crash(mut self) -> (FakeTelegram, Arc<TestDatabase>) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
        (self.fake.clone(), self.database.clone())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
