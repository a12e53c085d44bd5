//! The report: one row per closed ticket in SHEETS_REPORT_RANGE —
//! id, client, technician, opened, first response, closed, q1, q2, q3,
//! comment — appended once, with the feedback when the client answered.
//!
//! Durable queue: [`queue_report`] inserts a `sheet_reports` row in the
//! close transaction, due when the survey expires; [`report_ready_now`]
//! makes it due at once when the feedback is saved. The job engine's
//! `sheets_report` routine calls [`Sheets::send_due_reports`] every
//! SHEETS report period: it appends due rows in batches (one
//! `values.append` for up to [`BATCH`] rows), builds each row from the
//! database at send time, marks the rows `SENT`, and after a failure keeps
//! them `PENDING`; the engine tries again with a growing delay (up to an
//! hour). Rows queue up while the report is off and go out once it is
//! configured.
//!
//! Never twice: a row is marked `SENT` right after its append succeeds. The
//! window left is between Google applying the append and that mark (the
//! process dies, the database is down, or the answer is lost on the way
//! back, which looks like a failure). To close it, every attempt is counted
//! *before* it is made, and a row that was tried before is first looked up
//! in the report's first column (the ticket id): if it is there, it is
//! marked `SENT` without appending it again. What remains is a person
//! deleting or editing that id in the sheet in between, and two instances
//! with separate in-process stores (the worker holds a store lock; with
//! Redis it is shared).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Value, json};

use super::{CALL_TIMEOUT, Connected, Sheets, SheetsError};
use crate::entities::sheet_reports::{self, ReportStatus};
use crate::entities::{feedback, technicians, tickets, users};

/// Rows per append.
pub const BATCH: u64 = 100;
/// Held while a batch is sent, so instances sharing Redis never send one
/// row twice; longer than a read plus an append can take.
const LOCK_TTL: Duration = Duration::from_secs(3 * 60);
const LOCK_NAME: &str = "sheets:report";

/// Queues the report row of `ticket_id`, due at `ready_at` (the survey's
/// deadline). Call it in the transaction that closes the ticket. Queuing a
/// ticket again changes nothing (a replayed close).
pub async fn queue_report<C: ConnectionTrait>(
    conn: &C,
    ticket_id: i32,
    ready_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = sheet_reports::ActiveModel {
        ticket_id: Set(ticket_id),
        status: Set(ReportStatus::Pending),
        ready_at: Set(ready_at),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(Utc::now()),
        sent_at: Set(None),
        ..Default::default()
    };
    sheet_reports::Entity::insert(row)
        .on_conflict(
            OnConflict::column(sheet_reports::Column::TicketId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Makes the ticket's report row due now (the feedback is in). Call it where
/// the feedback is saved. A row already sent, or not queued, is left alone.
pub async fn report_ready_now<C: ConnectionTrait>(conn: &C, ticket_id: i32) -> Result<(), DbErr> {
    let now = Utc::now();
    sheet_reports::Entity::update_many()
        .col_expr(sheet_reports::Column::ReadyAt, Expr::value(now))
        .filter(sheet_reports::Column::TicketId.eq(ticket_id))
        .filter(sheet_reports::Column::Status.eq(ReportStatus::Pending))
        .filter(sheet_reports::Column::ReadyAt.gt(now))
        .exec(conn)
        .await?;
    Ok(())
}

impl Sheets {
    /// How often the report looks for due rows, when the report is on
    /// (SHEETS_REPORT_RANGE set); also where its backoff starts.
    pub fn report_every(&self) -> Option<Duration> {
        let connected = self.connected()?;
        connected.report_range.as_ref()?;
        Some(connected.report_poll)
    }

    /// One pass of the report worker: appends up to [`BATCH`] due rows and
    /// returns how many reached the sheet (0 when the report is off, nothing
    /// is due, or another instance is sending).
    pub async fn send_due_reports(&self, db: &DatabaseConnection) -> Result<usize, SheetsError> {
        let Some(connected) = self.connected() else {
            return Ok(0);
        };
        let Some(range) = connected.report_range.as_deref() else {
            return Ok(0);
        };
        let outcome = connected
            .store
            .with_lock(LOCK_NAME, LOCK_TTL, || connected.send_batch(db, range))
            .await?;
        outcome.unwrap_or(Ok(0))
    }
}

impl Connected {
    async fn send_batch(&self, db: &DatabaseConnection, range: &str) -> Result<usize, SheetsError> {
        let due = sheet_reports::Entity::find()
            .filter(sheet_reports::Column::Status.eq(ReportStatus::Pending))
            .filter(sheet_reports::Column::ReadyAt.lte(Utc::now()))
            .order_by_asc(sheet_reports::Column::ReadyAt)
            .order_by_asc(sheet_reports::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        if due.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i32> = due.iter().map(|r| r.id).collect();
        // Counted before the attempt: from here on the row may be in the sheet.
        sheet_reports::Entity::update_many()
            .col_expr(
                sheet_reports::Column::Attempts,
                sea_orm::sea_query::ExprTrait::add(Expr::col(sheet_reports::Column::Attempts), 1),
            )
            .filter(sheet_reports::Column::Id.is_in(ids.clone()))
            .exec(db)
            .await?;

        match self.append_new(db, range, &due).await {
            Ok(sent) => {
                // Right after the append: see the module's notes on the window.
                mark_sent(db, &sent, None).await?;
                Ok(sent.len())
            }
            Err(error) => {
                let text: String = error.to_string().chars().take(1000).collect();
                sheet_reports::Entity::update_many()
                    .col_expr(sheet_reports::Column::LastError, Expr::value(text))
                    .filter(sheet_reports::Column::Id.is_in(ids))
                    .exec(db)
                    .await?;
                Err(error)
            }
        }
    }

    /// Appends the rows of `due` that are not in the sheet yet; returns the
    /// queue ids of those appended.
    async fn append_new(
        &self,
        db: &DatabaseConnection,
        range: &str,
        due: &[sheet_reports::Model],
    ) -> Result<Vec<i32>, SheetsError> {
        let mut to_send: Vec<&sheet_reports::Model> = due.iter().collect();
        if due.iter().any(|r| r.attempts > 0) {
            let present = self.reported_ids(range).await?;
            let (already, fresh): (Vec<_>, Vec<_>) = due
                .iter()
                .partition(|r| r.attempts > 0 && present.contains(&r.ticket_id));
            if !already.is_empty() {
                let ids: Vec<i32> = already.iter().map(|r| r.id).collect();
                tracing::info!(
                    tickets = ?already.iter().map(|r| r.ticket_id).collect::<Vec<_>>(),
                    "Google Sheets report: rows from an attempt that looked failed are in the sheet; not appending them again"
                );
                mark_sent(
                    db,
                    &ids,
                    Some("found in the sheet after an uncertain attempt"),
                )
                .await?;
            }
            to_send = fresh;
        }
        if to_send.is_empty() {
            return Ok(Vec::new());
        }
        let tickets: Vec<i32> = to_send.iter().map(|r| r.ticket_id).collect();
        let rows = build_rows(db, &tickets).await?;
        match tokio::time::timeout(
            CALL_TIMEOUT,
            self.api.append(&self.spreadsheet_id, range, rows),
        )
        .await
        {
            Ok(Ok(())) => Ok(to_send.iter().map(|r| r.id).collect()),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(SheetsError::Timeout(CALL_TIMEOUT)),
        }
    }

    /// Ticket ids in the report's first column.
    async fn reported_ids(&self, range: &str) -> Result<HashSet<i32>, SheetsError> {
        let cells =
            match tokio::time::timeout(CALL_TIMEOUT, self.api.read(&self.spreadsheet_id, range))
                .await
            {
                Ok(result) => result?,
                Err(_) => return Err(SheetsError::Timeout(CALL_TIMEOUT)),
            };
        Ok(cells
            .iter()
            .filter_map(|row| row.first())
            .filter_map(|id| id.trim().trim_start_matches('#').parse().ok())
            .collect())
    }
}

async fn mark_sent(db: &DatabaseConnection, ids: &[i32], note: Option<&str>) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    sheet_reports::Entity::update_many()
        .col_expr(
            sheet_reports::Column::Status,
            Expr::value(ReportStatus::Sent),
        )
        .col_expr(sheet_reports::Column::SentAt, Expr::value(Utc::now()))
        .col_expr(
            sheet_reports::Column::LastError,
            Expr::value(note.map(str::to_owned)),
        )
        .filter(sheet_reports::Column::Id.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// The report rows of `ticket_ids`, in that order, read from the database now.
async fn build_rows(db: &DatabaseConnection, ticket_ids: &[i32]) -> Result<Vec<Vec<Value>>, DbErr> {
    let found: HashMap<i32, tickets::Model> = tickets::Entity::find()
        .filter(tickets::Column::Id.is_in(ticket_ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let client_ids: Vec<i64> = found.values().map(|t| t.client_tg_id).collect();
    let clients: HashMap<i64, users::Model> = users::Entity::find()
        .filter(users::Column::TgId.is_in(client_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.tg_id, u))
        .collect();
    let tech_ids: Vec<i32> = found.values().filter_map(|t| t.assigned_tech_id).collect();
    let techs: HashMap<i32, technicians::Model> = technicians::Entity::find()
        .filter(technicians::Column::Id.is_in(tech_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let answers: HashMap<i32, feedback::Model> = feedback::Entity::find()
        .filter(feedback::Column::TicketId.is_in(ticket_ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.ticket_id, f))
        .collect();
    Ok(ticket_ids
        .iter()
        .filter_map(|id| found.get(id))
        .map(|ticket| {
            report_row(
                ticket,
                clients.get(&ticket.client_tg_id),
                ticket.assigned_tech_id.and_then(|id| techs.get(&id)),
                answers.get(&ticket.id),
            )
        })
        .collect())
}

/// One report row: id, client, technician, opened, first response, closed,
/// q1, q2, q3, comment.
///
/// Sent as USER_ENTERED so the times become real date-times in the sheet
/// (UTC, `YYYY-MM-DD HH:MM:SS`) and the id and ratings numbers. Every text
/// that people wrote gets a leading apostrophe, which makes Sheets store it
/// as plain text: a name like `=IMPORTXML(…)` or `+7 999` stays what it is
/// (the apostrophe is not part of the value and does not show).
pub fn report_row(
    ticket: &tickets::Model,
    client: Option<&users::Model>,
    tech: Option<&technicians::Model>,
    feedback: Option<&feedback::Model>,
) -> Vec<Value> {
    let client = match client {
        Some(user) => match user.username.as_deref().filter(|u| !u.is_empty()) {
            Some(username) => format!("{} (@{username})", user.full_name.trim()),
            None => format!("{} ({})", user.full_name.trim(), user.tg_id),
        },
        None => ticket.client_tg_id.to_string(),
    };
    let tech = tech.map(|t| match t.username.as_deref().filter(|u| !u.is_empty()) {
        Some(username) => format!("{} (@{username})", t.name),
        None => t.name.clone(),
    });
    let rating = |pick: fn(&feedback::Model) -> i16| feedback.map_or(json!(""), |f| json!(pick(f)));
    vec![
        json!(ticket.id),
        text(Some(&client)),
        text(tech.as_deref()),
        time(Some(ticket.created_at)),
        time(ticket.first_response_at),
        time(ticket.closed_at),
        rating(|f| f.q1),
        rating(|f| f.q2),
        rating(|f| f.q3),
        text(feedback.and_then(|f| f.comment.as_deref())),
    ]
}

fn text(value: Option<&str>) -> Value {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(value) => json!(format!("'{value}")),
        None => json!(""),
    }
}

fn time(value: Option<DateTime<Utc>>) -> Value {
    value.map_or(json!(""), |t| {
        json!(t.format("%Y-%m-%d %H:%M:%S").to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, h, m, 0).unwrap()
    }

    fn ticket() -> tickets::Model {
        tickets::Model {
            id: 17,
            client_tg_id: 555,
            status: crate::entities::TicketStatus::Closed,
            main_chat_id: -1001,
            main_thread_id: Some(3),
            card_message_id: None,
            assigned_tech_id: Some(2),
            created_at: at(10, 0),
            first_response_at: Some(at(10, 5)),
            closed_at: Some(at(11, 30)),
            priority: Default::default(),
            category: None,
            first_response_due: None,
            resolution_due: None,
            waiting_since: None,
            first_response_warned_at: None,
            first_response_breached_at: None,
            resolution_warned_at: None,
            resolution_breached_at: None,
            close_reason: None,
            kb_held: false,
        }
    }

    fn client(username: Option<&str>) -> users::Model {
        users::Model {
            tg_id: 555,
            username: username.map(str::to_owned),
            full_name: "=HYPERLINK(\"x\") Anna".into(),
            language_code: None,
            created_at: at(9, 0),
            last_seen: at(9, 0),
            blocked_bot_at: None,
            banned_at: None,
            banned_by: None,
        }
    }

    #[test]
    fn a_row_carries_times_ratings_and_text_that_stays_text() {
        let tech = technicians::Model {
            id: 2,
            name: "Ivan Petrov".into(),
            username: Some("ivan".into()),
            tg_user_id: None,
            group_chat_id: -1002,
            is_active: true,
            available: true,
        };
        let answer = feedback::Model {
            id: 1,
            ticket_id: 17,
            q1: 5,
            q2: 4,
            q3: 3,
            comment: Some("  faster please ".into()),
            created_at: at(12, 0),
        };
        let row = report_row(
            &ticket(),
            Some(&client(Some("anna"))),
            Some(&tech),
            Some(&answer),
        );
        assert_eq!(
            row,
            vec![
                json!(17),
                json!("'=HYPERLINK(\"x\") Anna (@anna)"),
                json!("'Ivan Petrov (@ivan)"),
                json!("2026-11-22 10:00:00"),
                json!("2026-11-22 10:05:00"),
                json!("2026-11-22 11:30:00"),
                json!(5),
                json!(4),
                json!(3),
                json!("'faster please"),
            ]
        );
    }

    #[test]
    fn missing_parts_are_empty_cells() {
        let mut open = ticket();
        open.first_response_at = None;
        let row = report_row(&open, Some(&client(None)), None, None);
        assert_eq!(row[1], json!("'=HYPERLINK(\"x\") Anna (555)"));
        assert_eq!(row[2], json!(""));
        assert_eq!(row[4], json!(""));
        assert_eq!(&row[6..], [json!(""), json!(""), json!(""), json!("")]);
    }
}
