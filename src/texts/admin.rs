//! Texts of the manager commands. The handler puts the pieces together
//! (and adds links and bold); every word a manager reads is here.

use chrono::{DateTime, Utc};

use super::Texts;
use crate::entities::TicketStatus;

impl Texts {
    /// Anyone but a manager, or a manager outside the private chat and the
    /// main group. Says nothing about who may use the command, or why.
    pub fn admin_refusal(&self) -> &'static str {
        self.pick("Эта команда недоступна.", "This command is not available.")
    }

    // --- usage lines, for a command given bad arguments ---

    pub fn usage_tickets(&self) -> &'static str {
        self.pick(
            "Использование: /tickets [new|work|closed] — последние 20 обращений, все или с этим статусом.",
            "Usage: /tickets [new|work|closed] — the latest 20 tickets, all or with that status.",
        )
    }

    pub fn usage_ticket(&self) -> &'static str {
        self.pick(
            "Использование: /ticket <номер>, например /ticket 12.",
            "Usage: /ticket <number>, for example /ticket 12.",
        )
    }

    pub fn usage_find(&self) -> &'static str {
        self.pick(
            "Использование: /find <текст | @username | tg id | #номер> — поиск по имени клиента, username, id, номеру обращения или словам из переписки.",
            "Usage: /find <text | @username | tg id | #number> — search by client name, username, id, ticket number or words from the conversation.",
        )
    }

    pub fn usage_stats(&self) -> &'static str {
        self.pick(
            "Использование: /stats [дней] — статистика за период от 1 до 3650 дней, по умолчанию 7.",
            "Usage: /stats [days] — figures for a period of 1 to 3650 days, 7 by default.",
        )
    }

    /// `command` is "tech_on" or "tech_off".
    pub fn usage_tech_switch(&self, command: &str) -> String {
        if self.is_ru() {
            format!("Использование: /{command} <id | @username> — id показывает /techs.")
        } else {
            format!("Usage: /{command} <id | @username> — /techs shows the ids.")
        }
    }

    // --- /techs ---

    pub fn techs_title(&self, count: usize) -> String {
        if self.is_ru() {
            format!("Специалисты: {count}")
        } else {
            format!("Technicians: {count}")
        }
    }

    pub fn techs_none(&self) -> &'static str {
        self.pick(
            "Специалистов нет: их список задаёт TECH_GROUPS_MAPPING.",
            "No technicians: TECH_GROUPS_MAPPING lists them.",
        )
    }

    /// Takes new tickets.
    pub fn tech_state_available(&self) -> &'static str {
        self.pick("✅ принимает обращения", "✅ takes tickets")
    }

    /// Switched off with /tech_off.
    pub fn tech_state_unavailable(&self) -> &'static str {
        self.pick("⏸ не принимает новые", "⏸ takes no new tickets")
    }

    /// Left TECH_GROUPS_MAPPING.
    pub fn tech_state_removed(&self) -> &'static str {
        self.pick(
            "🚫 нет в TECH_GROUPS_MAPPING",
            "🚫 not in TECH_GROUPS_MAPPING",
        )
    }

    pub fn tech_open_tickets(&self, count: u64) -> String {
        if self.is_ru() {
            format!("открытых: {count}")
        } else {
            format!("open: {count}")
        }
    }

    // --- /tech_on, /tech_off ---

    pub fn tech_now_available(&self, tech: &str) -> String {
        if self.is_ru() {
            format!("{tech} снова принимает обращения: кнопка появится на новых карточках.")
        } else {
            format!("{tech} takes tickets again: new cards will show the button.")
        }
    }

    pub fn tech_now_unavailable(&self, tech: &str) -> String {
        if self.is_ru() {
            format!(
                "{tech} больше не принимает новые обращения: на новых карточках кнопки не будет. Открытые обращения остаются за ним."
            )
        } else {
            format!(
                "{tech} takes no new tickets: new cards will not show the button. Open tickets stay assigned."
            )
        }
    }

    pub fn tech_already_available(&self, tech: &str) -> String {
        if self.is_ru() {
            format!("{tech} и так принимает обращения.")
        } else {
            format!("{tech} already takes tickets.")
        }
    }

    pub fn tech_already_unavailable(&self, tech: &str) -> String {
        if self.is_ru() {
            format!("{tech} и так не принимает новые обращения.")
        } else {
            format!("{tech} already takes no new tickets.")
        }
    }

    pub fn tech_not_in_mapping(&self, tech: &str) -> String {
        if self.is_ru() {
            format!("{tech} нет в TECH_GROUPS_MAPPING — добавьте его туда и перезапустите бота.")
        } else {
            format!("{tech} is not in TECH_GROUPS_MAPPING — add them there and restart the bot.")
        }
    }

    pub fn tech_not_found(&self) -> &'static str {
        self.pick(
            "Такого специалиста нет. Список — /techs.",
            "No such technician. /techs lists them.",
        )
    }

    // --- ticket lists: /tickets, /find ---

    /// The filter of /tickets, as a heading word.
    pub fn status_filter(&self, status: TicketStatus) -> &'static str {
        match status {
            TicketStatus::New => self.pick("новые", "new"),
            TicketStatus::Work => self.pick("в работе", "in progress"),
            TicketStatus::Closed => self.pick("закрытые", "closed"),
        }
    }

    /// Status with its colour, as in topic titles: "🟢 Новый".
    pub fn status_label(&self, status: TicketStatus) -> String {
        match status {
            TicketStatus::New => format!("🟢 {}", self.stage_new()),
            TicketStatus::Work => format!("🟡 {}", self.stage_in_work()),
            TicketStatus::Closed => format!("🟣 {}", self.stage_closed()),
        }
    }

    /// Heading of /tickets: `shown` of `total`, with the status filter if any.
    pub fn tickets_title(&self, filter: Option<TicketStatus>, shown: usize, total: u64) -> String {
        let filter = filter
            .map(|status| format!(" ({})", self.status_filter(status)))
            .unwrap_or_default();
        match (self.is_ru(), shown as u64 == total) {
            (true, true) => format!("Обращения{filter}: {total}"),
            (true, false) => format!("Обращения{filter}: последние {shown} из {total}"),
            (false, true) => format!("Tickets{filter}: {total}"),
            (false, false) => format!("Tickets{filter}: the latest {shown} of {total}"),
        }
    }

    pub fn tickets_none(&self) -> &'static str {
        self.pick("Обращений нет.", "No tickets.")
    }

    /// Stands for a missing technician, name or time.
    pub fn nobody(&self) -> &'static str {
        "—"
    }

    pub fn find_title(&self, count: usize, more: bool) -> String {
        match (self.is_ru(), more) {
            (true, false) => format!("Найдено обращений: {count}"),
            (true, true) => format!("Найдено больше {count}, показаны последние {count}"),
            (false, false) => format!("Tickets found: {count}"),
            (false, true) => format!("More than {count} found; the latest {count} are shown"),
        }
    }

    pub fn find_none(&self) -> &'static str {
        self.pick("Ничего не найдено.", "Nothing found.")
    }

    // --- /ticket ---

    pub fn ticket_not_found(&self, id: i32) -> String {
        if self.is_ru() {
            format!("Обращения #{id} нет.")
        } else {
            format!("There is no ticket #{id}.")
        }
    }

    pub fn label_status(&self) -> &'static str {
        self.pick("Статус", "Status")
    }

    pub fn label_client(&self) -> &'static str {
        self.pick("Клиент", "Client")
    }

    pub fn label_tech(&self) -> &'static str {
        self.pick("Специалист", "Technician")
    }

    pub fn label_opened(&self) -> &'static str {
        self.pick("Открыто", "Opened")
    }

    pub fn label_first_response(&self) -> &'static str {
        self.pick("Первый ответ", "First response")
    }

    pub fn label_resolution(&self) -> &'static str {
        self.pick("Решение", "Resolution")
    }

    pub fn label_messages(&self) -> &'static str {
        self.pick("Сообщений", "Messages")
    }

    pub fn label_history(&self) -> &'static str {
        self.pick("История", "History")
    }

    pub fn label_feedback(&self) -> &'static str {
        self.pick("Оценка", "Feedback")
    }

    pub fn label_topic(&self) -> &'static str {
        self.pick("Топик", "Topic")
    }

    /// A time after the opening: "через 5 мин".
    pub fn after(&self, duration: &str) -> String {
        if self.is_ru() {
            format!("через {duration}")
        } else {
            format!("after {duration}")
        }
    }

    pub fn not_yet(&self) -> &'static str {
        self.pick("ещё нет", "not yet")
    }

    pub fn still_open(&self) -> &'static str {
        self.pick("ещё открыто", "still open")
    }

    pub fn no_feedback(&self) -> &'static str {
        self.pick("нет", "none")
    }

    pub fn step_opened(&self) -> &'static str {
        self.pick("открыто", "opened")
    }

    pub fn step_assigned(&self, tech: &str) -> String {
        if self.is_ru() {
            format!("назначено: {tech}")
        } else {
            format!("assigned to {tech}")
        }
    }

    pub fn step_reassigned(&self, tech: &str) -> String {
        if self.is_ru() {
            format!("передано: {tech}")
        } else {
            format!("handed over to {tech}")
        }
    }

    pub fn step_closed(&self, by: &str) -> String {
        match (self.is_ru(), by.trim().is_empty()) {
            (true, true) => "закрыто".to_owned(),
            (true, false) => format!("закрыто ({by})"),
            (false, true) => "closed".to_owned(),
            (false, false) => format!("closed by {by}"),
        }
    }

    pub fn step_topic_recreated(&self) -> &'static str {
        self.pick("топик создан заново", "topic recreated")
    }

    pub fn step_client_blocked(&self) -> &'static str {
        self.pick("клиент заблокировал бота", "the client blocked the bot")
    }

    // --- /stats ---

    pub fn stats_title(&self, days: u32, since: DateTime<Utc>) -> String {
        let since = self.timestamp(since);
        if self.is_ru() {
            format!("Статистика за {days} дн. (с {since})")
        } else {
            format!("Figures for {days} days (since {since})")
        }
    }

    pub fn stats_opened(&self, count: u64) -> String {
        if self.is_ru() {
            format!("Открыто: {count}")
        } else {
            format!("Opened: {count}")
        }
    }

    pub fn stats_closed(&self, count: u64) -> String {
        if self.is_ru() {
            format!("Закрыто: {count}")
        } else {
            format!("Closed: {count}")
        }
    }

    pub fn stats_still_open(&self, count: u64) -> String {
        if self.is_ru() {
            format!("Из открытых за период ещё не закрыто: {count}")
        } else {
            format!("Still open of those opened: {count}")
        }
    }

    /// `what` is [`Texts::label_first_response`] or [`Texts::label_resolution`].
    pub fn stats_spread(&self, what: &str, median: &str, p90: &str, count: usize) -> String {
        if self.is_ru() {
            format!("{what}: медиана {median}, 90-й процентиль {p90} (обращений: {count})")
        } else {
            format!("{what}: median {median}, 90th percentile {p90} (tickets: {count})")
        }
    }

    pub fn stats_no_spread(&self, what: &str) -> String {
        if self.is_ru() {
            format!("{what}: нет данных")
        } else {
            format!("{what}: no data")
        }
    }

    /// Survey averages, each already formatted.
    pub fn stats_survey(&self, speed: &str, quality: &str, politeness: &str) -> String {
        if self.is_ru() {
            format!("Опрос (1–5): скорость {speed} · качество {quality} · вежливость {politeness}")
        } else {
            format!("Survey (1–5): speed {speed} · quality {quality} · politeness {politeness}")
        }
    }

    pub fn stats_no_survey(&self) -> &'static str {
        self.pick("Опрос (1–5): ответов нет", "Survey (1–5): no answers")
    }

    pub fn stats_response_rate(&self, answered: u64, closed: u64, percent: &str) -> String {
        if self.is_ru() {
            format!("Ответили на опрос: {answered} из {closed} закрытых ({percent})")
        } else {
            format!("Survey response rate: {answered} of {closed} closed ({percent})")
        }
    }

    // --- numbers and times ---

    /// A duration in its two largest units: "45 с", "5 мин 30 с", "2 ч",
    /// "1 д 3 ч". Rounded to whole seconds.
    pub fn duration(&self, seconds: f64) -> String {
        let total = seconds.max(0.0).round() as u64;
        let units: [(u64, &str); 4] = if self.is_ru() {
            [(86_400, "д"), (3_600, "ч"), (60, "мин"), (1, "с")]
        } else {
            [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")]
        };
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
        let text = format!("{value:.2}");
        if self.is_ru() {
            text.replace('.', ",")
        } else {
            text
        }
    }

    /// A share (0..=1) as a whole percentage.
    pub fn percent(&self, share: f64) -> String {
        format!("{}%", (share * 100.0).round() as i64)
    }

    /// A moment, in UTC: "2026-11-22 10:05 UTC".
    pub fn timestamp(&self, at: DateTime<Utc>) -> String {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::config::Language;

    const RU: Texts = Texts {
        language: Language::Ru,
    };
    const EN: Texts = Texts {
        language: Language::En,
    };

    fn all_texts(texts: Texts) -> Vec<String> {
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
            texts.duration(3_700.0),
        ];
        for status in [TicketStatus::New, TicketStatus::Work, TicketStatus::Closed] {
            all.push(texts.status_filter(status).to_owned());
            all.push(texts.status_label(status));
        }
        all
    }

    #[test]
    fn every_admin_text_exists_in_both_languages_and_english_has_no_cyrillic() {
        let has_cyrillic = |s: &str| s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
        let (ru, en) = (all_texts(RU), all_texts(EN));
        assert_eq!(ru.len(), en.len());
        for text in ru.iter().chain(&en) {
            assert!(!text.trim().is_empty());
        }
        assert!(en.iter().all(|text| !has_cyrillic(text)), "{en:?}");
        assert!(has_cyrillic(RU.admin_refusal()));
    }

    #[test]
    fn the_refusal_names_no_command_and_no_role() {
        for text in [RU.admin_refusal(), EN.admin_refusal()] {
            assert!(!text.contains('/'));
            for word in ["админ", "менеджер", "admin", "manager", "ADMIN_IDS"] {
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
    }

    #[test]
    fn decimals_and_percentages_follow_the_language() {
        assert_eq!(RU.decimal(4.666_666), "4,67");
        assert_eq!(EN.decimal(4.666_666), "4.67");
        assert_eq!(EN.percent(2.0 / 3.0), "67%");
        assert_eq!(RU.percent(0.0), "0%");
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
    }
}
