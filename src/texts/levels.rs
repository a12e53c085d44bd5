//! Texts of the service levels: priorities, SLA warnings and breaches, the
//! deadlines on the card. Staff read them in BOT_LANGUAGE.

use chrono::Weekday;

use super::{Arg, Texts, id_arg};
use crate::entities::Priority;

/// When the team is back, as the client reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpeningDay {
    Today,
    Tomorrow,
    On(Weekday),
}

impl OpeningDay {
    fn arg(self) -> Arg<'static> {
        let key = match self {
            OpeningDay::Today => "today",
            OpeningDay::Tomorrow => "tomorrow",
            OpeningDay::On(Weekday::Mon) => "mon",
            OpeningDay::On(Weekday::Tue) => "tue",
            OpeningDay::On(Weekday::Wed) => "wed",
            OpeningDay::On(Weekday::Thu) => "thu",
            OpeningDay::On(Weekday::Fri) => "fri",
            OpeningDay::On(Weekday::Sat) => "sat",
            OpeningDay::On(Weekday::Sun) => "sun",
        };
        ("day", key.into())
    }
}

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

    // --- routing: categories, waiting, automatic assignment ---

    /// The category buttons' question, in the client's language.
    pub fn category_question(&self) -> &'static str {
        fixed!(self, "category-question")
    }

    /// The acknowledgement once the ticket opens in `category` (a label).
    pub fn category_chosen_ack(&self, ticket_id: i32, category: &str) -> String {
        self.render(
            "category-chosen-ack",
            &[("ticket", id_arg(ticket_id)), ("category", category.into())],
        )
    }

    pub fn category_already_chosen(&self) -> &'static str {
        fixed!(self, "category-already-chosen")
    }

    /// Added to the acknowledgement outside business hours: when the team
    /// is back (`time` on the business hours' clock, in `zone`).
    pub fn outside_hours_note(&self, day: OpeningDay, time: &str, zone: &str) -> String {
        self.render(
            "outside-hours-note",
            &[day.arg(), ("time", time.into()), ("zone", zone.into())],
        )
    }

    pub fn wait_button(&self) -> &'static str {
        fixed!(self, "wait-button")
    }

    /// The card's status while the ticket waits for the client.
    pub fn waiting_status(&self, since: &str) -> String {
        self.render("waiting-status", &[("since", since.into())])
    }

    pub fn no_technician_status(&self) -> &'static str {
        fixed!(self, "no-technician-status")
    }

    pub fn priority_done(&self, priority: Priority) -> String {
        self.render(
            "priority-done",
            &[("priority", self.priority_label(priority).into())],
        )
    }

    pub fn category_done(&self, category: &str) -> String {
        self.render("category-done", &[("category", category.into())])
    }

    pub fn wait_done(&self) -> &'static str {
        fixed!(self, "wait-done")
    }

    pub fn already_waiting(&self) -> &'static str {
        fixed!(self, "already-waiting")
    }

    pub fn priority_usage(&self) -> &'static str {
        fixed!(self, "priority-usage")
    }

    /// `keys`: the categories' keys, as the command takes them.
    pub fn category_usage(&self, keys: &str) -> String {
        self.render("category-usage", &[("keys", keys.into())])
    }

    /// In the old topic of a ticket moved to another main group.
    pub fn moved_away_note(&self, category: &str, by: &str) -> String {
        self.render(
            "moved-away-note",
            &[("category", category.into()), ("by", by.into())],
        )
    }

    /// In the new topic of a moved ticket; `link` to the old topic.
    pub fn moved_here_note(&self, category: &str, by: &str, link: Option<&str>) -> String {
        match link {
            Some(link) => self.render(
                "moved-here-note.with-link",
                &[
                    ("category", category.into()),
                    ("by", by.into()),
                    ("link", link.into()),
                ],
            ),
            None => self.render(
                "moved-here-note",
                &[("category", category.into()), ("by", by.into())],
            ),
        }
    }

    /// Who closed a ticket that waited too long (the `by` of the closing
    /// note).
    pub fn waiting_auto_closed(&self, waited: &str) -> String {
        self.render("waiting-auto-closed", &[("duration", waited.into())])
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
        all.push(texts.category_question().to_owned());
        all.push(texts.category_chosen_ack(12, "💳 Billing"));
        all.push(texts.category_already_chosen().to_owned());
        for day in [
            OpeningDay::Today,
            OpeningDay::Tomorrow,
            OpeningDay::On(Weekday::Mon),
            OpeningDay::On(Weekday::Tue),
            OpeningDay::On(Weekday::Wed),
            OpeningDay::On(Weekday::Thu),
            OpeningDay::On(Weekday::Fri),
            OpeningDay::On(Weekday::Sat),
            OpeningDay::On(Weekday::Sun),
        ] {
            all.push(texts.outside_hours_note(day, "09:00", "Europe/Moscow"));
        }
        all.push(texts.wait_button().to_owned());
        all.push(texts.waiting_status("10:30"));
        all.push(texts.no_technician_status().to_owned());
        all.push(texts.priority_done(Priority::Urgent));
        all.push(texts.category_done("💳 Billing"));
        all.push(texts.wait_done().to_owned());
        all.push(texts.already_waiting().to_owned());
        all.push(texts.priority_usage().to_owned());
        all.push(texts.category_usage("billing, tech"));
        all.push(texts.moved_away_note("💳 Billing", "Ann"));
        all.push(texts.moved_here_note("💳 Billing", "Ann", None));
        all.push(texts.moved_here_note("💳 Billing", "Ann", Some("https://t.me/c/1/2")));
        all.push(texts.waiting_auto_closed("3 d"));
        for clock in [ClockName::FirstResponse, ClockName::Resolution] {
            all.push(texts.sla_warning(12, clock, "2026-11-30 10:30", &texts.duration(360.0)));
            all.push(texts.sla_breached(clock, "2026-11-30 10:30"));
            all.push(texts.sla_breached_manager(12, Priority::High, clock, "10:30"));
            all.push(texts.sla_due(clock, "10:30"));
        }
        all
    }

    #[test]
    fn the_client_is_told_when_the_team_is_back_in_their_language() {
        assert_eq!(
            EN.outside_hours_note(OpeningDay::On(Weekday::Mon), "09:00", "Europe/Moscow"),
            "We are outside working hours now and will answer from 09:00 on Monday (Europe/Moscow)."
        );
        assert_eq!(
            RU.outside_hours_note(OpeningDay::On(Weekday::Mon), "09:00", "Europe/Moscow"),
            "Сейчас нерабочее время: мы ответим в понедельник с 09:00 (Europe/Moscow)."
        );
        assert!(
            KK.outside_hours_note(OpeningDay::Tomorrow, "09:00", "UTC")
                .contains("ертең 09:00")
        );
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
