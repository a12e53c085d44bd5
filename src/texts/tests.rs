use super::*;
use crate::domain::card::CardWords;

use crate::texts::samples::{EN, KK, RU};

/// Every text, with sample arguments, so the checks below cover new
/// methods as soon as they are listed here.
pub(in crate::texts) fn all_texts(texts: Texts) -> Vec<String> {
    vec![
        texts.greeting().to_owned(),
        texts.help().to_owned(),
        texts.ticket_opened_ack(12),
        texts.closed_for_client(12),
        texts.stage_new().to_owned(),
        texts.stage_in_work().to_owned(),
        texts.stage_closed().to_owned(),
        texts.stage_waiting().to_owned(),
        texts.stage_held().to_owned(),
        texts.card_title(12),
        texts.card_name().to_owned(),
        texts.card_username().to_owned(),
        texts.card_id().to_owned(),
        texts.card_language().to_owned(),
        texts.card_earlier(3),
        texts.card_more(3),
        texts.card_missing().to_owned(),
        texts.close_button().to_owned(),
        texts.assigned_note("@ivan"),
        texts.reassigned_away_note("@petya"),
        texts.tech_topic_intro(12),
        texts.closed_note("Ivan Petrov"),
        texts.ticket_is_closed_note().to_owned(),
        texts.client_blocked_note().to_owned(),
        texts.topic_recreated_note().to_owned(),
        texts.edit_note("new"),
        texts.edit_note(""),
        texts.specialist_call_note("Ivan", "@petya help"),
        texts.assign_done("@ivan"),
        texts.already_in_progress().to_owned(),
        texts.ticket_already_closed().to_owned(),
        texts.stale_button().to_owned(),
        texts.only_in_main_group().to_owned(),
        texts.closed_done().to_owned(),
        texts.unknown_ticket().to_owned(),
        texts.delivery_failed_note(12, FailedPlace::Client, "Bad Request: chat not found"),
        texts.delivery_failed_note(12, FailedPlace::MainTopic, "x"),
        texts.delivery_failed_note(12, FailedPlace::Mirror, "x"),
        texts.added_to_latest_ticket(12),
        texts.banned_notice().to_owned(),
    ]
}

#[test]
fn every_text_exists_in_every_language_and_is_never_blank() {
    for texts in [RU, KK, EN] {
        for text in all_texts(texts) {
            assert!(!text.trim().is_empty(), "{}", texts.language());
        }
    }
}

#[test]
fn russian_texts_are_russian_and_english_texts_carry_no_cyrillic() {
    let has_cyrillic = |s: &str| s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
    assert!(all_texts(EN).iter().all(|text| !has_cyrillic(text)));
    assert!(has_cyrillic(RU.ticket_opened_ack(1).as_str()));
}

#[test]
fn callback_answers_fit_in_a_telegram_toast() {
    // answerCallbackQuery text is limited to 200 characters.
    for texts in [RU, KK, EN] {
        for answer in [
            texts.assign_done("@a_rather_long_username_32_chars"),
            texts.already_in_progress().to_owned(),
            texts.ticket_already_closed().to_owned(),
            texts.stale_button().to_owned(),
            texts.only_in_main_group().to_owned(),
            texts.closed_done().to_owned(),
            texts.unknown_ticket().to_owned(),
            texts.survey_recorded(5),
            texts.survey_stale().to_owned(),
        ] {
            assert!(answer.chars().count() <= 200, "{answer}");
        }
    }
}

#[test]
fn the_acknowledgement_names_the_ticket_number() {
    assert_eq!(
        RU.ticket_opened_ack(12),
        "Обращение #12 принято. Специалист ответит здесь же."
    );
    assert_eq!(
        EN.ticket_opened_ack(12),
        "Request #12 received. A specialist will reply right here."
    );
}

#[test]
fn the_close_button_says_close() {
    assert_eq!(RU.close_button(), "Закрыть");
    assert_eq!(EN.close_button(), "Close");
}

#[test]
fn stage_words_match_the_topic_title_format() {
    assert_eq!(
        [RU.stage_new(), RU.stage_in_work(), RU.stage_closed()],
        ["Новый", "В работе", "Закрыт"]
    );
    assert_eq!(
        [EN.stage_new(), EN.stage_in_work(), EN.stage_closed()],
        ["New", "In progress", "Closed"]
    );
    assert_eq!(
        [KK.stage_new(), KK.stage_in_work(), KK.stage_closed()],
        ["Жаңа", "Жұмыста", "Жабық"]
    );
}

#[test]
fn stage_words_and_card_words_come_from_the_same_texts() {
    for texts in [RU, KK, EN] {
        let words = texts.stage_words();
        assert_eq!(words.new, texts.stage_new());
        assert_eq!(words.in_work, texts.stage_in_work());
        assert_eq!(words.closed, texts.stage_closed());
        assert_eq!(CardWords::title(&texts, 12), texts.card_title(12));
        assert_eq!(CardWords::more(&texts, 4), texts.card_more(4));
    }
}

#[test]
fn notes_carry_their_arguments_verbatim() {
    assert_eq!(RU.assigned_note("@ivan"), "Назначен специалист: @ivan.");
    assert_eq!(EN.assigned_note("Ivan Petrov"), "Assigned to Ivan Petrov.");
    assert_eq!(RU.closed_note("_x_"), "Обращение закрыто (_x_).");
    assert_eq!(EN.closed_note("_x_"), "Ticket closed by _x_.");
    assert!(RU.reassigned_away_note("@petya").contains("@petya"));
    assert!(EN.tech_topic_intro(7).contains("#7"));
    assert_eq!(EN.assign_done("@ivan"), "Assigned to @ivan");
}

#[test]
fn an_edit_note_quotes_the_new_text_or_says_only_that_it_changed() {
    assert_eq!(
        EN.edit_note("  new caption "),
        "✏️ The message above was edited:\nnew caption"
    );
    assert_eq!(EN.edit_note(" "), "✏️ The message above was edited.");
    assert_eq!(
        RU.edit_note("новое"),
        "✏️ Сообщение выше было изменено:\nновое"
    );
}

#[test]
fn a_specialist_call_note_ends_with_the_original_text_unchanged() {
    let note = RU.specialist_call_note("Ivan", "@petya помоги");
    assert_eq!(note, "🙋 Ivan зовёт на помощь:\n@petya помоги");
    assert!(EN.specialist_call_note("Ivan", " x ").ends_with(" x "));
    let kazakh = KK.specialist_call_note("Ivan", "@petya\n *көмектес*");
    assert!(kazakh.ends_with(":\n@petya\n *көмектес*"), "{kazakh}");
}

#[test]
fn kazakh_notes_carry_their_arguments_verbatim() {
    assert_eq!(
        KK.ticket_opened_ack(12),
        "#12 өтінішіңіз қабылданды. Маман осы жерде жауап береді."
    );
    assert_eq!(KK.closed_note("_x_"), "Өтініш жабылды (_x_).");
    assert_eq!(KK.card_title(1234567), "Өтініш #1234567");
    assert_eq!(KK.edit_note(" "), "✏️ Жоғарыдағы хабарлама өзгертілді.");
}
