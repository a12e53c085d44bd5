//! The team's saved answers: `/kb` in a ticket's topic.

use sea_orm::TransactionTrait;
use serde_json::json;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, Message};

use super::{BUTTON_LABEL, KB_CHOICES, article_action};
use crate::domain::callback::CallbackAction;
use crate::domain::topic_title::truncate_utf16;
use crate::entities::{Actor, TicketStatus, kb_articles, tickets};
use crate::outbox::{Action, Delivery, RichText, Target, TextMessage};
use crate::records::events;
use crate::services::ServiceResult;
use crate::services::knowledge::is_slug;
use crate::services::tickets::{Change, TicketService, current_mirror};

impl TicketService {
    /// `/kb <slug>` sends that article to the client as the team's answer;
    /// `/kb <words>` posts the best matches as buttons where it was written.
    pub(in crate::services::tickets) async fn kb_command(
        &self,
        ticket: &tickets::Model,
        args: &str,
        actor: Actor,
        by: &str,
        message: &Message,
    ) -> ServiceResult<()> {
        let args = args.trim();
        if args.is_empty() {
            return self
                .answer_in_place(message, self.texts.usage_kb().to_owned())
                .await;
        }
        if !ticket.status.is_open() || ticket.status == TicketStatus::Held {
            return self
                .answer_in_place(message, self.texts.ticket_already_closed().to_owned())
                .await;
        }
        let language = self.client_texts(ticket.client_tg_id).await?.language();
        let source = (message.chat.id.0, message.id.0);
        if is_slug(&args.to_lowercase())
            && let Some(article) = self.knowledge.for_reader(args, language).await?
        {
            self.send_article(ticket, &article, actor, by, source)
                .await?;
            return self.react_done(message).await;
        }
        let found = self
            .knowledge
            .search(args, Some(language), KB_CHOICES)
            .await?;
        if found.is_empty() {
            return self
                .answer_in_place(message, self.texts.kb_no_match(args))
                .await;
        }
        let buttons: Vec<Vec<InlineKeyboardButton>> = found
            .iter()
            .map(|found| {
                let action = CallbackAction::KbSend {
                    ticket_id: ticket.id,
                    article_id: found.article.id,
                };
                vec![InlineKeyboardButton::callback(
                    truncate_utf16(&found.article.title, BUTTON_LABEL),
                    action.encode(),
                )]
            })
            .collect();
        let (chat, id) = source;
        let place = Target::Chat {
            chat_id: chat,
            thread_id: message.thread_id.map(|thread| thread.0.0),
        };
        let choice = TextMessage::new(place, RichText::plain(self.texts.kb_choose(args)))
            .with_keyboard(InlineKeyboardMarkup::new(buttons));
        let delivery = Delivery::new(
            chat,
            ticket.id,
            choice.into(),
            format!("kb-choose:{chat}:{id}"),
        );
        self.outbox.enqueue(&self.db, vec![delivery]).await?;
        Ok(())
    }

    /// A `/kb <words>` button was pressed in `pressed` (chat, message): the
    /// article goes to the client and the buttons' message is deleted.
    pub async fn kb_send_chosen(
        &self,
        ticket_id: i32,
        article_id: i32,
        actor: Actor,
        by: &str,
        pressed: (i64, i32),
    ) -> ServiceResult<Change> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(Change::UnknownTicket);
        };
        if !ticket.status.is_open() || ticket.status == TicketStatus::Held {
            return Ok(Change::TicketClosed);
        }
        let Some(chosen) = self.knowledge.get(article_id).await? else {
            return Ok(Change::UnknownTicket);
        };
        let language = self.client_texts(ticket.client_tg_id).await?.language();
        let article = self
            .knowledge
            .for_reader(&chosen.slug, language)
            .await?
            .unwrap_or(chosen);
        self.send_article(&ticket, &article, actor, by, pressed)
            .await?;
        let (chat, message_id) = pressed;
        let delete = Delivery::new(
            chat,
            ticket_id,
            Action::Delete {
                chat_id: chat,
                message_id,
            },
            format!("kb-choose-delete:{chat}:{message_id}"),
        );
        self.outbox.enqueue(&self.db, vec![delete]).await?;
        Ok(Change::Done)
    }

    /// Sends `article` to the client as the team's answer (it counts as the
    /// first response) and into the ticket's other topic marked with `by`,
    /// like a staff message; `source` stands for it in links and keys.
    async fn send_article(
        &self,
        ticket: &tickets::Model,
        article: &kb_articles::Model,
        actor: Actor,
        by: &str,
        source: (i64, i32),
    ) -> ServiceResult<()> {
        let ticket_id = ticket.id;
        let mirror = current_mirror(&self.db, ticket_id).await?;
        let client = Target::Client {
            user_id: ticket.client_tg_id,
        };
        let mut routes = vec![(ticket.client_tg_id, client, None, "client")];
        match (actor, &mirror) {
            (Actor::Tech, _) => routes.push((
                ticket.main_chat_id,
                Target::Main { ticket_id },
                Some(by),
                "main",
            )),
            (_, Some(mirror)) => routes.push((
                mirror.chat_id,
                Target::Mirror {
                    mirror_id: mirror.id,
                },
                Some(by),
                "mirror",
            )),
            (_, None) => {}
        }
        let deliveries: Vec<Delivery> = routes
            .iter()
            .map(|(lane, target, mark, key)| Delivery {
                lane: *lane,
                ticket_id: Some(ticket_id),
                action: article_action(article, *target, false, *mark, *key == "client"),
                source: Some(source),
                media_group_id: None,
                dedup_key: format!("kb-answer:{}:{}:{key}", source.0, source.1),
                held: false,
            })
            .collect();
        let destinations: Vec<&str> = routes.iter().map(|(_, _, _, key)| *key).collect();
        let txn = self.db.begin().await?;
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(
            &txn,
            Some(ticket_id),
            actor,
            "message_bridged",
            json!({
                "source": { "chat": source.0, "message_id": source.1 },
                "destinations": destinations,
                "kind": if article.media_kind.is_some() { "media" } else { "text" },
                "via": "kb",
                "slug": article.slug,
                "language": article.language,
                "author": by,
                "text": article.body,
            }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, slug = %article.slug, "saved answer sent");
        Ok(())
    }
}
