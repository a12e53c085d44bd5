//! One step of a lane: read what waits, then give each ticket a turn — one
//! call, sent and marked before the next — until the lane has to wait, runs
//! dry, or has used its step's time. In a group every ticket has its own
//! topic, so tickets take turns (round robin), and a client flooding one
//! topic cannot hold up the others; in a private chat everything is one
//! stream, in order.
//!
//! A group lane's read follows the round robin too (`lane_read`).
//!
//! A group counted against no rate limit (a Bot API server without Telegram's
//! limits, the benchmarks) has no window to share out, so its tickets' turns
//! overlap (`overlap`), as many as fit in one copy batch of messages in
//! flight.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::executor::{Executor, Step};
use super::places::with_read_places;
use crate::entities::outbox;

/// A lane step starts no call after this, so a lane waiting for its rate
/// limit lets go of its lock between steps.
const STEP_BUDGET: Duration = Duration::from_secs(10);

/// What the lane's worker does next.
pub(crate) enum LaneStep {
    /// Nothing waits.
    Idle,
    /// Rows are left: look again at once.
    Again,
    /// Nothing can go before then.
    WaitUntil(DateTime<Utc>),
}

/// Whose turn it is in a group lane: the ticket after the one served last,
/// in ticket order, so each waiting ticket gets one call per round.
#[derive(Default)]
pub(crate) struct RoundRobin {
    last: Option<Option<i32>>,
}

impl RoundRobin {
    /// `keys` in the order they take their turns, starting after the last one
    /// served.
    pub(super) fn order(&self, mut keys: Vec<Option<i32>>) -> Vec<Option<i32>> {
        keys.sort_unstable();
        let start = match self.last {
            Some(last) => keys.partition_point(|key| *key <= last),
            None => 0,
        };
        keys.rotate_left(start);
        keys
    }

    pub(super) fn served(&mut self, key: Option<i32>) {
        self.last = Some(key);
    }

    /// The ticket key the next read starts after, as the lane's SQL
    /// compares it: rows without a ticket count as 0 (ticket ids start at
    /// 1), and -1 when no ticket was served yet, so the read starts at the
    /// beginning.
    pub(super) fn read_after(&self) -> i64 {
        match self.last {
            None => -1,
            Some(key) => key.map_or(0, i64::from),
        }
    }
}

impl Executor {
    /// One step of `lane`; see the module's documentation.
    pub(crate) async fn lane_step(&self, lane: i64, turns: &mut RoundRobin) -> LaneStep {
        let deadline = tokio::time::Instant::now() + STEP_BUDGET;
        loop {
            let (rows, places, partial) = match self.pending(lane, turns.read_after()).await {
                Ok((rows, ..)) if rows.is_empty() => return LaneStep::Idle,
                Ok(read) => read,
                Err(error) => {
                    tracing::warn!(lane, error = %error, "cannot read the outbox; retrying");
                    return LaneStep::WaitUntil(Utc::now() + chrono::Duration::seconds(1));
                }
            };
            let served =
                with_read_places(places, self.serve(lane, rows, partial, turns, deadline)).await;
            if let Some(step) = served {
                return step;
            }
        }
    }

    /// Gives each ticket of one read its turn; `None`: read the lane again.
    async fn serve(
        &self,
        lane: i64,
        rows: Vec<outbox::Model>,
        partial: bool,
        turns: &mut RoundRobin,
        deadline: tokio::time::Instant,
    ) -> Option<LaneStep> {
        // With limits counting, any turn may find the window full. With
        // none, only a 429's pause can hold the lane: one from before this
        // step shows at the first look, and one earned during it ends the
        // step (`Step::LaneWaits`), so one look per read does.
        let look_each_turn = self.sender.limits().count_into(lane);
        if lane < 0 && !look_each_turn {
            return self
                .serve_side_by_side(lane, rows, partial, turns, deadline)
                .await;
        }
        let read_everything = !partial;
        let mut sequences = sequences(lane, rows);
        let order = turns.order(sequences.keys().copied().collect());
        let mut moved = false;
        // Whether every row read is known to have gone (each sequence was
        // a single row, now finished): then nothing read is left over.
        let mut all_gone = true;
        let mut earliest_wait: Option<DateTime<Utc>> = None;
        let mut looked = false;
        for key in order {
            if tokio::time::Instant::now() >= deadline {
                return Some(LaneStep::Again);
            }
            if look_each_turn || !looked {
                looked = true;
                let delay = self.send_delay(lane, 1).await;
                if !delay.is_zero() {
                    return Some(LaneStep::WaitUntil(Utc::now() + delay));
                }
            }
            let rows = sequences.remove(&key).unwrap_or_default();
            match self.step(lane, &rows).await {
                Step::Finished => {
                    turns.served(key);
                    moved = true;
                    all_gone &= rows.len() == 1;
                }
                // Rows changed in the database: read the lane again.
                Step::Reread => return None,
                // Telegram is out of reach or asked the chat to wait.
                Step::LaneWaits(until) => return Some(LaneStep::WaitUntil(until)),
                // This ticket waits (an album still arriving, a retry
                // later); in a group the others go on meanwhile.
                Step::WaitUntil(until) if lane < 0 => {
                    all_gone = false;
                    earliest_wait = Some(earliest_wait.map_or(until, |w| w.min(until)));
                }
                Step::WaitUntil(until) => return Some(LaneStep::WaitUntil(until)),
            }
        }
        after_all_turns(moved, all_gone && read_everything, earliest_wait)
    }
}

/// What a lane does once every ticket of a read had its turn. `moved`: some
/// turn finished; `all_gone`: the read held every pending row and all of
/// them went; `earliest_wait`: when the first ticket that had to wait can go.
pub(super) fn after_all_turns(
    moved: bool,
    all_gone: bool,
    earliest_wait: Option<DateTime<Utc>>,
) -> Option<LaneStep> {
    // Reading again would find only rows added since, and each of those
    // woke the lane (the wake-up waits as a permit), so the lane rests.
    // At a steady trickle this saves a read per delivery.
    if moved && all_gone {
        return Some(LaneStep::Idle);
    }
    if !moved {
        return Some(LaneStep::WaitUntil(
            earliest_wait.unwrap_or_else(|| Utc::now() + chrono::Duration::milliseconds(50)),
        ));
    }
    None
}

/// Splits a lane's rows into sequences that must keep their order: in a
/// group, one per ticket (each ticket has its own topic there); in a private
/// chat, just one, since the client reads everything in one stream.
pub(super) fn sequences(
    lane: i64,
    rows: Vec<outbox::Model>,
) -> HashMap<Option<i32>, Vec<outbox::Model>> {
    let mut by_key: HashMap<Option<i32>, Vec<outbox::Model>> = HashMap::new();
    for row in rows {
        let key = if lane < 0 { row.ticket_id } else { None };
        by_key.entry(key).or_default().push(row);
    }
    by_key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::OutboxStatus;

    fn row(id: i32, lane: i64, ticket: Option<i32>) -> outbox::Model {
        outbox::Model {
            id,
            lane_chat_id: lane,
            ticket_id: ticket,
            action: serde_json::json!({}),
            source_chat_id: None,
            source_message_id: None,
            media_group_id: None,
            dedup_key: None,
            status: OutboxStatus::Pending,
            attempts: 0,
            last_error: None,
            not_before: None,
            created_at: Utc::now(),
            sent_at: None,
        }
    }

    fn ids(sequences: &HashMap<Option<i32>, Vec<outbox::Model>>, key: Option<i32>) -> Vec<i32> {
        sequences[&key].iter().map(|r| r.id).collect()
    }

    #[test]
    fn a_group_lane_splits_by_ticket_keeping_each_tickets_order() {
        let lane = -100;
        let rows = vec![
            row(1, lane, Some(7)),
            row(2, lane, Some(8)),
            row(3, lane, Some(7)),
            row(4, lane, None),
            row(5, lane, Some(8)),
        ];
        let sequences = sequences(lane, rows);
        assert_eq!(ids(&sequences, Some(7)), [1, 3]);
        assert_eq!(ids(&sequences, Some(8)), [2, 5]);
        assert_eq!(ids(&sequences, None), [4]);
    }

    #[test]
    fn a_private_chat_stays_one_sequence() {
        let lane = 42;
        let rows = vec![
            row(1, lane, Some(7)),
            row(2, lane, Some(8)),
            row(3, lane, Some(7)),
        ];
        let sequences = sequences(lane, rows);
        assert_eq!(sequences.len(), 1);
        assert_eq!(ids(&sequences, None), [1, 2, 3]);
    }

    #[test]
    fn tickets_take_turns_starting_after_the_last_one_served() {
        let mut turns = RoundRobin::default();
        let keys = vec![Some(9), Some(3), None, Some(5)];
        assert_eq!(turns.order(keys.clone()), [None, Some(3), Some(5), Some(9)]);
        turns.served(Some(3));
        assert_eq!(turns.order(keys.clone()), [Some(5), Some(9), None, Some(3)]);
        turns.served(Some(9));
        assert_eq!(turns.order(keys.clone()), [None, Some(3), Some(5), Some(9)]);
        // A ticket that came and went does not disturb the order.
        turns.served(Some(4));
        assert_eq!(turns.order(keys), [Some(5), Some(9), None, Some(3)]);
    }

    #[test]
    fn the_read_starts_after_the_ticket_served_last() {
        let mut turns = RoundRobin::default();
        assert_eq!(turns.read_after(), -1, "nothing served: from the start");
        turns.served(None);
        assert_eq!(turns.read_after(), 0, "rows without a ticket count as 0");
        turns.served(Some(12));
        assert_eq!(turns.read_after(), 12);
    }
}
