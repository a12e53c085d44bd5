//! Groups (and channels) that are neither the main group nor a
//! technician's: the bot does nothing there. Somebody added it, though,
//! perhaps by mistake or to read along, so the log says so once per chat,
//! and whenever the bot is added to one, with what to do about it.

use teloxide::types::{Chat, ChatMemberUpdated, Update, UpdateKind};

use crate::bot::{Desk, HandlerResult};

const WHAT_TO_DO: &str = "remove the bot from it, or add it to the configuration (MAIN_GROUP_ID, or group_chat_id in TECH_GROUPS_MAPPING)";

pub async fn ignored(update: Update, desk: Desk) -> HandlerResult {
    let Some(chat) = update.chat() else {
        return Ok(());
    };
    if let UpdateKind::MyChatMember(change) = &update.kind {
        membership_changed(chat, change, &desk);
    } else if desk.places.first_report(chat.id.0) {
        tracing::warn!(
            group = chat.id.0,
            title = title(chat),
            "ignoring group {} {:?}: it is neither the main group nor a technician's group; {WHAT_TO_DO}",
            chat.id.0,
            title(chat),
        );
    }
    Ok(())
}

fn membership_changed(chat: &Chat, change: &ChatMemberUpdated, desk: &Desk) {
    let was_in = change.old_chat_member.kind.is_present();
    let is_in = change.new_chat_member.kind.is_present();
    let by = change.from.id.0;
    if is_in && !was_in {
        // Reported now; its messages need not say it again.
        desk.places.first_report(chat.id.0);
        tracing::warn!(
            group = chat.id.0,
            title = title(chat),
            added_by = by,
            "the bot was added to group {} {:?}, which is neither the main group nor a technician's group; it ignores it: {WHAT_TO_DO}",
            chat.id.0,
            title(chat),
        );
    } else if was_in && !is_in {
        tracing::info!(
            group = chat.id.0,
            title = title(chat),
            "the bot left group {} {:?}, which was not in the configuration",
            chat.id.0,
            title(chat),
        );
    }
}

fn title(chat: &Chat) -> &str {
    chat.title().unwrap_or_default()
}
