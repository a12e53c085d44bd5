//! The door for Telegram updates: which update goes to which handler.
//! Handlers are thin: they gather the facts of an update and make one
//! service call; the services decide.

pub mod app_button;
mod desk;
mod handlers;
pub mod menus;
mod message;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;

use handlers::{buttons, client, foreign, main_group, manager, membership, tech_group};

pub use desk::{Desk, Places};

/// What the handlers return: the services' error, which knows whether it
/// is an outage.
pub type HandlerError = crate::services::ServiceError;
pub type HandlerResult = Result<(), HandlerError>;

pub fn schema() -> UpdateHandler<HandlerError> {
    let in_private = |m: Message| m.chat.is_private();
    let in_main_group = |m: Message, desk: Desk| desk.places.is_main_group(m.chat.id.0);
    let in_tech_group = |m: Message, desk: Desk| desk.places.is_tech_group(m.chat.id.0);
    let messages = Update::filter_message()
        .branch(dptree::filter_map(manager::recognise).endpoint(manager::command))
        .branch(dptree::filter(in_private).endpoint(client::message))
        .branch(dptree::filter(in_main_group).endpoint(main_group::message))
        .branch(dptree::filter(in_tech_group).endpoint(tech_group::message));
    let edits = Update::filter_edited_message()
        .branch(dptree::filter(in_private).endpoint(client::edited))
        .branch(dptree::filter(in_main_group).endpoint(main_group::edited))
        .branch(dptree::filter(in_tech_group).endpoint(tech_group::edited));
    // Before anything else: no command, button or message counts in a
    // group the configuration does not name.
    let in_foreign_chat = |update: Update, desk: Desk| {
        update
            .chat()
            .is_some_and(|chat| desk.places.is_foreign(chat))
    };
    dptree::entry()
        .branch(dptree::filter(in_foreign_chat).endpoint(foreign::ignored))
        .branch(messages)
        .branch(edits)
        .branch(Update::filter_callback_query().endpoint(buttons::pressed))
        .branch(Update::filter_my_chat_member().endpoint(membership::changed))
}
