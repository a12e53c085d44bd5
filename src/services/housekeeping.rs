//! What may go after a while: updates whose handling finished and
//! deliveries that were sent. Run by the job engine's `prune` routine;
//! parked updates and failed deliveries stay, because someone may still
//! look at them.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use crate::entities::InboundStatus;
use crate::entities::inbound_updates;

/// How many rows went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub inbound: u64,
    pub outbox: u64,
}

/// Deletes finished updates processed, and deliveries sent, before `cutoff`.
pub async fn prune(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> Result<Pruned, DbErr> {
    let inbound = inbound_updates::Entity::delete_many()
        .filter(inbound_updates::Column::Status.eq(InboundStatus::Done))
        .filter(inbound_updates::Column::ProcessedAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected;
    let outbox = crate::outbox::prune_sent(db, cutoff).await?;
    Ok(Pruned { inbound, outbox })
}
