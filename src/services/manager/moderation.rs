//! The answers to /failed, /resend, /ban, /unban and /banned.

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use teloxide::types::MessageEntityKind;

use super::ManagerRequest;
use crate::domain::rich_text::RichBuilder;
use crate::entities::{tickets, users};
use crate::outbox::{self, Outbox};
use crate::services::ServiceResult;
use crate::services::moderation::{BanChange, ClientRef, ModerationService};
use crate::texts::Texts;

/// Tickets /failed lists.
const FAILED_LIMIT: u64 = 20;

pub(super) async fn failed(texts: &Texts, db: &DatabaseConnection) -> Result<RichBuilder, DbErr> {
    let failed = outbox::failed_by_ticket(db, FAILED_LIMIT).await?;
    if failed.is_empty() {
        return Ok(RichBuilder::plain(texts.failed_none()));
    }
    let mut reply = RichBuilder::default();
    reply.push_with(&texts.failed_title(failed.len()), MessageEntityKind::Bold);
    for ticket in &failed {
        let reason: String = ticket.last_error.chars().take(120).collect();
        reply.push("\n");
        reply.push(&texts.failed_line(ticket.ticket_id, ticket.count, &reason));
    }
    Ok(reply)
}

pub(super) async fn resend(
    ticket_id: i32,
    texts: &Texts,
    db: &DatabaseConnection,
    outbox: &Outbox,
) -> Result<RichBuilder, DbErr> {
    let requeued = outbox.resend_failed(db, ticket_id).await?;
    Ok(RichBuilder::plain(&if requeued == 0 {
        texts.resend_nothing(ticket_id)
    } else {
        tracing::info!(ticket_id, requeued, "failed deliveries queued again");
        texts.resend_done(ticket_id, requeued)
    }))
}

/// /ban and /unban: of the client named in `args`, or of the ticket whose
/// main topic the command was written in.
pub(super) async fn ban(
    request: &ManagerRequest,
    args: &str,
    ban: bool,
    texts: &Texts,
    db: &DatabaseConnection,
    moderation: &ModerationService,
) -> ServiceResult<RichBuilder> {
    let client = match parse_client(args) {
        Some(client) => Some(client),
        None if args.is_empty() => client_of_topic(request, db).await?.map(ClientRef::Id),
        None => None,
    };
    let Some(client) = client else {
        return Ok(RichBuilder::plain(if ban {
            texts.usage_ban()
        } else {
            texts.usage_unban()
        }));
    };
    let by = request.from.unwrap_or_default();
    let text = match moderation.set_banned(&client, ban, by).await? {
        BanChange::Done(user) if ban => texts.ban_done(&label(&user), user.tg_id),
        BanChange::Done(user) => texts.unban_done(&label(&user)),
        BanChange::Unchanged(user) if ban => texts.ban_already(&label(&user)),
        BanChange::Unchanged(user) => texts.unban_not_banned(&label(&user)),
        BanChange::UnknownClient => texts.client_not_found().to_owned(),
    };
    Ok(RichBuilder::plain(&text))
}

pub(super) async fn banned(
    texts: &Texts,
    moderation: &ModerationService,
) -> Result<RichBuilder, DbErr> {
    let banned = moderation.banned().await?;
    if banned.is_empty() {
        return Ok(RichBuilder::plain(texts.banned_none()));
    }
    let mut reply = RichBuilder::default();
    reply.push_with(&texts.banned_title(banned.len()), MessageEntityKind::Bold);
    for user in &banned {
        reply.push("\n");
        reply.push_with(&user.tg_id.to_string(), MessageEntityKind::Code);
        let since = user
            .banned_at
            .map(|at| texts.timestamp(at))
            .unwrap_or_default();
        reply.push(&format!(" · {} · {since}", label(user)));
    }
    Ok(reply)
}

/// `12345` (a Telegram id) or `@username`.
fn parse_client(args: &str) -> Option<ClientRef> {
    if let Some(username) = args.strip_prefix('@') {
        let valid = !username.is_empty()
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        return valid.then(|| ClientRef::Username(username.to_owned()));
    }
    (!args.is_empty() && args.bytes().all(|b| b.is_ascii_digit()))
        .then(|| args.parse().ok().map(ClientRef::Id))
        .flatten()
}

/// The client of the ticket whose main topic the command was written in.
async fn client_of_topic(
    request: &ManagerRequest,
    db: &DatabaseConnection,
) -> Result<Option<i64>, DbErr> {
    let Some(thread) = request.thread_id else {
        return Ok(None);
    };
    Ok(tickets::Entity::find()
        .filter(tickets::Column::MainChatId.eq(request.chat_id))
        .filter(tickets::Column::MainThreadId.eq(thread))
        .order_by_desc(tickets::Column::Id)
        .one(db)
        .await?
        .map(|ticket| ticket.client_tg_id))
}

/// `Anna Smith (@anna)`.
fn label(user: &users::Model) -> String {
    match user.username.as_deref().filter(|u| !u.is_empty()) {
        Some(username) => format!("{} (@{username})", user.full_name),
        None => user.full_name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_named_by_id_or_username() {
        assert_eq!(parse_client("123"), Some(ClientRef::Id(123)));
        assert_eq!(
            parse_client("@Anna_S"),
            Some(ClientRef::Username("Anna_S".into()))
        );
        for bad in ["", "@", "anna", "#12", "-5", "@a b", "99999999999999999999"] {
            assert_eq!(parse_client(bad), None, "{bad}");
        }
    }
}
