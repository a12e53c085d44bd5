//! What the outbox needs to know about the desk at the moment it sends, and
//! what it reports back. The outbox only carries out rows; the services
//! implement this trait, so rules (how a title reads, what a card shows,
//! what a first response means) stay with them.

use async_trait::async_trait;
use sea_orm::DbErr;
use teloxide::types::{InlineKeyboardMarkup, MessageEntity};

/// A client card ready to post or to edit in place.
#[derive(Debug, Clone)]
pub struct CardContent {
    pub text: String,
    pub entities: Vec<MessageEntity>,
    pub keyboard: InlineKeyboardMarkup,
}

#[async_trait]
pub trait DeskKnowledge: Send + Sync {
    /// The main topic's title for the ticket as it stands now; `None` when
    /// there is no such ticket.
    async fn main_topic_title(&self, ticket_id: i32) -> Result<Option<String>, DbErr>;

    /// A mirrored topic's title; `None` when there is no such mirror.
    async fn mirror_topic_title(&self, mirror_id: i32) -> Result<Option<String>, DbErr>;

    /// The ticket's card as it stands now, with `status` under its title.
    async fn card(
        &self,
        ticket_id: i32,
        status: Option<&str>,
    ) -> Result<Option<CardContent>, DbErr>;

    /// A message of the team reached the client of `ticket_id`.
    async fn response_delivered(&self, ticket_id: i32) -> Result<(), DbErr>;

    /// Telegram says `client` blocked the bot.
    async fn client_blocked(&self, client: i64) -> Result<(), DbErr>;

    /// A delivery of `ticket_id` into chat `lane` failed for good.
    async fn delivery_failed(&self, ticket_id: i32, lane: i64, reason: &str) -> Result<(), DbErr>;
}
