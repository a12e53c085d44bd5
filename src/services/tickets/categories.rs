//! Categories: the client's choice that opens a held ticket (or the first
//! category when they do not choose in time), and staff moving a ticket to
//! another category — into another main group when it has its own.
//!
//! What it costs the main group: choosing costs nothing beyond the topic
//! and card every ticket has. A move within one main group edits the card;
//! a move to another group costs the new group its topic, card and one
//! note, and the old group one note (its topic is then closed).

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    TransactionTrait,
};
use serde_json::json;

use super::{Change, TicketService, status_line};
use crate::domain::card::topic_link;
use crate::domain::category::Category;
use crate::entities::{Actor, Priority, TicketStatus, tickets};
use crate::outbox::{Action, Delivery, RichText, Target};
use crate::records::events;
use crate::services::ServiceResult;

/// What became of a category button press or a timeout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryChoice {
    /// The ticket opened in this category (its label in the client's
    /// language).
    Opened(String),
    /// The ticket had already opened (a second press, or the timeout came
    /// first).
    AlreadyOpen,
    /// The button names no category any more (the configuration changed).
    Unknown,
}

impl TicketService {
    /// The client picked category number `index` of a held ticket;
    /// `question` is the message with the buttons, replaced by the
    /// acknowledgement.
    pub async fn choose_category(
        &self,
        client: i64,
        ticket_id: i32,
        index: u8,
        question: Option<i32>,
    ) -> ServiceResult<CategoryChoice> {
        let Some(category) = self.desk().categories.get(usize::from(index)).cloned() else {
            return Ok(CategoryChoice::Unknown);
        };
        self.open_held(ticket_id, Some(client), &category, question)
            .await
    }

    /// The client did not pick a category in time: the ticket opens in the
    /// first one.
    pub async fn category_timed_out(&self, ticket_id: i32) -> ServiceResult<()> {
        let Some(category) = self.desk().default_category().cloned() else {
            // CATEGORIES was removed since: open it in the main group.
            let category = Category::new("", "");
            self.open_held(ticket_id, None, &category, None).await?;
            return Ok(());
        };
        self.open_held(ticket_id, None, &category, None).await?;
        Ok(())
    }

    /// Held tickets whose question has been waiting longer than the
    /// timeout (their job was lost): opened in the first category.
    pub async fn open_overdue_held(&self) -> ServiceResult<usize> {
        // A ticket held for the knowledge base first asks for its category
        // only after that hold.
        let kb_hold = match self.desk().kb_suggest {
            crate::config::KbSuggest::Hold => self.desk().kb_hold_timeout,
            _ => std::time::Duration::ZERO,
        };
        let cutoff = Utc::now()
            - chrono::Duration::from_std(self.desk().category_timeout + kb_hold)
                .unwrap_or_default()
            - chrono::Duration::seconds(5);
        let overdue = tickets::Entity::find()
            .filter(tickets::Column::Status.eq(TicketStatus::Held))
            .filter(tickets::Column::KbHeld.eq(false))
            .filter(tickets::Column::CreatedAt.lt(cutoff))
            .all(&self.db)
            .await?;
        for ticket in &overdue {
            self.category_timed_out(ticket.id).await?;
        }
        Ok(overdue.len())
    }

    async fn open_held(
        &self,
        ticket_id: i32,
        client: Option<i64>,
        category: &Category,
        question: Option<i32>,
    ) -> ServiceResult<CategoryChoice> {
        // Waits for the lock: the client's message being bridged right now
        // holds it for a moment, and the choice must not be lost to that.
        let (choice, ticket) = self
            .with_ticket_locked(ticket_id, || {
                self.open_held_locked(ticket_id, client, category, question)
            })
            .await?;
        if let Some(ticket) = ticket {
            self.after_opening(&ticket).await?;
        }
        Ok(choice)
    }

    pub(super) async fn open_held_locked(
        &self,
        ticket_id: i32,
        client: Option<i64>,
        category: &Category,
        question: Option<i32>,
    ) -> ServiceResult<(CategoryChoice, Option<tickets::Model>)> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok((CategoryChoice::Unknown, None));
        };
        if client.is_some_and(|client| client != ticket.client_tg_id) {
            return Ok((CategoryChoice::Unknown, None));
        }
        if ticket.status != TicketStatus::Held {
            return Ok((CategoryChoice::AlreadyOpen, None));
        }
        let texts = self.client_texts(ticket.client_tg_id).await?;
        let group = category.main_group_id.unwrap_or(self.main_group);
        let priority = category
            .priority
            .as_deref()
            .and_then(Priority::from_key)
            .unwrap_or_default();
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let mut row = ticket.clone().into_active_model();
        row.status = Set(TicketStatus::New);
        row.kb_held = Set(false);
        row.category = Set((!category.key.is_empty()).then(|| category.key.clone()));
        row.priority = Set(priority);
        row.main_chat_id = Set(group);
        // The client has waited since their first message: the clocks
        // start there.
        if let Some(deadlines) = self.deadlines(priority, ticket.created_at) {
            row.first_response_due = Set(Some(deadlines.first_response_due));
            row.resolution_due = Set(Some(deadlines.resolution_due));
        }
        let opened = row.update(&txn).await?;
        let mut lanes = self.outbox.release(&txn, ticket_id, group).await?;
        let chosen = (!category.key.is_empty()).then_some(category);
        let ack = self.acknowledgement(&texts, ticket_id, chosen, now);
        let client_id = ticket.client_tg_id;
        let ack = match question {
            Some(message_id) => Delivery::new(
                client_id,
                ticket_id,
                Action::ReplaceText {
                    chat_id: client_id,
                    message_id,
                    text: RichText::plain(ack),
                },
                format!("ack:{ticket_id}"),
            ),
            None => Delivery::new(
                client_id,
                ticket_id,
                Action::note(Target::Client { user_id: client_id }, ack),
                format!("ack:{ticket_id}"),
            ),
        };
        lanes.merge(self.outbox.insert(&txn, vec![ack]).await?);
        events::record(
            &txn,
            Some(ticket_id),
            if client.is_some() {
                Actor::Client
            } else {
                Actor::System
            },
            "category_chosen",
            json!({ "category": category.key, "timed_out": client.is_none() }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, category = %category.key, "held ticket opened");
        Ok((
            CategoryChoice::Opened(category.label(texts.language())),
            Some(opened),
        ))
    }

    /// Staff move a ticket to the category with `key` (`by` names them).
    pub async fn move_to_category(
        &self,
        ticket_id: i32,
        key: &str,
        actor: Actor,
        by: &str,
    ) -> ServiceResult<Change> {
        let Some(category) = self.desk().category(key).cloned() else {
            return Ok(Change::UnknownCategory);
        };
        self.under_ticket_lock(ticket_id, async {
            self.move_locked(ticket_id, &category, actor, by).await
        })
        .await
    }

    async fn move_locked(
        &self,
        ticket_id: i32,
        category: &Category,
        actor: Actor,
        by: &str,
    ) -> ServiceResult<Change> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(Change::UnknownTicket);
        };
        if !ticket.status.is_open() {
            return Ok(Change::TicketClosed);
        }
        if ticket.status == TicketStatus::Held {
            return Ok(Change::Busy);
        }
        if ticket.category.as_deref() == Some(category.key.as_str()) {
            return Ok(Change::Unchanged);
        }
        let old_label = ticket
            .category
            .as_deref()
            .and_then(|key| self.desk().category(key))
            .map(|c| c.label(self.texts.language()))
            .unwrap_or_else(|| "—".to_owned());
        let new_label = category.label(self.texts.language());
        let group = category.main_group_id.unwrap_or(self.main_group);
        let txn = self.db.begin().await?;
        let mut lanes = crate::outbox::Lanes::default();
        let mut deliveries = Vec::new();
        if group == ticket.main_chat_id {
            tickets::Entity::update_many()
                .col_expr(tickets::Column::Category, Expr::value(category.key.clone()))
                .filter(tickets::Column::Id.eq(ticket_id))
                .exec(&txn)
                .await?;
            let mut moved = ticket.clone();
            moved.category = Some(category.key.clone());
            deliveries.push(Delivery::new(
                ticket.main_chat_id,
                ticket_id,
                Action::RefreshCard {
                    ticket_id,
                    status: status_line(&txn, &self.texts, self.desk(), &moved).await?,
                },
                format!("card-status:category:{ticket_id}:{}", category.key),
            ));
        } else {
            let stamp = Utc::now().timestamp_millis();
            tickets::Entity::update_many()
                .col_expr(tickets::Column::Category, Expr::value(category.key.clone()))
                .col_expr(tickets::Column::MainChatId, Expr::value(group))
                .col_expr(
                    tickets::Column::MainThreadId,
                    Expr::value(Option::<i32>::None),
                )
                .col_expr(
                    tickets::Column::CardMessageId,
                    Expr::value(Option::<i32>::None),
                )
                .filter(tickets::Column::Id.eq(ticket_id))
                .exec(&txn)
                .await?;
            // What was still on its way to the old topic follows the ticket.
            lanes.merge(
                self.outbox
                    .move_lane(&txn, ticket_id, ticket.main_chat_id, group)
                    .await?,
            );
            let old_link = ticket
                .main_thread_id
                .and_then(|thread| topic_link(ticket.main_chat_id, thread));
            deliveries.push(Delivery::new(
                group,
                ticket_id,
                Action::CreateMainTopic { ticket_id },
                format!("topic:{ticket_id}:moved:{stamp}"),
            ));
            deliveries.push(Delivery::new(
                group,
                ticket_id,
                Action::PostCard { ticket_id },
                format!("card:{ticket_id}:moved:{stamp}"),
            ));
            deliveries.push(Delivery::new(
                group,
                ticket_id,
                Action::note(
                    Target::Main { ticket_id },
                    self.texts
                        .moved_here_note(&old_label, by, old_link.as_deref()),
                ),
                format!("moved-here:{ticket_id}:{stamp}"),
            ));
            if let Some(thread) = ticket.main_thread_id {
                let old_topic = Target::Chat {
                    chat_id: ticket.main_chat_id,
                    thread_id: Some(thread),
                };
                deliveries.push(Delivery::new(
                    ticket.main_chat_id,
                    ticket_id,
                    Action::note(old_topic, self.texts.moved_away_note(&new_label, by)),
                    format!("moved-away:{ticket_id}:{stamp}"),
                ));
                deliveries.push(Delivery::new(
                    ticket.main_chat_id,
                    ticket_id,
                    Action::CloseTopic { target: old_topic },
                    format!("close-topic:moved:{ticket_id}:{stamp}"),
                ));
            }
        }
        lanes.merge(self.outbox.insert(&txn, deliveries).await?);
        events::record(
            &txn,
            Some(ticket_id),
            actor,
            "category_changed",
            json!({
                "from": ticket.category,
                "to": category.key,
                "from_group": ticket.main_chat_id,
                "to_group": group,
                "by": by,
            }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, category = %category.key, group, "ticket moved to a category");
        Ok(Change::Done)
    }
}
