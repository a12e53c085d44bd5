//! Manager commands: /techs, /tickets, /ticket, /find, /stats, /tech_on,
//! /tech_off, /failed, /resend, /ban, /unban, /banned, and the knowledge
//! base's /kb_save, /kb_list, /kb_show, /kb_delete. Only for ADMIN_IDS, in the private chat with the bot or in
//! the main group; anyone else, or anywhere else, gets a refusal that tells
//! nothing. The answer goes back where the command was written, through the
//! outbox like every other message (so the main group's budget counts it),
//! and a replayed command is answered once.

mod answers;
mod args;
mod kb;
mod moderation;
mod web;

/// How /find reads its argument; the web desk's search reads `q` the same way.
pub use args::parse_find;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::domain::calendar::BusinessCalendar;
use crate::domain::commands::ManagerCommand;
use crate::domain::rich_text::RichBuilder;
use crate::outbox::{Delivery, Outbox, RichText, Target, TextMessage};
use crate::services::ServiceResult;
use crate::services::daily_stats::DailyStats;
use crate::services::knowledge::{KnowledgeService, SourceMessage};
use crate::services::moderation::ModerationService;
use crate::store::Store;
use crate::texts::Texts;

/// A manager command as written, and where.
#[derive(Debug, Clone)]
pub struct ManagerRequest {
    pub command: ManagerCommand,
    /// Who sent it; `None` for a bot or an anonymous group admin.
    pub from: Option<i64>,
    pub chat_id: i64,
    /// The forum topic it was written in, if any.
    pub thread_id: Option<i32>,
    pub message_id: i32,
    pub private: bool,
    /// The message the command replies to (for /kb_save), if any.
    pub replied: Option<SourceMessage>,
}

#[derive(Clone)]
pub struct ManagerService {
    db: DatabaseConnection,
    store: Store,
    outbox: Outbox,
    /// The staff's language.
    texts: Texts,
    admins: Arc<Vec<i64>>,
    /// Main groups where managers may give commands besides their private chat.
    main_groups: Arc<Vec<i64>>,
    moderation: ModerationService,
    /// The Mini App's address for /app; `None` when it is off.
    mini_app_url: Option<Arc<str>>,
    /// /stats reads the daily rollup.
    daily: DailyStats,
    /// /kb_save, /kb_list, /kb_show, /kb_delete.
    knowledge: KnowledgeService,
}

impl ManagerService {
    pub fn new(
        db: DatabaseConnection,
        store: Store,
        outbox: Outbox,
        texts: Texts,
        admins: Vec<i64>,
        main_groups: Vec<i64>,
    ) -> Self {
        Self {
            moderation: ModerationService::new(db.clone(), outbox.clone(), texts),
            daily: DailyStats::new(
                db.clone(),
                BusinessCalendar::default(),
                outbox.clone(),
                texts,
                admins.clone(),
            ),
            knowledge: KnowledgeService::new(db.clone(), texts.language()),
            db,
            store,
            outbox,
            texts,
            admins: Arc::new(admins),
            main_groups: Arc::new(main_groups),
            mini_app_url: None,
        }
    }

    /// Where /app sends managers and technicians (`None`: the Mini App is off).
    pub fn with_mini_app(mut self, url: Option<String>) -> Self {
        self.mini_app_url = url.map(Arc::from);
        self
    }

    /// The knowledge base the /kb_* commands keep (shared with the rest of
    /// the desk, so its search index is built once).
    pub fn with_knowledge(mut self, knowledge: KnowledgeService) -> Self {
        self.knowledge = knowledge;
        self
    }

    /// Days for /stats are dates on this calendar's clock (BUSINESS_HOURS'
    /// time zone); UTC by default.
    pub fn with_calendar(mut self, calendar: BusinessCalendar) -> Self {
        self.daily = DailyStats::new(
            self.db.clone(),
            calendar,
            self.outbox.clone(),
            self.texts,
            self.admins.as_ref().clone(),
        );
        self
    }

    pub fn is_manager(&self, user: i64) -> bool {
        self.admins.contains(&user)
    }

    /// Runs the command if its author may, and queues the answer.
    pub async fn handle(&self, request: &ManagerRequest) -> ServiceResult<()> {
        if matches!(
            request.command,
            ManagerCommand::App | ManagerCommand::ApiToken(_)
        ) {
            return self.handle_web(request).await;
        }
        let is_admin = request.from.is_some_and(|user| self.is_manager(user));
        let in_place = request.private || self.main_groups.contains(&request.chat_id);
        let reply = if is_admin && in_place {
            tracing::info!(command = ?request.command, by = request.from, "manager command");
            self.answer(request).await?
        } else {
            tracing::info!(
                command = ?request.command,
                from = request.from,
                chat = request.chat_id,
                "manager command refused"
            );
            RichBuilder::plain(self.texts.admin_refusal())
        };
        let (text, entities) = reply.finish();
        let target = Target::Chat {
            chat_id: request.chat_id,
            thread_id: request.thread_id,
        };
        let answer = TextMessage::new(target, RichText { text, entities }).without_link_previews();
        let delivery = Delivery::without_ticket(
            request.chat_id,
            answer,
            format!("reply:{}:{}", request.chat_id, request.message_id),
        );
        self.outbox.enqueue(&self.db, vec![delivery]).await?;
        Ok(())
    }

    async fn answer(&self, request: &ManagerRequest) -> ServiceResult<RichBuilder> {
        let command = &request.command;
        let by = request.from.unwrap_or_default();
        let texts = &self.texts;
        let db = &self.db;
        let usage = |text: String| RichBuilder::plain(&text);
        Ok(match command {
            ManagerCommand::Techs => answers::techs(texts, db).await?,
            ManagerCommand::Tickets(args) => match args::parse_status(args.trim()) {
                Some(filter) => answers::tickets(filter, texts, db).await?,
                None => usage(texts.usage_tickets().to_owned()),
            },
            ManagerCommand::Ticket(args) => match args::parse_ticket_number(args.trim()) {
                Some(id) => answers::ticket(id, texts, db).await?,
                None => usage(texts.usage_ticket().to_owned()),
            },
            ManagerCommand::Find(args) => match args::parse_find(args.trim()) {
                Some(query) => answers::find(&query, texts, db).await?,
                None => usage(texts.usage_find().to_owned()),
            },
            ManagerCommand::Stats(args) => match args::parse_days(args.trim()) {
                Some(days) => {
                    let mut reply = answers::stats(days, texts, &self.daily).await?;
                    kb::stats(&mut reply, days, texts, &self.knowledge).await?;
                    reply
                }
                None => usage(texts.usage_stats().to_owned()),
            },
            ManagerCommand::TechOn(args) | ManagerCommand::TechOff(args) => {
                let on = matches!(command, ManagerCommand::TechOn(_));
                match args::parse_tech(args.trim()) {
                    Some(tech) => answers::switch(&tech, on, by, texts, db, &self.store).await?,
                    None => usage(texts.usage_tech_switch(if on { "tech_on" } else { "tech_off" })),
                }
            }
            ManagerCommand::Failed => moderation::failed(texts, db).await?,
            ManagerCommand::Resend(args) => match args::parse_ticket_number(args.trim()) {
                Some(id) => moderation::resend(id, texts, db, &self.outbox).await?,
                None => usage(texts.usage_resend().to_owned()),
            },
            ManagerCommand::Ban(args) | ManagerCommand::Unban(args) => {
                let ban = matches!(command, ManagerCommand::Ban(_));
                moderation::ban(request, args.trim(), ban, texts, db, &self.moderation).await?
            }
            ManagerCommand::Banned => moderation::banned(texts, &self.moderation).await?,
            ManagerCommand::KbSave(args) => kb::save(request, args, texts, &self.knowledge).await?,
            ManagerCommand::KbList => kb::list(texts, &self.knowledge).await?,
            ManagerCommand::KbShow(args) => kb::show(args, texts, &self.knowledge).await?,
            ManagerCommand::KbDelete(args) => {
                kb::delete(request, args, texts, &self.knowledge).await?
            }
            // Answered by `handle_web`, which has its own rules.
            ManagerCommand::App | ManagerCommand::ApiToken(_) => {
                RichBuilder::plain(texts.admin_refusal())
            }
        })
    }
}
