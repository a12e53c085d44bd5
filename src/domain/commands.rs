//! The bot's commands, per audience, parsed by teloxide's `BotCommands`
//! derive. Arguments are kept as written; what they mean is checked by the
//! service that runs the command, which also writes the usage line.

use teloxide::utils::command::BotCommands;

/// Commands of a client in the private chat.
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "snake_case")]
pub enum ClientCommand {
    Start,
    Help,
    Close,
}

/// Commands of staff and technicians in a ticket's topic.
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "snake_case")]
pub enum TeamCommand {
    Close,
    /// `/priority low|normal|high|urgent`.
    Priority(String),
    /// `/category <key>`: move the ticket to another category.
    Category(String),
    /// The team waits for the client (the resolution clock pauses).
    Wait,
    /// `/kb <slug>` sends a saved answer; `/kb <words>` offers the best
    /// three as buttons.
    Kb(String),
}

/// Commands of managers (ADMIN_IDS), in the private chat or the main group.
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "snake_case")]
pub enum ManagerCommand {
    Techs,
    Tickets(String),
    Ticket(String),
    Find(String),
    Stats(String),
    TechOn(String),
    TechOff(String),
    Failed,
    Resend(String),
    Ban(String),
    Unban(String),
    Banned,
    /// Opens the Mini App (managers and technicians, in the private chat).
    App,
    /// Makes an API token: `/api_token <name> [read|write]`.
    ApiToken(String),
    /// In reply to a message: `/kb_save <slug> [title] [lang=kk|ru|en]`.
    KbSave(String),
    KbList,
    KbShow(String),
    /// `/kb_delete <slug> [lang=kk|ru|en]`.
    KbDelete(String),
}

impl ManagerCommand {
    /// Every manager command's name, in the order the menu lists them.
    pub const NAMES: [&'static str; 18] = [
        "techs",
        "tickets",
        "ticket",
        "find",
        "stats",
        "tech_on",
        "tech_off",
        "failed",
        "resend",
        "ban",
        "unban",
        "banned",
        "app",
        "api_token",
        "kb_save",
        "kb_list",
        "kb_show",
        "kb_delete",
    ];
}

/// Parses `text` as one of `C`'s commands addressed to this bot (or to no
/// bot in particular). The command word is matched in any case, and its
/// arguments may follow any whitespace, as people type them; `None` for
/// anything else, including a command meant for another bot.
pub fn parse<C: BotCommands>(text: &str, bot_username: &str) -> Option<C> {
    let text = text.trim_start();
    let (word, args) = match text.split_once(char::is_whitespace) {
        Some((word, args)) => (word, args.trim()),
        None => (text, ""),
    };
    let (name, addressee) = match word.split_once('@') {
        Some((name, addressee)) => (name, Some(addressee)),
        None => (word, None),
    };
    let mut normalised = name.to_lowercase();
    if let Some(addressee) = addressee {
        normalised.push('@');
        normalised.push_str(addressee);
    }
    if !args.is_empty() {
        normalised.push(' ');
        normalised.push_str(args);
    }
    C::parse(&normalised, bot_username).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_with_or_without_this_bots_name_in_any_case() {
        assert_eq!(
            parse::<ClientCommand>("/close", "desk_bot"),
            Some(ClientCommand::Close)
        );
        assert_eq!(
            parse::<ClientCommand>("/CLOSE@Desk_Bot", "desk_bot"),
            Some(ClientCommand::Close)
        );
        assert_eq!(parse::<ClientCommand>("/close@other_bot", "desk_bot"), None);
        assert_eq!(parse::<ClientCommand>("/unknown", "desk_bot"), None);
    }

    #[test]
    fn arguments_follow_any_whitespace_and_unit_commands_ignore_them() {
        assert_eq!(
            parse::<ManagerCommand>("/find\n  printer  broke ", "b"),
            Some(ManagerCommand::Find("printer  broke".into()))
        );
        assert_eq!(
            parse::<ManagerCommand>("/tickets", "b"),
            Some(ManagerCommand::Tickets(String::new()))
        );
        assert_eq!(
            parse::<ClientCommand>("/start deep-link-payload", "b"),
            Some(ClientCommand::Start)
        );
        assert_eq!(
            parse::<ManagerCommand>("/tech_on@b 3", "b"),
            Some(ManagerCommand::TechOn("3".into()))
        );
    }

    #[test]
    fn the_menu_names_are_the_commands_names() {
        let listed: Vec<String> = ManagerCommand::bot_commands()
            .into_iter()
            .map(|c| c.command.trim_start_matches('/').to_owned())
            .collect();
        assert_eq!(listed, ManagerCommand::NAMES);
    }
}
