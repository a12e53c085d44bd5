//! The SLA clocks of a ticket: its first-response and resolution deadlines
//! (business time, from SLA_POLICY by priority), the warning before each,
//! and what happens when one is missed. Every warning and breach happens
//! exactly once: the moment is claimed on the ticket row (a conditional
//! update) in the same transaction as the messages it causes, so a restart
//! or a second instance finds it taken.
//!
//! What each costs the main group: a warning goes to the technician's topic
//! (the main topic only while nobody is assigned); a breach edits the card
//! and renames the topics (the ⏰ badge, once), and tells each manager in
//! their private chat. No new message lands in the main group for a breach.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde_json::json;

use crate::config::DeskSettings;
use crate::domain::sla::{SlaClock, SlaTargets};
use crate::entities::{Actor, Priority, TicketStatus, tickets};
use crate::outbox::{Action, Delivery, Outbox, Target};
use crate::records::events;
use crate::services::ServiceResult;
use crate::services::tickets::{current_mirror, status_line};
use crate::texts::{ClockName, Texts};

#[derive(Clone)]
pub struct SlaService {
    db: DatabaseConnection,
    outbox: Outbox,
    /// The staff's language.
    texts: Texts,
    desk: Arc<DeskSettings>,
    admins: Arc<Vec<i64>>,
}

/// One clock of one ticket, as it stands.
struct ClockState {
    clock: SlaClock,
    due: DateTime<Utc>,
    warned: bool,
    breached: bool,
}

impl SlaService {
    pub fn new(
        db: DatabaseConnection,
        outbox: Outbox,
        texts: Texts,
        desk: Arc<DeskSettings>,
        admins: Vec<i64>,
    ) -> Self {
        Self {
            db,
            outbox,
            texts,
            desk,
            admins: Arc::new(admins),
        }
    }

    fn targets(&self, priority: Priority) -> Option<SlaTargets> {
        self.desk.sla_targets(priority.key())
    }

    /// Fires whatever is due for the ticket now, warnings before breaches,
    /// each once.
    pub async fn check(&self, ticket_id: i32) -> ServiceResult<()> {
        let Some(ticket) = tickets::Entity::find_by_id(ticket_id).one(&self.db).await? else {
            return Ok(());
        };
        let Some(targets) = self.targets(ticket.priority) else {
            return Ok(());
        };
        let now = Utc::now();
        for state in running(&ticket) {
            let warn_at = targets.warning_at(state.clock, state.due, &self.desk.calendar);
            if !state.warned && now >= warn_at {
                self.warn(&ticket, &state, now).await?;
            }
            if !state.breached && now >= state.due {
                self.breach(&ticket, &state, now).await?;
            }
        }
        Ok(())
    }

    /// The safety net (every minute, and after a restart): every open ticket
    /// with a warning or deadline not yet fired is checked. Returns how many
    /// tickets were looked at.
    pub async fn sweep(&self) -> ServiceResult<usize> {
        if self.desk.sla.is_none() {
            return Ok(0);
        }
        let candidates = tickets::Entity::find()
            .filter(tickets::Column::Status.is_in([
                TicketStatus::New,
                TicketStatus::Work,
                TicketStatus::Waiting,
            ]))
            .filter(
                sea_orm::Condition::any()
                    .add(
                        sea_orm::Condition::all()
                            .add(tickets::Column::FirstResponseDue.is_not_null())
                            .add(tickets::Column::FirstResponseAt.is_null())
                            .add(tickets::Column::FirstResponseBreachedAt.is_null()),
                    )
                    .add(
                        sea_orm::Condition::all()
                            .add(tickets::Column::ResolutionDue.is_not_null())
                            .add(tickets::Column::ResolutionBreachedAt.is_null()),
                    ),
            )
            .all(&self.db)
            .await?;
        let now = Utc::now();
        let mut checked = 0;
        for ticket in candidates {
            if moments(&self.desk, &ticket)
                .iter()
                .any(|moment| *moment <= now)
            {
                self.check(ticket.id).await?;
                checked += 1;
            }
        }
        Ok(checked)
    }

    /// The warning, in the technician's topic (the main topic while nobody
    /// is assigned).
    async fn warn(
        &self,
        ticket: &tickets::Model,
        state: &ClockState,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let column = match state.clock {
            SlaClock::FirstResponse => tickets::Column::FirstResponseWarnedAt,
            SlaClock::Resolution => tickets::Column::ResolutionWarnedAt,
        };
        let mirror = current_mirror(&self.db, ticket.id).await?;
        let left = self
            .texts
            .duration(self.desk.calendar.between(now, state.due).as_secs_f64());
        let text = self.texts.sla_warning(
            ticket.id,
            clock_name(state.clock),
            &self.moment(state.due),
            &left,
        );
        let (lane, target) = match &mirror {
            Some(mirror) => (
                mirror.chat_id,
                Target::Mirror {
                    mirror_id: mirror.id,
                },
            ),
            None => (
                ticket.main_chat_id,
                Target::Main {
                    ticket_id: ticket.id,
                },
            ),
        };
        let note = Delivery::new(
            lane,
            ticket.id,
            Action::note(target, text),
            format!("sla-warn:{}:{}", state.clock.key(), ticket.id),
        );
        self.fire(ticket, column, now, "sla_warning", state.clock, vec![note])
            .await
    }

    /// The breach: the ⏰ badge on both topics (at the first breach), a line
    /// on the card, and a private message to each manager.
    async fn breach(
        &self,
        ticket: &tickets::Model,
        state: &ClockState,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let column = match state.clock {
            SlaClock::FirstResponse => tickets::Column::FirstResponseBreachedAt,
            SlaClock::Resolution => tickets::Column::ResolutionBreachedAt,
        };
        let first_breach =
            ticket.first_response_breached_at.is_none() && ticket.resolution_breached_at.is_none();
        let ticket_id = ticket.id;
        let key = format!("{}:{ticket_id}", state.clock.key());
        let mirror = current_mirror(&self.db, ticket_id).await?;
        let mut deliveries = Vec::new();
        if first_breach {
            deliveries.push(Delivery::new(
                ticket.main_chat_id,
                ticket_id,
                Action::RenameMainTopic { ticket_id },
                format!("rename:{ticket_id}:overdue"),
            ));
            if let Some(mirror) = &mirror {
                deliveries.push(Delivery::new(
                    mirror.chat_id,
                    ticket_id,
                    Action::RenameMirrorTopic {
                        mirror_id: mirror.id,
                    },
                    format!("rename-mirror:{}:overdue", mirror.id),
                ));
            }
        }
        let status = status_line(&self.db, &self.texts, &self.desk, ticket).await?;
        deliveries.push(Delivery::new(
            ticket.main_chat_id,
            ticket_id,
            Action::RefreshCard { ticket_id, status },
            format!("card-status:sla-breach:{key}"),
        ));
        let text = self.texts.sla_breached_manager(
            ticket_id,
            ticket.priority,
            clock_name(state.clock),
            &self.moment(state.due),
        );
        for admin in self.admins.iter() {
            deliveries.push(Delivery::new(
                *admin,
                ticket_id,
                Action::note(Target::Client { user_id: *admin }, text.clone()),
                format!("sla-breach:{key}:{admin}"),
            ));
        }
        self.fire(ticket, column, now, "sla_breached", state.clock, deliveries)
            .await
    }

    /// Claims the moment (`column` still empty) and writes what it causes,
    /// in one transaction: whoever claims it first sends, anyone later finds
    /// it taken.
    async fn fire(
        &self,
        ticket: &tickets::Model,
        column: tickets::Column,
        now: DateTime<Utc>,
        event: &str,
        clock: SlaClock,
        deliveries: Vec<Delivery>,
    ) -> ServiceResult<()> {
        let txn = self.db.begin().await?;
        if !claim(&txn, ticket.id, column, now).await? {
            txn.rollback().await?;
            return Ok(());
        }
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(
            &txn,
            Some(ticket.id),
            Actor::System,
            event,
            json!({ "clock": clock.key(), "priority": ticket.priority.key() }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id = ticket.id, clock = clock.key(), event, "SLA");
        Ok(())
    }

    /// A moment as staff read it: on the business hours' clock.
    fn moment(&self, at: DateTime<Utc>) -> String {
        local_moment(&self.desk, at)
    }
}

/// The clocks of `ticket` that still run: not met, not paused.
fn running(ticket: &tickets::Model) -> Vec<ClockState> {
    if !ticket.status.is_open() || ticket.status == TicketStatus::Held {
        return Vec::new();
    }
    let mut clocks = Vec::new();
    if let Some(due) = ticket.first_response_due
        && ticket.first_response_at.is_none()
    {
        clocks.push(ClockState {
            clock: SlaClock::FirstResponse,
            due,
            warned: ticket.first_response_warned_at.is_some(),
            breached: ticket.first_response_breached_at.is_some(),
        });
    }
    // Waiting for the client pauses the resolution clock.
    if let Some(due) = ticket.resolution_due
        && ticket.status != TicketStatus::Waiting
    {
        clocks.push(ClockState {
            clock: SlaClock::Resolution,
            due,
            warned: ticket.resolution_warned_at.is_some(),
            breached: ticket.resolution_breached_at.is_some(),
        });
    }
    clocks
}

/// The moments at which `ticket` will need a look (warnings and deadlines
/// still to come), for planning exact checks.
pub fn moments(desk: &DeskSettings, ticket: &tickets::Model) -> Vec<DateTime<Utc>> {
    let Some(targets) = desk.sla_targets(ticket.priority.key()) else {
        return Vec::new();
    };
    let mut moments = Vec::new();
    for state in running(ticket) {
        if !state.warned {
            moments.push(targets.warning_at(state.clock, state.due, &desk.calendar));
        }
        if !state.breached {
            moments.push(state.due);
        }
    }
    moments
}

/// `2026-11-30 10:30` on the business hours' wall clock, with the zone
/// named unless it is UTC.
pub fn local_moment(desk: &DeskSettings, at: DateTime<Utc>) -> String {
    let zone = desk.calendar.time_zone();
    let local = desk.calendar.to_local(at).format("%Y-%m-%d %H:%M");
    if zone == chrono_tz::UTC {
        format!("{local} UTC")
    } else {
        format!("{local} ({zone})")
    }
}

pub fn clock_name(clock: SlaClock) -> ClockName {
    match clock {
        SlaClock::FirstResponse => ClockName::FirstResponse,
        SlaClock::Resolution => ClockName::Resolution,
    }
}

/// Sets `column` to `now` if it is still empty; true when this call did.
async fn claim<C: ConnectionTrait>(
    conn: &C,
    ticket_id: i32,
    column: tickets::Column,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = tickets::Entity::update_many()
        .col_expr(column, Expr::value(now))
        .filter(tickets::Column::Id.eq(ticket_id))
        .filter(column.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}
