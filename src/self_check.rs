//! The self-check: can the bot reach Telegram, and is every group it needs
//! a forum supergroup where it may manage topics? It runs at start and
//! again every few minutes, since a group's settings can change under a
//! running bot. Each problem becomes one log line telling the user what to
//! change; the bot keeps running and /readyz reports the problems until
//! they are fixed.

use std::sync::{Arc, RwLock};

use teloxide::prelude::*;
use teloxide::types::{ChatFullInfoKind, ChatFullInfoPublicKind, ChatMemberKind};

use crate::config::Settings;
use crate::telegram::{Failure, Sender, TelegramError};

/// A group the bot depends on, and why.
#[derive(Debug, Clone)]
pub struct RequiredGroup {
    pub chat_id: i64,
    /// "main group" or "tech group of Ivan Petrov", for the log line.
    pub role: String,
}

impl RequiredGroup {
    pub fn from_settings(settings: &Settings) -> Vec<RequiredGroup> {
        let mut groups = vec![RequiredGroup {
            chat_id: settings.main_group_id,
            role: "main group (MAIN_GROUP_ID)".to_owned(),
        }];
        for category in &settings.desk.categories {
            let Some(chat_id) = category.main_group_id else {
                continue;
            };
            if groups.iter().any(|g| g.chat_id == chat_id) {
                continue;
            }
            groups.push(RequiredGroup {
                chat_id,
                role: format!("main group of category {} (CATEGORIES)", category.key),
            });
        }
        for tech in &settings.technicians {
            if groups.iter().any(|g| g.chat_id == tech.group_chat_id) {
                continue;
            }
            groups.push(RequiredGroup {
                chat_id: tech.group_chat_id,
                role: format!("tech group of {} (TECH_GROUPS_MAPPING)", tech.name),
            });
        }
        groups
    }
}

/// The latest result, shared with /readyz. `None` until the first run ends.
#[derive(Clone, Default)]
pub struct SelfCheckStatus(Arc<RwLock<Option<Vec<String>>>>);

impl SelfCheckStatus {
    pub fn set(&self, problems: Vec<String>) {
        *self.0.write().expect("self-check lock poisoned") = Some(problems);
    }

    /// Problems still open; a check that has not run yet is one.
    pub fn problems(&self) -> Vec<String> {
        match &*self.0.read().expect("self-check lock poisoned") {
            Some(problems) => problems.clone(),
            None => vec!["startup self-check has not finished yet".to_owned()],
        }
    }
}

/// What one run of the checks found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// Problems with the token or the groups, each naming its fix; empty
    /// when all is well.
    pub problems: Vec<String>,
    /// Telegram did not answer, so the groups were not (all) checked: the
    /// last results still stand.
    pub unreachable: Option<String>,
}

/// Runs every check.
pub async fn run(telegram: &Sender, groups: &[RequiredGroup]) -> Findings {
    let me = match telegram.call(telegram.bot().get_me()).await {
        Ok(me) => me,
        Err(error) if error.failure() == Failure::Network => {
            return Findings {
                problems: Vec::new(),
                unreachable: Some(unreachable(&error)),
            };
        }
        Err(error) => {
            return Findings {
                problems: vec![format!(
                    "cannot reach Telegram with BOT_TOKEN ({error}); check the token and TELEGRAM_API_URL"
                )],
                unreachable: None,
            };
        }
    };
    let mut findings = Findings::default();
    for group in groups {
        match check_group(telegram, me.id, group).await {
            Ok(()) => {}
            Err(Problem::Group(problem)) => findings.problems.push(problem),
            Err(Problem::Unreachable(reason)) => {
                findings.unreachable = Some(reason);
                break;
            }
        }
    }
    findings
}

fn unreachable(error: &TelegramError) -> String {
    format!("cannot reach Telegram ({error}); check the network and TELEGRAM_API_URL")
}

/// Why a group check did not pass.
enum Problem {
    /// Something about the group the user has to change.
    Group(String),
    /// No answer from Telegram: says nothing about the group.
    Unreachable(String),
}

/// A failed call as a problem of the group, worded by `describe`, unless
/// Telegram did not answer at all.
fn problem(error: TelegramError, describe: impl FnOnce(&TelegramError) -> String) -> Problem {
    if error.failure() == Failure::Network {
        Problem::Unreachable(unreachable(&error))
    } else {
        Problem::Group(describe(&error))
    }
}

async fn check_group(
    telegram: &Sender,
    bot_id: UserId,
    group: &RequiredGroup,
) -> Result<(), Problem> {
    let chat_id = ChatId(group.chat_id);
    let role = &group.role;
    let info = telegram
        .call(telegram.bot().get_chat(chat_id))
        .await
        .map_err(|error| {
            problem(error, |error| {
                format!(
                    "{role} {chat_id}: the bot cannot see this chat ({error}); add the bot to the group and check the id"
                )
            })
        })?;
    let is_forum = match &info.kind {
        ChatFullInfoKind::Public(public) => match &public.kind {
            ChatFullInfoPublicKind::Supergroup(supergroup) => supergroup.is_forum,
            _ => false,
        },
        ChatFullInfoKind::Private(_) => false,
    };
    if !is_forum {
        return Err(Problem::Group(format!(
            "{role} {chat_id}: not a forum; open the group settings and enable Topics"
        )));
    }
    let member = telegram
        .call(telegram.bot().get_chat_member(chat_id, bot_id))
        .await
        .map_err(|error| {
            problem(error, |error| {
                format!("{role} {chat_id}: cannot read the bot's rights ({error})")
            })
        })?;
    match &member.kind {
        ChatMemberKind::Owner(_) => Ok(()),
        ChatMemberKind::Administrator(admin) if admin.can_manage_topics => Ok(()),
        ChatMemberKind::Administrator(_) => Err(Problem::Group(format!(
            "{role} {chat_id}: the bot is an administrator without \"Manage topics\"; grant it in the group's administrator settings"
        ))),
        _ => Err(Problem::Group(format!(
            "{role} {chat_id}: the bot is not an administrator; make it one with the \"Manage topics\" right"
        ))),
    }
}
