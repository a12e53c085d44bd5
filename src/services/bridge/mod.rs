//! The bridge: which message goes where, and how.
//!
//! - client → main topic, and the technician's topic when assigned;
//! - technician → client (as the support team) and main topic (marked with
//!   the technician's name);
//! - staff in the main topic → client (as the support team) and the
//!   technician's topic (marked with the staff member's name).
//!
//! Copies keep their content (copyMessage); a mark needs text, so marked text
//! is re-sent with the name in front, and marked media get the name in front
//! of the caption. Internal notes ("//…") and specialist calls stay inside
//! the team and are only recorded ([`crate::domain::passage`] decides).

mod routes;

pub(crate) use routes::target_key;
use routes::{
    content_kind, copy_action, editable_content, marked, media_unique_id, real_reply, routes,
};

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;
use teloxide::types::{Message, User};

use crate::entities::{Actor, TicketStatus, mirrors, outbox, tickets};
use crate::outbox::{Action, Delivery, Outbox, ReplyTo, RichText, Target, TextMessage};
use crate::records::{events, links};
use crate::services::ServiceResult;
use crate::services::tickets::TicketService;
use crate::services::users::OpenTicket;
use crate::texts::Texts;

/// The reaction that tells the author of a specialist call it was seen and
/// kept inside the team (one of the emoji Telegram allows bots).
const SPECIALIST_CALL_SEEN: &str = "👀";

/// Whether a delivery of `ticket` into `lane` waits for the ticket's
/// release: while the client picks a category, nothing reaches the team's
/// groups (the topic does not exist yet); the client's own chat is never
/// held.
fn held_for(ticket: &tickets::Model, lane: i64) -> bool {
    ticket.status == TicketStatus::Held && lane != ticket.client_tg_id
}

/// Who wrote the message being bridged.
#[derive(Debug, Clone)]
pub enum Origin {
    Client,
    /// A staff member in the main topic.
    Staff {
        name: String,
    },
    /// The assigned technician in their topic.
    Tech {
        name: String,
    },
}

impl Origin {
    fn actor(&self) -> Actor {
        match self {
            Origin::Client => Actor::Client,
            Origin::Staff { .. } => Actor::Staff,
            Origin::Tech { .. } => Actor::Tech,
        }
    }
}

#[derive(Clone)]
pub struct BridgeService {
    db: DatabaseConnection,
    outbox: Outbox,
    texts: Texts,
    tickets: TicketService,
}

impl BridgeService {
    pub fn new(
        db: DatabaseConnection,
        outbox: Outbox,
        texts: Texts,
        tickets: TicketService,
    ) -> Self {
        Self {
            db,
            outbox,
            texts,
            tickets,
        }
    }

    /// A client's message: into their open ticket, opening one when there
    /// is none, and on to the ticket's topics.
    /// `open` is the client's open ticket and mirror as read on arrival
    /// (`None`: they had none).
    pub async fn client_message(
        &self,
        client: &User,
        message: &Message,
        open: Option<OpenTicket>,
    ) -> ServiceResult<()> {
        let (known_ticket, known_mirror) = match open {
            Some(open) => (Some(open.ticket), open.mirror),
            None => (None, None),
        };
        let text = message.text().or(message.caption()).unwrap_or_default();
        let opening = self
            .tickets
            .open_for_known(client, known_ticket, text)
            .await?;
        let ticket = opening.ticket;
        tracing::Span::current().record("ticket_id", ticket.id);
        if ticket.status == TicketStatus::Held {
            // The client may be picking the category right now, releasing
            // the held rows: bridge under the ticket's lock, with the
            // ticket as it stands then, so no row is held after the release.
            let ticket_id = ticket.id;
            self.tickets
                .with_ticket_locked(ticket_id, || async {
                    let ticket =
                        self.tickets.get(ticket_id).await?.ok_or_else(|| {
                            DbErr::Custom(format!("ticket #{ticket_id} vanished"))
                        })?;
                    let mirror = self.tickets.current_mirror(ticket_id).await?;
                    self.bridge(&ticket, mirror.as_ref(), &Origin::Client, message, false)
                        .await?;
                    Ok(())
                })
                .await?;
            // Held for the knowledge base, a second message means the
            // client wants a person: the ticket opens with both, in order.
            if ticket.kb_held && !opening.opened {
                self.tickets.kb_client_wrote_again(ticket_id).await?;
            }
            return Ok(());
        }
        // The client answered: a ticket waiting for them is back in work.
        let ticket = self.tickets.resume_after_waiting(ticket).await?;
        let mirror = if opening.mirror_changed {
            self.tickets.current_mirror(ticket.id).await?
        } else {
            known_mirror
        };
        // The update's last write: it settles the update too.
        self.bridge(&ticket, mirror.as_ref(), &Origin::Client, message, true)
            .await?;
        Ok(())
    }

    /// A client edited a message: its copies follow, while the ticket is open.
    pub async fn client_edit(&self, message: &Message) -> ServiceResult<()> {
        let source = (message.chat.id.0, message.id.0);
        // An edit right after the message may come before its copies'
        // links are written; its rows in the outbox know the ticket then,
        // and the edits queue behind the copies in the same lanes. The rows
        // are read first: a copy's sent mark and link are written together,
        // so a row no longer waiting has its link by the second read (the
        // other order could miss both, the copy landing in between).
        let ticket_id = match self.outbox.ticket_still_copying(&self.db, source).await? {
            Some(ticket_id) => ticket_id,
            None => match links::ticket_of(&self.db, source).await? {
                Some(ticket_id) => ticket_id,
                None => return Ok(()),
            },
        };
        let Some(ticket) = self.tickets.get(ticket_id).await? else {
            return Ok(());
        };
        if !ticket.status.is_open() {
            return Ok(());
        }
        tracing::Span::current().record("ticket_id", ticket.id);
        let mirror = self.tickets.current_mirror(ticket.id).await?;
        self.edit(&ticket, mirror.as_ref(), &Origin::Client, message)
            .await?;
        Ok(())
    }

    /// Tells the author of a message in a closed ticket's topic (or a topic
    /// the ticket moved away from) that it did not reach the client.
    pub async fn not_sent(
        &self,
        ticket: &tickets::Model,
        written_in: Option<&mirrors::Model>,
        message: &Message,
    ) -> ServiceResult<()> {
        let (place, lane) = match written_in {
            Some(mirror) => (
                Target::Mirror {
                    mirror_id: mirror.id,
                },
                mirror.chat_id,
            ),
            None => (
                Target::Main {
                    ticket_id: ticket.id,
                },
                ticket.main_chat_id,
            ),
        };
        let source = ReplyTo {
            chat: message.chat.id.0,
            message_id: message.id.0,
        };
        let note = TextMessage::new(place, RichText::plain(self.texts.ticket_is_closed_note()))
            .replying_to(Some(source));
        let delivery = Delivery::new(
            lane,
            ticket.id,
            note.into(),
            format!("closed-reply:{}:{}", source.chat, source.message_id),
        );
        self.outbox.enqueue(&self.db, vec![delivery]).await?;
        Ok(())
    }

    /// Bridges `message` of `ticket` from `origin` to the ticket's other
    /// places. `last_write`: nothing is written after this for the update
    /// being handled, so this write may carry its done mark
    /// (`records::handled`).
    pub async fn bridge(
        &self,
        ticket: &tickets::Model,
        mirror: Option<&mirrors::Model>,
        origin: &Origin,
        message: &Message,
        last_write: bool,
    ) -> Result<(), DbErr> {
        let source = (message.chat.id.0, message.id.0);
        let routes = routes(ticket, mirror, origin);
        let reply_to = real_reply(message).map(|id| ReplyTo {
            chat: source.0,
            message_id: id,
        });
        let deliveries: Vec<Delivery> = routes
            .iter()
            .map(|route| Delivery {
                lane: route.lane,
                ticket_id: Some(ticket.id),
                action: copy_action(message, route, reply_to),
                source: Some(source),
                media_group_id: message.media_group_id().map(|g| g.to_string()),
                dedup_key: format!(
                    "copy:{}:{}:{}",
                    source.0,
                    source.1,
                    target_key(route.target)
                ),
                held: held_for(ticket, route.lane),
            })
            .collect();
        let destinations: Vec<_> = routes.iter().map(|r| target_key(r.target)).collect();
        let event = events::new_event(
            Some(ticket.id),
            origin.actor(),
            "message_bridged",
            json!({
                "source": { "chat": source.0, "message_id": source.1 },
                "destinations": destinations,
                "kind": content_kind(message),
                // Searchable by managers (/find).
                "text": message.text().or(message.caption()),
            }),
        );
        let lanes = self
            .outbox
            .insert_with_event(deliveries, event, last_write)
            .await?;
        self.outbox.wake(lanes);
        Ok(())
    }

    /// Carries an edit of a bridged message to its copies.
    pub async fn edit(
        &self,
        ticket: &tickets::Model,
        mirror: Option<&mirrors::Model>,
        origin: &Origin,
        message: &Message,
    ) -> Result<(), DbErr> {
        let source = (message.chat.id.0, message.id.0);
        let version = message
            .edit_date()
            .map(|d| d.timestamp())
            .unwrap_or_default();
        let edited = editable_content(message);
        let media_now = media_unique_id(message);
        let mut deliveries = Vec::new();
        for route in routes(ticket, mirror, origin) {
            let copy_key = format!(
                "copy:{}:{}:{}",
                source.0,
                source.1,
                target_key(route.target)
            );
            let swapped = match &media_now {
                Some(now) => self
                    .bridged_media(&copy_key)
                    .await?
                    .is_some_and(|before| &before != now),
                None => false,
            };
            let edit_note = |new_text: &str| {
                TextMessage::new(
                    route.target,
                    RichText::plain(self.texts.edit_note(new_text)),
                )
                .replying_to(Some(ReplyTo {
                    chat: source.0,
                    message_id: source.1,
                }))
                .into()
            };
            let action = match &edited {
                _ if swapped => edit_note(
                    edited
                        .as_ref()
                        .map(|(text, _)| text.text.as_str())
                        .unwrap_or_default(),
                ),
                Some((text, is_caption)) => Action::Edit {
                    target: route.target,
                    from_chat: source.0,
                    message_id: source.1,
                    text: marked(route.mark.as_deref(), text, *is_caption),
                    caption: *is_caption,
                },
                // Nothing the API can carry (e.g. a location moved): say so.
                None => edit_note(""),
            };
            deliveries.push(Delivery {
                lane: route.lane,
                ticket_id: Some(ticket.id),
                action,
                source: None,
                media_group_id: None,
                dedup_key: format!(
                    "edit:{}:{}:{version}:{}",
                    source.0,
                    source.1,
                    target_key(route.target)
                ),
                held: held_for(ticket, route.lane),
            });
        }
        let txn = self.db.begin().await?;
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(
            &txn,
            Some(ticket.id),
            origin.actor(),
            "message_edited",
            json!({ "source": { "chat": source.0, "message_id": source.1 } }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        Ok(())
    }

    /// The media file a bridged copy was made of, from its outbox row.
    async fn bridged_media(&self, copy_key: &str) -> Result<Option<String>, DbErr> {
        let row = outbox::Entity::find()
            .filter(outbox::Column::DedupKey.eq(copy_key))
            .one(&self.db)
            .await?;
        Ok(row
            .and_then(|row| serde_json::from_value::<Action>(row.action).ok())
            .and_then(|action| match action {
                Action::Copy { media, .. } => media,
                _ => None,
            }))
    }

    /// An internal note or a specialist call: recorded, never sent to the
    /// client. A specialist call from a technician's topic is also shown in
    /// the main topic.
    pub async fn keep_inside_team(
        &self,
        ticket: &tickets::Model,
        origin: &Origin,
        message: &Message,
        called: Option<Vec<String>>,
    ) -> Result<(), DbErr> {
        let source = (message.chat.id.0, message.id.0);
        let text = message.text().or(message.caption()).unwrap_or_default();
        let mut deliveries = Vec::new();
        if called.is_some() {
            // The author sees at once that the call stayed inside the team:
            // a reaction on their message, which costs no message anywhere.
            deliveries.push(Delivery {
                lane: source.0,
                ticket_id: Some(ticket.id),
                action: Action::React {
                    chat_id: source.0,
                    message_id: source.1,
                    emoji: SPECIALIST_CALL_SEEN.to_owned(),
                },
                source: None,
                media_group_id: None,
                dedup_key: format!("call-seen:{}:{}", source.0, source.1),
                held: false,
            });
        }
        if let (Some(_), Origin::Tech { name }) = (&called, origin) {
            deliveries.push(Delivery {
                lane: ticket.main_chat_id,
                ticket_id: Some(ticket.id),
                action: Action::note(
                    Target::Main {
                        ticket_id: ticket.id,
                    },
                    self.texts.specialist_call_note(name, text),
                ),
                source: Some(source),
                media_group_id: None,
                dedup_key: format!("call:{}:{}", source.0, source.1),
                held: false,
            });
        }
        let txn = self.db.begin().await?;
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        let (action, payload) = match &called {
            Some(names) => (
                "specialist_call",
                json!({ "source": { "chat": source.0, "message_id": source.1 }, "called": names, "text": text }),
            ),
            None => (
                "internal_note",
                json!({ "source": { "chat": source.0, "message_id": source.1 }, "text": text }),
            ),
        };
        events::record(&txn, Some(ticket.id), origin.actor(), action, payload).await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        Ok(())
    }
}
