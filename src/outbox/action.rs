//! What an outbox row asks for, as stored in its `action` column (JSON).
//! Rows outlive releases, so every change here must still read rows written
//! by earlier versions: new fields get defaults, renamed ones aliases.

use serde::{Deserialize, Serialize};
use teloxide::types::{InlineKeyboardMarkup, MessageEntity};

/// Where a delivery goes. Thread ids are looked up when it is sent, so a
/// topic recreated in between is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Target {
    /// The client's private chat.
    Client { user_id: i64 },
    /// The ticket's topic in its main group.
    Main { ticket_id: i32 },
    /// A technician's mirrored topic (a `mirrors` row). Rows written before
    /// the rename say `"to":"tech","tech_thread":…`.
    #[serde(alias = "tech")]
    Mirror {
        #[serde(alias = "tech_thread")]
        mirror_id: i32,
    },
    /// A chat, and a topic in it, known by id: where a command was given.
    Chat {
        chat_id: i64,
        #[serde(default)]
        thread_id: Option<i32>,
    },
}

/// Text with its formatting, exactly as Telegram gives and takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RichText {
    pub text: String,
    #[serde(default)]
    pub entities: Vec<MessageEntity>,
}

impl RichText {
    /// Text without formatting (the bot's own notes).
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            entities: Vec::new(),
        }
    }
}

/// The message a bridged text answers, in the chat it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyTo {
    pub chat: i64,
    pub message_id: i32,
}

/// A text to send (a bot note, a reply to a command, or a bridged text that
/// needed an author mark), split to fit Telegram's limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextMessage {
    pub target: Target,
    pub text: RichText,
    #[serde(default)]
    pub reply_to: Option<ReplyTo>,
    /// The close button of this ticket under the text (a mirrored topic's
    /// intro), labelled in the staff's language when sent.
    #[serde(default)]
    pub close_button_for: Option<i32>,
    /// Other buttons (the survey's scores).
    #[serde(default)]
    pub keyboard: Option<InlineKeyboardMarkup>,
    /// Staff or a technician answering the client (first response).
    #[serde(default)]
    pub response: bool,
    /// No link previews (lists full of links, like manager answers).
    #[serde(default)]
    pub quiet_links: bool,
}

impl TextMessage {
    pub fn new(target: Target, text: RichText) -> Self {
        Self {
            target,
            text,
            reply_to: None,
            close_button_for: None,
            keyboard: None,
            response: false,
            quiet_links: false,
        }
    }

    pub fn replying_to(mut self, reply_to: Option<ReplyTo>) -> Self {
        self.reply_to = reply_to;
        self
    }

    pub fn with_keyboard(mut self, keyboard: InlineKeyboardMarkup) -> Self {
        self.keyboard = Some(keyboard);
        self
    }

    /// Marks the text as the team's answer to the client.
    pub fn as_response(mut self, response: bool) -> Self {
        self.response = response;
        self
    }

    pub fn without_link_previews(mut self) -> Self {
        self.quiet_links = true;
        self
    }
}

impl From<TextMessage> for Action {
    fn from(text: TextMessage) -> Self {
        Action::Text(text)
    }
}

/// One thing to do in a lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Create the ticket's topic in the main group.
    CreateMainTopic {
        ticket_id: i32,
    },
    /// Post the client card, with its buttons, into the main topic.
    PostCard {
        ticket_id: i32,
    },
    /// Edit the card to show where the ticket stands now (assigned, closed)
    /// instead of posting a note into the busy main group.
    RefreshCard {
        ticket_id: i32,
        status: String,
    },
    /// Rename the main topic after the ticket's current state.
    RenameMainTopic {
        ticket_id: i32,
    },
    /// Rename a technician's mirrored topic after the ticket's state (the
    /// overdue badge comes and goes).
    RenameMirrorTopic {
        mirror_id: i32,
    },
    /// Create a technician's mirrored topic.
    #[serde(alias = "create_tech_topic")]
    CreateMirrorTopic {
        #[serde(alias = "tech_thread")]
        mirror_id: i32,
    },
    /// Copy the ticket so far (card and bridged messages) into a mirrored
    /// topic, then post the intro with its Close button.
    CopyHistory {
        #[serde(alias = "tech_thread")]
        mirror_id: i32,
    },
    /// Close a topic.
    CloseTopic {
        target: Target,
    },
    /// Reopen a closed topic (a ticket opened again).
    ReopenTopic {
        target: Target,
    },
    /// Copy a message as it is (copyMessage: no author shown). With
    /// `caption`, the caption is replaced (used to mark the author).
    Copy {
        target: Target,
        from_chat: i64,
        message_id: i32,
        #[serde(default)]
        caption: Option<RichText>,
        /// The message it answered, in `from_chat`; replied to in the target.
        #[serde(default)]
        reply_to: Option<i32>,
        /// Staff or a technician answering the client (first response).
        #[serde(default)]
        response: bool,
        /// The source's file (unique id) when it carries media, so an edit
        /// that swaps the media can be told from a caption edit.
        #[serde(default)]
        media: Option<String>,
    },
    Text(TextMessage),
    /// Carry an edit of a bridged message to its copy in the target.
    Edit {
        target: Target,
        from_chat: i64,
        message_id: i32,
        /// New text or caption (already marked with the author if needed).
        text: RichText,
        /// Whether `text` is a caption.
        caption: bool,
    },
    /// Put a reaction on a message (a specialist call seen), which costs no
    /// message anywhere.
    React {
        chat_id: i64,
        message_id: i32,
        emoji: String,
    },
    /// Replace the text of one of the bot's own messages and drop its
    /// buttons (a survey question once answered).
    ReplaceText {
        chat_id: i64,
        message_id: i32,
        text: RichText,
    },
    /// Send a file Telegram already has (by `file_id`) with a caption: a
    /// knowledge-base article's media. A caption over Telegram's limit
    /// follows the file as text.
    SendFile {
        target: Target,
        /// `photo`, `document`, `video`, `animation`, `audio` or `voice`.
        file_kind: String,
        file_id: String,
        caption: RichText,
        /// Staff or a technician answering the client (first response).
        #[serde(default)]
        response: bool,
    },
    /// Delete one of the bot's own messages (the saved answers' buttons
    /// once one was chosen): no message anywhere.
    Delete {
        chat_id: i64,
        message_id: i32,
    },
}

impl Action {
    /// A plain note from the bot into `target`.
    pub fn note(target: Target, text: impl Into<String>) -> Self {
        TextMessage::new(target, RichText::plain(text)).into()
    }

    /// The target this action sends into, if it sends into one.
    pub fn target(&self) -> Option<Target> {
        match self {
            Action::CreateMainTopic { ticket_id }
            | Action::PostCard { ticket_id }
            | Action::RefreshCard { ticket_id, .. }
            | Action::RenameMainTopic { ticket_id } => Some(Target::Main {
                ticket_id: *ticket_id,
            }),
            Action::CreateMirrorTopic { mirror_id }
            | Action::CopyHistory { mirror_id }
            | Action::RenameMirrorTopic { mirror_id } => Some(Target::Mirror {
                mirror_id: *mirror_id,
            }),
            Action::CloseTopic { target }
            | Action::ReopenTopic { target }
            | Action::Copy { target, .. }
            | Action::SendFile { target, .. }
            | Action::Edit { target, .. } => Some(*target),
            Action::Text(text) => Some(text.target),
            Action::ReplaceText { chat_id, .. }
            | Action::React { chat_id, .. }
            | Action::Delete { chat_id, .. } => Some(Target::Chat {
                chat_id: *chat_id,
                thread_id: None,
            }),
        }
    }
}

/// A delivery to enqueue.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The destination chat id.
    pub lane: i64,
    pub ticket_id: Option<i32>,
    pub action: Action,
    /// The message this delivery bridges, for message links.
    pub source: Option<(i64, i32)>,
    pub media_group_id: Option<String>,
    /// Unique per thing-to-do: a replay with the same key enqueues nothing.
    pub dedup_key: String,
    /// Kept back until the ticket is released ([`super::Outbox::release`]):
    /// the ticket has no topic yet while the client picks a category.
    pub held: bool,
}

impl Delivery {
    /// A delivery of a ticket that bridges no message: a note, or a topic
    /// operation.
    pub fn new(lane: i64, ticket_id: i32, action: Action, dedup_key: impl Into<String>) -> Self {
        Self {
            lane,
            ticket_id: Some(ticket_id),
            action,
            source: None,
            media_group_id: None,
            dedup_key: dedup_key.into(),
            held: false,
        }
    }

    /// The same delivery, kept back while `held` (see [`Delivery::held`]).
    pub fn held_if(mut self, held: bool) -> Self {
        self.held = held;
        self
    }

    /// A delivery that belongs to no ticket (the answer to a command).
    pub fn without_ticket(
        lane: i64,
        action: impl Into<Action>,
        dedup_key: impl Into<String>,
    ) -> Self {
        Self {
            lane,
            ticket_id: None,
            action: action.into(),
            source: None,
            media_group_id: None,
            dedup_key: dedup_key.into(),
            held: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_written_before_the_mirror_rename_still_read() {
        let old: Action = serde_json::from_str(
            r#"{"kind":"text","target":{"to":"tech","tech_thread":7},"text":{"text":"hi"},"reply_to":null,"close_button_for":3,"keyboard":null,"response":false}"#,
        )
        .unwrap();
        let Action::Text(text) = old else {
            panic!("a text")
        };
        assert_eq!(text.target, Target::Mirror { mirror_id: 7 });
        assert_eq!(text.close_button_for, Some(3));
        let old: Action =
            serde_json::from_str(r#"{"kind":"create_tech_topic","tech_thread":4}"#).unwrap();
        assert_eq!(old, Action::CreateMirrorTopic { mirror_id: 4 });
    }

    #[test]
    fn a_text_is_stored_with_its_fields_beside_the_kind() {
        let action: Action =
            TextMessage::new(Target::Client { user_id: 5 }, RichText::plain("x")).into();
        let json = serde_json::to_value(&action).unwrap();
        assert_eq!(json["kind"], "text");
        assert_eq!(json["target"]["to"], "client");
        assert_eq!(json["text"]["text"], "x");
        assert_eq!(serde_json::from_value::<Action>(json).unwrap(), action);
    }
}
