//! One step of a lane: read what waits, then give each ticket a turn — one
//! call, sent and marked before the next — until the lane has to wait, runs
//! dry, or has used its step's time. In a group every ticket has its own
//! topic, so tickets take turns (round robin), and a client flooding one
//! topic cannot hold up the others; in a private chat everything is one
//! stream, in order.
//!
//! A group lane's read follows the round robin too: the tickets after the
//! one served last, each with up to a full batch of rows, so a backlog
//! leaves in full copyMessages and every waiting ticket is reached within
//! one rotation, however many are waiting.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Statement, Value,
};

use super::executor::{Executor, Step};
use super::places::{Place, ReadPlaces, with_read_places};
use crate::entities::OutboxStatus;
use crate::entities::outbox::{self, Column};

/// Rows read per look at a private chat's lane.
const BATCH: u64 = 200;
/// Rows of one ticket read per look at a group lane: one turn's worth, a
/// full batch of copies (`executor::COPY_BATCH`) or a whole album
/// (`executor::ALBUM_MOST`), whichever is more.
const ROWS_PER_TICKET: u64 = if super::executor::ALBUM_MOST > super::executor::COPY_BATCH {
    super::executor::ALBUM_MOST as u64
} else {
    super::executor::COPY_BATCH as u64
};
/// Tickets one look at a group lane visits at most, each visit one index
/// descent.
const TICKETS_PER_READ: usize = 32;
/// Rows one look at a group lane reads at most: a turn's worth for each of
/// its tickets.
const GROUP_BATCH: u64 = TICKETS_PER_READ as u64 * ROWS_PER_TICKET;
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
    fn order(&self, mut keys: Vec<Option<i32>>) -> Vec<Option<i32>> {
        keys.sort_unstable();
        let start = match self.last {
            Some(last) => keys.partition_point(|key| *key <= last),
            None => 0,
        };
        keys.rotate_left(start);
        keys
    }

    fn served(&mut self, key: Option<i32>) {
        self.last = Some(key);
    }

    /// The ticket key the next read starts after, as the lane's SQL
    /// compares it: rows without a ticket count as 0 (ticket ids start at
    /// 1), and -1 when no ticket was served yet, so the read starts at the
    /// beginning.
    fn read_after(&self) -> i64 {
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
        let read_everything = !partial;
        let mut sequences = sequences(lane, rows);
        let order = turns.order(sequences.keys().copied().collect());
        let mut moved = false;
        // Whether every row read is known to have gone (each sequence was
        // a single row, now finished): then nothing read is left over.
        let mut all_gone = true;
        let mut earliest_wait: Option<DateTime<Utc>> = None;
        // With limits counting, any turn may find the window full. With
        // none, only a 429's pause can hold the lane: one from before this
        // step shows at the first look, and one earned during it ends the
        // step (`Step::LaneWaits`), so one look per read does.
        let look_each_turn = self.sender.limits().count_into(lane);
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
        // The read held every pending row and all of them went: reading
        // again would find only rows added since, and each of those woke
        // the lane (the wake-up waits as a permit), so the lane rests.
        // At a steady trickle this saves a read per delivery.
        if moved && all_gone && read_everything {
            return Some(LaneStep::Idle);
        }
        if !moved {
            return Some(LaneStep::WaitUntil(
                earliest_wait.unwrap_or_else(|| Utc::now() + chrono::Duration::milliseconds(50)),
            ));
        }
        None
    }

    /// What waits in a lane: in a private chat simply the oldest rows; in a
    /// group a turn's worth of rows of each ticket, tickets in round-robin
    /// order starting after ticket key `after` (see `RoundRobin::read_after`),
    /// so no ticket is left unread behind others' backlogs — with each
    /// ticket's main topic as it stands, which saves the copies a read of
    /// the ticket each. Also answers whether the read may have left waiting
    /// rows out (a full batch, or as many tickets as one read visits).
    async fn pending(
        &self,
        lane: i64,
        after: i64,
    ) -> Result<(Vec<outbox::Model>, ReadPlaces, bool), DbErr> {
        if lane > 0 {
            let rows = outbox::Entity::find()
                .filter(Column::Status.eq(OutboxStatus::Pending))
                .filter(Column::LaneChatId.eq(lane))
                .order_by_asc(Column::Id)
                .limit(BATCH)
                .all(&self.db)
                .await?;
            let partial = rows.len() as u64 >= BATCH;
            return Ok((rows, ReadPlaces::default(), partial));
        }
        let backend = self.db.get_database_backend();
        let values: Vec<Value> = vec![
            lane.into(),
            after.into(),
            (TICKETS_PER_READ as i64).into(),
            (ROWS_PER_TICKET as i64).into(),
            (GROUP_BATCH as i64).into(),
        ];
        let found = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                turns_sql(backend),
                values,
            ))
            .await?;
        let mut rows = Vec::with_capacity(found.len());
        let mut places = ReadPlaces::default();
        let mut tickets = HashSet::new();
        for row in found {
            let model = outbox::Model::from_query_result(&row, "")?;
            let chat: Option<i64> = row.try_get("", "main_chat")?;
            let thread: Option<i32> = row.try_get("", "main_thread")?;
            if let (Some(ticket), Some(chat), Some(thread)) = (model.ticket_id, chat, thread) {
                places.insert(
                    ticket,
                    Place {
                        chat,
                        thread: Some(thread),
                    },
                );
            }
            tickets.insert(model.ticket_id);
            rows.push(model);
        }
        let partial = rows.len() as u64 >= GROUP_BATCH || tickets.len() >= TICKETS_PER_READ;
        Ok((rows, places, partial))
    }
}

/// A group lane's read. It never looks at more of the backlog than it
/// returns: two walks over `ix_outbox_pending_turns` step from one waiting
/// ticket to the next (each step is one index descent, however many rows
/// the ticket has), first through the tickets after the one served last,
/// then from the start up to it, `TICKETS_PER_READ` in all; then each
/// ticket's first rows are taken in id order. Numbering every pending row
/// of the chat with a window function, as the read did before, sorted the
/// whole backlog each time (11–18 ms in a burst's backlog of 9,000 rows,
/// and more the longer the backlog). What still costs is the index's
/// entries of rows sent since the last vacuum, which a walk steps over
/// (BENCHMARKS.md, issue 14's sixth pass).
///
/// The wrap-around walk starts only when the first left room: its first
/// step is not bounded by the recursion's condition, and when it went
/// unbounded (up to 2026-12-01) a read held one ticket more than its
/// share — the first one, from the start again. Served last, that ticket
/// became the next read's starting point, and with more than
/// `TICKETS_PER_READ` tickets waiting the lane went round the same first
/// ones for as long as they had rows: in a 200-ticket burst, 167 tickets
/// waited until the first 33 ran dry.
///
/// Parameters: 1 the lane, 2 the ticket key served last, 3 tickets in all,
/// 4 rows per ticket, 5 rows in all. PostgreSQL takes each ticket's
/// rows with a LATERAL join; SQLite, which has none, with a correlated
/// `IN (… LIMIT n)`.
fn turns_sql(backend: DatabaseBackend) -> String {
    let postgres = backend == DatabaseBackend::Postgres;
    let p = |n: u8| {
        if postgres {
            format!("${n}")
        } else {
            format!("?{n}")
        }
    };
    let (lane, after, tickets, per_ticket, all) = (p(1), p(2), p(3), p(4), p(5));
    let pending = OutboxStatus::Pending.as_str();
    // Written against the index's exact expression and predicate, so that
    // both databases use it.
    let next_key = |from: &str| {
        format!(
            "(SELECT MIN(COALESCE(o.ticket_id, 0)) FROM outbox o \
             WHERE o.status = '{pending}' AND o.lane_chat_id = {lane} \
             AND COALESCE(o.ticket_id, 0) > {from})"
        )
    };
    let ticket_rows = if postgres {
        format!(
            "CROSS JOIN LATERAL (SELECT * FROM outbox o WHERE o.status = '{pending}' \
             AND o.lane_chat_id = {lane} AND COALESCE(o.ticket_id, 0) = turn.k \
             ORDER BY o.id LIMIT {per_ticket}) AS w"
        )
    } else {
        format!(
            "JOIN outbox w ON w.id IN (SELECT o.id FROM outbox o WHERE o.status = '{pending}' \
             AND o.lane_chat_id = {lane} AND COALESCE(o.ticket_id, 0) = turn.k \
             ORDER BY o.id LIMIT {per_ticket})"
        )
    };
    format!(
        "WITH RECURSIVE later(k, n) AS ( \
         SELECT {first_later}, 1 \
         UNION ALL SELECT {next_later}, n + 1 FROM later \
         WHERE k IS NOT NULL AND n < {tickets}), \
         earlier(k, n) AS ( \
         SELECT {first}, 1 WHERE (SELECT COUNT(k) FROM later) < {tickets} \
         UNION ALL SELECT {next_earlier}, n + 1 FROM earlier \
         WHERE k IS NOT NULL AND k < {after} \
         AND n < {tickets} - (SELECT COUNT(k) FROM later)), \
         turn(phase, k) AS ( \
         SELECT 0, k FROM later WHERE k IS NOT NULL \
         UNION ALL SELECT 1, k FROM earlier WHERE k IS NOT NULL AND k <= {after}) \
         SELECT w.id, w.lane_chat_id, w.ticket_id, w.action, w.source_chat_id, \
         w.source_message_id, w.media_group_id, w.dedup_key, w.status, w.attempts, \
         w.last_error, w.not_before, w.created_at, w.sent_at, \
         t.main_chat_id AS main_chat, t.main_thread_id AS main_thread \
         FROM turn {ticket_rows} \
         LEFT JOIN tickets t ON t.id = w.ticket_id \
         ORDER BY turn.phase, turn.k, w.id LIMIT {all}",
        first_later = next_key(&after),
        next_later = next_key("later.k"),
        first = next_key("-1"),
        next_earlier = next_key("earlier.k"),
    )
}

/// Splits a lane's rows into sequences that must keep their order: in a
/// group, one per ticket (each ticket has its own topic there); in a private
/// chat, just one, since the client reads everything in one stream.
fn sequences(lane: i64, rows: Vec<outbox::Model>) -> HashMap<Option<i32>, Vec<outbox::Model>> {
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

    /// An in-memory SQLite database with the schema, checking no foreign
    /// keys (the rows below stand for tickets that are not there).
    async fn outbox_only_database() -> sea_orm::DatabaseConnection {
        use migration::MigratorTrait;
        let mut options = sea_orm::ConnectOptions::new("sqlite::memory:");
        options.max_connections(1).min_connections(1);
        let db = sea_orm::Database::connect(options).await.unwrap();
        migration::Migrator::up(&db, None).await.unwrap();
        db.execute_unprepared("PRAGMA foreign_keys = OFF")
            .await
            .unwrap();
        db
    }

    /// The tickets one read of a group lane holds, as `serve` takes turns.
    async fn read_turns(
        db: &sea_orm::DatabaseConnection,
        lane: i64,
        turns: &RoundRobin,
    ) -> Vec<Option<i32>> {
        let values: Vec<Value> = vec![
            lane.into(),
            turns.read_after().into(),
            (TICKETS_PER_READ as i64).into(),
            (ROWS_PER_TICKET as i64).into(),
            (GROUP_BATCH as i64).into(),
        ];
        let found = db
            .query_all_raw(Statement::from_sql_and_values(
                DatabaseBackend::Sqlite,
                turns_sql(DatabaseBackend::Sqlite),
                values,
            ))
            .await
            .unwrap();
        let keys: HashSet<Option<i32>> = found
            .iter()
            .map(|row| row.try_get::<Option<i32>>("", "ticket_id").unwrap())
            .collect();
        turns.order(keys.into_iter().collect())
    }

    #[tokio::test]
    async fn with_more_tickets_waiting_than_a_read_holds_every_ticket_gets_its_turn() {
        let db = outbox_only_database().await;
        let lane = -100;
        let tickets = 40;
        for ticket in 1..=tickets {
            for n in 0..3 {
                db.execute_raw(Statement::from_sql_and_values(
                    DatabaseBackend::Sqlite,
                    "INSERT INTO outbox (lane_chat_id, ticket_id, action, dedup_key, status, \
                     attempts, created_at) VALUES (?, ?, '{}', ?, 'PENDING', 0, ?)",
                    [
                        lane.into(),
                        ticket.into(),
                        format!("{ticket}:{n}").into(),
                        Utc::now().into(),
                    ],
                ))
                .await
                .unwrap();
            }
        }
        // As in a burst: the first few tickets were served before the
        // others opened. Rows stay, as they would while clients keep writing.
        let mut turns = RoundRobin::default();
        turns.served(Some(4));
        let mut reached = std::collections::BTreeSet::new();
        for _ in 0..3 {
            let order = read_turns(&db, lane, &turns).await;
            assert!(
                order.len() <= TICKETS_PER_READ,
                "a read holds at most {TICKETS_PER_READ} tickets, not {}",
                order.len()
            );
            for key in order {
                reached.insert(key.unwrap());
                turns.served(key);
            }
        }
        assert_eq!(
            reached,
            (1..=tickets).collect(),
            "three reads of 32 reach all 40 tickets"
        );
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
