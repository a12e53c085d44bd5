//! Texts of the manager commands. The handler puts the pieces together
//! (and adds links and bold); every word a manager reads is here.

mod figures;
#[cfg(test)]
pub(super) mod tests;

use super::{Texts, id_arg};
use crate::entities::TicketStatus;

impl Texts {
    /// Anyone but a manager, or a manager outside the private chat and the
    /// main group. Says nothing about who may use the command, or why.
    pub fn admin_refusal(&self) -> &'static str {
        fixed!(self, "admin-refusal")
    }

    // --- usage lines, for a command given bad arguments ---

    pub fn usage_tickets(&self) -> &'static str {
        fixed!(self, "usage-tickets")
    }

    pub fn usage_ticket(&self) -> &'static str {
        fixed!(self, "usage-ticket")
    }

    pub fn usage_find(&self) -> &'static str {
        fixed!(self, "usage-find")
    }

    pub fn usage_stats(&self) -> &'static str {
        fixed!(self, "usage-stats")
    }

    /// `command` is "tech_on" or "tech_off".
    pub fn usage_tech_switch(&self, command: &str) -> String {
        self.render("usage-tech-switch", &[("command", command.into())])
    }

    // --- /techs ---

    pub fn techs_title(&self, count: usize) -> String {
        self.render("techs-title", &[("count", count.into())])
    }

    pub fn techs_none(&self) -> &'static str {
        fixed!(self, "techs-none")
    }

    /// Takes new tickets.
    pub fn tech_state_available(&self) -> &'static str {
        fixed!(self, "tech-state-available")
    }

    /// Switched off with /tech_off.
    pub fn tech_state_unavailable(&self) -> &'static str {
        fixed!(self, "tech-state-unavailable")
    }

    /// Left TECH_GROUPS_MAPPING.
    pub fn tech_state_removed(&self) -> &'static str {
        fixed!(self, "tech-state-removed")
    }

    pub fn tech_open_tickets(&self, count: u64) -> String {
        self.render("tech-open-tickets", &[("count", count.into())])
    }

    // --- /tech_on, /tech_off ---

    pub fn tech_now_available(&self, tech: &str) -> String {
        self.render("tech-now-available", &[("tech", tech.into())])
    }

    pub fn tech_now_unavailable(&self, tech: &str) -> String {
        self.render("tech-now-unavailable", &[("tech", tech.into())])
    }

    pub fn tech_already_available(&self, tech: &str) -> String {
        self.render("tech-already-available", &[("tech", tech.into())])
    }

    pub fn tech_already_unavailable(&self, tech: &str) -> String {
        self.render("tech-already-unavailable", &[("tech", tech.into())])
    }

    pub fn tech_not_in_mapping(&self, tech: &str) -> String {
        self.render("tech-not-in-mapping", &[("tech", tech.into())])
    }

    pub fn tech_not_found(&self) -> &'static str {
        fixed!(self, "tech-not-found")
    }

    // --- /failed, /resend ---

    pub fn failed_title(&self, tickets: usize) -> String {
        self.render("failed-title", &[("count", tickets.into())])
    }

    pub fn failed_none(&self) -> &'static str {
        fixed!(self, "failed-none")
    }

    /// A ticket with `count` undelivered messages, the last error `reason`.
    pub fn failed_line(&self, ticket_id: i32, count: u64, reason: &str) -> String {
        self.render(
            "failed-line",
            &[
                ("ticket", id_arg(ticket_id)),
                ("count", count.into()),
                ("reason", reason.into()),
            ],
        )
    }

    pub fn resend_done(&self, ticket_id: i32, count: u64) -> String {
        self.render(
            "resend-done",
            &[("ticket", id_arg(ticket_id)), ("count", count.into())],
        )
    }

    pub fn resend_nothing(&self, ticket_id: i32) -> String {
        self.render("resend-nothing", &[("ticket", id_arg(ticket_id))])
    }

    pub fn usage_resend(&self) -> &'static str {
        fixed!(self, "usage-resend")
    }

    // --- /ban, /unban, /banned ---

    /// `client` is how the client is shown (name and @username), `id` their
    /// Telegram id.
    pub fn ban_done(&self, client: &str, id: i64) -> String {
        self.render(
            "ban-done",
            &[("client", client.into()), ("id", id.to_string().into())],
        )
    }

    pub fn ban_already(&self, client: &str) -> String {
        self.render("ban-already", &[("client", client.into())])
    }

    pub fn unban_done(&self, client: &str) -> String {
        self.render("unban-done", &[("client", client.into())])
    }

    pub fn unban_not_banned(&self, client: &str) -> String {
        self.render("unban-not-banned", &[("client", client.into())])
    }

    pub fn usage_ban(&self) -> &'static str {
        fixed!(self, "usage-ban")
    }

    pub fn usage_unban(&self) -> &'static str {
        fixed!(self, "usage-unban")
    }

    pub fn banned_title(&self, count: usize) -> String {
        self.render("banned-title", &[("count", count.into())])
    }

    pub fn banned_none(&self) -> &'static str {
        fixed!(self, "banned-none")
    }

    pub fn client_not_found(&self) -> &'static str {
        fixed!(self, "client-not-found")
    }

    // --- ticket lists: /tickets, /find ---

    /// The filter of /tickets, as a heading word.
    pub fn status_filter(&self, status: TicketStatus) -> &'static str {
        match status {
            TicketStatus::New => fixed!(self, "status-filter.new"),
            TicketStatus::Work => fixed!(self, "status-filter.work"),
            TicketStatus::Waiting => fixed!(self, "status-filter.waiting"),
            TicketStatus::Held => fixed!(self, "status-filter.held"),
            TicketStatus::Closed => fixed!(self, "status-filter.closed"),
        }
    }

    /// Status with its colour, as in topic titles: "🟢 Новый".
    pub fn status_label(&self, status: TicketStatus) -> String {
        match status {
            TicketStatus::New => fixed!(self, "status-label.new"),
            TicketStatus::Work => fixed!(self, "status-label.work"),
            TicketStatus::Waiting => fixed!(self, "status-label.waiting"),
            TicketStatus::Held => fixed!(self, "status-label.held"),
            TicketStatus::Closed => fixed!(self, "status-label.closed"),
        }
        .to_owned()
    }

    /// Heading of /tickets: `shown` of `total`, with the status filter if any.
    pub fn tickets_title(&self, filter: Option<TicketStatus>, shown: usize, total: u64) -> String {
        let id = match (filter.is_some(), shown as u64 == total) {
            (false, true) => "tickets-title",
            (true, true) => "tickets-title.filtered",
            (false, false) => "tickets-title.latest",
            (true, false) => "tickets-title.filtered-latest",
        };
        let filter = filter.map_or("", |status| self.status_filter(status));
        self.render(
            id,
            &[
                ("filter", filter.into()),
                ("shown", shown.into()),
                ("total", total.into()),
            ],
        )
    }

    pub fn tickets_none(&self) -> &'static str {
        fixed!(self, "tickets-none")
    }

    /// Stands for a missing technician, name or time.
    pub fn nobody(&self) -> &'static str {
        fixed!(self, "nobody")
    }

    pub fn find_title(&self, count: usize, more: bool) -> String {
        let id = if more {
            "find-title.more"
        } else {
            "find-title"
        };
        self.render(id, &[("count", count.into())])
    }

    pub fn find_none(&self) -> &'static str {
        fixed!(self, "find-none")
    }

    // --- /ticket ---

    pub fn ticket_not_found(&self, id: i32) -> String {
        self.render("ticket-not-found", &[("ticket", id_arg(id))])
    }

    pub fn label_status(&self) -> &'static str {
        fixed!(self, "label-status")
    }

    pub fn label_client(&self) -> &'static str {
        fixed!(self, "label-client")
    }

    pub fn label_tech(&self) -> &'static str {
        fixed!(self, "label-tech")
    }

    pub fn label_opened(&self) -> &'static str {
        fixed!(self, "label-opened")
    }

    pub fn label_first_response(&self) -> &'static str {
        fixed!(self, "label-first-response")
    }

    pub fn label_resolution(&self) -> &'static str {
        fixed!(self, "label-resolution")
    }

    pub fn label_messages(&self) -> &'static str {
        fixed!(self, "label-messages")
    }

    pub fn label_history(&self) -> &'static str {
        fixed!(self, "label-history")
    }

    pub fn label_feedback(&self) -> &'static str {
        fixed!(self, "label-feedback")
    }

    pub fn label_topic(&self) -> &'static str {
        fixed!(self, "label-topic")
    }

    /// A time after the opening: "через 5 мин".
    pub fn after(&self, duration: &str) -> String {
        self.render("after", &[("duration", duration.into())])
    }

    pub fn not_yet(&self) -> &'static str {
        fixed!(self, "not-yet")
    }

    pub fn still_open(&self) -> &'static str {
        fixed!(self, "still-open")
    }

    pub fn no_feedback(&self) -> &'static str {
        fixed!(self, "no-feedback")
    }

    pub fn step_opened(&self) -> &'static str {
        fixed!(self, "step-opened")
    }

    pub fn step_assigned(&self, tech: &str) -> String {
        self.render("step-assigned", &[("tech", tech.into())])
    }

    pub fn step_reassigned(&self, tech: &str) -> String {
        self.render("step-reassigned", &[("tech", tech.into())])
    }

    pub fn step_closed(&self, by: &str) -> String {
        if by.trim().is_empty() {
            fixed!(self, "step-closed").to_owned()
        } else {
            self.render("step-closed.by", &[("by", by.into())])
        }
    }

    pub fn step_topic_recreated(&self) -> &'static str {
        fixed!(self, "step-topic-recreated")
    }

    pub fn step_client_blocked(&self) -> &'static str {
        fixed!(self, "step-client-blocked")
    }
}
