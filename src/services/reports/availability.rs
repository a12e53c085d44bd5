//! /tech_on and /tech_off: whether a technician takes new tickets.

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::json;

use crate::entities::{Actor, technicians};
use crate::records::events as event_log;
use crate::services::technicians as technicians_service;
use crate::store::Store;

/// What came of /tech_on or /tech_off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Changed(technicians::Model),
    Unchanged(technicians::Model),
    /// Not in TECH_GROUPS_MAPPING any more: nothing to switch.
    NotInMapping(technicians::Model),
    Unknown,
}

/// How a manager names a technician: the id /techs shows, or @username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TechRef {
    Id(i32),
    Username(String),
}

/// Lets a technician take new tickets, or stops it. Recorded in the events
/// log, and the cached list of technicians offered on cards is dropped; a
/// technician missing from TECH_GROUPS_MAPPING is left alone.
pub async fn set_available(
    db: &DatabaseConnection,
    store: &Store,
    tech: &TechRef,
    available: bool,
    by: i64,
) -> Result<Availability, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    let query = technicians::Entity::find();
    let found = match tech {
        TechRef::Id(id) => query.filter(technicians::Column::Id.eq(*id)),
        TechRef::Username(username) => query.filter(
            Expr::expr(Func::lower(Expr::col(technicians::Column::Username)))
                .eq(username.trim_start_matches('@').to_ascii_lowercase()),
        ),
    }
    .order_by_desc(technicians::Column::IsActive)
    .order_by_asc(technicians::Column::Id)
    .one(db)
    .await?;
    let Some(found) = found else {
        return Ok(Availability::Unknown);
    };
    if !found.is_active {
        return Ok(Availability::NotInMapping(found));
    }
    if found.available == available {
        // Also when unchanged: a retry after a crash between the commit
        // below and the cache drop must still drop it.
        technicians_service::forget_active_technicians(store).await;
        return Ok(Availability::Unchanged(found));
    }
    let txn = db.begin().await?;
    let mut row = found.into_active_model();
    row.available = Set(available);
    let updated = row.update(&txn).await?;
    event_log::record(
        &txn,
        None,
        Actor::Staff,
        if available {
            "technician_available"
        } else {
            "technician_unavailable"
        },
        json!({ "tech_id": updated.id, "tech": updated.name, "by": by }),
    )
    .await?;
    txn.commit().await?;
    // New cards must show the change at once, not when the cache expires.
    technicians_service::forget_active_technicians(store).await;
    tracing::info!(
        tech_id = updated.id,
        available,
        by,
        "technician availability changed"
    );
    Ok(Availability::Changed(updated))
}
