//! The clocks' side of the routines: a tick stores the routine's job.

use std::sync::Arc;

use apalis::prelude::Data;
use apalis_cron::Tick;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::metrics::Metrics;
use crate::schedule::{JobFailure, JobStore, PLANNED_QUEUE, Pushed, ROUTINE_QUEUE, ScheduleError};

use super::{Routine, RoutineRun};

/// Stores a routine's job for a tick.
pub(super) struct TickPusher {
    pub(super) routine: Routine,
    pub(super) store: JobStore,
    pub(super) metrics: Metrics,
}

impl TickPusher {
    /// This start's own run (see [`Routine::runs_at_start`]).
    pub(super) async fn push_for_start(
        &self,
        instance: &str,
        now: DateTime<Utc>,
    ) -> Result<Pushed, ScheduleError> {
        let run = RoutineRun {
            routine: self.routine,
            tick: now.timestamp(),
        };
        let key = format!("{}:start:{instance}", self.routine.name());
        self.store.push(ROUTINE_QUEUE, run, now, &key).await
    }

    pub(super) async fn push(&self, tick: i64) -> Result<Pushed, ScheduleError> {
        if self.routine == Routine::SlaSweep {
            // Every instance, every minute: a cheap moment to read the queue.
            for queue in [PLANNED_QUEUE, ROUTINE_QUEUE] {
                if let Ok(waiting) = self.store.waiting(queue).await {
                    self.metrics
                        .jobs_waiting
                        .with_label_values(&[queue])
                        .set(waiting);
                }
            }
        }
        let key = self.routine.key(tick);
        // Whatever the previous run is doing (retrying through an outage,
        // or just slow), the routine does not run beside itself.
        let prefix = format!("{}:", self.routine.name());
        if self.store.in_flight(ROUTINE_QUEUE, &prefix).await? {
            tracing::debug!(
                routine = self.routine.name(),
                "previous run still in flight; tick skipped"
            );
            return Ok(Pushed::AlreadyThere);
        }
        let when = DateTime::<Utc>::from_timestamp(tick, 0).unwrap_or_else(Utc::now);
        let run = RoutineRun {
            routine: self.routine,
            tick,
        };
        self.store.push(ROUTINE_QUEUE, run, when, &key).await
    }
}

pub(super) async fn on_tick(
    tick: Tick<Tz>,
    pusher: Data<Arc<TickPusher>>,
) -> Result<(), JobFailure> {
    let at = tick.get_timestamp() as i64;
    match pusher.push(at).await {
        Ok(_) => Ok(()),
        Err(error) => {
            // The next tick (or, for a daily routine, the next start) catches up.
            tracing::warn!(routine = pusher.routine.name(), error = %error, "cannot store a routine's tick");
            Ok(())
        }
    }
}
