//! Inline buttons: assign a technician, set the priority, move to a
//! category, wait for the client, close a ticket; the client's category
//! choice and survey answers.
//! Every press gets an answer, so the button never spins.

use teloxide::payloads::AnswerCallbackQuerySetters;
use teloxide::prelude::*;
use teloxide::types::MaybeInaccessibleMessage;

use crate::bot::{Desk, HandlerResult};
use crate::domain::callback::CallbackAction;
use crate::domain::sla::PRIORITY_KEYS;
use crate::entities::Actor;
use crate::entities::Priority;
use crate::services::tickets::{CategoryChoice, Change, KbAnswer, tech_label};
use crate::texts::Texts;

pub async fn pressed(query: CallbackQuery, desk: Desk) -> HandlerResult {
    let pressed = match &query.message {
        Some(MaybeInaccessibleMessage::Regular(message)) => Some((message.chat.id.0, message.id.0)),
        Some(MaybeInaccessibleMessage::Inaccessible(message)) => {
            Some((message.chat.id.0, message.message_id.0))
        }
        None => None,
    };
    let answer = match query.data.as_deref().and_then(CallbackAction::parse) {
        None => desk.texts.stale_button().to_owned(),
        Some(action) => {
            tracing::Span::current().record("ticket_id", action.ticket_id());
            act(&query, action, pressed, &desk).await?
        }
    };
    // The press has been acted on; an answer that no longer reaches the user
    // (the query is too old after downtime or a replay) changes nothing.
    let request = desk
        .sender
        .bot()
        .answer_callback_query(query.id.clone())
        .text(answer);
    if let Err(error) = desk.sender.call_patiently(request).await {
        tracing::warn!(error = %error, "could not answer the button press");
    }
    Ok(())
}

/// Carries out a press; returns the answer to show.
async fn act(
    query: &CallbackQuery,
    action: CallbackAction,
    pressed: Option<(i64, i32)>,
    desk: &Desk,
) -> Result<String, crate::bot::HandlerError> {
    let chat = pressed.map(|(chat, _)| chat);
    let texts = &desk.texts;
    // Survey buttons live in the client's private chat only.
    let in_private = chat == Some(query.from.id.0 as i64);
    Ok(match action {
        CallbackAction::Rate {
            ticket_id,
            question,
            score,
        } => match pressed.filter(|_| in_private) {
            Some(pressed) => {
                desk.survey
                    .rate(&query.from, ticket_id, question, score, pressed)
                    .await?
            }
            None => texts.survey_stale().to_owned(),
        },
        CallbackAction::SkipComment { ticket_id } => match pressed.filter(|_| in_private) {
            Some(pressed) => {
                desk.survey
                    .skip_comment(&query.from, ticket_id, pressed)
                    .await?
            }
            None => texts.survey_stale().to_owned(),
        },
        CallbackAction::Assign { ticket_id, tech_id } => {
            if !chat.is_some_and(|chat| desk.places.is_main_group(chat)) {
                texts.only_in_main_group().to_owned()
            } else {
                match desk.tickets.assign(ticket_id, tech_id, &query.from).await? {
                    Change::Done | Change::Unchanged => {
                        let label = desk
                            .tickets
                            .technician(tech_id)
                            .await?
                            .map(|t| tech_label(&t))
                            .unwrap_or_default();
                        texts.assign_done(&label)
                    }
                    change => refusal(texts, change),
                }
            }
        }
        CallbackAction::Category { ticket_id, index } => match pressed.filter(|_| in_private) {
            Some((_, question)) => {
                let client_texts = desk.tickets.client_texts(query.from.id.0 as i64).await?;
                match desk
                    .tickets
                    .choose_category(query.from.id.0 as i64, ticket_id, index, Some(question))
                    .await?
                {
                    CategoryChoice::Opened(label) => label,
                    CategoryChoice::AlreadyOpen => {
                        client_texts.category_already_chosen().to_owned()
                    }
                    CategoryChoice::Unknown => client_texts.stale_button().to_owned(),
                }
            }
            None => texts.stale_button().to_owned(),
        },
        CallbackAction::Priority { ticket_id, level } => {
            let Some(priority) = PRIORITY_KEYS
                .get(usize::from(level))
                .and_then(|key| Priority::from_key(key))
            else {
                return Ok(texts.stale_button().to_owned());
            };
            if !chat.is_some_and(|chat| desk.places.is_main_group(chat)) {
                return Ok(texts.only_in_main_group().to_owned());
            }
            match desk
                .tickets
                .set_priority(ticket_id, priority, Actor::Staff, &query.from.full_name())
                .await?
            {
                Change::Done | Change::Unchanged => texts.priority_done(priority),
                change => refusal(texts, change),
            }
        }
        CallbackAction::Move { ticket_id, index } => {
            let Some(category) = desk.tickets.desk().categories.get(usize::from(index)) else {
                return Ok(texts.stale_button().to_owned());
            };
            let (key, label) = (category.key.clone(), category.label(texts.language()));
            if !chat.is_some_and(|chat| desk.places.is_main_group(chat)) {
                return Ok(texts.only_in_main_group().to_owned());
            }
            match desk
                .tickets
                .move_to_category(ticket_id, &key, Actor::Staff, &query.from.full_name())
                .await?
            {
                Change::Done | Change::Unchanged => texts.category_done(&label),
                change => refusal(texts, change),
            }
        }
        CallbackAction::Wait { ticket_id } => {
            if !chat.is_some_and(|chat| desk.places.is_main_group(chat)) {
                return Ok(texts.only_in_main_group().to_owned());
            }
            match desk
                .tickets
                .wait_for_client(ticket_id, Actor::Staff, &query.from.full_name())
                .await?
            {
                Change::Done => texts.wait_done().to_owned(),
                Change::Unchanged => texts.already_waiting().to_owned(),
                change => refusal(texts, change),
            }
        }
        CallbackAction::KbHelped { ticket_id } | CallbackAction::KbNeedPerson { ticket_id } => {
            match pressed.filter(|_| in_private) {
                Some((_, question)) => {
                    let client = query.from.id.0 as i64;
                    let answer = if matches!(action, CallbackAction::KbHelped { .. }) {
                        desk.tickets
                            .kb_helped(client, ticket_id, Some(question))
                            .await?
                    } else {
                        desk.tickets
                            .kb_need_person(client, ticket_id, Some(question))
                            .await?
                    };
                    match answer {
                        KbAnswer::Done(text) => text,
                        KbAnswer::Stale => desk
                            .tickets
                            .client_texts(client)
                            .await?
                            .kb_answered()
                            .to_owned(),
                    }
                }
                None => texts.stale_button().to_owned(),
            }
        }
        CallbackAction::KbSend {
            ticket_id,
            article_id,
        } => {
            let Some(pressed) = pressed else {
                return Ok(texts.stale_button().to_owned());
            };
            let in_main_group = desk.places.is_main_group(pressed.0);
            let in_current_mirror = !in_main_group
                && desk
                    .tickets
                    .current_mirror(ticket_id)
                    .await?
                    .is_some_and(|mirror| mirror.chat_id == pressed.0);
            if !in_main_group && !in_current_mirror {
                return Ok(texts.stale_button().to_owned());
            }
            let actor = if in_main_group {
                Actor::Staff
            } else {
                Actor::Tech
            };
            match desk
                .tickets
                .kb_send_chosen(
                    ticket_id,
                    article_id,
                    actor,
                    &query.from.full_name(),
                    pressed,
                )
                .await?
            {
                Change::Done => texts.kb_sent().to_owned(),
                change => refusal(texts, change),
            }
        }
        CallbackAction::Close { ticket_id } => {
            let in_main_group = chat.is_some_and(|chat| desk.places.is_main_group(chat));
            let in_current_mirror = match chat {
                Some(chat) if !in_main_group => desk
                    .tickets
                    .current_mirror(ticket_id)
                    .await?
                    .is_some_and(|mirror| mirror.chat_id == chat),
                _ => false,
            };
            if !in_main_group && !in_current_mirror {
                texts.only_in_main_group().to_owned()
            } else {
                let actor = if in_main_group {
                    Actor::Staff
                } else {
                    Actor::Tech
                };
                match desk
                    .tickets
                    .close(ticket_id, actor, &query.from.full_name())
                    .await?
                {
                    Change::Done => texts.closed_done().to_owned(),
                    Change::Unchanged => texts.ticket_already_closed().to_owned(),
                    change => refusal(texts, change),
                }
            }
        }
    })
}

fn refusal(texts: &Texts, change: Change) -> String {
    match change {
        Change::Busy => texts.already_in_progress(),
        Change::TicketClosed => texts.ticket_already_closed(),
        Change::UnknownTicket => texts.unknown_ticket(),
        Change::UnknownTechnician | Change::UnknownCategory | Change::Done | Change::Unchanged => {
            texts.stale_button()
        }
    }
    .to_owned()
}
