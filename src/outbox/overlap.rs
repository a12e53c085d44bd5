//! A group lane whose chat no rate limit counts: its tickets' turns overlap.
//!
//! With Telegram's limits a group's window is the bottleneck and the lane
//! shares it out one call at a time, round robin, so a flooding ticket
//! cannot crowd out the quiet ones (issue 10). Without limits the only cost
//! of one call at a time is waiting: each ticket's first turn (its topic and
//! card: two calls and their writes) and every copy batch would wait for
//! the one before. Here turns of different tickets go side by side, in the
//! round robin's order, as long as the messages of the calls in flight fit
//! in one copy batch: a crash repeats every call in flight, and one batch
//! is what issue 10's bound on duplicates allows. Within a ticket nothing
//! changes: its rows still go one call after another, in order.

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::FuturesUnordered;

use super::executor::{COPY_BATCH, Executor, Step};
use super::lane::{LaneStep, RoundRobin, after_all_turns, sequences};
use crate::entities::outbox;

/// Most messages in flight at once across a lane's overlapping calls.
const IN_FLIGHT_MOST: usize = COPY_BATCH;

/// Why a lane stops starting turns before the read is done.
enum Stop {
    /// The step used its time: look again at once.
    OutOfTime,
    /// Rows changed in the database: read the lane again.
    Reread,
    /// Telegram is out of reach or asked the chat to wait.
    LaneWaits(DateTime<Utc>),
}

impl Executor {
    /// Gives each ticket of one read its turn, several at once; `None`:
    /// read the lane again. Every call started is waited for before the
    /// step ends, so none is left half done.
    pub(super) async fn serve_side_by_side(
        &self,
        lane: i64,
        rows: Vec<outbox::Model>,
        partial: bool,
        turns: &mut RoundRobin,
        deadline: tokio::time::Instant,
    ) -> Option<LaneStep> {
        // Only a 429's pause can hold an unlimited lane: one from before
        // this step shows here, one earned during it ends the step.
        let delay = self.send_delay(lane, 1).await;
        if !delay.is_zero() {
            return Some(LaneStep::WaitUntil(Utc::now() + delay));
        }
        let mut sequences = sequences(lane, rows);
        let mut waiting = turns
            .order(sequences.keys().copied().collect())
            .into_iter()
            .enumerate()
            .peekable();
        let mut in_flight = FuturesUnordered::new();
        let mut messages_in_flight = 0;
        let mut stop: Option<Stop> = None;
        // The turn that finished latest in the round robin's order: the
        // next read starts after it.
        let mut last_served: Option<(usize, Option<i32>)> = None;
        let mut moved = false;
        let mut all_gone = !partial;
        let mut earliest_wait: Option<DateTime<Utc>> = None;
        loop {
            while stop.is_none() {
                let Some(&(_, key)) = waiting.peek() else {
                    break;
                };
                if tokio::time::Instant::now() >= deadline {
                    stop = Some(Stop::OutOfTime);
                    break;
                }
                let rows = sequences.remove(&key).unwrap_or_default();
                let messages = self.messages_in_next_call(&rows).min(IN_FLIGHT_MOST);
                if messages_in_flight > 0 && messages_in_flight + messages > IN_FLIGHT_MOST {
                    sequences.insert(key, rows);
                    break;
                }
                let (position, key) = waiting.next().expect("peeked");
                messages_in_flight += messages;
                in_flight.push(async move {
                    let step = self.step(lane, &rows).await;
                    (position, key, rows.len(), messages, step)
                });
            }
            let Some((position, key, rows, messages, step)) = in_flight.next().await else {
                break;
            };
            messages_in_flight -= messages;
            match step {
                Step::Finished => {
                    moved = true;
                    all_gone &= rows == 1;
                    if last_served.is_none_or(|(latest, _)| position > latest) {
                        last_served = Some((position, key));
                    }
                }
                Step::Reread => {
                    if !matches!(stop, Some(Stop::LaneWaits(_))) {
                        stop = Some(Stop::Reread);
                    }
                }
                Step::LaneWaits(until) => stop = Some(Stop::LaneWaits(until)),
                Step::WaitUntil(until) => {
                    all_gone = false;
                    earliest_wait = Some(earliest_wait.map_or(until, |w| w.min(until)));
                }
            }
        }
        if let Some((_, key)) = last_served {
            turns.served(key);
        }
        match stop {
            Some(Stop::LaneWaits(until)) => Some(LaneStep::WaitUntil(until)),
            Some(Stop::Reread) => None,
            Some(Stop::OutOfTime) => Some(LaneStep::Again),
            None => after_all_turns(moved, all_gone, earliest_wait),
        }
    }
}
