//! The update being handled, and its done mark.
//!
//! A bridged client message ends in one write (its deliveries and event).
//! The done mark of its update can ride along in that write instead of
//! costing a statement and a commit of its own. The intake's processor runs
//! the handlers inside [`handling`]; a handler's *last* write may carry
//! the mark of [`update_being_handled`] and report it written with
//! [`mark_written`], and the processor then does not mark the update
//! again. A write that is not its handler's last must not take it: a crash
//! after it would leave the rest of the handler undone and the update never
//! replayed.

use std::cell::Cell;
use std::future::Future;

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Query, UpdateStatement};

use crate::entities::InboundStatus;
use crate::entities::inbound_updates::{Column, Entity as InboundUpdate};

tokio::task_local! {
    static HANDLED: Handled;
}

struct Handled {
    update_id: i64,
    marked: Cell<bool>,
}

/// Runs `work` (the handlers of update `update_id`) and answers its output
/// with whether its done mark was written along the way.
pub async fn handling<F: Future>(update_id: i64, work: F) -> (F::Output, bool) {
    let handled = Handled {
        update_id,
        marked: Cell::new(false),
    };
    HANDLED
        .scope(handled, async {
            let output = work.await;
            (output, HANDLED.with(|handled| handled.marked.get()))
        })
        .await
}

/// The update being handled, whose done mark a handler's last write may
/// carry; `None` outside a handler.
pub fn update_being_handled() -> Option<i64> {
    HANDLED.try_with(|handled| handled.update_id).ok()
}

/// The write holding the done mark committed.
pub fn mark_written() {
    let _ = HANDLED.try_with(|handled| handled.marked.set(true));
}

/// Marks `update_ids` done: finished, with their attempt counted.
pub fn done_marks(update_ids: &[i64]) -> UpdateStatement {
    Query::update()
        .table(InboundUpdate)
        .value(Column::Status, InboundStatus::Done.as_str())
        .value(Column::ProcessedAt, Utc::now())
        .value(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .and_where(Expr::col(Column::UpdateId).is_in(update_ids.iter().copied()))
        .to_owned()
}
