//! The job engine: planned jobs run at their moment, failures are retried
//! and given up, outages are waited out without using up attempts, a
//! routine's tick runs once however many instances tick, pruning works, and
//! it all shows in /metrics.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, Statement,
};
use topicdesk::entities::{InboundStatus, OutboxStatus, inbound_updates, outbox};
use topicdesk::schedule::{JobFailure, Planned, PlannedWork, Schedule};

use crate::support::{
    AppOptions, TestApp, TestDatabase, WAIT, eventually, eventually_some, spawn_app_with,
};

/// Planned work that records what ran, and fails as a test scripts it.
#[derive(Default)]
struct Recorder {
    runs: Mutex<Vec<(Planned, DateTime<Utc>)>>,
    sweeps: AtomicUsize,
    /// Outcomes per ticket, in order; past the script, success.
    script: Mutex<HashMap<i32, VecDeque<JobFailure>>>,
}

impl Recorder {
    fn failing(self, ticket_id: i32, failures: impl IntoIterator<Item = JobFailure>) -> Self {
        self.script
            .lock()
            .unwrap()
            .insert(ticket_id, failures.into_iter().collect());
        self
    }

    fn runs_of(&self, job: &Planned) -> Vec<DateTime<Utc>> {
        self.runs
            .lock()
            .unwrap()
            .iter()
            .filter(|(ran, _)| ran == job)
            .map(|(_, at)| *at)
            .collect()
    }
}

#[async_trait]
impl PlannedWork for Recorder {
    async fn run(&self, job: &Planned) -> Result<(), JobFailure> {
        self.runs.lock().unwrap().push((job.clone(), Utc::now()));
        let ticket = match job {
            Planned::SlaCheck { ticket_id }
            | Planned::CategoryTimeout { ticket_id }
            | Planned::WaitingAutoClose { ticket_id }
            | Planned::KbHoldTimeout { ticket_id } => *ticket_id,
        };
        match self
            .script
            .lock()
            .unwrap()
            .get_mut(&ticket)
            .and_then(VecDeque::pop_front)
        {
            Some(failure) => Err(failure),
            None => Ok(()),
        }
    }

    async fn sweep(&self) -> Result<(), JobFailure> {
        self.sweeps.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

async fn app_with(
    work: Arc<Recorder>,
    adjust: impl FnOnce(&mut topicdesk::config::Settings) + Send + 'static,
) -> TestApp {
    spawn_app_with(AppOptions {
        planned_work: Some(work),
        adjust: Some(Box::new(adjust)),
        ..AppOptions::default()
    })
    .await
}

/// (key, status) of the stored jobs whose key starts with `prefix`.
pub(crate) async fn stored_jobs(db: &DatabaseConnection, prefix: &str) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let table = match backend {
        sea_orm::DatabaseBackend::Postgres => "apalis.jobs",
        _ => "Jobs",
    };
    let sql = format!(
        "SELECT idempotency_key, status FROM {table} WHERE idempotency_key LIKE '{prefix}%' ORDER BY idempotency_key"
    );
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            (
                row.try_get::<String>("", "idempotency_key").unwrap(),
                row.try_get::<String>("", "status").unwrap(),
            )
        })
        .collect()
}

/// Waits until the rollup a start runs (in case the night's was missed)
/// is over, so a test's own rows are not rolled up behind its back.
pub(crate) async fn start_rollup_done(db: &DatabaseConnection) {
    eventually("the start's rollup", WAIT, || async {
        stored_jobs(db, "daily_rollup:")
            .await
            .iter()
            .any(|(_, status)| status == "Done")
    })
    .await;
}

async fn job_status(db: &DatabaseConnection, prefix: &str) -> Option<String> {
    stored_jobs(db, prefix)
        .await
        .into_iter()
        .next()
        .map(|(_, status)| status)
}

async fn metrics(app: &TestApp) -> String {
    app.get("/metrics").await.text().await.unwrap()
}

fn metric_line<'a>(metrics: &'a str, name_and_labels: &str) -> Option<&'a str> {
    metrics
        .lines()
        .find(|line| line.starts_with(name_and_labels))
        .and_then(|line| line.rsplit(' ').next())
}

#[tokio::test]
async fn a_planned_job_runs_at_its_moment_and_one_due_already_runs_at_once() {
    let work = Arc::new(Recorder::default());
    let app = app_with(work.clone(), |_| {}).await;
    let schedule = Schedule::new(&app.db).unwrap();

    let later = Planned::SlaCheck { ticket_id: 1 };
    let at_once = Planned::CategoryTimeout { ticket_id: 2 };
    let moment = Utc::now() + chrono::Duration::milliseconds(2500);
    schedule.at(later.clone(), moment).await.unwrap();
    // Planned twice for the same moment: stored once.
    schedule.at(later.clone(), moment).await.unwrap();
    schedule.now(at_once.clone()).await.unwrap();

    let ran_at_once = eventually_some("the job due now to run", WAIT, || async {
        work.runs_of(&at_once).first().copied()
    })
    .await;
    assert!(work.runs_of(&later).is_empty(), "not before its moment");
    let ran = eventually_some("the planned job to run", WAIT, || async {
        work.runs_of(&later).first().copied()
    })
    .await;
    assert!(ran >= moment, "ran at {ran}, planned for {moment}");
    assert!(
        ran - moment < chrono::Duration::seconds(3),
        "ran at {ran}, planned for {moment}"
    );
    assert!(ran_at_once < moment);
    eventually("the job to be marked done", WAIT, || async {
        job_status(&app.db, "sla_check:1:").await.as_deref() == Some("Done")
    })
    .await;
    assert_eq!(work.runs_of(&later).len(), 1);
    assert_eq!(stored_jobs(&app.db, "sla_check:1:").await.len(), 1);
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_then_given_up_and_the_metrics_count_it() {
    let work = Arc::new(
        Recorder::default()
            .failing(
                7,
                (0..10).map(|_| JobFailure::failed("the ticket is broken")),
            )
            .failing(8, [JobFailure::failed("a bad moment")]),
    );
    let app = app_with(work.clone(), |settings| settings.jobs.attempts = 3).await;
    let schedule = Schedule::new(&app.db).unwrap();
    let broken = Planned::SlaCheck { ticket_id: 7 };
    let flaky = Planned::SlaCheck { ticket_id: 8 };
    schedule.now(broken.clone()).await.unwrap();
    schedule.now(flaky.clone()).await.unwrap();

    eventually("the broken job to be given up", WAIT, || async {
        job_status(&app.db, "sla_check:7:").await.as_deref() == Some("Killed")
    })
    .await;
    let runs = work.runs_of(&broken);
    assert_eq!(runs.len(), 3, "three attempts in all: {runs:?}");
    // 50 ms, then 100 ms between attempts (test settings double from 50 ms).
    assert!(
        runs[1] - runs[0] >= chrono::Duration::milliseconds(45),
        "{runs:?}"
    );
    assert!(
        runs[2] - runs[1] >= chrono::Duration::milliseconds(95),
        "{runs:?}"
    );
    eventually("the flaky job to be done", WAIT, || async {
        job_status(&app.db, "sla_check:8:").await.as_deref() == Some("Done")
    })
    .await;
    assert_eq!(work.runs_of(&flaky).len(), 2);

    let text = metrics(&app).await;
    assert_eq!(
        metric_line(&text, "topicdesk_jobs_run_total{job=\"sla_check\"}"),
        Some("5"),
        "{text}"
    );
    assert_eq!(
        metric_line(&text, "topicdesk_jobs_retried_total{job=\"sla_check\"}"),
        Some("3")
    );
    assert_eq!(
        metric_line(&text, "topicdesk_jobs_failed_total{job=\"sla_check\"}"),
        Some("1")
    );
    assert_eq!(
        metric_line(
            &text,
            "topicdesk_job_duration_seconds_count{job=\"sla_check\"}"
        ),
        Some("5")
    );
    for present in [
        "topicdesk_jobs_run_total{job=\"waiting_auto_close\"} 0",
        "topicdesk_jobs_failed_total{job=\"daily_rollup\"} 0",
        "topicdesk_jobs_waiting{queue=\"topicdesk.planned\"}",
        "topicdesk_jobs_waiting{queue=\"topicdesk.routines\"}",
    ] {
        assert!(text.contains(present), "{present} in {text}");
    }
}

#[tokio::test]
async fn an_outage_is_waited_out_without_using_up_the_jobs_attempts() {
    let work = Arc::new(
        Recorder::default().failing(
            9,
            (0..6)
                .map(|_| JobFailure::outage("the database is away"))
                .chain([JobFailure::failed("one real failure")]),
        ),
    );
    let app = app_with(work.clone(), |settings| settings.jobs.attempts = 2).await;
    let schedule = Schedule::new(&app.db).unwrap();
    let job = Planned::WaitingAutoClose { ticket_id: 9 };
    schedule.now(job.clone()).await.unwrap();

    eventually("the job to be done", WAIT, || async {
        job_status(&app.db, "waiting_auto_close:9:")
            .await
            .as_deref()
            == Some("Done")
    })
    .await;
    // Six outages and one failure before the success: only the failure
    // counted, so two attempts were enough.
    assert_eq!(work.runs_of(&job).len(), 8);
    let text = metrics(&app).await;
    assert_eq!(
        metric_line(
            &text,
            "topicdesk_jobs_failed_total{job=\"waiting_auto_close\"}"
        ),
        Some("0")
    );
    assert_eq!(
        metric_line(
            &text,
            "topicdesk_jobs_retried_total{job=\"waiting_auto_close\"}"
        ),
        Some("7")
    );
}

#[tokio::test]
async fn a_sweep_tick_runs_once_however_many_instances_tick() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("skipped: two instances need a shared PostgreSQL (set TEST_DATABASE_URL)");
        return;
    }
    let database = Arc::new(TestDatabase::create().await);
    let work = Arc::new(Recorder::default());
    let options = || AppOptions {
        database: Some(database.clone()),
        planned_work: Some(work.clone()),
        adjust: Some(Box::new(|settings: &mut topicdesk::config::Settings| {
            settings.jobs.sweep_every = Duration::from_secs(1);
        })),
        ..AppOptions::default()
    };
    let started = Instant::now();
    let first = spawn_app_with(options()).await;
    let second = spawn_app_with(options()).await;
    eventually("several sweeps", WAIT, || async {
        work.sweeps.load(Ordering::SeqCst) >= 5
    })
    .await;
    let db = database.connect().await;
    first.stop().await.unwrap();
    second.stop().await.unwrap();
    let elapsed = started.elapsed().as_secs() as usize;

    let sweeps = work.sweeps.load(Ordering::SeqCst);
    let done = stored_jobs(&db, "sla_sweep:")
        .await
        .into_iter()
        .filter(|(_, status)| status == "Done")
        .count();
    assert_eq!(sweeps, done, "every sweep is one stored tick, run once");
    assert!(
        sweeps <= elapsed + 2,
        "{sweeps} sweeps in {elapsed} s: two instances did not both run a tick"
    );
}

#[tokio::test]
async fn pruning_removes_old_finished_updates_and_sent_deliveries_and_keeps_the_rest() {
    let app = spawn_app_with(AppOptions {
        adjust: Some(Box::new(|settings: &mut topicdesk::config::Settings| {
            settings.jobs.prune_every = Duration::from_secs(1);
        })),
        ..AppOptions::default()
    })
    .await;
    let old = Utc::now() - chrono::Duration::days(30);
    let recent = Utc::now() - chrono::Duration::hours(1);
    for (update_id, status, processed_at) in [
        (900_001, InboundStatus::Done, Some(old)),
        (900_002, InboundStatus::Done, Some(recent)),
        (900_003, InboundStatus::Parked, Some(old)),
    ] {
        inbound_updates::ActiveModel {
            update_id: Set(update_id),
            payload: Set("{}".into()),
            chat_id: Set(None),
            topic_id: Set(None),
            status: Set(status),
            attempts: Set(1),
            last_error: Set(None),
            received_at: Set(old),
            processed_at: Set(processed_at),
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    for (key, status, sent_at) in [
        ("old-sent", OutboxStatus::Sent, Some(old)),
        ("recent-sent", OutboxStatus::Sent, Some(recent)),
        ("old-failed", OutboxStatus::Failed, None),
    ] {
        outbox::ActiveModel {
            lane_chat_id: Set(1),
            ticket_id: Set(None),
            action: Set(serde_json::json!({})),
            dedup_key: Set(Some(key.into())),
            status: Set(status),
            attempts: Set(1),
            created_at: Set(old),
            sent_at: Set(sent_at),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }

    eventually("the old rows to be pruned", WAIT, || async {
        inbound_updates::Entity::find_by_id(900_001i64)
            .one(&app.db)
            .await
            .unwrap()
            .is_none()
            && outbox::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .iter()
                .all(|row| row.dedup_key.as_deref() != Some("old-sent"))
    })
    .await;
    let updates: Vec<i64> = app
        .inbound_rows()
        .await
        .iter()
        .map(|r| r.update_id)
        .collect();
    assert_eq!(updates, [900_002, 900_003]);
    let mut kept: Vec<String> = outbox::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|row| row.dedup_key)
        .collect();
    kept.sort();
    assert_eq!(kept, ["old-failed", "recent-sent"]);
    let text = metrics(&app).await;
    assert_ne!(
        metric_line(&text, "topicdesk_jobs_run_total{job=\"prune\"}"),
        Some("0")
    );
}
