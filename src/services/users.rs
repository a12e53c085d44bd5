//! The people who write to the bot privately.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr,
    EntityTrait, FromQueryResult, IdenStatic, Iterable, QueryFilter, Statement,
};
use teloxide::types::User;

use crate::database;
use crate::entities::users::{self, Column, Entity as Users};
use crate::entities::{TicketStatus, mirrors, tickets};
use crate::group_commit::{GroupCommit, GroupCommitError, padded_to_shape};

/// How stale `last_seen` may get before a message refreshes it: within this,
/// a client whose profile did not change costs no write at all.
const LAST_SEEN_PRECISION: chrono::Duration = chrono::Duration::minutes(5);

/// A client's message arrived: their row as it is now, and their open
/// ticket with its current mirror, read together in one statement.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub client: users::Model,
    pub open: Option<OpenTicket>,
}

/// A client's open ticket and its current mirror, as read on arrival.
#[derive(Debug, Clone)]
pub struct OpenTicket {
    pub ticket: tickets::Model,
    pub mirror: Option<mirrors::Model>,
}

/// What one arrival read answers: the client's row with their open ticket,
/// or `None` for a first contact.
type ArrivalRow = Option<(users::Model, Option<OpenTicket>)>;

#[derive(Clone)]
pub struct UserService {
    db: DatabaseConnection,
    /// Arrivals of different clients at the same moment share one read.
    arrivals: GroupCommit<i64, ArrivalRow, DbErr>,
}

impl UserService {
    /// Starts the shared arrival reader on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        let reader = db.clone();
        let arrivals = GroupCommit::start(move |clients: Vec<i64>| {
            let db = reader.clone();
            Box::pin(async move { read_with_open_tickets(&db, &clients).await })
        });
        Self { db, arrivals }
    }

    /// Reads the client's row, open ticket and mirror in one statement, and
    /// writes the row only when it must: first contact, a changed profile,
    /// a "blocked the bot" mark to clear, or `last_seen` older than
    /// [`LAST_SEEN_PRECISION`]. Most messages of a conversation thus cost
    /// one read instead of an upsert and two reads.
    pub async fn arrive(&self, user: &User) -> Result<Arrival, DbErr> {
        let now = Utc::now();
        let (row, open) = match self.read_with_open_ticket(user.id.0 as i64).await? {
            Some((row, open)) if is_up_to_date(&row, user, now) => (row, open),
            Some((_, open)) => (self.touch(user).await?, open),
            None => (self.touch(user).await?, None),
        };
        Ok(Arrival { client: row, open })
    }

    async fn read_with_open_ticket(&self, client: i64) -> Result<ArrivalRow, DbErr> {
        self.arrivals
            .submit(client)
            .await
            .map_err(|error| match error {
                GroupCommitError::Write(error) => database::shared_error(&error),
                GroupCommitError::Stopped => DbErr::Custom(error.to_string()),
            })
    }

    /// Records that `user` wrote to us: created on first contact, profile
    /// (and language) and last_seen refreshed after, and a "blocked the bot"
    /// mark cleared — writing to the bot means they are back. Returns the
    /// row as it is now (a manager's ban included), in the same statement.
    pub async fn touch(&self, user: &User) -> Result<users::Model, DbErr> {
        let now = Utc::now();
        let row = users::ActiveModel {
            tg_id: Set(user.id.0 as i64),
            username: Set(user.username.as_deref().map(without_nul)),
            full_name: Set(without_nul(&user.full_name())),
            language_code: Set(user.language_code.as_deref().map(without_nul)),
            created_at: Set(now),
            last_seen: Set(now),
            blocked_bot_at: Set(None),
            ..Default::default()
        };
        Users::insert(row)
            .on_conflict(
                OnConflict::column(Column::TgId)
                    .update_columns([
                        Column::Username,
                        Column::FullName,
                        Column::LanguageCode,
                        Column::LastSeen,
                        Column::BlockedBotAt,
                    ])
                    .to_owned(),
            )
            .exec_with_returning(&self.db)
            .await
    }

    /// The client unblocked the bot: messages reach them again.
    pub async fn unblocked(&self, client: i64) -> Result<(), DbErr> {
        Users::update_many()
            .col_expr(
                Column::BlockedBotAt,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(Column::TgId.eq(client))
            .filter(Column::BlockedBotAt.is_not_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

/// Whether the stored row already says what a touch would write.
fn is_up_to_date(row: &users::Model, user: &User, now: DateTime<Utc>) -> bool {
    row.blocked_bot_at.is_none()
        && now - row.last_seen < LAST_SEEN_PRECISION
        && row.username.as_deref() == user.username.as_deref().map(without_nul).as_deref()
        && row.full_name == without_nul(&user.full_name())
        && row.language_code.as_deref() == user.language_code.as_deref().map(without_nul).as_deref()
}

/// Each client's row, open ticket and that ticket's current mirror, for
/// `clients` in one statement; answers in the order of `clients`.
async fn read_with_open_tickets(
    db: &DatabaseConnection,
    clients: &[i64],
) -> Result<Vec<ArrivalRow>, DbErr> {
    let backend = db.get_database_backend();
    // Few statement shapes whatever the count (see `padded_to_shape`).
    let asked = padded_to_shape(clients);
    let mut values: Vec<sea_orm::Value> = vec![TicketStatus::Closed.as_str().into()];
    values.extend(asked.iter().map(|&client| sea_orm::Value::from(client)));
    let placeholders: Vec<String> = (1..=values.len())
        .map(|n| match backend {
            DatabaseBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        })
        .collect();
    // The newest open ticket and its newest open mirror, per client (as
    // `ORDER BY … DESC LIMIT 1` would pick for one).
    let sql = format!(
        "SELECT * FROM (SELECT {}, {}, {}, ROW_NUMBER() OVER (PARTITION BY u.tg_id \
         ORDER BY t.id DESC, m.id DESC) AS arrival_rank FROM users u \
         LEFT JOIN tickets t ON t.client_tg_id = u.tg_id AND t.status <> {} \
         LEFT JOIN mirrors m ON m.ticket_id = t.id AND m.closed_at IS NULL \
         WHERE u.tg_id IN ({})) ranked WHERE arrival_rank = 1",
        columns::<users::Entity>("u"),
        columns::<tickets::Entity>("t"),
        columns::<mirrors::Entity>("m"),
        placeholders[0],
        placeholders[1..].join(", "),
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut found = std::collections::HashMap::with_capacity(rows.len());
    for row in rows {
        let client = users::Model::from_query_result(&row, "u_")?;
        let open = match row.try_get::<Option<i32>>("t_", "id")? {
            None => None,
            Some(_) => Some(OpenTicket {
                ticket: tickets::Model::from_query_result(&row, "t_")?,
                mirror: match row.try_get::<Option<i32>>("m_", "id")? {
                    None => None,
                    Some(_) => Some(mirrors::Model::from_query_result(&row, "m_")?),
                },
            }),
        };
        found.insert(client.tg_id, (client, open));
    }
    Ok(clients
        .iter()
        .map(|client| found.get(client).cloned())
        .collect())
}

/// `alias.column AS "alias_column", …` for every column of `E`, so one row
/// can carry several tables and each be read back with its prefix.
fn columns<E: EntityTrait>(alias: &str) -> String {
    E::Column::iter()
        .map(|column| {
            let name = column.as_str();
            format!("{alias}.{name} AS \"{alias}_{name}\"")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// PostgreSQL refuses the NUL character in text; a name may still carry it.
fn without_nul(text: &str) -> String {
    text.replace('\0', "")
}
