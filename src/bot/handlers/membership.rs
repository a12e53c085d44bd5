//! The bot's own membership in a private chat: a client blocking or
//! unblocking it.

use teloxide::types::ChatMemberUpdated;

use crate::bot::{Desk, HandlerResult};

pub async fn changed(update: ChatMemberUpdated, desk: Desk) -> HandlerResult {
    if !update.chat.is_private() {
        return Ok(());
    }
    let client = update.chat.id.0;
    if update.new_chat_member.kind.is_banned() || update.new_chat_member.kind.is_left() {
        desk.tickets.client_blocked(client).await?;
    } else {
        desk.users.unblocked(client).await?;
    }
    Ok(())
}
