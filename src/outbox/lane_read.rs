//! What a look at a lane finds. In a private chat, simply the oldest rows.
//! In a group the read follows the round robin (`lane::RoundRobin`): the
//! tickets after the one served last, each with up to a turn's worth of
//! rows, so a backlog leaves in full copyMessages and every waiting ticket
//! is reached within one rotation, however many are waiting.

use std::collections::HashSet;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Statement, Value,
};

use super::executor::Executor;
use super::places::{Place, ReadPlaces};
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
impl Executor {
    /// What waits in a lane: in a private chat simply the oldest rows; in a
    /// group a turn's worth of rows of each ticket, tickets in round-robin
    /// order starting after ticket key `after` (see `RoundRobin::read_after`),
    /// so no ticket is left unread behind others' backlogs — with each
    /// ticket's main topic as it stands, which saves the copies a read of
    /// the ticket each. Also answers whether the read may have left waiting
    /// rows out (a full batch, or as many tickets as one read visits).
    pub(super) async fn pending(
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

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::outbox::lane::RoundRobin;

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
}
