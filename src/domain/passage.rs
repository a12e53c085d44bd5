//! When is a message not bridged? The one rule, for every place the bot
//! listens in: the handlers gather the facts about a message and ask
//! [`passage`]; the answer says whether the message is copied to the
//! ticket's other places, and if not, why.
//!
//! A message is bridged unless:
//! - it is not a person's message with content (a bot, a service message);
//! - its author is a client a manager banned: it is only stored;
//! - it was written in a technician's topic the ticket has moved away from
//!   (commands included: that topic no longer speaks for the ticket);
//! - it is a command (`/close`…): the command is carried out instead;
//! - the client owes the survey a comment: the text is that comment;
//! - the ticket is closed: the author is told it was not sent;
//! - it is an internal note (`//…`) or a call for a colleague
//!   (`@petya помоги`): it stays inside the team.

use teloxide::types::{MessageEntity, MessageEntityKind};

use crate::domain::text::{byte_index, entity_text};

/// Phrases that turn a mention of a colleague into a call for help. Matched
/// case-insensitively against whole words (a phrase's words must appear in a
/// row), so "help" does not fire on "helpful" and a username such as
/// `@helpdesk` never counts, as mentions are blanked out before matching.
/// Russian forms are listed one by one rather than as stems, because a stem
/// like "помог" would also catch "спасибо, помогло".
pub const HELP_CUES: &[&str] = &[
    // Russian
    "помоги",
    "помогите",
    "помочь",
    "помощь",
    "помощи",
    "нужна помощь",
    "подскажи",
    "подскажите",
    "глянь",
    "гляньте",
    "посмотри",
    "посмотрите",
    // English
    "help",
    "assist",
    "take a look",
    "have a look",
    "can you check",
    "need you",
];

/// A message starting with `//` is a note for the team and never reaches the
/// client. Leading whitespace is ignored, as people often type a space first.
pub fn is_internal_note(text: &str) -> bool {
    text.trim_start().starts_with("//")
}

/// Lower-cased words of `text` joined by single spaces and padded with one
/// space on each side, so a phrase can be found as `" phrase "`.
fn word_line(text: &str) -> String {
    let mut line = String::from(" ");
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        line.extend(word.chars().flat_map(char::to_lowercase));
        line.push(' ');
    }
    line
}

/// Recognises a call for a colleague: a message that mentions another member
/// (an `@username` mention, or a text mention of a user without a username)
/// and asks for help in words from [`HELP_CUES`]. Such messages stay inside
/// the team. Returns the mentioned names (usernames without `@`, or the
/// first name of a text-mentioned user) in order of appearance, without
/// repeats; `None` when either part is missing.
pub fn specialist_call(text: &str, entities: &[MessageEntity]) -> Option<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    // Byte ranges of the mentions, blanked out before matching so that a
    // username like `@helpdesk` cannot supply the cue itself.
    let mut mentions = Vec::new();
    for entity in entities {
        let name = match &entity.kind {
            MessageEntityKind::Mention => {
                entity_text(text, entity).map(|mention| mention.trim_start_matches('@').to_owned())
            }
            MessageEntityKind::TextMention { user } => Some(user.first_name.clone()),
            _ => continue,
        };
        if let (Some(start), Some(end)) = (
            byte_index(text, entity.offset),
            byte_index(text, entity.offset.saturating_add(entity.length)),
        ) {
            mentions.push(start..end);
        }
        if let Some(name) = name.filter(|name| !name.is_empty())
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    if names.is_empty() {
        return None;
    }
    let rest: String = text
        .char_indices()
        .map(|(index, c)| {
            if mentions.iter().any(|range| range.contains(&index)) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words = word_line(&rest);
    HELP_CUES
        .iter()
        .any(|cue| words.contains(&word_line(cue)))
        .then_some(names)
}

/// Who wrote the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Client,
    /// Staff in the main group, or a technician in their topic.
    Team,
}

/// What the rule needs to know about a message, gathered by the handler.
#[derive(Debug, Clone, Copy)]
pub struct MessageFacts<'a> {
    pub author: Author,
    /// Written by a person (not a bot) and carrying content (not a service
    /// message like "topic created").
    pub from_person: bool,
    /// Starts with a bot command as Telegram marks it.
    pub is_command: bool,
    /// The text or the caption.
    pub text: &'a str,
    pub entities: &'a [MessageEntity],
    /// A plain text message (not media with a caption).
    pub is_text: bool,
    /// The ticket is open.
    pub ticket_open: bool,
    /// The place still speaks for the ticket: always true for the client and
    /// the main topic; false for a mirrored topic the ticket moved away from.
    pub place_current: bool,
    /// The survey waits for this client's comment.
    pub awaiting_survey_comment: bool,
    /// A manager banned this client.
    pub banned: bool,
}

/// What becomes of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Passage {
    /// Copied to the ticket's other places.
    Bridged,
    /// Nothing to do.
    Ignored,
    /// A command: carried out, never bridged.
    Command,
    /// From a banned client: stored, not bridged, opens nothing.
    Held,
    /// The client's comment for the survey.
    SurveyComment,
    /// Not sent: the ticket is closed (or the topic no longer its own); the
    /// author is told.
    TicketClosed,
    /// "//…": a note for the team, recorded.
    InternalNote,
    /// "@petya помоги": a call for a colleague, recorded; the names called.
    SpecialistCall(Vec<String>),
}

/// The rule. See the module's documentation.
pub fn passage(facts: &MessageFacts) -> Passage {
    if !facts.from_person {
        return Passage::Ignored;
    }
    match facts.author {
        Author::Client => {
            if facts.banned {
                Passage::Held
            } else if facts.is_command {
                Passage::Command
            } else if facts.awaiting_survey_comment && facts.is_text {
                Passage::SurveyComment
            } else {
                Passage::Bridged
            }
        }
        Author::Team => {
            if !facts.place_current {
                Passage::TicketClosed
            } else if facts.is_command {
                Passage::Command
            } else if !facts.ticket_open {
                Passage::TicketClosed
            } else if is_internal_note(facts.text) {
                Passage::InternalNote
            } else if let Some(names) = specialist_call(facts.text, facts.entities) {
                Passage::SpecialistCall(names)
            } else {
                Passage::Bridged
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use teloxide::types::{User, UserId};

    use super::*;

    fn mention(offset: usize, length: usize) -> MessageEntity {
        MessageEntity::new(MessageEntityKind::Mention, offset, length)
    }

    fn text_mention(first_name: &str, offset: usize, length: usize) -> MessageEntity {
        let user = User {
            id: UserId(42),
            is_bot: false,
            first_name: first_name.to_owned(),
            last_name: None,
            username: None,
            language_code: None,
            is_premium: false,
            added_to_attachment_menu: false,
        };
        MessageEntity::text_mention(user, offset, length)
    }

    fn team(text: &str) -> MessageFacts<'_> {
        MessageFacts {
            author: Author::Team,
            from_person: true,
            is_command: false,
            text,
            entities: &[],
            is_text: true,
            ticket_open: true,
            place_current: true,
            awaiting_survey_comment: false,
            banned: false,
        }
    }

    #[test]
    fn a_persons_message_in_an_open_ticket_is_bridged() {
        assert_eq!(passage(&team("hello")), Passage::Bridged);
        let client = MessageFacts {
            author: Author::Client,
            ..team("hello")
        };
        assert_eq!(passage(&client), Passage::Bridged);
    }

    #[test]
    fn bots_and_service_messages_are_ignored() {
        let facts = MessageFacts {
            from_person: false,
            ..team("hello")
        };
        assert_eq!(passage(&facts), Passage::Ignored);
    }

    #[test]
    fn a_command_is_carried_out_not_bridged_even_in_a_closed_ticket() {
        let facts = MessageFacts {
            is_command: true,
            ticket_open: false,
            ..team("/close")
        };
        assert_eq!(passage(&facts), Passage::Command);
    }

    #[test]
    fn a_topic_the_ticket_moved_away_from_refuses_commands_too() {
        let facts = MessageFacts {
            is_command: true,
            place_current: false,
            ..team("/close")
        };
        assert_eq!(passage(&facts), Passage::TicketClosed);
    }

    #[test]
    fn a_closed_tickets_topic_sends_nothing_to_the_client() {
        let facts = MessageFacts {
            ticket_open: false,
            ..team("hello")
        };
        assert_eq!(passage(&facts), Passage::TicketClosed);
    }

    #[test]
    fn notes_and_calls_stay_inside_the_team() {
        assert_eq!(passage(&team("// just for us")), Passage::InternalNote);
        let entities = [mention(0, 6)];
        let call = MessageFacts {
            entities: &entities,
            ..team("@petya помоги")
        };
        assert_eq!(
            passage(&call),
            Passage::SpecialistCall(vec!["petya".to_owned()])
        );
    }

    #[test]
    fn a_banned_clients_messages_and_commands_are_only_held() {
        let facts = MessageFacts {
            author: Author::Client,
            banned: true,
            ..team("hello")
        };
        assert_eq!(passage(&facts), Passage::Held);
        let command = MessageFacts {
            is_command: true,
            ..facts
        };
        assert_eq!(passage(&command), Passage::Held);
    }

    #[test]
    fn a_clients_text_owed_to_the_survey_is_its_comment_but_media_is_not() {
        let facts = MessageFacts {
            author: Author::Client,
            awaiting_survey_comment: true,
            ..team("too slow")
        };
        assert_eq!(passage(&facts), Passage::SurveyComment);
        let photo = MessageFacts {
            is_text: false,
            ..facts
        };
        assert_eq!(passage(&photo), Passage::Bridged);
        // The client's "//" is an ordinary message: notes are for the team.
        let slashes = MessageFacts {
            author: Author::Client,
            ..team("// hi")
        };
        assert_eq!(passage(&slashes), Passage::Bridged);
    }

    #[test]
    fn a_message_starting_with_two_slashes_is_an_internal_note() {
        assert!(is_internal_note("// call him tomorrow"));
        assert!(is_internal_note("  \n//x"));
        assert!(is_internal_note("//"));
        assert!(!is_internal_note("/close"));
        assert!(!is_internal_note("see https://example.com"));
        assert!(!is_internal_note(""));
    }

    #[test]
    fn a_mention_with_a_russian_plea_is_a_specialist_call() {
        assert_eq!(
            specialist_call("@petya помоги", &[mention(0, 6)]),
            Some(vec!["petya".to_owned()])
        );
    }

    #[test]
    fn a_mention_with_an_english_plea_is_a_specialist_call() {
        assert_eq!(
            specialist_call("@petya help", &[mention(0, 6)]),
            Some(vec!["petya".to_owned()])
        );
    }

    #[test]
    fn a_mention_without_a_plea_is_not_a_specialist_call() {
        assert_eq!(specialist_call("@petya спасибо", &[mention(0, 6)]), None);
    }

    #[test]
    fn a_plea_without_a_mention_is_not_a_specialist_call() {
        assert_eq!(specialist_call("помоги", &[]), None);
        assert_eq!(
            specialist_call("помоги", &[MessageEntity::bold(0, 6)]),
            None
        );
    }

    #[test]
    fn cues_match_case_insensitively_anywhere_in_the_message() {
        assert_eq!(
            specialist_call("Помогите, @petya!", &[mention(10, 6)]),
            Some(vec!["petya".to_owned()])
        );
        assert_eq!(
            specialist_call("@petya, TAKE A LOOK please", &[mention(0, 6)]),
            Some(vec!["petya".to_owned()])
        );
        assert_eq!(
            specialist_call("@petya can you check the router?", &[mention(0, 6)]),
            Some(vec!["petya".to_owned()])
        );
        assert_eq!(
            specialist_call("@petya нужна помощь", &[mention(0, 6)]),
            Some(vec!["petya".to_owned()])
        );
    }

    #[test]
    fn cues_match_whole_words_only() {
        assert_eq!(
            specialist_call("@petya this is helpful", &[mention(0, 6)]),
            None
        );
        assert_eq!(
            specialist_call("@petya you can check out", &[mention(0, 6)]),
            None
        );
    }

    #[test]
    fn a_username_containing_a_cue_does_not_count_as_the_plea() {
        assert_eq!(specialist_call("@helpdesk спасибо", &[mention(0, 9)]), None);
    }

    #[test]
    fn a_text_mention_contributes_the_users_first_name() {
        assert_eq!(
            specialist_call("Petya глянь", &[text_mention("Petya", 0, 5)]),
            Some(vec!["Petya".to_owned()])
        );
    }

    #[test]
    fn mentions_after_emoji_are_found_by_utf16_offset_and_named_once() {
        let text = "😀 @petya @vasya @petya посмотрите";
        let entities = [mention(3, 6), mention(10, 6), mention(17, 6)];
        assert_eq!(
            specialist_call(text, &entities),
            Some(vec!["petya".to_owned(), "vasya".to_owned()])
        );
    }

    #[test]
    fn the_help_cues_are_lower_case_words() {
        for cue in HELP_CUES {
            assert_eq!(word_line(cue).trim(), *cue);
        }
    }
}
