//! Wiring: database, store, Telegram, HTTP, intake, the services and the
//! dispatcher. `Application::build` is what `main` and the integration tests
//! both start.

mod tasks;
mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use teloxide::dptree::di::DependencyMap;
use teloxide::update_listeners::UpdateListener;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::bot::{self, Desk, Places};
use crate::config::Settings;
use crate::database;
use crate::http::{self, Readiness};
use crate::intake::webhook::WebhookState;
use crate::intake::{InboundListener, InboundStore, Intake, UpdateProcessor, UpdateQueue};
use crate::jobs::{JobEngine, Routines};
use crate::metrics::Metrics;
use crate::outbox::{DeliveryEngine, Executor, Outbox};
use crate::schedule::{JobStore, PlannedWork, Schedule};
use crate::self_check::{RequiredGroup, SelfCheckStatus};
use crate::services::bridge::BridgeService;
use crate::services::daily_stats::DailyStats;
use crate::services::desk::DeskFacts;
use crate::services::manager::ManagerService;
use crate::services::moderation::ModerationService;
use crate::services::planned::DeskWork;
use crate::services::planner::Planner;
use crate::services::sheets::Sheets;
use crate::services::sla::SlaService;
use crate::services::survey::SurveyService;
use crate::services::technicians;
use crate::services::tickets::TicketService;
use crate::services::users::UserService;
use crate::store::{Presence, SharedFloodGate, Store};
use crate::telegram::limits::RateLimiter;
use crate::telegram::{FloodGate, Sender, Telegram};
use crate::texts::Texts;

/// How long, at most, the lanes may keep sending the answers of the last
/// updates once intake has stopped.
const DRAIN_AT_STOP: std::time::Duration = std::time::Duration::from_secs(3);

pub struct Application {
    settings: Arc<Settings>,
    listener: TcpListener,
    db: DatabaseConnection,
    store: Store,
    sheets: Sheets,
    sender: Sender,
    metrics: Metrics,
    intake: Intake,
    inbound: InboundStore,
    queue: UpdateQueue,
    updates: InboundListener,
    self_check: SelfCheckStatus,
    shutdown: CancellationToken,
    jobs: JobStore,
    /// The work behind planned jobs, when given (see `with_planned_work`).
    planned_work: Option<Arc<dyn PlannedWork>>,
}

impl Application {
    /// Connects to everything and binds the HTTP port; nothing is processed
    /// until `run_until_stopped`.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        for warning in settings.warnings() {
            tracing::warn!(key = warning.key, "{warning}");
        }
        let metrics = Metrics::new();
        let mut db = database::connect_and_migrate(&settings.database)
            .await
            .context("cannot open the database (DATABASE_URL)")?;
        count_statements(&mut db, &metrics);
        // The job engine keeps its tables (apalis') in the same database.
        let jobs = JobStore::of(&db).context("the job engine")?;
        jobs.set_up()
            .await
            .context("cannot create the job engine's tables")?;
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

        let telegram = Telegram::new(&settings.telegram, metrics.clone());
        // With Redis, every instance counts Telegram's limits in one place.
        let gate: Arc<dyn FloodGate> = match SharedFloodGate::new(&store, settings.limits) {
            Some(shared) => Arc::new(shared),
            None => Arc::new(RateLimiter::new(settings.limits)),
        };
        let sender = Sender::new(telegram, gate);
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
            sender,
            metrics,
            intake,
            inbound,
            queue,
            updates,
            self_check: SelfCheckStatus::default(),
            shutdown: CancellationToken::new(),
            jobs,
            planned_work: None,
        })
    }

    /// Planned jobs (SLA checks, category timeouts, waiting auto-close) are
    /// carried out by `work` instead of the services' own implementation.
    pub fn with_planned_work(mut self, work: Arc<dyn PlannedWork>) -> Self {
        self.planned_work = Some(work);
        self
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
            sender,
            metrics,
            intake,
            inbound,
            queue,
            updates,
            self_check,
            shutdown,
            jobs,
            planned_work,
        } = self;
        let mut tasks: Vec<JoinHandle<()>> = Vec::new();
        tasks.push(tokio::spawn(tasks::cancel_on_signal(shutdown.clone())));
        // With Redis, other instances may share the database; each learns
        // whether it is alone, and a newcomer waits until the others know
        // of it before it takes updates.
        let presence = Presence::start(&store, shutdown.clone());
        let intake = intake.with_presence(presence.clone());

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
            telegram: sender.health(),
            presence: presence.clone(),
        };
        let texts = Texts::new(settings.language);
        let (outbox, wake_requests) = Outbox::new(db.clone());
        let tickets = TicketService::new(
            db.clone(),
            outbox.clone(),
            store.clone(),
            texts,
            settings.main_group_id,
            settings.survey_ttl,
        )
        .with_tickets_per_hour(settings.tickets_per_hour)
        .with_planner(Planner::new(
            Some(Schedule::new(&db).context("the job engine")?),
            Arc::new(settings.desk.clone()),
        ));
        let web_desk = web::desk(&settings, &db, &store, &outbox, texts, &tickets);
        tasks.extend(web::start(&settings, &web_desk, &sender, &shutdown));
        let router = http::router(
            readiness,
            metrics.clone(),
            webhook,
            Some(web::routes(&settings, web_desk)),
        );
        let http_shutdown = shutdown.clone();
        let http_task = tokio::spawn(async move {
            let server = axum::serve(listener, router)
                .with_graceful_shutdown(async move { http_shutdown.cancelled().await });
            if let Err(error) = server.await {
                tracing::error!(error = %error, "HTTP server failed");
            }
        });

        match &settings.webhook {
            Some(webhook) => tasks.push(tokio::spawn(tasks::register_webhook(
                sender.clone(),
                webhook.endpoint(),
                webhook.secret.expose_secret().to_owned(),
                shutdown.clone(),
            ))),
            None => tasks.push(tokio::spawn(tasks::start_polling(
                sender.clone(),
                intake.clone(),
                shutdown.clone(),
            ))),
        }
        tasks.push(tokio::spawn(tasks::set_command_menus(
            sender.clone(),
            texts,
            settings.main_groups(),
            settings.admin_ids.clone(),
            shutdown.clone(),
        )));
        tasks.push(tokio::spawn(tasks::keep_self_checking(
            sender.clone(),
            RequiredGroup::from_settings(&settings),
            self_check,
            tasks::SelfCheckPace {
                every: settings.intake.self_check_every,
                retry: settings.intake.self_check_retry,
            },
            shutdown.clone(),
        )));

        let facts = DeskFacts::new(
            db.clone(),
            store.clone(),
            sheets.clone(),
            texts,
            tickets.clone(),
        );
        let delivery_shutdown = CancellationToken::new();
        let engine = DeliveryEngine::new(
            db.clone(),
            Executor::new(
                db.clone(),
                sender.clone(),
                texts,
                Arc::new(facts),
                metrics.clone(),
                settings.main_groups(),
            ),
            // With Redis, other instances may share the outbox.
            settings.store.redis_url.is_some().then(|| store.clone()),
            // Stopped after intake, so the answers of in-flight updates
            // still go out.
            delivery_shutdown.clone(),
        );
        let deliveries = engine.clone();
        tasks.push(tokio::spawn(engine.run(wake_requests)));

        // ---- the job engine (crate::jobs): planned jobs and schedules ----
        let sla = SlaService::new(
            db.clone(),
            outbox.clone(),
            texts,
            Arc::new(settings.desk.clone()),
            settings.admin_ids.clone(),
        );
        let planned_work: Arc<dyn PlannedWork> =
            planned_work.unwrap_or_else(|| Arc::new(DeskWork::new(sla, tickets.clone())));
        let daily = DailyStats::new(
            db.clone(),
            settings.desk.calendar.clone(),
            outbox.clone(),
            texts,
            settings.admin_ids.clone(),
        );
        let job_engine = JobEngine {
            store: jobs.clone(),
            settings: settings.jobs.clone(),
            metrics: metrics.clone(),
            time_zone: settings.desk.calendar.time_zone(),
            sheets_every: sheets.report_every(),
            daily_report_at: settings.desk.daily_report_at,
            routines: Routines {
                work: planned_work,
                db: db.clone(),
                store: jobs,
                sheets,
                daily,
                retention: settings.intake.retention,
            },
        }
        .start(shutdown.clone())
        .await
        .context("cannot start the job engine")?;
        // ---- end of the job engine ----

        let desk = Desk {
            bridge: BridgeService::new(db.clone(), outbox.clone(), texts, tickets.clone()),
            survey: SurveyService::new(
                db.clone(),
                outbox.clone(),
                store.clone(),
                texts,
                settings.survey_ttl,
            ),
            manager: ManagerService::new(
                db.clone(),
                store.clone(),
                outbox.clone(),
                texts,
                settings.admin_ids.clone(),
                settings.main_groups(),
            )
            .with_mini_app(settings.web.mini_app_url())
            .with_knowledge(tickets.knowledge().clone())
            .with_calendar(settings.desk.calendar.clone()),
            moderation: ModerationService::new(db.clone(), outbox.clone(), texts),
            users: UserService::new(db.clone()),
            tickets,
            sender: sender.clone(),
            texts,
            places: Places::new(
                settings.main_groups(),
                settings.technicians.iter().map(|t| t.group_chat_id),
            ),
        };
        let mut deps = DependencyMap::new();
        deps.insert(desk);
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
            .shared_with_other_instances(presence),
        );
        let mut updates = updates;
        let stop_listening = updates.stop_token();
        let dispatcher_task = tokio::spawn(tasks::run_dispatcher(
            sender,
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
            deliveries.drain_due(DRAIN_AT_STOP.min(grace / 2)).await;
            delivery_shutdown.cancel();
            deliveries.finished().await;
            job_engine.finished().await;
        })
        .await
        .is_err()
        {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "some updates did not finish in time; they will be replayed at the next start"
            );
        }
        delivery_shutdown.cancel();
        for task in tasks {
            task.abort();
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Counts every statement `db` sends in the metrics, and logs its text at
/// TRACE under `topicdesk::sql` — the text only, never the values (they may
/// hold anyone's messages).
fn count_statements(db: &mut DatabaseConnection, metrics: &Metrics) {
    let statements = metrics.database_statements.clone();
    db.set_metric_callback(move |info| {
        statements.inc();
        tracing::trace!(
            target: "topicdesk::sql",
            elapsed_us = info.elapsed.as_micros() as u64,
            failed = info.failed,
            "{}",
            info.statement.sql
        );
    });
}
