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
    new_event(ticket_id, actor, action, payload)
        .insert(conn)
        .await?;
    Ok(())
}

/// An event row ready to insert, its search text filled in, for writes
/// that build their own statement (see `outbox::Outbox::insert_with_event`).
pub fn new_event(
    ticket_id: Option<i32>,
    actor: Actor,
    action: &str,
    mut payload: Value,
) -> events::ActiveModel {
    strip_nul(&mut payload);
    events::ActiveModel {
        ticket_id: Set(ticket_id),
        actor: Set(actor),
        action: Set(action.to_owned()),
        search_text: Set(events::search_text_of(&payload)),
        payload: Set(payload),
        ts: Set(Utc::now()),
        ..Default::default()
    }
}

/// PostgreSQL refuses the NUL character in text and jsonb; people can still
/// type it. Dropping it keeps their message instead of losing the update.
pub(crate) fn strip_nul(value: &mut Value) {
    match value {
        Value::String(text) if text.contains('\0') => text.retain(|c| c != '\0'),
        Value::Array(items) => items.iter_mut().for_each(strip_nul),
        Value::Object(fields) => fields.values_mut().for_each(strip_nul),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_dropped_everywhere_in_a_payload() {
        let mut payload = serde_json::json!({"a": "x\0y", "b": ["\0"], "c": {"d": "ok"}});
        strip_nul(&mut payload);
        assert_eq!(
            payload,
            serde_json::json!({"a": "xy", "b": [""], "c": {"d": "ok"}})
        );
    }
}
