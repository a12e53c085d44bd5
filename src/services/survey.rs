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
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use teloxide::types::User;

use crate::domain::callback::{rating_keyboard, skip_keyboard};
use crate::domain::language::Language;
use crate::entities::{Actor, feedback, tickets};
use crate::outbox::{Action, Delivery, Outbox, RichText, Target, TextMessage};
use crate::records::events;
use crate::services::ServiceError;
use crate::services::sheets;
use crate::services::tickets::current_mirror;
use crate::store::{Store, StoreError};
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
        TextMessage::new(
            Target::Client { user_id: client },
            RichText::plain(texts.survey_question(question)),
        )
        .with_keyboard(rating_keyboard(ticket_id, question))
        .into(),
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
        ttl: Duration,
    ) -> Self {
        Self {
            db,
            outbox,
            store,
            texts,
            ttl,
        }
    }

    async fn state(&self, client: i64) -> Result<Option<SurveyState>, StoreError> {
        let Some(raw) = self.store.fsm_get(client).await? else {
            return Ok(None);
        };
        Ok(serde_json::from_str(&raw).ok())
    }

    /// The texts in `client`'s language.
    fn texts_for(&self, client: &User) -> Texts {
        Texts::new(Language::for_client(
            client.language_code.as_deref(),
            self.texts.language(),
        ))
    }

    /// A score button was pressed by `client` on message `pressed`. Returns
    /// the text to answer the press with.
    pub async fn rate(
        &self,
        client: &User,
        ticket_id: i32,
        question: u8,
        score: u8,
        pressed: (i64, i32),
    ) -> Result<String, ServiceError> {
        let texts = self.texts_for(client);
        let client_id = client.id.0 as i64;
        let Some(mut state) = self.state(client_id).await? else {
            return Ok(texts.survey_stale().to_owned());
        };
        let expected = state.scores.len() as u8 + 1;
        if state.ticket_id != ticket_id || state.awaiting_comment || question != expected {
            return Ok(texts.survey_stale().to_owned());
        }
        state.scores.push(score);
        self.show_answered(ticket_id, pressed, &texts.survey_answered(question, score))
            .await?;
        if question < QUESTIONS {
            save(&self.store, client_id, &state, self.ttl).await?;
            let next = question_delivery(&texts, ticket_id, client_id, question + 1);
            self.outbox.enqueue(&self.db, vec![next]).await?;
        } else if state.scores.iter().all(|s| *s == 5) {
            self.finish(client, &state, None).await?;
        } else {
            state.awaiting_comment = true;
            save(&self.store, client_id, &state, self.ttl).await?;
            let ask = Delivery::new(
                client_id,
                ticket_id,
                TextMessage::new(
                    Target::Client { user_id: client_id },
                    RichText::plain(texts.survey_ask_comment()),
                )
                .with_keyboard(skip_keyboard(texts.survey_skip_button(), ticket_id))
                .into(),
                format!("survey:{ticket_id}:comment"),
            );
            self.outbox.enqueue(&self.db, vec![ask]).await?;
        }
        Ok(texts.survey_recorded(score))
    }

    /// "Skip" under the request for a comment.
    pub async fn skip_comment(
        &self,
        client: &User,
        ticket_id: i32,
        pressed: (i64, i32),
    ) -> Result<String, ServiceError> {
        let texts = self.texts_for(client);
        match self.state(client.id.0 as i64).await? {
            Some(state) if state.ticket_id == ticket_id && state.awaiting_comment => {
                self.show_answered(ticket_id, pressed, texts.survey_ask_comment())
                    .await?;
                self.finish(client, &state, None).await?;
                Ok(texts.survey_thanks().to_owned())
            }
            _ => Ok(texts.survey_stale().to_owned()),
        }
    }

    /// Whether the survey waits for `client`'s comment: their next text.
    pub async fn owes_comment(&self, client: i64) -> Result<bool, ServiceError> {
        Ok(self
            .state(client)
            .await?
            .is_some_and(|state| state.awaiting_comment))
    }

    /// Takes `text` as the comment if `client` owes one; false otherwise
    /// (the message is then an ordinary one).
    pub async fn take_comment(&self, client: &User, text: &str) -> Result<bool, ServiceError> {
        match self.state(client.id.0 as i64).await? {
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
        user: &User,
        state: &SurveyState,
        comment: Option<&str>,
    ) -> Result<(), ServiceError> {
        let client = user.id.0 as i64;
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
                    self.texts_for(user).survey_thanks(),
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
    /// be pressed again.
    async fn show_answered(
        &self,
        ticket_id: i32,
        pressed: (i64, i32),
        text: &str,
    ) -> Result<(), ServiceError> {
        let delivery = Delivery::new(
            pressed.0,
            ticket_id,
            Action::ReplaceText {
                chat_id: pressed.0,
                message_id: pressed.1,
                text: RichText::plain(text),
            },
            format!("survey:{ticket_id}:answered:{}", pressed.1),
        );
        self.outbox.enqueue(&self.db, vec![delivery]).await?;
        Ok(())
    }
}
