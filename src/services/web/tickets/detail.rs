//! One ticket for the web desk: its timeline from the events log and
//! where each message landed (message links).

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use crate::domain::card::topic_link;
use crate::entities::{Actor, events, feedback, message_links, mirrors, technicians, tickets};
use crate::services::reports::{self, TicketRow};
use crate::services::web::WebDesk;
use crate::services::web::error::WebResult;
use crate::services::web::principal::Principal;

use super::{
    FeedbackView, MessageLinkView, TicketDetail, TicketPermissions, TicketView, TimelineEntry,
    WEB_SOURCE_CHAT, actor_name,
};

impl WebDesk {
    pub async fn ticket_detail(&self, caller: &Principal, id: i32) -> WebResult<TicketDetail> {
        let ticket = self.visible_ticket(caller, id).await?;
        let row = reports::rows_for(&self.db, vec![ticket.clone()])
            .await?
            .remove(0);
        let timeline = self.timeline(&ticket, &row).await?;
        let feedback = feedback::Entity::find()
            .filter(feedback::Column::TicketId.eq(id))
            .one(&self.db)
            .await?
            .map(|f| FeedbackView {
                speed: f.q1,
                quality: f.q2,
                politeness: f.q3,
                comment: f.comment,
                at: f.created_at,
            });
        let permissions = TicketPermissions {
            reply: caller.may_reply(&ticket).into(),
            assign: caller.may_assign(&ticket, None).into(),
            close: caller.may_close(&ticket).into(),
            priority: caller.may_set_levels(&ticket).into(),
            category: self.may_move(caller, &ticket).into(),
            wait: Self::may_wait(caller, &ticket).into(),
        };
        let sla = self.sla_view(&ticket, Utc::now());
        Ok(TicketDetail {
            ticket: TicketView::from_row(row, None),
            timeline,
            feedback,
            sla,
            permissions,
            last_event_id: self.newest_event_id().await?,
        })
    }

    async fn timeline(
        &self,
        ticket: &tickets::Model,
        row: &TicketRow,
    ) -> WebResult<Vec<TimelineEntry>> {
        let events = events::Entity::find()
            .filter(events::Column::TicketId.eq(ticket.id))
            .order_by_asc(events::Column::Id)
            .all(&self.db)
            .await?;
        let links = message_links::Entity::find()
            .filter(message_links::Column::TicketId.eq(ticket.id))
            .all(&self.db)
            .await?;
        let mirrors = mirrors::Entity::find()
            .filter(mirrors::Column::TicketId.eq(ticket.id))
            .all(&self.db)
            .await?;
        let techs: BTreeMap<i64, technicians::Model> = technicians::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.group_chat_id, t))
            .collect();
        let places = Places {
            ticket,
            mirrors: &mirrors,
        };
        let client_name = row
            .client
            .full_name
            .clone()
            .unwrap_or_else(|| row.client.tg_id.to_string());
        let mut timeline = Vec::with_capacity(events.len());
        for event in events {
            let text = |key: &str| {
                event
                    .payload
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let via_web = event.payload.get("via").and_then(Value::as_str) == Some("web");
            let source = event.payload.get("source").and_then(|s| {
                Some((
                    s.get("chat")?.as_i64()?,
                    s.get("message_id")?.as_i64()? as i32,
                ))
            });
            let source = if via_web {
                Some((WEB_SOURCE_CHAT, event.id))
            } else {
                source
            };
            let author = match event.actor {
                Actor::Client => Some(client_name.clone()),
                _ if via_web => text("author"),
                Actor::Tech => source
                    .and_then(|(chat, _)| techs.get(&chat))
                    .map(|t| t.name.clone()),
                _ => text("author"),
            };
            let mut entry = TimelineEntry {
                event_id: event.id,
                at: event.ts,
                kind: event.action.clone(),
                actor: actor_name(event.actor).to_owned(),
                author,
                direction: None,
                text: None,
                media: None,
                via_web,
                detail: None,
                links: Vec::new(),
            };
            match event.action.as_str() {
                "ticket_opened" => entry.kind = "opened".into(),
                "message_bridged" => {
                    entry.kind = "message".into();
                    entry.direction = Some(
                        if event.actor == Actor::Client {
                            "in"
                        } else {
                            "out"
                        }
                        .into(),
                    );
                    entry.text = text("text");
                    entry.media = text("kind").filter(|kind| kind != "text");
                    if let Some(source) = source {
                        entry.links = places.links_of(source, &links);
                    }
                }
                "internal_note" | "specialist_call" => {
                    if event.action == "internal_note" {
                        entry.kind = "note".into();
                    }
                    entry.text = text("text");
                    if let Some(source) = source {
                        entry.links = places.links_of(source, &links);
                    }
                }
                "assigned" | "reassigned" => entry.detail = text("tech"),
                "priority_changed" => {
                    entry.detail = text("to");
                    entry.author = text("by");
                }
                "category_changed" => {
                    entry.detail = text("to");
                    entry.author = text("by");
                }
                "category_chosen" => entry.detail = text("category"),
                "waiting" => entry.author = text("by"),
                "sla_warning" | "sla_breached" => entry.detail = text("clock"),
                "closed" => entry.detail = text("by"),
                // What failed may quote an outbox row; its kind is enough.
                "delivery_failed" => entry.detail = text("error"),
                _ => {}
            }
            timeline.push(entry);
        }
        Ok(timeline)
    }
}

/// The places of one ticket: its client, main topic and mirrors.
struct Places<'a> {
    ticket: &'a tickets::Model,
    mirrors: &'a [mirrors::Model],
}

impl Places<'_> {
    fn link(&self, chat: i64, message_id: i32) -> Option<MessageLinkView> {
        if chat == WEB_SOURCE_CHAT {
            return None;
        }
        let (place, thread) = if chat == self.ticket.client_tg_id {
            ("client", None)
        } else if chat == self.ticket.main_chat_id {
            ("main", self.ticket.main_thread_id)
        } else {
            let mirror = self.mirrors.iter().rev().find(|m| m.chat_id == chat)?;
            ("mirror", mirror.thread_id)
        };
        let url = thread
            .and_then(|thread| topic_link(chat, thread))
            .map(|topic| format!("{topic}/{message_id}"));
        Some(MessageLinkView {
            place: place.into(),
            chat_id: chat,
            message_id,
            url,
        })
    }

    /// The original (when it is in Telegram) and every copy made of it.
    fn links_of(&self, source: (i64, i32), links: &[message_links::Model]) -> Vec<MessageLinkView> {
        let copies = links
            .iter()
            .filter(|l| (l.src_chat_id, l.src_message_id) == source)
            .map(|l| (l.dst_chat_id, l.dst_message_id));
        std::iter::once(source)
            .chain(copies)
            .filter_map(|(chat, id)| self.link(chat, id))
            .collect()
    }
}
