//! What the outbox asks the desk while it sends ([`DeskKnowledge`]): topic
//! titles and the client card as the ticket stands at that moment, and what
//! follows from a delivery (the first response reached the client, the
//! client blocked the bot).

use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use teloxide::types::InlineKeyboardMarkup;

use crate::config::DeskSettings;
use crate::domain::callback::{CardChoices, full_card_keyboard};
use crate::domain::card::{ClientCard, EarlierTicket, topic_link};
use crate::domain::sla::SlaClock;
use crate::domain::topic_title::{
    TicketStage, main_topic_title_badged, tech_label, tech_topic_title_badged,
};
use crate::entities::{Priority, TicketStatus, mirrors, technicians, tickets, users};
use crate::outbox::{CardContent, DeskKnowledge};
use crate::services::sheets::Sheets;
use crate::services::sla::{clock_name, local_moment};
use crate::services::technicians::active_technicians;
use crate::services::tickets::TicketService;
use crate::store::Store;
use crate::texts::Texts;

#[derive(Clone)]
pub struct DeskFacts {
    db: DatabaseConnection,
    /// Caches the technicians offered on cards.
    store: Store,
    /// Extra card fields from Google Sheets.
    sheets: Sheets,
    /// The staff's language.
    texts: Texts,
    tickets: TicketService,
}

/// A deadline of an open ticket was missed: ⏰ in both topics' titles
/// until it is resolved.
fn is_overdue(ticket: &tickets::Model) -> bool {
    ticket.status.is_open()
        && (ticket.first_response_breached_at.is_some() || ticket.resolution_breached_at.is_some())
}

impl DeskFacts {
    fn desk(&self) -> &DeskSettings {
        self.tickets.desk()
    }

    /// The card's lines under the status: category and priority, then each
    /// SLA deadline still running or missed.
    fn details(&self, ticket: &tickets::Model) -> Vec<String> {
        let desk = self.desk();
        let language = self.texts.language();
        let mut lines = Vec::new();
        let category = ticket
            .category
            .as_deref()
            .and_then(|key| desk.category(key))
            .map(|c| c.label(language));
        let priority = self.texts.priority_label(ticket.priority);
        lines.push(match category {
            Some(category) => format!("{category} · {priority}"),
            None => priority.to_owned(),
        });
        if !ticket.status.is_open() {
            return lines;
        }
        let clocks = [
            (
                SlaClock::FirstResponse,
                ticket.first_response_due,
                ticket.first_response_breached_at,
                ticket.first_response_at.is_some(),
            ),
            (
                SlaClock::Resolution,
                ticket.resolution_due,
                ticket.resolution_breached_at,
                false,
            ),
        ];
        for (clock, due, breached, met) in clocks {
            let Some(due) = due else { continue };
            let moment = local_moment(desk, due);
            if breached.is_some() {
                lines.push(self.texts.sla_breached(clock_name(clock), &moment));
            } else if !met {
                lines.push(self.texts.sla_due(clock_name(clock), &moment));
            }
        }
        lines
    }

    /// The card's priority, category and waiting buttons, as they apply.
    fn choices(&self, ticket: &tickets::Model) -> CardChoices {
        use sea_orm::Iterable;
        let language = self.texts.language();
        CardChoices {
            priorities: Priority::iter()
                .map(|p| {
                    (
                        self.texts.priority_label(p).to_owned(),
                        p == ticket.priority,
                    )
                })
                .collect(),
            categories: self
                .desk()
                .categories
                .iter()
                .map(|c| {
                    (
                        c.label(language),
                        ticket.category.as_deref() == Some(&c.key),
                    )
                })
                .collect(),
            wait: matches!(ticket.status, TicketStatus::New | TicketStatus::Work)
                .then(|| self.texts.wait_button().to_owned()),
        }
    }

    pub fn new(
        db: DatabaseConnection,
        store: Store,
        sheets: Sheets,
        texts: Texts,
        tickets: TicketService,
    ) -> Self {
        Self {
            db,
            store,
            sheets,
            texts,
            tickets,
        }
    }

    /// The card's line naming the articles the client was offered, if any.
    async fn offered_articles(&self, ticket_id: i32) -> Result<Option<String>, DbErr> {
        use crate::entities::{kb_articles, kb_suggestions};
        let offered = kb_suggestions::Entity::find()
            .filter(kb_suggestions::Column::TicketId.eq(ticket_id))
            .order_by_asc(kb_suggestions::Column::Id)
            .all(&self.db)
            .await?;
        if offered.is_empty() {
            return Ok(None);
        }
        let ids: Vec<i32> = offered.iter().filter_map(|s| s.article_id).collect();
        let articles = kb_articles::Entity::find()
            .filter(kb_articles::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        let titles: Vec<String> = offered
            .iter()
            .map(|s| {
                articles
                    .iter()
                    .find(|a| Some(a.id) == s.article_id)
                    .map_or_else(|| s.slug.clone(), |a| a.title.clone())
            })
            .collect();
        Ok(Some(self.texts.kb_card_offered(&titles.join(", "))))
    }

    async fn client(&self, ticket: &tickets::Model) -> Result<Option<users::Model>, DbErr> {
        users::Entity::find_by_id(ticket.client_tg_id)
            .one(&self.db)
            .await
    }

    async fn earlier_tickets(&self, ticket: &tickets::Model) -> Result<Vec<EarlierTicket>, DbErr> {
        Ok(tickets::Entity::find()
            .filter(tickets::Column::ClientTgId.eq(ticket.client_tg_id))
            .filter(tickets::Column::Id.lt(ticket.id))
            .order_by_desc(tickets::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| EarlierTicket {
                id: t.id,
                status: t.status.as_str().to_owned(),
                link: t
                    .main_thread_id
                    .and_then(|thread| topic_link(t.main_chat_id, thread)),
            })
            .collect())
    }
}

#[async_trait]
impl DeskKnowledge for DeskFacts {
    async fn main_topic_title(&self, ticket_id: i32) -> Result<Option<String>, DbErr> {
        let Some(ticket) = tickets::Entity::find_by_id(ticket_id).one(&self.db).await? else {
            return Ok(None);
        };
        let Some(client) = self.client(&ticket).await? else {
            return Ok(None);
        };
        let tech = match ticket.assigned_tech_id {
            Some(id) => technicians::Entity::find_by_id(id).one(&self.db).await?,
            None => None,
        };
        let label = tech
            .as_ref()
            .map(|t| tech_label(&t.name, t.username.as_deref()));
        let stage = match (ticket.status, label.as_deref()) {
            (TicketStatus::New | TicketStatus::Held, _) | (TicketStatus::Work, None) => {
                TicketStage::New
            }
            (TicketStatus::Waiting, tech) => TicketStage::Waiting { tech },
            (TicketStatus::Work, Some(tech)) => TicketStage::InWork { tech },
            (TicketStatus::Closed, _)
                if ticket.close_reason.as_deref() == Some(crate::services::tickets::KB_REASON) =>
            {
                TicketStage::Closed {
                    tech: Some(self.texts.stage_kb()),
                }
            }
            (TicketStatus::Closed, tech) => TicketStage::Closed { tech },
        };
        Ok(Some(main_topic_title_badged(
            &self.texts.stage_words(),
            ticket.id,
            stage,
            is_overdue(&ticket),
            &client.full_name,
            client.username.as_deref(),
        )))
    }

    async fn mirror_topic_title(&self, mirror_id: i32) -> Result<Option<String>, DbErr> {
        let Some(mirror) = mirrors::Entity::find_by_id(mirror_id).one(&self.db).await? else {
            return Ok(None);
        };
        let Some(ticket) = tickets::Entity::find_by_id(mirror.ticket_id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let client = self.client(&ticket).await?;
        Ok(client.map(|client| {
            tech_topic_title_badged(ticket.id, is_overdue(&ticket), &client.full_name)
        }))
    }

    async fn card(
        &self,
        ticket_id: i32,
        status: Option<&str>,
    ) -> Result<Option<CardContent>, DbErr> {
        let Some(ticket) = tickets::Entity::find_by_id(ticket_id).one(&self.db).await? else {
            return Ok(None);
        };
        let Some(client) = self.client(&ticket).await? else {
            return Ok(None);
        };
        // Bounded by the Sheets timeout; empty when Sheets is off or fails.
        let extra = self
            .sheets
            .client_fields(client.tg_id, client.username.as_deref())
            .await;
        let card = ClientCard {
            ticket_id: ticket.id,
            full_name: client.full_name.clone(),
            username: client.username.clone(),
            tg_id: client.tg_id,
            language_code: client.language_code.clone(),
            earlier: self.earlier_tickets(&ticket).await?,
            extra,
            status: status.map(str::to_owned),
            details: {
                let mut details = self.details(&ticket);
                details.extend(self.offered_articles(ticket.id).await?);
                details
            },
        };
        let (text, entities) = card.render(&self.texts);
        // A closed ticket's card keeps no buttons: there is nothing left to press.
        let keyboard = if ticket.status.is_open() {
            let techs: Vec<(i32, String)> = active_technicians(&self.db, &self.store)
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect();
            full_card_keyboard(
                self.texts.close_button(),
                ticket.id,
                &techs,
                &self.choices(&ticket),
            )
        } else {
            InlineKeyboardMarkup::default()
        };
        Ok(Some(CardContent {
            text,
            entities,
            keyboard,
        }))
    }

    async fn response_delivered(&self, ticket_id: i32) -> Result<(), DbErr> {
        tickets::Entity::update_many()
            .col_expr(
                tickets::Column::FirstResponseAt,
                Expr::value(chrono::Utc::now()),
            )
            .filter(tickets::Column::Id.eq(ticket_id))
            .filter(tickets::Column::FirstResponseAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    async fn client_blocked(&self, client: i64) -> Result<(), DbErr> {
        self.tickets.client_blocked(client).await
    }

    async fn delivery_failed(&self, ticket_id: i32, lane: i64, reason: &str) -> Result<(), DbErr> {
        self.tickets.delivery_failed(ticket_id, lane, reason).await
    }
}
