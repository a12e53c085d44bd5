//! The history copied into a new mirrored topic: the ticket's card and
//! bridged messages from the main topic, the client's messages still on
//! their way there from the client's chat, then the intro with the close
//! button.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::action::RichText;
use super::executor::{DeliveryError, Executor};
use super::places::Place;
use crate::domain::callback::card_keyboard;
use crate::entities::{OutboxStatus, mirrors, outbox, tickets};
use crate::records::links;

impl Executor {
    /// Copies the ticket so far (its card and bridged messages in the main
    /// topic) into a new mirrored topic, then posts the intro with the
    /// ticket's close button.
    ///
    /// A ticket assigned the moment it opens (automatic assignment) may not
    /// have its card or its first messages in the main topic yet: the main
    /// group's lane can be minutes behind. Rather than wait for it, the card
    /// is sent as text and the client's messages not yet in the main topic
    /// are copied from the client's chat.
    pub(super) async fn copy_history(&self, mirror_id: i32) -> Result<(), DeliveryError> {
        let mirror = self.mirror(mirror_id).await?;
        let ticket = self.ticket(mirror.ticket_id).await?;
        let place = self.mirror_place(mirror_id).await?;
        if ticket.card_message_id.is_none()
            && let Some(card) = self.desk.card(ticket.id, None).await?
        {
            let card = RichText {
                text: card.text,
                entities: card.entities,
            };
            self.send_text(place, &card, None, None, true).await?;
        }
        // The main group's lane goes on meanwhile, so the queued messages are
        // read before the main topic's links: a message sent in between is
        // then still taken from the client's chat (its new main-topic copy
        // left out), never missed by both reads. A row's links are written
        // with its sent mark, so a row read as sent has its links.
        let waiting = self
            .client_messages_not_in_main_topic(&ticket, &mirror)
            .await?;
        let mut ids = links::ticket_messages_in(
            &self.db,
            ticket.id,
            ticket.main_chat_id,
            ticket.client_tg_id,
            &waiting.iter().copied().collect(),
        )
        .await?;
        if let Some(card) = ticket.card_message_id {
            ids.push(card);
        }
        ids.sort_unstable();
        ids.dedup();
        self.copy_into_mirror(place, ticket.id, ticket.main_chat_id, &ids)
            .await?;
        self.copy_into_mirror(place, ticket.id, ticket.client_tg_id, &waiting)
            .await?;
        let intro = RichText::plain(self.texts.tech_topic_intro(ticket.id));
        let close = card_keyboard(self.texts.close_button(), ticket.id, &[]);
        self.send_text(place, &intro, None, Some(close), false)
            .await?;
        Ok(())
    }

    async fn copy_into_mirror(
        &self,
        place: Place,
        ticket_id: i32,
        from_chat: i64,
        ids: &[i32],
    ) -> Result<(), DeliveryError> {
        for batch in ids.chunks(self.copy_batch(place.chat)) {
            let copies = self.copy_batch_into(place, from_chat, batch).await?;
            self.record_copies(ticket_id, from_chat, batch, place.chat, &copies)
                .await?;
        }
        Ok(())
    }

    /// The client's messages of `ticket` whose copies into the main topic
    /// are still queued (or held), oldest first — except those bridged
    /// straight into `mirror` (written after it existed).
    async fn client_messages_not_in_main_topic(
        &self,
        ticket: &tickets::Model,
        mirror: &mirrors::Model,
    ) -> Result<Vec<i32>, DeliveryError> {
        let bridged_here: std::collections::BTreeSet<i32> = outbox::Entity::find()
            .filter(outbox::Column::TicketId.eq(ticket.id))
            .filter(outbox::Column::LaneChatId.eq(mirror.chat_id))
            .filter(outbox::Column::SourceChatId.eq(ticket.client_tg_id))
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|row| row.source_message_id)
            .collect();
        let rows = outbox::Entity::find()
            .filter(outbox::Column::TicketId.eq(ticket.id))
            .filter(outbox::Column::LaneChatId.eq(ticket.main_chat_id))
            .filter(outbox::Column::SourceChatId.eq(ticket.client_tg_id))
            .filter(outbox::Column::Status.is_in([OutboxStatus::Pending, OutboxStatus::Held]))
            .all(&self.db)
            .await?;
        let mut ids: Vec<i32> = rows
            .into_iter()
            .filter(|row| row.action.get("kind").and_then(|k| k.as_str()) == Some("copy"))
            .filter_map(|row| row.source_message_id)
            .filter(|id| !bridged_here.contains(id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }
}
