//! Texts of the service levels: priorities, SLA warnings and breaches, the
//! deadlines on the card. Staff read them in BOT_LANGUAGE.

use super::{Arg, Texts, id_arg};
use crate::entities::Priority;

/// Which SLA clock a text is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockName {
    FirstResponse,
    Resolution,
}

impl ClockName {
    fn arg(self) -> Arg<'static> {
        (
            "clock",
            match self {
                ClockName::FirstResponse => "first_response",
                ClockName::Resolution => "resolution",
            }
            .into(),
        )
    }
}

impl Texts {
    /// `🔼 Высокий`.
    pub fn priority_label(&self, priority: Priority) -> &'static str {
        match priority {
            Priority::Low => fixed!(self, "priority-label.low"),
            Priority::Normal => fixed!(self, "priority-label.normal"),
            Priority::High => fixed!(self, "priority-label.high"),
            Priority::Urgent => fixed!(self, "priority-label.urgent"),
        }
    }

    /// The warning before a deadline, in the technician's (or main) topic.
    pub fn sla_warning(&self, ticket_id: i32, clock: ClockName, due: &str, left: &str) -> String {
        self.render(
            "sla-warning",
            &[
                ("ticket", id_arg(ticket_id)),
                clock.arg(),
                ("due", due.into()),
                ("left", left.into()),
            ],
        )
    }

    /// The line on the card once a deadline is missed.
    pub fn sla_breached(&self, clock: ClockName, due: &str) -> String {
        self.render("sla-breached", &[clock.arg(), ("due", due.into())])
    }

    /// What each manager is told privately when a deadline is missed.
    pub fn sla_breached_manager(
        &self,
        ticket_id: i32,
        priority: Priority,
        clock: ClockName,
        due: &str,
    ) -> String {
        self.render(
            "sla-breached-manager",
            &[
                ("ticket", id_arg(ticket_id)),
                ("priority", self.priority_label(priority).into()),
                clock.arg(),
                ("due", due.into()),
            ],
        )
    }

    /// A deadline still ahead, on the card.
    pub fn sla_due(&self, clock: ClockName, due: &str) -> String {
        let id = match clock {
            ClockName::FirstResponse => "sla-due-first-response",
            ClockName::Resolution => "sla-due-resolution",
        };
        self.render(id, &[("due", due.into())])
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::texts::samples::{EN, KK, RU};

    pub(in crate::texts) fn all_texts(texts: Texts) -> Vec<String> {
        let mut all: Vec<String> = [
            Priority::Low,
            Priority::Normal,
            Priority::High,
            Priority::Urgent,
        ]
        .into_iter()
        .map(|p| texts.priority_label(p).to_owned())
        .collect();
        for clock in [ClockName::FirstResponse, ClockName::Resolution] {
            all.push(texts.sla_warning(12, clock, "2026-11-30 10:30", &texts.duration(360.0)));
            all.push(texts.sla_breached(clock, "2026-11-30 10:30"));
            all.push(texts.sla_breached_manager(12, Priority::High, clock, "10:30"));
            all.push(texts.sla_due(clock, "10:30"));
        }
        all
    }

    #[test]
    fn the_two_clocks_read_differently_in_every_language() {
        for texts in [RU, KK, EN] {
            assert_ne!(
                texts.sla_breached(ClockName::FirstResponse, "x"),
                texts.sla_breached(ClockName::Resolution, "x")
            );
        }
        assert_eq!(
            RU.sla_breached(ClockName::FirstResponse, "10:30"),
            "⏰ Просрочено: первый ответ (срок был 10:30)"
        );
        assert_eq!(
            EN.sla_warning(7, ClockName::Resolution, "18:00", "12 min"),
            "⏳ #7: resolution due by 18:00 — 12 min left."
        );
    }
}
