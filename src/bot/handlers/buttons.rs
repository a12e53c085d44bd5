//! Inline buttons: assign a technician, close a ticket. Every press gets an
//! answer, so the button never spins.

use teloxide::payloads::AnswerCallbackQuerySetters;
use teloxide::prelude::*;
use teloxide::types::MaybeInaccessibleMessage;

use super::Places;
use crate::domain::callback::CallbackAction;
use crate::entities::Actor;
use crate::intake::HandlerError;
use crate::services::survey::SurveyService;
use crate::services::tickets::{Change, TicketService, tech_label};
use crate::telegram::Telegram;
use crate::texts::Texts;

pub async fn pressed(
    query: CallbackQuery,
    telegram: Telegram,
    texts: Texts,
    tickets: TicketService,
    survey: SurveyService,
    places: Places,
) -> Result<(), HandlerError> {
    let pressed = match &query.message {
        Some(MaybeInaccessibleMessage::Regular(message)) => Some((message.chat.id.0, message.id.0)),
        Some(MaybeInaccessibleMessage::Inaccessible(message)) => {
            Some((message.chat.id.0, message.message_id.0))
        }
        None => None,
    };
    let chat = pressed.map(|(chat, _)| chat);
    let client = query.from.id.0 as i64;
    // Survey buttons live in the client's private chat only.
    let in_private = chat == Some(client);
    let answer = match query.data.as_deref().and_then(CallbackAction::parse) {
        None => texts.stale_button().to_owned(),
        Some(CallbackAction::Rate {
            ticket_id,
            question,
            score,
        }) => match pressed.filter(|_| in_private) {
            Some(pressed) => {
                tracing::Span::current().record("ticket_id", ticket_id);
                survey
                    .rate(client, ticket_id, question, score, pressed)
                    .await?
            }
            None => texts.survey_stale().to_owned(),
        },
        Some(CallbackAction::SkipComment { ticket_id }) => match pressed.filter(|_| in_private) {
            Some(pressed) => {
                tracing::Span::current().record("ticket_id", ticket_id);
                survey.skip_comment(client, ticket_id, pressed).await?
            }
            None => texts.survey_stale().to_owned(),
        },
        Some(CallbackAction::Assign { ticket_id, tech_id }) => {
            tracing::Span::current().record("ticket_id", ticket_id);
            if chat != Some(places.main_group) {
                texts.only_in_main_group().to_owned()
            } else {
                match tickets.assign(ticket_id, tech_id, &query.from).await? {
                    Change::Done | Change::Unchanged => {
                        let label = tickets
                            .technician(tech_id)
                            .await?
                            .map(|t| tech_label(&t))
                            .unwrap_or_default();
                        texts.assign_done(&label)
                    }
                    change => refusal(&texts, change),
                }
            }
        }
        Some(CallbackAction::Close { ticket_id }) => {
            tracing::Span::current().record("ticket_id", ticket_id);
            let allowed = match chat {
                Some(chat) if chat == places.main_group => true,
                Some(chat) => tickets
                    .current_mirror(ticket_id)
                    .await?
                    .is_some_and(|bridge| bridge.chat_id == chat),
                None => false,
            };
            if !allowed {
                texts.only_in_main_group().to_owned()
            } else {
                let actor = if chat == Some(places.main_group) {
                    Actor::Staff
                } else {
                    Actor::Tech
                };
                match tickets
                    .close(ticket_id, actor, &query.from.full_name())
                    .await?
                {
                    Change::Done => texts.closed_done().to_owned(),
                    Change::Unchanged => texts.ticket_already_closed().to_owned(),
                    change => refusal(&texts, change),
                }
            }
        }
    };
    // The press has been acted on; an answer that no longer reaches the user
    // (the query is too old after downtime or a replay) changes nothing.
    let request = telegram
        .bot()
        .answer_callback_query(query.id.clone())
        .text(answer);
    if let Err(error) = telegram.call(request).await {
        tracing::warn!(error = %error, "could not answer the button press");
    }
    Ok(())
}

fn refusal(texts: &Texts, change: Change) -> String {
    match change {
        Change::Busy => texts.already_in_progress(),
        Change::TicketClosed => texts.ticket_already_closed(),
        Change::UnknownTicket => texts.unknown_ticket(),
        Change::UnknownTechnician | Change::Done | Change::Unchanged => texts.stale_button(),
    }
    .to_owned()
}
