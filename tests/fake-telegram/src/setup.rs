//! Describing the world before a test acts in it: people, groups, and what
//! the bot may do in each group.

/// Administrator rights, as in `ChatMemberAdministrator`.
///
/// The default is what a support bot is normally given: everything a bot can
/// hold except promoting others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdminRights {
    /// May create, rename, close and reopen forum topics.
    pub can_manage_topics: bool,
    /// May delete other people's messages (and forum topics).
    pub can_delete_messages: bool,
    /// May pin messages.
    pub can_pin_messages: bool,
    /// May restrict, ban or unban members.
    pub can_restrict_members: bool,
    /// May change the title, photo and settings.
    pub can_change_info: bool,
    /// May invite users.
    pub can_invite_users: bool,
    /// May add administrators.
    pub can_promote_members: bool,
}

impl Default for AdminRights {
    fn default() -> Self {
        Self {
            can_manage_topics: true,
            can_delete_messages: true,
            can_pin_messages: true,
            can_restrict_members: true,
            can_change_info: true,
            can_invite_users: true,
            can_promote_members: false,
        }
    }
}

impl AdminRights {
    /// Default rights without `can_manage_topics`.
    pub fn without_topics() -> Self {
        Self {
            can_manage_topics: false,
            ..Self::default()
        }
    }
}

/// The bot's membership in a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BotRole {
    /// Administrator with these rights.
    Admin(AdminRights),
    /// Ordinary member.
    Member,
    /// Not in the group (status `left`).
    Left,
    /// Removed and banned (status `kicked`).
    Kicked,
}

impl BotRole {
    pub(crate) fn rights(&self) -> Option<&AdminRights> {
        match self {
            BotRole::Admin(rights) => Some(rights),
            _ => None,
        }
    }
}

/// A person to add with [`FakeTelegram::add_user`](crate::FakeTelegram::add_user).
///
/// `UserSpec::from("Alice")` (or just `"Alice"`) is a user with only a first name.
#[derive(Clone, Debug)]
pub struct UserSpec {
    pub(crate) id: Option<i64>,
    pub(crate) first_name: String,
    pub(crate) last_name: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) language_code: Option<String>,
    pub(crate) is_premium: bool,
    pub(crate) started: bool,
}

impl UserSpec {
    /// A user with this first name, who has already started the bot.
    pub fn new(first_name: impl Into<String>) -> Self {
        Self {
            id: None,
            first_name: first_name.into(),
            last_name: None,
            username: None,
            language_code: None,
            is_premium: false,
            started: true,
        }
    }

    /// Uses a fixed user id instead of the next free one.
    pub fn id(mut self, id: i64) -> Self {
        self.id = Some(id);
        self
    }

    /// Sets the last name.
    pub fn last_name(mut self, last_name: impl Into<String>) -> Self {
        self.last_name = Some(last_name.into());
        self
    }

    /// Sets the username (without `@`).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into().trim_start_matches('@').to_owned());
        self
    }

    /// Sets the IETF language tag of the user's client (`"ru"`, `"en"`).
    pub fn language_code(mut self, code: impl Into<String>) -> Self {
        self.language_code = Some(code.into());
        self
    }

    /// Marks the user as a Telegram Premium subscriber.
    pub fn premium(mut self) -> Self {
        self.is_premium = true;
        self
    }

    /// The user has never opened a chat with the bot: sends to them fail with
    /// 403 "Forbidden: bot can't initiate conversation with a user" until they
    /// write first.
    pub fn never_started(mut self) -> Self {
        self.started = false;
        self
    }
}

impl From<&str> for UserSpec {
    fn from(first_name: &str) -> Self {
        Self::new(first_name)
    }
}

impl From<String> for UserSpec {
    fn from(first_name: String) -> Self {
        Self::new(first_name)
    }
}

/// A supergroup to add with [`FakeTelegram::add_group`](crate::FakeTelegram::add_group).
#[derive(Clone, Debug)]
pub struct GroupSpec {
    pub(crate) id: Option<i64>,
    pub(crate) title: String,
    pub(crate) username: Option<String>,
    pub(crate) is_forum: bool,
    pub(crate) bot: BotRole,
    pub(crate) members: Vec<(i64, MemberRole)>,
}

/// A person's membership in a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberRole {
    /// The group's creator.
    Owner,
    /// An administrator with these rights.
    Admin(AdminRights),
    /// An ordinary member.
    Member,
    /// Not (or no longer) a member.
    Left,
    /// Banned.
    Kicked,
}

impl GroupSpec {
    /// A forum supergroup where the bot is an administrator with
    /// `can_manage_topics` (and the other default rights).
    pub fn forum(title: impl Into<String>) -> Self {
        Self {
            id: None,
            title: title.into(),
            username: None,
            is_forum: true,
            bot: BotRole::Admin(AdminRights::default()),
            members: Vec::new(),
        }
    }

    /// A supergroup without topics (forum mode off); the bot is an administrator.
    pub fn plain(title: impl Into<String>) -> Self {
        Self {
            is_forum: false,
            ..Self::forum(title)
        }
    }

    /// Uses a fixed chat id (should look like `-100…`).
    pub fn id(mut self, id: i64) -> Self {
        self.id = Some(id);
        self
    }

    /// Gives the group a public `@username`.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into().trim_start_matches('@').to_owned());
        self
    }

    /// The bot is an administrator but lacks `can_manage_topics`.
    pub fn bot_without_topic_rights(mut self) -> Self {
        self.bot = BotRole::Admin(AdminRights::without_topics());
        self
    }

    /// The bot is an ordinary member, not an administrator.
    pub fn bot_not_admin(mut self) -> Self {
        self.bot = BotRole::Member;
        self
    }

    /// The bot is not in the group at all.
    pub fn bot_not_member(mut self) -> Self {
        self.bot = BotRole::Left;
        self
    }

    /// Sets the bot's role explicitly.
    pub fn bot_role(mut self, role: BotRole) -> Self {
        self.bot = role;
        self
    }

    /// Adds people as ordinary members.
    pub fn members(mut self, users: impl IntoIterator<Item = i64>) -> Self {
        self.members
            .extend(users.into_iter().map(|u| (u, MemberRole::Member)));
        self
    }

    /// Adds people as administrators with default rights.
    pub fn admins(mut self, users: impl IntoIterator<Item = i64>) -> Self {
        self.members.extend(
            users
                .into_iter()
                .map(|u| (u, MemberRole::Admin(AdminRights::default()))),
        );
        self
    }

    /// Sets the group's creator.
    pub fn owner(mut self, user: i64) -> Self {
        self.members.push((user, MemberRole::Owner));
        self
    }
}
