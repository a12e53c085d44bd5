//! Writing down what went out: a call's rows are marked sent and the
//! message links of its copies stored in one statement and one commit,
//! shared with the calls of other lanes that returned meanwhile.
//!
//! One write instead of two matters on a lane's critical path: each lane
//! waits for its call's mark before its next call (so a crash repeats at
//! most one call per lane), and that wait is now one commit, not two. The
//! links and the mark land together, so whoever reads a row as sent also
//! finds its links (copying the history into a mirror relies on it).

use std::cell::RefCell;
use std::future::Future;
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, Statement, TransactionTrait, Value,
};

use super::executor::Executor;
use crate::database;
use crate::entities::{OutboxStatus, outbox};
use crate::group_commit::{GroupCommit, GroupCommitError, padded_to_shape};
use crate::records::links::{self, Link};
use crate::retry::Pauses;

/// How long a sent mark failing for another reason than the database being
/// out of reach is tried again (SQLite held by another writer fails that
/// way); an outage is waited out, however long it lasts.
const MARK_PATIENCE: Duration = Duration::from_secs(30);
/// The first and the longest pause between tries of a sent mark.
const MARK_FIRST_PAUSE: Duration = Duration::from_millis(100);
const MARK_LONGEST_PAUSE: Duration = Duration::from_secs(2);

tokio::task_local! {
    /// The links made by the delivery in progress, held back to be written
    /// with its sent mark.
    static DELIVERY_LINKS: RefCell<Vec<Link>>;
}

/// What one finished call leaves to write down.
#[derive(Debug, Default)]
pub(super) struct Settlement {
    /// Rows to mark sent.
    pub sent: Vec<i32>,
    /// Copies and what they copy.
    pub links: Vec<Link>,
}

pub(super) type SettlementWriter = GroupCommit<Settlement, (), DbErr>;

/// The writer every lane shares.
pub(super) fn settlement_writer(db: DatabaseConnection) -> SettlementWriter {
    GroupCommit::start(move |settlements: Vec<Settlement>| {
        let db = db.clone();
        Box::pin(async move {
            let count = settlements.len();
            let mut sent = Vec::new();
            let mut made = Vec::new();
            for settlement in settlements {
                sent.extend(settlement.sent);
                made.extend(settlement.links);
            }
            write(&db, &sent, &made).await?;
            Ok(vec![(); count])
        })
    })
}

/// Runs `delivery` collecting the links it records, and returns them with
/// its outcome.
pub(super) async fn collecting_links<T>(delivery: impl Future<Output = T>) -> (T, Vec<Link>) {
    DELIVERY_LINKS
        .scope(RefCell::new(Vec::new()), async {
            let outcome = delivery.await;
            (outcome, DELIVERY_LINKS.with(|links| links.take()))
        })
        .await
}

impl Executor {
    /// Records which copies stand for which messages (replies and edits
    /// find their counterparts through them). Inside a delivery they are
    /// written with its sent mark; elsewhere at once.
    pub(super) async fn record_links(&self, made: Vec<Link>) -> Result<(), DbErr> {
        if made.is_empty() {
            return Ok(());
        }
        let held = DELIVERY_LINKS.try_with(|links| links.borrow_mut().extend(made.iter().copied()));
        if held.is_ok() {
            return Ok(());
        }
        self.settle(Settlement {
            sent: Vec::new(),
            links: made,
        })
        .await
    }

    /// Marks the rows of one call sent, with the links it made. The call
    /// went out, so a mark given up means sending its rows again later,
    /// which the chat would see twice; and the lane may not make its next
    /// call before (a crash would then repeat two). So a failing mark is
    /// tried again: through an outage however long, otherwise for
    /// `MARK_PATIENCE` (graceful shutdown's grace bounds both).
    pub(super) async fn mark_sent(
        &self,
        rows: &[&outbox::Model],
        made: Vec<Link>,
    ) -> Result<(), DbErr> {
        let sent: Vec<i32> = rows.iter().map(|row| row.id).collect();
        let started = Instant::now();
        let mut pauses = Pauses::new(MARK_FIRST_PAUSE, MARK_LONGEST_PAUSE);
        let mut failed = false;
        loop {
            let settlement = Settlement {
                sent: sent.clone(),
                links: made.clone(),
            };
            let error = match self.settle(settlement).await {
                Ok(()) => {
                    if failed {
                        tracing::info!("the delivery is marked sent after all");
                    }
                    return Ok(());
                }
                Err(error) => error,
            };
            if !database::is_unreachable(&error) && started.elapsed() >= MARK_PATIENCE {
                return Err(error);
            }
            if !failed {
                failed = true;
                tracing::warn!(error = %error, "sent, but cannot mark the delivery sent yet; the lane waits and tries again");
            }
            tokio::time::sleep(pauses.next_pause()).await;
        }
    }

    /// Returns once every sent mark and link submitted before the call is
    /// written: the writer takes its items in order, so an empty one is
    /// answered only after them.
    pub(super) async fn settled_so_far(&self) -> Result<(), DbErr> {
        self.settle(Settlement::default()).await
    }

    async fn settle(&self, settlement: Settlement) -> Result<(), DbErr> {
        self.settlements
            .submit(settlement)
            .await
            .map_err(|error| match error {
                GroupCommitError::Write(error) => database::shared_error(&error),
                stopped => DbErr::Custom(stopped.to_string()),
            })
    }
}

/// Stores `made` and marks `sent` sent, atomically. On PostgreSQL one
/// statement (the links inserted in a CTE); SQLite, in-process, has no
/// round trips to save and takes a transaction.
async fn write(db: &DatabaseConnection, sent: &[i32], made: &[Link]) -> Result<(), DbErr> {
    // Few statement shapes, whatever the counts (a repeated id or link
    // changes nothing).
    let (sent, made) = (&padded_to_shape(sent)[..], &padded_to_shape(made)[..]);
    match (sent.is_empty(), made.is_empty()) {
        (true, true) => Ok(()),
        (true, false) => links::record_many(db, made).await,
        (false, true) => mark(db, sent).await,
        (false, false) if db.get_database_backend() == DatabaseBackend::Postgres => db
            .execute_raw(links_and_marks(sent, made))
            .await
            .map(|_| ()),
        (false, false) => {
            let txn = db.begin().await?;
            links::record_many(&txn, made).await?;
            mark(&txn, sent).await?;
            txn.commit().await
        }
    }
}

async fn mark<C: ConnectionTrait>(conn: &C, sent: &[i32]) -> Result<(), DbErr> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Sent))
        .col_expr(outbox::Column::SentAt, Expr::value(Utc::now()))
        .filter(outbox::Column::Id.is_in(sent.iter().copied()))
        .exec(conn)
        .await
        .map(|_| ())
}

/// PostgreSQL's data-modifying CTE does both writes in one statement. Written
/// as SQL because sea-query cannot put an INSERT in a WITH of an UPDATE.
fn links_and_marks(sent: &[i32], made: &[Link]) -> Statement {
    let now = Utc::now();
    let mut values: Vec<Value> = Vec::with_capacity(made.len() * 6 + sent.len() + 2);
    let mut placeholder = |value: Value| {
        values.push(value);
        format!("${}", values.len())
    };
    let rows: Vec<String> = made
        .iter()
        .map(|link| {
            format!(
                "({}, {}, {}, {}, {}, {})",
                placeholder(link.ticket_id.into()),
                placeholder(link.source.0.into()),
                placeholder(link.source.1.into()),
                placeholder(link.copy.0.into()),
                placeholder(link.copy.1.into()),
                placeholder(now.into()),
            )
        })
        .collect();
    let status = placeholder(OutboxStatus::Sent.as_str().into());
    let sent_at = placeholder(now.into());
    let ids: Vec<String> = sent.iter().map(|id| placeholder((*id).into())).collect();
    let sql = format!(
        "WITH linked AS (INSERT INTO message_links \
         (ticket_id, src_chat_id, src_message_id, dst_chat_id, dst_message_id, created_at) \
         VALUES {} ON CONFLICT (src_chat_id, src_message_id, dst_chat_id) DO NOTHING) \
         UPDATE outbox SET status = {status}, sent_at = {sent_at} WHERE id IN ({})",
        rows.join(", "),
        ids.join(", ")
    );
    Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, values)
}
