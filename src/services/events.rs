//! The events log: every action on a ticket, with who did it and details.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use serde_json::Value;

use crate::entities::{Actor, events};

pub async fn record<C: ConnectionTrait>(
    conn: &C,
    ticket_id: Option<i32>,
    actor: Actor,
    action: &str,
    payload: Value,
) -> Result<(), DbErr> {
    events::ActiveModel {
        ticket_id: Set(ticket_id),
        actor: Set(actor),
        action: Set(action.to_owned()),
        payload: Set(payload),
        ts: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}
