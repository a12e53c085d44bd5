//! Descriptions in the command menus.

use super::Texts;

impl Texts {
    /// What a command does, for Telegram's menu (3–256 characters).
    pub fn command_description(&self, command: &str) -> &'static str {
        match command {
            "start" => fixed!(self, "command-description.start"),
            "help" => fixed!(self, "command-description.help"),
            "close" => fixed!(self, "command-description.close"),
            "priority" => fixed!(self, "command-description.priority"),
            "category" => fixed!(self, "command-description.category"),
            "wait" => fixed!(self, "command-description.wait"),
            "techs" => fixed!(self, "command-description.techs"),
            "tickets" => fixed!(self, "command-description.tickets"),
            "ticket" => fixed!(self, "command-description.ticket"),
            "find" => fixed!(self, "command-description.find"),
            "stats" => fixed!(self, "command-description.stats"),
            "tech_on" => fixed!(self, "command-description.tech-on"),
            "tech_off" => fixed!(self, "command-description.tech-off"),
            "failed" => fixed!(self, "command-description.failed"),
            "resend" => fixed!(self, "command-description.resend"),
            "ban" => fixed!(self, "command-description.ban"),
            "unban" => fixed!(self, "command-description.unban"),
            "banned" => fixed!(self, "command-description.banned"),
            "app" => fixed!(self, "command-description.app"),
            "api_token" => fixed!(self, "command-description.api-token"),
            "kb" => fixed!(self, "command-description.kb"),
            "kb_save" => fixed!(self, "command-description.kb-save"),
            "kb_list" => fixed!(self, "command-description.kb-list"),
            "kb_show" => fixed!(self, "command-description.kb-show"),
            "kb_delete" => fixed!(self, "command-description.kb-delete"),
            _ => fixed!(self, "command-description.other"),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::language::Language;

    pub(in crate::texts) const COMMANDS: [&str; 26] = [
        "start",
        "help",
        "close",
        "priority",
        "category",
        "wait",
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
        "kb",
        "kb_save",
        "kb_list",
        "kb_show",
        "kb_delete",
        "unknown",
    ];

    pub(in crate::texts) fn all_texts(texts: Texts) -> Vec<String> {
        COMMANDS
            .iter()
            .map(|command| texts.command_description(command).to_owned())
            .collect()
    }

    #[test]
    fn menu_descriptions_fit_telegrams_limits_in_every_language() {
        for language in Language::ALL {
            for description in all_texts(Texts::new(language)) {
                let length = description.chars().count();
                assert!((3..=256).contains(&length), "{language}: {description}");
            }
        }
    }

    #[test]
    fn every_command_has_its_own_description() {
        for language in Language::ALL {
            let mut descriptions = all_texts(Texts::new(language));
            descriptions.sort();
            descriptions.dedup();
            assert_eq!(descriptions.len(), COMMANDS.len(), "{language}");
        }
    }
}
