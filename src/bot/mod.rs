//! The handler tree: which update goes to which handler. Handlers are thin;
//! the rules live in `services`.

mod handlers;
pub mod texts;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;

use crate::intake::HandlerError;
use handlers::client::{self, ClientCommand};

pub use texts::Texts;

pub fn schema() -> UpdateHandler<HandlerError> {
    let private_messages = Update::filter_message()
        .filter(|message: Message| message.chat.is_private())
        .branch(
            dptree::entry()
                .filter_command::<ClientCommand>()
                .endpoint(client::command),
        );
    dptree::entry().branch(private_messages)
}
