//! Wiring: database, store, Telegram, HTTP, intake and the dispatcher.
//! `Application::build` is what `main` and the integration tests both start.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use teloxide::dispatching::Dispatcher;
use teloxide::dptree::{self, di::DependencyMap};
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::Requester;
use teloxide::types::AllowedUpdate;
use teloxide::update_listeners::UpdateListener;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::bot::{self, Places};
use crate::config::Settings;
use crate::database;
use crate::http::{self, Readiness};
use crate::intake::webhook::WebhookState;
use crate::intake::{
    InboundListener, InboundStore, Intake, UpdateProcessor, UpdateQueue, ordering_key, run_polling,
};
use crate::metrics::Metrics;
use crate::outbox::{DeliveryEngine, Executor, Outbox};
use crate::self_check::{self, RequiredGroup, SelfCheckStatus};
use crate::services::bridge::BridgeService;
use crate::services::sheets::{Sheets, run_report_worker};
use crate::services::survey::SurveyService;
use crate::services::technicians;
use crate::services::tickets::TicketService;
use crate::store::Store;
use crate::telegram::limits::RateLimiter;
use crate::telegram::{ALLOWED_UPDATES, Telegram};
use crate::texts::Texts;

/// Per-chat queue length inside the dispatcher. Deep enough that one busy chat
/// does not block the dispatcher loop feeding the others.
const WORKER_QUEUE_SIZE: usize = 4096;
/// How often finished inbound rows are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

pub struct Application {
    settings: Arc<Settings>,
    listener: TcpListener,
    db: DatabaseConnection,
    store: Store,
    sheets: Sheets,
    telegram: Telegram,
    metrics: Metrics,
    intake: Intake,
    inbound: InboundStore,
    queue: UpdateQueue,
    updates: InboundListener,
    self_check: SelfCheckStatus,
    shutdown: CancellationToken,
}

impl Application {
    /// Connects to everything and binds the HTTP port; nothing is processed
    /// until `run_until_stopped`.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let db = database::connect_and_migrate(&settings.database)
            .await
            .context("cannot open the database (DATABASE_URL)")?;
        let store = match &settings.store.redis_url {
            Some(url) => Store::redis(url.expose_secret(), &settings.store.key_prefix)
                .await
                .context("cannot reach Redis (REDIS_URL)")?,
            None => {
                tracing::info!(
                    "REDIS_URL not set: using the in-process store; run one instance only"
                );
                Store::in_process_saved(
                    &settings.store.key_prefix,
                    settings.store.state_file.clone(),
                )
            }
        };
        let report = technicians::sync(&db, &settings.technicians)
            .await
            .context("cannot sync technicians from TECH_GROUPS_MAPPING")?;
        // The cached list of technicians may predate this sync.
        technicians::forget_active_technicians(&store).await;
        tracing::info!(
            added = report.added,
            updated = report.updated,
            deactivated = report.deactivated,
            "technicians synced"
        );
        let sheets = Sheets::from_settings(&settings.sheets, store.clone())
            .await
            .context("Google Sheets settings")?;
        tracing::info!("{}", sheets.describe());

        let metrics = Metrics::new();
        let telegram = Telegram::new(&settings.telegram, metrics.clone());
        let inbound = InboundStore::new(db.clone());
        let (queue, updates) = UpdateQueue::new(settings.intake.queue_capacity, metrics.clone());
        let intake = Intake::new(inbound.clone(), queue.clone(), metrics.clone());

        let address = SocketAddr::new(settings.http.host, settings.http.port);
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address} (APP_HOST, APP_PORT)"))?;

        Ok(Application {
            settings: Arc::new(settings),
            listener,
            db,
            store,
            sheets,
            telegram,
            metrics,
            intake,
            inbound,
            queue,
            updates,
            self_check: SelfCheckStatus::default(),
            shutdown: CancellationToken::new(),
        })
    }

    /// The port actually bound (APP_PORT=0 picks a free one).
    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
            .port()
    }

    /// Cancelling it stops the application gracefully, like SIGTERM.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Runs until SIGTERM, SIGINT or the shutdown token; then stops intake,
    /// lets in-flight updates finish for the grace period, and returns.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Application {
            settings,
            listener,
            db,
            store,
            sheets,
            telegram,
            metrics,
            intake,
            inbound,
            queue,
            updates,
            self_check,
            shutdown,
        } = self;
        let mut tasks: Vec<JoinHandle<()>> = Vec::new();
        tasks.push(tokio::spawn(cancel_on_signal(shutdown.clone())));

        // Reads back what the full in-memory queue left in the database.
        tasks.push(tokio::spawn(intake.clone().refill(shutdown.clone())));
        // Unfinished work from the last run goes first, before anything new.
        let replayed = intake
            .replay_pending(settings.intake.max_attempts)
            .await
            .context("cannot read unfinished updates")?;
        if replayed > 0 {
            tracing::info!(
                replayed,
                "replaying updates left unfinished by the last run"
            );
        }

        let webhook = settings.webhook.as_ref().map(|webhook| WebhookState {
            intake: intake.clone(),
            secret: webhook.secret.clone(),
        });
        let readiness = Readiness {
            db: db.clone(),
            store: store.clone(),
            self_check: self_check.clone(),
        };
        let router = http::router(readiness, metrics.clone(), webhook);
        let http_shutdown = shutdown.clone();
        let http_task = tokio::spawn(async move {
            let server = axum::serve(listener, router)
                .with_graceful_shutdown(async move { http_shutdown.cancelled().await });
            if let Err(error) = server.await {
                tracing::error!(error = %error, "HTTP server failed");
            }
        });

        match &settings.webhook {
            Some(webhook) => tasks.push(tokio::spawn(register_webhook(
                telegram.clone(),
                webhook.endpoint(),
                webhook.secret.expose_secret().to_owned(),
                shutdown.clone(),
            ))),
            None => tasks.push(tokio::spawn(start_polling(
                telegram.clone(),
                intake.clone(),
                shutdown.clone(),
            ))),
        }
        tasks.push(tokio::spawn(set_command_menus(
            telegram.clone(),
            Texts::new(settings.language),
            settings.main_group_id,
            settings.admin_ids.clone(),
            shutdown.clone(),
        )));
        tasks.push(tokio::spawn(keep_self_checking(
            telegram.clone(),
            RequiredGroup::from_settings(&settings),
            self_check,
            settings.intake.self_check_retry,
            shutdown.clone(),
        )));
        tasks.push(tokio::spawn(prune_periodically(
            inbound.clone(),
            db.clone(),
            settings.intake.retention,
            shutdown.clone(),
        )));

        let texts = Texts::new(settings.language);
        let (outbox, wake_requests) = Outbox::new();
        let tickets = TicketService::new(
            db.clone(),
            outbox.clone(),
            store.clone(),
            texts,
            settings.main_group_id,
            settings.survey_ttl,
        );
        let bridge = BridgeService::new(db.clone(), outbox.clone(), store.clone(), texts);
        let survey = SurveyService::new(
            db.clone(),
            outbox.clone(),
            store.clone(),
            texts,
            telegram.clone(),
            settings.survey_ttl,
        );
        let engine = DeliveryEngine::new(
            db.clone(),
            Executor::new(
                db.clone(),
                telegram.clone(),
                RateLimiter::new(settings.limits),
                texts,
                tickets.clone(),
                sheets.clone(),
                store.clone(),
            ),
            // With Redis, other instances may share the outbox.
            settings.store.redis_url.is_some().then(|| store.clone()),
            shutdown.clone(),
        );
        let deliveries = engine.clone();
        tasks.push(tokio::spawn(engine.run(wake_requests)));
        tasks.push(tokio::spawn(run_report_worker(
            sheets,
            db.clone(),
            shutdown.clone(),
        )));

        let mut deps = DependencyMap::new();
        deps.insert(telegram.bot().clone());
        deps.insert(telegram.clone());
        deps.insert(db.clone());
        deps.insert(store.clone());
        deps.insert(texts);
        deps.insert(settings.clone());
        deps.insert(Places::from_settings(&settings));
        deps.insert(outbox);
        deps.insert(tickets);
        deps.insert(bridge);
        deps.insert(survey);
        let processor = Arc::new(
            UpdateProcessor::new(
                bot::schema(),
                deps,
                inbound,
                queue,
                metrics,
                &settings.intake,
                shutdown.clone(),
            )
            // With Redis, other instances may share the database.
            .shared_with_other_instances(settings.store.redis_url.is_some()),
        );
        let mut updates = updates;
        let stop_listening = updates.stop_token();
        let dispatcher_task = tokio::spawn(run_dispatcher(
            telegram,
            processor,
            updates,
            shutdown.clone(),
        ));

        shutdown.cancelled().await;
        tracing::info!("shutting down: intake stopped, finishing in-flight updates");
        // Ends the listener's stream; the dispatcher then waits for its
        // workers, which skip whatever has not started (it stays pending).
        stop_listening.stop();
        let grace = settings.intake.shutdown_grace;
        if tokio::time::timeout(grace, async {
            let _ = dispatcher_task.await;
            let _ = http_task.await;
            deliveries.finished().await;
        })
        .await
        .is_err()
        {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "some updates did not finish in time; they will be replayed at the next start"
            );
        }
        for task in tasks {
            task.abort();
        }
        tracing::info!("stopped");
        Ok(())
    }
}

async fn cancel_on_signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(error = %error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => tracing::info!("SIGINT received"),
        _ = terminate => tracing::info!("SIGTERM received"),
        _ = shutdown.cancelled() => return,
    }
    shutdown.cancel();
}

/// Waits until Telegram answers getMe (the dispatcher asks first), then
/// dispatches until the listener is stopped.
async fn run_dispatcher(
    telegram: Telegram,
    processor: Arc<UpdateProcessor>,
    updates: InboundListener,
    shutdown: CancellationToken,
) {
    let mut backoff = Duration::from_millis(500);
    loop {
        let mut dispatcher =
            Dispatcher::builder(telegram.bot().clone(), UpdateProcessor::root_handler())
                .dependencies(dptree::deps![processor.clone()])
                .distribution_function(ordering_key)
                .worker_queue_size(WORKER_QUEUE_SIZE)
                .error_handler(LoggingErrorHandler::with_custom_text(
                    "an update handler failed",
                ))
                .build();
        let result = dispatcher
            .try_dispatch_with_listener(
                updates.clone(),
                LoggingErrorHandler::with_custom_text("update listener failed"),
            )
            .await;
        match result {
            Ok(()) => return,
            Err(error) => {
                tracing::error!(error = %error, retry_in_ms = backoff.as_millis() as u64, "cannot start dispatching: getMe failed");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
}

async fn register_webhook(
    telegram: Telegram,
    endpoint: String,
    secret: String,
    shutdown: CancellationToken,
) {
    let url = match reqwest::Url::parse(&endpoint) {
        Ok(url) => url,
        Err(error) => {
            tracing::error!(error = %error, "WEBHOOK_URL does not form a valid webhook URL");
            return;
        }
    };
    let allowed: Vec<AllowedUpdate> = ALLOWED_UPDATES
        .iter()
        .filter_map(|kind| serde_json::from_value(serde_json::json!(kind)).ok())
        .collect();
    let mut backoff = Duration::from_secs(1);
    loop {
        let request = telegram
            .bot()
            .set_webhook(url.clone())
            .secret_token(secret.clone())
            .allowed_updates(allowed.clone());
        match telegram.call(request).await {
            Ok(_) => {
                tracing::info!(path = "/webhook/…", "webhook registered with Telegram");
                return;
            }
            Err(error) => {
                tracing::error!(error = %error, "setWebhook failed; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}

/// Sets the command menus, retrying while Telegram cannot be reached.
async fn set_command_menus(
    telegram: Telegram,
    texts: Texts,
    main_group: i64,
    admins: Vec<i64>,
    shutdown: CancellationToken,
) {
    let mut backoff = Duration::from_secs(1);
    loop {
        match crate::bot::menus::set_menus(&telegram, &texts, main_group, &admins).await {
            Ok(()) => return,
            Err(error) => {
                tracing::warn!(error = %error, "command menus not set yet; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(300));
            }
        }
    }
}

async fn start_polling(telegram: Telegram, intake: Intake, shutdown: CancellationToken) {
    // getUpdates refuses to work while a webhook is registered.
    let mut backoff = Duration::from_secs(1);
    loop {
        match telegram.call(telegram.bot().delete_webhook()).await {
            Ok(_) => break,
            Err(error) => {
                tracing::error!(error = %error, "deleteWebhook failed; retrying before polling");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
    run_polling(telegram, intake, shutdown).await;
}

/// Runs the self-check, and again every `retry` while it finds problems, so
/// /readyz turns green once the user fixes the group settings.
async fn keep_self_checking(
    telegram: Telegram,
    groups: Vec<RequiredGroup>,
    status: SelfCheckStatus,
    retry: Duration,
    shutdown: CancellationToken,
) {
    let mut reported: Vec<String> = Vec::new();
    loop {
        let problems = self_check::run(&telegram, &groups).await;
        for problem in &problems {
            if !reported.contains(problem) {
                tracing::error!(problem = %problem, "self-check");
            }
        }
        if problems.is_empty() {
            tracing::info!(groups = groups.len(), "self-check passed");
        }
        let done = problems.is_empty();
        reported = problems.clone();
        status.set(problems);
        if done {
            return;
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(retry) => {}
        }
    }
}

async fn prune_periodically(
    inbound: InboundStore,
    db: DatabaseConnection,
    retention: Duration,
    shutdown: CancellationToken,
) {
    loop {
        let cutoff =
            Utc::now() - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::days(7));
        match inbound.prune_done(cutoff).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned finished inbound updates"),
            Err(error) => tracing::warn!(error = %error, "pruning inbound updates failed"),
        }
        match crate::outbox::prune_sent(&db, cutoff).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned sent deliveries"),
            Err(error) => tracing::warn!(error = %error, "pruning the outbox failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(PRUNE_EVERY) => {}
        }
    }
}
