//! The knowledge base in a ticket's life: articles offered on a new
//! ticket's first message (KB_SUGGEST), the client's «Помогло» and «Нужен
//! специалист», a ticket held while the client reads (KB_SUGGEST=hold)
//! and its release, and the team's saved answers (`/kb`).
//!
//! What it costs the main group:
//! - `suggest`: nothing beyond the topic and card every ticket has (the
//!   articles go to the client's chat; the card names them). «Помогло»
//!   renames, edits the card and closes the topic, like any closing.
//! - `hold`: a question answered by «Помогло» never reaches the main group
//!   (the topic and card were held, and are dropped); released, the ticket
//!   costs what any ticket costs.
//! - `/kb <slug>` in the main topic: nothing (the client gets the article;
//!   the mirror gets the marked copy). `/kb <words>`: one message with the
//!   buttons, deleted once one is chosen.

mod command;
mod hold;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde_json::json;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageEntityKind};

use super::{TicketService, current_mirror};
use crate::config::KbSuggest;
use crate::domain::callback::CallbackAction;
use crate::domain::language::Language;
use crate::domain::rich_text::RichBuilder;
use crate::domain::text::with_author;
use crate::entities::kb_suggestions::{self, SuggestionOutcome};
use crate::entities::{Actor, TicketStatus, kb_articles, tickets};
use crate::outbox::{Action, Delivery, RichText, Target, TextMessage};
use crate::records::events;
use crate::services::ServiceResult;
use crate::services::knowledge::{Found, KnowledgeService, entities_of};
use crate::services::sheets;
use crate::texts::Texts;

/// Most articles offered to a client at once, and most buttons `/kb
/// <words>` shows.
pub const KB_CHOICES: usize = 3;
/// Longest button label, in UTF-16 units.
const BUTTON_LABEL: usize = 60;

/// What became of the client's press of «Помогло» or «Нужен специалист».
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KbAnswer {
    /// Acted on; the text is the press's answer.
    Done(String),
    /// The ticket went on without it (answered, closed, or not theirs).
    Stale,
}

impl TicketService {
    /// The knowledge base (articles and their search).
    pub fn knowledge(&self) -> &KnowledgeService {
        &self.knowledge
    }

    /// The articles to offer on a new ticket's first message `text`, in
    /// `language` where a translation exists; none with KB_SUGGEST=off or
    /// when no article is confident enough.
    pub(super) async fn kb_offer_for(
        &self,
        text: &str,
        language: Language,
    ) -> ServiceResult<Vec<Found>> {
        if self.desk().kb_suggest == KbSuggest::Off || text.trim().is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .knowledge
            .suggest(text, Some(language), KB_CHOICES)
            .await?)
    }

    /// Writes the offer (in the ticket's opening transaction): one
    /// suggestion row per article, and the deliveries to the client — each
    /// article with its title, then the question with the two buttons.
    pub(super) async fn kb_offer_rows<C: ConnectionTrait>(
        &self,
        conn: &C,
        ticket_id: i32,
        client_id: i64,
        texts: &Texts,
        offered: &[Found],
        hold: bool,
    ) -> Result<Vec<Delivery>, DbErr> {
        let now = Utc::now();
        let mut deliveries = Vec::new();
        let client = Target::Client { user_id: client_id };
        for found in offered {
            kb_suggestions::ActiveModel {
                ticket_id: Set(Some(ticket_id)),
                client_tg_id: Set(client_id),
                article_id: Set(Some(found.article.id)),
                slug: Set(found.article.slug.clone()),
                score: Set(f64::from(found.hit.confidence)),
                outcome: Set(SuggestionOutcome::Offered),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?;
            deliveries.push(Delivery::new(
                client_id,
                ticket_id,
                article_action(&found.article, client, true, None, false),
                format!("kb-offer:{ticket_id}:{}", found.article.id),
            ));
        }
        let question = if hold {
            texts.kb_question_hold()
        } else {
            texts.kb_question_suggest()
        };
        let keyboard = InlineKeyboardMarkup::new(vec![vec![
            InlineKeyboardButton::callback(
                texts.kb_helped_button(),
                CallbackAction::KbHelped { ticket_id }.encode(),
            ),
            InlineKeyboardButton::callback(
                texts.kb_need_person_button(),
                CallbackAction::KbNeedPerson { ticket_id }.encode(),
            ),
        ]]);
        deliveries.push(Delivery::new(
            client_id,
            ticket_id,
            TextMessage::new(client, RichText::plain(question))
                .with_keyboard(keyboard)
                .into(),
            format!("kb-question:{ticket_id}"),
        ));
        Ok(deliveries)
    }

    /// The client pressed «Помогло» (`question` is the message with the
    /// buttons): the ticket closes as resolved by the knowledge base, with
    /// no survey. A held ticket closes without ever reaching the team.
    pub async fn kb_helped(
        &self,
        client: i64,
        ticket_id: i32,
        question: Option<i32>,
    ) -> ServiceResult<KbAnswer> {
        self.with_ticket_locked(ticket_id, || {
            self.kb_helped_locked(client, ticket_id, question)
        })
        .await
    }

    async fn kb_helped_locked(
        &self,
        client: i64,
        ticket_id: i32,
        question: Option<i32>,
    ) -> ServiceResult<KbAnswer> {
        let Some(ticket) = self.offered_ticket(client, ticket_id).await? else {
            return Ok(KbAnswer::Stale);
        };
        let texts = self.client_texts(client).await?;
        let closed_at = Utc::now();
        let txn = self.db.begin().await?;
        decide(&txn, ticket_id, SuggestionOutcome::Helped).await?;
        let mut row = ticket.clone().into_active_model();
        row.status = Set(TicketStatus::Closed);
        row.closed_at = Set(Some(closed_at));
        row.close_reason = Set(Some(KB_REASON.to_owned()));
        row.kb_held = Set(false);
        row.update(&txn).await?;
        let thanks = texts.kb_helped_thanks(ticket_id);
        let mut deliveries = vec![replace_or_note(client, ticket_id, question, thanks)];
        if ticket.status == TicketStatus::Held {
            // It never reached the team: what waited for its topic goes.
            self.outbox.drop_held(&txn, ticket_id).await?;
        } else {
            deliveries.extend(self.kb_closing_rows(&txn, &ticket).await?);
            sheets::queue_report(&txn, ticket_id, closed_at).await?;
        }
        let lanes = self.outbox.insert(&txn, deliveries).await?;
        events::record(
            &txn,
            Some(ticket_id),
            Actor::Client,
            "closed",
            json!({ "by": "client", "reason": "kb", "held": ticket.status == TicketStatus::Held }),
        )
        .await?;
        txn.commit().await?;
        self.outbox.wake(lanes);
        tracing::info!(ticket_id, "ticket resolved by the knowledge base");
        Ok(KbAnswer::Done(texts.kb_helped_button().to_owned()))
    }

    /// What closing an opened ticket by «Помогло» sends to the team: the
    /// topics renamed (`🟣 [Закрыт | база знаний]`), the card's status,
    /// the topics closed.
    async fn kb_closing_rows<C: ConnectionTrait>(
        &self,
        conn: &C,
        ticket: &tickets::Model,
    ) -> Result<Vec<Delivery>, DbErr> {
        let ticket_id = ticket.id;
        let main = Target::Main { ticket_id };
        let note = self.texts.kb_closed_note().to_owned();
        let mut deliveries = vec![
            Delivery::new(
                ticket.main_chat_id,
                ticket_id,
                Action::RenameMainTopic { ticket_id },
                format!("rename:{ticket_id}:close"),
            ),
            Delivery::new(
                ticket.main_chat_id,
                ticket_id,
                Action::RefreshCard {
                    ticket_id,
                    status: note.clone(),
                },
                format!("card-status:close:{ticket_id}"),
            ),
            Delivery::new(
                ticket.main_chat_id,
                ticket_id,
                Action::CloseTopic { target: main },
                format!("close-topic:main:{ticket_id}"),
            ),
        ];
        if let Some(mirror) = current_mirror(conn, ticket_id).await? {
            let tech = Target::Mirror {
                mirror_id: mirror.id,
            };
            deliveries.push(Delivery::new(
                mirror.chat_id,
                ticket_id,
                Action::note(tech, note),
                format!("closed-note:tech:{}", mirror.id),
            ));
            deliveries.push(Delivery::new(
                mirror.chat_id,
                ticket_id,
                Action::CloseTopic { target: tech },
                format!("close-topic:tech:{}", mirror.id),
            ));
        }
        Ok(deliveries)
    }

    /// The client pressed «Нужен специалист»: thanked, and a held ticket
    /// opens.
    pub async fn kb_need_person(
        &self,
        client: i64,
        ticket_id: i32,
        question: Option<i32>,
    ) -> ServiceResult<KbAnswer> {
        let (answer, opened) = self
            .with_ticket_locked(ticket_id, || async {
                let Some(ticket) = self.offered_ticket(client, ticket_id).await? else {
                    return Ok((KbAnswer::Stale, None));
                };
                let texts = self.client_texts(client).await?;
                let thanks = texts.kb_need_person_thanks().to_owned();
                let txn = self.db.begin().await?;
                decide(&txn, ticket_id, SuggestionOutcome::NeededPerson).await?;
                let lanes = self
                    .outbox
                    .insert(
                        &txn,
                        vec![replace_or_note(client, ticket_id, question, thanks.clone())],
                    )
                    .await?;
                events::record(
                    &txn,
                    Some(ticket_id),
                    Actor::Client,
                    "kb_needed_person",
                    json!({}),
                )
                .await?;
                txn.commit().await?;
                self.outbox.wake(lanes);
                let opened = self
                    .release_kb_hold_locked(&ticket, SuggestionOutcome::NeededPerson)
                    .await?;
                Ok((KbAnswer::Done(thanks), opened))
            })
            .await?;
        if let Some(opened) = opened {
            self.after_opening(&opened).await?;
        }
        Ok(answer)
    }

    /// The ticket `ticket_id` of `client`, open, with articles offered and
    /// not yet answered.
    async fn offered_ticket(
        &self,
        client: i64,
        ticket_id: i32,
    ) -> ServiceResult<Option<tickets::Model>> {
        let Some(ticket) = self.get(ticket_id).await? else {
            return Ok(None);
        };
        if ticket.client_tg_id != client || !ticket.status.is_open() {
            return Ok(None);
        }
        let waiting = kb_suggestions::Entity::find()
            .filter(kb_suggestions::Column::TicketId.eq(ticket_id))
            .filter(kb_suggestions::Column::Outcome.eq(SuggestionOutcome::Offered))
            .one(&self.db)
            .await?;
        Ok(waiting.map(|_| ticket))
    }
}

/// `tickets.close_reason` of a ticket the client's «Помогло» closed.
pub const KB_REASON: &str = "KB";

/// Marks the ticket's unanswered offers with `outcome`.
async fn decide<C: ConnectionTrait>(
    conn: &C,
    ticket_id: i32,
    outcome: SuggestionOutcome,
) -> Result<(), DbErr> {
    kb_suggestions::Entity::update_many()
        .col_expr(kb_suggestions::Column::Outcome, Expr::value(outcome))
        .col_expr(kb_suggestions::Column::DecidedAt, Expr::value(Utc::now()))
        .filter(kb_suggestions::Column::TicketId.eq(ticket_id))
        .filter(kb_suggestions::Column::Outcome.eq(SuggestionOutcome::Offered))
        .exec(conn)
        .await?;
    Ok(())
}

fn outcome_name(outcome: SuggestionOutcome) -> &'static str {
    match outcome {
        SuggestionOutcome::Offered => "offered",
        SuggestionOutcome::Helped => "helped",
        SuggestionOutcome::NeededPerson => "needed_person",
        SuggestionOutcome::TimedOut => "timed_out",
    }
}

/// The question with the buttons replaced by `text` (or `text` as a new
/// message when the question is not known).
fn replace_or_note(client: i64, ticket_id: i32, question: Option<i32>, text: String) -> Delivery {
    let action = match question {
        Some(message_id) => Action::ReplaceText {
            chat_id: client,
            message_id,
            text: RichText::plain(text),
        },
        None => Action::note(Target::Client { user_id: client }, text),
    };
    Delivery::new(
        client,
        ticket_id,
        action,
        format!("kb-answered:{ticket_id}"),
    )
}

/// An article as one delivery's action: its text (with the title in bold
/// in front when `titled`, the author's mark when `mark`), and its file
/// when it has one.
pub(crate) fn article_action(
    article: &kb_articles::Model,
    target: Target,
    titled: bool,
    mark: Option<&str>,
    response: bool,
) -> Action {
    let mut text = RichBuilder::default();
    if titled {
        text.push_with(&article.title, MessageEntityKind::Bold);
        if !article.body.trim().is_empty() {
            text.push("\n\n");
        }
    }
    text.push_rich(&article.body, &entities_of(article));
    let (mut body, mut entities) = text.finish();
    if let Some(author) = mark {
        (body, entities) = with_author(author, &body, &entities);
    }
    let text = RichText {
        text: body,
        entities,
    };
    match (&article.media_file_id, &article.media_kind) {
        (Some(file_id), Some(kind)) => Action::SendFile {
            target,
            file_kind: kind.clone(),
            file_id: file_id.clone(),
            caption: text,
            response,
        },
        _ => TextMessage::new(target, text).as_response(response).into(),
    }
}
