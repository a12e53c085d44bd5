//! The handler tree: which update goes to which handler. Handlers are thin:
//! they work out who is speaking where, and call a service.

mod handlers;
pub mod menus;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;

use crate::intake::HandlerError;
use handlers::{buttons, client, main_group, membership, tech_group};

pub use handlers::Places;

pub fn schema() -> UpdateHandler<HandlerError> {
    let messages = Update::filter_message()
        .branch(dptree::filter_map(handlers::admin::recognise).endpoint(handlers::admin::command))
        .branch(dptree::filter(|m: Message| m.chat.is_private()).endpoint(client::message))
        .branch(dptree::filter(Places::is_main_group).endpoint(main_group::message))
        .branch(dptree::filter(Places::is_tech_group).endpoint(tech_group::message));
    let edits = Update::filter_edited_message()
        .branch(dptree::filter(|m: Message| m.chat.is_private()).endpoint(client::edited))
        .branch(dptree::filter(Places::is_main_group).endpoint(main_group::edited))
        .branch(dptree::filter(Places::is_tech_group).endpoint(tech_group::edited));
    dptree::entry()
        .branch(messages)
        .branch(edits)
        .branch(Update::filter_callback_query().endpoint(buttons::pressed))
        .branch(Update::filter_my_chat_member().endpoint(membership::changed))
}
