//! Opening a ticket on a client's first message. Without categories it
//! opens at once: topic, card and the client's acknowledgement. With
//! CATEGORIES the client is asked first; the ticket waits as HELD (its
//! topic, card and the client's messages stored, nothing sent to the team)
//! until the client picks one or the question times out
//! (`categories.rs`).
//!
//! What it costs the main group: one topic and one card per ticket, in the
//! category's own main group when it has one; asking for a category costs
//! the main group nothing (the question goes to the client's chat).

use chrono::{DateTime, Datelike, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DbErr, SqlErr, TransactionTrait};
use serde_json::json;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, User};

use super::TicketService;
use crate::config::KbSuggest;
use crate::domain::callback::CallbackAction;
use crate::domain::category::Category;
use crate::entities::{Actor, Priority, TicketStatus, tickets};
use crate::outbox::{Action, Delivery, RichText, Target, TextMessage};
use crate::records::events;
use crate::schedule::Planned;
use crate::services::ServiceResult;
use crate::services::knowledge::Found;
use crate::texts::{OpeningDay, Texts};

/// The ticket a client's message goes into.
pub struct Opening {
    pub ticket: tickets::Model,
    /// Opened by this message.
    pub opened: bool,
    /// The ticket's mirror may differ from what was read with it (it was
    /// just opened, reopened or assigned): read the mirror again.
    pub mirror_changed: bool,
}

/// Category buttons per row in the client's chat.
const CATEGORIES_PER_ROW: usize = 2;

impl TicketService {
    /// The client's open ticket, opening one when there is none (`text`,
    /// the client's first message, is what the knowledge base is asked
    /// about). Returns the ticket and whether it was opened now.
    pub async fn open_for(
        &self,
        client: &User,
        text: &str,
    ) -> ServiceResult<(tickets::Model, bool)> {
        let open = self.open_ticket_of(client.id.0 as i64).await?;
        let opening = self.open_for_known(client, open, text).await?;
        Ok((opening.ticket, opening.opened))
    }

    /// [`Self::open_for`] with the client's open ticket already read
    /// (`open`, `None` when they had none).
    pub async fn open_for_known(
        &self,
        client: &User,
        open: Option<tickets::Model>,
        text: &str,
    ) -> ServiceResult<Opening> {
        let client_id = client.id.0 as i64;
        if let Some(ticket) = open {
            let assigned_now = self.waits_for_assignment(&ticket);
            if assigned_now {
                self.auto_assign(&ticket).await?;
            }
            return Ok(Opening {
                ticket,
                opened: false,
                mirror_changed: assigned_now,
            });
        }
        if let Some(latest) = self.over_the_hourly_limit(client_id).await? {
            return Ok(Opening {
                ticket: self.reopen(latest, client).await?,
                opened: false,
                mirror_changed: true,
            });
        }
        let language = self.texts_for(client.language_code.as_deref()).language();
        let offered = self.kb_offer_for(text, language).await?;
        // Held for the knowledge base first; the category question, if
        // any, comes once that hold ends.
        let kb_hold = !offered.is_empty() && self.desk().kb_suggest == KbSuggest::Hold;
        let asks_category = !self.desk().categories.is_empty() && !kb_hold;
        let Some(ticket) = self
            .insert_ticket(client, asks_category, kb_hold, &offered)
            .await?
        else {
            // Another instance opened it a moment ago: use that one.
            let ticket = self
                .open_ticket_of(client_id)
                .await?
                .ok_or_else(|| DbErr::Custom("the open ticket vanished".into()))?;
            return Ok(Opening {
                ticket,
                opened: false,
                mirror_changed: true,
            });
        };
        if kb_hold {
            self.planner
                .after(
                    Planned::KbHoldTimeout {
                        ticket_id: ticket.id,
                    },
                    self.desk().kb_hold_timeout,
                )
                .await;
        } else if asks_category {
            self.planner
                .after(
                    Planned::CategoryTimeout {
                        ticket_id: ticket.id,
                    },
                    self.desk().category_timeout,
                )
                .await;
        } else {
            self.after_opening(&ticket).await?;
        }
        Ok(Opening {
            ticket,
            opened: true,
            mirror_changed: true,
        })
    }

    /// Writes the ticket and what opening it sends; `None` when the client
    /// already has an open ticket (written by another instance just now).
    async fn insert_ticket(
        &self,
        client: &User,
        asks_category: bool,
        kb_hold: bool,
        offered: &[Found],
    ) -> Result<Option<tickets::Model>, DbErr> {
        let held = asks_category || kb_hold;
        let client_id = client.id.0 as i64;
        let now = Utc::now();
        let texts = self.texts_for(client.language_code.as_deref());
        let mut row = tickets::ActiveModel {
            client_tg_id: Set(client_id),
            kb_held: Set(kb_hold),
            status: Set(if held {
                TicketStatus::Held
            } else {
                TicketStatus::New
            }),
            main_chat_id: Set(self.main_group),
            priority: Set(Priority::Normal),
            created_at: Set(now),
            ..Default::default()
        };
        if !held && let Some(deadlines) = self.deadlines(Priority::Normal, now) {
            row.first_response_due = Set(Some(deadlines.first_response_due));
            row.resolution_due = Set(Some(deadlines.resolution_due));
        }
        let txn = self.db.begin().await?;
        let ticket = match row.insert(&txn).await {
            Ok(ticket) => ticket,
            Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                txn.rollback().await?;
                return Ok(None);
            }
            Err(error) => return Err(error),
        };
        let id = ticket.id;
        let client_chat = Target::Client { user_id: client_id };
        let to_client = if kb_hold {
            // The articles and their question say it all for now.
            None
        } else if asks_category {
            Some(self.category_question(&texts, client_id, id))
        } else {
            Some(Delivery::new(
                client_id,
                id,
                Action::note(client_chat, self.acknowledgement(&texts, id, None, now)),
                format!("ack:{id}"),
            ))
        };
        let mut deliveries = vec![
            Delivery::new(
                self.main_group,
                id,
                Action::CreateMainTopic { ticket_id: id },
                format!("topic:{id}"),
            )
            .held_if(held),
            Delivery::new(
                self.main_group,
                id,
                Action::PostCard { ticket_id: id },
                format!("card:{id}"),
            )
            .held_if(held),
        ];
        deliveries.extend(to_client);
        if !offered.is_empty() {
            deliveries.extend(
                self.kb_offer_rows(&txn, id, client_id, &texts, offered, kb_hold)
                    .await?,
            );
        }
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(
            &txn,
            Some(id),
            Actor::Client,
            "ticket_opened",
            json!({
                "client": client_id,
                "asks_category": asks_category,
                "kb_offered": offered.iter().map(|f| f.article.slug.as_str()).collect::<Vec<_>>(),
                "kb_hold": kb_hold,
            }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(
            ticket_id = id,
            client = client_id,
            asks_category,
            "ticket opened"
        );
        Ok(Some(ticket))
    }

    /// The ticket has its place in a main group: its SLA checks are planned
    /// and, with ASSIGN_MODE, it gets a technician.
    pub(super) async fn after_opening(&self, ticket: &tickets::Model) -> ServiceResult<()> {
        self.planner.sla_checks(ticket).await;
        if self.waits_for_assignment(ticket) {
            self.auto_assign(ticket).await?;
        }
        Ok(())
    }

    /// The client's acknowledgement: the ticket's number (and category),
    /// and outside business hours when the team is back.
    pub(super) fn acknowledgement(
        &self,
        texts: &Texts,
        ticket_id: i32,
        category: Option<&Category>,
        now: DateTime<Utc>,
    ) -> String {
        let mut ack = match category {
            Some(category) => {
                texts.category_chosen_ack(ticket_id, &category.label(texts.language()))
            }
            None => texts.ticket_opened_ack(ticket_id),
        };
        if let Some(note) = self.outside_hours_note(texts, now) {
            ack.push_str("\n\n");
            ack.push_str(&note);
        }
        ack
    }

    /// "We answer from 09:00 on Monday", when the desk is closed at `now`.
    fn outside_hours_note(&self, texts: &Texts, now: DateTime<Utc>) -> Option<String> {
        let calendar = &self.desk().calendar;
        if calendar.is_always_open() || calendar.is_open(now) {
            return None;
        }
        let opening = calendar.to_local(calendar.next_opening(now)?);
        let today = calendar.to_local(now).date_naive();
        let day = if opening.date_naive() == today {
            OpeningDay::Today
        } else if today.succ_opt() == Some(opening.date_naive()) {
            OpeningDay::Tomorrow
        } else {
            OpeningDay::On(opening.weekday())
        };
        Some(texts.outside_hours_note(
            day,
            &opening.format("%H:%M").to_string(),
            calendar.time_zone().name(),
        ))
    }

    /// The category question with its buttons, to the client.
    pub(super) fn category_question(
        &self,
        texts: &Texts,
        client_id: i64,
        ticket_id: i32,
    ) -> Delivery {
        let question = TextMessage::new(
            Target::Client { user_id: client_id },
            RichText::plain(texts.category_question()),
        )
        .with_keyboard(self.category_buttons(texts, ticket_id));
        Delivery::new(
            client_id,
            ticket_id,
            question.into(),
            format!("category-question:{ticket_id}"),
        )
    }

    /// The categories as buttons, named in the client's language.
    fn category_buttons(&self, texts: &Texts, ticket_id: i32) -> InlineKeyboardMarkup {
        let buttons: Vec<InlineKeyboardButton> = self
            .desk()
            .categories
            .iter()
            .enumerate()
            .map(|(index, category)| {
                let action = CallbackAction::Category {
                    ticket_id,
                    index: index as u8,
                };
                InlineKeyboardButton::callback(category.label(texts.language()), action.encode())
            })
            .collect();
        InlineKeyboardMarkup::new(buttons.chunks(CATEGORIES_PER_ROW).map(<[_]>::to_vec))
    }
}
