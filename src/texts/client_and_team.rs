//! The texts of the client's private chat and of the team's topics:
//! topic titles, the client card, buttons, notes and answers to button
//! presses.

use super::{Texts, id_arg};
use crate::domain::card::CardWords;
use crate::domain::topic_title::StageWords;

impl Texts {
    // --- client's private chat ---

    pub fn greeting(&self) -> &'static str {
        fixed!(self, "greeting")
    }

    pub fn help(&self) -> &'static str {
        fixed!(self, "help")
    }

    /// Sent once per ticket, after the client's first message of it.
    pub fn ticket_opened_ack(&self, ticket_id: i32) -> String {
        self.render("ticket-opened-ack", &[("ticket", id_arg(ticket_id))])
    }

    /// Told to the client when their ticket is closed; the satisfaction
    /// survey follows separately.
    pub fn closed_for_client(&self, ticket_id: i32) -> String {
        self.render("closed-for-client", &[("ticket", id_arg(ticket_id))])
    }

    // --- forum topic titles ---

    /// Stage word in a main-group topic title: `🟢 [Новый] #12 | …`.
    pub fn stage_new(&self) -> &'static str {
        fixed!(self, "stage-new")
    }

    /// Stage word in a main-group topic title: `🟡 [В работе | @ivan] #12 | …`.
    pub fn stage_in_work(&self) -> &'static str {
        fixed!(self, "stage-in-work")
    }

    /// Stage word in a main-group topic title: `🟣 [Закрыт] #12 | …`.
    pub fn stage_closed(&self) -> &'static str {
        fixed!(self, "stage-closed")
    }

    pub fn stage_waiting(&self) -> &'static str {
        fixed!(self, "stage-waiting")
    }

    pub fn stage_held(&self) -> &'static str {
        fixed!(self, "stage-held")
    }

    /// The stage words of the main topics' titles.
    pub fn stage_words(&self) -> StageWords {
        StageWords {
            new: self.stage_new().to_owned(),
            in_work: self.stage_in_work().to_owned(),
            closed: self.stage_closed().to_owned(),
            waiting: self.stage_waiting().to_owned(),
        }
    }

    // --- client card ---

    /// Bold first line of the client card.
    pub fn card_title(&self, ticket_id: i32) -> String {
        self.render("card-title", &[("ticket", id_arg(ticket_id))])
    }

    pub fn card_name(&self) -> &'static str {
        fixed!(self, "card-name")
    }

    pub fn card_username(&self) -> &'static str {
        fixed!(self, "card-username")
    }

    pub fn card_id(&self) -> &'static str {
        fixed!(self, "card-id")
    }

    pub fn card_language(&self) -> &'static str {
        fixed!(self, "card-language")
    }

    pub fn card_earlier(&self, count: usize) -> String {
        self.render("card-earlier", &[("count", count.into())])
    }

    /// Closes a card's list of earlier tickets when only the latest are shown.
    pub fn card_more(&self, count: usize) -> String {
        self.render("card-more", &[("count", count.into())])
    }

    /// Shown for a missing username or language.
    pub fn card_missing(&self) -> &'static str {
        fixed!(self, "card-missing")
    }

    // --- buttons ---

    pub fn close_button(&self) -> &'static str {
        fixed!(self, "close-button")
    }

    // --- notes in the team's topics ---

    /// Main topic, after a technician has been assigned.
    pub fn assigned_note(&self, tech_label: &str) -> String {
        self.render("assigned-note", &[("tech", tech_label.into())])
    }

    /// The previous technician's topic, right before it is closed.
    pub fn reassigned_away_note(&self, new_tech_label: &str) -> String {
        self.render("reassigned-away-note", &[("tech", new_tech_label.into())])
    }

    /// First post of a technician's mirrored topic, before the history.
    pub fn tech_topic_intro(&self, ticket_id: i32) -> String {
        self.render("tech-topic-intro", &[("ticket", id_arg(ticket_id))])
    }

    /// Last post of a ticket's topics; `by` is who closed it (a name, or the client).
    pub fn closed_note(&self, by: &str) -> String {
        self.render("closed-note", &[("by", by.into())])
    }

    /// Answer to a message posted in a closed ticket's topic.
    pub fn ticket_is_closed_note(&self) -> &'static str {
        fixed!(self, "ticket-is-closed-note")
    }

    /// Told to the main topic once when the client has blocked the bot.
    pub fn client_blocked_note(&self) -> &'static str {
        fixed!(self, "client-blocked-note")
    }

    /// Posted after the client card when a deleted topic had to be recreated.
    pub fn topic_recreated_note(&self) -> &'static str {
        fixed!(self, "topic-recreated-note")
    }

    /// Stands in for an edit the Bot API cannot carry over (media swapped);
    /// `new_text` is the message's new text or caption, possibly empty.
    pub fn edit_note(&self, new_text: &str) -> String {
        match new_text.trim() {
            "" => fixed!(self, "edit-note").to_owned(),
            new_text => self.render("edit-note.with-text", &[("text", new_text.into())]),
        }
    }

    /// Shows a technician's call for a colleague in the main topic. The
    /// caller's `text` comes last, unchanged, so its entities move by
    /// `utf16_len(result) - utf16_len(text)`.
    pub fn specialist_call_note(&self, author: &str, text: &str) -> String {
        self.render(
            "specialist-call-note",
            &[("author", author.into()), ("text", text.into())],
        )
    }

    // --- answers to button presses (short: Telegram shows them as a toast) ---

    pub fn assign_done(&self, tech_label: &str) -> String {
        self.render("assign-done", &[("tech", tech_label.into())])
    }

    pub fn already_in_progress(&self) -> &'static str {
        fixed!(self, "already-in-progress")
    }

    pub fn ticket_already_closed(&self) -> &'static str {
        fixed!(self, "ticket-already-closed")
    }

    pub fn stale_button(&self) -> &'static str {
        fixed!(self, "stale-button")
    }

    /// One line in a ticket's main topic about a delivery that failed for
    /// good; `reason` is Telegram's answer.
    pub fn delivery_failed_note(&self, ticket_id: i32, place: FailedPlace, reason: &str) -> String {
        let place = match place {
            FailedPlace::Client => "client",
            FailedPlace::MainTopic => "main",
            FailedPlace::Mirror => "mirror",
        };
        self.render(
            "delivery-failed-note",
            &[
                ("ticket", id_arg(ticket_id)),
                ("place", place.into()),
                ("reason", reason.into()),
            ],
        )
    }

    /// To the client whose message joined their latest ticket instead of
    /// opening another (too many tickets within the hour).
    pub fn added_to_latest_ticket(&self, ticket_id: i32) -> String {
        self.render("added-to-latest-ticket", &[("ticket", id_arg(ticket_id))])
    }

    /// Once to a client a manager banned.
    pub fn banned_notice(&self) -> &'static str {
        fixed!(self, "banned-notice")
    }

    pub fn only_in_main_group(&self) -> &'static str {
        fixed!(self, "only-in-main-group")
    }

    pub fn closed_done(&self) -> &'static str {
        fixed!(self, "closed-done")
    }

    pub fn unknown_ticket(&self) -> &'static str {
        fixed!(self, "unknown-ticket")
    }
}

/// Where a delivery that failed was going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedPlace {
    Client,
    MainTopic,
    Mirror,
}

impl CardWords for Texts {
    fn title(&self, ticket_id: i32) -> String {
        self.card_title(ticket_id)
    }
    fn name(&self) -> String {
        self.card_name().to_owned()
    }
    fn username(&self) -> String {
        self.card_username().to_owned()
    }
    fn id(&self) -> String {
        self.card_id().to_owned()
    }
    fn language(&self) -> String {
        self.card_language().to_owned()
    }
    fn earlier(&self, count: usize) -> String {
        self.card_earlier(count)
    }
    fn more(&self, count: usize) -> String {
        self.card_more(count)
    }
    fn missing(&self) -> String {
        self.card_missing().to_owned()
    }
}
