//! The client card: the first post of every ticket topic, telling staff who
//! is writing and what they asked before. It is built as plain text plus
//! entities and never sent with a parse mode, because every value in it is
//! user-written (a name like `_x_` or `*bold*` must arrive exactly as typed).

use teloxide::types::{MessageEntity, MessageEntityKind};

use crate::domain::rich_text::RichBuilder;
use crate::domain::text::{TEXT_LIMIT, utf16_len};
use crate::domain::topic_title::truncate_utf16;

/// How many earlier tickets the card lists; a returning client's history
/// can be long, and the newest ones are the ones staff open.
pub const EARLIER_SHOWN: usize = 10;
/// Longest name the card shows, in UTF-16 units. Telegram names are far
/// shorter; the cap keeps the card within one message whatever it is given.
const NAME_LIMIT: usize = 256;
/// Longest status line shown under the title.
const STATUS_LIMIT: usize = 300;

/// The card's words in the staff's language, supplied by the texts.
pub trait CardWords {
    /// The bold first line: `Обращение #12`.
    fn title(&self, ticket_id: i32) -> String;
    fn name(&self) -> String;
    fn username(&self) -> String;
    fn id(&self) -> String;
    fn language(&self) -> String;
    /// `Ранее обращений: 3`.
    fn earlier(&self, count: usize) -> String;
    /// Closes a list cut to the newest tickets: `…и ещё 4`.
    fn more(&self, count: usize) -> String;
    /// Stands for a missing value.
    fn missing(&self) -> String;
}

/// A previous ticket of the same client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierTicket {
    pub id: i32,
    /// `"NEW"`, `"WORK"` or `"CLOSED"`, shown as is.
    pub status: String,
    /// Link to the ticket's main-group topic, see [`topic_link`].
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCard {
    pub ticket_id: i32,
    pub full_name: String,
    pub username: Option<String>,
    pub tg_id: i64,
    pub language_code: Option<String>,
    /// The client's other tickets, in any order.
    pub earlier: Vec<EarlierTicket>,
    /// Extra fields from Google Sheets (header → value), shown after the
    /// profile; empty until Sheets lands.
    pub extra: Vec<(String, String)>,
    /// Where the ticket stands ("Assigned to @ivan."), shown under the
    /// title: the card is edited as the ticket moves on, instead of new
    /// posts in a group that shares Telegram's 20 messages a minute.
    pub status: Option<String>,
    /// How the desk files the ticket (`💳 Оплата · 🔼 Высокий`) and its
    /// service-level lines (`⏰ Первый ответ просрочен`), one per line,
    /// shown under the status.
    pub details: Vec<String>,
}

impl ClientCard {
    /// The card as text and entities: a bold title, the Telegram profile (the
    /// id in monospace so it copies with one tap), the number of earlier
    /// tickets with links to the newest [`EARLIER_SHOWN`] of them, then the
    /// extra fields. Always within [`TEXT_LIMIT`]: extra fields that do not
    /// fit are cut.
    pub fn render(&self, texts: &impl CardWords) -> (String, Vec<MessageEntity>) {
        let missing = texts.missing();
        let missing = missing.as_str();
        let mut card = RichBuilder::default();

        card.push_with(&texts.title(self.ticket_id), MessageEntityKind::Bold);
        card.push("\n");
        if let Some(status) = self
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            card.push_with(
                &truncate_utf16(status, STATUS_LIMIT),
                MessageEntityKind::Italic,
            );
            card.push("\n");
        }
        for detail in self
            .details
            .iter()
            .map(|d| d.trim())
            .filter(|d| !d.is_empty())
        {
            card.push(&truncate_utf16(detail, STATUS_LIMIT));
            card.push("\n");
        }

        let name = self.full_name.trim();
        let name = if name.is_empty() {
            missing.to_owned()
        } else {
            truncate_utf16(name, NAME_LIMIT)
        };
        card.line(&texts.name(), &name);

        let username = self
            .username
            .as_deref()
            .map(|u| u.trim().trim_start_matches('@'))
            .filter(|u| !u.is_empty())
            .map_or_else(|| missing.to_owned(), |u| format!("@{u}"));
        card.line(&texts.username(), &truncate_utf16(&username, NAME_LIMIT));

        card.push(&format!("\n{}: ", texts.id()));
        card.push_with(&self.tg_id.to_string(), MessageEntityKind::Code);

        let language_code = self
            .language_code
            .as_deref()
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .unwrap_or(missing);
        card.line(&texts.language(), &truncate_utf16(language_code, 16));

        card.push("\n\n");
        card.push(&texts.earlier(self.earlier.len()));
        let mut earlier: Vec<&EarlierTicket> = self.earlier.iter().collect();
        earlier.sort_by_key(|ticket| std::cmp::Reverse(ticket.id));
        for ticket in earlier.iter().take(EARLIER_SHOWN) {
            card.push("\n");
            let number = format!("#{}", ticket.id);
            card.push_link(&number, ticket.link.as_deref());
            card.push(&format!(" ({})", truncate_utf16(ticket.status.trim(), 16)));
        }
        if earlier.len() > EARLIER_SHOWN {
            card.push("\n");
            card.push(&texts.more(earlier.len() - EARLIER_SHOWN));
        }

        let mut separator = "\n\n";
        for (header, value) in &self.extra {
            let (header, value) = (header.trim(), value.trim());
            if header.is_empty() && value.is_empty() {
                continue;
            }
            let value = if value.is_empty() { missing } else { value };
            let room = TEXT_LIMIT.saturating_sub(card.units() + utf16_len(separator));
            let line = format!("{header}: {value}");
            if utf16_len(&line) <= room {
                card.push(separator);
                card.push(&line);
            } else {
                // Cut the field that does not fit, and leave out the rest.
                if room >= 2 {
                    card.push(separator);
                    card.push(&truncate_utf16(&line, room));
                }
                break;
            }
            separator = "\n";
        }

        card.finish()
    }
}

/// Link to a forum topic: `https://t.me/c/<chat>/<thread>`, where `<chat>`
/// is the supergroup id without its `-100` prefix. Such links open only for
/// members, which suits a team's internal cards. `None` for anything that is
/// not a supergroup id or a real thread id.
pub fn topic_link(chat_id: i64, thread_id: i32) -> Option<String> {
    // The Bot API writes a supergroup as -(10^12 + its internal id), and
    // internal ids stay below 10^12.
    const SUPERGROUP_BASE: i64 = 1_000_000_000_000;
    let internal = chat_id.checked_neg()?.checked_sub(SUPERGROUP_BASE)?;
    ((1..SUPERGROUP_BASE).contains(&internal) && thread_id > 0)
        .then(|| format!("https://t.me/c/{internal}/{thread_id}"))
}

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;

    /// The staff's words as the texts give them, fixed here so the layout
    /// is tested on its own.
    struct Ru;
    struct En;

    impl CardWords for Ru {
        fn title(&self, ticket_id: i32) -> String {
            format!("Обращение #{ticket_id}")
        }
        fn name(&self) -> String {
            "Имя".into()
        }
        fn username(&self) -> String {
            "Username".into()
        }
        fn id(&self) -> String {
            "ID".into()
        }
        fn language(&self) -> String {
            "Язык".into()
        }
        fn earlier(&self, count: usize) -> String {
            format!("Ранее обращений: {count}")
        }
        fn more(&self, count: usize) -> String {
            format!("…и ещё {count}")
        }
        fn missing(&self) -> String {
            "—".into()
        }
    }

    impl CardWords for En {
        fn title(&self, ticket_id: i32) -> String {
            format!("Ticket #{ticket_id}")
        }
        fn name(&self) -> String {
            "Name".into()
        }
        fn username(&self) -> String {
            "Username".into()
        }
        fn id(&self) -> String {
            "ID".into()
        }
        fn language(&self) -> String {
            "Language".into()
        }
        fn earlier(&self, count: usize) -> String {
            format!("Earlier tickets: {count}")
        }
        fn more(&self, count: usize) -> String {
            format!("…and {count} more")
        }
        fn missing(&self) -> String {
            "—".into()
        }
    }

    fn card() -> ClientCard {
        ClientCard {
            ticket_id: 12,
            full_name: "Ivan Petrov".to_owned(),
            username: Some("ivan".to_owned()),
            tg_id: 123456,
            language_code: Some("ru".to_owned()),
            earlier: Vec::new(),
            extra: Vec::new(),
            status: None,
            details: Vec::new(),
        }
    }

    fn earlier(id: i32, status: &str, link: Option<&str>) -> EarlierTicket {
        EarlierTicket {
            id,
            status: status.to_owned(),
            link: link.map(str::to_owned),
        }
    }

    fn link(url: &str, offset: usize, length: usize) -> MessageEntity {
        MessageEntity::text_link(Url::parse(url).unwrap(), offset, length)
    }

    #[test]
    fn a_first_time_client_gets_a_card_with_the_profile() {
        let (text, entities) = card().render(&Ru);
        assert_eq!(
            text,
            "Обращение #12\n\nИмя: Ivan Petrov\nUsername: @ivan\nID: 123456\nЯзык: ru\n\nРанее обращений: 0"
        );
        // "Обращение #12" is 13 units; "\n", "\nИмя: Ivan Petrov" (17),
        // "\nUsername: @ivan" (16) and "\nID: " (5) put the id at 52.
        assert_eq!(
            entities,
            vec![MessageEntity::bold(0, 13), MessageEntity::code(52, 6)]
        );
    }

    #[test]
    fn details_follow_the_status_one_per_line() {
        let card = ClientCard {
            status: Some("Назначен специалист: @ivan.".into()),
            details: vec![
                "💳 Оплата · 🔼 Высокий".into(),
                " ".into(),
                "⏰ Просрочено".into(),
            ],
            ..card()
        };
        let (text, _) = card.render(&Ru);
        assert!(
            text.starts_with(
                "Обращение #12\nНазначен специалист: @ivan.\n💳 Оплата · 🔼 Высокий\n⏰ Просрочено\n\nИмя: Ivan Petrov"
            ),
            "{text}"
        );
    }

    #[test]
    fn an_english_card_uses_english_labels_and_dashes_for_missing_values() {
        let card = ClientCard {
            username: None,
            language_code: Some(" ".to_owned()),
            ..card()
        };
        let (text, entities) = card.render(&En);
        assert_eq!(
            text,
            "Ticket #12\n\nName: Ivan Petrov\nUsername: —\nID: 123456\nLanguage: —\n\nEarlier tickets: 0"
        );
        assert_eq!(
            entities,
            // 10 + 1 + "\nName: Ivan Petrov" (18) + "\nUsername: —" (12) + "\nID: " (5)
            vec![MessageEntity::bold(0, 10), MessageEntity::code(46, 6)]
        );
    }

    #[test]
    fn markdown_characters_and_emoji_in_a_name_survive_and_shift_entities_by_utf16_units() {
        let card = ClientCard {
            full_name: "_x_ *b* [l](u) 😀".to_owned(),
            username: Some("x_y".to_owned()),
            tg_id: -5,
            earlier: vec![earlier(7, "CLOSED", Some("https://t.me/c/1/70"))],
            ..card()
        };
        let (text, entities) = card.render(&En);
        assert_eq!(
            text,
            "Ticket #12\n\nName: _x_ *b* [l](u) 😀\nUsername: @x_y\nID: -5\nLanguage: ru\n\nEarlier tickets: 1\n#7 (CLOSED)"
        );
        // "Ticket #12\n\nName: " is 18 units; the name is 16 chars but 17
        // units (the emoji is a surrogate pair), and "\nUsername: @x_y" (15)
        // and "\nID: " (5) put the id at 55. "-5" (2), "\nLanguage: ru"
        // (13), "\n\n", "Earlier tickets: 1" (18) and "\n" put "#7" at 91.
        assert_eq!(
            entities,
            vec![
                MessageEntity::bold(0, 10),
                MessageEntity::code(55, 2),
                link("https://t.me/c/1/70", 91, 2),
            ]
        );
    }

    #[test]
    fn earlier_tickets_are_listed_newest_first_with_links_where_known() {
        let card = ClientCard {
            earlier: vec![
                earlier(3, "CLOSED", Some("https://t.me/c/1/30")),
                earlier(9, "CLOSED", None),
                earlier(5, "CLOSED", Some("not a url")),
            ],
            ..card()
        };
        let (text, entities) = card.render(&Ru);
        assert!(text.ends_with("Ранее обращений: 3\n#9 (CLOSED)\n#5 (CLOSED)\n#3 (CLOSED)"));
        let offset = utf16_len(&text) - utf16_len("#3 (CLOSED)");
        assert_eq!(
            entities.last(),
            Some(&link("https://t.me/c/1/30", offset, 2))
        );
        assert_eq!(entities.len(), 3);
    }

    #[test]
    fn only_the_ten_newest_earlier_tickets_are_listed_and_the_rest_counted() {
        let card = ClientCard {
            earlier: (1..=13).map(|id| earlier(id, "CLOSED", None)).collect(),
            ..card()
        };
        let (text, _) = card.render(&En);
        let listed: Vec<&str> = text.lines().filter(|line| line.starts_with('#')).collect();
        assert_eq!(listed.len(), 10);
        assert_eq!(listed[0], "#13 (CLOSED)");
        assert_eq!(listed[9], "#4 (CLOSED)");
        assert!(text.contains("Earlier tickets: 13\n"));
        assert!(text.ends_with("\n#4 (CLOSED)\n…and 3 more"));
    }

    #[test]
    fn the_status_sits_under_the_title_in_italics() {
        let with_status = ClientCard {
            status: Some("Назначен специалист: @ivan.".into()),
            ..card()
        };
        let (text, entities) = with_status.render(&Ru);
        let second_line = text.lines().nth(1).unwrap();
        assert_eq!(second_line, "Назначен специалист: @ivan.");
        assert!(
            entities
                .iter()
                .any(|e| e.kind == MessageEntityKind::Italic && e.length == utf16_len(second_line))
        );
        let (without, _) = card().render(&Ru);
        assert_eq!(
            text.replacen("Назначен специалист: @ivan.\n", "", 1),
            without
        );
    }

    #[test]
    fn extra_fields_follow_the_profile_after_a_blank_line() {
        let card = ClientCard {
            extra: vec![
                ("Phone".to_owned(), "+7 900 000-00-00".to_owned()),
                (" ".to_owned(), "".to_owned()),
                ("Plan".to_owned(), "".to_owned()),
            ],
            status: None,
            ..card()
        };
        let (text, _) = card.render(&En);
        assert!(text.ends_with("Earlier tickets: 0\n\nPhone: +7 900 000-00-00\nPlan: —"));
    }

    #[test]
    fn a_card_with_huge_extra_fields_is_cut_to_one_message() {
        let card = ClientCard {
            extra: vec![
                ("Notes".to_owned(), "😀".repeat(1500)),
                ("More".to_owned(), "x".repeat(3000)),
                ("Never shown".to_owned(), "y".to_owned()),
            ],
            status: None,
            ..card()
        };
        let (text, entities) = card.render(&Ru);
        assert_eq!(utf16_len(&text), TEXT_LIMIT);
        assert!(text.contains("Notes: 😀😀"));
        assert!(text.contains("\nMore: xxx"));
        assert!(text.ends_with("x…"));
        assert!(!text.contains("Never shown"));
        assert_eq!(entities.len(), 2);
    }

    #[test]
    fn a_card_stays_within_the_limit_whatever_the_profile_holds() {
        let card = ClientCard {
            full_name: "N".repeat(10_000),
            username: Some("u".repeat(10_000)),
            language_code: Some("l".repeat(10_000)),
            earlier: (1..=50)
                .map(|id| earlier(id, &"S".repeat(1000), Some("https://t.me/c/1/2")))
                .collect(),
            extra: vec![("k".repeat(5000), "v".repeat(5000))],
            status: None,
            ..card()
        };
        let (text, _) = card.render(&En);
        assert!(utf16_len(&text) <= TEXT_LIMIT);
    }

    #[test]
    fn a_topic_link_drops_the_supergroup_prefix() {
        assert_eq!(
            topic_link(-1000000000001, 1).as_deref(),
            Some("https://t.me/c/1/1")
        );
        assert_eq!(
            topic_link(-1001234567890, 42).as_deref(),
            Some("https://t.me/c/1234567890/42")
        );
    }

    #[test]
    fn ids_that_are_not_supergroups_or_threads_have_no_link() {
        assert_eq!(topic_link(-123456, 42), None);
        assert_eq!(topic_link(-1_000_000_000_000, 42), None);
        assert_eq!(topic_link(1001234567890, 42), None);
        assert_eq!(topic_link(i64::MIN, 42), None);
        assert_eq!(topic_link(-2_000_000_000_000, 42), None);
        assert_eq!(topic_link(-1001234567890, 0), None);
        assert_eq!(topic_link(-1001234567890, -3), None);
    }
}
