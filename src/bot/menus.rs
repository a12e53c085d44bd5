//! The command menus Telegram shows next to the input field, per audience:
//! clients see /start, /help and /close; the main group sees /close;
//! managers additionally see their commands, in their private chat and in
//! the main group.

use teloxide::payloads::SetMyCommandsSetters;
use teloxide::prelude::Requester;
use teloxide::types::{BotCommand, BotCommandScope, ChatId, Recipient, UserId};
use teloxide::utils::command::BotCommands;

use crate::domain::commands::{ClientCommand, ManagerCommand, TeamCommand};
use crate::telegram::{Sender, TelegramError};
use crate::texts::Texts;

/// Manager commands answered in the private chat only: a Mini App button
/// works there alone, and a token must not be shown to a group.
const PRIVATE_ONLY: [&str; 2] = ["app", "api_token"];

/// `C`'s commands, described in the staff's language.
fn commands<C: BotCommands>(texts: &Texts) -> Vec<BotCommand> {
    C::bot_commands()
        .into_iter()
        .map(|command| {
            let name = command.command.trim_start_matches('/').to_owned();
            let description = texts.command_description(&name);
            BotCommand::new(name, description)
        })
        .collect()
}

/// Sets every menu. Each call is independent, so one failure does not stop
/// the others; the first error is returned after all were tried.
pub async fn set_menus(
    sender: &Sender,
    texts: &Texts,
    main_groups: &[i64],
    admins: &[i64],
) -> Result<(), TelegramError> {
    let client = commands::<ClientCommand>(texts);
    let group = commands::<TeamCommand>(texts);
    let managers = commands::<ManagerCommand>(texts);
    let mut menus = vec![(BotCommandScope::AllPrivateChats, client.clone())];
    for admin in admins {
        menus.push((
            BotCommandScope::Chat {
                chat_id: Recipient::Id(ChatId(*admin)),
            },
            client.iter().chain(&managers).cloned().collect(),
        ));
    }
    for main_group in main_groups {
        let main = Recipient::Id(ChatId(*main_group));
        menus.push((
            BotCommandScope::Chat {
                chat_id: main.clone(),
            },
            group.clone(),
        ));
        for admin in admins {
            menus.push((
                BotCommandScope::ChatMember {
                    chat_id: main.clone(),
                    user_id: UserId(*admin as u64),
                },
                group
                    .iter()
                    .chain(
                        managers
                            .iter()
                            .filter(|c| !PRIVATE_ONLY.contains(&c.command.as_str())),
                    )
                    .cloned()
                    .collect(),
            ));
        }
    }
    let mut first_error = None;
    for (scope, list) in menus {
        let request = sender.bot().set_my_commands(list).scope(scope);
        if let Err(error) = sender.call_patiently(request).await {
            tracing::warn!(error = %error, "could not set a command menu");
            first_error.get_or_insert(error);
        }
    }
    first_error.map_or(Ok(()), Err)
}
