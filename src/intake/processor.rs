//! Runs the bot's handler tree for one stored update and settles its row:
//! done when the handlers finish, retried with backoff when they fail, parked
//! (with the error logged) when every attempt failed. A panic in a handler
//! counts as a failure; it never takes the process down.

use std::convert::Infallible;
use std::ops::ControlFlow;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use teloxide::dispatching::UpdateHandler;
use teloxide::dptree::{self, di::DependencyMap};
use teloxide::types::{Me, Update};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::inbound::InboundStore;
use super::ordering::{OrderingKey, ordering_key};
use super::queue::UpdateQueue;
use sea_orm::DbErr;

use crate::config::IntakeSettings;
use crate::group_commit::GroupCommit;
use crate::metrics::Metrics;
use crate::records::handled;
use crate::retry::{Pauses, backoff, until_success};
use crate::services::ServiceError;
use crate::store::Presence;

/// How long an update waits for an older one of its chat on another instance.
const EARLIER_UPDATE_PATIENCE: Duration = Duration::from_secs(30);

/// How processing of one update ended.
enum Outcome {
    Done,
    /// Every attempt failed; the last error.
    Parked(String),
    /// Shutdown began first; the update stays pending for the next start.
    Postponed,
}

/// Why an attempt at an update failed.
#[derive(Debug, thiserror::Error)]
enum AttemptError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("handler panicked: {0}")]
    Panic(String),
}

impl AttemptError {
    /// The database or the store being out of reach is not the update's
    /// fault.
    fn is_outage(&self) -> bool {
        matches!(self, AttemptError::Service(error) if error.is_outage())
    }
}

pub struct UpdateProcessor {
    handler: UpdateHandler<ServiceError>,
    /// Services the handlers ask for by type; the update and `Me` are added
    /// per call.
    deps: DependencyMap,
    inbound: InboundStore,
    /// Done marks of updates finishing together share one statement and
    /// commit; each update still waits for its own.
    done_marks: GroupCommit<i64, (), DbErr>,
    queue: UpdateQueue,
    metrics: Metrics,
    max_attempts: u32,
    retry_base_delay: Duration,
    /// Once cancelled, updates not yet started are left pending for the next run.
    shutdown: CancellationToken,
    /// Set when several instances may share the database: updates of one
    /// chat may have reached different instances, so each waits for the
    /// chat's earlier ones. Handlers starting together ask in one statement.
    earlier_updates: Option<EarlierUpdates>,
}

/// Asking for a chat's earlier updates held by other instances.
struct EarlierUpdates {
    ask: GroupCommit<(OrderingKey, i64), Vec<i64>, DbErr>,
    /// Whether other instances are alive: an instance alone need not ask.
    presence: Presence,
}

impl UpdateProcessor {
    pub fn new(
        handler: UpdateHandler<ServiceError>,
        deps: DependencyMap,
        inbound: InboundStore,
        queue: UpdateQueue,
        metrics: Metrics,
        settings: &IntakeSettings,
        shutdown: CancellationToken,
    ) -> Self {
        let store = inbound.clone();
        let done_marks = GroupCommit::start(move |ids: Vec<i64>| {
            let store = store.clone();
            Box::pin(async move {
                store.mark_many_done(&ids).await?;
                Ok(vec![(); ids.len()])
            })
        });
        Self {
            handler,
            deps,
            inbound,
            done_marks,
            queue,
            metrics,
            max_attempts: settings.max_attempts.max(1),
            retry_base_delay: settings.retry_base_delay,
            shutdown,
            earlier_updates: None,
        }
    }

    /// Other instances may share the database and the store, and
    /// `presence` tells when they do (see `wait_for_earlier_updates`).
    pub fn shared_with_other_instances(mut self, presence: Option<Presence>) -> Self {
        self.earlier_updates = presence.map(|presence| {
            let store = self.inbound.clone();
            let ask = GroupCommit::start(move |asked: Vec<(OrderingKey, i64)>| {
                let store = store.clone();
                Box::pin(async move { store.earlier_pending_many(&asked).await })
            });
            EarlierUpdates { ask, presence }
        });
        self
    }

    /// The Dispatcher's whole handler tree: one endpoint that delegates to
    /// `process`, so settling the inbound row wraps every handler.
    pub fn root_handler() -> UpdateHandler<Infallible> {
        dptree::endpoint(
            |update: Update, me: Me, processor: Arc<UpdateProcessor>| async move {
                processor.process(update, me).await;
                Ok(())
            },
        )
    }

    pub async fn process(&self, update: Update, me: Me) {
        let key = ordering_key(&update);
        let span = tracing::info_span!(
            "update",
            update_id = update.id.0,
            chat_id = key.map(|(chat, _)| chat),
            topic_id = key.map(|(_, topic)| topic).filter(|topic| *topic != 0),
            ticket_id = tracing::field::Empty,
        );
        self.process_with_retries(update, me).instrument(span).await;
    }

    async fn process_with_retries(&self, update: Update, me: Me) {
        let update_id = update.id.0 as i64;
        let started = Instant::now();
        if let Some(earlier_updates) = &self.earlier_updates
            && !earlier_updates.presence.is_alone()
        {
            self.wait_for_earlier_updates(&earlier_updates.ask, &update)
                .await;
        }
        let (outcome, marked) =
            handled::handling(update_id, self.attempt_until_settled(&update, &me)).await;
        match &outcome {
            // The handler's last write carried the done mark.
            Outcome::Done if marked => {}
            Outcome::Done => self.mark_done(update_id).await,
            Outcome::Parked(error) => {
                tracing::error!(error = %error, attempts = self.max_attempts, "update parked after every attempt failed");
                if let Err(db_error) = self.inbound.park(update_id, error).await {
                    tracing::error!(error = %db_error, "could not park the update");
                }
            }
            Outcome::Postponed => {
                tracing::info!("shutting down: update left for the next start");
            }
        }
        // Metrics last, so whoever sees the count sees the row settled too.
        self.queue.finish(update.id.0);
        self.metrics
            .handler_seconds
            .observe(started.elapsed().as_secs_f64());
        match outcome {
            Outcome::Done => self.metrics.updates_processed.inc(),
            Outcome::Parked(_) => self.metrics.updates_parked.inc(),
            Outcome::Postponed => {}
        }
    }

    /// Marks a finished update done, waiting out a database outage: left
    /// pending, it would hold up every later update of its chat until the
    /// next start replays it. At shutdown it is left for that replay (its
    /// work is absorbed by dedup keys).
    async fn mark_done(&self, update_id: i64) {
        let mark = || async {
            self.done_marks
                .submit(update_id)
                .await
                .map_err(|error| DbErr::Custom(error.to_string()))
        };
        // The first try is not raced against shutdown: a graceful stop waits
        // for in-flight updates precisely so that their marks land and the
        // next start has nothing to replay. Only the retries yield to it.
        match mark().await {
            Ok(()) => return,
            Err(error) => {
                tracing::warn!(error = %error, "could not mark the update done; retrying");
            }
        }
        until_success(
            "could not mark the update done; retrying",
            backoff(OUTAGE_FIRST_WAIT, OUTAGE_LONGEST_WAIT),
            &self.shutdown,
            mark,
        )
        .await;
    }

    /// Within one instance the dispatcher keeps a chat's updates in order.
    /// Across instances behind one load balancer it cannot, so an update
    /// waits while an older one of its chat is unfinished on another
    /// instance. Older ones queued here are not waited for: they sit behind
    /// this one in the same queue, and waiting would only stall both. An
    /// older update stuck on a crashed instance is waited for only so long;
    /// that instance replays it when it comes back. An instance that knows
    /// it is alone does not ask (`store::presence`).
    async fn wait_for_earlier_updates(
        &self,
        earlier_updates: &GroupCommit<(OrderingKey, i64), Vec<i64>, DbErr>,
        update: &Update,
    ) {
        let Some(key) = ordering_key(update) else {
            return;
        };
        let update_id = update.id.0 as i64;
        let deadline = Instant::now() + EARLIER_UPDATE_PATIENCE;
        loop {
            let elsewhere = earlier_updates.submit((key, update_id)).await.map(|ids| {
                ids.into_iter()
                    .any(|id| !self.queue.is_in_flight(id as u32))
            });
            match elsewhere {
                Ok(false) => return,
                Ok(true) if Instant::now() < deadline => {}
                Ok(true) => {
                    tracing::warn!(
                        "an earlier update of this chat is still unfinished; going ahead"
                    );
                    return;
                }
                Err(error) => {
                    tracing::warn!(error = %error, "cannot check for earlier updates; going ahead");
                    return;
                }
            }
            tokio::select! {
                _ = self.shutdown.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
        }
    }

    /// Runs the handlers until they succeed, every attempt failed, or
    /// shutdown began.
    async fn attempt_until_settled(&self, update: &Update, me: &Me) -> Outcome {
        let update_id = update.id.0 as i64;
        let mut attempt = 0;
        let mut outage_pauses = Pauses::new(OUTAGE_FIRST_WAIT, OUTAGE_LONGEST_WAIT);
        let mut failure_pauses = Pauses::new(self.retry_base_delay, Duration::MAX);
        loop {
            if self.shutdown.is_cancelled() {
                return Outcome::Postponed;
            }
            let error = match self.run_handlers(update, me).await {
                Ok(()) => return Outcome::Done,
                Err(error) => error,
            };
            self.metrics.updates_failed.inc();
            // The database or the store being out of reach is not the
            // update's fault: it waits for them to come back, however long
            // that takes, instead of using up its attempts and being parked.
            let delay = if error.is_outage() {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "update waits for the database or store to come back"
                );
                outage_pauses.next_pause()
            } else {
                attempt += 1;
                let error = format!("{error:#}");
                if attempt >= self.max_attempts {
                    return Outcome::Parked(error);
                }
                let delay = failure_pauses.next_pause();
                tracing::warn!(error = %error, attempt, retry_in_ms = delay.as_millis() as u64, "update failed; will retry");
                if let Err(db_error) = self.inbound.record_failure(update_id, &error).await {
                    tracing::error!(error = %db_error, "could not record the failed attempt");
                }
                delay
            };
            tokio::select! {
                _ = self.shutdown.cancelled() => return Outcome::Postponed,
                _ = tokio::time::sleep(delay) => {}
            }
        }
    }

    async fn run_handlers(&self, update: &Update, me: &Me) -> Result<(), AttemptError> {
        let mut deps = self.deps.clone();
        deps.insert(update.clone());
        deps.insert(me.clone());
        let outcome = AssertUnwindSafe(self.handler.dispatch(deps))
            .catch_unwind()
            .await;
        match outcome {
            Ok(ControlFlow::Break(result)) => Ok(result?),
            // No handler wanted it: nothing to do, and that is fine.
            Ok(ControlFlow::Continue(_)) => Ok(()),
            Err(panic) => Err(AttemptError::Panic(panic_text(&panic))),
        }
    }
}

/// First and longest pause while the database or store is unreachable.
const OUTAGE_FIRST_WAIT: Duration = Duration::from_millis(250);
const OUTAGE_LONGEST_WAIT: Duration = Duration::from_secs(2);

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_owned()
    }
}
