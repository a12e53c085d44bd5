//! Everything a handler may call, injected by type into the handler tree as
//! one value: the services, and which chats are which.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use teloxide::types::Chat;

use crate::services::bridge::BridgeService;
use crate::services::manager::ManagerService;
use crate::services::moderation::ModerationService;
use crate::services::survey::SurveyService;
use crate::services::tickets::TicketService;
use crate::services::users::UserService;
use crate::telegram::Sender;
use crate::texts::Texts;

#[derive(Clone)]
pub struct Desk {
    pub tickets: TicketService,
    pub bridge: BridgeService,
    pub survey: SurveyService,
    pub manager: ManagerService,
    pub moderation: ModerationService,
    pub users: UserService,
    /// Only for answering button presses, which put no message anywhere
    /// and must be answered within seconds, not behind a lane's backlog.
    pub sender: Sender,
    /// The staff's language, for answers to their button presses.
    pub texts: Texts,
    pub places: Places,
}

/// Which chats are which: the main groups (MAIN_GROUP_ID and the
/// categories' own) and the technicians' groups.
#[derive(Debug, Clone)]
pub struct Places {
    pub main_groups: Arc<BTreeSet<i64>>,
    pub tech_groups: Arc<BTreeSet<i64>>,
    /// Groups outside the configuration already reported in the log, so
    /// each is reported once, not at every message.
    reported: Arc<Mutex<BTreeSet<i64>>>,
}

impl Places {
    pub fn new(
        main_groups: impl IntoIterator<Item = i64>,
        tech_groups: impl IntoIterator<Item = i64>,
    ) -> Self {
        Self {
            main_groups: Arc::new(main_groups.into_iter().collect()),
            tech_groups: Arc::new(tech_groups.into_iter().collect()),
            reported: Arc::default(),
        }
    }

    pub fn is_main_group(&self, chat: i64) -> bool {
        self.main_groups.contains(&chat)
    }

    pub fn is_tech_group(&self, chat: i64) -> bool {
        !self.is_main_group(chat) && self.tech_groups.contains(&chat)
    }

    /// A group or channel the configuration does not name: the bot has no
    /// business there.
    pub fn is_foreign(&self, chat: &Chat) -> bool {
        !chat.is_private() && !self.is_main_group(chat.id.0) && !self.is_tech_group(chat.id.0)
    }

    /// True the first time it is asked about `chat`.
    pub fn first_report(&self, chat: i64) -> bool {
        self.reported
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(chat)
    }
}
