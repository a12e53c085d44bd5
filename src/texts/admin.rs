//! Texts of the manager commands. The handler puts the pieces together
//! (and adds links and bold); every word a manager reads is here.

use chrono::{DateTime, Utc};

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

    // --- /stats ---

    pub fn stats_title(&self, days: u32, since: DateTime<Utc>) -> String {
        let since = self.timestamp(since);
        self.render(
            "stats-title",
            &[("days", days.into()), ("since", since.into())],
        )
    }

    pub fn stats_opened(&self, count: u64) -> String {
        self.render("stats-opened", &[("count", count.into())])
    }

    pub fn stats_closed(&self, count: u64) -> String {
        self.render("stats-closed", &[("count", count.into())])
    }

    pub fn stats_still_open(&self, count: u64) -> String {
        self.render("stats-still-open", &[("count", count.into())])
    }

    /// `what` is [`Texts::label_first_response`] or [`Texts::label_resolution`].
    pub fn stats_spread(&self, what: &str, median: &str, p90: &str, count: usize) -> String {
        self.render(
            "stats-spread",
            &[
                ("what", what.into()),
                ("median", median.into()),
                ("p90", p90.into()),
                ("count", count.into()),
            ],
        )
    }

    pub fn stats_no_spread(&self, what: &str) -> String {
        self.render("stats-no-spread", &[("what", what.into())])
    }

    /// Survey averages, each already formatted.
    pub fn stats_survey(&self, speed: &str, quality: &str, politeness: &str) -> String {
        self.render(
            "stats-survey",
            &[
                ("speed", speed.into()),
                ("quality", quality.into()),
                ("politeness", politeness.into()),
            ],
        )
    }

    pub fn stats_no_survey(&self) -> &'static str {
        fixed!(self, "stats-no-survey")
    }

    pub fn stats_response_rate(&self, answered: u64, closed: u64, percent: &str) -> String {
        self.render(
            "stats-response-rate",
            &[
                ("answered", answered.into()),
                ("closed", closed.into()),
                ("percent", percent.into()),
            ],
        )
    }

    // --- the daily report ---

    /// `date` is the day reported, `YYYY-MM-DD`.
    pub fn daily_report_title(&self, date: &str) -> String {
        self.render("daily-report-title", &[("date", date.into())])
    }

    /// Tickets closed that day within their SLA deadlines, and past one.
    pub fn daily_report_sla(&self, met: u64, breached: u64) -> String {
        self.render(
            "daily-report-sla",
            &[("met", met.into()), ("breached", breached.into())],
        )
    }

    // --- numbers and times ---

    /// A duration in its two largest units: "45 с", "5 мин 30 с", "2 ч",
    /// "1 д 3 ч". Rounded to whole seconds.
    pub fn duration(&self, seconds: f64) -> String {
        let total = seconds.max(0.0).round() as u64;
        let units: [(u64, &str); 4] = [
            (86_400, fixed!(self, "duration-unit.days")),
            (3_600, fixed!(self, "duration-unit.hours")),
            (60, fixed!(self, "duration-unit.minutes")),
            (1, fixed!(self, "duration-unit.seconds")),
        ];
        let Some(first) = units.iter().position(|(size, _)| total >= *size) else {
            return format!("0 {}", units[3].1);
        };
        let (size, name) = units[first];
        let mut text = format!("{} {name}", total / size);
        if let Some(&(next, next_name)) = units.get(first + 1) {
            let rest = total % size / next;
            if rest > 0 {
                text.push_str(&format!(" {rest} {next_name}"));
            }
        }
        text
    }

    /// A number with two decimals, with the language's decimal mark.
    pub fn decimal(&self, value: f64) -> String {
        format!("{value:.2}").replace('.', fixed!(self, "decimal-mark"))
    }

    /// A share (0..=1) as a whole percentage.
    pub fn percent(&self, share: f64) -> String {
        let whole = (share * 100.0).round() as i64;
        self.render("percent", &[("value", whole.to_string().into())])
    }

    /// A moment, in UTC: "2026-11-22 10:05 UTC".
    pub fn timestamp(&self, at: DateTime<Utc>) -> String {
        self.render(
            "timestamp",
            &[
                ("date", at.format("%Y-%m-%d").to_string().into()),
                ("time", at.format("%H:%M").to_string().into()),
            ],
        )
    }
}

#[cfg(test)]
pub(super) mod tests {
    use chrono::TimeZone;

    use super::*;

    use crate::texts::samples::{EN, KK, RU};

    pub(in crate::texts) fn all_texts(texts: Texts) -> Vec<String> {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 10, 5, 0).unwrap();
        let mut all = vec![
            texts.admin_refusal().to_owned(),
            texts.usage_tickets().to_owned(),
            texts.usage_ticket().to_owned(),
            texts.usage_find().to_owned(),
            texts.usage_stats().to_owned(),
            texts.usage_tech_switch("tech_on"),
            texts.techs_title(2),
            texts.techs_none().to_owned(),
            texts.tech_state_available().to_owned(),
            texts.tech_state_unavailable().to_owned(),
            texts.tech_state_removed().to_owned(),
            texts.tech_open_tickets(3),
            texts.tech_now_available("@ivan"),
            texts.tech_now_unavailable("@ivan"),
            texts.tech_already_available("@ivan"),
            texts.tech_already_unavailable("@ivan"),
            texts.tech_not_in_mapping("@ivan"),
            texts.tech_not_found().to_owned(),
            texts.failed_title(2),
            texts.failed_none().to_owned(),
            texts.failed_line(12, 3, "Bad Request: chat not found"),
            texts.resend_done(12, 3),
            texts.resend_nothing(12),
            texts.usage_resend().to_owned(),
            texts.ban_done("Anna (@anna)", 123),
            texts.ban_already("Anna"),
            texts.unban_done("Anna"),
            texts.unban_not_banned("Anna"),
            texts.usage_ban().to_owned(),
            texts.usage_unban().to_owned(),
            texts.banned_title(2),
            texts.banned_none().to_owned(),
            texts.client_not_found().to_owned(),
            texts.tickets_title(None, 20, 35),
            texts.tickets_title(Some(TicketStatus::Work), 3, 3),
            texts.tickets_none().to_owned(),
            texts.find_title(2, false),
            texts.find_title(20, true),
            texts.find_none().to_owned(),
            texts.ticket_not_found(12),
            texts.label_status().to_owned(),
            texts.label_client().to_owned(),
            texts.label_tech().to_owned(),
            texts.label_opened().to_owned(),
            texts.label_first_response().to_owned(),
            texts.label_resolution().to_owned(),
            texts.label_messages().to_owned(),
            texts.label_history().to_owned(),
            texts.label_feedback().to_owned(),
            texts.label_topic().to_owned(),
            texts.after("5"),
            texts.not_yet().to_owned(),
            texts.still_open().to_owned(),
            texts.no_feedback().to_owned(),
            texts.step_opened().to_owned(),
            texts.step_assigned("Ivan"),
            texts.step_reassigned("Olga"),
            texts.step_closed("Sveta"),
            texts.step_closed(""),
            texts.step_topic_recreated().to_owned(),
            texts.step_client_blocked().to_owned(),
            texts.stats_title(7, at),
            texts.stats_opened(1),
            texts.stats_closed(1),
            texts.stats_still_open(1),
            texts.stats_spread("x", "1", "2", 3),
            texts.stats_no_spread("x"),
            texts.stats_survey("4", "5", "3"),
            texts.stats_no_survey().to_owned(),
            texts.stats_response_rate(1, 2, "50%"),
            texts.daily_report_title("2026-11-30"),
            texts.daily_report_sla(3, 1),
            texts.duration(3_700.0),
            texts.decimal(4.5),
            texts.percent(0.5),
            texts.timestamp(at),
            texts.nobody().to_owned(),
        ];
        for status in [TicketStatus::New, TicketStatus::Work, TicketStatus::Closed] {
            all.push(texts.status_filter(status).to_owned());
            all.push(texts.status_label(status));
        }
        all
    }

    #[test]
    fn every_admin_text_exists_in_every_language_and_english_has_no_cyrillic() {
        let has_cyrillic = |s: &str| s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
        let (ru, kk, en) = (all_texts(RU), all_texts(KK), all_texts(EN));
        assert_eq!(ru.len(), en.len());
        assert_eq!(kk.len(), en.len());
        for text in ru.iter().chain(&kk).chain(&en) {
            assert!(!text.trim().is_empty());
        }
        assert!(en.iter().all(|text| !has_cyrillic(text)), "{en:?}");
        assert!(has_cyrillic(RU.admin_refusal()));
    }

    #[test]
    fn the_refusal_names_no_command_and_no_role() {
        for text in [RU.admin_refusal(), KK.admin_refusal(), EN.admin_refusal()] {
            assert!(!text.contains('/'));
            for word in [
                "админ",
                "менеджер",
                "әкімші",
                "admin",
                "manager",
                "ADMIN_IDS",
            ] {
                assert!(!text.to_lowercase().contains(&word.to_lowercase()));
            }
        }
    }

    #[test]
    fn durations_show_their_two_largest_units() {
        assert_eq!(RU.duration(0.0), "0 с");
        assert_eq!(RU.duration(45.4), "45 с");
        assert_eq!(RU.duration(330.0), "5 мин 30 с");
        assert_eq!(RU.duration(7_200.0), "2 ч");
        assert_eq!(RU.duration(7_500.0), "2 ч 5 мин");
        assert_eq!(EN.duration(97_200.0 + 59.0), "1 d 3 h");
        assert_eq!(EN.duration(-5.0), "0 s");
        assert_eq!(KK.duration(97_200.0), "1 күн 3 сағ");
        assert_eq!(KK.duration(330.0), "5 мин 30 сек");
    }

    #[test]
    fn decimals_and_percentages_follow_the_language() {
        assert_eq!(RU.decimal(4.666_666), "4,67");
        assert_eq!(EN.decimal(4.666_666), "4.67");
        assert_eq!(EN.percent(2.0 / 3.0), "67%");
        assert_eq!(RU.percent(0.0), "0%");
        assert_eq!(KK.decimal(3.0), "3,00");
        assert_eq!(KK.percent(1.0), "100%");
    }

    #[test]
    fn timestamps_are_in_utc_whatever_the_language() {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 10, 5, 0).unwrap();
        for texts in [RU, KK, EN] {
            assert_eq!(texts.timestamp(at), "2026-11-22 10:05 UTC");
        }
    }

    #[test]
    fn counts_take_the_plural_form_their_number_needs() {
        assert_eq!(
            RU.stats_response_rate(1, 1, "100%"),
            "Ответили на опрос: 1 из 1 закрытого (100%)"
        );
        assert_eq!(
            RU.stats_response_rate(3, 21, "14%"),
            "Ответили на опрос: 3 из 21 закрытого (14%)"
        );
        assert_eq!(
            RU.stats_response_rate(3, 11, "27%"),
            "Ответили на опрос: 3 из 11 закрытых (27%)"
        );
        assert_eq!(
            RU.stats_response_rate(2, 4, "50%"),
            "Ответили на опрос: 2 из 4 закрытых (50%)"
        );
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 10, 5, 0).unwrap();
        assert_eq!(
            EN.stats_title(1, at),
            "Figures for 1 day (since 2026-11-22 10:05 UTC)"
        );
        assert_eq!(
            EN.stats_title(7, at),
            "Figures for 7 days (since 2026-11-22 10:05 UTC)"
        );
        assert_eq!(
            RU.stats_title(7, at),
            "Статистика за 7 дн. (с 2026-11-22 10:05 UTC)"
        );
        assert_eq!(
            EN.find_title(1, true),
            "More than 1 found; the latest one is shown"
        );
        assert_eq!(
            EN.find_title(20, true),
            "More than 20 found; the latest 20 are shown"
        );
        assert_eq!(
            RU.find_title(20, true),
            "Найдено больше 20, показаны последние 20"
        );
    }

    #[test]
    fn counts_and_numbers_come_out_without_grouping_or_decimals() {
        assert_eq!(RU.techs_title(1000), "Специалисты: 1000");
        assert_eq!(EN.tech_open_tickets(12_345), "open: 12345");
        assert_eq!(RU.ticket_not_found(1_000_000), "Обращения #1000000 нет.");
    }

    #[test]
    fn list_titles_say_when_only_the_latest_are_shown() {
        assert_eq!(RU.tickets_title(None, 3, 3), "Обращения: 3");
        assert_eq!(
            RU.tickets_title(Some(TicketStatus::New), 20, 25),
            "Обращения (новые): последние 20 из 25"
        );
        assert_eq!(
            EN.tickets_title(Some(TicketStatus::Closed), 20, 21),
            "Tickets (closed): the latest 20 of 21"
        );
        assert_eq!(
            KK.tickets_title(Some(TicketStatus::Work), 20, 28),
            "Өтініштер (жұмыстағы): соңғы 20, барлығы 28"
        );
        assert_eq!(KK.tickets_title(None, 3, 3), "Өтініштер: 3");
    }
}
