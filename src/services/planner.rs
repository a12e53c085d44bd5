//! Plans the moments a ticket will need a look — its SLA warnings and
//! deadlines, the end of the category question, the end of a wait — as
//! jobs of the job engine (`crate::schedule`). Planning happens after the
//! state it follows from is committed; a plan lost to an outage in between
//! is caught by the minute's sweep, so a failure here is logged, never
//! passed on to the client's update.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::DeskSettings;
use crate::entities::tickets;
use crate::schedule::{Planned, Schedule};
use crate::services::sla;

#[derive(Clone, Default)]
pub struct Planner {
    /// `None` where nothing runs planned jobs (some service tests).
    schedule: Option<Schedule>,
    desk: Arc<DeskSettings>,
}

impl Planner {
    pub fn new(schedule: Option<Schedule>, desk: Arc<DeskSettings>) -> Self {
        Self { schedule, desk }
    }

    pub fn desk(&self) -> &DeskSettings {
        &self.desk
    }

    /// Plans a check at each warning and deadline of `ticket` still ahead.
    pub async fn sla_checks(&self, ticket: &tickets::Model) {
        for moment in sla::moments(&self.desk, ticket) {
            self.at(
                Planned::SlaCheck {
                    ticket_id: ticket.id,
                },
                moment,
            )
            .await;
        }
    }

    /// Plans `job` for `after` from now.
    pub async fn after(&self, job: Planned, after: Duration) {
        let when = Utc::now() + chrono::Duration::from_std(after).unwrap_or_default();
        self.at(job, when).await;
    }

    pub async fn at(&self, job: Planned, when: DateTime<Utc>) {
        let Some(schedule) = &self.schedule else {
            return;
        };
        if let Err(error) = schedule.at(job.clone(), when).await {
            tracing::warn!(
                error = %error,
                job = job.name(),
                "could not plan a job; the minute's sweep will catch up"
            );
        }
    }
}
