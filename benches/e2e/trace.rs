//! When a client's messages stand out of order in its topic, the bot's own
//! tables tell where the order was lost: the inbound rows say in what order
//! its updates were processed, the outbox ids in what order their copies
//! were queued, and `sent_at` in what order they went out. Read right
//! after the run, before the database is dropped (services lane).

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

use crate::desk::Desk;

/// One line per stage, each listing the client's messages (m00, m01, …)
/// in that stage's order; or a line saying why they could not be read.
pub async fn order_of(desk: &Desk, client_tg_id: i64) -> Vec<String> {
    try_order_of(desk, client_tg_id)
        .await
        .unwrap_or_else(|error| {
            vec![format!(
                "could not read the order from the database: {error:#}"
            )]
        })
}

async fn try_order_of(desk: &Desk, client_tg_id: i64) -> anyhow::Result<Vec<String>> {
    let db = Database::connect(&desk.database_url).await?;
    // Update ids and the client's message ids both grow with the message
    // number, so a rank among them is the message number.
    let processed = ranks(
        &db,
        &format!(
            "SELECT CAST(update_id AS BIGINT) AS n FROM inbound_updates WHERE chat_id = {client_tg_id} \
             ORDER BY processed_at NULLS LAST, update_id"
        ),
    )
    .await?;
    let outbox = |order: &str| {
        format!(
            "SELECT CAST(source_message_id AS BIGINT) AS n FROM outbox \
             WHERE lane_chat_id = {} AND source_chat_id = {client_tg_id} ORDER BY {order}",
            desk.main_group
        )
    };
    let queued = ranks(&db, &outbox("id")).await?;
    let sent = ranks(&db, &outbox("sent_at NULLS LAST, id")).await?;
    db.close().await.ok();
    Ok(vec![
        format!("updates processed (inbound_updates.processed_at): {processed}"),
        format!("copies queued (outbox.id): {queued}"),
        format!("copies sent (outbox.sent_at): {sent}"),
    ])
}

/// The rows' `n` in query order, each written as its rank among them all.
async fn ranks(db: &DatabaseConnection, sql: &str) -> anyhow::Result<String> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let mut values = Vec::with_capacity(rows.len());
    for row in rows {
        let n: Option<i64> = row.try_get("", "n")?;
        values.push(n.unwrap_or(-1));
    }
    let mut sorted = values.clone();
    sorted.sort_unstable();
    Ok(values
        .iter()
        .map(|v| format!("m{:02}", sorted.binary_search(v).unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(" "))
}
