//! Descriptions in the command menus.

use super::Texts;
use crate::domain::language::Language;

impl Texts {
    /// What a command does, for Telegram's menu (3–256 characters).
    pub fn command_description(&self, command: &str) -> &'static str {
        let (ru, en) = match command {
            "start" => ("Начать", "Start"),
            "help" => ("Как написать в поддержку", "How to reach support"),
            "close" => ("Закрыть обращение", "Close the ticket"),
            "techs" => (
                "Техники и их открытые обращения",
                "Technicians and their open tickets",
            ),
            "tickets" => (
                "Последние обращения: /tickets [new|work|closed]",
                "Latest tickets: /tickets [new|work|closed]",
            ),
            "ticket" => (
                "Обращение подробно: /ticket <номер>",
                "One ticket in detail: /ticket <id>",
            ),
            "find" => (
                "Поиск: /find <текст | @username | id | #номер>",
                "Search: /find <text | @username | id | #id>",
            ),
            "stats" => ("Статистика: /stats [дней]", "Statistics: /stats [days]"),
            "tech_on" => (
                "Включить техника: /tech_on <id>",
                "Make a technician available: /tech_on <id>",
            ),
            "tech_off" => (
                "Выключить техника: /tech_off <id>",
                "Make a technician unavailable: /tech_off <id>",
            ),
            _ => ("Команда", "Command"),
        };
        match self.language() {
            Language::Ru | Language::Kk => ru,
            Language::En => en,
        }
    }
}
