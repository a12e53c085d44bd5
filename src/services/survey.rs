//! The satisfaction survey after a ticket closes: three questions with
//! buttons 1–5 (speed, quality, politeness), then — if anything was below 5
//! — a request for a comment that the client may skip.
//!
//! Where the client stands lives in the store's conversation state (`fsm:`),
//! with a 24 h TTL: a restart resumes the survey, an abandoned one expires,
//! and after that the client's messages open tickets as usual. The answers
//! become one `feedback` row per ticket (the database refuses a second one)
//! and a summary in the ticket's topics.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use teloxide::payloads::EditMessageTextSetters;
use teloxide::prelude::Requester;
use teloxide::types::{ChatId, InlineKeyboardMarkup, MessageId};

use crate::domain::callback::{rating_keyboard, skip_keyboard};
use crate::entities::{Actor, feedback, tickets};
use crate::outbox::{Action, Delivery, Outbox, RichText, Target};
use crate::services::tickets::current_mirror;
use crate::records::events;
use crate::services::sheets;
use crate::store::{Store, StoreError};
use crate::telegram::Telegram;
use crate::texts::Texts;

const QUESTIONS: u8 = 3;

/// A client's progress, as kept in `fsm:<client id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyState {
    pub ticket_id: i32,
    /// Scores given so far, in question order.
    pub scores: Vec<u8>,
    /// All three answered; the next text is the comment.
    pub awaiting_comment: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The first question, to send right after the closing message.
pub fn first_question(texts: &Texts, ticket: &tickets::Model) -> Delivery {
    question_delivery(texts, ticket.id, ticket.client_tg_id, 1)
}

/// Starts the survey for `client`, open for `ttl`. Called before the
/// closing transaction commits, so the buttons never arrive without the
/// state behind them.
pub async fn begin(
    store: &Store,
    client: i64,
    ticket_id: i32,
    ttl: Duration,
) -> Result<(), StoreError> {
    let state = SurveyState {
        ticket_id,
        scores: Vec::new(),
        awaiting_comment: false,
    };
    save(store, client, &state, ttl).await
}

fn question_delivery(texts: &Texts, ticket_id: i32, client: i64, question: u8) -> Delivery {
    Delivery::new(
        client,
        ticket_id,
        Action::Text {
            target: Target::Client { user_id: client },
            text: RichText::plain(texts.survey_question(question)),
            reply_to: None,
            close_button_for: None,
            keyboard: Some(rating_keyboard(ticket_id, question)),
            response: false,
        },
        format!("survey:{ticket_id}:q{question}"),
    )
}

async fn save(
    store: &Store,
    client: i64,
    state: &SurveyState,
    ttl: Duration,
) -> Result<(), StoreError> {
    let encoded = serde_json::to_string(state).expect("survey state encodes");
    store.fsm_set(client, &encoded, Some(ttl)).await
}

#[derive(Clone)]
pub struct SurveyService {
    db: DatabaseConnection,
    outbox: Outbox,
    store: Store,
    texts: Texts,
    telegram: Telegram,
    /// How long a survey stays open; each answer keeps the original deadline
    /// only approximately (the TTL restarts with every step).
    ttl: Duration,
}

impl SurveyService {
    pub fn new(
        db: DatabaseConnection,
        outbox: Outbox,
        store: Store,
        texts: Texts,
        telegram: Telegram,
        ttl: Duration,
    ) -> Self {
        Self {
            db,
            outbox,
            store,
            texts,
            telegram,
            ttl,
        }
    }

    async fn state(&self, client: i64) -> Result<Option<SurveyState>, StoreError> {
        let Some(raw) = self.store.fsm_get(client).await? else {
            return Ok(None);
        };
        Ok(serde_json::from_str(&raw).ok())
    }

    /// A score button was pressed by `client` on message `pressed`. Returns
    /// the text to answer the press with.
    pub async fn rate(
        &self,
        client: i64,
        ticket_id: i32,
        question: u8,
        score: u8,
        pressed: (i64, i32),
    ) -> Result<String, SurveyError> {
        let Some(mut state) = self.state(client).await? else {
            return Ok(self.texts.survey_stale().to_owned());
        };
        let expected = state.scores.len() as u8 + 1;
        if state.ticket_id != ticket_id || state.awaiting_comment || question != expected {
            return Ok(self.texts.survey_stale().to_owned());
        }
        state.scores.push(score);
        self.show_answered(pressed, &self.texts.survey_answered(question, score))
            .await;
        if question < QUESTIONS {
            save(&self.store, client, &state, self.ttl).await?;
            self.outbox
                .enqueue(
                    &self.db,
                    vec![question_delivery(
                        &self.texts,
                        ticket_id,
                        client,
                        question + 1,
                    )],
                )
                .await?;
        } else if state.scores.iter().all(|s| *s == 5) {
            self.finish(client, &state, None).await?;
        } else {
            state.awaiting_comment = true;
            save(&self.store, client, &state, self.ttl).await?;
            let ask = Delivery::new(
                client,
                ticket_id,
                Action::Text {
                    target: Target::Client { user_id: client },
                    text: RichText::plain(self.texts.survey_ask_comment()),
                    reply_to: None,
                    close_button_for: None,
                    keyboard: Some(skip_keyboard(self.texts.survey_skip_button(), ticket_id)),
                    response: false,
                },
                format!("survey:{ticket_id}:comment"),
            );
            self.outbox.enqueue(&self.db, vec![ask]).await?;
        }
        Ok(self.texts.survey_recorded(score))
    }

    /// "Skip" under the request for a comment.
    pub async fn skip_comment(
        &self,
        client: i64,
        ticket_id: i32,
        pressed: (i64, i32),
    ) -> Result<String, SurveyError> {
        match self.state(client).await? {
            Some(state) if state.ticket_id == ticket_id && state.awaiting_comment => {
                self.show_answered(pressed, self.texts.survey_ask_comment())
                    .await;
                self.finish(client, &state, None).await?;
                Ok(self.texts.survey_thanks().to_owned())
            }
            _ => Ok(self.texts.survey_stale().to_owned()),
        }
    }

    /// Takes `text` as the comment if `client` owes one; false otherwise
    /// (the message is then an ordinary one).
    pub async fn take_comment(&self, client: i64, text: &str) -> Result<bool, SurveyError> {
        match self.state(client).await? {
            Some(state) if state.awaiting_comment => {
                self.finish(client, &state, Some(text)).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Saves the feedback, posts the summary in the ticket's topics, thanks
    /// the client and ends the survey. A ticket that already has feedback
    /// keeps the first one.
    async fn finish(
        &self,
        client: i64,
        state: &SurveyState,
        comment: Option<&str>,
    ) -> Result<(), SurveyError> {
        let ticket_id = state.ticket_id;
        let scores: [u8; 3] = [
            state.scores.first().copied().unwrap_or(5),
            state.scores.get(1).copied().unwrap_or(5),
            state.scores.get(2).copied().unwrap_or(5),
        ];
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        let already = feedback::Entity::find()
            .filter(feedback::Column::TicketId.eq(ticket_id))
            .one(&self.db)
            .await?;
        if already.is_some() {
            tracing::info!(
                ticket_id,
                "feedback already recorded; second completion refused"
            );
            self.store.fsm_clear(client).await?;
            return Ok(());
        }
        let Some(ticket) = tickets::Entity::find_by_id(ticket_id).one(&self.db).await? else {
            self.store.fsm_clear(client).await?;
            return Ok(());
        };
        let summary = self.texts.survey_summary(scores, comment);
        let txn = self.db.begin().await?;
        feedback::ActiveModel {
            ticket_id: Set(ticket_id),
            q1: Set(scores[0].into()),
            q2: Set(scores[1].into()),
            q3: Set(scores[2].into()),
            comment: Set(comment.map(str::to_owned)),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut deliveries = vec![
            Delivery::new(
                ticket.main_chat_id,
                ticket_id,
                Action::note(Target::Main { ticket_id }, summary.clone()),
                format!("survey:{ticket_id}:summary:main"),
            ),
            Delivery::new(
                client,
                ticket_id,
                Action::note(
                    Target::Client { user_id: client },
                    self.texts.survey_thanks(),
                ),
                format!("survey:{ticket_id}:thanks"),
            ),
        ];
        if let Some(bridge) = current_mirror(&txn, ticket_id).await? {
            deliveries.push(Delivery::new(
                bridge.chat_id,
                ticket_id,
                Action::note(
                    Target::Mirror {
                        mirror_id: bridge.id,
                    },
                    summary,
                ),
                format!("survey:{ticket_id}:summary:tech"),
            ));
        }
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        sheets::report_ready_now(&txn, ticket_id).await?;
        events::record(
            &txn,
            Some(ticket_id),
            Actor::Client,
            "feedback_received",
            json!({ "scores": scores, "comment": comment }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        self.store.fsm_clear(client).await?;
        tracing::info!(ticket_id, ?scores, "feedback received");
        Ok(())
    }

    /// Replaces an answered question's buttons with the answer, so it cannot
    /// be pressed again. Cosmetic: a failure is only logged.
    async fn show_answered(&self, pressed: (i64, i32), text: &str) {
        let request = self
            .telegram
            .bot()
            .edit_message_text(ChatId(pressed.0), MessageId(pressed.1), text)
            .reply_markup(InlineKeyboardMarkup::new(Vec::<Vec<_>>::new()));
        if let Err(error) = self.telegram.call(request).await {
            tracing::debug!(error = %error, "could not mark the question answered");
        }
    }
}
