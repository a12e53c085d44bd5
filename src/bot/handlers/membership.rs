//! The bot's own membership in a private chat: a client blocking or
//! unblocking it.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, IntoActiveModel,
};
use teloxide::types::ChatMemberUpdated;

use crate::entities::users;
use crate::intake::HandlerError;
use crate::services::tickets::TicketService;

pub async fn changed(
    update: ChatMemberUpdated,
    tickets: TicketService,
    db: DatabaseConnection,
) -> Result<(), HandlerError> {
    if !update.chat.is_private() {
        return Ok(());
    }
    let client = update.chat.id.0;
    if update.new_chat_member.kind.is_banned() || update.new_chat_member.kind.is_left() {
        tickets.client_blocked(client).await?;
    } else if let Some(user) = users::Entity::find_by_id(client).one(&db).await?
        && user.blocked_bot_at.is_some()
    {
        let mut back = user.into_active_model();
        back.blocked_bot_at = Set(None);
        back.update(&db).await?;
    }
    Ok(())
}
