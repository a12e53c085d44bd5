use chrono::{TimeZone, Utc};

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
