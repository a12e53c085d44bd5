//! Turning actions into Bot API calls: copies (one, or a batch in one
//! copyMessages), texts split to Telegram's limit, edits of copies and the
//! card (the history of a new mirrored topic is in `history`). Message
//! links are recorded as copies come back, so replies and edits find them.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use teloxide::payloads::{
    CopyMessageSetters, CopyMessagesSetters, EditMessageCaptionSetters, EditMessageTextSetters,
    SendAnimationSetters, SendAudioSetters, SendDocumentSetters, SendMessageSetters,
    SendPhotoSetters, SendVideoSetters, SendVoiceSetters, SetMessageReactionSetters,
};
use teloxide::prelude::Requester;
use teloxide::types::{
    ChatId, FileId, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, MessageId, ReactionType,
    ReplyParameters,
};

use super::action::{Action, ReplyTo, RichText, Target, TextMessage};
use super::executor::{DeliveryError, Executor};
use super::places::{Place, ignore_not_modified};
use crate::domain::callback::card_keyboard;
use crate::domain::text::{CAPTION_LIMIT, TEXT_LIMIT, split_text, utf16_len};
use crate::entities::{outbox, tickets};
use crate::records::links::{self, Link};

impl Executor {
    pub(super) async fn copy_one(
        &self,
        row: &outbox::Model,
        target: Target,
        source: (i64, i32),
        caption: Option<&RichText>,
        reply_to: Option<i32>,
        response: bool,
    ) -> Result<(), DeliveryError> {
        let place = self.place(target).await?;
        let reply = match reply_to {
            Some(id) => self.reply_in(place.chat, (source.0, id)).await?,
            None => None,
        };
        let mut request = self.sender.bot().copy_message(
            ChatId(place.chat),
            ChatId(source.0),
            MessageId(source.1),
        );
        if let Some(thread) = place.thread_id() {
            request = request.message_thread_id(thread);
        }
        if let Some(caption) = caption {
            request = request
                .caption(caption.text.clone())
                .caption_entities(caption.entities.clone());
        }
        if let Some(reply) = reply {
            request = request.reply_parameters(reply);
        }
        let copy = self.sender.send(place.chat, 1, request).await?;
        self.after_sent(row, place.chat, &[copy.0], target, response)
            .await
    }

    /// Consecutive plain copies (an album, or a backlog of messages from one
    /// chat into one place) leave in one copyMessages call, order kept.
    pub(super) async fn copy_together(
        &self,
        rows: &[(&outbox::Model, Action)],
    ) -> Result<(), DeliveryError> {
        let Action::Copy {
            target,
            from_chat,
            response,
            ..
        } = &rows[0].1
        else {
            unreachable!("only copies go together");
        };
        let place = self.place(*target).await?;
        let mut ids: Vec<i32> = rows
            .iter()
            .filter_map(|(_, action)| match action {
                Action::Copy { message_id, .. } => Some(*message_id),
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        let copies = self.copy_batch_into(place, *from_chat, &ids).await?;
        let ticket_id = rows[0].0.ticket_id;
        if let Some(ticket_id) = ticket_id {
            self.record_copies(ticket_id, *from_chat, &ids, place.chat, &copies)
                .await?;
            if *response && matches!(target, Target::Client { .. }) {
                self.desk.response_delivered(ticket_id).await?;
            }
        }
        Ok(())
    }

    pub(super) async fn copy_batch_into(
        &self,
        place: Place,
        from_chat: i64,
        ids: &[i32],
    ) -> Result<Vec<i32>, DeliveryError> {
        let mut request = self.sender.bot().copy_messages(
            ChatId(place.chat),
            ChatId(from_chat),
            ids.iter().map(|id| MessageId(*id)).collect::<Vec<_>>(),
        );
        if let Some(thread) = place.thread_id() {
            request = request.message_thread_id(thread);
        }
        let copies = self
            .sender
            .send(place.chat, ids.len() as u32, request)
            .await?;
        Ok(copies.into_iter().map(|copy| copy.0).collect())
    }

    /// Links each source to its copy, when Telegram returned one per source.
    pub(super) async fn record_copies(
        &self,
        ticket_id: i32,
        from_chat: i64,
        sources: &[i32],
        chat: i64,
        copies: &[i32],
    ) -> Result<(), DeliveryError> {
        if copies.len() != sources.len() {
            return Ok(());
        }
        let links = sources
            .iter()
            .zip(copies)
            .map(|(source, copy)| Link {
                ticket_id,
                source: (from_chat, *source),
                copy: (chat, *copy),
            })
            .collect();
        self.record_links(links).await?;
        Ok(())
    }

    pub(super) async fn send_text_message(
        &self,
        row: &outbox::Model,
        message: &TextMessage,
    ) -> Result<(), DeliveryError> {
        let place = self.place(message.target).await?;
        let keyboard = message.keyboard.clone().or_else(|| {
            message
                .close_button_for
                .map(|ticket_id| card_keyboard(self.texts.close_button(), ticket_id, &[]))
        });
        let sent = self
            .send_text(
                place,
                &message.text,
                message.reply_to,
                keyboard,
                message.quiet_links,
            )
            .await?;
        self.after_sent(
            row,
            place.chat,
            &sent[..1],
            message.target,
            message.response,
        )
        .await
    }

    /// Sends `text` in as many messages as Telegram's limit takes; the first
    /// answers `reply_to`, the last carries the buttons. Returns the ids sent.
    pub(super) async fn send_text(
        &self,
        place: Place,
        text: &RichText,
        reply_to: Option<ReplyTo>,
        keyboard: Option<InlineKeyboardMarkup>,
        quiet_links: bool,
    ) -> Result<Vec<i32>, DeliveryError> {
        let chunks = split_text(&text.text, &text.entities, TEXT_LIMIT);
        let reply = match reply_to {
            Some(reply) => {
                self.reply_in(place.chat, (reply.chat, reply.message_id))
                    .await?
            }
            None => None,
        };
        let last = chunks.len().saturating_sub(1);
        let mut sent = Vec::with_capacity(chunks.len());
        for (index, (chunk, entities)) in chunks.into_iter().enumerate() {
            let mut request = self
                .sender
                .bot()
                .send_message(ChatId(place.chat), chunk)
                .entities(entities);
            if let Some(thread) = place.thread_id() {
                request = request.message_thread_id(thread);
            }
            if quiet_links {
                request = request.link_preview_options(no_previews());
            }
            if index == 0
                && let Some(reply) = reply.clone()
            {
                request = request.reply_parameters(reply);
            }
            if index == last
                && let Some(keyboard) = keyboard.clone()
            {
                request = request.reply_markup(keyboard);
            }
            let message = self.sender.send(place.chat, 1, request).await?;
            sent.push(message.id.0);
        }
        if sent.is_empty() {
            return Err(DeliveryError::Impossible("empty text".into()));
        }
        Ok(sent)
    }

    /// Carries an edit to the copy of `source` in the target.
    pub(super) async fn edit_copy(
        &self,
        target: Target,
        source: (i64, i32),
        text: &RichText,
        caption: bool,
    ) -> Result<(), DeliveryError> {
        let place = self.place(target).await?;
        let Some(copy) = links::counterpart(&self.db, source, place.chat).await? else {
            tracing::info!("edited message has no copy there; nothing to edit");
            return Ok(());
        };
        let result = if caption {
            let request = self
                .sender
                .bot()
                .edit_message_caption(ChatId(place.chat), MessageId(copy))
                .caption(text.text.clone())
                .caption_entities(text.entities.clone());
            self.sender.call(request).await.map(|_| ())
        } else {
            let request = self
                .sender
                .bot()
                .edit_message_text(ChatId(place.chat), MessageId(copy), text.text.clone())
                .entities(text.entities.clone());
            self.sender.call(request).await.map(|_| ())
        };
        ignore_not_modified(result)
    }

    pub(super) async fn replace_text(
        &self,
        chat: i64,
        message_id: i32,
        text: &RichText,
    ) -> Result<(), DeliveryError> {
        let request = self
            .sender
            .bot()
            .edit_message_text(ChatId(chat), MessageId(message_id), text.text.clone())
            .entities(text.entities.clone())
            .reply_markup(InlineKeyboardMarkup::new(Vec::<Vec<_>>::new()));
        ignore_not_modified(self.sender.call(request).await.map(|_| ()))
    }

    /// Sends a file Telegram has by its id, with the caption when it fits
    /// (otherwise the text follows the file on its own).
    pub(super) async fn send_file(
        &self,
        row: &outbox::Model,
        target: Target,
        kind: &str,
        file_id: &str,
        caption: &RichText,
        response: bool,
    ) -> Result<(), DeliveryError> {
        let place = self.place(target).await?;
        let chat = ChatId(place.chat);
        let file = InputFile::file_id(FileId(file_id.to_owned()));
        let fits = utf16_len(&caption.text) <= CAPTION_LIMIT;
        let (text, entities) = if fits {
            (caption.text.clone(), caption.entities.clone())
        } else {
            (String::new(), Vec::new())
        };
        let bot = self.sender.bot();
        let thread = place.thread_id();
        macro_rules! send {
            ($request:expr) => {{
                let mut request = $request.caption(text).caption_entities(entities);
                if let Some(thread) = thread {
                    request = request.message_thread_id(thread);
                }
                self.sender.send(place.chat, 1, request).await?.id.0
            }};
        }
        let sent = match kind {
            "photo" => send!(bot.send_photo(chat, file)),
            "video" => send!(bot.send_video(chat, file)),
            "animation" => send!(bot.send_animation(chat, file)),
            "audio" => send!(bot.send_audio(chat, file)),
            "voice" => send!(bot.send_voice(chat, file)),
            "document" => send!(bot.send_document(chat, file)),
            other => {
                return Err(DeliveryError::Impossible(format!(
                    "cannot send a file of kind {other:?}"
                )));
            }
        };
        if !fits && !caption.text.trim().is_empty() {
            self.send_text(place, caption, None, None, false).await?;
        }
        self.after_sent(row, place.chat, &[sent], target, response)
            .await
    }

    /// Deletes one of the bot's messages; one already gone is fine.
    pub(super) async fn delete(&self, chat: i64, message_id: i32) -> Result<(), DeliveryError> {
        let request = self
            .sender
            .bot()
            .delete_message(ChatId(chat), MessageId(message_id));
        match self.sender.call(request).await {
            Ok(_) => Ok(()),
            Err(error)
                if matches!(
                    error.failure(),
                    crate::telegram::Failure::Network | crate::telegram::Failure::RetryAfter(_)
                ) =>
            {
                Err(error.into())
            }
            // Already gone, or too old to delete: nothing left to do.
            Err(error) => {
                tracing::info!(error = %error, "could not delete the message; left as it is");
                Ok(())
            }
        }
    }

    pub(super) async fn react(
        &self,
        chat: i64,
        message_id: i32,
        emoji: &str,
    ) -> Result<(), DeliveryError> {
        let request = self
            .sender
            .bot()
            .set_message_reaction(ChatId(chat), MessageId(message_id))
            .reaction(vec![ReactionType::Emoji {
                emoji: emoji.to_owned(),
            }]);
        self.sender.call(request).await?;
        Ok(())
    }

    pub(super) async fn post_card(
        &self,
        ticket_id: i32,
        place: Place,
    ) -> Result<(), DeliveryError> {
        let card =
            self.desk.card(ticket_id, None).await?.ok_or_else(|| {
                DeliveryError::Impossible(format!("ticket #{ticket_id} has no card"))
            })?;
        let mut request = self
            .sender
            .bot()
            .send_message(ChatId(place.chat), card.text)
            .entities(card.entities)
            .reply_markup(card.keyboard);
        if let Some(thread) = place.thread_id() {
            request = request.message_thread_id(thread);
        }
        let posted = self.sender.send(place.chat, 1, request).await?;
        tickets::Entity::update_many()
            .col_expr(tickets::Column::CardMessageId, Expr::value(posted.id.0))
            .filter(tickets::Column::Id.eq(ticket_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Edits the card in place with a status line. Without a card yet there
    /// is nothing to edit: the ticket's topic shows its state in the title.
    pub(super) async fn refresh_card(
        &self,
        ticket_id: i32,
        status: &str,
    ) -> Result<(), DeliveryError> {
        let ticket = self.ticket(ticket_id).await?;
        let Some(card_id) = ticket.card_message_id else {
            return Ok(());
        };
        let Some(card) = self.desk.card(ticket_id, Some(status)).await? else {
            return Ok(());
        };
        let request = self
            .sender
            .bot()
            .edit_message_text(ChatId(ticket.main_chat_id), MessageId(card_id), card.text)
            .entities(card.entities)
            .reply_markup(card.keyboard);
        ignore_not_modified(self.sender.call(request).await.map(|_| ()))
    }

    /// After a send: links the copy to what it bridges, and tells the desk
    /// when the team's answer reached the client.
    async fn after_sent(
        &self,
        row: &outbox::Model,
        chat: i64,
        copies: &[i32],
        target: Target,
        response: bool,
    ) -> Result<(), DeliveryError> {
        if let (Some(ticket_id), Some(source_chat), Some(source_message), Some(copy)) = (
            row.ticket_id,
            row.source_chat_id,
            row.source_message_id,
            copies.first(),
        ) {
            self.record_links(vec![Link {
                ticket_id,
                source: (source_chat, source_message),
                copy: (chat, *copy),
            }])
            .await?;
        }
        if response
            && matches!(target, Target::Client { .. })
            && let Some(ticket_id) = row.ticket_id
        {
            self.desk.response_delivered(ticket_id).await?;
        }
        Ok(())
    }

    /// Reply parameters pointing at the counterpart of `message` in `chat`.
    /// A reply can come a moment after the copy it answers landed, before
    /// that copy's link is written (it goes with the copy's sent mark): when
    /// none is found, the links submitted so far are waited for and looked
    /// up once more.
    async fn reply_in(
        &self,
        chat: i64,
        message: (i64, i32),
    ) -> Result<Option<ReplyParameters>, DeliveryError> {
        let mut counterpart = links::counterpart(&self.db, message, chat).await?;
        if counterpart.is_none() {
            self.settled_so_far().await?;
            counterpart = links::counterpart(&self.db, message, chat).await?;
        }
        Ok(counterpart.map(|id| {
            let mut reply = ReplyParameters::new(MessageId(id));
            reply.allow_sending_without_reply = Some(true);
            reply
        }))
    }
}

fn no_previews() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}
