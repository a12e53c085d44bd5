//! Message links: for every bridged copy, which message it copies. Replies
//! and edits in one place find their counterpart in another through them.

use std::collections::{BTreeSet, VecDeque};

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};

use crate::entities::message_links::{self, Column, Entity as MessageLinks};

/// A message somewhere: (chat id, message id).
pub type MessageAt = (i64, i32);

/// How far copies of copies are followed (client → main → tech is two hops).
const MAX_HOPS: usize = 3;

/// A copy and the message it copies, to be recorded.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub ticket_id: i32,
    pub source: MessageAt,
    pub copy: MessageAt,
}

pub async fn record<C: ConnectionTrait>(
    conn: &C,
    ticket_id: i32,
    source: MessageAt,
    copy: MessageAt,
) -> Result<(), DbErr> {
    record_many(
        conn,
        &[Link {
            ticket_id,
            source,
            copy,
        }],
    )
    .await
}

/// Records several links in one statement.
pub async fn record_many<C: ConnectionTrait>(conn: &C, links: &[Link]) -> Result<(), DbErr> {
    if links.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = links.iter().map(|link| message_links::ActiveModel {
        ticket_id: Set(link.ticket_id),
        src_chat_id: Set(link.source.0),
        src_message_id: Set(link.source.1),
        dst_chat_id: Set(link.copy.0),
        dst_message_id: Set(link.copy.1),
        created_at: Set(now),
        ..Default::default()
    });
    MessageLinks::insert_many(rows)
        .on_conflict(
            OnConflict::columns([Column::SrcChatId, Column::SrcMessageId, Column::DstChatId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The message in `chat` that stands for `message`: the original if it
/// lives there, or a copy of the same original.
pub async fn counterpart<C: ConnectionTrait>(
    conn: &C,
    message: MessageAt,
    chat: i64,
) -> Result<Option<i32>, DbErr> {
    if message.0 == chat {
        return Ok(Some(message.1));
    }
    let mut seen = BTreeSet::from([message]);
    let mut frontier = VecDeque::from([(message, 0usize)]);
    while let Some((at, hops)) = frontier.pop_front() {
        if hops == MAX_HOPS {
            continue;
        }
        for neighbour in neighbours(conn, at).await? {
            if neighbour.0 == chat {
                return Ok(Some(neighbour.1));
            }
            if seen.insert(neighbour) {
                frontier.push_back((neighbour, hops + 1));
            }
        }
    }
    Ok(None)
}

/// The ticket a message was bridged for, if it was.
pub async fn ticket_of<C: ConnectionTrait>(
    conn: &C,
    message: MessageAt,
) -> Result<Option<i32>, DbErr> {
    let link = MessageLinks::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(Column::SrcChatId.eq(message.0))
                        .add(Column::SrcMessageId.eq(message.1)),
                )
                .add(
                    Condition::all()
                        .add(Column::DstChatId.eq(message.0))
                        .add(Column::DstMessageId.eq(message.1)),
                ),
        )
        .one(conn)
        .await?;
    Ok(link.map(|l| l.ticket_id))
}

/// Messages directly linked to `at`, in either direction.
async fn neighbours<C: ConnectionTrait>(conn: &C, at: MessageAt) -> Result<Vec<MessageAt>, DbErr> {
    let links = MessageLinks::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(Column::SrcChatId.eq(at.0))
                        .add(Column::SrcMessageId.eq(at.1)),
                )
                .add(
                    Condition::all()
                        .add(Column::DstChatId.eq(at.0))
                        .add(Column::DstMessageId.eq(at.1)),
                ),
        )
        .all(conn)
        .await?;
    Ok(links
        .into_iter()
        .map(|l| {
            if (l.src_chat_id, l.src_message_id) == at {
                (l.dst_chat_id, l.dst_message_id)
            } else {
                (l.src_chat_id, l.src_message_id)
            }
        })
        .collect())
}

/// Every message of the main topic that belongs to the ticket's story:
/// copies bridged into `chat` and messages written there that were bridged
/// out, oldest first — leaving out the copies of `copied_elsewhere` (the
/// messages of `source_chat` the caller takes from their source instead).
pub async fn ticket_messages_in<C: ConnectionTrait>(
    conn: &C,
    ticket_id: i32,
    chat: i64,
    source_chat: i64,
    copied_elsewhere: &BTreeSet<i32>,
) -> Result<Vec<i32>, DbErr> {
    let links = MessageLinks::find()
        .filter(Column::TicketId.eq(ticket_id))
        .filter(
            Condition::any()
                .add(Column::SrcChatId.eq(chat))
                .add(Column::DstChatId.eq(chat)),
        )
        .all(conn)
        .await?;
    let ids: BTreeSet<i32> = links
        .into_iter()
        .filter(|l| !(l.src_chat_id == source_chat && copied_elsewhere.contains(&l.src_message_id)))
        .map(|l| {
            if l.dst_chat_id == chat {
                l.dst_message_id
            } else {
                l.src_message_id
            }
        })
        .collect();
    Ok(ids.into_iter().collect())
}
