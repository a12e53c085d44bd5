//! The desk's side of the job engine: what each planned job does, and the
//! minute's sweep that catches whatever a lost job left undone.

use async_trait::async_trait;

use crate::schedule::{JobFailure, Planned, PlannedWork};
use crate::services::ServiceError;
use crate::services::sla::SlaService;
use crate::services::tickets::TicketService;

pub struct DeskWork {
    sla: SlaService,
    tickets: TicketService,
}

impl DeskWork {
    pub fn new(sla: SlaService, tickets: TicketService) -> Self {
        Self { sla, tickets }
    }
}

#[async_trait]
impl PlannedWork for DeskWork {
    async fn run(&self, job: &Planned) -> Result<(), JobFailure> {
        match job {
            Planned::SlaCheck { ticket_id } => self.sla.check(*ticket_id).await,
            Planned::CategoryTimeout { ticket_id } => {
                self.tickets.category_timed_out(*ticket_id).await
            }
            Planned::WaitingAutoClose { ticket_id } => {
                self.tickets.close_if_still_waiting(*ticket_id).await
            }
            Planned::KbHoldTimeout { ticket_id } => {
                self.tickets.kb_hold_timed_out(*ticket_id).await
            }
        }
        .map_err(failure)
    }

    async fn sweep(&self) -> Result<(), JobFailure> {
        let checked = self.sla.sweep().await.map_err(failure)?;
        let opened = self.tickets.open_overdue_held().await.map_err(failure)?
            + self
                .tickets
                .release_overdue_kb_holds()
                .await
                .map_err(failure)?;
        let closed = self
            .tickets
            .close_overdue_waiting()
            .await
            .map_err(failure)?;
        if checked + opened + closed > 0 {
            tracing::info!(
                checked,
                opened,
                closed,
                "the sweep caught up with missed moments"
            );
        }
        Ok(())
    }
}

fn failure(error: ServiceError) -> JobFailure {
    if error.is_outage() {
        JobFailure::outage(error.to_string())
    } else {
        JobFailure::failed(error.to_string())
    }
}
